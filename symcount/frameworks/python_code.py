"""Model code in Python, read with :mod:`ast` and never run: the part every framework shares.

People have a ``class Net(nn.Module)`` or a Keras model in a notebook, not a symcount
description. This module interprets the small part of Python that builds a model: constants,
arithmetic, tuples, lists and dicts, ``for`` loops and comprehensions over ranges and lists,
``if``, functions and classes defined in the same file, called with their arguments and defaults.
Nothing is executed by Python and nothing is imported: calls into ``torch`` or ``keras`` are
handed to the framework readers (:mod:`symcount.frameworks.torch_code`,
:mod:`symcount.frameworks.keras_code`), and anything else the code computes only at run time
becomes an :class:`Opaque` value, which is an error (at its place, with a caret) only where a
count needs it. A construct outside this subset is an error naming it and what is read.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from symcount.errors import SymcountError
from symcount.frameworks import python_calls
from symcount.frameworks.python_values import (
    _BUILTINS,
    MAX_BITS,
    MAX_ITEMS,
    MAX_STEPS,
    Bound,
    BuiltinMethod,
    Instance,
    ModuleRef,
    Opaque,
    PyClass,
    PyFunction,
    Scope,
    Super,
    _as_load,
    _bound_names,
    _Break,
    _builds_nothing,
    _Continue,
    _is_main_guard,
    _is_property,
    _Return,
    describe_value,
    is_plain,
    pos_of,
)
from symcount.language.nodes import NOWHERE, Pos

#: What the reader reads, said in errors about anything else.
SUPPORTED = ("assignments, arithmetic, tuples, lists and dicts, for loops and comprehensions over "
             "range(...) or a list, if/else, functions and classes defined in the file")


# ---- the interpreter ---------------------------------------------------------------------------


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_STD_MODULES = ("math", "collections", "typing", "functools", "numpy", "np", "os", "sys", "argparse",
                "dataclasses", "__future__", "random", "time", "copy")


class Interpreter:
    """Runs the model-building part of a file on the reader's own values; never calls Python's."""

    # calling the file's functions and classes, builtins and library calls: methods of their own module
    define_class = python_calls.define_class
    call_function = python_calls.call_function
    bind_arguments = python_calls.bind_arguments
    instantiate = python_calls.instantiate
    init_dataclass = python_calls.init_dataclass
    new_instance = python_calls.new_instance
    owner_of = python_calls.owner_of
    call = python_calls.call
    call_value = python_calls.call_value
    call_builtin = python_calls.call_builtin
    call_library = python_calls.call_library

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.lines = text.split("\n")
        self.steps = 0
        self.depth = 0
        self.module = Scope()
        self.classes: list[PyClass] = []
        #: (error, names the statement would have bound): module-level statements that failed
        self.skipped: list[SymcountError] = []
        try:
            self.tree = ast.parse(text, filename=filename)
        except SyntaxError as err:
            line = err.lineno or 0
            col = err.offset or 0
            raise SymcountError(f"not valid Python: {err.msg}", Pos(line, col, line, col + 1) if line
                                else _null_byte(text),
                                hint="the file must be Python that parses (it is read, never run)") from None
        except (ValueError, MemoryError, RecursionError) as err:
            raise SymcountError(f"not valid Python: {err}", _null_byte(text),
                                hint="the file must be Python that parses (it is read, never run)") from None

    # -- errors --------------------------------------------------------------------------------

    def error(self, message: str, node: ast.AST | None, hint: str | None = None) -> SymcountError:
        return SymcountError(message, pos_of(node, self.lines) if node is not None else Pos(), hint=hint)

    def unsupported(self, what: str, node: ast.AST) -> SymcountError:
        return self.error(f"{what} is not read: the code is read, never run", node,
                          hint=f"symcount reads {SUPPORTED}")

    def concrete(self, value: Any, node: ast.AST, what: str = "this value") -> Any:
        """``value`` when it is known without running the code; an error at ``node`` otherwise."""
        if isinstance(value, Opaque):
            if value.error is not None:
                raise value.error
            raise self.error(f"{what} is computed at run time ({value.reason}): a count needs it written in the code",
                             value.node or node,
                             hint="write the number, or a constant or argument with a default")
        return value

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.error(f"the code takes more than {MAX_STEPS:,} steps to build the model", node,
                             hint="a model file builds its layers in a few thousand steps")

    # -- the module --------------------------------------------------------------------------------

    def run_module(self) -> None:
        """Every top-level statement, in order; one that cannot be read leaves its names unknown."""
        for statement in self.tree.body:
            if _is_main_guard(statement):
                continue
            try:
                self.exec_statement(statement, self.module)
            except SymcountError as err:
                if self.statement_builds_model(statement):
                    raise
                self.skipped.append(err)
                for name in _bound_names(statement):
                    self.module.names[name] = Opaque("its statement could not be read", statement, err)
            except (_Return, _Break, _Continue):
                raise self.unsupported("return, break or continue outside a function", statement) from None

    def statement_builds_model(self, statement: ast.stmt) -> bool:
        """Whether a failing top-level statement is part of a model (its error must be raised)."""
        return False

    # -- statements ----------------------------------------------------------------------------

    def exec_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for statement in body:
            self.exec_statement(statement, scope)

    def exec_statement(self, node: ast.stmt, scope: Scope) -> None:  # noqa: C901, PLR0912
        self.tick(node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.exec_import(node, scope)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, scope)
            for target in node.targets:
                self.assign(target, value, scope, node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, scope), scope, node)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(_as_load(node.target), scope)
            value = self.binary(node.op, current, self.eval(node.value, scope), node)
            self.assign(node.target, value, scope, node)
        elif isinstance(node, ast.Expr):
            self.eval(node.value, scope)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.names[node.name] = PyFunction(node, scope, node.name)
        elif isinstance(node, ast.ClassDef):
            scope.names[node.name] = self.define_class(node, scope)
        elif isinstance(node, ast.If):
            test = self.concrete(self.eval(node.test, scope), node.test, "the condition")
            self.exec_body(node.body if test else node.orelse, scope)
        elif isinstance(node, ast.For):
            self.exec_for(node, scope)
        elif isinstance(node, ast.Return):
            raise _Return(self.eval(node.value, scope) if node.value is not None else None)
        elif isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal, ast.Assert, ast.Delete)):
            pass
        elif isinstance(node, ast.Break):
            raise _Break()
        elif isinstance(node, ast.Continue):
            raise _Continue()
        elif isinstance(node, ast.Raise):
            raise self.error("the code raises an exception here when the model is built", node,
                             hint="check the arguments the model is built with")
        elif isinstance(node, ast.Try):
            self.exec_body(node.body, scope)
            self.exec_body(node.orelse, scope)
            self.exec_body(node.finalbody, scope)
        elif isinstance(node, ast.With):
            self.exec_body(node.body, scope)
        elif isinstance(node, ast.While):
            raise self.unsupported("a while loop", node)
        else:
            raise self.unsupported(f"a {type(node).__name__} statement", node)

    def exec_import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        """Imports bind names to module paths; nothing is imported."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.names[alias.asname] = ModuleRef(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    scope.names[top] = ModuleRef(top)
            return
        base = ("." * node.level) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            scope.names[alias.asname or alias.name] = ModuleRef(f"{base}.{alias.name}" if base else alias.name)

    def exec_for(self, node: ast.For, scope: Scope) -> None:
        over = self.eval(node.iter, scope)
        if isinstance(over, Opaque) and over.walk and _builds_nothing(node):
            return
        items = self.iterate(over, node.iter)
        finished = True
        for item in items:
            self.assign(node.target, item, scope, node)
            try:
                self.exec_body(node.body, scope)
            except _Break:
                finished = False
                break
            except _Continue:
                continue
        if finished:
            self.exec_body(node.orelse, scope)

    def iterate(self, value: Any, node: ast.AST) -> list[Any]:
        """The items a loop or a comprehension runs over: a range, a list, a tuple, a dict's keys."""
        value = self.concrete(value, node, "what the loop runs over")
        if isinstance(value, range):
            if len(value) > MAX_ITEMS:
                raise self.error(f"a loop of {len(value):,} steps", node, hint="a model file loops a few hundred times")
            return list(value)
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        items = self.iterate_special(value, node)
        if items is not None:
            return items
        raise self.error(f"cannot loop over {describe_value(value)} without running the code", node,
                         hint="loop over range(...) or a list written in the code")

    def iterate_special(self, value: Any, node: ast.AST) -> list[Any] | None:
        """The items of a framework container (ModuleList); None when ``value`` is not one."""
        return None

    def assign(self, target: ast.expr, value: Any, scope: Scope, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Opaque):
                for element in target.elts:
                    self.assign(element, value, scope, node)
                return
            items = self.iterate(value, node)
            if len(items) != len(target.elts) or any(isinstance(e, ast.Starred) for e in target.elts):
                raise self.error(f"cannot unpack {len(items)} values into {len(target.elts)} names", target)
            for element, item in zip(target.elts, items, strict=True):
                self.assign(element, item, scope, node)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, scope)
            self.set_attribute(obj, target.attr, value, target)
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            self.set_item(obj, key, value, target)
        elif isinstance(target, ast.Starred):
            raise self.unsupported("a starred assignment", target)
        else:
            raise self.unsupported(f"assigning to a {type(target).__name__}", target)

    def set_attribute(self, obj: Any, name: str, value: Any, node: ast.AST) -> None:
        if isinstance(obj, Instance):
            obj.attrs[name] = value
        elif isinstance(obj, Opaque):
            return
        else:
            raise self.error(f"cannot set .{name} on {describe_value(obj)}", node)

    def set_item(self, obj: Any, key: Any, value: Any, node: ast.AST) -> None:
        if isinstance(obj, dict):
            obj[self.concrete(key, node)] = value
        elif isinstance(obj, list):
            index = self.concrete(key, node)
            try:
                obj[index] = value
            except (IndexError, TypeError) as err:
                raise self.error(f"cannot set item {index!r}: {err}", node) from None
        elif isinstance(obj, Opaque):
            return
        else:
            raise self.error(f"cannot set an item of {describe_value(obj)}", node)

    # -- classes and calls ---------------------------------------------------------------------

    # -- expressions ---------------------------------------------------------------------------

    def eval(self, node: ast.expr, scope: Scope) -> Any:  # noqa: C901, PLR0911, PLR0912
        self.tick(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int) and not isinstance(node.value, bool) and node.value.bit_length() > MAX_BITS:
                raise self.error("number too large", node)
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                return Opaque("not a number or a string", node)
            return node.value
        if isinstance(node, ast.Name):
            found, value = scope.lookup(node.id)
            if found:
                return value
            return self.global_name(node.id, node)
        if isinstance(node, ast.Attribute):
            return self.get_attribute(self.eval(node.value, scope), node.attr, node)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, scope)
            if isinstance(operand, Opaque):
                return Opaque(operand.reason, node, operand.error)
            return self.unary(node, operand)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node, scope)
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.IfExp):
            test = self.concrete(self.eval(node.test, scope), node.test, "the condition")
            return self.eval(node.body if test else node.orelse, scope)
        if isinstance(node, ast.Tuple):
            return tuple(self.elements(node.elts, scope))
        if isinstance(node, ast.List):
            return self.elements(node.elts, scope)
        if isinstance(node, ast.Set):
            return self.elements(node.elts, scope)
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    extra = self.concrete(self.eval(value, scope), value)
                    if not isinstance(extra, dict):
                        raise self.error("** takes a dict", value)
                    out.update(extra)
                else:
                    out[self.hashable(self.eval(key, scope), key)] = self.eval(value, scope)
            return out
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value, scope), node, scope)
        if isinstance(node, ast.Call):
            return self.eval_call(node, scope)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            over = self.eval(node.generators[0].iter, scope)
            if isinstance(over, Opaque) and over.walk:  # sum(p.numel() for p in self.parameters())
                return Opaque(over.reason, node)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            results: list[Any] = []
            self.comprehension(node.generators, 0, scope, lambda s: results.append(self.eval(node.elt, s)))
            return results
        if isinstance(node, ast.DictComp):
            found_items: dict[Any, Any] = {}

            def add(s: Scope) -> None:
                found_items[self.hashable(self.eval(node.key, s), node.key)] = self.eval(node.value, s)
            self.comprehension(node.generators, 0, scope, add)
            return found_items
        if isinstance(node, ast.Lambda):
            return PyFunction(node, scope, "<lambda>")
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, scope)
        if isinstance(node, ast.Slice):
            parts = [self.eval(p, scope) if p is not None else None for p in (node.lower, node.upper, node.step)]
            if any(isinstance(p, Opaque) for p in parts):
                return Opaque("a slice computed at run time", node)
            return slice(*parts)
        if isinstance(node, ast.Starred):
            raise self.unsupported("a starred expression here", node)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, scope)
            self.assign(node.target, value, scope, node)
            return value
        raise self.unsupported(f"a {type(node).__name__} expression", node)

    def hashable(self, value: Any, node: ast.AST) -> Any:
        value = self.concrete(value, node, "a dict key")
        if isinstance(value, list):
            return tuple(value)
        try:
            hash(value)
        except TypeError:
            raise self.error(f"{describe_value(value)} cannot be a dict key", node) from None
        return value

    def fstring(self, node: ast.JoinedStr, scope: Scope) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                item = self.eval(value.value, scope)
                if not is_plain(item):
                    return Opaque("a string built from a value known only at run time", node)
                parts.append(str(item))
        return "".join(parts)

    def elements(self, elts: list[ast.expr], scope: Scope) -> list[Any]:
        out: list[Any] = []
        for element in elts:
            if isinstance(element, ast.Starred):
                out.extend(self.iterate(self.eval(element.value, scope), element.value))
            else:
                out.append(self.eval(element, scope))
            if len(out) > MAX_ITEMS:
                raise self.error("a list too long to be a model's", element)
        return out

    def comprehension(self, generators: list[ast.comprehension], index: int, scope: Scope,
                      emit: Callable[[Scope], None]) -> None:
        if index == len(generators):
            emit(scope)
            return
        generator = generators[index]
        inner = Scope(scope) if index == 0 else scope
        for item in self.iterate(self.eval(generator.iter, scope), generator.iter):
            self.tick(generator.iter)
            self.assign(generator.target, item, inner, generator.target)
            if all(self.concrete(self.eval(cond, inner), cond, "the condition") for cond in generator.ifs):
                self.comprehension(generators, index + 1, inner, emit)

    def eval_call(self, node: ast.Call, scope: Scope) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id == "super":
            return self.super_of(scope, node)
        if isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr", "setattr"):
            return self.attribute_builtin(node, scope)
        func = self.eval(node.func, scope)
        args = self.elements(node.args, scope)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.eval(keyword.value, scope)
            if keyword.arg is None:
                value = self.concrete(value, keyword.value, "the ** arguments")
                if not isinstance(value, dict):
                    raise self.error("** takes a dict", keyword.value)
                kwargs.update({str(k): v for k, v in value.items()})
            else:
                kwargs[keyword.arg] = value
        return self.call(func, args, kwargs, node)

    def attribute_builtin(self, node: ast.Call, scope: Scope) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        args = self.elements(node.args, scope)
        if len(args) < 2:
            raise self.error(f"{name}() takes an object and a name", node)
        attr = self.concrete(args[1], node.args[1], "the attribute's name")
        if not isinstance(attr, str):
            raise self.error(f"{name}() takes the attribute's name as a string", node.args[1])
        if name == "setattr":
            if len(args) != 3:
                raise self.error("setattr() takes an object, a name and a value", node)
            self.set_attribute(args[0], attr, args[2], node)
            return None
        if name == "hasattr":
            try:
                self.get_attribute(args[0], attr, node)
            except SymcountError:
                return False
            return True
        try:
            return self.get_attribute(args[0], attr, node)
        except SymcountError:
            if len(args) == 3:
                return args[2]
            raise

    def super_of(self, scope: Scope, node: ast.AST) -> Any:
        found, cls = scope.lookup("__class__")
        found_self, obj = scope.lookup("self")
        if not found or not isinstance(cls, PyClass):
            raise self.error("super() is read only inside a method of a class", node)
        if not found_self:
            obj = None
        return Super(cls, obj)

    def global_name(self, name: str, node: ast.AST) -> Any:
        """A name no scope binds: Python's builtins, or a framework alias used without its import."""
        if name in _BUILTINS:
            return _BUILTINS[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        implicit = self.implicit_module(name)
        if implicit is not None:
            return ModuleRef(implicit)
        if name in _STD_MODULES:
            return ModuleRef(name)
        raise self.error(f"name '{name}' is not defined in the file", node,
                         hint="define it (a constant, a function or a class) or import it")

    def implicit_module(self, name: str) -> str | None:
        """The module a conventional alias stands for when the file forgot to import it (``nn``)."""
        return None

    def get_attribute(self, obj: Any, name: str, node: ast.AST) -> Any:  # noqa: PLR0911
        if isinstance(obj, ModuleRef):
            return ModuleRef(f"{obj.path}.{name}")
        if isinstance(obj, Opaque):
            if obj.error is not None:
                raise obj.error
            return Opaque(obj.reason, node)
        if isinstance(obj, Instance):
            if name in obj.attrs:
                return obj.attrs[name]
            if name in obj.buffers:
                return obj.buffers[name]
            member = obj.cls.find(name)
            if isinstance(member, PyFunction):
                if _is_property(member):
                    return self.call_function(member, [], {}, node, bound=obj)
                return Bound(member, obj)
            if member is not None:
                return member
            return self.instance_attribute(obj, name, node)
        if isinstance(obj, Super):
            for base in obj.cls.bases:
                if isinstance(base, PyClass):
                    member = base.find(name)
                    if isinstance(member, PyFunction):
                        return Bound(member, obj.obj)
                elif isinstance(base, ModuleRef):
                    return BuiltinMethod(name, lambda a, k, n: None)
            return BuiltinMethod(name, lambda a, k, n: None)
        if isinstance(obj, PyClass):
            member = obj.find(name)
            if member is None:
                raise self.error(f"class {obj.name} has no attribute {name}", node)
            return member
        if isinstance(obj, list) and name in ("append", "extend", "insert"):
            return _list_method(self, obj, name)
        if isinstance(obj, dict) and name in ("items", "keys", "values", "get", "update"):
            return _dict_method(self, obj, name)
        if isinstance(obj, str) and name in ("format", "upper", "lower", "join", "split", "replace", "startswith"):
            method = getattr(obj, name)
            return BuiltinMethod(name, lambda a, k, n: self.call_builtin(method, a, k, n))
        return self.value_attribute(obj, name, node)

    def instance_attribute(self, obj: Instance, name: str, node: ast.AST) -> Any:
        raise self.error(f"{obj.cls.name} has no attribute {name} when it is built", node,
                         hint="attributes are read from __init__, in the order they are assigned")

    def value_attribute(self, obj: Any, name: str, node: ast.AST) -> Any:
        """An attribute of a framework object (``layer.weight``); the frameworks override it."""
        raise self.error(f"{describe_value(obj)} has no attribute {name} that symcount reads", node)

    def subscript(self, obj: Any, node: ast.Subscript, scope: Scope) -> Any:
        key = self.eval(node.slice, scope)
        if isinstance(obj, Opaque) or isinstance(key, Opaque):
            if isinstance(obj, Opaque) and obj.error is not None:
                raise obj.error
            return Opaque("an item of a value known only at run time", node)
        if isinstance(obj, (list, tuple, str, dict, range)):
            try:
                return obj[key]
            except (IndexError, KeyError, TypeError) as err:
                raise self.error(f"no item {key!r} here ({type(err).__name__})", node) from None
        return self.subscript_special(obj, key, node)

    def subscript_special(self, obj: Any, key: Any, node: ast.AST) -> Any:
        raise self.error(f"cannot index {describe_value(obj)}", node)

    def binary(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, Opaque) or isinstance(right, Opaque):
            error = left.error if isinstance(left, Opaque) else right.error if isinstance(right, Opaque) else None
            return Opaque("it is computed from a value known only at run time", node, error)
        rule = _BINARY.get(type(op))
        if isinstance(left, str) and isinstance(right, tuple) and any(isinstance(v, Opaque) for v in right):
            return Opaque("a string formatted with a value known only at run time", node)
        if rule is None or not (is_plain(left) and is_plain(right)):
            return self.binary_special(op, left, right, node)
        if isinstance(op, ast.Pow) and isinstance(right, int) and isinstance(left, int) \
                and abs(left) > 1 and right * max(1, abs(left).bit_length()) > MAX_BITS:
            raise self.error("number too large", node)
        if isinstance(op, ast.Mult) and isinstance(left, (list, tuple, str)) and isinstance(right, int) \
                and len(left) * right > MAX_ITEMS:
            raise self.error("a list too long to be a model's", node)
        try:
            result = rule(left, right)
        except (TypeError, ZeroDivisionError, OverflowError, ValueError) as err:
            raise self.error(f"this arithmetic fails: {err}", node) from None
        if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_BITS:
            raise self.error("number too large", node)
        return result

    def binary_special(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        """Arithmetic on framework values (``x + y`` on tensors): the frameworks override it."""
        raise self.error(f"cannot compute {type(op).__name__} of {describe_value(left)} and {describe_value(right)}",
                         node)

    def unary(self, node: ast.UnaryOp, operand: Any) -> Any:
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, (int, float)):
            raise self.error(f"cannot negate {describe_value(operand)}", node)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        return ~int(operand)

    def bool_op(self, node: ast.BoolOp, scope: Scope) -> Any:
        value: Any = None
        for item in node.values:
            value = self.eval(item, scope)
            truth = bool(self.concrete(value, item, "the condition")) if is_plain(value) \
                else not isinstance(value, Opaque) or bool(self.concrete(value, item))
            if isinstance(node.op, ast.And) and not truth:
                return value
            if isinstance(node.op, ast.Or) and truth:
                return value
        return value

    def compare(self, node: ast.Compare, scope: Scope) -> Any:
        left = self.eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator, scope)
            if isinstance(left, Opaque) or isinstance(right, Opaque):
                return Opaque("a comparison with a value known only at run time", node)
            rule = _COMPARE[type(op)]
            try:
                result = rule(left, right)
            except TypeError as err:
                raise self.error(f"this comparison fails: {err}", node) from None
            if not result:
                return False
            left = right
        return True


