"""Calls in the model-code reader: the file's own functions and classes (arguments bound as Python binds
them, dataclasses, instances), builtins, and the library calls it knows.

The functions take the interpreter first and are bound to
:class:`~symcount.frameworks.python_code.Interpreter` as its methods.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from symcount.errors import SymcountError
from symcount.frameworks.python_values import (
    _BUILTINS,
    _MATH,
    MAX_CALL_DEPTH,
    MAX_ITEMS,
    Bound,
    BuiltinMethod,
    Instance,
    ModuleRef,
    Opaque,
    PyClass,
    PyFunction,
    Scope,
    Super,
    _bound_names,
    _Break,
    _class_values,
    _Continue,
    _dataclass_fields,
    _is_dataclass,
    _Return,
    describe_value,
)

if TYPE_CHECKING:
    from symcount.frameworks.python_code import Interpreter




def define_class(interp: Interpreter, node: ast.ClassDef, scope: Scope) -> PyClass:
    bases = [interp.eval(base, scope) for base in node.bases]
    cls = PyClass(node, node.name, bases, {})
    body = Scope(scope)
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body.names[statement.name] = PyFunction(statement, scope, statement.name)
            continue
        try:
            interp.exec_statement(statement, body)
        except SymcountError as err:
            for name in _bound_names(statement):
                body.names[name] = Opaque("its statement could not be read", statement, err)
    cls.body = body.names
    interp.classes.append(cls)
    return cls


def call_function(interp: Interpreter, function: PyFunction, args: list[Any], kwargs: dict[str, Any], node: ast.AST,
                  bound: Any = None, owner: PyClass | None = None) -> Any:
    """Run one of the file's functions with its arguments bound as Python binds them."""
    if interp.depth >= MAX_CALL_DEPTH:
        raise interp.error(f"calls nest more than {MAX_CALL_DEPTH} deep (recursion is not read)", node)
    scope = Scope(function.scope)
    if bound is not None:
        args = [bound, *args]
    interp.bind_arguments(function, args, kwargs, scope, node)
    if owner is not None:
        scope.names["__class__"] = owner
    interp.depth += 1
    try:
        if isinstance(function.node, ast.Lambda):
            return interp.eval(function.node.body, scope)
        try:
            interp.exec_body(function.node.body, scope)
        except _Return as ret:
            return ret.value
        except (_Break, _Continue):
            raise interp.unsupported("break or continue outside a loop", node) from None
        return None
    finally:
        interp.depth -= 1


def bind_arguments(interp: Interpreter, function: PyFunction, args: list[Any], kwargs: dict[str, Any], scope: Scope,
                   node: ast.AST) -> None:
    spec = function.node.args
    positional = [*spec.posonlyargs, *spec.args]
    defaults: dict[str, ast.expr] = {}
    for arg, default in zip(positional[len(positional) - len(spec.defaults):], spec.defaults, strict=True):
        defaults[arg.arg] = default
    for arg, kw_default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[arg.arg] = kw_default
    extra = args[len(positional):]
    if extra and spec.vararg is None:
        raise interp.error(f"{function.name}() takes {len(positional)} positional arguments, "
                         f"{len(args)} given", node)
    for arg, value in zip(positional, args, strict=False):
        scope.names[arg.arg] = value
    if spec.vararg is not None:
        scope.names[spec.vararg.arg] = tuple(extra)
    rest: dict[str, Any] = {}
    names = {a.arg for a in (*positional, *spec.kwonlyargs)}
    for key, value in kwargs.items():
        if key in names:
            if key in scope.names:
                raise interp.error(f"{function.name}() got two values for {key}", node)
            scope.names[key] = value
        elif spec.kwarg is not None:
            rest[key] = value
        else:
            raise interp.error(f"{function.name}() has no argument {key}", node,
                             hint=f"its arguments: {', '.join(sorted(names)) or 'none'}")
    if spec.kwarg is not None:
        scope.names[spec.kwarg.arg] = rest
    for arg in (*positional, *spec.kwonlyargs):
        if arg.arg in scope.names:
            continue
        if arg.arg in defaults:
            scope.names[arg.arg] = interp.eval(defaults[arg.arg], function.scope)
        else:
            scope.names[arg.arg] = Opaque(f"{function.name}() was called without its argument {arg.arg}",
                                          node)


