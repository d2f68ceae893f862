"""Activations and other layers without weights (dropout, identity, flatten, token picks), and PReLU."""

from __future__ import annotations

import sympy

from symcount.catalog.common import _certain, _identity_shape, _no_formulas, _no_tensors, _zero_macs, prod
from symcount.catalog.core import (
    ANY,
    NUMBER,
    ONE,
    SIZE,
    TRAINABLE,
    Args,
    ArgSpec,
    LayerType,
    Tensor,
    Unmodelled,
    _keras_weight_options,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape
from symcount.errors import SymcountError
from symcount.language.values import describe


def _prelu_caveats(a: Args, convention: str) -> list[str]:
    if convention == "pytorch" and a.get("shared_axes") is not None:
        return ["PyTorch's PReLU has no shared_axes: it learns C slopes (num_parameters)"]
    return []


#: name -> (the torch.nn class, symcount's own aliases)
_ACTIVATIONS = {
    "relu": ("ReLU", ()), "relu6": ("ReLU6", ()), "gelu": ("GELU", ()), "silu": ("SiLU", ("swish",)),
    "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()), "softmax": ("Softmax", ()), "leaky_relu": ("LeakyReLU", ()),
    "elu": ("ELU", ()), "hardswish": ("Hardswish", ("hard_swish",)), "mish": ("Mish", ()),
    "selu": ("SELU", ()), "celu": ("CELU", ()), "softplus": ("Softplus", ()), "softsign": ("Softsign", ()),
    "hardsigmoid": ("Hardsigmoid", ("hard_sigmoid",)), "hardtanh": ("Hardtanh", ()), "log_softmax": ("LogSoftmax", ()),
}
#: torch's positional order where the class takes arguments (``nn.ReLU(True)`` is inplace, ``nn.ELU(0.5)`` alpha)
_TORCH_ORDERS = {
    "ReLU": ("inplace",), "ReLU6": ("inplace",), "SiLU": ("inplace",), "Hardswish": ("inplace",),
    "Mish": ("inplace",), "SELU": ("inplace",), "Hardsigmoid": ("inplace",), "GELU": ("approximate",),
    "LeakyReLU": ("alpha", "inplace"), "ELU": ("alpha", "inplace"), "CELU": ("alpha", "inplace"),
    "Softmax": ("alpha",), "LogSoftmax": ("alpha",), "Softplus": ("beta", "threshold"),
    "Hardtanh": ("min_val", "max_val", "inplace"),
}
#: Keras's positional order where it is not the catalog's: ``ReLU(6.0)`` is max_value
_KERAS_ORDERS = {"ReLU": ("max_value", "alpha", "threshold")}
#: the activations Keras has a layer class for (the others it writes as Activation("gelu") or activation=...)
_KERAS_ACTIVATIONS = ("ReLU", "Softmax", "LeakyReLU", "ELU")

for _name, (_torch, _aliases) in _ACTIVATIONS.items():
    register(LayerType(
        name=_name, aliases=_aliases,
        spellings=(torch_nn(_torch, _TORCH_ORDERS.get(_torch)),
                   *((keras_layer(_torch, _KERAS_ORDERS.get(_torch)),) if _torch in _KERAS_ACTIVATIONS else ())),
        ignored=("approximate", "max_value", "threshold", "min_val", "max_val", "beta", "min_value"),
        description=f"{_name} activation (element-wise).",
        args=(ArgSpec("alpha", NUMBER, None, ("negative_slope", "dim", "axis"), doc="option of the activation"),),
        tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
        zero_reason="no weights: an element-wise function",
    ))

register(LayerType(
    name="activation", spellings=(keras_layer("Activation"),),
    missing={"pytorch": "Keras's Activation layer: PyTorch has one module per activation (checked above)"},
    description="Keras's Activation layer: any element-wise activation, named by a string.",
    args=(ArgSpec("fn", ANY, None, ("activation",), doc='the activation, e.g. "relu"'),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: an element-wise function",
    macs_unchecked="Keras's Activation layer has no PyTorch module; each activation's own module is checked",
))

register(LayerType(
    name="dropout",
    spellings=(*(torch_nn(name, ("p", "inplace")) for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d")),
               keras_layer("Dropout", ("p", "noise_shape", "seed")), keras_layer("SpatialDropout1D", ("p", "seed")),
               *(keras_layer(f"SpatialDropout{d}D", ("p", "data_format", "seed")) for d in (2, 3)),
               *(torch_nn(name, ("p", "inplace")) for name in ("AlphaDropout", "FeatureAlphaDropout")),
               keras_layer("AlphaDropout", ("p", "noise_shape", "seed")), keras_layer("GaussianDropout", ("p", "seed"))),
    ignored=("noise_shape", "seed", "data_format"),
    description="Dropout: zeroes random activations during training.",
    args=(ArgSpec("p", NUMBER, sympy.Rational(1, 2), ("rate",), doc="drop probability, from 0 to 1"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: it only masks activations",
    # PyTorch: "dropout probability has to be between 0 and 1"; Keras: "Expected a float value between 0 and 1"
    validate=lambda a: ("p", f"p={describe(a.p)} is not a probability: it must be between 0 and 1")
    if _certain(sympy.Lt(a.p, 0)) or _certain(sympy.Gt(a.p, 1)) else None,
))
register(LayerType(
    name="identity", spellings=(torch_nn("Identity"), keras_layer("Identity")),
    description="Identity: passes its input through.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights",
))
register(LayerType(
    name="cls_token", aliases=("first_token",),
    missing={"pytorch": "selecting the first token is the slice x[:, 0], not an nn.Module",
             "keras": "selecting the first token is a slice, not a layer"},
    description="The first token of a sequence (BERT's pooler reads the [CLS] position).",
    args=(), tensors=_no_tensors, formulas=_no_formulas,
    shape=lambda a, s, c: Shape((), s.channels, False),
    macs=_zero_macs,
    zero_reason="no weights: it selects one position",
    macs_unchecked="no nn.Module to run: the slice x[:, 0] (0 MACs, and FlopCounterMode counts none)",
    input_kind="sequence",
))
register(LayerType(
    name="rotary", aliases=("rope", "RotaryEmbedding"),
    missing={"pytorch": "rotary embeddings are a function inside attention, not an nn.Module",
             "keras": "Keras has no rotary embedding layer (it lives in KerasHub)"},
    description="Rotary position embedding: rotates query/key pairs by fixed angles.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: the rotation angles are fixed, not learned",
    macs_unchecked="no nn.Module to run: a function inside attention, an element-wise rotation "
                   "(0 MACs, and FlopCounterMode counts none)",
))
register(LayerType(
    name="lrn", spellings=(torch_nn("LocalResponseNorm", ("size", "alpha", "beta", "k")),),
    description="Local response normalisation (AlexNet).",
    args=(ArgSpec("size", SIZE, sympy.Integer(5), ()),),
    ignored=("alpha", "beta", "k"),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: fixed normalisation constants",
    frameworks=("pytorch",),
    missing={"keras": "Keras 3 has no local response normalisation layer"},
))


def _flatten_shape(a: Args, s: Shape, convention: str) -> Shape:
    factors = ((s.channels,) if s.channels is not None else ()) + s.spatial
    if s.channel_factors and not s.spatial:
        factors = s.channel_factors
    return Shape((), prod(factors), False, factors if len(factors) > 1 else None)


register(LayerType(
    name="flatten", spellings=(torch_nn("Flatten", ("start_dim", "end_dim")), keras_layer("Flatten", ("data_format",))),
    description="Flatten: all positions and channels into one feature vector.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_flatten_shape, macs=_zero_macs,
    zero_reason="no weights: it only reshapes",
    ignored=("data_format",),  # Keras: channels_first reorders the flat vector, the same size
    unmodelled=(Unmodelled("start_dim", (1,), "symcount flattens every axis after the batch", 2),
                Unmodelled("end_dim", (-1,), "symcount flattens every axis after the batch", 2)),
))


def _prelu_alpha_shape(a: Args) -> tuple[sympy.Expr, ...]:
    """Keras PReLU: one slope per input element, except along ``shared_axes``."""
    shape: Shape | None = a.get("input_shape")
    if shape is None:
        return (a.C,)
    dims = list(shape.layout("keras"))
    shared = a.shared_axes
    axes = () if shared is None else (shared if isinstance(shared, tuple) else (shared,))
    for axis in axes:
        if isinstance(axis, bool) or not isinstance(axis, sympy.Integer):
            shown = f'"{axis}"' if isinstance(axis, str) else str(axis).lower()
            raise SymcountError(f"shared_axes takes axis numbers (1-based), not {shown}")
        index = int(axis) - 1
        if not 0 <= index < len(dims):
            raise SymcountError(f"shared_axes entry {axis} is outside the input's {len(dims)} axes")
        dims[index] = ONE
    return tuple(dims)


def _prelu_tensors(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":
        return [Tensor("alpha", _prelu_alpha_shape(a))]
    return [Tensor("weight", (a.C,))]


register(LayerType(
    name="prelu", spellings=(torch_nn("PReLU", ("C", "init")),
                             keras_layer("PReLU", ("alpha_initializer", "alpha_regularizer", "alpha_constraint",
                                                   "shared_axes"))),
    ignored=("init", *_keras_weight_options("alpha")),
    description="Parametric ReLU: a learned negative slope (per channel in PyTorch, per element in Keras).",
    args=(ArgSpec("C", SIZE, ONE, ("num_parameters",), doc="slopes (PyTorch num_parameters)"),
          ArgSpec("shared_axes", ANY, None, (), doc="Keras: axes that share one slope (1-based, no batch)"),
          TRAINABLE),
    tensors=_prelu_tensors,
    caveats=_prelu_caveats,
    formulas=lambda a, c: {"param": "C"} if c != "keras" else {"param": "N"},
    shape=_identity_shape,
    macs=_zero_macs,
    bindings=lambda a, c: {"N": prod(_prelu_alpha_shape(a))} if c == "keras" else {},
    symbols={"N": "slopes, one per input element (axes in shared_axes share one)"},
))
