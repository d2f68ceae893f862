"""Expressions -> values: sympy numbers and symbols, strings, booleans, tuples.

This is the only place user text becomes sympy objects, and it does so node by
node from the AST: no string is ever handed to ``eval``, ``exec`` or
``sympify``. Sizes are exact (integers stay integers, ``/`` gives rationals).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from symcount.errors import SymcountError, UndecidableError, did_you_mean
from symcount.language import budget, nodes
from symcount.language.budget import MAX_TERMS, expanded_terms
from symcount.language.symbols import is_number, sym

Value = Any  # sympy.Expr | str | bool | tuple[Value, ...]

#: Refuse numbers with more bits than this: 10^30 is fine, 10^10^10 is not. Python
#: prints at most 4,300 digits by default (``sys.get_int_max_str_digits``), so every
#: accepted number, and the counts made from it, can still be printed.
MAX_BITS = 13_000


@dataclass
class Env:
    """Names in scope, innermost first, plus the user's ``--set`` values.

    ``values`` override ``let`` bindings, network parameters and fill free symbols.
    Every name a value from outside can reach (a ``let``, a network parameter, a
    name no scope binds) is recorded in ``seen``; a name bound by a block call
    (its argument or its default) is recorded in ``bound`` with where, so a
    ``--set`` of it is refused there rather than silently ignored.
    """

    scopes: list[dict[str, Value]] = field(default_factory=lambda: [{}])
    values: Mapping[str, Value] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    functions: Mapping[str, Callable[..., Value]] = field(default_factory=dict)
    #: whether a name is a layer (a call of it is a layer, not a value): the language knows no
    #: layers, so whoever knows them (the engine, from the catalog) says so here
    is_layer: Callable[[str], bool] = field(default=lambda name: False)
    #: names bound by a call inside the description, with the first binding's position
    bound: dict[str, nodes.Pos] = field(default_factory=dict)

    def child(self, bindings: Mapping[str, Value] | None = None) -> Env:
        return Env([dict(bindings or {}), *self.scopes], self.values, self.seen, self.functions, self.is_layer,
                   self.bound)

    def bind(self, name: str, value: Value) -> None:
        self.scopes[0][name] = value

    def lookup(self, name: str) -> Value:
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        self.seen.add(name)
        if name in self.values:
            return self.values[name]
        return sym(name)

    def has(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)


def _check_size(value: sympy.Expr, pos: nodes.Pos) -> sympy.Expr:
    if is_number(value) and value.is_Rational and max(abs(value.p), value.q).bit_length() > MAX_BITS:
        raise SymcountError("number too large", pos)
    if isinstance(value, sympy.Basic) and value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise SymcountError("division by zero", pos)
    if is_number(value) and value.is_real is False:
        raise SymcountError(f"not a real number: {describe(value)}", pos,
                            hint="sizes are real: no even roots or fractional powers of negative numbers")
    if not is_number(value) and isinstance(value, sympy.Basic):
        check_expansion(value, pos)
    return value


def check_expansion(expr: sympy.Basic, pos: nodes.Pos, what: str = "the expression") -> None:
    """Refuse an expression too large to expand, and numbers too long to print."""
    terms = expanded_terms(expr)
    if terms > MAX_TERMS:
        raise SymcountError(
            f"{what} is too large: it expands to about {terms:,} terms (the limit is {MAX_TERMS:,})", pos,
            hint="give the symbols values with --set, or keep powers of sums small")
    for atom in expr.atoms(sympy.Rational):
        if max(abs(atom.p), abs(atom.q)).bit_length() > MAX_BITS:
            raise SymcountError(f"{what} has a number too large to print", pos)


def _power(base: Value, exponent: Value, pos: nodes.Pos) -> sympy.Expr:
    if is_number(base) and is_number(exponent):
        b = abs(base) if base != 0 else sympy.Integer(1)
        bits = float(sympy.log(b, 2).evalf()) * float(abs(exponent)) if b != 1 else 0.0
        if bits > MAX_BITS:
            raise SymcountError("number too large", pos, hint="keep exponents small")
    elif is_number(exponent) and abs(exponent) > 10_000:
        raise SymcountError("exponent too large", pos)
    return sympy.Pow(base, exponent)


def _numeric(value: Value, node: nodes.Expr, what: str) -> sympy.Expr:
    if isinstance(value, bool) or not isinstance(value, sympy.Basic):
        raise SymcountError(f"{what} needs numbers, got {describe(value)}", node.pos)
    return value


def describe(value: Value, limit: int = 80) -> str:
    """A value as a message shows it: short, whatever the user wrote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the string "{_shorten(value, limit)}"'
    if isinstance(value, tuple):
        return "a tuple"
    if isinstance(value, sympy.Rational) and not value.is_Integer:
        return _decimal(value) or _shorten(str(value), limit)
    if isinstance(value, sympy.Integer):
        digits = str(value)
        return digits if len(digits) <= limit else f"{digits[:12]}... ({len(digits.lstrip('-')):,} digits)"
    return _shorten(str(value), limit)


def _decimal(value: sympy.Rational) -> str | None:
    """5/2 as '2.5' (what the user typed), when the decimal ends (denominator 2^a 5^b)."""
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1 or max(twos, fives) > 30:
        return None
    digits = max(twos, fives)
    scaled = abs(int(value.p)) * 10**digits // int(value.q)
    whole, frac = divmod(scaled, 10**digits)
    return f"{'-' if value < 0 else ''}{whole}.{frac:0{digits}d}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."



