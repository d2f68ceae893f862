"""The LLM zoo against the real implementations in ``transformers``.

Each published model is built from a configuration written here (never
``from_pretrained``: nothing is downloaded) on PyTorch's meta device, so no
weights are allocated. Its ``sum(p.numel() for p in parameters())`` (which
counts a tied matrix once) must equal symcount's total for the description in
``derivations/zoo/llm`` exactly; for Mixtral the active count (top_k experts,
the router and everything else) is computed from the built model too.
Property tests then draw small random configurations and call the same zoo
blocks, so the descriptions are right beyond the published points.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import needs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.language.symbols import sym

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
torch = needs.module("torch")
transformers = needs.module("transformers")

ZOO = Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "llm"


def build(cls_name: str, **config: Any) -> Any:
    """A transformers model on the meta device (shapes only, no memory, no network)."""
    model_cls = getattr(transformers, cls_name)
    config_cls = getattr(transformers, cls_name.replace("ForCausalLM", "Config")
                         .replace("LMHeadModel", "Config").replace("Model", "Config"))
    with torch.device("meta"):
        return model_cls(config_cls(**config))


def hf_counts(model: Any) -> tuple[int, int, int]:
    """(trainable, frozen, persistent buffers) as PyTorch reports them.

    Non-persistent buffers (BERT's position_ids, Llama's rotary inv_freq) are
    caches the model recomputes, not state: they are not in ``state_dict``.
    """
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    params = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    persistent = sum(t.numel() for name, t in model.state_dict().items() if name not in params)
    return trainable, frozen, persistent


def mixtral_active(model: Any, top_k: int, experts: int) -> int:
    """Everything except the experts a token does not use: total - (E - k)/E of the expert weights."""
    expert_weights = sum(p.numel() for name, p in model.named_parameters() if ".experts." in name)
    assert expert_weights % experts == 0
    total = sum(p.numel() for p in model.parameters())
    return total - expert_weights // experts * (experts - top_k)


def zoo_count(file: str, network: str) -> symcount.Count:
    return symcount.count(ZOO / file, network=network)


# The published configurations (as in the models' config.json files).
GPT2 = {"gpt2_small": (12, 768, 12), "gpt2_medium": (24, 1024, 16), "gpt2_large": (36, 1280, 20),
        "gpt2_xl": (48, 1600, 25)}
LLAMA = {
    "llama2_7b": {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
                  "num_attention_heads": 32, "num_key_value_heads": 32},
    "llama3_8b": {"vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                  "num_attention_heads": 32, "num_key_value_heads": 8},
    "llama3_2_1b": {"vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
                    "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
                    "tie_word_embeddings": True},
}
MISTRAL_7B = {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
              "num_attention_heads": 32, "num_key_value_heads": 8}
MIXTRAL = {**MISTRAL_7B, "num_local_experts": 8, "num_experts_per_tok": 2}
BERT = {"bert_base": (12, 768, 12, 3072), "bert_large": (24, 1024, 16, 4096)}
QWEN = {
    "qwen2_5_0_5b": ("Qwen2ForCausalLM", {"vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
                                          "num_hidden_layers": 24, "num_attention_heads": 14,
                                          "num_key_value_heads": 2, "tie_word_embeddings": True}),
    "qwen2_5_7b": ("Qwen2ForCausalLM", {"vocab_size": 152064, "hidden_size": 3584, "intermediate_size": 18944,
                                        "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
                                        "tie_word_embeddings": False}),
    "qwen3_8b": ("Qwen3ForCausalLM", {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 12288,
                                      "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8,
                                      "head_dim": 128, "tie_word_embeddings": False}),
    "qwen3_30b_a3b": ("Qwen3MoeForCausalLM", {"vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144,
                                              "moe_intermediate_size": 768, "num_hidden_layers": 48,
                                              "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                                              "num_experts": 128, "num_experts_per_tok": 8,
                                              "tie_word_embeddings": False}),
}

DEEPSEEK_V3 = {"vocab_size": 129280, "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
               "num_hidden_layers": 61, "first_k_dense_replace": 3, "num_attention_heads": 128,
               "num_key_value_heads": 128, "n_shared_experts": 1, "n_routed_experts": 256, "num_experts_per_tok": 8,
               "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
               "v_head_dim": 128, "tie_word_embeddings": False}

#: Llama-4-Scout-17B-16E's text_config (every layer MoE: interleave_moe_layer_step 1)
LLAMA4_SCOUT = {"vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192, "intermediate_size_mlp": 16384,
                "num_hidden_layers": 48, "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128,
                "num_local_experts": 16, "num_experts_per_tok": 1, "interleave_moe_layer_step": 1,
                "use_qk_norm": True, "tie_word_embeddings": False}

#: (zoo file, network) -> the published total the issue quotes: a check that the models
#: built above are the published ones, not just whatever symcount says.
PUBLISHED = {
    ("gpt2.sc", "gpt2_small"): 124_439_808, ("gpt2.sc", "gpt2_medium"): 354_823_168,
    ("gpt2.sc", "gpt2_large"): 774_030_080, ("gpt2.sc", "gpt2_xl"): 1_557_611_200,
    ("bert.sc", "bert_base"): 109_482_240, ("bert.sc", "bert_large"): 335_141_888,
    ("llama.sc", "llama2_7b"): 6_738_415_616, ("llama.sc", "llama3_8b"): 8_030_261_248,
    ("llama.sc", "llama3_2_1b"): 1_235_814_400, ("mistral.sc", "mistral_7b"): 7_241_732_096,
    ("mistral.sc", "mixtral_8x7b"): 46_702_792_704,
    ("qwen.sc", "qwen2_5_0_5b"): 494_032_768, ("qwen.sc", "qwen2_5_7b"): 7_615_616_512,
    ("qwen.sc", "qwen3_8b"): 8_190_735_360, ("qwen.sc", "qwen3_30b_a3b"): 30_532_122_624,
    ("deepseek.sc", "deepseek_v3"): 671_026_404_352,
    ("gemma.sc", "gemma2_2b"): 2_614_341_888, ("gemma.sc", "gemma3_1b"): 999_885_952,
    ("llama4.sc", "llama4_scout"): 107_769_861_120,
    ("t5.sc", "t5_small"): 60_506_624, ("bart.sc", "bart_base"): 139_420_416,
    ("whisper.sc", "whisper_tiny"): 37_760_640,
    ("opt.sc", "opt_125m"): 125_239_296, ("opt.sc", "opt_350m"): 331_196_416,
    ("vit.sc", "vit_base"): 86_389_248,
    ("falcon.sc", "falcon_7b"): 6_921_720_704, ("falcon.sc", "falcon_40b"): 41_303_293_952,
}
#: the mixtures of experts: (file, network) -> (top_k, experts), from the configurations
MOE_MODELS = {("mistral.sc", "mixtral_8x7b"): (MIXTRAL["num_experts_per_tok"], MIXTRAL["num_local_experts"]),
              ("qwen.sc", "qwen3_30b_a3b"): (8, 128), ("deepseek.sc", "deepseek_v3"): (8, 256),
              ("llama4.sc", "llama4_scout"): (1, 16)}


def build_llama4(**config: Any) -> Any:
    """Llama4ForCausalLM from a Llama4TextConfig (the text model of Llama 4's checkpoints)."""
    with torch.device("meta"):
        return transformers.Llama4ForCausalLM(transformers.Llama4TextConfig(**config))


T5_SMALL = {"vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6, "num_heads": 8,
            "relative_attention_num_buckets": 32}
BART_BASE = {"vocab_size": 50265, "d_model": 768, "encoder_layers": 6, "decoder_layers": 6,
             "encoder_attention_heads": 12, "decoder_attention_heads": 12, "encoder_ffn_dim": 3072,
             "decoder_ffn_dim": 3072, "max_position_embeddings": 1024}
WHISPER_TINY = {"vocab_size": 51865, "num_mel_bins": 80, "d_model": 384, "encoder_layers": 4, "decoder_layers": 4,
                "encoder_attention_heads": 6, "decoder_attention_heads": 6, "encoder_ffn_dim": 1536,
                "decoder_ffn_dim": 1536, "max_source_positions": 1500, "max_target_positions": 448}


def build_seq2seq(cls_name: str, **config: Any) -> Any:
    """An encoder-decoder from transformers on the meta device (T5Config, BartConfig, WhisperConfig)."""
    config_cls = getattr(transformers, cls_name.replace("ForConditionalGeneration", "Config").replace("Model", "Config"))
    with torch.device("meta"):
        return getattr(transformers, cls_name)(config_cls(**config))


def _gemma3_1b() -> Any:
    """Gemma3ForCausalLM is built from a Gemma3TextConfig (Gemma3Config is the multimodal one)."""
    config = transformers.Gemma3TextConfig(vocab_size=262144, hidden_size=1152, intermediate_size=6912,
                                           num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1,
                                           head_dim=256)
    with torch.device("meta"):
        return transformers.Gemma3ForCausalLM(config)


def _gpt2(name: str) -> Any:
    n, d, h = GPT2[name]
    return build("GPT2LMHeadModel", n_layer=n, n_embd=d, n_head=h)


def _bert(name: str) -> Any:
    n, d, h, ff = BERT[name]
    return build("BertModel", num_hidden_layers=n, hidden_size=d, num_attention_heads=h, intermediate_size=ff)


BUILDERS: dict[tuple[str, str], Callable[[], Any]] = {
    **{("gpt2.sc", name): (lambda name=name: _gpt2(name)) for name in GPT2},
    **{("bert.sc", name): (lambda name=name: _bert(name)) for name in BERT},
    **{("llama.sc", name): (lambda cfg=cfg: build("LlamaForCausalLM", **cfg)) for name, cfg in LLAMA.items()},
    ("mistral.sc", "mistral_7b"): lambda: build("MistralForCausalLM", **MISTRAL_7B),
    ("mistral.sc", "mixtral_8x7b"): lambda: build("MixtralForCausalLM", **MIXTRAL),
    **{("qwen.sc", name): (lambda cls=cls, cfg=cfg: build(cls, **cfg)) for name, (cls, cfg) in QWEN.items()},
    ("deepseek.sc", "deepseek_v3"): lambda: build("DeepseekV3ForCausalLM", **DEEPSEEK_V3),
    ("gemma.sc", "gemma2_2b"): lambda: build("Gemma2ForCausalLM", vocab_size=256000, hidden_size=2304,
                                             intermediate_size=9216, num_hidden_layers=26, num_attention_heads=8,
                                             num_key_value_heads=4, head_dim=256),
    ("gemma.sc", "gemma3_1b"): _gemma3_1b,
    ("llama4.sc", "llama4_scout"): lambda: build_llama4(**LLAMA4_SCOUT),
    ("t5.sc", "t5_small"): lambda: build_seq2seq("T5ForConditionalGeneration", **T5_SMALL),
    ("bart.sc", "bart_base"): lambda: build_seq2seq("BartModel", **BART_BASE),
    ("whisper.sc", "whisper_tiny"): lambda: build_seq2seq("WhisperModel", **WHISPER_TINY),
    ("opt.sc", "opt_125m"): lambda: build("OPTForCausalLM"),
    ("opt.sc", "opt_350m"): lambda: build("OPTForCausalLM", hidden_size=1024, ffn_dim=4096, num_hidden_layers=24,
                                          num_attention_heads=16, word_embed_proj_dim=512,
                                          do_layer_norm_before=False),
    ("vit.sc", "vit_base"): lambda: build("ViTModel"),
    ("falcon.sc", "falcon_7b"): lambda: build("FalconForCausalLM"),
    ("falcon.sc", "falcon_40b"): lambda: build("FalconForCausalLM", hidden_size=8192, num_attention_heads=128,
                                               num_kv_heads=8, num_hidden_layers=60, new_decoder_architecture=True),
}


@pytest.fixture(scope="module")
def published_models() -> dict[tuple[str, str], Any]:
    """Every published model, built once for the module."""
    return {key: make() for key, make in BUILDERS.items()}


@pytest.mark.parametrize(("file", "network"), list(BUILDERS), ids=[n for _, n in BUILDERS])
def test_published_model_matches_transformers(file: str, network: str,
                                              published_models: dict[tuple[str, str], Any]) -> None:
    model = published_models[(file, network)]
    result = zoo_count(file, network)
    trainable, frozen, buffers = hf_counts(model)
    assert (result.trainable, result.non_trainable, result.buffers) == (trainable, frozen, buffers)
    assert result.total == sum(p.numel() for p in model.parameters()) == PUBLISHED[(file, network)]
    assert not result.total.free_symbols


def test_mixtral_active_parameters(published_models: dict[tuple[str, str], Any]) -> None:
    model = published_models[("mistral.sc", "mixtral_8x7b")]
    result = zoo_count("mistral.sc", "mixtral_8x7b")
    active = mixtral_active(model, top_k=MIXTRAL["num_experts_per_tok"], experts=MIXTRAL["num_local_experts"])
    assert result.active == active == 12_879_925_248
    router = [layer for layer in result.layers if layer.name.endswith(".router")]
    assert len(router) == MIXTRAL["num_hidden_layers"]
    assert all(layer.total == layer.active == 4096 * 8 for layer in router)


def test_qwen3_moe_active_parameters(published_models: dict[tuple[str, str], Any]) -> None:
    model = published_models[("qwen.sc", "qwen3_30b_a3b")]
    config = QWEN["qwen3_30b_a3b"][1]
    active = mixtral_active(model, top_k=config["num_experts_per_tok"], experts=config["num_experts"])
    assert zoo_count("qwen.sc", "qwen3_30b_a3b").active == active


def test_deepseek_v3_active_parameters_and_buffers(published_models: dict[tuple[str, str], Any]) -> None:
    """Routed experts count top_k of 256; the shared expert, the dense prefix and attention count whole;
    each MoE layer's router keeps an e_score_correction_bias buffer."""
    model = published_models[("deepseek.sc", "deepseek_v3")]
    result = zoo_count("deepseek.sc", "deepseek_v3")
    assert result.active == mixtral_active(model, top_k=8, experts=256)
    moe_layers = DEEPSEEK_V3["num_hidden_layers"] - DEEPSEEK_V3["first_k_dense_replace"]
    buffers = [name for name, _ in model.named_buffers() if name.endswith("e_score_correction_bias")]
    assert len(buffers) == moe_layers
    assert result.buffers == moe_layers * 256


def test_llama4_scout_active_parameters(published_models: dict[tuple[str, str], Any]) -> None:
    """One of 16 routed experts per token, from the stacked expert tensors; the shared expert, the router and
    attention count whole."""
    model = published_models[("llama4.sc", "llama4_scout")]
    result = zoo_count("llama4.sc", "llama4_scout")
    assert result.active == mixtral_active(model, top_k=1, experts=16) == 17_172_894_720
    shared = [layer for layer in result.layers if ".shared_experts." in layer.name]
    assert len(shared) == LLAMA4_SCOUT["num_hidden_layers"]
    assert all(layer.total == layer.active == 3 * 5120 * 8192 for layer in shared)


def test_encoder_decoders_cross_attend_to_the_encoder() -> None:
    """The decoder's cross-attention reads S encoder positions: its MACs use S, its keys and values the encoder's
    width; T5's relative position bias sits in the first layer of each stack only; Whisper's encoder positions
    are frozen and the decoder's learned."""
    t5 = zoo_count("t5.sc", "t5_small")
    relative = [layer.name for layer in t5.layers
                if any(t.name == "relative_attention_bias.weight" for t in layer.tensors)]
    assert relative == ["t5.encoder.t5_layer.attention", "t5.t5_layer.attention"]
    S, L = sym("S"), sym("L")
    cross = [layer for layer in t5.layers if layer.args is not None and layer.args.get("to") == "encoder"]
    assert len(cross) == 6
    h, dk, d = 8, 64, 512
    assert all(layer.macs == 2 * L * d * h * dk + 2 * S * d * h * dk + 2 * L * S * h * dk for layer in cross)
    whisper = zoo_count("whisper.sc", "whisper_tiny")
    frozen = [layer for layer in whisper.layers if layer.non_trainable]
    assert [(layer.name, layer.non_trainable) for layer in frozen] == [("whisper.encoder.embed_positions", 1500 * 384)]
    assert tuple(whisper.output_shape) == (L, 384)


def test_cross_attention_needs_a_stream() -> None:
    source = ("network n {\n input(L=4, C=8)\n memory: linear(C_out=8)\n attention(heads=2, to=memory)\n}")
    with pytest.raises(symcount.SymcountError, match="'memory' labels a layer, not a stream") as info:
        symcount.count(source)
    assert info.value.pos.line == 4
    with pytest.raises(symcount.SymcountError, match="no earlier stream has that label"):
        symcount.count("network n {\n input(L=4, C=8)\n attention(heads=2, to=encoder)\n}")
    with pytest.raises(symcount.SymcountError, match="a stream starts with its own input"):
        symcount.count("network n {\n enc: stream { linear(C_out=4) }\n input(L=4, C=8)\n}")
    with pytest.raises(symcount.SymcountError, match="a stream needs a label"):
        symcount.count("network n {\n stream { input(L=3, C=8) }\n input(L=4, C=8)\n}")


def test_qwen2_has_no_output_bias_and_qwen3_normalises_heads() -> None:
    """Qwen2's o_proj has no bias (q, k and v do); Qwen3's q_norm and k_norm are head_dim wide."""
    qwen2 = next(layer for layer in zoo_count("qwen.sc", "qwen2_5_0_5b").layers if layer.kind == "attention")
    assert [t.name for t in qwen2.tensors] == ["q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias",
                                               "v_proj.weight", "v_proj.bias", "o_proj.weight"]
    qwen3 = next(layer for layer in zoo_count("qwen.sc", "qwen3_8b").layers if layer.kind == "attention")
    norms = {t.name: t.shape for t in qwen3.tensors if "norm" in t.name}
    assert norms == {"q_norm.weight": (128,), "k_norm.weight": (128,)}


def test_dense_models_are_fully_active() -> None:
    for file, network in BUILDERS:
        if (file, network) not in MOE_MODELS:
            result = zoo_count(file, network)
            assert result.active == result.total, network


@pytest.mark.parametrize(("file", "network"), [("gpt2.sc", "gpt2_small"), ("llama.sc", "llama3_2_1b")])
def test_tied_head_is_counted_once(file: str, network: str) -> None:
    result = zoo_count(file, network)
    [head] = [layer for layer in result.layers if layer.name.endswith("lm_head")]
    assert head.total == 0
    assert [t.category for t in head.tensors] == ["not counted"]
    assert len(result.shared) == 1 and result.shared[0].startswith(head.name + ".weight = ")


def test_bert_pooler_reads_one_token() -> None:
    """The pooler is dense + tanh on [CLS]: d_model^2 + d_model parameters, MACs for one position."""
    result = zoo_count("bert.sc", "bert_base")
    pooler = next(layer for layer in result.layers if layer.name.endswith("pooler"))
    assert pooler.total == 768 * 768 + 768
    assert pooler.macs == 768 * 768
    assert tuple(result.output_shape) == (768,)


# ---------------------------------------------------------------------------------------------
# small random configurations through the same zoo blocks

def probe(file: str, call: str) -> symcount.Count:
    """Count ``call`` (a call of the file's block) in a network appended to the zoo file."""
    text = (ZOO / file).read_text(encoding="utf-8") + f"\nnetwork probe {{\n    input(L=L)\n    {call}\n}}\n"
    return symcount.count(text, network="probe")


@st.composite
def decoder_configs(draw: st.DrawFn) -> dict[str, Any]:
    kv_heads = draw(st.integers(1, 4))
    heads = kv_heads * draw(st.integers(1, 3))
    head_dim = 2 * draw(st.integers(1, 4))  # rotary pairs dimensions: an even head size
    return {
        "n_layers": draw(st.integers(1, 3)),
        "d_model": heads * head_dim,
        "V": draw(st.integers(1, 50)),
        "ff": draw(st.integers(1, 40)),
        "heads": heads,
        "kv_heads": kv_heads,
        "tied": draw(st.booleans()),
    }


def _llama_config(c: dict[str, Any]) -> dict[str, Any]:
    return {"vocab_size": c["V"], "hidden_size": c["d_model"], "intermediate_size": c["ff"],
            "num_hidden_layers": c["n_layers"], "num_attention_heads": c["heads"],
            "num_key_value_heads": c["kv_heads"], "tie_word_embeddings": c["tied"],
            "bos_token_id": None, "eos_token_id": None, "pad_token_id": None}


def _call(block: str, c: dict[str, Any], **extra: Any) -> str:
    items = {**c, **extra}
    return f"{block}(" + ", ".join(f"{k}={str(v).lower()}" for k, v in items.items()) + ")"


PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(decoder_configs())
def test_llama_block_random(c: dict[str, Any]) -> None:
    model = build("LlamaForCausalLM", **_llama_config(c))
    result = probe("llama.sc", _call("llama", c))
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(decoder_configs())
def test_mistral_block_random(c: dict[str, Any]) -> None:
    c.pop("tied")  # the Mistral block's head is untied, as in every published Mistral
    model = build("MistralForCausalLM", **_llama_config({**c, "tied": False}))
    result = probe("mistral.sc", _call("mistral", c))
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(decoder_configs(), st.integers(2, 6), st.data())
def test_mixtral_block_random(c: dict[str, Any], experts: int, data: st.DataObject) -> None:
    c.pop("tied")
    top_k = data.draw(st.integers(1, experts))
    config = {**_llama_config({**c, "tied": False}), "num_local_experts": experts, "num_experts_per_tok": top_k}
    model = build("MixtralForCausalLM", **config)
    result = probe("mistral.sc", _call("mistral", c, experts=experts, top_k=top_k))
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)
    assert result.active == mixtral_active(model, top_k, experts)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6), st.integers(1, 60), st.integers(1, 40))
