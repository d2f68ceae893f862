"""Padding and upsampling layers: they change sizes, never weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from symcount.catalog.common import _no_formulas, _no_tensors, _zero_macs
from symcount.catalog.core import (
    ANY,
    CHANNELS_LAST,
    NUMBER,
    ONE,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
    ShapeRule,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape, given_out, pad_out, scale_out
from symcount.errors import SymcountError
from symcount.language.symbols import is_number


def _pad_pairs(p: Any, d: int) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """The (before, after) padding of each spatial dimension, from any framework's spelling.

    An int pads every side; ``d`` ints pad both sides of each dimension (Keras's ``(ph, pw)``);
    ``d`` pairs are Keras's ``((top, bottom), (left, right))``; ``2d`` ints are PyTorch's
    ``(left, right, top, bottom, front, back)``, last dimension first.
    """
    def size(v: Any) -> sympy.Expr:
        if isinstance(v, bool) or not isinstance(v, sympy.Expr) or (is_number(v) and not (v.is_integer and v >= 0)):
            shown = f'"{v}"' if isinstance(v, str) else str(v).lower()
            raise SymcountError(f"padding must be whole numbers of 0 or more, not {shown}")
        return v

    if not isinstance(p, tuple):
        return [(size(p), size(p))] * d
    if len(p) == d and all(isinstance(v, tuple) for v in p):
        if any(len(v) != 2 for v in p):
            raise SymcountError("each dimension's padding pair is (before, after)")
        return [(size(v[0]), size(v[1])) for v in p]
    if len(p) == d and not any(isinstance(v, tuple) for v in p):
        return [(size(v), size(v)) for v in p]
    if len(p) == 2 * d and not any(isinstance(v, tuple) for v in p):
        pairs = [(size(p[2 * i]), size(p[2 * i + 1])) for i in range(d)]
        return list(reversed(pairs))
    raise SymcountError(f"padding for {d} spatial dimension(s) takes an int, {d} ints, {d} (before, after) pairs "
                        f"or PyTorch's {2 * d} ints")


#: PyTorch's limit on each side's padding for the input size n (reflect: < n, circular: <= n), and its words
_PAD_LIMITS: dict[str, tuple[Callable[[sympy.Expr, sympy.Expr], bool], str]] = {
    "reflection": (lambda side, n: side < n, "less than"),
    "circular": (lambda side, n: side <= n, "at most"),
}


def _pad_shape_rule(kind: str) -> ShapeRule:
    def shape(a: Args, s: Shape, convention: str) -> Shape:
        pairs = _pad_pairs(a.p, s.rank)
        if kind in _PAD_LIMITS:
            fits, words = _PAD_LIMITS[kind]
            for n, pair in zip(s.spatial, pairs, strict=True):
                for side in pair:
                    if is_number(side) and is_number(n) and not fits(side, n):
                        raise SymcountError(f"{kind} padding of {side} must be {words} the input size {n} "
                                            f"(PyTorch refuses it)")
        return Shape(tuple(pad_out(n, b, e) for n, (b, e) in zip(s.spatial, pairs, strict=True)), s.channels)

    return shape


_PADS = {
    "zero": "Zero padding: adds zeros on each side (changes the shape only).",
    "constant": "PyTorch's constant padding: adds a fixed value on each side (changes the shape only).",
    "reflection": "PyTorch's reflection padding: mirrors the input at each edge, each side less than the "
                  "input size (changes the shape only).",
    "replication": "PyTorch's replication padding: repeats the edge values (changes the shape only).",
    "circular": "PyTorch's circular padding: wraps the input around, each side at most the input size "
                "(changes the shape only).",
}
_KERAS_PADS_ONLY_ZEROS = "Keras pads only with zeros (ZeroPadding2D)"
_PAD_ARG = ArgSpec("p", ANY, ONE, ("padding",),
                   doc="int, one per dimension, (before, after) pairs, or PyTorch's (left, right, top, ...)")

for _kind, _desc in _PADS.items():
    for _d in (1, 2, 3):
        _torch = f"{_kind.capitalize()}Pad{_d}d"
        _zero = _kind == "zero"
        register(LayerType(
            name=f"{_kind}_pad{_d}d",
            spellings=(*((keras_layer(f"ZeroPadding{_d}D", ("p", "data_format")),) if _zero else ()), torch_nn(_torch)),
            aliases=(_torch.lower(),),
            frameworks=("pytorch", "keras") if _zero else ("pytorch",),
            missing={} if _zero else {"keras": _KERAS_PADS_ONLY_ZEROS},
            description=_desc,
            args=(_PAD_ARG, *((ArgSpec("value", NUMBER, ZERO, ("fill",), doc="the fill value"),)
                              if _kind == "constant" else ())),
            tensors=_no_tensors, formulas=_no_formulas, shape=_pad_shape_rule(_kind), macs=_zero_macs,
            dims=_d, zero_reason="no weights: it only pads", input_kind="spatial",
            unmodelled=(CHANNELS_LAST,) if _zero else (),
        ))


def _per_dim(value: Any, rank: int, what: str) -> tuple[sympy.Expr, ...]:
    """One positive number per spatial dimension (an ANY-kind argument, checked here)."""
    values = value if isinstance(value, tuple) else (value,) * rank
    if len(values) != rank:
        raise SymcountError(f"{what} has {len(values)} entries for {rank} spatial dimensions")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, sympy.Expr) or v.is_positive is False:
            shown = f'"{v}"' if isinstance(v, str) else str(v).lower()
            raise SymcountError(f"{what} must be a positive number, not {shown}")
    return values


def _upsample_shape(a: Args, s: Shape, convention: str) -> Shape:
    if a.size is not None:
        if a.scale is not None:
            raise SymcountError("upsample takes scale (scale_factor) or size (the output size), not both")
        return Shape(tuple(given_out(n, "size") for n in _per_dim(a.size, s.rank, "upsample size")), s.channels)
    scale = _per_dim(a.scale if a.scale is not None else sympy.Integer(2), s.rank, "upsample scale")
    return Shape(tuple(scale_out(n, f) for n, f in zip(s.spatial, scale, strict=True)), s.channels)


def _upsampling_shape(a: Args, s: Shape, convention: str) -> Shape:
    size = _per_dim(a.size, s.rank, "upsampling size")
    return Shape(tuple(scale_out(n, f, floor=False) for n, f in zip(s.spatial, size, strict=True)), s.channels)


register(LayerType(
    name="upsample",
    spellings=tuple(torch_nn(name, ("size", "scale", "mode", "align_corners", "recompute_scale_factor"))
                    for name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")),
    ignored=("mode", "align_corners", "recompute_scale_factor"),
    description="PyTorch's Upsample: by a scale factor (default 2), or to a given output size.",
    args=(ArgSpec("scale", ANY, None, ("scale_factor",), doc="scale factor (default 2)"),
          ArgSpec("size", ANY, None, ("output_size",), doc="the output size instead of a factor (PyTorch's size)")),
    tensors=_no_tensors, formulas=_no_formulas, shape=_upsample_shape, macs=_zero_macs,
    zero_reason="no weights: it repeats or interpolates values",
))
register(LayerType(
    name="upsampling", spellings=(keras_layer("UpSampling1D"),
                                  keras_layer("UpSampling2D", ("size", "data_format", "interpolation")),
                                  keras_layer("UpSampling3D", ("size", "data_format"))),
    aliases=("upsampling1d", "upsampling2d", "upsampling3d"),
    ignored=("interpolation",),
    unmodelled=(CHANNELS_LAST,),
    description="Keras's UpSampling: repeats each position size times (size is a factor, not an output size).",
    args=(ArgSpec("size", ANY, sympy.Integer(2), ("scale",), doc="repeat factor per dimension"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_upsampling_shape, macs=_zero_macs,
    zero_reason="no weights: it repeats values",
))
