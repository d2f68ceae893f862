"""Normalisation layers: batch, layer, group, instance and RMS norm, with running statistics."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from symcount.catalog.common import _zero_macs, divides, one_if, size
from symcount.catalog.core import (
    _NORM_OPTIONS,
    ANY,
    BIAS,
    FLAG,
    ONE,
    REQUIRED,
    SIZES,
    TRAINABLE,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
    Tensor,
    Unmodelled,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape
from symcount.errors import SymcountError
from symcount.language import budget


def _center_scale_caveats(layer: str) -> Callable[[Args, str], list[str]]:
    def caveats(a: Args, convention: str) -> list[str]:
        out = []
        if convention == "pytorch" and a.affine and not a.scale:
            out.append(f"PyTorch's {layer} cannot drop the scale alone (affine drops both, bias the shift): "
                       "scale=false is Keras's")
        if convention == "keras" and a.get("track_running_stats") is False:
            out.append("Keras's BatchNormalization always keeps its moving mean and variance: they are counted")
        return out

    return caveats


def _layernorm_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and a.affine and not a.scale:
        out.append("PyTorch's LayerNorm cannot drop the scale alone (elementwise_affine drops both): "
                   "scale=false is Keras's")
    if convention == "pytorch" and _keras_axes(a) is not None:
        out.append("PyTorch's LayerNorm has no axis (it normalises the last sizes, normalized_shape): "
                   "the sizes of Keras's axes (channels last) are counted")
    return out


def _rmsnorm_caveats(a: Args, convention: str) -> list[str]:
    if convention == "keras" and not a.affine:
        return ["Keras's RMSNormalization always learns its scale: it is counted"]
    return []


# -- normalisation -----------------------------------------------------------------

def _affine_formula(scale: sympy.Expr, shift: sympy.Expr, c: str = "C") -> str | None:
    """A normalisation's learned vectors, (scale + shift)·C, written as 2C, C, (1 + b)C or b·C."""
    if scale == 0 and shift == 0:
        return None
    if shift == 0 or scale == 0:
        return c if shift in (ZERO, ONE) else f"b*{c}"
    if shift == 1:
        return f"2*{c}"
    return f"(1 + b)*{c}"


def _norm_formulas(scale: sympy.Expr, shift: sympy.Expr, stats: bool, c: str = "C") -> dict[str, str]:
    out: dict[str, str] = {}
    learned = _affine_formula(scale, shift, c)
    if learned is not None:
        out["param"] = learned
    if stats:
        out["stat"] = "2*C"
    return out


def _affine_args(pytorch: str = "learn the scale and the shift") -> tuple[ArgSpec, ...]:
    """PyTorch's affine switches both vectors; Keras's scale and center switch one each."""
    return (
        ArgSpec("affine", FLAG, True, ("elementwise_affine",), doc=f"PyTorch: {pytorch}"),
        ArgSpec("scale", FLAG, True, (), doc="Keras: learn the scale (gamma); PyTorch has only affine"),
    )


def _bn_affine(a: Args) -> tuple[sympy.Expr, sympy.Expr]:
    """Whether the scale (gamma) and the shift (beta) exist: Keras's scale and center, PyTorch's affine."""
    return one_if(a.affine and a.scale), one_if(a.affine and a.center)


def _bn_stats(a: Args, convention: str) -> bool:
    """Keras always keeps moving statistics; PyTorch only with track_running_stats."""
    return convention == "keras" or bool(a.track_running_stats)


