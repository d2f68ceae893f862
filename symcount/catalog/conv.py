"""Convolutions: 1-3-D, transposed, depthwise and separable, with their framework caveats."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from symcount.catalog.common import (
    _certain,
    _no_causal,
    _numbers_above_one,
    _numeric_padding,
    bias_arg,
    divides,
    kernel_bindings,
    kernel_formula,
    positions,
    prod,
    size,
)
from symcount.catalog.core import (
    _KERNEL_OPTIONS,
    ANY,
    CHANNELS_LAST,
    KERNEL,
    ONE,
    PADDING,
    REQUIRED,
    SIZE,
    TRAINABLE,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
    ShapeRule,
    Tensor,
    TensorRule,
    Unmodelled,
    _keras_weight_options,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape, conv_out, conv_transpose_out
from symcount.language.symbols import is_number


def conv_args(d: int, transpose: bool = False) -> tuple[ArgSpec, ...]:
    base: tuple[ArgSpec, ...] = (
        size("C_in", "in_channels", infer="channels", doc="input channels"),
        size("C_out", "out_channels", "filters", doc="output channels"),
        ArgSpec("k", KERNEL, REQUIRED, ("kernel_size",), doc="kernel size (int or tuple)"),
        ArgSpec("groups", SIZE, ONE, (), symbol="g", structural=True, doc="channel groups"),
        bias_arg(),
        ArgSpec("stride", KERNEL, ONE, ("strides",), doc="stride"),
        ArgSpec("padding", PADDING, ZERO, (),
                doc='int, tuple, "same" or "valid" ("causal" for conv1d, as Keras Conv1D)'),
        ArgSpec("dilation", KERNEL, ONE, ("dilation_rate",), doc="dilation"),
    )
    if transpose:
        base += (ArgSpec("output_padding", KERNEL, None, (),
                         doc="extra output size (none given: 0 in PyTorch, Keras's own default)"),)
    return base


def _conv_tensors(d: int, transpose: bool) -> TensorRule:
    def tensors(a: Args, convention: str) -> list[Tensor]:
        k = tuple(a.k)
        if convention == "keras":
            kernel = (*k, a.C_out / a.groups, a.C_in) if transpose else (*k, a.C_in / a.groups, a.C_out)
            return [Tensor("kernel", kernel), Tensor("bias", (a.C_out,), present=a.bias)]
        weight = (a.C_in, a.C_out / a.groups, *k) if transpose else (a.C_out, a.C_in / a.groups, *k)
        return [Tensor("weight", weight), Tensor("bias", (a.C_out,), present=a.bias)]

    return tensors


def _check_groups(a: Args) -> tuple[str, str] | None:
    for name in ("C_in", "C_out"):
        if divides(a.groups, getattr(a, name)) is False:
            return "groups", f"groups={a.groups} does not divide {name}={getattr(a, name)}"
    return None


def _check_output_padding(a: Args) -> tuple[str, str] | None:
    """Each framework's rule for a transposed convolution's output_padding, as it refuses it.

    PyTorch: smaller than the stride or the dilation, dimension by dimension
    ("output padding must be smaller than either stride or dilation"); Keras:
    strictly less than the stride.
    """
    if a.get("output_padding") is None:
        return None
    for op, s, d in zip(a.output_padding, a.stride, a.dilation, strict=False):
        if a.convention == "keras":
            if _certain(sympy.Ge(op, s)):
                return "output_padding", (f"output_padding={op} must be smaller than the stride ({s}) "
                                          "(Keras Conv*DTranspose refuses it)")
        elif _certain(sympy.Ge(op, s)) and _certain(sympy.Ge(op, d)):
            return "output_padding", (f"output_padding={op} must be smaller than either the stride ({s}) "
                                      f"or the dilation ({d}) (PyTorch ConvTranspose refuses it)")
    return None


def _conv_validate(d: int, transpose: bool, layer: str) -> Callable[[Args], tuple[str, str] | None]:
    causal = None if d == 1 and not transpose else _no_causal(layer)

    def check(a: Args) -> tuple[str, str] | None:
        return ((causal(a) if causal is not None else None) or _check_groups(a)
                or (_check_output_padding(a) if transpose else None))

    return check


def _conv_formulas(a: Args, convention: str) -> dict[str, str]:
    return {"param": f"({kernel_formula(a)}*C_in/g + b)*C_out"}


def _conv_shape(d: int) -> ShapeRule:
    def shape(a: Args, s: Shape, convention: str) -> Shape:
        pads = a.padding if isinstance(a.padding, str) else a.padding
        out = tuple(
            conv_out(n, k, st, pads if isinstance(pads, str) else pads[i], dl)
            for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
        )
        return Shape(out, a.C_out)

    return shape


def _conv_transpose_shape(a: Args, s: Shape, convention: str) -> Shape:
    """Keras pads only by name: under its convention the default padding 0 is its "valid"."""
    pads = a.padding
    if convention == "keras" and not isinstance(pads, str) and all(p == 0 for p in pads):
        pads = "valid"
    extra = a.output_padding if a.output_padding is not None else (None,) * len(a.k)
    out = tuple(
        conv_transpose_out(n, k, st, pads if isinstance(pads, str) else pads[i], op, dl)
        for i, (n, k, st, op, dl) in enumerate(zip(s.spatial, a.k, a.stride, extra, a.dilation, strict=True))
    )
    return Shape(out, a.C_out)


def _conv_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return prod(a.k) * a.C_in / a.groups * a.C_out * positions(o)


def _conv_transpose_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return prod(a.k) * a.C_in * a.C_out / a.groups * positions(i)


def _conv_caveats(d: int, transpose: bool, keras_name: str | None = None) -> Callable[[Args, str], list[str]]:
    layer = f"ConvTranspose{d}d" if transpose else f"Conv{d}d"
    keras_layer = keras_name or (f"Conv{d}DTranspose" if transpose else f"Conv{d}D")

    def caveats(a: Args, convention: str) -> list[str]:
        out = []
        if convention == "pytorch" and a.padding == "causal":
            out.append(f"PyTorch's {layer} takes no \"causal\" padding: Keras's rule is used "
                       "(dilation*(k - 1) zeros on the left, output ceil(n/stride))")
        elif convention == "pytorch" and isinstance(a.padding, str) and transpose:
            out.append(f"PyTorch's {layer} takes no \"{a.padding}\" padding: Keras's output-size rule is used")
        elif convention == "pytorch" and a.padding == "same" and _numbers_above_one(a.stride):
            out.append(f"PyTorch's {layer} refuses padding=\"same\" with stride > 1: "
                       "Keras's output size ceil(n/stride) is used")
        if convention == "keras" and _numeric_padding(a):
            out.append(f"Keras's {keras_layer} pads only by name (\"same\"/\"valid\"): "
                       "the numeric padding follows PyTorch's rule")
        if convention == "keras" and transpose and not (is_number(a.groups) and a.groups == 1):
            out.append(f"Keras's {keras_layer} has no groups: the grouped kernel is PyTorch's layout")
        return out

    return caveats


# the frameworks' positional orders: PyTorch's Conv2d(3, 16, 3, 2, 1) has stride 2 and padding 1
_TORCH_CONV = ("C_in", "C_out", "k", "stride", "padding", "dilation", "groups", "bias", "padding_mode")
_TORCH_CONV_TRANSPOSE = ("C_in", "C_out", "k", "stride", "padding", "output_padding", "groups", "bias", "dilation",
                         "padding_mode")
_KERAS_CONV = ("C_out", "k", "stride", "padding", "data_format", "dilation", "groups", "activation", "bias")
_KERAS_CONV_TRANSPOSE = ("C_out", "k", "stride", "padding", "output_padding", "data_format", "dilation", "activation",
                         "bias")
#: Keras's Conv3DTranspose alone takes data_format before output_padding.
_KERAS_CONV3D_TRANSPOSE = ("C_out", "k", "stride", "padding", "data_format", "output_padding", "dilation",
                           "activation", "bias")
_KERAS_DEPTHWISE = ("k", "stride", "padding", "multiplier", "data_format", "dilation", "activation", "bias")
_KERAS_SEPARABLE = ("C_out", "k", "stride", "padding", "data_format", "dilation", "multiplier", "activation", "bias")

for _d in (1, 2, 3):
    register(LayerType(
        name=f"conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS), unmodelled=(CHANNELS_LAST,),
        spellings=(torch_nn(f"Conv{_d}d", _TORCH_CONV), keras_layer(f"Conv{_d}D", _KERAS_CONV),
                   keras_layer(f"Convolution{_d}D", _KERAS_CONV)),
        description=f"{_d}-D convolution: each output channel is a k^{_d} window over the input channels "
                    "of its group, plus a bias.",
        args=(*conv_args(_d), TRAINABLE),
        tensors=_conv_tensors(_d, False),
        formulas=_conv_formulas,
        shape=_conv_shape(_d),
        macs=_conv_macs,
        dims=_d,
        macs_doc="k^d · C_in/groups · C_out · output positions",
        input_kind="spatial",
        validate=_conv_validate(_d, False, f"conv{_d}d"),
        bindings=lambda a, c: kernel_bindings(a),
        caveats=_conv_caveats(_d, False),
    ))
    register(LayerType(
        name=f"conv_transpose{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS), unmodelled=(CHANNELS_LAST,),
        spellings=(torch_nn(f"ConvTranspose{_d}d", _TORCH_CONV_TRANSPOSE),
                   keras_layer(f"Conv{_d}DTranspose", _KERAS_CONV3D_TRANSPOSE if _d == 3 else _KERAS_CONV_TRANSPOSE)),
        aliases=(f"convtranspose{_d}d", f"deconv{_d}d"),
        description=f"{_d}-D transposed convolution: the gradient of a convolution, upsampling by the stride.",
        args=(*conv_args(_d, transpose=True), TRAINABLE),
        tensors=_conv_tensors(_d, True),
        formulas=_conv_formulas,
        shape=_conv_transpose_shape,
        macs=_conv_transpose_macs,
        dims=_d,
        macs_doc="k^d · C_in · C_out/groups · input positions",
        input_kind="spatial",
        validate=_conv_validate(_d, True, f"conv_transpose{_d}d"),
        bindings=lambda a, c: kernel_bindings(a),
        caveats=_conv_caveats(_d, True),
    ))


# -- depthwise and separable (Keras) -------------------------------------------

_DW_ARGS = (
    size("C_in", "in_channels", infer="channels", doc="input channels"),
    ArgSpec("k", KERNEL, REQUIRED, ("kernel_size",), doc="kernel size"),
    ArgSpec("multiplier", SIZE, ONE, ("depth_multiplier",), symbol="m", structural=True,
            doc="outputs per input channel"),
    bias_arg(),
    ArgSpec("stride", KERNEL, ONE, ("strides",)),
    ArgSpec("padding", PADDING, ZERO, ()),
    ArgSpec("dilation", KERNEL, ONE, ("dilation_rate",)),
)


def _dw_shape(a: Args, s: Shape, convention: str) -> Shape:
    out = tuple(
        conv_out(n, k, st, a.padding if isinstance(a.padding, str) else a.padding[i], dl)
        for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
    )
    return Shape(out, a.C_in * a.multiplier)


def _dw_tensors(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":  # Keras 3 names DepthwiseConv2D's weight "kernel"
        return [Tensor("kernel", (*a.k, a.C_in, a.multiplier)),
                Tensor("bias", (a.C_in * a.multiplier,), present=a.bias)]
    return [Tensor("weight", (a.C_in * a.multiplier, ONE, *a.k)),
            Tensor("bias", (a.C_in * a.multiplier,), present=a.bias)]


_WINDOW = {1: "length-k", 2: "k x k"}
_POINTWISE = {1: "kernel-1", 2: "1 x 1"}
_K = {1: "k", 2: "k^2"}

for _d in (1, 2):
    register(LayerType(
        name=f"depthwise_conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS, *_keras_weight_options("depthwise")), unmodelled=(CHANNELS_LAST,),
        spellings=(keras_layer(f"DepthwiseConv{_d}D", _KERAS_DEPTHWISE),),
        aliases=(f"depthwiseconv{_d}d", f"dwconv{_d}d"),
        description=f"Depthwise {_d}-D convolution: one {_WINDOW[_d]} filter per input channel (times the multiplier).",
        args=(*_DW_ARGS, TRAINABLE),
        tensors=_dw_tensors,
        formulas=lambda a, c: {"param": f"({kernel_formula(a)} + b)*C_in*m"},
        shape=_dw_shape,
        macs=lambda a, i, o: prod(a.k) * a.C_in * a.multiplier * positions(o),
        dims=_d,
        macs_doc=f"{_K[_d]} · C_in · multiplier · output positions",
        input_kind="spatial",
        bindings=lambda a, c: kernel_bindings(a),
        notes={"pytorch": f"PyTorch writes it as Conv{_d}d(C_in, C_in*multiplier, k, groups=C_in)"},
        validate=_no_causal(f"depthwise_conv{_d}d"),
        caveats=_conv_caveats(_d, False, f"DepthwiseConv{_d}D"),
    ))


def _sep_tensors(a: Args, convention: str) -> list[Tensor]:
    mid = a.C_in * a.multiplier
    if convention == "keras":
        return [Tensor("depthwise_kernel", (*a.k, a.C_in, a.multiplier)),
                Tensor("pointwise_kernel", (*(ONE,) * len(a.k), mid, a.C_out)),
                Tensor("bias", (a.C_out,), present=a.bias)]
    return [Tensor("depthwise.weight", (mid, ONE, *a.k)),
            Tensor("pointwise.weight", (a.C_out, mid, *(ONE,) * len(a.k))),
            Tensor("pointwise.bias", (a.C_out,), present=a.bias)]


def _sep_shape(a: Args, s: Shape, convention: str) -> Shape:
    return _dw_shape(a, s, convention).with_channels(a.C_out)


for _d in (1, 2):
    register(LayerType(
        name=f"separable_conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS, *_keras_weight_options("depthwise", "pointwise")),
        unmodelled=(CHANNELS_LAST,),
        spellings=(keras_layer(f"SeparableConv{_d}D", _KERAS_SEPARABLE),),
        aliases=(f"separableconv{_d}d", f"sepconv{_d}d"),
        description=f"Depthwise-separable {_d}-D convolution: a depthwise {_WINDOW[_d]} filter per channel, "
                    f"then a {_POINTWISE[_d]} pointwise conv.",
        args=(_DW_ARGS[0], size("C_out", "out_channels", "filters"), *_DW_ARGS[1:], TRAINABLE),
        tensors=_sep_tensors,
        formulas=lambda a, c: {"param": f"{kernel_formula(a)}*C_in*m + (C_in*m + b)*C_out"},
        shape=_sep_shape,
        macs=lambda a, i, o: (prod(a.k) * a.C_in * a.multiplier + a.C_in * a.multiplier * a.C_out) * positions(o),
        dims=_d,
        macs_doc=f"({_K[_d]} · C_in · multiplier + C_in · multiplier · C_out) · output positions",
        input_kind="spatial",
        bindings=lambda a, c: kernel_bindings(a),
        notes={"pytorch": f"PyTorch writes it as a depthwise Conv{_d}d (no bias) followed by a "
                          f"{_POINTWISE[_d].replace(' x ', 'x')} Conv{_d}d"},
        validate=_no_causal(f"separable_conv{_d}d"),
        caveats=_conv_caveats(_d, False, f"SeparableConv{_d}D"),
    ))


# -- linear ----------------------------------------------------------------------

#: Keras's LoRA and quantization options of Dense and Embedding: both add weights symcount does not count.
LORA = Unmodelled("lora_rank", (None,), "LoRA adds two low-rank weights (lora_kernel_a, lora_kernel_b) "
                  "symcount does not count", 4)
QUANTIZED = Unmodelled("quantization_config", (None,), "a quantized layer keeps other weights (and scales) "
                       "than the float layer symcount counts", "int8")

register(LayerType(
    name="linear",
    ignored=(*_KERNEL_OPTIONS, "lora_alpha"),
    unmodelled=(LORA, QUANTIZED),
    spellings=(torch_nn("Linear"), keras_layer("Dense", ("C_out", "activation", "bias"))),
    aliases=("fc", "fully_connected"),
    description="Fully connected layer: every output is a weighted sum of all inputs plus a bias.",
    args=(
        size("C_in", "in_features", infer="channels", doc="input features"),
        size("C_out", "out_features", "units", doc="output features"),
        bias_arg(),
        TRAINABLE,
        ArgSpec("tied", ANY, None, (), doc="label of a layer whose weight this one shares"),
    ),
    tensors=lambda a, c: (
        [Tensor("kernel", (a.C_in, a.C_out)), Tensor("bias", (a.C_out,), present=a.bias)]
        if c == "keras"
        else [Tensor("weight", (a.C_out, a.C_in)), Tensor("bias", (a.C_out,), present=a.bias)]
    ),
    formulas=lambda a, c: {"param": "(C_in + b)*C_out"},
    shape=lambda a, s, c: Shape(s.spatial, a.C_out, s.sequence),
    macs=lambda a, i, o: a.C_in * a.C_out * positions(o),
    macs_doc="C_in · C_out · positions",
))


register(LayerType(
    name="bilinear",
    ignored=_KERNEL_OPTIONS,
    spellings=(torch_nn("Bilinear"),),
    description="PyTorch's Bilinear: each output is x1ᵀ·W_k·x2 of two inputs, plus a bias (the second input "
                "is not drawn in the network).",
    args=(
        size("C_in", "in1_features", infer="channels", doc="features of the first input (the one flowing in)"),
        size("C_in2", "in2_features", doc="features of the second input"),
        size("C_out", "out_features", doc="output features"),
        bias_arg(),
        TRAINABLE,
    ),
    tensors=lambda a, c: [Tensor("weight", (a.C_out, a.C_in, a.C_in2)), Tensor("bias", (a.C_out,), present=a.bias)],
    formulas=lambda a, c: {"param": "(C_in*C_in2 + b)*C_out"},
    shape=lambda a, s, c: Shape(s.spatial, a.C_out, s.sequence),
    macs=lambda a, i, o: a.C_in * a.C_in2 * a.C_out * positions(o),
    macs_doc="C_in · C_in2 · C_out · positions (torch's FlopCounterMode does not count bilinear)",
    macs_unchecked="FlopCounterMode counts 0 for nn.Bilinear: its kernel (aten._trilinear) is no matmul, "
                   "convolution or attention kernel that the counter knows",
    frameworks=("pytorch",),
    missing={"keras": "Keras has no bilinear layer"},
))