def test_gpt2_block_random(n_layers: int, heads: int, head_dim: int, V: int, n_ctx: int) -> None:
    d = heads * head_dim
    model = build("GPT2LMHeadModel", n_layer=n_layers, n_embd=d, n_head=heads, vocab_size=V, n_positions=n_ctx)
    result = probe("gpt2.sc", f"gpt2(n_layers={n_layers}, d_model={d}, heads={heads}, V={V}, n_ctx={n_ctx})")
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6), st.integers(1, 40), st.integers(1, 60),
       st.integers(1, 40), st.integers(1, 4))
def test_bert_block_random(n_layers: int, heads: int, head_dim: int, ff: int, V: int, positions: int,
                           segments: int) -> None:
    d = heads * head_dim
    model = build("BertModel", num_hidden_layers=n_layers, hidden_size=d, num_attention_heads=heads,
                  intermediate_size=ff, vocab_size=V, max_position_embeddings=positions, type_vocab_size=segments)
    result = probe("bert.sc", f"bert(n_layers={n_layers}, d_model={d}, heads={heads}, ff={ff}, V={V}, "
                              f"n_positions={positions}, n_segments={segments})")
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


def _qwen_config(c: dict[str, Any], head_dim: int) -> dict[str, Any]:
    return {**_llama_config(c), "head_dim": head_dim}


