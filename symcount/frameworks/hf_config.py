"""A Hugging Face ``config.json`` as a symcount description, with transformers nowhere in sight.

The family comes from ``model_type``, the head from ``architectures[0]``; each family
is one entry of :data:`FAMILIES`: the block of the zoo it calls (package data in
``symcount/frameworks/families/``), the defaults of transformers' configuration class
for every key it reads (a key the file leaves out takes that default, as
``from_pretrained`` would), the block arguments it computes from the keys, and the
heads it knows. The result is ordinary symcount text (the family's block and one
network calling it), so every verb works on it and ``symcount describe`` prints it for
a user to keep and edit.

Nothing is guessed: a key of the wrong type, widths that do not divide into heads, an
option that would change the count and is not modelled, a family that needs attention
options the language does not have yet: each is an error naming the key, positioned in
the JSON text.
"""

from __future__ import annotations

import importlib.resources
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from symcount.errors import SymcountError, did_you_mean
from symcount.frameworks.json_spans import Span, locate, position
from symcount.language.nodes import Pos

#: A value a block call takes: a size, a switch or an option's name.
Value = int | bool | str



@dataclass(frozen=True)
class Head:
    """One architecture of a family: the switches its block call takes, and the layers the class puts
    after the base model (a classifier), where ``{labels}`` is the number of labels and
    ``{token_bias}`` the token classifier's bias (``token_classification_bias``)."""

    flags: Mapping[str, bool] = field(default_factory=dict)
    tail: tuple[str, ...] = ()


def _decoder_heads(model: str = "Model", causal: str = "ForCausalLM", classifiers: bool = True,
                   token_tail: tuple[str, ...] = ("score: linear(C_out={labels}, bias={token_bias})",),
                   qa: bool = True) -> dict[str, Head]:
    """A decoder's heads: the causal LM, the bare model, and the classifiers GenericForSequenceClassification
    (a ``score`` projection without bias, read at the last token), GenericForTokenClassification
    (``score`` with a bias unless token_classification_bias is false) and, where the family has it,
    GenericForQuestionAnswering (``qa_outputs``: a start and an end logit per token) on the bare model."""
    heads = {causal: Head({"lm_head": True}), model: Head({"lm_head": False})}
    if classifiers:
        heads["ForSequenceClassification"] = Head({"lm_head": False}, ("score: linear(C_out={labels}, bias=false)",))
        heads["ForTokenClassification"] = Head({"lm_head": False}, token_tail)
        if qa:
            heads["ForQuestionAnswering"] = Head({"lm_head": False}, ("qa_outputs: linear(C_out=2)",))
    return heads


CAUSAL_LM = _decoder_heads()
#: the decoders transformers gives no ...ForQuestionAnswering (Gemma, Gemma 2, Phi-3, DeepSeek-V3)
CAUSAL_LM_NO_QA = _decoder_heads(qa=False)
ENCODER = {"Model": Head({"pooler": True, "mlm": False}), "ForMaskedLM": Head({"pooler": False, "mlm": True}),
           # BertForSequenceClassification: the pooled [CLS] (BertModel with its pooler), then a classifier
           "ForSequenceClassification": Head({"pooler": True, "mlm": False}, ("classifier: linear(C_out={labels})",)),
           "ForTokenClassification": Head({"pooler": False, "mlm": False}, ("classifier: linear(C_out={labels})",)),
           # BertForQuestionAnswering: no pooler, qa_outputs of num_labels (2 unless the config says)
           "ForQuestionAnswering": Head({"pooler": False, "mlm": False}, ("qa_outputs: linear(C_out={labels})",))}
#: RobertaForSequenceClassification: no pooler; RobertaClassificationHead reads <s>: dense, tanh, out_proj
ROBERTA = {**ENCODER, "ForSequenceClassification": Head(
    {"pooler": False, "mlm": False},
    ("cls_token()", "dense: linear(C_out={d_model}); tanh()", "out_proj: linear(C_out={labels})"))}