def _list_method(interp: Interpreter, target: list[Any], name: str) -> BuiltinMethod:
    def call(args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        if name == "append" and len(args) == 1:
            target.append(args[0])
        elif name == "extend" and len(args) == 1:
            target.extend(interp.iterate(args[0], node))
        elif name == "insert" and len(args) == 2:
            target.insert(interp.concrete(args[0], node), args[1])
        else:
            raise interp.error(f"list.{name} with these arguments is not read", node)
        if len(target) > MAX_ITEMS:
            raise interp.error("a list too long to be a model's", node)
        return None
    return BuiltinMethod(name, call)


def _dict_method(interp: Interpreter, target: dict[Any, Any], name: str) -> BuiltinMethod:
    def call(args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        if name == "items":
            return list(target.items())
        if name == "keys":
            return list(target)
        if name == "values":
            return list(target.values())
        if name == "get":
            return target.get(interp.hashable(args[0], node), args[1] if len(args) > 1 else None)
        extra = interp.concrete(args[0], node) if args else {}
        if not isinstance(extra, dict):
            raise interp.error("dict.update takes a dict", node)
        target.update(extra)
        target.update(kwargs)
        return None
    return BuiltinMethod(name, call)


def _null_byte(text: str) -> Pos:
    """Where the first NUL is (the one ValueError ``ast.parse`` raises without a place), else nowhere."""
    at = text.find("\0")
    if at < 0:
        return NOWHERE
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Pos(line, column, line, column + 1)