@PROPERTY
@given(decoder_configs())
def test_qwen2_block_random(c: dict[str, Any]) -> None:
    model = build("Qwen2ForCausalLM", **_llama_config(c))
    result = probe("qwen.sc", _call("qwen", c, head_dim=c["d_model"] // c["heads"], qkv_bias=True))
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(decoder_configs(), st.integers(1, 5), st.booleans(), st.integers(1, 6), st.data())
def test_qwen3_block_random(c: dict[str, Any], half_head: int, bias: bool, experts: int,
                            data: st.DataObject) -> None:
    """Qwen3 (dense) and Qwen3-MoE with its own head size, with or without attention biases."""
    head_dim = 2 * half_head
    top_k = data.draw(st.integers(1, experts))
    config = {**_qwen_config(c, head_dim), "attention_bias": bias}
    if experts > 1:
        config.update(num_experts=experts, num_experts_per_tok=top_k, moe_intermediate_size=c["ff"])
        model = build("Qwen3MoeForCausalLM", **config)
    else:
        model = build("Qwen3ForCausalLM", **config)
    result = probe("qwen.sc", _call("qwen", c, head_dim=head_dim, qkv_bias=bias, o_bias=bias, qk_norm='"rmsnorm"',
                                    experts=experts, top_k=top_k))
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)
    if experts > 1:
        assert result.active == mixtral_active(model, top_k, experts)


@PROPERTY
@given(st.integers(1, 3), st.integers(0, 2), st.integers(1, 3), st.integers(1, 4), st.integers(1, 6),
       st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(2, 6), st.integers(0, 2), st.data())
def test_deepseek_block_random(moe_layers: int, n_dense: int, heads: int, rope_half: int, nope: int, v_dim: int,
                               ff: int, moe_ff: int, experts: int, shared: int, data: st.DataObject) -> None:
    """DeepSeek-V3 at small sizes: with and without the query latent, with and without shared experts."""
    d = data.draw(st.integers(4, 24))
    q_rank = data.draw(st.one_of(st.none(), st.integers(1, d)))
    kv_rank = data.draw(st.integers(1, d))
    top_k = data.draw(st.integers(1, experts))
    V = data.draw(st.integers(1, 40))
    config = {"vocab_size": V, "hidden_size": d, "intermediate_size": ff, "moe_intermediate_size": moe_ff,
              "num_hidden_layers": n_dense + moe_layers, "first_k_dense_replace": n_dense,
              "num_attention_heads": heads, "num_key_value_heads": heads, "n_shared_experts": shared,
              "n_routed_experts": experts, "num_experts_per_tok": top_k, "n_group": 1, "topk_group": 1,
              "q_lora_rank": q_rank, "kv_lora_rank": kv_rank, "qk_rope_head_dim": 2 * rope_half,
              "qk_nope_head_dim": nope, "v_head_dim": v_dim, "tie_word_embeddings": False,
              "bos_token_id": None, "eos_token_id": None, "pad_token_id": None}
    model = build("DeepseekV3ForCausalLM", **config)
    call = (f"deepseek(n_layers={n_dense + moe_layers}, n_dense={n_dense}, d_model={d}, V={V}, ff={ff}, "
            f"moe_ff={moe_ff}, heads={heads}, q_lora_rank={q_rank or 0}, "
            f"kv_lora_rank={kv_rank}, qk_rope_head_dim={2 * rope_half}, qk_nope_head_dim={nope}, "
            f"v_head_dim={v_dim}, experts={experts}, top_k={top_k}, shared={shared})")
    result = probe("deepseek.sc", call)
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)
    assert result.active == mixtral_active(model, top_k, experts)


