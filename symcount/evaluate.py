"""Expressions -> values: sympy numbers and symbols, strings, booleans, tuples.

This is the only place user text becomes sympy objects, and it does so node by
node from the AST: no string is ever handed to ``eval``, ``exec`` or
``sympify``. Sizes are exact (integers stay integers, ``/`` gives rationals).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from symcount import ast
from symcount.errors import SymcountError
from symcount.symbols import is_number, sym

Value = Any  # sympy.Expr | str | bool | tuple[Value, ...]

#: Refuse numbers with more bits than this: 10^30 is fine, 10^10^10 is not.
MAX_BITS = 100_000


@dataclass
class Env:
    """Names in scope, innermost first, plus the user's ``--set`` values.

    ``values`` override ``let`` bindings and fill free symbols; every name the
    evaluation asks about is recorded in ``seen`` so an unknown ``--set`` name
    can be reported with the list of names that exist.
    """

    scopes: list[dict[str, Value]] = field(default_factory=lambda: [{}])
    values: Mapping[str, Value] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    functions: Mapping[str, Callable[..., Value]] = field(default_factory=dict)

    def child(self, bindings: Mapping[str, Value] | None = None) -> Env:
        return Env([dict(bindings or {}), *self.scopes], self.values, self.seen, self.functions)

    def bind(self, name: str, value: Value) -> None:
        self.scopes[0][name] = value

    def lookup(self, name: str) -> Value:
        self.seen.add(name)
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        if name in self.values:
            return self.values[name]
        return sym(name)

    def has(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)


def _check_size(value: sympy.Expr, pos: ast.Pos) -> sympy.Expr:
    if is_number(value) and value.is_Rational and abs(value.p).bit_length() > MAX_BITS:
        raise SymcountError("number too large", pos)
    return value


def _power(base: Value, exponent: Value, pos: ast.Pos) -> sympy.Expr:
    if is_number(base) and is_number(exponent):
        b = abs(base) if base != 0 else sympy.Integer(1)
        bits = float(sympy.log(b, 2).evalf()) * float(abs(exponent)) if b != 1 else 0.0
        if bits > MAX_BITS:
            raise SymcountError("number too large", pos, hint="keep exponents small")
    elif is_number(exponent) and abs(exponent) > 10_000:
        raise SymcountError("exponent too large", pos)
    return sympy.Pow(base, exponent)


def _numeric(value: Value, node: ast.Expr, what: str) -> sympy.Expr:
    if isinstance(value, bool) or not isinstance(value, sympy.Basic):
        raise SymcountError(f"{what} needs numbers, got {describe(value)}", node.pos)
    return value


def describe(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, tuple):
        return "a tuple"
    return str(value)


def truth(value: Value, node: ast.Expr) -> bool:
    """A condition's truth; a condition that depends on free symbols is an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        return bool(value)
    if isinstance(value, sympy.Basic) and is_number(value):
        return value != 0
    raise SymcountError(
        f"condition depends on free symbols ({describe(value)})",
        node.pos,
        hint="give the symbols values with --set",
    )


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: sympy.Eq(a, b),
    "!=": lambda a, b: sympy.Ne(a, b),
    "<": lambda a, b: sympy.Lt(a, b),
    "<=": lambda a, b: sympy.Le(a, b),
    ">": lambda a, b: sympy.Gt(a, b),
    ">=": lambda a, b: sympy.Ge(a, b),
}


def _compare(op: str, left: Value, right: Value, node: ast.BinOp) -> bool:
    if isinstance(left, (str, bool)) or isinstance(right, (str, bool)):
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        raise SymcountError(f"cannot order {describe(left)} and {describe(right)}", node.pos)
    result = _COMPARE[op](sympy.simplify(left - right), 0)
    return truth(result, node)


def _binary(node: ast.BinOp, env: Env) -> Value:
    op = node.op
    if op in ("and", "or"):
        left = truth(evaluate(node.left, env), node.left)
        if op == "and":
            return left and truth(evaluate(node.right, env), node.right)
        return left or truth(evaluate(node.right, env), node.right)
    left = evaluate(node.left, env)
    right = evaluate(node.right, env)
    if op in _COMPARE:
        return _compare(op, left, right, node)
    a = _numeric(left, node.left, f"'{op}'")
    b = _numeric(right, node.right, f"'{op}'")
    if op == "+":
        return _check_size(a + b, node.pos)
    if op == "-":
        return a - b
    if op == "*":
        return _check_size(a * b, node.pos)
    if op in ("/", "//", "%") and b == 0:
        raise SymcountError("division by zero", node.right.pos)
    if op == "/":
        return a / b
    if op == "//":
        return sympy.floor(a / b)
    if op == "%":
        return sympy.Mod(a, b)
    if op == "^":
        return _check_size(_power(a, b, node.pos), node.pos)
    raise SymcountError(f"unknown operator {op}", node.pos)  # pragma: no cover - grammar forbids


def _builtin_functions() -> dict[str, Callable[..., Value]]:
    return {
        "ceil": lambda x: sympy.ceiling(x),
        "floor": lambda x: sympy.floor(x),
        "min": lambda *xs: sympy.Min(*xs),
        "max": lambda *xs: sympy.Max(*xs),
        "sqrt": lambda x: sympy.sqrt(x),
        "abs": lambda x: sympy.Abs(x),
    }


BUILTINS = _builtin_functions()


def _call(node: ast.Call, env: Env) -> Value:
    func = env.functions.get(node.func) or BUILTINS.get(node.func)
    if func is None:
        from symcount.errors import did_you_mean

        known = sorted({*BUILTINS, *env.functions})
        raise SymcountError(
            f"unknown function '{node.func}' (known: {', '.join(known)})",
            node.pos,
            hint=did_you_mean(node.func, known),
        )
    args = [evaluate(a, env) for a in node.args]
    try:
        return func(*args)
    except SymcountError:
        raise
    except (TypeError, ValueError) as err:
        raise SymcountError(f"{node.func}(): {err}", node.pos) from None


def evaluate(node: ast.Expr, env: Env) -> Value:
    """The value of an expression in ``env``; unbound names become symbols."""
    if isinstance(node, ast.Num):
        return node.value
    if isinstance(node, ast.Name):
        return env.lookup(node.id)
    if isinstance(node, ast.Str):
        return node.value
    if isinstance(node, ast.Bool):
        return node.value
    if isinstance(node, ast.BinOp):
        return _binary(node, env)
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, env)
        if node.op == "not":
            return not truth(value, node.operand)
        number = _numeric(value, node.operand, f"'{node.op}'")
        return -number if node.op == "-" else number
    if isinstance(node, ast.Call):
        return _call(node, env)
    if isinstance(node, ast.TupleExpr):
        return tuple(evaluate(item, env) for item in node.items)
    raise TypeError(f"not an expression: {node!r}")  # pragma: no cover
