"""Argument binding: a call's written arguments (positional, named, aliased, Keras input shapes) to an entry's values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import sympy

from symcount.catalog.core import (
    ANY,
    BIAS,
    COUNT,
    FLAG,
    KERNEL,
    NUMBER,
    ONE,
    PADDING,
    SHAPE,
    SIZE,
    SIZES,
    STRING,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
)
from symcount.catalog.shapes import Shape
from symcount.catalog.spellings import layer_framework, positional_order
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.symbols import is_number, sym
from symcount.language.values import Env, Value, describe, evaluate, is_none


def bind_params(params: tuple[nodes.Param, ...], node: nodes.Layer, env: Env, def_env: Env) -> dict[str, Value]:
    """A block call's parameters: the arguments given, then defaults, then the caller's names."""
    names = [p.name for p in params]
    given: dict[str, Value] = {}
    positional = 0
    for arg in node.args:
        if arg.name is None:
            if positional >= len(params):
                raise SymcountError(f"{node.kind} takes {len(params)} argument{'s' if len(params) != 1 else ''}",
                                    arg.pos)
            key = params[positional].name
            positional += 1
        else:
            key = arg.name
            if key not in names:
                raise SymcountError(
                    f"{node.kind} has no parameter '{key}' (valid: {', '.join(names) or 'none'})",
                    arg.pos, hint=did_you_mean(key, names))
        if key in given:
            raise SymcountError(f"parameter {key} given twice", arg.pos)
        given[key] = evaluate(arg.value, env)
        env.bound.setdefault(key, arg.pos)
    # defaults see the parameters before them (``block b(C, D=2*C)``): bind as we go
    param_env = def_env.child()
    bindings: dict[str, Value] = param_env.scopes[0]
    for p in params:
        if p.name in given:
            bindings[p.name] = given[p.name]
        elif p.default is not None:
            bindings[p.name] = evaluate(p.default, param_env)
            env.bound.setdefault(p.name, p.pos)
        else:
            bindings[p.name] = env.lookup(p.name)
    return bindings


def too_many_positional(kind: str, order: Sequence[str], arg: nodes.Arg) -> SymcountError:
    if not order:
        return SymcountError(f"{kind} takes no positional arguments", arg.pos)
    return SymcountError(f"{kind} takes at most {len(order)} positional arguments", arg.pos,
                         hint=f"in order: {', '.join(order)}")


def named_args(node: nodes.Layer, order: Sequence[str]) -> Iterator[tuple[str | None, nodes.Arg]]:
    """Each argument of a call with the name it gives: its own, or by position the ``order``'s
    (None for a positional argument past the order's end)."""
    positional = 0
    for arg in node.args:
        name = arg.name
        if name is None:
            name = order[positional] if positional < len(order) else None
            positional += 1
        yield name, arg


def call_order(entry: LayerType, node: nodes.Layer) -> tuple[str, ...]:
    """The names a call's positional arguments take, in its framework's order (the module prefix decides)."""
    return positional_order(entry, node.kind, [a.value for a in node.args if a.name is None],
                            layer_framework(node.module))


def _arg_pos(node: nodes.Layer, entry: LayerType, name: str) -> nodes.Pos:
    """Where the call gives argument ``name`` (named or by position); the call itself if it does not."""
    for written, arg in named_args(node, call_order(entry, node)):
        spec = entry.find_arg(written) if written is not None else None
        if spec is not None and spec.name == name:
            return arg.pos
    return node.pos


def formula_bindings(entry: LayerType, args: Args, convention: str) -> dict[str, Value]:
    """The values of the names a formula uses: each argument's symbol, b, kernels."""
    out: dict[str, Value] = {}
    for spec in entry.args:
        value = args.get(spec.name)
        if value is not None:
            out[spec.formula_name] = value
    if entry.bindings is not None:
        out.update(entry.bindings(args, convention))
    return out


# ---------------------------------------------------------------------------
# input shapes


def input_shape(dims: Mapping[str, sympy.Expr], pos: nodes.Pos) -> Shape:
    """The shape ``input(...)`` with these named sizes (D, H, W, L, C) starts a network with."""
    if "L" in dims and any(d in dims for d in ("H", "W", "D")):
        raise SymcountError("input takes either L (a sequence) or H, W (D), not both", pos)
    if "L" in dims:
        return Shape((dims["L"],), dims.get("C"), True, declared=True)
    spatial = tuple(dims[d] for d in ("D", "H", "W") if d in dims)
    if "C" not in dims and spatial:
        raise SymcountError("an image input needs its channels C", pos)
    if not dims:
        raise SymcountError("input needs sizes, e.g. input(H=32, W=32, C=3)", pos)
    return Shape(spatial, dims.get("C"), False, declared=True)


#: Keras shapes are channels-last: what each rank means, as input(...)'s named sizes.
KERAS_AXES = {1: ("C",), 2: ("L", "C"), 3: ("H", "W", "C"), 4: ("D", "H", "W", "C")}
#: Layer arguments that declare the model's input (Keras 2 style), unless the layer has an argument of
#: that name (Embedding's input_dim is its vocabulary).
_KERAS_LAYER_INPUT = ("input_shape", "batch_input_shape", "input_dim", "input_length")
#: keras.Input / InputLayer: the shape arguments, the positional order, and what changes no count.
_KERAS_SHAPE_ARGS = ("shape", "input_shape", "batch_shape", "batch_input_shape")
_KERAS_INPUT_ORDER = ("shape", "batch_size", "dtype")
_KERAS_INPUT_IGNORED = ("batch_size", "dtype", "name", "sparse", "ragged", "optional", "tensor", "input_tensor")


def _keras_tuple(shape: Shape) -> str:
    """A shape as Keras writes input_shape: channels-last, ``(784,)`` for one size."""
    dims = shape.layout("keras")
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def keras_dims(arg: nodes.Arg, env: Env) -> dict[str, sympy.Expr]:
    """A Keras shape tuple (channels-last, ``None`` for a size left open) as input(...)'s named sizes.

    ``batch_shape``/``batch_input_shape`` start with the batch size, which is dropped.
    """
    what = arg.name or "shape"
    if not isinstance(arg.value, nodes.TupleExpr):
        raise SymcountError(f"{what} takes a tuple of sizes, e.g. (28, 28, 1) or (784,)", arg.value.pos)
    items = arg.value.items[1:] if what.startswith("batch") else arg.value.items
    axes = KERAS_AXES.get(len(items))
    if axes is None:
        raise SymcountError(f"{what} has {len(items)} sizes; symcount reads (C,), (L, C), (H, W, C) or (D, H, W, C)",
                            arg.value.pos)
    dims: dict[str, sympy.Expr] = {}
    for axis, item in zip(axes, items, strict=True):
        if is_none(item):
            dims[axis] = sym(axis)  # a size left open: the count is a formula in it, if it depends on it
        else:
            dims[axis] = check_size(evaluate(item, env), nodes.Arg(None, item, item.pos), f"{what} {axis}")
    return dims


# ---------------------------------------------------------------------------
# argument normalisation


#: Keywords that only make sense after or inside another statement (they parse as a layer name elsewhere).
_PLACED_KEYWORDS = {
    "branch": "branch { ... } goes inside parallel(merge=...) { ... }",
    "shortcut": "shortcut { ... } follows residual { ... }",
    "else": "else { ... } follows if COND { ... }",
    "network": "a network is defined at the top level, not inside another",
    "block": "a block is defined at the top level, not inside another",
    "Sequential": "Sequential(...) stands on its own at the top level: it is the whole model",
}


#: While a network is walked: each symbolic size whose sign sympy cannot tell (``C - 4``), as a size that
#: must be >= 1 where the network can be built (a width of 0 or less is refused, so C <= 4 has no count).
SIZES_TO_FIT: ContextVar[dict[sympy.Expr, None] | None] = ContextVar("symcount_sizes_to_fit", default=None)


def check_size(value: Value, where: nodes.Arg | nodes.Layer | None, what: str, *, allow_zero: bool = False
               ) -> sympy.Expr:
    if isinstance(value, sympy.Integer) and (value.p > 0 or (allow_zero and value.p == 0)):
        return value  # the common case, checked without sympy's comparison machinery
    pos = where.value.pos if isinstance(where, nodes.Arg) else (where.pos if where is not None else nodes.NOWHERE)
    if isinstance(value, bool) or not isinstance(value, sympy.Basic):
        raise SymcountError(f"{what} must be a size, not {describe(value)}", pos)
    if is_number(value):
        if not value.is_integer:
            raise SymcountError(f"{what} must be a whole number, not {describe(value)}", pos)
        if value < 0 or (value == 0 and not allow_zero):
            bound = "0 or more" if allow_zero else "positive"
            raise SymcountError(f"{what} must be {bound}, not {describe(value)}", pos)
    elif (value.is_nonnegative if allow_zero else value.is_positive) is False:
        # every symbol is a positive size, so sympy can tell -C or 1 - C - D is never one
        bound = "0 or more" if allow_zero else "positive"
        raise SymcountError(f"{what} must be {bound}, not {describe(value)}", pos,
                            hint="every symbol stands for a positive size")
    elif not (value.is_nonnegative if allow_zero else value.is_positive):
        found = SIZES_TO_FIT.get()
        if found is not None:
            found[value + 1 if allow_zero else value] = None
    return value


def _as_tuple(value: Value, dims: int, spec: ArgSpec, entry: LayerType, where: nodes.Arg | None,
              allow_zero: bool) -> tuple[sympy.Expr, ...]:
    pos = where.value.pos if where is not None else nodes.NOWHERE
    items = value if isinstance(value, tuple) else (value,) * max(dims, 1)
    if dims and len(items) != dims:
        raise SymcountError(f"{entry.name} needs {dims} values for {spec.name}, got {len(items)}", pos)
    return tuple(check_size(v, where, f"{spec.name}", allow_zero=allow_zero) for v in items)


def normalise(spec: ArgSpec, value: Value, entry: LayerType, where: nodes.Arg | None,
              shape: Shape | None) -> Any:
    pos = where.value.pos if where is not None else nodes.NOWHERE
    kind = spec.kind
    dims = entry.dims or (shape.rank if shape is not None else 0)
    if kind == SIZE:
        return check_size(value, where, spec.name)
    if kind == SIZES:
        if isinstance(value, tuple):
            sizes = tuple(check_size(v, where, spec.name) for v in value)
            if not sizes:
                raise SymcountError(f"{spec.name} needs at least one size", pos)
            return sizes[0] if len(sizes) == 1 else sizes
        return check_size(value, where, spec.name)
    if kind == COUNT:
        return check_size(value, where, spec.name, allow_zero=True)
    if kind == BIAS:
        if isinstance(value, bool):
            return ONE if value else ZERO
        if isinstance(value, sympy.Basic):
            if is_number(value) and value not in (0, 1):
                raise SymcountError(f"bias must be true, false or a symbol, not {describe(value)}", pos)
            return value
        raise SymcountError(f"bias must be true, false or a symbol, not {describe(value)}", pos)
    if kind == FLAG:
        if isinstance(value, bool):
            return value
        if isinstance(value, sympy.Basic) and is_number(value) and value in (0, 1):
            return bool(value)
        raise SymcountError(f"{spec.name} must be true or false, not {describe(value)}", pos)
    if kind == KERNEL:
        return _as_tuple(value, dims, spec, entry, where, allow_zero=spec.name in ("output_padding", "p"))
    if kind == SHAPE:
        return _as_tuple(value, dims, spec, entry, where, allow_zero=False)
    if kind == PADDING:
        if isinstance(value, str):
            word = value.lower()
            if word not in ("same", "valid", "causal"):
                raise SymcountError(f'padding must be a number, a tuple, "same", "valid" or "causal", not "{value}"',
                                    pos)
            return word
        return _as_tuple(value, dims, spec, entry, where, allow_zero=True)
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, sympy.Basic):
            raise SymcountError(f"{spec.name} must be a number, not {describe(value)}", pos)
        return value
    if kind == STRING:
        if not isinstance(value, str):
            raise SymcountError(f"{spec.name} must be a string, not {describe(value)}", pos)
        return value
    if kind == ANY:
        return value
    raise TypeError(kind)  # pragma: no cover