@PROPERTY
@given(decoder_configs(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 40), st.integers(1, 5), st.data())
def test_llama4_block_random(c: dict[str, Any], groups: int, moe_step: int, ff_mlp: int, experts: int,
                             data: st.DataObject) -> None:
    """Llama 4 with MoE in every layer (Scout) or every moe_step-th (Maverick's interleaving), QK-norm on."""
    c.pop("tied")
    n_layers = groups * moe_step
    top_k = data.draw(st.integers(1, experts))
    head_dim = c["d_model"] // c["heads"]
    model = build_llama4(vocab_size=c["V"], hidden_size=c["d_model"], intermediate_size=c["ff"],
                         intermediate_size_mlp=ff_mlp, num_hidden_layers=n_layers, num_attention_heads=c["heads"],
                         num_key_value_heads=c["kv_heads"], head_dim=head_dim, num_local_experts=experts,
                         num_experts_per_tok=top_k, interleave_moe_layer_step=moe_step, use_qk_norm=True,
                         tie_word_embeddings=False, bos_token_id=None, eos_token_id=None, pad_token_id=None)
    call = _call("llama4", {**c, "n_layers": n_layers}, ff_mlp=ff_mlp, head_dim=head_dim, experts=experts,
                 top_k=top_k, moe_step=moe_step)
    result = probe("llama4.sc", call)
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)
    assert result.active == mixtral_active(model, top_k, experts)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 8), st.integers(1, 30),
       st.integers(1, 40), st.integers(4, 12))