def _running_stats(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":
        return [Tensor("moving_mean", (a.C,), role="stat"), Tensor("moving_variance", (a.C,), role="stat")]
    return [Tensor("running_mean", (a.C,), role="stat"), Tensor("running_var", (a.C,), role="stat"),
            Tensor("num_batches_tracked", (), role="counter")]


def _bn_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _bn_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    learned = [Tensor(names[0], (a.C,), present=scale), Tensor(names[1], (a.C,), present=shift)]
    return learned + (_running_stats(a, convention) if _bn_stats(a, convention) else [])


_STATS_DOC = "PyTorch: keep running mean and variance (buffers)"
_CENTER_DOC = "learn the shift (Keras center, PyTorch bias)"


def _norm_axis(layer: str) -> Unmodelled:
    """Keras's axis of a per-channel normalisation: the channel axis is what symcount counts."""
    return Unmodelled("axis", (-1,), f"{layer} is counted over the channels, the last axis of Keras's "
                      "channels-last layout: another axis would size its weights by that axis", 1, channel_axis=True)
#: PyTorch's positional order of BatchNorm2d and InstanceNorm2d
_TORCH_BN = ("C", "eps", "momentum", "affine", "track_running_stats")

register(LayerType(
    name="batchnorm",
    ignored=("momentum", "synchronized", *_NORM_OPTIONS, "moving_mean_initializer", "moving_variance_initializer",
             "renorm_clipping", "renorm_momentum"),
    unmodelled=(_norm_axis("BatchNormalization"),
                Unmodelled("renorm", (False,), "batch renormalisation adds moving statistics (moving_stddev, "
                           "renorm_mean, renorm_stddev) symcount does not count", True)),
    spellings=(*(torch_nn(f"BatchNorm{d}d", _TORCH_BN) for d in (1, 2, 3)),
               keras_layer("BatchNormalization", ("axis", "momentum", "epsilon", "center", "scale"))),
    aliases=("bn", "batchnorm1d", "batchnorm2d", "batchnorm3d", "batch_norm"),
    description="Batch normalisation: a learned scale and shift per channel, plus running mean and variance.",
    args=(size("C", "num_features", infer="channels", doc="channels"),
          *_affine_args(),
          ArgSpec("center", FLAG, True, ("bias",), doc=_CENTER_DOC),
          ArgSpec("track_running_stats", FLAG, True, (), doc=_STATS_DOC + "; Keras always keeps them"),
          TRAINABLE),
    tensors=_bn_tensors,
    formulas=lambda a, c: _norm_formulas(*_bn_affine(a), _bn_stats(a, c)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_center_scale_caveats("BatchNorm"),
))


def _ln_affine(a: Args) -> tuple[sympy.Expr, sympy.Expr]:
    """LayerNorm's scale and shift: PyTorch's elementwise_affine and bias, Keras's scale and center."""
    return one_if(a.affine and a.scale), (a.bias if a.affine else ZERO)


def _keras_axes(a: Args) -> tuple[int, ...] | None:
    """Keras's axis as positions of its layout (batch = 0); None for the default, the last axis.

    Keras sorts the axes as written (a negative one first) and shapes gamma from them in that order:
    ``axis=[-1, 1]`` on (H, W, C) gives (C, H).
    """
    axis = a.get("axis")
    axes = axis if isinstance(axis, tuple) else (axis,)
    if axis is None or axes == (sympy.Integer(-1),):
        return None
    shape: Shape | None = a.get("input_shape")
    if shape is None:
        raise SymcountError("layernorm's axis needs the input shape: put the layer in a network after input(...)")
    rank = len(shape.layout("keras")) + 1
    for x in axes:
        if isinstance(x, bool) or not isinstance(x, sympy.Integer):
            shown = f'"{x}"' if isinstance(x, str) else str(x).lower()
            raise SymcountError(f"axis takes axis numbers (negative from the end), not {shown}")
    out = []
    for x in sorted(int(x) for x in axes):
        index = x + rank if x < 0 else x
        if not 1 <= index < rank:
            raise SymcountError(f"axis {x} is not a feature axis of the input's {rank - 1} axes (0 is the batch)")
        out.append(index)
    return tuple(out)


def _ln_shape(a: Args) -> tuple[sympy.Expr, ...]:
    """The shape of LayerNorm's scale and shift: normalized_shape (C or a tuple), or the sizes of Keras's axes."""
    axes = _keras_axes(a)
    if axes is not None:
        layout = a.input_shape.layout("keras")
        return tuple(layout[i - 1] for i in axes)
    return a.C if isinstance(a.C, tuple) else (a.C,)


def _ln_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _ln_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    shape = _ln_shape(a)
    return [Tensor(names[0], shape, present=scale), Tensor(names[1], shape, present=shift)]


def _ln_names(a: Args) -> str:
    """C for one normalised size, C_1*C_2*... for several (each one's size bound by _ln_bindings)."""
    shape = _ln_shape(a)
    return "C" if len(shape) == 1 else "*".join(f"C_{i}" for i in range(1, len(shape) + 1))


def _ln_bindings(a: Args, convention: str) -> dict[str, sympy.Expr]:
    shape = _ln_shape(a)
    if len(shape) == 1:
        return {"C": shape[0]}
    return {f"C_{i}": n for i, n in enumerate(shape, start=1)}


def _ln_validate(a: Args) -> tuple[str, str] | None:
    """PyTorch normalises the last dimensions: a normalized_shape tuple must be the input's last sizes
    (an int, the channels or the last size: LayerNorm(W) over an image's rows)."""
    shape: Shape | None = a.get("input_shape")
    if not isinstance(a.C, tuple) or shape is None:
        return None
    if a.get("axis") is not None and a.axis != -1:
        return "axis", "layernorm takes normalized_shape (PyTorch) or axis (Keras), not both"
    last = shape.layout("pytorch")[-len(a.C):]
    if len(last) < len(a.C) or any(budget.simplify(x - y).is_zero is False for x, y in zip(a.C, last, strict=True)):
        shown = ", ".join(str(n) for n in shape.layout("pytorch"))
        return "C", (f"normalized_shape ({', '.join(str(n) for n in a.C)}) must be the input's last sizes; "
                     f"the input is ({shown})")
    return None


register(LayerType(
    name="layernorm",
    ignored=_NORM_OPTIONS,
    spellings=(torch_nn("LayerNorm", ("C", "eps", "affine", "bias")),
               keras_layer("LayerNormalization", ("axis", "epsilon", "bias", "scale"))),
    aliases=("ln", "layer_norm"),
    description="Layer normalisation over the features: a learned scale (and shift) per feature.",
    args=(ArgSpec("C", SIZES, REQUIRED, ("normalized_shape", "dim"), infer="channels",
                  doc="features, or a tuple: the input's last sizes (PyTorch normalized_shape)"),
          ArgSpec("bias", BIAS, True, ("use_bias", "center"), "b", doc="learn the shift (Keras: center)"),
          *_affine_args(),
          ArgSpec("axis", ANY, sympy.Integer(-1), (),
                  doc="Keras: the normalised axis or axes (channels-last, 0 = batch); the weights take their sizes"),
          TRAINABLE),
    tensors=_ln_tensors,
    formulas=lambda a, c: _norm_formulas(*_ln_affine(a), False, _ln_names(a)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_layernorm_caveats,
    bindings=_ln_bindings,
    validate=_ln_validate,
))


def _gn_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _bn_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    return [Tensor(names[0], (a.C,), present=scale), Tensor(names[1], (a.C,), present=shift)]


register(LayerType(
    name="groupnorm",
    ignored=_NORM_OPTIONS,
    unmodelled=(_norm_axis("GroupNormalization"),),
    spellings=(torch_nn("GroupNorm", ("G", "C", "eps", "affine")),
               keras_layer("GroupNormalization", ("G", "axis", "epsilon", "center", "scale"))),
    aliases=("group_norm",),
    description="Group normalisation: statistics over channel groups, a learned scale and shift per channel.",
    args=(size("G", "num_groups", "groups", doc="groups"),
          size("C", "num_channels", infer="channels", doc="channels"),
          *_affine_args(),
          ArgSpec("center", FLAG, True, ("bias",), doc=_CENTER_DOC),
          TRAINABLE),
    tensors=_gn_tensors,
    formulas=lambda a, c: _norm_formulas(*_bn_affine(a), False),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_center_scale_caveats("GroupNorm"),
    validate=lambda a: ("G", f"G={a.G} groups do not divide C={a.C} channels")
    if divides(a.G, a.C) is False else None,
))


def _in_tensors(a: Args, convention: str) -> list[Tensor]:
    learned = [Tensor("weight", (a.C,), present=one_if(a.affine)),
               Tensor("bias", (a.C,), present=a.bias if a.affine else ZERO)]
    return learned + (_running_stats(a, "pytorch") if a.track_running_stats else [])


register(LayerType(
    name="instancenorm",
    ignored=("eps", "momentum"),
    spellings=tuple(torch_nn(f"InstanceNorm{d}d", _TORCH_BN) for d in (1, 2, 3)),
    aliases=("instancenorm2d", "instance_norm"),
    description="Instance normalisation: per-sample, per-channel statistics; learned scale and shift only if affine.",
    args=(size("C", "num_features", infer="channels"),
          ArgSpec("affine", FLAG, False, (), doc="learn scale and shift"),
          ArgSpec("bias", BIAS, True, (), "b", doc="with affine, learn the shift"),
          ArgSpec("track_running_stats", FLAG, False, (), doc=_STATS_DOC),
          TRAINABLE),
    tensors=_in_tensors,
    formulas=lambda a, c: _norm_formulas(one_if(a.affine), a.bias if a.affine else ZERO,
                                         bool(a.track_running_stats)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    frameworks=("pytorch",),
    missing={"keras": "Keras 3 has no instance normalisation layer"},
    zero_reason="no weights: affine=false, and it keeps no running statistics",
))

register(LayerType(
    name="rmsnorm",
    ignored=("eps", "epsilon"),
    unmodelled=(Unmodelled("axis", (-1,), "RMSNormalization is counted over the last axis: another axis "
                           "would size its scale by that axis", 1, channel_axis=True),),
    spellings=(torch_nn("RMSNorm", ("C", "eps", "affine")), keras_layer("RMSNormalization", ("axis", "epsilon"))),
    aliases=("rms_norm", "LlamaRMSNorm"),
    description="RMS normalisation: a learned scale per feature, no shift.",
    args=(ArgSpec("C", SIZES, REQUIRED, ("normalized_shape", "dim", "hidden_size"), infer="channels",
                  doc="features, or a tuple: the input's last sizes (PyTorch normalized_shape)"),
          ArgSpec("affine", FLAG, True, ("elementwise_affine",),
                  doc="PyTorch: learn the scale; Keras's RMSNormalization always does"),
          TRAINABLE),
    tensors=lambda a, c: [Tensor("scale" if c == "keras" else "weight", _ln_shape(a),
                                 present=one_if(a.affine or c == "keras"))],
    formulas=lambda a, c: {"param": _ln_names(a)} if a.affine or c == "keras" else {},
    bindings=_ln_bindings,
    validate=_ln_validate,
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_rmsnorm_caveats,
))
