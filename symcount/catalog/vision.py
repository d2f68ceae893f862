"""Vision-model parts: learned tensors that are not a layer's weight, and shape operations.

ViT's class token and position embedding and ConvNeXt's layer scale are learned tensors the
frameworks keep as bare parameters (``nn.Parameter``), not as ``torch.nn`` modules; they are
counted here as layers, each under the name torchvision gives it. Swin's patch merging,
ShuffleNet's channel split and shuffle, space-to-depth and the patches-to-sequence step only move
values about (patch merging adds a norm and a linear). Keras's shape-only layers (``Reshape``,
``Permute``, ``Rescaling``) and its preprocessing ``Normalization`` close the family.
"""

from __future__ import annotations

from typing import Any

import sympy

from symcount.catalog.common import _identity_shape, _no_formulas, _no_tensors, _zero_macs, divides, prod, size
from symcount.catalog.core import (
    ANY,
    ONE,
    REQUIRED,
    TRAINABLE,
    Args,
    ArgSpec,
    LayerType,
    Tensor,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape
from symcount.errors import SymcountError
from symcount.language.symbols import is_number, sym

_NO_MODULE = "a bare nn.Parameter in the model (torchvision's {name}), not a torch.nn module"
_NO_KERAS = "Keras has no such layer (its applications and KerasHub write it as a custom layer)"
_NO_MACS = "no torch.nn module to run: {what} (0 MACs, and FlopCounterMode counts none)"


def _sequence_of(a: Args, s: Shape, layer: str) -> tuple[sympy.Expr, sympy.Expr]:
    """The (length, features) of a sequence input; anything else is refused, with the way to make one."""
    if s.channels is None:
        raise SymcountError(f"{layer} needs a sequence of feature vectors (L, C); the input is token ids",
                            hint="embed the tokens first")
    if not s.sequence or s.rank != 1:
        raise SymcountError(f"{layer} needs a sequence (L, C); the input here is not one",
                            hint="turn a feature map into a sequence of patch vectors first: to_sequence()")
    return s.spatial[0], s.channels


# -- learned tensors -------------------------------------------------------------------------

def _class_token_shape(a: Args, s: Shape, convention: str) -> Shape:
    length, channels = _sequence_of(a, s, "class_token")
    return Shape((length + 1,), channels, True)


register(LayerType(
    name="class_token", aliases=("cls_embedding", "learned_class_token"),
    missing={"pytorch": _NO_MODULE.format(name="class_token; transformers' cls_token"), "keras": _NO_KERAS},
    description="A learned class token (ViT): one d-vector put in front of the sequence, length + 1.",
    args=(size("dim", "hidden_size", "d_model", symbol="d", infer="channels", doc="features of the vector"),
          TRAINABLE),
    tensors=lambda a, c: [Tensor("class_token", (ONE, ONE, a.dim))],
    formulas=lambda a, c: {"param": "d"},
    shape=_class_token_shape,
    macs=_zero_macs,
    macs_unchecked=_NO_MACS.format(what="a concatenation in front of the sequence"),
    input_kind="sequence",
))


def _pos_length(values: dict[str, Any], shape: Shape | None) -> None:
    """The table is as long as the sequence it is added to, unless its length is given."""
    if values.get("L") is None and shape is not None and shape.sequence and shape.rank == 1:
        values["L"] = shape.spatial[0]


def _pos_shape(a: Args, s: Shape, convention: str) -> Shape:
    length, _ = _sequence_of(a, s, "pos_embedding")
    if a.L is not None and is_number(a.L) and is_number(length) and a.L != length:
        raise SymcountError(f"pos_embedding has {a.L} positions, but the sequence has {length}",
                            hint="leave L out: the table is as long as the sequence it is added to")
    return s


def _pos_tensors(a: Args, convention: str) -> list[Tensor]:
    length = a.L if a.L is not None else sym("L")
    return [Tensor("pos_embedding", (ONE, length, a.dim))]


register(LayerType(
    name="pos_embedding", aliases=("position_embedding", "learned_position_embedding", "pos_embed"),
    missing={"pytorch": _NO_MODULE.format(name="pos_embedding; transformers' position_embeddings"),
             "keras": _NO_KERAS},
    description="A learned position embedding (ViT): an L x d table added to a sequence of vectors.",
    args=(ArgSpec("L", "size", None, ("length", "num_positions", "max_len"),
                  doc="positions (default: the length of the sequence it is added to)"),
          size("dim", "hidden_size", "d_model", symbol="d", infer="channels", doc="features of each vector"),
          TRAINABLE),
    tensors=_pos_tensors,
    formulas=lambda a, c: {"param": "L*d"},
    bindings=lambda a, c: {"L": a.L if a.L is not None else sym("L")},
    shape=_pos_shape,
    macs=_zero_macs,
    macs_unchecked=_NO_MACS.format(what="an element-wise add"),
    derive=_pos_length,
    input_kind="sequence",
))

register(LayerType(
    name="layer_scale", aliases=("layerscale",),
    missing={"pytorch": _NO_MODULE.format(name="CNBlock's layer_scale; transformers' layer_scale_parameter"),
             "keras": "Keras's ConvNeXt defines its own LayerScale (keras.applications.convnext), "
                      "not in keras.layers"},
    ignored=("init_values", "layer_scale_init_value", "projection_dim"),
    description="Layer scale (CaiT, ConvNeXt): a learned gamma per channel that multiplies the input.",
    args=(size("C", "dim", infer="channels", doc="channels"), TRAINABLE),
    tensors=lambda a, c: [Tensor("gamma" if c == "keras" else "layer_scale", (a.C,))],
    formulas=lambda a, c: {"param": "C"},
    shape=_identity_shape,
    macs=_zero_macs,
    macs_unchecked=_NO_MACS.format(what="an element-wise multiply"),
))


# -- moving values about ---------------------------------------------------------------------

def _must_divide(d: sympy.Expr, n: sympy.Expr, message: str) -> None:
    if divides(d, n) is False:
        raise SymcountError(message)


def _channels(s: Shape, layer: str) -> sympy.Expr:
    if s.channels is None:
        raise SymcountError(f"{layer} needs channels; the input is token ids", hint="embed the tokens first")
    return s.channels


def _split_shape(a: Args, s: Shape, convention: str) -> Shape:
    c = _channels(s, "channel_split")
    _must_divide(a.parts, c, f"channel_split into {a.parts} parts does not divide the {c} channels")
    return Shape(s.spatial, c / a.parts, s.sequence)


register(LayerType(
    name="channel_split", aliases=("chunk",),
    missing={"pytorch": "x.chunk(parts, dim=1) is a tensor method, not an nn.Module",
             "keras": "Keras splits with ops.split, not a layer"},
    description="Channel split (ShuffleNetV2): one of `parts` equal parts of the channels; a branch takes it.",
    args=(size("parts", "chunks", "num_or_size_splits", default=sympy.Integer(2), doc="equal parts"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_split_shape, macs=_zero_macs,
    zero_reason="no weights: it selects channels",
    macs_unchecked=_NO_MACS.format(what="x.chunk(2, dim=1)"),
))


def _shuffle_shape(a: Args, s: Shape, convention: str) -> Shape:
    c = _channels(s, "channel_shuffle")
    _must_divide(a.groups, c, f"channel_shuffle's {a.groups} groups do not divide the {c} channels")
    return s


register(LayerType(
    name="channel_shuffle", spellings=(torch_nn("ChannelShuffle", ("groups",)),),
    missing={"keras": "Keras has no channel shuffle layer (a Reshape, Permute, Reshape)"},
    description="Channel shuffle (ShuffleNet): interleaves the channels of `groups` groups.",
    args=(size("groups", "g", doc="groups"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_shuffle_shape, macs=_zero_macs,
    zero_reason="no weights: it reorders channels",
    frameworks=("pytorch",),
))


def _space_to_depth_shape(a: Args, s: Shape, convention: str) -> Shape:
    c = _channels(s, "space_to_depth")
    if not s.rank or s.sequence:
        raise SymcountError("space_to_depth needs a feature map (H, W, C)",
                            hint="put it after an input(H=..., W=..., C=...) or a convolution")
    for n in s.spatial:
        _must_divide(a.block, n, f"space_to_depth's block {a.block} does not divide the size {n}")
    return Shape(tuple(n / a.block for n in s.spatial), c * a.block ** s.rank)


register(LayerType(
    name="space_to_depth", spellings=(torch_nn("PixelUnshuffle", ("block",)),),
    aliases=("pixel_unshuffle",),
    missing={"keras": "Keras has no space-to-depth layer (TensorFlow's tf.nn.space_to_depth is a function)"},
    description="Space to depth: each block x block patch of positions becomes one position with block^2 x C channels.",
    args=(size("block", "downscale_factor", "block_size", default=sympy.Integer(2), doc="the patch side"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_space_to_depth_shape, macs=_zero_macs,
    zero_reason="no weights: it rearranges positions into channels",
    frameworks=("pytorch",),
))


def _to_sequence_shape(a: Args, s: Shape, convention: str) -> Shape:
    c = _channels(s, "to_sequence")
    if s.sequence or not s.rank:
        raise SymcountError("to_sequence needs a feature map (H, W, C); the input is already a sequence or a vector")
    return Shape((prod(s.spatial),), c, True)


register(LayerType(
    name="to_sequence", aliases=("patches_to_sequence", "flatten_positions"),
    missing={"pytorch": "x.flatten(2).transpose(1, 2) is two tensor methods, not an nn.Module",
             "keras": "Keras writes it as Reshape((-1, C))"},
    description="Feature map to sequence (ViT, Swin): the H x W positions become a sequence of H*W vectors of C.",
    args=(),
    tensors=_no_tensors, formulas=_no_formulas, shape=_to_sequence_shape, macs=_zero_macs,
    zero_reason="no weights: it only reshapes",
    macs_unchecked=_NO_MACS.format(what="x.flatten(2).transpose(1, 2)"),
))


# -- patch merging (Swin) ---------------------------------------------------------------------

def _merging_defaults(values: dict[str, Any], shape: Shape | None) -> None:
    if values.get("C_out") is None and isinstance(values.get("C"), sympy.Expr):
        values["C_out"] = 2 * values["C"]


def _merging_shape(a: Args, s: Shape, convention: str) -> Shape:
    if s.rank != 2 or s.sequence:
        raise SymcountError("patch_merging needs a 2-D feature map (H, W, C)",
                            hint="Swin's stages keep the H x W layout: write them on input(H=..., W=..., C=...)")
    for n in s.spatial:
        if divides(sympy.Integer(2), n) is False:
            raise SymcountError(f"patch_merging needs even sizes: {n} is odd",
                                hint="it concatenates each 2 x 2 patch of positions")
    return Shape(tuple(n / 2 for n in s.spatial), a.C_out)


def _merging_tensors(a: Args, convention: str) -> list[Tensor]:
    four = 4 * a.C
    if convention == "keras":
        return [Tensor("gamma", (four,)), Tensor("beta", (four,)), Tensor("kernel", (four, a.C_out))]
    return [Tensor("reduction.weight", (a.C_out, four)), Tensor("norm.weight", (four,)), Tensor("norm.bias", (four,))]


register(LayerType(
    name="patch_merging", aliases=("PatchMerging", "SwinPatchMerging"),
    missing={"pytorch": "torchvision's and transformers' PatchMerging, not a torch.nn module",
             "keras": _NO_KERAS},
    description="Patch merging (Swin): each 2 x 2 patch concatenated (4C), a layer norm, then a linear "
                "to C_out = 2C without bias.",
    args=(size("C", "dim", infer="channels", doc="channels in"),
          ArgSpec("C_out", "size", None, ("out_dim",), doc="channels out (default 2C)"),
          TRAINABLE),
    tensors=_merging_tensors,
    formulas=lambda a, c: {"param": "4*C*C_out + 2*4*C"},
    shape=_merging_shape,
    macs=lambda a, i, o: prod(o.spatial) * 4 * a.C * a.C_out,
    macs_doc="(H/2)(W/2) x 4C x C_out (the linear; the norm counts none)",
    macs_unchecked="not a torch.nn module; tests/test_vision.py checks it against a reference module",
    derive=_merging_defaults,
    dims=2,
))


# -- Keras's shape-only layers ----------------------------------------------------------------

_KERAS_ONLY = "PyTorch has no {what} module (it is the tensor method {method})"


def _keras_layout(layout: tuple[sympy.Expr, ...], sequence_hint: bool) -> Shape:
    """A channels-last Keras shape (no batch) as a Shape: the last size is the channels."""
    if len(layout) == 1:
        return Shape((), layout[0], False)
    return Shape(tuple(layout[:-1]), layout[-1], len(layout) == 2 and sequence_hint)


def _sizes(value: Any, what: str) -> tuple[sympy.Expr, ...]:
    """A size or a tuple of sizes (a whole number, -1 or a symbol each)."""
    items = value if isinstance(value, tuple) else (value,)
    for n in items:
        if isinstance(n, bool) or not isinstance(n, sympy.Expr) or (is_number(n) and not n.is_integer):
            raise SymcountError(f"{what} takes whole numbers, not {n}")
    return tuple(items)


def _reshape_shape(a: Args, s: Shape, convention: str) -> Shape:
    target = _sizes(a.target_shape, "target_shape")
    total = s.numel()
    unknown = [i for i, n in enumerate(target) if n == -1]
    if len(unknown) > 1:
        raise SymcountError("Reshape takes at most one -1 (the size worked out from the others)")
    known = prod(n for n in target if n != -1)
    sizes = list(target)
    if unknown:
        _must_divide(known, total, f"Reshape to {_written(target)} does not fit the {total} values of the input")
        sizes[unknown[0]] = total / known
    elif is_number(known) and is_number(total) and known != total:
        raise SymcountError(f"Reshape to {_written(target)} has {known} values; the input has {total}")
    for n in sizes:
        if is_number(n) and not n > 0:
            raise SymcountError(f"Reshape sizes must be positive (or one -1), not {n}")
    return _keras_layout(tuple(sizes), sequence_hint=True)


def _written(sizes: tuple[sympy.Expr, ...]) -> str:
    return "(" + ", ".join(str(n) for n in sizes) + ("," if len(sizes) == 1 else "") + ")"


register(LayerType(
    name="reshape", spellings=(keras_layer("Reshape", ("target_shape",)),),
    frameworks=("keras",),
    missing={"pytorch": _KERAS_ONLY.format(what="Reshape", method="x.reshape / x.view")},
    description="Keras's Reshape: the values in a new channels-last shape (one size may be -1).",
    args=(ArgSpec("target_shape", ANY, REQUIRED, ("shape",), doc="the new shape, channels last, no batch"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_reshape_shape, macs=_zero_macs,
    zero_reason="no weights: it only reshapes",
))


def _unflatten_shape(a: Args, s: Shape, convention: str) -> Shape:
    """nn.Unflatten(1, sizes) on a flat (N,) tensor: (n,), (C, L), (C, H, W) or (C, D, H, W), channels first.

    The sizes must multiply to N (one may be -1), as torch checks when the module runs: a product that
    is a number and differs is an error here; one that depends on a symbol is checked once it has a value.
    This is also how the PyTorch code reader writes ``x.view(-1, n)`` in forward: the size stated is
    kept, so a wrong ``n`` is not silently read as a flatten.
    """
    target = _sizes(a.unflattened_size, "unflattened_size")
    if a.dim not in (1, -1) or not 1 <= len(target) <= 4:
        raise SymcountError(f"Unflatten({a.dim}, {_written(target)}): only dim 1 into one to four sizes "
                            "(n; C, L; C, H, W; C, D, H, W) is followed")
    if s.spatial and len(target) > 1:
        raise SymcountError(f"Unflatten to {_written(target)} needs a flat input; the input has "
                            f"{len(s.spatial) + 1} sizes", hint="flatten it first")
    if s.channels is None:
        raise SymcountError("Unflatten needs a tensor of values; the input is token ids", hint="embed the tokens first")
    total = s.channels  # dim 1: the whole flat size, or an image's channels
    unknown = [i for i, n in enumerate(target) if n == -1]
    if len(unknown) > 1:
        raise SymcountError("Unflatten takes at most one -1 (the size worked out from the others)")
    known = prod(n for n in target if n != -1)
    sizes = list(target)
    if unknown:
        _must_divide(known, total, f"Unflatten to {_written(target)} does not fit the {total} values of dim 1")
        sizes[unknown[0]] = total / known
    elif is_number(known) and is_number(total) and known != total:
        raise SymcountError(f"Unflatten to {_written(target)} has {known} values; dim 1 of the input has {total}")
    for n in sizes:
        if is_number(n) and not n > 0:
            raise SymcountError(f"Unflatten sizes must be positive (or one -1), not {n}")
    if len(sizes) == 1:
        return Shape(s.spatial, sizes[0], s.sequence, s.channel_factors if not s.spatial else None)
    return Shape(tuple(sizes[1:]), sizes[0], False)


register(LayerType(
    name="unflatten", spellings=(torch_nn("Unflatten", ("dim", "unflattened_size")),),
    frameworks=("pytorch",),
    missing={"keras": "Keras writes it as Reshape(target_shape), channels last"},
    description="PyTorch's Unflatten: a flat tensor's values as (n), (C, L), (C, H, W) or (C, D, H, W); "
                "the sizes must multiply to the input's (one may be -1).",
    args=(ArgSpec("dim", ANY, REQUIRED, (), doc="the dimension unflattened: 1 (the first after the batch)"),
          ArgSpec("unflattened_size", ANY, REQUIRED, ("sizes",), doc="the new sizes, channels first, no batch")),
    tensors=_no_tensors, formulas=_no_formulas, shape=_unflatten_shape, macs=_zero_macs,
    zero_reason="no weights: it only reshapes",
))


def _permute_shape(a: Args, s: Shape, convention: str) -> Shape:
    dims = _sizes(a.order, "dims")
    layout = s.layout("keras")
    if sorted(int(d) if is_number(d) else 0 for d in dims) != list(range(1, len(layout) + 1)):
        raise SymcountError(f"Permute's dims {_written(dims)} must order the axes 1 to {len(layout)} of the input "
                            f"{_written(layout)}", hint="the axes are numbered from 1 (0 is the batch)")
    return _keras_layout(tuple(layout[int(d) - 1] for d in dims), s.sequence)


register(LayerType(
    name="permute", spellings=(keras_layer("Permute", ("order",)),),
    frameworks=("keras",),
    missing={"pytorch": _KERAS_ONLY.format(what="Permute", method="x.permute")},
    description="Keras's Permute: reorders the axes (numbered from 1, channels last).",
    args=(ArgSpec("order", ANY, REQUIRED, ("dims", "axes"), doc="the new order of the axes 1..n"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_permute_shape, macs=_zero_macs,
    zero_reason="no weights: it only reorders axes",
))

register(LayerType(
    name="rescaling", spellings=(keras_layer("Rescaling", ("scale", "offset")),),
    frameworks=("keras",),
    missing={"pytorch": _KERAS_ONLY.format(what="Rescaling", method="x * scale + offset")},
    description="Keras's Rescaling: x * scale + offset with fixed numbers (1/255 for pixels).",
    args=(ArgSpec("scale", ANY, None, (), doc="the fixed factor (a number or one per channel)"),
          ArgSpec("offset", ANY, None, (), doc="the fixed shift")),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: scale and offset are fixed",
))


# -- Keras's Normalization ---------------------------------------------------------------------

def _kept_sizes(a: Args) -> tuple[sympy.Expr, ...]:
    """The sizes of Keras Normalization's kept axes: the shape of its mean and variance."""
    shape: Shape | None = a.get("input_shape")
    if a.axis is None:
        return ()
    axes = a.axis if isinstance(a.axis, tuple) else (a.axis,)
    if shape is None:
        if axes == (sympy.Integer(-1),):
            return (sym("C"),)
        raise SymcountError("normalization's axis needs the input shape: put the layer in a network after input(...)")
    layout = shape.layout("keras")
    rank = len(layout) + 1
    out = []
    for x in axes:
        if not (isinstance(x, sympy.Integer) and not isinstance(x, bool)):
            raise SymcountError(f"axis takes axis numbers (negative from the end), not {x}")
        index = int(x) + rank if x < 0 else int(x)
        if not 1 <= index < rank:
            raise SymcountError(f"axis {x} is not a feature axis of the input's {rank - 1} axes (0 is the batch)")
        out.append(index)
    return tuple(layout[i - 1] for i in sorted(set(out)))


def _given(a: Args) -> bool:
    return a.mean is not None and a.variance is not None


def _normalization_tensors(a: Args, convention: str) -> list[Tensor]:
    if _given(a):
        return []
    kept = _kept_sizes(a)
    return [Tensor("mean", kept, role="stat"), Tensor("variance", kept, role="stat"),
            Tensor("count", (), role="stat")]


def _normalization_formulas(a: Args, convention: str) -> dict[str, str]:
    if _given(a):
        return {}
    kept = _kept_sizes(a)
    if not kept:
        return {"stat": "2 + 1"}
    return {"stat": "2*C + 1" if len(kept) == 1 else "2*N + 1"}


def _normalization_bindings(a: Args, convention: str) -> dict[str, sympy.Expr]:
    kept = _kept_sizes(a) if not _given(a) else ()
    if len(kept) == 1:
        return {"C": kept[0]}
    return {"N": prod(kept)} if kept else {}


register(LayerType(
    name="normalization", spellings=(keras_layer("Normalization", ("axis", "mean", "variance", "invert")),),
    frameworks=("keras",),
    missing={"pytorch": "PyTorch has no preprocessing layer: torchvision's Normalize is a transform, not a module"},
    ignored=("invert",),
    description="Keras's Normalization: (x - mean)/sqrt(variance); the mean, variance and count come from adapt() "
                "(non-trainable), or are given and are no weights.",
    args=(ArgSpec("axis", ANY, sympy.Integer(-1), (), doc="the axes kept (one statistic each); None: one in all"),
          ArgSpec("mean", ANY, None, (), doc="given means: no weights"),
          ArgSpec("variance", ANY, None, (), doc="given variances: no weights")),
    tensors=_normalization_tensors,
    formulas=_normalization_formulas,
    bindings=_normalization_bindings,
    symbols={"N": "the product of the kept axes' sizes", "C": "the size of the kept axis (the channels by default)"},
    shape=_identity_shape,
    macs=_zero_macs,
    zero_reason="no weights: mean and variance are given",
    validate=lambda a: ("mean", "Keras's Normalization takes mean= and variance= together, or neither (adapt)")
    if (a.mean is None) != (a.variance is None) else None,
))


# -- Keras's merge layers ----------------------------------------------------------------------

#: Keras's merge layers, which take a list of tensors: symcount writes them as parallel(merge=...)
KERAS_MERGE_LAYERS = {"Add": "add", "Multiply": "mul", "Maximum": "max", "Average": "mean", "Concatenate": "concat"}


def merge_layer_hint(name: str) -> str | None:
    """How to write Keras's merge layer ``name`` (``Multiply``) in symcount, or None for another name."""
    merge = KERAS_MERGE_LAYERS.get(name)
    if merge is None:
        return None
    return (f'{name} merges the outputs of branches: write parallel(merge="{merge}") '
            "{ branch { ... } branch { ... } }")