def test_t5_block_random(n_layers: int, heads: int, d_kv: int, d: int, ff: int, V: int, buckets: int) -> None:
    model = build_seq2seq("T5ForConditionalGeneration", vocab_size=V, d_model=d, d_kv=d_kv, d_ff=ff,
                          num_layers=n_layers, num_heads=heads, relative_attention_num_buckets=buckets)
    result = probe_seq2seq("t5.sc", f"t5(n_layers={n_layers}, d_model={d}, d_kv={d_kv}, ff={ff}, heads={heads}, "
                                    f"V={V}, buckets={buckets})")
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 30), st.integers(4, 40),
       st.integers(1, 30))
def test_bart_block_random(n_layers: int, heads: int, head_dim: int, ff: int, V: int, positions: int) -> None:
    d = heads * head_dim
    model = build_seq2seq("BartModel", vocab_size=V, d_model=d, encoder_layers=n_layers, decoder_layers=n_layers,
                          encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ff,
                          decoder_ffn_dim=ff, max_position_embeddings=positions, pad_token_id=1, bos_token_id=0,
                          eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
    result = probe_seq2seq("bart.sc", f"bart(n_layers={n_layers}, d_model={d}, heads={heads}, ff={ff}, V={V}, "
                                      f"n_positions={positions})")
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


@PROPERTY
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 30), st.integers(4, 40),
       st.integers(1, 8), st.integers(1, 20), st.integers(1, 20))