class Config:
    """A configuration's keys, read with their defaults and checked as they are read.

    ``span`` is where the object and each of its keys and values are in ``text``
    (:func:`~symcount.frameworks.json_spans.locate`), so an error about a key points at that key
    (a nested ``text_config``'s at the nested key), or at its value when the value is what is wrong.
    """

    def __init__(self, data: Mapping[str, Any], text: str, defaults: Mapping[str, Any], span: Span | None = None,
                 prefix: str = "") -> None:
        self.data = data
        self.text = text
        self.defaults = defaults
        self.span = span if span is not None else locate(text)
        self.prefix = prefix
        self.defaulted: list[str] = []
        #: the configuration class the defaults are from, named when a default does not fit
        self.defaults_of = "the configuration class"

    def error(self, key: str | None, message: str, hint: str | None = None, *, value: bool = False) -> SymcountError:
        """An error at ``"key"`` in the file, at its value with ``value``; at the object's opening brace when
        the key is not in the file (a missing key, a default that does not fit)."""
        if key is not None and key not in self.data and key in self.defaulted:
            message += f" ('{self.prefix}{key}' is left out: {self.defaults_of}'s default)"
        return SymcountError(message, self.where(key, value=value), hint=hint)

    def where(self, key: str | None, *, value: bool = False) -> Pos:
        """The position of a key (of its value), else of the object's opening brace."""
        if key is not None and key in self.span.keys:
            member = self.span.member(key)
            start, end = (member.start, member.end) if value and member is not None else self.span.keys[key]
            return position(self.text, start, end)
        return position(self.text, self.span.start, self.span.start + 1)

    def raw(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if key not in self.defaults:
            raise self.error(None, f"missing required key '{self.prefix}{key}'")
        self.defaulted.append(key)
        return self.defaults[key]

    def size(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"'{self.prefix}{key}' must be a whole number, not {json.dumps(value)}", value=True)
        if value < 1:
            raise self.error(key, f"'{self.prefix}{key}' must be at least 1, not {value}", value=True)
        return value

    def number(self, key: str) -> int:
        """A whole number that may be 0 (shared experts, dense layers before the first MoE one)."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"'{self.prefix}{key}' must be a whole number (0 or more), not {json.dumps(value)}",
                             value=True)
        return value

    def pair(self, key: str) -> tuple[int, int]:
        """A size that is one number or [height, width] (ViT's image_size and patch_size)."""
        value = self.raw(key)
        if isinstance(value, list) and len(value) == 2:
            sizes = [v for v in value if isinstance(v, int) and not isinstance(v, bool) and v >= 1]
            if len(sizes) == 2:
                return sizes[0], sizes[1]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value, value
        raise self.error(key, f"'{self.prefix}{key}' must be a whole number or [height, width], "
                              f"not {json.dumps(value)}", value=True)

    def optional_size(self, key: str) -> int | None:
        return None if self.raw(key) is None else self.size(key)

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, f"'{self.prefix}{key}' must be true or false, not {json.dumps(value)}", value=True)
        return value

    def head_dim(self, width_key: str, heads_key: str, head_dim_key: str | None = "head_dim") -> int:
        """``head_dim`` as given, else width / heads, which must then divide exactly."""
        if head_dim_key is not None:
            given = self.optional_size(head_dim_key)
            if given is not None:
                return given
        width, heads = self.size(width_key), self.size(heads_key)
        if width % heads:
            raise self.error(heads_key, f"'{self.prefix}{width_key}' ({width}) is not divisible by "
                                        f"'{self.prefix}{heads_key}' ({heads})",
                             hint="give head_dim, or a number of heads that divides the width"
                             if head_dim_key else "a number of heads that divides the width")
        return width // heads

    def kv_heads(self, heads: int, key: str = "num_key_value_heads") -> int:
        """Key/value heads (``None``: as many as query heads); the query heads must share them evenly."""
        kv = self.optional_size(key)
        if kv is None:
            return heads
        if heads % kv:
            raise self.error(key, f"'{self.prefix}num_attention_heads' ({heads}) is not a multiple of "
                                  f"'{self.prefix}{key}' ({kv})",
                             hint="each key/value head is shared by the same number of query heads")
        return kv


@dataclass(frozen=True)
class Family:
    """One ``model_type``: the zoo block it calls and how its keys become the block's arguments."""

    model_type: str
    prefix: str                     # the classes' prefix: Llama -> LlamaForCausalLM, LlamaModel
    config_class: str               # transformers' configuration class, where the defaults come from
    file: str                       # the block's file in symcount/frameworks/families/
    block: str
    defaults: Mapping[str, Any]
    arguments: Callable[[Config], dict[str, Value]]
    heads: Mapping[str, Head] = field(default_factory=lambda: CAUSAL_LM)
    base: str = "Model"
    #: keys that change the weights in a way the block does not model: the value that is read as it is
    refused: Mapping[str, Any] = field(default_factory=dict)
    #: the block declares its inputs itself (an encoder-decoder's two streams)
    own_input: bool = False
    #: the blocks ``block`` calls, written before it
    helpers: tuple[str, ...] = ()
    #: the network's layers written out, for a family whose layers differ from one another (dense
    #: layers among expert layers): given the config and the arguments, the lines of the body
    layers: Callable[[Config, Mapping[str, Value]], list[str]] | None = None


def _decoder(c: Config, *, experts: bool = False, biases: tuple[str, ...] = (),
             head_dim_key: str | None = "head_dim", experts_key: str = "num_local_experts",
             ff_key: str = "intermediate_size") -> dict[str, Value]:
    """The Llama-layout arguments (llama, mistral, mixtral, gemma, gemma2, gemma3_text, phi3, qwen2, qwen3,
    qwen3_moe)."""
    heads = c.size("num_attention_heads")
    out: dict[str, Value] = {
        "n_layers": c.size("num_hidden_layers"), "d_model": c.size("hidden_size"), "V": c.size("vocab_size"),
        "ff": c.size(ff_key), "heads": heads, "kv_heads": c.kv_heads(heads),
        "head_dim": c.head_dim("hidden_size", "num_attention_heads", head_dim_key),
    }
    if experts:
        count, top_k = c.size(experts_key), c.size("num_experts_per_tok")
        out["experts"], out["top_k"] = count, top_k
        out["moe"] = True  # a router even for one expert, as MixtralSparseMoeBlock has
        if top_k > count:
            raise c.error("num_experts_per_tok", f"'{c.prefix}num_experts_per_tok' ({top_k}) is more "
                                                 f"than '{c.prefix}{experts_key}' ({count})")
    out["tied"] = c.flag("tie_word_embeddings")
    for key in biases:
        out[key] = c.flag(key)
    return out


def _qwen2(c: Config) -> dict[str, Value]:
    """Qwen2: q, k and v with a bias, o without (Qwen2Attention hard-codes them)."""
    return {**_decoder(c), "qkv_bias": True}


def _qwen3(c: Config) -> dict[str, Value]:
    """Qwen3: an RMSNorm on every query and key head; attention_bias puts a bias on all four projections."""
    bias = c.flag("attention_bias")
    return {**_decoder(c), "qkv_bias": bias, "o_bias": bias, "qk_norm": "rmsnorm"}


def _qwen3_moe(c: Config) -> dict[str, Value]:
    """Qwen3-MoE: Qwen3's attention (QK-norm, attention_bias on all four projections), routed experts."""
    bias = c.flag("attention_bias")
    return {**_qwen_moe(c), "qkv_bias": bias, "o_bias": bias, "qk_norm": "rmsnorm"}


def _qwen2_moe(c: Config) -> dict[str, Value]:
    """Qwen2-MoE (Qwen1.5-MoE): Qwen2's attention (qkv_bias on q, k and v, never on o), routed experts
    beside a shared expert that a sigmoid gate scales."""
    return {**_qwen_moe(c), "shared_ff": c.size("shared_expert_intermediate_size"),
            "qkv_bias": c.flag("qkv_bias")}


def _qwen_moe(c: Config) -> dict[str, Value]:
    """The keys both Qwen mixtures of experts read: num_experts may be 0 (every layer dense)."""
    heads = c.size("num_attention_heads")
    experts, top_k = c.number("num_experts"), c.size("num_experts_per_tok")
    if experts and top_k > experts:
        raise c.error("num_experts_per_tok", f"'{c.prefix}num_experts_per_tok' ({top_k}) is more "
                                             f"than '{c.prefix}num_experts' ({experts})")
    return {"n_layers": c.size("num_hidden_layers"), "d_model": c.size("hidden_size"), "V": c.size("vocab_size"),
            "heads": heads, "kv_heads": c.kv_heads(heads),
            "head_dim": c.head_dim("hidden_size", "num_attention_heads"),
            "ff": c.size("intermediate_size"), "moe_ff": c.size("moe_intermediate_size"),
            "experts": experts, "top_k": top_k, "tied": c.flag("tie_word_embeddings")}


def _sparse_layers(c: Config) -> list[bool]:
    """Which layers are mixtures of experts, as Qwen2MoeDecoderLayer and Qwen3MoeDecoderLayer decide:
    layer i unless it is in ``mlp_only_layers``, there are no experts, or ``(i + 1) % decoder_sparse_step``."""
    layers, step = c.size("num_hidden_layers"), c.size("decoder_sparse_step")
    dense = c.raw("mlp_only_layers")
    dense = [] if dense is None else dense
    if not isinstance(dense, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in dense):
        raise c.error("mlp_only_layers", f"'{c.prefix}mlp_only_layers' must be a list of layer numbers, "
                                         f"not {json.dumps(dense)}", value=True)
    experts = c.number("num_experts")
    return [i not in dense and experts > 0 and (i + 1) % step == 0 for i in range(layers)]


def _qwen_moe_layers(c: Config, arguments: Mapping[str, Value]) -> list[str]:
    """Embedding, runs of dense and expert layers (``repeat n { qwen_moe_layer(...) }``), norm, head."""
    width, vocab = arguments["d_model"], arguments["V"]
    layer = ", ".join(f"{name}={_literal(value)}" for name, value in arguments.items()
                      if name not in ("n_layers", "V", "tied", "lm_head"))
    lines = [f"tok: embedding(V={vocab}, dim={width})"]
    for sparse, run in itertools.groupby(_sparse_layers(c)):
        count = len(list(run))
        lines.append(f"repeat {count} {{ qwen_moe_layer({layer}{'' if sparse else ', moe=false'}) }}")
    lines.append("rmsnorm()")
    if arguments.get("lm_head"):
        tie = ", tied=tok" if arguments["tied"] else ""
        lines.append(f"lm_head: linear(C_out={vocab}, bias=false{tie})")
    return lines


def _deepseek(c: Config) -> dict[str, Value]:
    """DeepSeek-V3: multi-head latent attention (no num_key_value_heads: keys and values come from one
    latent), the first ``first_k_dense_replace`` layers dense, then routed and shared experts."""
    layers, experts = c.size("num_hidden_layers"), c.size("n_routed_experts")
    dense = min(c.number("first_k_dense_replace"), layers)  # more than the layers: every layer dense
    top_k = c.size("num_experts_per_tok")
    if top_k > experts:
        raise c.error("num_experts_per_tok", f"'{c.prefix}num_experts_per_tok' ({top_k}) is more than "
                                             f"'{c.prefix}n_routed_experts' ({experts})")
    q_rank = c.optional_size("q_lora_rank")  # null: a full q_proj, written q_lora_rank=0 in the block
    width = c.size("hidden_size")
    for key, rank in (("q_lora_rank", q_rank), ("kv_lora_rank", c.size("kv_lora_rank"))):
        if rank is not None and rank > width:
            raise c.error(key, f"'{c.prefix}{key}' ({rank}) is more than '{c.prefix}hidden_size' ({width}): "
                               "a low-rank projection's rank is at most its input width")
    rope = c.size("qk_rope_head_dim")
    if rope % 2:
        raise c.error("qk_rope_head_dim", f"'{c.prefix}qk_rope_head_dim' ({rope}) is odd: rotary positions "
                                          "turn pairs of features")
    return {"n_layers": layers, "n_dense": dense, "d_model": width, "V": c.size("vocab_size"),
            "ff": c.size("intermediate_size"), "moe_ff": c.size("moe_intermediate_size"),
            "heads": c.size("num_attention_heads"), "q_lora_rank": q_rank or 0, "kv_lora_rank": c.size("kv_lora_rank"),
            "qk_rope_head_dim": rope, "qk_nope_head_dim": c.size("qk_nope_head_dim"),
            "v_head_dim": c.size("v_head_dim"), "experts": experts, "top_k": top_k,
            "shared": c.number("n_shared_experts"), "attention_bias": c.flag("attention_bias"),
            "tied": c.flag("tie_word_embeddings")}


def _gpt_neox(c: Config) -> dict[str, Value]:
    c.head_dim("hidden_size", "num_attention_heads", None)
    return {"n_layers": c.size("num_hidden_layers"), "d_model": c.size("hidden_size"),
            "heads": c.size("num_attention_heads"), "ff": c.size("intermediate_size"), "V": c.size("vocab_size"),
            "tied": c.flag("tie_word_embeddings"), "attention_bias": c.flag("attention_bias"),
            "parallel_residual": c.flag("use_parallel_residual")}


def _llama4(c: Config) -> dict[str, Value]:
    """Llama-4's text model: every ``interleave_moe_layer_step``-th layer a mixture of experts with one
    shared expert, the others dense of width ``intermediate_size_mlp``; an explicit ``moe_layers`` is
    read only when it is that same pattern (anything else is not modelled)."""
    out = _decoder(c, experts=True, biases=("attention_bias",))
    del out["moe"]  # the block always routes (Llama4TextMoe has a router even for one expert)
    layers, step = c.size("num_hidden_layers"), c.size("interleave_moe_layer_step")
    if layers % step:
        raise c.error("interleave_moe_layer_step", f"'{c.prefix}interleave_moe_layer_step' ({step}) does not "
                                                   f"divide '{c.prefix}num_hidden_layers' ({layers}): dense layers "
                                                   "after the last expert layer are not modelled")
    pattern = list(range(step - 1, layers, step))
    given = c.raw("moe_layers")
    if given is not None and given != pattern:
        raise c.error("moe_layers", f"'{c.prefix}moe_layers': {json.dumps(given)} is not supported (only null or "
                                    f"every {step} layer{'s' if step > 1 else ''} from layer {step - 1}, "
                                    f"{json.dumps(pattern) if len(pattern) <= 8 else 'as interleave_moe_layer_step'}"
                                    "): other expert layers are not modelled", value=True)
    return {**out, "ff_mlp": c.size("intermediate_size_mlp"), "moe_step": step}


def _t5(c: Config) -> dict[str, Value]:
    """T5 (v1.0): one depth for both stacks (num_decoder_layers null or the same), a ReLU feed-forward."""
    layers = c.size("num_layers")
    decoder = c.optional_size("num_decoder_layers")
    if decoder is not None and decoder != layers:
        raise c.error("num_decoder_layers", f"'{c.prefix}num_decoder_layers' ({decoder}) differs from "
                                            f"'{c.prefix}num_layers' ({layers}): not supported (the block has "
                                            "one depth for the encoder and the decoder)")
    return {"n_layers": layers, "d_model": c.size("d_model"), "d_kv": c.size("d_kv"), "ff": c.size("d_ff"),
            "heads": c.size("num_heads"), "V": c.size("vocab_size"),
            "buckets": c.size("relative_attention_num_buckets")}


def _gpt2(c: Config) -> dict[str, Value]:
    d_model = c.size("n_embd")
    inner = c.optional_size("n_inner")
    c.head_dim("n_embd", "n_head", None)
    return {"n_layers": c.size("n_layer"), "d_model": d_model, "heads": c.size("n_head"),
            "V": c.size("vocab_size"), "n_ctx": c.size("n_positions"),
            "ff": 4 * d_model if inner is None else inner, "tied": c.flag("tie_word_embeddings")}


def _bert(c: Config) -> dict[str, Value]:
    c.head_dim("hidden_size", "num_attention_heads", None)
    return {"n_layers": c.size("num_hidden_layers"), "d_model": c.size("hidden_size"),
            "heads": c.size("num_attention_heads"), "ff": c.size("intermediate_size"), "V": c.size("vocab_size"),
            "n_positions": c.size("max_position_embeddings"), "n_segments": c.size("type_vocab_size"),
            "tied": c.flag("tie_word_embeddings")}


def _opt(c: Config) -> dict[str, Value]:
    """OPT: word embeddings of word_embed_proj_dim (projected in and out when it is not hidden_size),
    pre- or post-norm layers (do_layer_norm_before), the final LayerNorm only before, and never when
    _remove_final_layer_norm (OPTDecoder)."""
    width = c.size("hidden_size")
    c.head_dim("hidden_size", "num_attention_heads", None)
    proj = c.optional_size("word_embed_proj_dim")
    pre_norm = c.flag("do_layer_norm_before")
    return {"n_layers": c.size("num_hidden_layers"), "d_model": width, "heads": c.size("num_attention_heads"),
            "ff": c.size("ffn_dim"), "V": c.size("vocab_size"), "n_positions": c.size("max_position_embeddings"),
            "proj_dim": width if proj is None else proj, "pre_norm": pre_norm,
            "final_norm": pre_norm and not c.flag("_remove_final_layer_norm"), "bias": c.flag("enable_bias"),
            "affine": c.flag("layer_norm_elementwise_affine"), "tied": c.flag("tie_word_embeddings")}


def _vit(c: Config) -> dict[str, Value]:
    """ViT: the image and patch sizes (a number or [height, width]), patches that fit the image."""
    c.head_dim("hidden_size", "num_attention_heads", None)
    (height, width), (patch_h, patch_w) = c.pair("image_size"), c.pair("patch_size")
    if patch_h > height or patch_w > width:
        raise c.error("patch_size", f"'{c.prefix}patch_size' ({patch_h} x {patch_w}) is larger than "
                                    f"'{c.prefix}image_size' ({height} x {width})")
    pooler = c.optional_size("pooler_output_size")
    width_ = c.size("hidden_size")
    return {"n_layers": c.size("num_hidden_layers"), "d_model": width_, "heads": c.size("num_attention_heads"),
            "ff": c.size("intermediate_size"), "H": height, "W": width, "C": c.size("num_channels"),
            "patch": patch_h, "patch_w": patch_w, "qkv_bias": c.flag("qkv_bias"),
            "pooler_dim": width_ if pooler is None else pooler}


def _whisper(c: Config) -> dict[str, Value]:
    """Whisper: an encoder and a decoder that may differ in depth, heads and width of the feed-forward
    (distil-whisper), the same d_model; 30 s of audio is 2 * max_source_positions mel frames."""
    c.head_dim("d_model", "encoder_attention_heads", None)
    c.head_dim("d_model", "decoder_attention_heads", None)
    return {"n_layers": c.size("encoder_layers"), "d_model": c.size("d_model"),
            "heads": c.size("encoder_attention_heads"), "ff": c.size("encoder_ffn_dim"), "V": c.size("vocab_size"),
            "n_mels": c.size("num_mel_bins"), "n_audio": c.size("max_source_positions"),
            "n_text": c.size("max_target_positions"), "dec_layers": c.size("decoder_layers"),
            "dec_heads": c.size("decoder_attention_heads"), "dec_ff": c.size("decoder_ffn_dim"),
            "tied": c.flag("tie_word_embeddings")}


#: Falcon's keys of older configs that transformers 5 no longer reads (FalconConfig keeps only n_embed):
#: counting past them would count a model other than the file describes
_FALCON_OLD_KEYS = {"n_head": "num_attention_heads", "n_layer": "num_hidden_layers", "n_head_kv": "num_kv_heads"}


def _falcon(c: Config) -> dict[str, Value]:
    """Falcon: the key/value heads its fused query_key_value holds (num_kv_heads with the new decoder
    architecture, one with multi_query, else as many as query heads), the LayerNorms of a layer
    (two unless parallel_attn with one input norm: num_ln_in_parallel_attn, 2 by default in the new
    decoder architecture), biases with bias."""
    for old, new in _FALCON_OLD_KEYS.items():
        if old in c.data:
            raise c.error(old, f"'{c.prefix}{old}' is an old Falcon key that transformers no longer reads: "
                               f"it would build the model of '{c.prefix}{new}' instead", hint=f"rename it {new}")
    width = c.size("n_embed") if "n_embed" in c.data else c.size("hidden_size")  # FalconConfig's old name
    heads = c.size("num_attention_heads")
    if width % heads:
        raise c.error("num_attention_heads", f"'{c.prefix}hidden_size' ({width}) is not divisible by "
                                             f"'{c.prefix}num_attention_heads' ({heads})")
    new_decoder, parallel = c.flag("new_decoder_architecture"), c.flag("parallel_attn")
    kv = c.kv_heads(heads, "num_kv_heads") if new_decoder else 1 if c.flag("multi_query") else heads
    norms = c.raw("num_ln_in_parallel_attn")
    if norms not in (None, 1, 2) or isinstance(norms, bool):
        raise c.error("num_ln_in_parallel_attn", f"'{c.prefix}num_ln_in_parallel_attn' must be 1, 2 or null, "
                                                 f"not {json.dumps(norms)}", value=True)
    if norms is None:
        norms = 2 if new_decoder else 1
    ff = c.optional_size("ffn_hidden_size")
    return {"n_layers": c.size("num_hidden_layers"), "d_model": width, "heads": heads, "kv_heads": kv,
            "ff": 4 * width if ff is None else ff, "V": c.size("vocab_size"), "bias": c.flag("bias"),
            "parallel": parallel, "n_norms": norms, "tied": c.flag("tie_word_embeddings")}


_LLAMA_LAYOUT = {"num_key_value_heads": None, "head_dim": None, "tie_word_embeddings": False}

#: Every family read from a config, with the defaults of its configuration class
#: (transformers 5.x, ``models/<family>/configuration_<family>.py``; tests/test_hf_config.py
#: checks each default against the class itself).
FAMILIES: dict[str, Family] = {f.model_type: f for f in (
    Family("llama", "Llama", "LlamaConfig", "llama.sc", "llama",
           {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
            "num_attention_heads": 32, **_LLAMA_LAYOUT, "attention_bias": False, "mlp_bias": False},
           lambda c: _decoder(c, biases=("attention_bias", "mlp_bias"))),
    Family("mistral", "Mistral", "MistralConfig", "mistral.sc", "mistral",
           {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
            "num_attention_heads": 32, **_LLAMA_LAYOUT, "num_key_value_heads": 8},
           _decoder),
    Family("mixtral", "Mixtral", "MixtralConfig", "mistral.sc", "mistral",
           {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
            "num_attention_heads": 32, **_LLAMA_LAYOUT, "num_key_value_heads": 8, "num_local_experts": 8,
            "num_experts_per_tok": 2},
           lambda c: _decoder(c, experts=True)),
    Family("gemma", "Gemma", "GemmaConfig", "llama.sc", "llama",
           {"vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576, "num_hidden_layers": 28,
            "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256, "tie_word_embeddings": True,
            "attention_bias": False},
           lambda c: _decoder(c, biases=("attention_bias",)), heads=CAUSAL_LM_NO_QA),
    Family("gemma2", "Gemma2", "Gemma2Config", "gemma.sc", "gemma2",
           {"vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
            "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "tie_word_embeddings": True,
            "attention_bias": False},
           lambda c: _decoder(c, biases=("attention_bias",)), heads=CAUSAL_LM_NO_QA),
    Family("phi3", "Phi3", "Phi3Config", "llama.sc", "llama",
           {"vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
            "num_attention_heads": 32, "num_key_value_heads": None, "tie_word_embeddings": False},
           lambda c: _decoder(c, head_dim_key=None), heads=CAUSAL_LM_NO_QA),  # Phi3 has no head_dim key
    Family("gpt2", "GPT2", "GPT2Config", "gpt2.sc", "gpt2",
           {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": None,
            "tie_word_embeddings": True, "add_cross_attention": False},
           _gpt2, heads=_decoder_heads(causal="LMHeadModel", token_tail=("classifier: linear(C_out={labels})",)),
           refused={"add_cross_attention": False}),
    Family("bert", "Bert", "BertConfig", "bert.sc", "bert",
           {"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
            "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2,
            "tie_word_embeddings": True, "add_cross_attention": False},
           _bert, heads=ENCODER, refused={"add_cross_attention": False}),
    Family("roberta", "Roberta", "RobertaConfig", "bert.sc", "bert",
           {"vocab_size": 50265, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
            "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2,
            "tie_word_embeddings": True, "add_cross_attention": False},
           _bert, heads=ROBERTA, refused={"add_cross_attention": False}),
    Family("gpt_neox", "GPTNeoX", "GPTNeoXConfig", "gpt_neox.sc", "gpt_neox",
           {"vocab_size": 50432, "hidden_size": 6144, "num_hidden_layers": 44, "num_attention_heads": 64,
            "intermediate_size": 24576, "tie_word_embeddings": False, "use_parallel_residual": True,
            "attention_bias": True},
           _gpt_neox, heads=_decoder_heads(token_tail=("classifier: linear(C_out={labels})",))),
    Family("qwen2", "Qwen2", "Qwen2Config", "qwen.sc", "qwen",
           {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
            "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": None, "tie_word_embeddings": False},
           _qwen2),
    Family("qwen3", "Qwen3", "Qwen3Config", "qwen.sc", "qwen",
           {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
            "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 128, "tie_word_embeddings": False,
            "attention_bias": False},
           _qwen3),
    Family("qwen3_moe", "Qwen3Moe", "Qwen3MoeConfig", "qwen.sc", "qwen_moe_layer",
           {"vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24,
            "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": None, "tie_word_embeddings": False,
            "attention_bias": False, "moe_intermediate_size": 768, "num_experts": 128, "num_experts_per_tok": 8,
            "decoder_sparse_step": 1, "mlp_only_layers": None},
           _qwen3_moe, layers=_qwen_moe_layers),
    Family("qwen2_moe", "Qwen2Moe", "Qwen2MoeConfig", "qwen.sc", "qwen_moe_layer",
           {"vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 24,
            "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": None, "tie_word_embeddings": False,
            "qkv_bias": True, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
            "num_experts": 60, "num_experts_per_tok": 4, "decoder_sparse_step": 1, "mlp_only_layers": None},
           _qwen2_moe, layers=_qwen_moe_layers),
    Family("gemma3_text", "Gemma3", "Gemma3TextConfig", "gemma.sc", "gemma3",
           {"vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
            "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "tie_word_embeddings": True,
            "attention_bias": False},
           lambda c: _decoder(c, biases=("attention_bias",)),
           heads={**_decoder_heads("TextModel", classifiers=False),
                  "TextForSequenceClassification": CAUSAL_LM["ForSequenceClassification"]}, base="TextModel"),
    Family("llama4_text", "Llama4", "Llama4TextConfig", "llama4.sc", "llama4",
           {"vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192, "intermediate_size_mlp": 16384,
            "num_hidden_layers": 48, "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128,
            "tie_word_embeddings": False, "num_experts_per_tok": 1, "num_local_experts": 16, "moe_layers": None,
            "interleave_moe_layer_step": 1, "attention_bias": False},
           _llama4, heads=_decoder_heads("TextModel", classifiers=False), base="TextModel"),
    Family("t5", "T5", "T5Config", "t5.sc", "t5",
           {"vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6,
            "num_decoder_layers": None, "num_heads": 8, "relative_attention_num_buckets": 32,
            "feed_forward_proj": "relu", "tie_word_embeddings": True},
           _t5, heads={"ForConditionalGeneration": Head()}, base="ForConditionalGeneration",
           refused={"feed_forward_proj": "relu", "tie_word_embeddings": True}, own_input=True, helpers=("t5_layer",)),
    Family("opt", "OPT", "OPTConfig", "opt.sc", "opt",
           {"vocab_size": 50272, "hidden_size": 768, "num_hidden_layers": 12, "ffn_dim": 3072,
            "max_position_embeddings": 2048, "num_attention_heads": 12, "word_embed_proj_dim": None,
            "do_layer_norm_before": True, "_remove_final_layer_norm": False, "enable_bias": True,
            "layer_norm_elementwise_affine": True, "tie_word_embeddings": True},
           _opt, heads={k: v for k, v in CAUSAL_LM.items() if k != "ForTokenClassification"}),
    Family("vit", "ViT", "ViTConfig", "vit.sc", "vit",
           {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
            "image_size": 224, "patch_size": 16, "num_channels": 3, "qkv_bias": True, "pooler_output_size": None},
           _vit, heads={"Model": Head({"pooler": True}),
                        "ForImageClassification": Head({"pooler": False},
                                                       ("cls_token()", "classifier: linear(C_out={labels})"))},
           own_input=True),
    Family("whisper", "Whisper", "WhisperConfig", "whisper.sc", "whisper",
           {"vocab_size": 51865, "num_mel_bins": 80, "encoder_layers": 4, "encoder_attention_heads": 6,
            "decoder_layers": 4, "decoder_attention_heads": 6, "decoder_ffn_dim": 1536, "encoder_ffn_dim": 1536,
            "d_model": 384, "max_source_positions": 1500, "max_target_positions": 448, "tie_word_embeddings": True},
           _whisper, heads={"ForConditionalGeneration": Head({"lm_head": True}), "Model": Head({"lm_head": False})},
           own_input=True),
    Family("falcon", "Falcon", "FalconConfig", "falcon.sc", "falcon",
           {"vocab_size": 65024, "hidden_size": 4544, "num_hidden_layers": 32, "num_attention_heads": 71,
            "num_kv_heads": None, "new_decoder_architecture": False, "multi_query": True, "parallel_attn": True,
            "num_ln_in_parallel_attn": None, "bias": False, "ffn_hidden_size": None, "tie_word_embeddings": True},
           _falcon, heads=_decoder_heads(token_tail=("classifier: linear(C_out={labels})",))),
    Family("deepseek_v3", "DeepseekV3", "DeepseekV3Config", "deepseek.sc", "deepseek",
           {"vocab_size": 129280, "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
            "num_hidden_layers": 61, "num_attention_heads": 128, "n_shared_experts": 1, "n_routed_experts": 256,
            "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "v_head_dim": 128,
            "qk_nope_head_dim": 128, "num_experts_per_tok": 8, "first_k_dense_replace": 3,
            "tie_word_embeddings": False, "attention_bias": False},
           _deepseek, heads=CAUSAL_LM_NO_QA),
)}

#: Families the language cannot express exactly yet: what they need.
WAITING: dict[str, str] = {}

#: Multimodal configs whose text model is counted: the nested key and the reference class.
NESTED: dict[str, tuple[str, str]] = {
    "gemma3": ("text_config", "Gemma3ForCausalLM"),
    "llama4": ("text_config", "Llama4ForCausalLM"),
}


@dataclass(frozen=True)
class Description:
    """A config read as a description: the text, the network to count, and what it stands for."""

    text: str
    network: str
    family: Family
    defaulted: tuple[str, ...]


def read_json(text: str) -> Any:
    """The JSON value, or a SymcountError at the line and column where it stops being JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise SymcountError(f"not valid JSON: {err.msg}", Pos(err.lineno, err.colno, err.lineno, err.colno + 1),
                            source=text) from None
    except RecursionError:
        raise SymcountError("not valid JSON: nested too deeply", source=text) from None


def describe(text: str) -> Description:
    """The description of the model a ``config.json`` (its text) configures."""
    data = read_json(text)
    span = locate(text)
    if not isinstance(data, dict):
        raise SymcountError("a Hugging Face config is a JSON object ({...})",
                            position(text, span.start, span.start + 1), source=text)
    try:
        return _describe(data, text, span)
    except SymcountError as err:
        if err.source is None:
            err.source = text
        raise


def _describe(data: Mapping[str, Any], text: str, span: Span) -> Description:
    outer = Config(data, text, {}, span)
    model_type = _model_type(outer)
    nested = NESTED.get(model_type)
    note = ""
    if nested is not None:
        key, reference = nested
        inner = data.get(key)
        if not isinstance(inner, dict):
            raise outer.error(key, f"model_type '{model_type}' keeps its text model in '{key}', which must be an "
                                   f"object, not {_shown(inner)}" if key in data else
                                   f"missing required key '{key}': model_type '{model_type}' keeps its text "
                                   "model there", value=True)
        config = Config(inner, text, {}, span.member(key), prefix=f"{key}.")
        family = _family(config, _nested_type(config, model_type))
        config.defaults, config.defaults_of = family.defaults, family.config_class
        architecture, head = reference, family.heads["ForCausalLM"]
        note = f"# the text model of a {model_type} config ({key}), as {reference}; the vision tower is not counted\n"
    else:
        family = _family(outer, model_type)
        config = Config(data, text, family.defaults, span)
        config.defaults_of = family.config_class
        _no_text_config(config, family)
        architecture, head = _head(config, family)
    for key, expected in family.refused.items():
        if config.raw(key) != expected:
            raise config.error(key, f"'{config.prefix}{key}': {json.dumps(config.raw(key))} is not supported "
                                    f"(only {json.dumps(expected)}): it changes the weights and is not modelled",
                               value=True)
    arguments = {**family.arguments(config), **head.flags}
    if head.flags.get("mlm") and not arguments["tied"]:
        raise config.error("tie_word_embeddings", f"'{config.prefix}tie_word_embeddings': false is not supported for "
                                                  f"{architecture}: its untied decoder keeps a second bias of "
                                                  "vocab_size, which is not modelled")
    call = ", ".join(f"{name}={_literal(value)}" for name, value in arguments.items())
    defaulted = tuple(dict.fromkeys(config.defaulted))
    header = (f"# {architecture}, from a Hugging Face config (model_type \"{family.model_type}\"), as transformers "
              f"builds it.\n{note}")
    if defaulted:
        header += f"# Left out of the config, so {family.config_class}'s defaults: {', '.join(defaulted)}.\n"
    blocks = "\n".join(block_text(family.file, name) for name in (*family.helpers, family.block))
    lines = [] if family.own_input else ["input(L=L)"]
    lines += [f"{family.block}({call})"] if family.layers is None else family.layers(config, arguments)
    lines += _tail(config, head, arguments)
    layers = "".join(f"    {line}\n" for line in lines)
    body = f"{header}\n{blocks}\nnetwork {architecture} {{\n{layers}}}\n"
    return Description(body, architecture, family, defaulted)


def _no_text_config(config: Config, family: Family) -> None:
    """A text family's config with a ``text_config`` is refused: its configuration class never reads it
    (transformers builds the model from the top-level keys), so a file whose model lives there (a
    multimodal config given a text ``model_type``) would be counted from defaults, a model it does not
    describe. Not an object, it is not a configuration at all."""
    if "text_config" not in config.data:
        return
    value = config.data["text_config"]
    if not isinstance(value, dict):
        raise config.error("text_config", f"'text_config' must be an object, not {_shown(value)}", value=True,
                           hint=f"remove it: model_type '{family.model_type}' does not read it")
    raise config.error("text_config", f"'text_config' is not read for model_type '{family.model_type}': "
                                      f"{family.config_class} builds the model from the top-level keys, so the "
                                      "keys in text_config would be ignored",
                       hint=f"a multimodal config keeps its text model there: give its model_type "
                            f"({', '.join(NESTED)}); else move the keys to the top level")


def _nested_type(config: Config, outer_type: str) -> str:
    """The text model's family: ``{outer}_text`` whatever ``text_config.model_type`` says, as transformers
    reads it (Gemma3Config and Llama4Config build their text_config's own class); another model_type
    there is a config transformers would read as something else than it says, so it is refused."""
    expected = f"{outer_type}_text"
    given = config.data.get("model_type", expected)
    if given != expected:
        raise config.error("model_type", f"'{config.prefix}model_type' is {_shown(given)}: the text model of a "
                                         f"{outer_type} config is always {expected} "
                                         f"({FAMILIES[expected].config_class})",
                           hint=f'write "model_type": "{expected}", or leave it out', value=True)
    return expected


def _shown(value: Any) -> str:
    """A JSON value as a message quotes it."""
    return json.dumps(value)


def _model_type(config: Config, default: str | None = None) -> str:
    value = config.data.get("model_type", default)
    if value is None:
        raise config.error(None, f"missing required key '{config.prefix}model_type'",
                           hint=f"the model family, one of: {', '.join(supported())}")
    if not isinstance(value, str):
        raise config.error("model_type", f"'{config.prefix}model_type' must be a string, not {json.dumps(value)}",
                           value=True)
    return value


def supported() -> list[str]:
    return sorted([*FAMILIES, *NESTED])


def _family(config: Config, model_type: str) -> Family:
    family = FAMILIES.get(model_type)
    if family is not None:
        return family
    if model_type in WAITING:
        raise config.error("model_type", f"model_type '{model_type}' needs {WAITING[model_type]}, not yet supported",
                           value=True)
    raise config.error("model_type", f"unknown model_type '{model_type}' (supported: {', '.join(supported())})",
                       hint=did_you_mean(model_type, supported()), value=True)


def _tail(config: Config, head: Head, arguments: Mapping[str, Value]) -> list[str]:
    """The classifier's layers after the base model; none of ``{labels}``'s when there are 0 labels
    (ViTForImageClassification's nn.Identity; a 0-wide linear layer holds nothing either)."""
    if not head.tail:
        return []
    labels = num_labels(config) if any("{labels}" in line for line in head.tail) else 0
    values = {"labels": labels, "d_model": arguments.get("d_model", 0),
              "token_bias": _literal(_token_bias(config)) if any("{token_bias}" in line for line in head.tail)
              else ""}
    return [line.format(**values) for line in head.tail if labels or "{labels}" not in line]


def num_labels(config: Config) -> int:
    """The classifier's outputs as PretrainedConfig reads them: ``len(id2label)``, else ``num_labels``,
    else 2; both given and different is the error transformers raises."""
    id2label, given = config.data.get("id2label"), config.data.get("num_labels")
    if given is not None and (isinstance(given, bool) or not isinstance(given, int) or given < 0):
        raise config.error("num_labels", f"'{config.prefix}num_labels' must be a whole number (0 or more), "
                                         f"not {json.dumps(given)}", value=True)
    if id2label is None:
        return 2 if given is None else given
    if not isinstance(id2label, dict):
        raise config.error("id2label", f"'{config.prefix}id2label' must be an object of labels, "
                                       f"not {json.dumps(id2label)}", value=True)
    if given is not None and given != len(id2label):
        raise config.error("num_labels", f"'{config.prefix}num_labels' ({given}) differs from the "
                                         f"{len(id2label)} labels of '{config.prefix}id2label'")
    return len(id2label)


def _token_bias(config: Config) -> bool:
    """GenericForTokenClassification's bias: ``token_classification_bias``, true unless the config says."""
    value = config.data.get("token_classification_bias", True)
    if not isinstance(value, bool):
        raise config.error("token_classification_bias", f"'{config.prefix}token_classification_bias' must be "
                                                        f"true or false, not {json.dumps(value)}", value=True)
    return value


def _head(config: Config, family: Family) -> tuple[str, Head]:
    """The architecture to build (``architectures[0]``, else the base model) and its head."""
    names = config.data.get("architectures")
    if names is None or names == []:
        return family.prefix + family.base, family.heads[family.base]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise config.error("architectures", f"'architectures' must be a list of class names, not {_shown(names)}",
                           value=True)
    known = [family.prefix + suffix for suffix in family.heads]
    name = names[0]
    if name not in known:
        listed = config.span.member("architectures")
        first = listed.member(0) if listed is not None else None
        raise SymcountError(f"architecture '{name}' (architectures[0]) is not supported for model_type "
                            f"'{family.model_type}' (supported: {', '.join(known)})",
                            position(config.text, first.start, first.end) if first is not None
                            else config.where("architectures"), hint=did_you_mean(name, known))
    return name, family.heads[name[len(family.prefix):]]


def _literal(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else str(value)


def block_text(file: str, block: str) -> str:
    """The source of ``block NAME(...) { ... }`` in a family file shipped with the package."""
    source = (importlib.resources.files("symcount.frameworks") / "families" / file).read_text(encoding="utf-8")
    found = re.search(rf"^block {re.escape(block)}\(.*?^\}}\n", source, re.M | re.S)
    if found is None:  # pragma: no cover - the table and the files ship together
        raise AssertionError(f"no block {block} in families/{file}")
    return found.group(0)


def defaults_table() -> str:
    """The families and their defaults as a markdown table (docs/frameworks.md holds it verbatim)."""
    rows = ["| model_type | architectures | defaults (transformers' configuration class) |", "|---|---|---|"]
    for family in FAMILIES.values():
        heads = ", ".join(f"`{family.prefix}{suffix}`" for suffix in family.heads)
        values = ", ".join(f"`{key}={json.dumps(value)}`" for key, value in family.defaults.items())
        rows.append(f"| `{family.model_type}` | {heads} | {family.config_class}: {values} |")
    return "\n".join(rows) + "\n"