def truth(value: Value, node: nodes.Expr) -> bool:
    """A condition's truth; a condition that depends on free symbols is an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        return bool(value)
    if isinstance(value, sympy.Basic) and is_number(value):
        return bool(value != 0)  # sympy's != is Python's (structural), already a bool
    if isinstance(value, (str, tuple)):
        raise SymcountError(f"a condition must be true or false, not {describe(value)}", node.pos)
    raise UndecidableError(
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


def _compare(op: str, left: Value, right: Value, node: nodes.BinOp) -> bool:
    if isinstance(left, (str, bool, tuple)) or isinstance(right, (str, bool, tuple)):
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        raise SymcountError(f"cannot order {describe(left)} and {describe(right)}", node.pos)
    result = _COMPARE[op](_difference(left, right), 0)
    if isinstance(result, (bool, sympy.logic.boolalg.BooleanAtom)):
        return bool(result)
    raise UndecidableError(
        f"condition depends on free symbols: {describe(left, 40)} {op} {describe(right, 40)}",
        node.pos,
        hint="give the symbols values with --set",
    )


def _difference(left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
    """``left - right``, made as plain as cheaply possible.

    Expansion (bounded by :data:`MAX_TERMS`) and cancelling decide the
    comparisons sizes need (``2*C/2 == C``, ``(a + b)^2 == a^2 + 2*a*b + b^2``);
    ``sympy.simplify`` could decide a few more but can take seconds on
    hostile input, and an undecided comparison is already a clear error.
    """
    difference = sympy.expand(left - right)
    if difference.free_symbols and difference.is_rational_function():
        difference = budget.cancel(difference)
    return difference


def _binary(node: nodes.BinOp, env: Env) -> Value:
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
        return _check_size(a - b, node.pos)
    if op == "*":
        return _check_size(a * b, node.pos)
    if op in ("/", "//", "%") and b == 0:
        raise SymcountError("division by zero", node.right.pos)
    if op == "/":
        return _check_size(a / b, node.pos)
    if op == "//":
        return _check_size(sympy.floor(a / b), node.pos)
    if op == "%":
        return _check_size(sympy.Mod(a, b), node.pos)
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


def layer_call_error(layer: nodes.Layer) -> SymcountError:
    """A layer call where a value belongs (``Dense(LSTM(3))``, ``let x = Dense(3)``)."""
    return SymcountError(f"{layer.kind}(...) is a layer, not a value: only a wrapper (Bidirectional, "
                         "TimeDistributed) takes a layer as an argument", layer.pos,
                         hint="a model lists its layers one after the other, each on its own")


def _call(node: nodes.Call, env: Env) -> Value:
    func = env.functions.get(node.func) or BUILTINS.get(node.func)
    if func is None:
        layer = nodes.as_layer(node) if env.is_layer(node.func) else None
        if layer is not None:
            raise layer_call_error(layer)

        known = sorted({*BUILTINS, *env.functions})
        raise SymcountError(
            f"unknown function '{node.func}' (known: {', '.join(known)})",
            node.pos,
            hint=did_you_mean(node.func, known),
        )
    # Only numbers and symbols reach sympy: a string argument would be handed to
    # sympify (which evaluates it as Python), so it is refused here.
    args = [_numeric(evaluate(a, env), a, f"{node.func}()") for a in node.args]
    if not args:
        raise SymcountError(f"{node.func}() needs an argument", node.pos)
    try:
        result = func(*args)
    except SymcountError:
        raise
    except (TypeError, ValueError, AttributeError) as err:
        raise SymcountError(f"{node.func}(): {_arity(func, len(args)) or err}", node.pos) from None
    return _check_size(result, node.pos)


def _arity(func: Callable[..., Value], given: int) -> str | None:
    """'takes 1 argument, got 2' when the count is what went wrong."""
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    n = len(list(parameters))
    return f"takes {n} argument{'s' if n != 1 else ''}, got {given}" if n != given else None


def is_none(node: nodes.Expr) -> bool:
    """Python's ``None`` as pasted framework code writes it (a layer option left at its default)."""
    return isinstance(node, nodes.Name) and node.id == "None"


def evaluate(node: nodes.Expr, env: Env) -> Value:
    """The value of an expression in ``env``; unbound names become symbols."""
    if isinstance(node, nodes.Num):
        return node.value
    if isinstance(node, nodes.Name):
        if node.id == "None":  # never a symbol: a count of 4*None + 4 would be nonsense
            raise SymcountError("None is not a value here", node.pos,
                                hint="None may stand for a layer option left at its default, or an open size in "
                                     "a Keras shape; elsewhere give a number or a name")
        return env.lookup(node.id)
    if isinstance(node, nodes.Str):
        return node.value
    if isinstance(node, nodes.Bool):
        return node.value
    if isinstance(node, nodes.BinOp):
        return _binary(node, env)
    if isinstance(node, nodes.UnaryOp):
        value = evaluate(node.operand, env)
        if node.op == "not":
            return not truth(value, node.operand)
        number = _numeric(value, node.operand, f"'{node.op}'")
        return -number if node.op == "-" else number
    if isinstance(node, nodes.Call):
        return _call(node, env)
    if isinstance(node, nodes.TupleExpr):
        return tuple(evaluate(item, env) for item in node.items)
    if isinstance(node, nodes.LayerCall):
        raise layer_call_error(node.layer)
    raise TypeError(f"not an expression: {node!r}")  # pragma: no cover