def test_whisper_block_random(n_layers: int, heads: int, head_dim: int, ff: int, V: int, mels: int, audio: int,
                              text: int) -> None:
    d = heads * head_dim
    model = build_seq2seq("WhisperModel", vocab_size=V, num_mel_bins=mels, d_model=d, encoder_layers=n_layers,
                          decoder_layers=n_layers, encoder_attention_heads=heads, decoder_attention_heads=heads,
                          encoder_ffn_dim=ff, decoder_ffn_dim=ff, max_source_positions=audio,
                          max_target_positions=text, pad_token_id=None, bos_token_id=None, eos_token_id=None,
                          decoder_start_token_id=0)
    result = probe_seq2seq("whisper.sc", f"whisper(n_layers={n_layers}, d_model={d}, heads={heads}, ff={ff}, "
                                         f"V={V}, n_mels={mels}, n_audio={audio}, n_text={text})")
    assert (result.trainable, result.non_trainable, result.buffers) == hf_counts(model)


def probe_seq2seq(file: str, call: str) -> symcount.Count:
    """Count an encoder-decoder block's call: it brings its own inputs (the encoder stream's and the decoder's)."""
    text = (ZOO / file).read_text(encoding="utf-8") + f"\nnetwork probe {{\n    {call}\n}}\n"
    return symcount.count(text, network="probe")


