"""Attention and transformer layers: multi-head attention, encoder and decoder layers, gated MLPs."""

from __future__ import annotations

from typing import Any

import sympy

from symcount.catalog.common import bias_arg, divides, positions, size
from symcount.catalog.core import (
    _KERNEL_OPTIONS,
    ANY,
    BIAS,
    COUNT,
    FLAG,
    ONE,
    SIZE,
    STRING,
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
from symcount.language.symbols import is_number


def _attention_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and not _same(a.out_dim, a.d_model):
        out.append("PyTorch's MultiheadAttention outputs embed_dim features: "
                   "Keras's output_shape projection is counted")
    if convention == "keras" and a.add_bias_kv:
        out.append("Keras's MultiHeadAttention has no add_bias_kv: PyTorch's bias_k and bias_v are counted")
    if convention == "keras" and a.get("add_zero_attn"):
        out.append("Keras's MultiHeadAttention has no add_zero_attn: PyTorch's extra zero key is in the MACs")
    return out + _attention_layout_caveats(a, convention)


def _attention_layout_caveats(a: Args, convention: str) -> list[str]:
    if convention == "pytorch" and not _attention_standard(a):
        if not _attention_uniform(a):
            return ["PyTorch's MultiheadAttention has one bias for all projections, no QK-norm and no relative "
                    "position bias: separate q/k/v/o projections (as in Qwen, Whisper, T5 and Swin) are counted"]
        return ["PyTorch's MultiheadAttention has head size d_model/heads and one key/value head per head: "
                "separate q/k/v/o projections (as in Llama) are counted"]
    if convention == "keras" and not _attention_uniform(a):
        return ["Keras's MultiHeadAttention has one use_bias for all projections, no QK-norm and no relative "
                "position bias: the per-projection biases, norms and tables written are counted"]
    if (convention == "keras" and budget.is_zero(a.kv_heads - a.heads) is not True
            and budget.is_zero(a.value_dim - a.key_dim) is not True):
        return ["Keras's GroupQueryAttention has one head size for keys and values: value_dim follows the formula"]
    return []


# -- attention and transformers ----------------------------------------------------------

def _attention_defaults(values: dict[str, Any], shape: Shape | None) -> None:
    if values.get("key_dim") is None:
        values["key_dim"] = values["d_model"] / values["heads"]
    if values.get("value_dim") is None:
        values["value_dim"] = values["key_dim"]
    if values.get("kv_heads") is None:
        values["kv_heads"] = values["heads"]
    for name in ("kdim", "vdim", "out_dim"):  # key/value inputs and the output: d_model wide unless told
        if values.get(name) is None:
            values[name] = values["d_model"]
    for name in _PROJECTION_BIASES:  # each projection's bias follows bias= unless told
        if values.get(name) is None:
            values[name] = values["bias"]


#: the per-projection bias arguments, in the order q, k, v, o
_PROJECTION_BIASES = ("q_bias", "k_bias", "v_bias", "o_bias")
#: qk_norm's values: the norm over each query and key head (head_dim wide), none by default
QK_NORMS = ("none", "rmsnorm", "layernorm")


def _check_attention(a: Args) -> tuple[str, str] | None:
    if a.qk_norm not in QK_NORMS:
        return "qk_norm", f'qk_norm must be "rmsnorm", "layernorm" or "none", not "{a.qk_norm}"'
    q = a.key_dim
    if not q.free_symbols and not q.is_integer:
        return "heads", f"heads={a.heads} does not divide d_model={a.d_model}; give key_dim"
    if divides(a.kv_heads, a.heads) is False:
        return "kv_heads", f"kv_heads={a.kv_heads} does not divide heads={a.heads}"
    return None


def _attention_uniform(a: Args) -> bool:
    """One bias for all four projections and no QK-norm: what MultiheadAttention can hold."""
    return a.qk_norm == "none" and a.relative_buckets == 0 and a.window == 0 \
        and all(_same(a.get(name), a.bias) for name in _PROJECTION_BIASES)


def _attention_standard(a: Args) -> bool:
    """PyTorch MultiheadAttention's layout: head size d_model/heads, one K/V head per head, one bias."""
    return bool(
        _attention_uniform(a)
        and budget.is_zero(a.key_dim * a.heads - a.d_model) is True
        and budget.is_zero(a.value_dim - a.key_dim) is True
        and budget.is_zero(a.kv_heads - a.heads) is True
    )


def _same(x: sympy.Expr, y: sympy.Expr) -> bool:
    return budget.is_zero(x - y) is True


def _attention_plain_io(a: Args) -> bool:
    """Keys, values and output all d_model wide, and no add_bias_kv: the textbook layer."""
    return _same(a.kdim, a.d_model) and _same(a.vdim, a.d_model) and _same(a.out_dim, a.d_model) \
        and not a.add_bias_kv


def _attention_tensors(a: Args, convention: str) -> list[Tensor]:
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    kd, vd, out = a.kdim, a.vdim, a.out_dim
    bias_kv = [Tensor("bias_k", (ONE, ONE, d)), Tensor("bias_v", (ONE, ONE, d))] if a.add_bias_kv else []
    bq, bk, bv, bo = a.q_bias, a.k_bias, a.v_bias, a.o_bias
    if convention == "keras":
        return [
            Tensor("query/kernel", (d, h, dk)), Tensor("query/bias", (h, dk), present=bq),
            Tensor("key/kernel", (kd, kv, dk)), Tensor("key/bias", (kv, dk), present=bk),
            Tensor("value/kernel", (vd, kv, dv)), Tensor("value/bias", (kv, dv), present=bv),
            Tensor("attention_output/kernel", (h, dv, out)),
            Tensor("attention_output/bias", (out,), present=bo),
        ] + _qk_norm_tensors(a) + bias_kv + _relative_bias_tensors(a)
    if _attention_standard(a):
        if _same(kd, d) and _same(vd, d):
            inputs = [Tensor("in_proj_weight", (3 * d, d))]
        else:  # PyTorch keeps separate projections when kdim or vdim differ from embed_dim
            inputs = [Tensor("q_proj_weight", (d, d)), Tensor("k_proj_weight", (d, kd)),
                      Tensor("v_proj_weight", (d, vd))]
        return inputs + [Tensor("in_proj_bias", (3 * d,), present=a.bias)] + bias_kv + [
            Tensor("out_proj.weight", (out, d)), Tensor("out_proj.bias", (out,), present=a.bias),
        ]
    return [
        Tensor("q_proj.weight", (h * dk, d)), Tensor("q_proj.bias", (h * dk,), present=bq),
        Tensor("k_proj.weight", (kv * dk, kd)), Tensor("k_proj.bias", (kv * dk,), present=bk),
        Tensor("v_proj.weight", (kv * dv, vd)), Tensor("v_proj.bias", (kv * dv,), present=bv),
        Tensor("o_proj.weight", (out, h * dv)), Tensor("o_proj.bias", (out,), present=bo),
    ] + _qk_norm_tensors(a) + bias_kv + _relative_bias_tensors(a)


def _relative_bias_tensors(a: Args) -> list[Tensor]:
    """T5's relative_attention_bias: one learned scalar per (distance bucket, head), added to the scores."""
    present = ZERO if a.relative_buckets == 0 else ONE
    return [Tensor("relative_attention_bias.weight", (a.relative_buckets, a.heads), present=present)] \
        + _window_tensors(a)


def _window_tensors(a: Args) -> list[Tensor]:
    """Swin's window attention: a learned (2w - 1)^2 x heads table, one scalar per relative offset (dy, dx)
    in a w x w window and head, and the index buffer that reads it for each of the w^2 x w^2 (query, key)
    pairs (transformers keeps it flat, non-persistent: counted among the buffers, never saved)."""
    w = a.window
    if w == 0:
        return []
    return [Tensor("relative_position_bias.relative_position_bias_table", ((2 * w - 1) ** 2, a.heads)),
            Tensor("relative_position_bias.relative_position_index", (w ** 4,), role="stat")]


def _qk_norm_tensors(a: Args) -> list[Tensor]:
    """Qwen3's q_norm and k_norm: one norm over head_dim, shared by every query (key) head."""
    if a.qk_norm == "none":
        return []
    out = []
    for norm in ("q_norm", "k_norm"):
        out.append(Tensor(f"{norm}.weight", (a.key_dim,)))
        if a.qk_norm == "layernorm":
            out.append(Tensor(f"{norm}.bias", (a.key_dim,)))
    return out


def _qk_norm_formula(a: Args) -> str:
    return {"none": "", "rmsnorm": " + 2*d_k", "layernorm": " + 4*d_k"}[a.qk_norm]


def _attention_formulas(a: Args, convention: str) -> dict[str, str]:
    if not _attention_uniform(a):
        relative = "" if a.relative_buckets == 0 else " + n_b*h"
        if a.window == 0:
            return {"param": _per_projection_formula(a) + _qk_norm_formula(a) + relative}
        return {"param": _per_projection_formula(a) + _qk_norm_formula(a) + relative + " + (2*w - 1)^2*h",
                "stat": "w^4"}
    if not _attention_plain_io(a):
        extra = " + 2*d_model" if a.add_bias_kv else ""
        return {"param": "(d_model + b)*h*d_k + (d_kin + b)*h_kv*d_k + (d_vin + b)*h_kv*d_v"
                         f" + (h*d_v + b)*d_out{extra}"}
    if _attention_standard(a):
        return {"param": "4*(d_model + b)*d_model"}
    if budget.is_zero(a.kv_heads - a.heads) is True and budget.is_zero(a.value_dim - a.key_dim) is True:
        return {"param": "3*(d_model + b)*h*d_k + (h*d_k + b)*d_model"}
    return {"param": "(d_model + b)*h*d_k + (d_model + b)*h_kv*d_k + (d_model + b)*h_kv*d_v"
                     " + (h*d_v + b)*d_model"}


def _per_projection_formula(a: Args) -> str:
    """q, k, v and o each with its bias indicator: b where it is bias=, b_q (b_k, ...) where it is
    not, left out where the projection has none (Qwen2's o_proj, Whisper's k_proj)."""
    names = {}
    for name, symbol in zip(_PROJECTION_BIASES, ("b_q", "b_k", "b_v", "b_o"), strict=True):
        value = a.get(name)
        names[symbol] = "" if value == ZERO else ("b" if _same(value, a.bias) else symbol)
    plain = _attention_plain_io(a)
    kin, vin, out = ("d_model", "d_model", "d_model") if plain else ("d_kin", "d_vin", "d_out")
    extra = " + 2*d_model" if a.add_bias_kv else ""

    def factor(width: str, bias: str) -> str:
        return f"({width} + {bias})" if bias else width

    return (f"{factor('d_model', names['b_q'])}*h*d_k + {factor(kin, names['b_k'])}*h_kv*d_k"
            f" + {factor(vin, names['b_v'])}*h_kv*d_v + {factor('h*d_v', names['b_o'])}*{out}{extra}")


def _attention_shape(a: Args, s: Shape, convention: str) -> Shape:
    """The same positions, out_dim features; window attention needs an H x W map its w x w windows tile."""
    if a.window != 0:
        if s.rank != 2 or s.sequence:
            raise SymcountError(f"window={a.window} attends within w x w windows of a 2-D feature map (H, W, C); "
                                "the input here is not one",
                                hint="Swin's stages keep the H x W layout: write them on input(H=..., W=..., C=...)")
        for n in s.spatial:
            if divides(a.window, n) is False:
                raise SymcountError(f"window={a.window} does not divide the feature map's size {n}",
                                    hint="transformers pads the map to a multiple of the window; "
                                         "symcount counts only maps the windows tile exactly")
    return Shape(s.spatial, a.out_dim, s.sequence)


def _attention_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    """Projections of L positions, then scores and weighted sum over the keys: L of them, one more with
    add_bias_kv (PyTorch appends bias_k and bias_v as an extra key and value position) and one more
    with add_zero_attn (a zero key and value)."""
    L = positions(i)
    S = a.memory_len if a.memory_len is not None else L  # cross-attention: the other stream's length
    keys = S + (1 if a.add_bias_kv else 0) + (1 if a.get("add_zero_attn") else 0)
    if a.window != 0:  # L/w^2 windows x h x w^2 queries x w^2 keys: each query sees the w^2 keys of its window
        keys = a.window ** 2
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    projections = L * d * h * dk + S * (a.kdim * kv * dk + a.vdim * kv * dv) + L * h * dv * a.out_dim
    return projections + L * keys * h * dk + L * keys * h * dv


register(LayerType(
    name="attention",
    ignored=("dropout", "batch_first", "flash_attention", "seed", *_KERNEL_OPTIONS[1:]),
    unmodelled=(Unmodelled("attention_axes", (None,), "attention over other axes than the sequence changes the "
                           "score matrix symcount sizes", 1),
                Unmodelled("sliding_window", (None,), "a sliding window changes the scores symcount counts", 4),
                Unmodelled("use_gate", (False,), "the gate adds a projection symcount does not count", True)),
    spellings=(torch_nn("MultiheadAttention", ("d_model", "heads", "dropout", "bias", "add_bias_kv", "add_zero_attn",
                                               "kdim", "vdim", "batch_first")),
               keras_layer("MultiHeadAttention", ("heads", "key_dim", "value_dim", "dropout", "bias"))),
    aliases=("mha", "multihead_attention", "self_attention", "GroupQueryAttention"),
    homonyms={"keras.layers.Attention": "Keras's Attention is dot-product attention without projections "
                                        "(no weights of its own)",
              "keras.layers.GroupQueryAttention": "Keras's GroupQueryAttention takes other arguments "
                                                  "(head_dim, num_query_heads, num_key_value_heads)"},
    description="Multi-head (self-)attention: query, key, value and output projections.",
    args=(
        size("d_model", "embed_dim", "hidden_size", infer="channels", doc="model width"),
        size("heads", "num_heads", "nhead", "n_heads", "num_query_heads", symbol="h", doc="attention heads"),
        bias_arg(),
        ArgSpec("key_dim", SIZE, None, ("head_dim",), symbol="d_k", doc="size per head (default d_model/heads)"),
        ArgSpec("value_dim", SIZE, None, (), symbol="d_v", doc="value size per head (default key_dim)"),
        ArgSpec("kv_heads", SIZE, None, ("num_key_value_heads", "n_kv_heads", "num_kv_heads"), symbol="h_kv",
                doc="key/value heads (grouped-query attention; default heads)"),
        ArgSpec("kdim", SIZE, None, (), symbol="d_kin", doc="features of the key input (default d_model)"),
        ArgSpec("vdim", SIZE, None, (), symbol="d_vin", doc="features of the value input (default d_model)"),
        ArgSpec("out_dim", SIZE, None, ("output_shape",), symbol="d_out",
                doc="output features (Keras output_shape; default d_model)"),
        ArgSpec("add_bias_kv", FLAG, False, (), doc="PyTorch: learned bias_k and bias_v appended to the keys/values"),
        ArgSpec("add_zero_attn", FLAG, False, (),
                doc="PyTorch: a zero key and value appended (no weights; one more key in the MACs)"),
        ArgSpec("q_bias", BIAS, None, (), symbol="b_q", doc="bias of the query projection (default: bias)"),
        ArgSpec("k_bias", BIAS, None, (), symbol="b_k", doc="bias of the key projection (default: bias)"),
        ArgSpec("v_bias", BIAS, None, (), symbol="b_v", doc="bias of the value projection (default: bias)"),
        ArgSpec("o_bias", BIAS, None, (), symbol="b_o", doc="bias of the output projection (default: bias)"),
        ArgSpec("qk_norm", STRING, "none", (), doc='"rmsnorm" or "layernorm" over head_dim on every query and '
                                                 'key head (Qwen3; shared by the heads)'),
        ArgSpec("relative_buckets", COUNT, ZERO, ("relative_attention_num_buckets",), symbol="n_b",
                doc="T5's relative position bias: a buckets x heads table (0: none)"),
        ArgSpec("window", COUNT, ZERO, ("window_size",), symbol="w",
                doc="window size (Swin: attention within w x w windows of an H x W map, a (2w - 1)^2 x heads "
                    "relative position bias table and its w^4 index buffer; 0: global attention)"),
        ArgSpec("to", ANY, None, (), doc="cross-attention: the label of a stream (name: stream { input(...) ... }) "
                                         "whose output gives the keys and values; its width is kdim and vdim, "
                                         "its length memory_len"),
        ArgSpec("memory_len", SIZE, None, ("source_len", "kv_len"), symbol="S",
                doc="positions of the keys and values (MACs only; default: the query length L, or the stream's "
                    "length with to=)"),
        TRAINABLE,
    ),
    tensors=_attention_tensors,
    formulas=_attention_formulas,
    shape=_attention_shape,
    macs=_attention_macs,
    macs_doc="L · d_model · h · d_k + S · (d_kin + d_vin) · h_kv · d_k + L · h · d_v · d_model + 2 · L · S · h · d_k"
             " (S = L for self-attention; S = w^2 with window=w: L/w^2 windows × h × w^2 × w^2 × d_k scores)",
    input_kind="sequence",
    derive=_attention_defaults,
    validate=_check_attention,
    caveats=_attention_caveats,
))


#: PyTorch's transformer layers have no Keras 3 class.
_NO_KERAS_TRANSFORMER = {"keras": "Keras 3 has no transformer layer (it lives in KerasHub)"}


def _heads_divide_width(a: Args) -> tuple[str, str] | None:
    """A transformer layer splits d_model across its heads."""
    if divides(a.heads, a.d_model) is False:
        return "heads", f"heads={a.heads} does not divide d_model={a.d_model}"
    return None


def _tel_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    return [
        Tensor("self_attn.in_proj_weight", (3 * d, d)),
        Tensor("self_attn.in_proj_bias", (3 * d,), present=a.bias),
        Tensor("self_attn.out_proj.weight", (d, d)),
        Tensor("self_attn.out_proj.bias", (d,), present=a.bias),
        Tensor("linear1.weight", (ff, d)), Tensor("linear1.bias", (ff,), present=a.bias),
        Tensor("linear2.weight", (d, ff)), Tensor("linear2.bias", (d,), present=a.bias),
        Tensor("norm1.weight", (d,)), Tensor("norm1.bias", (d,), present=a.bias),
        Tensor("norm2.weight", (d,)), Tensor("norm2.bias", (d,), present=a.bias),
    ]


def _tel_formulas(a: Args, convention: str) -> dict[str, str]:
    norms = {ONE: "4*d_model", ZERO: "2*d_model"}.get(a.bias, "2*(1 + b)*d_model")
    return {"param": f"4*(d_model + b)*d_model + (d_model + b)*d_ff + (d_ff + b)*d_model + {norms}"}


#: PyTorch's positional order of TransformerEncoderLayer and TransformerDecoderLayer
_TORCH_TRANSFORMER_LAYER = ("d_model", "heads", "ff", "dropout", "activation", "layer_norm_eps", "batch_first",
                            "norm_first", "bias")


def _transformer_layer_args() -> tuple[ArgSpec, ...]:
    """The arguments PyTorch's encoder and decoder layers share (width, heads, feed-forward, bias)."""
    return (
        size("d_model", "embed_dim", "hidden_size", infer="channels"),
        size("heads", "num_heads", "nhead", symbol="h"),
        size("ff", "dim_feedforward", "intermediate_size", symbol="d_ff", default=sympy.Integer(2048),
             doc="feed-forward size"),
        bias_arg(),
    )


register(LayerType(
    name="transformer_encoder_layer",
    ignored=("dropout", "activation", "layer_norm_eps", "batch_first", "norm_first"),
    spellings=(torch_nn("TransformerEncoderLayer", _TORCH_TRANSFORMER_LAYER),),
    aliases=("encoder_layer",),
    description="PyTorch TransformerEncoderLayer: self-attention, a two-layer feed-forward, two layer norms.",
    args=(
        *_transformer_layer_args(),
        TRAINABLE,
    ),
    tensors=_tel_tensors,
    formulas=_tel_formulas,
    shape=lambda a, s, c: s,
    macs=lambda a, i, o: (4 * a.d_model * a.d_model * positions(i) + 2 * positions(i) ** 2 * a.d_model
                          + 2 * positions(i) * a.d_model * a.ff),
    macs_doc="attention + 2 · L · d_model · d_ff",
    frameworks=("pytorch",),
    missing=_NO_KERAS_TRANSFORMER,
    input_kind="sequence",
    validate=_heads_divide_width,
))


def _tdl_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    out = []
    for attn in ("self_attn", "multihead_attn"):
        out += [Tensor(f"{attn}.in_proj_weight", (3 * d, d)), Tensor(f"{attn}.in_proj_bias", (3 * d,), present=a.bias),
                Tensor(f"{attn}.out_proj.weight", (d, d)), Tensor(f"{attn}.out_proj.bias", (d,), present=a.bias)]
    out += [Tensor("linear1.weight", (ff, d)), Tensor("linear1.bias", (ff,), present=a.bias),
            Tensor("linear2.weight", (d, ff)), Tensor("linear2.bias", (d,), present=a.bias)]
    for norm in ("norm1", "norm2", "norm3"):
        out += [Tensor(f"{norm}.weight", (d,)), Tensor(f"{norm}.bias", (d,), present=a.bias)]
    return out


def _tdl_formulas(a: Args, convention: str) -> dict[str, str]:
    norms = {ONE: "6*d_model", ZERO: "3*d_model"}.get(a.bias, "3*(1 + b)*d_model")
    return {"param": f"8*(d_model + b)*d_model + (d_model + b)*d_ff + (d_ff + b)*d_model + {norms}"}


def _tdl_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    """Self-attention over the L target positions, cross-attention to S memory positions, the feed-forward."""
    L, d = positions(i), a.d_model
    S = a.memory_len if a.memory_len is not None else L
    self_attn = 4 * L * d * d + 2 * L * L * d
    cross_attn = 2 * L * d * d + 2 * S * d * d + 2 * L * S * d
    return self_attn + cross_attn + 2 * L * d * a.ff


register(LayerType(
    name="transformer_decoder_layer",
    ignored=("dropout", "activation", "layer_norm_eps", "batch_first", "norm_first"),
    spellings=(torch_nn("TransformerDecoderLayer", _TORCH_TRANSFORMER_LAYER),),
    aliases=("decoder_layer",),
    description="PyTorch TransformerDecoderLayer: self-attention, cross-attention to the encoder's memory, "
                "a two-layer feed-forward, three layer norms.",
    args=(
        *_transformer_layer_args(),
        ArgSpec("memory_len", SIZE, None, ("memory_length", "source_len"), symbol="S",
                doc="positions of the memory attended to (MACs only; default: the target length L)"),
        TRAINABLE,
    ),
    tensors=_tdl_tensors,
    formulas=_tdl_formulas,
    shape=lambda a, s, c: s,
    macs=_tdl_macs,
    macs_doc="self-attention + cross-attention to S memory positions (default S = L) + 2 · L · d_model · d_ff",
    frameworks=("pytorch",),
    missing=_NO_KERAS_TRANSFORMER,
    input_kind="sequence",
    validate=_heads_divide_width,
))


def _gated_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    return [
        Tensor("gate_proj.weight", (ff, d)), Tensor("gate_proj.bias", (ff,), present=a.bias),
        Tensor("up_proj.weight", (ff, d)), Tensor("up_proj.bias", (ff,), present=a.bias),
        Tensor("down_proj.weight", (d, ff)), Tensor("down_proj.bias", (d,), present=a.bias),
    ]


register(LayerType(
    name="gated_mlp",
    aliases=("swiglu", "geglu", "LlamaMLP", "MistralMLP"),
    missing={"keras": "Keras has no gated MLP layer (it lives in KerasHub models)"},
    description="Gated feed-forward (SwiGLU/GeGLU) of Llama and Mistral: gate, up and down projections.",
    args=(
        size("d_model", "hidden_size", "dim", infer="channels"),
        size("ff", "intermediate_size", "d_ff", "hidden_dim", symbol="d_ff"),
        bias_arg(default=False),
        TRAINABLE,
    ),
    tensors=_gated_tensors,
    formulas=lambda a, c: {"param": "3*d_model*d_ff" if a.bias == ZERO
                           else "2*(d_model + b)*d_ff + (d_ff + b)*d_model"},
    shape=lambda a, s, c: s,
    macs=lambda a, i, o: 3 * a.d_model * a.ff * positions(i),
    macs_doc="3 · d_model · d_ff · L",
    input_kind="sequence",
))


# -- multi-head latent attention (DeepSeek-V2, V3) ------------------------------------------

def _mla_q_width(a: Args) -> sympy.Expr:
    """Each query (and key) head: a part without positions (nope) and a rotary part (rope)."""
    return a.qk_nope_head_dim + a.qk_rope_head_dim


def _mla_q_latent(a: Args) -> bool:
    """Whether queries go through a latent: q_lora_rank given and not 0 (DeepSeek-V2-Lite has none)."""
    return a.q_lora_rank is not None and a.q_lora_rank != 0


def _mla_tensors(a: Args, convention: str) -> list[Tensor]:
    d, h, rkv, rope, b = a.d_model, a.heads, a.kv_lora_rank, a.qk_rope_head_dim, a.bias
    q = _mla_q_width(a)
    if not _mla_q_latent(a):
        queries = [Tensor("q_proj.weight", (h * q, d))]
    else:
        rq = a.q_lora_rank
        queries = [Tensor("q_a_proj.weight", (rq, d)), Tensor("q_a_proj.bias", (rq,), present=b),
                   Tensor("q_a_layernorm.weight", (rq,)), Tensor("q_b_proj.weight", (h * q, rq))]
    return queries + [
        Tensor("kv_a_proj_with_mqa.weight", (rkv + rope, d)), Tensor("kv_a_proj_with_mqa.bias", (rkv + rope,), present=b),
        Tensor("kv_a_layernorm.weight", (rkv,)),
        Tensor("kv_b_proj.weight", (h * (a.qk_nope_head_dim + a.v_head_dim), rkv)),
        Tensor("o_proj.weight", (d, h * a.v_head_dim)), Tensor("o_proj.bias", (d,), present=b),
    ]


def _mla_formulas(a: Args, convention: str) -> dict[str, str]:
    """The whole count, and its low-rank factors by name (``part:``), as a derivation shows them."""
    if _mla_q_latent(a):
        queries = {"q down|q_a_proj: d_model down to the query latent": "(d_model + b)*r_q",
                   "q norm|q_a_layernorm: RMSNorm of the query latent": "r_q",
                   "q up|q_b_proj: the latent up to every head's query": "r_q*h*(d_nope + d_rope)"}
    else:
        queries = {"q|q_proj: no query latent": "d_model*h*(d_nope + d_rope)"}
    parts = {**queries,
             "kv down|kv_a_proj_with_mqa: the kv latent and the one rotary key all heads share":
                 "(d_model + b)*(r_kv + d_rope)",
             "kv norm|kv_a_layernorm: RMSNorm of the kv latent": "r_kv",
             "kv up|kv_b_proj: the latent up to every head's position-free key and value":
                 "r_kv*h*(d_nope + d_v)",
             "out|o_proj": "(h*d_v + b)*d_model"}
    return {"param": " + ".join(parts.values()), **{f"part:{name}": text for name, text in parts.items()}}


def _mla_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    """The projections as transformers runs them (the latent kv expanded to every head), then scores over
    query/key heads of d_nope + d_rope and the weighted sum of d_v-wide values, over L keys."""
    L = positions(i)
    d, h, rkv, rope, dv = a.d_model, a.heads, a.kv_lora_rank, a.qk_rope_head_dim, a.v_head_dim
    q = _mla_q_width(a)
    queries = d * h * q if not _mla_q_latent(a) else d * a.q_lora_rank + a.q_lora_rank * h * q
    projections = queries + d * (rkv + rope) + rkv * h * (a.qk_nope_head_dim + dv) + h * dv * d
    return L * projections + L * L * h * q + L * L * h * dv


def _check_mla(a: Args) -> tuple[str, str] | None:
    for name in ("q_lora_rank", "kv_lora_rank"):
        rank = a.get(name)
        if rank is not None and is_number(rank) and is_number(a.d_model) and rank > a.d_model:
            return name, (f"{name}={rank} is more than d_model={a.d_model}: a low-rank projection's rank "
                          "is at most its input width")
    rope = a.qk_rope_head_dim
    if is_number(rope) and rope % 2:
        return "qk_rope_head_dim", f"qk_rope_head_dim={rope} is odd: rotary positions turn pairs of features"
    return None


register(LayerType(
    name="latent_attention",
    aliases=("mla", "multi_head_latent_attention", "DeepseekV3Attention", "DeepseekV2Attention"),
    missing={"keras": "Keras has no latent attention layer"},
    description="Multi-head latent attention (DeepSeek-V2/V3): queries and keys/values through low-rank "
                "latents, each head split into a rotary and a position-free part.",
    args=(
        size("d_model", "hidden_size", "embed_dim", infer="channels", doc="model width"),
        size("heads", "num_heads", "num_attention_heads", symbol="h", doc="attention heads"),
        ArgSpec("q_lora_rank", COUNT, None, (), symbol="r_q",
                doc="rank of the query latent (default, None or 0: no latent, a full q_proj)"),
        size("kv_lora_rank", symbol="r_kv", doc="rank of the compressed key/value latent (what is cached)"),
        size("qk_rope_head_dim", symbol="d_rope", doc="rotary part of each query/key head"),
        size("qk_nope_head_dim", symbol="d_nope", doc="position-free part of each query/key head"),
        size("v_head_dim", symbol="d_v", doc="size of each value head"),
        bias_arg(default=False),
        TRAINABLE,
    ),
    tensors=_mla_tensors,
    formulas=_mla_formulas,
    shape=lambda a, s, c: Shape(s.spatial, a.d_model, s.sequence),
    macs=_mla_macs,
    macs_doc="L · (d_model · r_q + r_q · h · (d_nope + d_rope) + d_model · (r_kv + d_rope) + r_kv · h · (d_nope + d_v)"
             " + h · d_v · d_model) + L^2 · h · (d_nope + d_rope + d_v)",
    input_kind="sequence",
    validate=_check_mla,
))
