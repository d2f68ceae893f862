"""The frameworks' own spellings of the entries: positional orders and which framework a spelling is."""

from __future__ import annotations

from collections.abc import Sequence

from symcount.catalog.core import LayerType
from symcount.language import nodes

# ---------------------------------------------------------------------------
# the frameworks' own spellings: positional orders

_TORCH_RNN = ("C_in", "hidden", "layers", "bias", "batch_first", "dropout", "bidirectional")
_KERAS_CONV = ("C_out", "k", "stride", "padding", "data_format", "dilation", "groups", "activation", "bias")

#: A framework's spelling of a layer takes positional arguments in that framework's order, not
#: the catalog's: Keras's ``Dense(64)`` is 64 units, PyTorch's ``Conv2d(3, 16, 3, 2, 1)`` has
#: stride 2 and padding 1. Keys are exact spellings (``Conv2d`` is PyTorch, ``Conv2D`` Keras);
#: ``LSTM`` and ``GRU`` are spelt alike in both and are read from the call (see
#: :func:`positional_order`). Other spellings (the catalog's own names) take the catalog's
#: order. A name in an order that is not one of the layer's arguments is one its entry ignores.
FRAMEWORK_ORDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "Dense": {"keras": ("C_out", "activation", "bias")},
    "SimpleRNN": {"keras": ("hidden", "activation", "bias")},
    "RNN": {"pytorch": ("C_in", "hidden", "layers", "nonlinearity", "bias", "batch_first", "dropout",
                        "bidirectional")},
    "LSTM": {"pytorch": (*_TORCH_RNN, "proj"), "keras": ("hidden", "activation", "recurrent_activation", "bias")},
    "GRU": {"pytorch": _TORCH_RNN, "keras": ("hidden", "activation", "recurrent_activation", "bias")},
    "MultiheadAttention": {"pytorch": ("d_model", "heads", "dropout", "bias")},
    "MultiHeadAttention": {"keras": ("heads", "key_dim", "value_dim", "dropout", "bias")},
    "TransformerEncoderLayer": {"pytorch": ("d_model", "heads", "ff", "dropout", "activation", "layer_norm_eps",
                                            "batch_first", "norm_first", "bias")},
    "Embedding": {"pytorch": ("V", "dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"),
                  "keras": ("V", "dim")},
    "LayerNorm": {"pytorch": ("C", "eps", "affine", "bias")},
    "LayerNormalization": {"keras": ("axis", "epsilon", "bias", "scale")},
    "GroupNorm": {"pytorch": ("G", "C", "eps", "affine")},
    "GroupNormalization": {"keras": ("G", "axis", "epsilon", "center", "scale")},
    "BatchNormalization": {"keras": ("axis", "momentum", "epsilon", "center", "scale")},
    "RMSNorm": {"pytorch": ("C", "eps", "affine")},
    **{f"DepthwiseConv{d}D": {"keras": ("k", "stride", "padding", "multiplier", "data_format", "dilation",
                                        "activation", "bias")} for d in (1, 2)},
    **{f"SeparableConv{d}D": {"keras": ("C_out", "k", "stride", "padding", "data_format", "dilation", "multiplier",
                                        "activation", "bias")} for d in (1, 2)},
    "TransformerDecoderLayer": {"pytorch": ("d_model", "heads", "ff", "dropout", "activation", "layer_norm_eps",
                                            "batch_first", "norm_first", "bias")},
    **{name: {"pytorch": ("size", "scale", "mode", "align_corners", "recompute_scale_factor")}
       for name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")},
    **{name: {"pytorch": ("C", "eps", "momentum", "affine", "track_running_stats")}
       for d in (1, 2, 3) for name in (f"BatchNorm{d}d", f"InstanceNorm{d}d")},
    **{f"Conv{d}d": {"pytorch": ("C_in", "C_out", "k", "stride", "padding", "dilation", "groups", "bias",
                                 "padding_mode")} for d in (1, 2, 3)},
    **{f"ConvTranspose{d}d": {"pytorch": ("C_in", "C_out", "k", "stride", "padding", "output_padding", "groups",
                                          "bias", "dilation", "padding_mode")} for d in (1, 2, 3)},
    **{f"MaxPool{d}d": {"pytorch": ("k", "stride", "padding", "dilation", "return_indices", "ceil_mode")}
       for d in (1, 2, 3)},
    **{f"AvgPool{d}d": {"pytorch": ("k", "stride", "padding", "ceil_mode", "count_include_pad",
                                    "divisor_override")} for d in (1, 2, 3)},
    **{name: {"keras": _KERAS_CONV} for d in (1, 2, 3) for name in (f"Conv{d}D", f"Convolution{d}D")},
    **{f"Conv{d}DTranspose": {"keras": ("C_out", "k", "stride", "padding", "output_padding", "data_format",
                                        "dilation", "activation", "bias")} for d in (1, 2, 3)},
    **{name: {"keras": ("k", "stride", "padding", "data_format")}
       for d in (1, 2, 3) for name in (f"MaxPooling{d}D", f"AveragePooling{d}D", f"MaxPool{d}D", f"AvgPool{d}D")},
}


def spelling_framework(written: str, framework: str | None = None) -> str | None:
    """The framework a call is written for: its module prefix's, else its spelling's when only one
    framework spells a layer that way (``Dense``, ``BatchNorm2d``); None for the catalog's own names
    and for spellings both share (``LSTM``)."""
    if framework is not None:
        return framework
    orders = FRAMEWORK_ORDERS.get(written, {})
    return next(iter(orders)) if len(orders) == 1 else None


def positional_order(entry: LayerType, written: str, positional: Sequence[nodes.Expr] = (),
                     framework: str | None = None) -> tuple[str, ...]:
    """The argument each positional argument of a call means, in order.

    A framework's spelling (``Dense``, ``Conv2d``) follows that framework's order; anything
    else the catalog's. A spelling both frameworks share (``LSTM``, ``GRU``) is read from the
    call, the same under either convention: one positional argument is Keras's ``units``
    (PyTorch needs two), a string second is Keras's activation, two numbers are PyTorch's
    ``input_size, hidden_size``. ``positional`` holds the call's positional values. A module
    prefix (``nn.LSTM``, ``layers.LSTM``) names the ``framework`` and so the order.
    """
    orders = FRAMEWORK_ORDERS.get(written, {})
    if framework in orders:
        return orders[framework]
    if len(orders) == 1:
        return next(iter(orders.values()))
    if orders:
        keras = len(positional) == 1 or (len(positional) > 1 and isinstance(positional[1], nodes.Str))
        return orders["keras" if keras else "pytorch"]
    return tuple(spec.name for spec in entry.args if spec.name not in ("trainable", "tied"))