# ---------------------------------------------------------------------------------------------
# the moe layer itself

MOE_TWICE = """
network two {
    input(L=L)
    repeat 2 { residual { rmsnorm(); moe(experts=4, top_k=1) { gated_mlp(ff=8) } } }
}
"""


def test_moe_in_every_layer() -> None:
    """Each moe has its own router (no clash between layers); MACs run top_k experts per token."""
    result = symcount.count(MOE_TWICE.replace("L=L", "L=3").replace("input(", "input(C=6, "))
    routers = [layer for layer in result.layers if layer.name.endswith("router")]
    assert [r.name for r in routers] == ["moe.router", "moe_1.router"]
    expert = 3 * 6 * 8
    assert result.total == 2 * (6 + 6 * 4 + 4 * expert)
    assert result.active == 2 * (6 + 6 * 4 + 1 * expert)
    assert result.macs == 2 * 3 * (6 * 4 + 1 * expert)


def test_moe_top_k_above_experts_is_an_error() -> None:
    with pytest.raises(symcount.SymcountError, match="top_k=3 is more than the 2 experts"):
        symcount.count("network n {\n input(L=4, C=8)\n moe(experts=2, top_k=3) { gated_mlp(ff=4) }\n}")


def test_qk_norm_must_be_a_norm() -> None:
    source = 'network n {\n input(L=4, C=8)\n attention(heads=2, qk_norm="batchnorm")\n}'
    with pytest.raises(symcount.SymcountError, match='qk_norm must be "rmsnorm", "layernorm" or "none"') as info:
        symcount.count(source)
    assert (info.value.pos.line, info.value.pos.column) == (3, 21)


