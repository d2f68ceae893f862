"""Pooling: max and average, global and adaptive (no weights; shape rules and MACs)."""

from __future__ import annotations

from typing import Any

from symcount.catalog.common import _no_causal, _no_formulas, _no_tensors, _numbers_above_one, _numeric_padding, _zero_macs
from symcount.catalog.core import (
    CHANNELS_LAST,
    FLAG,
    KERNEL,
    ONE,
    PADDING,
    REQUIRED,
    SHAPE,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape, given_out, pool_out


def _pool_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and isinstance(a.padding, str):
        out.append(f"PyTorch's pooling takes no \"{a.padding}\" padding: Keras's output-size rule is used")
    if convention == "keras":
        if _numeric_padding(a):
            out.append("Keras's pooling pads only by name (\"same\"/\"valid\"): "
                       "the numeric padding follows PyTorch's rule")
        if a.ceil_mode:
            out.append("Keras's pooling has no ceil_mode: PyTorch's rule is used")
        if _numbers_above_one(a.dilation):
            out.append("Keras's pooling has no dilation: PyTorch's rule is used")
    return out


# -- pooling ---------------------------------------------------------------------

def _pool_args() -> tuple[ArgSpec, ...]:
    return (
        ArgSpec("k", KERNEL, REQUIRED, ("kernel_size", "pool_size"), doc="window size"),
        ArgSpec("stride", KERNEL, None, ("strides",), doc="stride (default: the window size)"),
        ArgSpec("padding", PADDING, ZERO, (), doc='int, tuple, "same" or "valid"'),
        ArgSpec("ceil_mode", FLAG, False, (), doc="PyTorch's ceil_mode"),
        ArgSpec("dilation", KERNEL, ONE, (), doc="dilation (max pooling)"),
    )


def _pool_defaults(values: dict[str, Any], shape: Shape | None) -> None:
    if values.get("stride") is None:
        values["stride"] = values["k"]


def _pool_shape(a: Args, s: Shape, convention: str) -> Shape:
    out = tuple(
        pool_out(n, k, st, a.padding if isinstance(a.padding, str) else a.padding[i], a.ceil_mode, dl)
        for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
    )
    return Shape(out, s.channels)


# the frameworks' positional orders: PyTorch's MaxPool2d(3, 2, 1) has stride 2 and padding 1
_TORCH_POOL = {"max": ("k", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
               "avg": ("k", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")}
_KERAS_POOL = ("k", "stride", "padding", "data_format")
#: Keras's two names of each pooling layer
_KERAS_POOLS = {"max": ("MaxPooling{d}D", "MaxPool{d}D"), "avg": ("AveragePooling{d}D", "AvgPool{d}D")}

for _d in (1, 2, 3):
    for _kind, _word in (("max", "maximum"), ("avg", "average")):
        register(LayerType(
            name=f"{_kind}pool{_d}d",
            spellings=(torch_nn(f"{_kind.capitalize()}Pool{_d}d", _TORCH_POOL[_kind]),
                       *(keras_layer(name.format(d=_d), _KERAS_POOL) for name in _KERAS_POOLS[_kind])),
            aliases=(*((f"AvgPooling{_d}D",) if _kind == "avg" else ()), f"{_kind}pooling{_d}d"),
            description=f"{_d}-D {_word} pooling over k^{_d} windows.",
            args=_pool_args(),
            tensors=_no_tensors,
            formulas=_no_formulas,
            shape=_pool_shape,
            macs=_zero_macs,
            dims=_d,
            zero_reason=f"no weights: pooling takes the {_word} of each window",
            input_kind="spatial",
            derive=_pool_defaults,
            validate=_no_causal(f"{_kind}pool{_d}d"),
            ignored=("return_indices", "count_include_pad", "divisor_override"),
            unmodelled=(CHANNELS_LAST,),
            caveats=_pool_caveats,
        ))

for _kind, _word in (("avg", "average"), ("max", "maximum")):
    register(LayerType(
        name=f"global_{_kind}pool",
        spellings=tuple(keras_layer(name.format(d=_d), ("data_format", "keepdims")) for name in (
            "GlobalAveragePooling{d}D" if _kind == "avg" else "GlobalMaxPooling{d}D",
            f"Global{_kind.capitalize()}Pool{{d}}D") for _d in (1, 2, 3)),
        aliases=(*(f"GlobalAvgPooling{_d}D" for _d in (2, 1, 3) if _kind == "avg"), f"global{_kind}pool"),
        description=f"Global {_word} pooling: one value per channel.",
        args=(ArgSpec("keepdims", FLAG, False, (), doc="Keras: keep the positions as size 1, (1, 1, C)"),),
        tensors=_no_tensors,
        formulas=_no_formulas,
        shape=lambda a, s, c: Shape((ONE,) * s.rank, s.channels, s.sequence) if a.keepdims
        else Shape((), s.channels, False),
        macs=_zero_macs,
        zero_reason=f"no weights: takes the {_word} over all positions",
        unmodelled=(CHANNELS_LAST,),
    ))
    for _d in (1, 2, 3):
        register(LayerType(
            name=f"adaptive_{_kind}pool{_d}d",
            spellings=(torch_nn(f"Adaptive{_kind.capitalize()}Pool{_d}d",
                                ("out", "return_indices") if _kind == "max" else None),
                       keras_layer(f"Adaptive{'Average' if _kind == 'avg' else 'Max'}Pooling{_d}D",
                                   ("out", "data_format"))),
            aliases=(f"adaptive{_kind}pool{_d}d",),
            description=f"Adaptive {_d}-D {_word} pooling to a fixed output size.",
            args=(ArgSpec("out", SHAPE, REQUIRED, ("output_size",), doc="output size (int or tuple)"),),
            tensors=_no_tensors,
            formulas=_no_formulas,
            shape=lambda a, s, c: Shape(tuple(given_out(n, "output_size") for n in a.out), s.channels),
            macs=_zero_macs,
            dims=_d,
            zero_reason=f"no weights: takes the {_word} of adaptive windows",
            ignored=("return_indices",),
            unmodelled=(CHANNELS_LAST,),
            input_kind="spatial",
        ))