def instantiate(interp: Interpreter, cls: PyClass, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """An object of a class of the file: ``__init__`` run on it with the arguments."""
    instance = interp.new_instance(cls, node)
    instance.args, instance.kwargs = tuple(args), dict(kwargs)
    init = cls.find("__init__")
    if isinstance(init, PyFunction):
        interp.call_function(init, args, kwargs, node, bound=instance, owner=interp.owner_of(cls, "__init__"))
    elif _is_dataclass(cls):
        interp.init_dataclass(instance, args, kwargs, node)
    elif (args or kwargs) and cls.framework_base() is None:
        raise interp.error(f"class {cls.name} has no __init__ to take these arguments", node,
                         hint="give it an __init__, or make it a @dataclass")
    return instance


def init_dataclass(interp: Interpreter, instance: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> None:
    """A ``@dataclass``'s generated ``__init__``: its annotated fields, bound in order, with their defaults."""
    fields = _dataclass_fields(instance.cls)
    if len(args) > len(fields):
        raise interp.error(f"{instance.cls.name} takes {len(fields)} fields, not {len(args)}", node)
    values = dict(zip(fields, args, strict=False))
    for key, value in kwargs.items():
        if key not in fields:
            raise interp.error(f"{instance.cls.name} has no field {key}", node,
                             hint=f"its fields: {', '.join(fields) or 'none'}")
        if key in values:
            raise interp.error(f"{instance.cls.name} got {key} twice", node)
        values[key] = value
    for key in fields:
        if key not in values:
            if key not in _class_values(instance.cls):
                raise interp.error(f"{instance.cls.name}() needs {key} (no default is written)", node)
            values[key] = _class_values(instance.cls)[key]
    instance.attrs.update({key: values[key] for key in fields})
    post_init = instance.cls.find("__post_init__")
    if isinstance(post_init, PyFunction):
        interp.call_function(post_init, [], {}, node, bound=instance,
                           owner=interp.owner_of(instance.cls, "__post_init__"))


def new_instance(interp: Interpreter, cls: PyClass, node: ast.AST) -> Instance:
    return Instance(cls, node)


def owner_of(interp: Interpreter, cls: PyClass, name: str) -> PyClass:
    """The class (``cls`` or one of its bases in the file) whose body defines ``name``."""
    if name in cls.body:
        return cls
    for base in cls.bases:
        if isinstance(base, PyClass) and base.find(name) is not None:
            return interp.owner_of(base, name)
    return cls


def call(interp: Interpreter, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:  # noqa: PLR0911
    if isinstance(func, PyFunction):
        return interp.call_function(func, args, kwargs, node)
    if isinstance(func, Bound):
        if isinstance(func.function, PyFunction):
            owner = None
            if isinstance(func.obj, Instance):
                owner = interp.owner_of(func.obj.cls, func.function.name)
            return interp.call_function(func.function, args, kwargs, node, bound=func.obj, owner=owner)
        return interp.call(func.function, args, kwargs, node)
    if isinstance(func, PyClass):
        return interp.instantiate(func, args, kwargs, node)
    if isinstance(func, BuiltinMethod):
        return func.call(args, kwargs, node)
    if isinstance(func, ModuleRef):
        return interp.call_library(func.path, args, kwargs, node)
    if isinstance(func, Opaque):
        if func.error is not None:
            raise func.error
        return Opaque(func.reason, node)
    if isinstance(func, Super):
        return func
    if callable(func) and func in _BUILTINS.values() or func in _MATH.values():
        return interp.call_builtin(func, args, kwargs, node)
    return interp.call_value(func, args, kwargs, node)


def call_value(interp: Interpreter, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    """Calling a framework object (a Keras layer on a tensor); the frameworks override it."""
    raise interp.error(f"cannot call {describe_value(func)}", node)


def call_builtin(interp: Interpreter, func: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    if any(isinstance(a, Opaque) for a in (*args, *kwargs.values())):
        return Opaque("it is computed from a value known only at run time", node)
    if func is range:
        for a in args:
            if not isinstance(a, int):
                raise interp.error(f"range() takes whole numbers, not {describe_value(a)}", node)
    try:
        result = func(*args, **kwargs)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, KeyError, IndexError) as err:
        raise interp.error(f"this call fails: {err}", node) from None
    if isinstance(result, (list, tuple, str)) and len(result) > MAX_ITEMS:
        raise interp.error("a value too long to be a model's", node)
    return result


def call_library(interp: Interpreter, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    """A call into a library (torch, keras, math...): the frameworks override it."""
    name = path.rsplit(".", 1)[-1]
    if path.startswith("math.") and name in _MATH:
        return interp.call_builtin(_MATH[name], args, kwargs, node)
    if path in ("collections.OrderedDict", "OrderedDict"):
        return interp.call_builtin(dict, args, kwargs, node)
    return Opaque(f"{path}(...) is a library call", node)