def test_shared_experts_need_routed_ones() -> None:
    source = "network n {\n input(L=4, C=8)\n moe(experts=0, shared=1) { gated_mlp(ff=4) }\n}"
    with pytest.raises(symcount.SymcountError, match=r"moe has no routed experts \(experts=0\)") as info:
        symcount.count(source)
    assert (info.value.pos.line, info.value.pos.column) == (3, 14)


def test_shared_experts_are_always_active() -> None:
    """shared=2: two more copies of the expert, counted whole in active and MACs; the router's buffer."""
    source = ("network n {\n input(L=3, C=6)\n moe(experts=4, top_k=1, shared=2, correction_bias=true) "
              "{ gated_mlp(ff=8) }\n}")
    result = symcount.count(source)
    expert = 3 * 6 * 8
    assert result.total == 6 * 4 + 4 * expert + 2 * expert
    assert result.active == 6 * 4 + 1 * expert + 2 * expert
    assert result.buffers == 4
    assert result.macs == 3 * (6 * 4 + 3 * expert)
    assert [layer.name for layer in result.layers] == ["moe.router", "moe.experts.gated_mlp",
                                                       "moe.shared_experts.gated_mlp"]


def test_latent_attention_rank_must_fit() -> None:
    source = ("network n {\n input(L=4, C=8)\n latent_attention(heads=2, kv_lora_rank=16, qk_rope_head_dim=2, "
              "qk_nope_head_dim=4, v_head_dim=4)\n}")
    with pytest.raises(symcount.SymcountError, match="kv_lora_rank=16 is more than d_model=8") as info:
        symcount.count(source)
    assert info.value.pos.line == 3
