"""Hugging Face ``config.json`` files counted by symcount against transformers' own classes.

Each config is written to a file and counted the way a user counts it
(``symcount.count(Path("config.json"))``); the same dictionary builds the class named by
``architectures[0]`` (or the family's base model) on PyTorch's meta device, so nothing is
allocated or downloaded. Totals and trainable counts must agree exactly, and for
mixtures of experts the active count is computed from the model's expert tensors.
Published configurations are checked first, then random small ones per family
(hypothesis), then the defaults each family writes down against its configuration
class, then bad input.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import needs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.frameworks import hf_config

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent


def _torch() -> Any:
    return needs.module("torch")


def _transformers() -> Any:
    return needs.module("transformers")


def build(config: dict[str, Any]) -> Any:
    """transformers' model for a config dict: ``architectures[0]``, else the family's base model (a
    multimodal config: the reference class built from its ``text_config``)."""
    transformers = _transformers()
    if config["model_type"] in hf_config.NESTED:
        key, reference = hf_config.NESTED[config["model_type"]]
        inner = config[key]
        return build({"model_type": f"{config['model_type']}_text", **inner, "architectures": [reference]})
    family = hf_config.FAMILIES[config["model_type"]]
    names = config.get("architectures") or [family.prefix + family.base]
    settings_ = {k: v for k, v in config.items() if k not in ("model_type", "architectures")}
    hf = transformers.AutoConfig.for_model(config["model_type"], **settings_)
    with _torch().device("meta"):
        return getattr(transformers, names[0])(hf)


def hf_numbers(model: Any) -> tuple[int, int]:
    """(total, trainable) as PyTorch reports them (a tied matrix counted once)."""
    params = list(model.parameters())
    return sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad)


#: the mixtures of experts: model_type -> the key holding the number of routed experts
MOE = {"mixtral": "num_local_experts", "qwen3_moe": "num_experts", "qwen2_moe": "num_experts",
       "deepseek_v3": "n_routed_experts", "llama4_text": "num_local_experts"}


def moe_active(model: Any, config: dict[str, Any]) -> int:
    """Everything but the experts a token skips: total - (E - k)/E of the (routed) expert tensors."""
    experts, top_k = config[MOE[config["model_type"]]], config["num_experts_per_tok"]
    expert_weights = sum(p.numel() for name, p in model.named_parameters() if ".experts." in name)
    if experts == 0:  # Qwen-MoE with num_experts 0: every layer dense
        return hf_numbers(model)[0]
    assert expert_weights % experts == 0  # 0 when every layer is dense (DeepSeek-V3 with few layers)
    return hf_numbers(model)[0] - expert_weights // experts * (experts - top_k)


def count_config(config: dict[str, Any], tmp_path: Path, name: str = "config.json") -> symcount.Count:
    path = tmp_path / name
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return symcount.count(path)


def assert_matches(config: dict[str, Any], tmp_path: Path) -> symcount.Count:
    result = count_config(config, tmp_path)
    model = build(config)
    total, trainable = hf_numbers(model)
    assert (result.total, result.trainable) == (total, trainable), config
    if config["model_type"] in hf_config.NESTED:  # the text model's keys decide the experts
        key = hf_config.NESTED[config["model_type"]][0]
        config = {"model_type": f"{config['model_type']}_text", **config[key]}
    if config["model_type"] in MOE:
        defaults = hf_config.FAMILIES[config["model_type"]].defaults
        assert result.active == moe_active(model, {**defaults, **config})
    else:
        assert result.active == result.total
    return result


#: Published configurations, as in the models' config.json files (the keys that size the weights),
#: and the totals the model cards quote: a check that the configs are the published ones.
PUBLISHED: dict[str, tuple[dict[str, Any], int]] = {
    "llama3_8b": ({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256,
                   "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                   "num_attention_heads": 32, "num_key_value_heads": 8, "tie_word_embeddings": False,
                   "rope_theta": 500000.0, "torch_dtype": "bfloat16"}, 8_030_261_248),
    "llama3_2_1b": ({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256,
                     "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
                     "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
                     "tie_word_embeddings": True}, 1_235_814_400),
    "mistral_7b": ({"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 32000,
                    "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                    "num_attention_heads": 32, "num_key_value_heads": 8, "sliding_window": 4096}, 7_241_732_096),
    "mixtral_8x7b": ({"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "vocab_size": 32000,
                      "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                      "num_attention_heads": 32, "num_key_value_heads": 8, "num_local_experts": 8,
                      "num_experts_per_tok": 2}, 46_702_792_704),
    "gemma_2b": ({"architectures": ["GemmaForCausalLM"], "model_type": "gemma", "vocab_size": 256000,
                  "hidden_size": 2048, "intermediate_size": 16384, "num_hidden_layers": 18,
                  "num_attention_heads": 8, "num_key_value_heads": 1, "head_dim": 256}, 2_506_172_416),
    "gemma2_9b": ({"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "vocab_size": 256000,
                   "hidden_size": 3584, "intermediate_size": 14336, "num_hidden_layers": 42,
                   "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256}, 9_241_705_984),
    "phi3_mini": ({"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "vocab_size": 32064,
                   "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
                   "num_attention_heads": 32, "num_key_value_heads": 32}, 3_821_079_552),
    "gpt2": ({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50257, "n_ctx": 1024,
              "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024}, 124_439_808),
    "bert_base_uncased": ({"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 30522,
                           "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                           "num_hidden_layers": 12, "max_position_embeddings": 512, "type_vocab_size": 2},
                          109_514_298),
    "roberta_base": ({"architectures": ["RobertaForMaskedLM"], "model_type": "roberta", "vocab_size": 50265,
                      "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                      "num_hidden_layers": 12, "max_position_embeddings": 514, "type_vocab_size": 1},
                     124_697_433),
    "pythia_1b": ({"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "vocab_size": 50304,
                   "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
                   "num_attention_heads": 8, "rotary_pct": 0.25, "use_parallel_residual": True,
                   "tie_word_embeddings": False}, 1_011_781_632),
    "qwen2_5_0_5b": ({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936,
                      "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
                      "num_attention_heads": 14, "num_key_value_heads": 2, "tie_word_embeddings": True,
                      "use_sliding_window": False, "sliding_window": 32768, "max_window_layers": 24},
                     494_032_768),
    "qwen2_5_7b": ({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 152064,
                    "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
                    "num_attention_heads": 28, "num_key_value_heads": 4, "tie_word_embeddings": False},
                   7_615_616_512),
    "qwen3_8b": ({"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936,
                  "hidden_size": 4096, "intermediate_size": 12288, "num_hidden_layers": 36,
                  "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "attention_bias": False,
                  "tie_word_embeddings": False}, 8_190_735_360),
    "qwen3_30b_a3b": ({"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "vocab_size": 151936,
                       "hidden_size": 2048, "intermediate_size": 6144, "moe_intermediate_size": 768,
                       "num_hidden_layers": 48, "num_attention_heads": 32, "num_key_value_heads": 4,
                       "head_dim": 128, "num_experts": 128, "num_experts_per_tok": 8, "decoder_sparse_step": 1,
                       "mlp_only_layers": [], "norm_topk_prob": True, "tie_word_embeddings": False},
                      30_532_122_624),
    # DeepSeek-V3 (and R1) without its multi-token-prediction module (transformers builds none);
    # the published file's fp8 quantization_config is left out: the model is counted as built
    "deepseek_v3": ({"architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3", "vocab_size": 129280,
                     "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
                     "num_hidden_layers": 61, "num_nextn_predict_layers": 1, "num_attention_heads": 128,
                     "num_key_value_heads": 128, "n_shared_experts": 1, "n_routed_experts": 256,
                     "routed_scaling_factor": 2.5, "kv_lora_rank": 512, "q_lora_rank": 1536,
                     "qk_rope_head_dim": 64, "v_head_dim": 128, "qk_nope_head_dim": 128, "topk_method": "noaux_tc",
                     "n_group": 8, "topk_group": 4, "num_experts_per_tok": 8, "first_k_dense_replace": 3,
                     "norm_topk_prob": True, "tie_word_embeddings": False}, 671_026_404_352),
    # Llama-4-Scout-17B-16E's text_config, as its own config (the nested one: test_a_nested_llama4_config...)
    "llama4_scout_text": ({"architectures": ["Llama4ForCausalLM"], "model_type": "llama4_text",
                           "vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192,
                           "intermediate_size_mlp": 16384, "num_hidden_layers": 48, "num_attention_heads": 40,
                           "num_key_value_heads": 8, "head_dim": 128, "num_local_experts": 16,
                           "num_experts_per_tok": 1, "interleave_moe_layer_step": 1, "use_qk_norm": True,
                           "attention_chunk_size": 8192, "no_rope_layers": [], "attn_temperature_tuning": True,
                           "rope_scaling": {"factor": 16.0, "high_freq_factor": 1.0, "low_freq_factor": 1.0,
                                            "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                           "tie_word_embeddings": False}, 107_769_861_120),
    "qwen1_5_moe_a2_7b": ({"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe",
                           "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 5632,
                           "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
                           "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16,
                           "num_experts": 60, "num_experts_per_tok": 4, "decoder_sparse_step": 1,
                           "norm_topk_prob": False, "tie_word_embeddings": False, "use_sliding_window": False,
                           "sliding_window": 32768, "max_window_layers": 21}, 14_315_784_192),
    "opt_125m": ({"architectures": ["OPTForCausalLM"], "model_type": "opt", "vocab_size": 50272,
                  "hidden_size": 768, "ffn_dim": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
                  "max_position_embeddings": 2048, "do_layer_norm_before": True, "word_embed_proj_dim": 768,
                  "enable_bias": True, "activation_function": "relu"}, 125_239_296),
    # OPT-350m: 512-wide word embeddings projected in and out, LayerNorm after each sub-layer
    "opt_350m": ({"architectures": ["OPTForCausalLM"], "model_type": "opt", "vocab_size": 50272,
                  "hidden_size": 1024, "ffn_dim": 4096, "num_hidden_layers": 24, "num_attention_heads": 16,
                  "max_position_embeddings": 2048, "do_layer_norm_before": False, "word_embed_proj_dim": 512,
                  "activation_function": "relu"}, 331_196_416),
    # google/vit-base-patch16-224: ImageNet-1k's 1,000 labels (id2label written out below)
    "vit_base_patch16_224": ({"architectures": ["ViTForImageClassification"], "model_type": "vit",
                              "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                              "num_hidden_layers": 12, "image_size": 224, "patch_size": 16, "num_channels": 3,
                              "qkv_bias": True, "hidden_act": "gelu",
                              "id2label": {str(i): f"class {i}" for i in range(1000)}}, 86_567_656),
    "vit_base_patch16_224_in21k": ({"architectures": ["ViTModel"], "model_type": "vit", "hidden_size": 768,
                                    "intermediate_size": 3072, "num_attention_heads": 12, "num_hidden_layers": 12,
                                    "image_size": 224, "patch_size": 16, "num_channels": 3, "qkv_bias": True},
                                   86_389_248),
    "whisper_tiny": ({"architectures": ["WhisperForConditionalGeneration"], "model_type": "whisper",
                      "vocab_size": 51865, "num_mel_bins": 80, "d_model": 384, "encoder_layers": 4,
                      "decoder_layers": 4, "encoder_attention_heads": 6, "decoder_attention_heads": 6,
                      "encoder_ffn_dim": 1536, "decoder_ffn_dim": 1536, "max_source_positions": 1500,
                      "max_target_positions": 448, "scale_embedding": False}, 37_760_640),
    "whisper_large_v3": ({"architectures": ["WhisperForConditionalGeneration"], "model_type": "whisper",
                          "vocab_size": 51866, "num_mel_bins": 128, "d_model": 1280, "encoder_layers": 32,
                          "decoder_layers": 32, "encoder_attention_heads": 20, "decoder_attention_heads": 20,
                          "encoder_ffn_dim": 5120, "decoder_ffn_dim": 5120, "max_source_positions": 1500,
                          "max_target_positions": 448}, 1_543_490_560),
    # distil-whisper/distil-large-v3: large-v3's encoder, a decoder of 2 layers
    "distil_large_v3": ({"architectures": ["WhisperForConditionalGeneration"], "model_type": "whisper",
                         "vocab_size": 51866, "num_mel_bins": 128, "d_model": 1280, "encoder_layers": 32,
                         "decoder_layers": 2, "encoder_attention_heads": 20, "decoder_attention_heads": 20,
                         "encoder_ffn_dim": 5120, "decoder_ffn_dim": 5120, "max_source_positions": 1500,
                         "max_target_positions": 448}, 756_405_760),
    "falcon_7b": ({"architectures": ["FalconForCausalLM"], "model_type": "falcon", "vocab_size": 65024,
                   "hidden_size": 4544, "num_attention_heads": 71, "num_hidden_layers": 32, "alibi": False,
                   "bias": False, "multi_query": True, "new_decoder_architecture": False, "parallel_attn": True,
                   "apply_residual_connection_post_layernorm": False}, 6_921_720_704),
    "falcon_40b": ({"architectures": ["FalconForCausalLM"], "model_type": "falcon", "vocab_size": 65024,
                    "hidden_size": 8192, "num_attention_heads": 128, "num_kv_heads": 8, "num_hidden_layers": 60,
                    "alibi": False, "bias": False, "new_decoder_architecture": True, "parallel_attn": True},
                   41_303_293_952),
    "t5_small": ({"architectures": ["T5ForConditionalGeneration"], "model_type": "t5", "vocab_size": 32128,
                  "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6, "num_decoder_layers": 6, "num_heads": 8,
                  "relative_attention_num_buckets": 32, "feed_forward_proj": "relu", "n_positions": 512},
                 60_506_624),
    "gemma3_1b": ({"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text", "vocab_size": 262144,
                   "hidden_size": 1152, "intermediate_size": 6912, "num_hidden_layers": 26,
                   "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 256, "sliding_window": 512,
                   "sliding_window_pattern": 6, "query_pre_attn_scalar": 256}, 999_885_952),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_config_matches_transformers(name: str, tmp_path: Path) -> None:
    config, published = PUBLISHED[name]
    result = assert_matches(config, tmp_path)
    assert result.total == published
    assert result.network == config["architectures"][0]


def test_mixtral_active_is_the_published_figure(tmp_path: Path) -> None:
    assert count_config(PUBLISHED["mixtral_8x7b"][0], tmp_path).active == 12_879_925_248


def test_deepseek_v3_active_and_its_buffers(tmp_path: Path) -> None:
    """37.5 billion active (top_k of 256 routed experts, the shared expert whole); each of the 58
    expert layers keeps an e_score_correction_bias buffer, as the built model does."""
    config = PUBLISHED["deepseek_v3"][0]
    result = count_config(config, tmp_path)
    assert result.active == 37_552_282_624
    model = build(config)
    assert result.buffers == sum(b.numel() for n, b in model.named_buffers() if n.endswith("e_score_correction_bias"))


GEMMA3_4B = {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
             "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                             "num_hidden_layers": 34, "num_key_value_heads": 4, "sliding_window": 1024,
                             "rope_scaling": {"factor": 8.0, "rope_type": "linear"}},
             "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304,
                               "model_type": "siglip_vision_model", "num_attention_heads": 16,
                               "num_hidden_layers": 27, "patch_size": 14, "vision_use_head": False}}


def test_a_nested_gemma3_config_counts_its_text_model(tmp_path: Path) -> None:
    """Gemma-3-4B's config: the text model from text_config (the rest from Gemma3TextConfig's defaults),
    as Gemma3ForCausalLM builds it; the output says that the vision tower is not counted."""
    result = assert_matches(GEMMA3_4B, tmp_path)
    assert result.network == "Gemma3ForCausalLM"
    described = hf_config.describe(json.dumps(GEMMA3_4B, indent=1)).text
    assert "the text model of a gemma3 config (text_config)" in described
    assert "vision tower is not counted" in described


LLAMA4_SCOUT = {"architectures": ["Llama4ForConditionalGeneration"], "model_type": "llama4",
                "text_config": {k: v for k, v in PUBLISHED["llama4_scout_text"][0].items() if k != "architectures"},
                "vision_config": {"hidden_size": 1408, "image_size": 336, "intermediate_size": 5632,
                                  "model_type": "llama4_vision_model", "num_attention_heads": 16,
                                  "num_hidden_layers": 34, "patch_size": 14, "projector_input_dim": 4096,
                                  "projector_output_dim": 4096, "vision_output_dim": 4096}}


def test_a_nested_llama4_config_counts_its_text_model(tmp_path: Path) -> None:
    """Llama-4-Scout's config.json: the text model from text_config, as Llama4ForCausalLM builds it,
    17,172,894,720 active (one of 16 routed experts and the shared one per token)."""
    result = assert_matches(LLAMA4_SCOUT, tmp_path)
    assert (result.network, result.total, result.active) == ("Llama4ForCausalLM", 107_769_861_120, 17_172_894_720)
    assert "the text model of a llama4 config (text_config)" in hf_config.describe(json.dumps(LLAMA4_SCOUT)).text


def test_llama4_expert_layers_it_cannot_express_are_refused(tmp_path: Path) -> None:
    err = error_of('{"model_type": "llama4",\n "text_config": {"num_hidden_layers": 4, "moe_layers": [0, 1]}}',
                   tmp_path)
    assert "config.json:2:56: 'text_config.moe_layers': [0, 1] is not supported" in err
    err = error_of(json.dumps({"model_type": "llama4_text", "num_hidden_layers": 5, "interleave_moe_layer_step": 2}),
                   tmp_path)
    assert "'interleave_moe_layer_step' (2) does not divide 'num_hidden_layers' (5)" in err


def test_an_explicit_moe_layers_of_the_same_pattern_counts(tmp_path: Path) -> None:
    config = {"model_type": "llama4_text", "architectures": ["Llama4ForCausalLM"], "vocab_size": 50,
              "hidden_size": 16, "intermediate_size": 8, "intermediate_size_mlp": 12, "num_hidden_layers": 4,
              "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4, "num_local_experts": 3,
              "interleave_moe_layer_step": 2, "moe_layers": [1, 3]}
    assert_matches(config, tmp_path)


def test_without_architectures_the_base_model_is_counted_and_named(tmp_path: Path) -> None:
    config = {k: v for k, v in PUBLISHED["llama3_8b"][0].items() if k != "architectures"}
    result = assert_matches(config, tmp_path)
    assert result.network == "LlamaModel"
    assert result.total == 8_030_261_248 - 128256 * 4096  # no lm_head


@pytest.mark.parametrize("model_type", list(hf_config.FAMILIES))
def test_defaults_are_the_configuration_class_defaults(model_type: str, tmp_path: Path) -> None:
    """Every default written in the table is the class's own, and a config that gives
    nothing but model_type counts as transformers builds the class's default model."""
    transformers = _transformers()
    family = hf_config.FAMILIES[model_type]
    defaults = getattr(transformers, family.config_class)()
    for key, value in family.defaults.items():
        if value is not None:
            assert getattr(defaults, key) == value, (family.config_class, key)
    small = {"num_hidden_layers": 1} if "num_hidden_layers" in family.defaults else {"n_layer": 1}
    assert_matches({"model_type": model_type, **small}, tmp_path)


# ---- random small configurations, one property test per family ----------------------------------

def architecture(model_type: str) -> st.SearchStrategy[str]:
    """One of the classes the family reads (its heads)."""
    family = hf_config.FAMILIES[model_type]
    return st.sampled_from([family.prefix + suffix for suffix in family.heads])


@st.composite
def decoder_config(draw: st.DrawFn, model_type: str) -> dict[str, Any]:
    family = hf_config.FAMILIES[model_type]
    kv = draw(st.integers(1, 3))
    heads = kv * draw(st.integers(1, 3))
    head_dim = 2 * draw(st.integers(1, 4))
    explicit = "head_dim" in family.defaults and draw(st.booleans())
    config: dict[str, Any] = {
        "model_type": model_type, "architectures": [family.prefix + draw(st.sampled_from(list(family.heads)))],
        "vocab_size": draw(st.integers(5, 60)), "num_hidden_layers": draw(st.integers(1, 3)),
        "num_attention_heads": heads, "num_key_value_heads": kv, "intermediate_size": draw(st.integers(1, 24)),
        # transformers' classes ask that heads divide the width even when head_dim is given
        "hidden_size": heads * draw(st.integers(1, 6)) if explicit else heads * head_dim,
        "tie_word_embeddings": draw(st.booleans()),
    }
    if explicit:
        config["head_dim"] = head_dim
    for key in ("attention_bias", "mlp_bias"):
        if key in family.defaults:
            config[key] = draw(st.booleans())
    if model_type == "phi3":
        config["pad_token_id"] = 0  # Phi3Config's 32000 is outside a small vocabulary
    experts = MOE.get(model_type)
    if experts is not None:
        config[experts] = draw(st.integers(1, 4))
        config["num_experts_per_tok"] = draw(st.integers(1, config[experts]))
    if "moe_intermediate_size" in family.defaults:
        config["moe_intermediate_size"] = draw(st.integers(1, 24))
    if model_type in ("qwen2_moe", "qwen3_moe"):  # dense layers among the expert layers
        config["decoder_sparse_step"] = draw(st.integers(1, 3))
        config["mlp_only_layers"] = draw(st.lists(st.integers(0, 2), max_size=2, unique=True))
    if model_type == "qwen2_moe":
        config["shared_expert_intermediate_size"] = draw(st.integers(1, 12))
        config["qkv_bias"] = draw(st.booleans())
    return config


@st.composite
def deepseek_config(draw: st.DrawFn) -> dict[str, Any]:
    """DeepSeek-V3's layout at random small sizes: dense layers then expert layers (first_k_dense_replace
    may exceed the layers), with or without a query latent (q_lora_rank null), biases, shared experts."""
    heads, width = draw(st.integers(1, 4)), 2 * draw(st.integers(2, 8))
    experts = draw(st.integers(1, 4))
    return {"model_type": "deepseek_v3",
            "architectures": [draw(architecture("deepseek_v3"))],
            "vocab_size": draw(st.integers(5, 60)), "hidden_size": width, "num_hidden_layers": draw(st.integers(1, 3)),
            "first_k_dense_replace": draw(st.integers(0, 3)), "num_attention_heads": heads,
            "intermediate_size": draw(st.integers(1, 24)), "moe_intermediate_size": draw(st.integers(1, 12)),
            "n_routed_experts": experts, "num_experts_per_tok": draw(st.integers(1, experts)),
            "n_shared_experts": draw(st.integers(0, 2)), "n_group": 1, "topk_group": 1,
            "q_lora_rank": draw(st.none() | st.integers(1, width)), "kv_lora_rank": draw(st.integers(1, width)),
            "qk_rope_head_dim": 2 * draw(st.integers(1, 3)), "qk_nope_head_dim": draw(st.integers(1, 6)),
            "v_head_dim": draw(st.integers(1, 6)), "attention_bias": draw(st.booleans()),
            "tie_word_embeddings": draw(st.booleans())}


@st.composite
def gpt2_config(draw: st.DrawFn) -> dict[str, Any]:
    heads = draw(st.integers(1, 4))
    return {"model_type": "gpt2", "architectures": [draw(architecture("gpt2"))],
            "vocab_size": draw(st.integers(5, 60)), "n_positions": draw(st.integers(1, 40)),
            "n_embd": heads * 2 * draw(st.integers(1, 4)), "n_head": heads, "n_layer": draw(st.integers(1, 3)),
            "n_inner": draw(st.none() | st.integers(1, 30)), "tie_word_embeddings": draw(st.booleans())}


@st.composite
def encoder_config(draw: st.DrawFn, model_type: str) -> dict[str, Any]:
    family = hf_config.FAMILIES[model_type]
    heads = draw(st.integers(1, 4))
    suffix = draw(st.sampled_from(list(family.heads)))
    return {"model_type": model_type, "architectures": [family.prefix + suffix],
            "vocab_size": draw(st.integers(5, 60)), "hidden_size": heads * 2 * draw(st.integers(1, 4)),
            "num_attention_heads": heads, "num_hidden_layers": draw(st.integers(1, 3)),
            "intermediate_size": draw(st.integers(1, 24)), "max_position_embeddings": draw(st.integers(4, 40)),
            "type_vocab_size": draw(st.integers(1, 3)),
            # an untied masked-LM head is refused (test_untied_masked_lm_head_is_refused)
            "tie_word_embeddings": suffix == "ForMaskedLM" or draw(st.booleans())}


@st.composite
def gpt_neox_config(draw: st.DrawFn) -> dict[str, Any]:
    heads = draw(st.integers(1, 4))
    return {"model_type": "gpt_neox", "architectures": [draw(architecture("gpt_neox"))],
            "vocab_size": draw(st.integers(5, 60)), "hidden_size": heads * 4 * draw(st.integers(1, 3)),
            "num_attention_heads": heads, "num_hidden_layers": draw(st.integers(1, 3)),
            "intermediate_size": draw(st.integers(1, 24)), "tie_word_embeddings": draw(st.booleans()),
            "use_parallel_residual": draw(st.booleans()), "attention_bias": draw(st.booleans())}


@st.composite
def llama4_config(draw: st.DrawFn) -> dict[str, Any]:
    """Llama-4 text models: groups of interleave_moe_layer_step layers, the last of each a mixture of
    experts with a shared expert, the others dense of width intermediate_size_mlp."""
    config = draw(decoder_config("llama4_text"))
    step = draw(st.integers(1, 3))
    config["num_hidden_layers"] = step * draw(st.integers(1, 2))
    config["interleave_moe_layer_step"] = step
    config["intermediate_size_mlp"] = draw(st.integers(1, 24))
    config["use_qk_norm"] = draw(st.booleans())
    return config


@st.composite
def t5_config(draw: st.DrawFn) -> dict[str, Any]:
    layers = draw(st.integers(1, 3))
    return {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "vocab_size": draw(st.integers(5, 60)),
            "d_model": draw(st.integers(1, 16)), "d_kv": draw(st.integers(1, 6)), "d_ff": draw(st.integers(1, 24)),
            "num_layers": layers, "num_decoder_layers": draw(st.sampled_from([None, layers])),
            "num_heads": draw(st.integers(1, 4)), "relative_attention_num_buckets": draw(st.integers(1, 40))}


@st.composite
def opt_config(draw: st.DrawFn) -> dict[str, Any]:
    heads = draw(st.integers(1, 4))
    width = heads * draw(st.integers(1, 4))
    return {"model_type": "opt", "architectures": [draw(architecture("opt"))],
            "vocab_size": draw(st.integers(5, 60)), "hidden_size": width, "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(1, 3)), "ffn_dim": draw(st.integers(1, 24)),
            "max_position_embeddings": draw(st.integers(1, 40)), "pad_token_id": 0,
            "word_embed_proj_dim": draw(st.none() | st.just(width) | st.integers(1, 20)),
            "do_layer_norm_before": draw(st.booleans()), "_remove_final_layer_norm": draw(st.booleans()),
            "enable_bias": draw(st.booleans()), "layer_norm_elementwise_affine": draw(st.booleans()),
            "tie_word_embeddings": draw(st.booleans())}


@st.composite
def vit_config(draw: st.DrawFn) -> dict[str, Any]:
    """ViT at small random sizes: square or [height, width] images and patches, with or without
    q/k/v biases, a pooler of its own width."""
    heads = draw(st.integers(1, 4))
    patch = draw(st.integers(1, 4) | st.lists(st.integers(1, 4), min_size=2, max_size=2))
    ph, pw = (patch, patch) if isinstance(patch, int) else patch
    image = draw(st.builds(lambda a, b: [ph * a + b, pw * a], st.integers(1, 3), st.integers(0, 2))
                 | st.just(max(ph, pw) * 2))
    return {"model_type": "vit", "architectures": [draw(architecture("vit"))],
            "hidden_size": heads * draw(st.integers(1, 4)), "num_attention_heads": heads,
            "num_hidden_layers": draw(st.integers(1, 3)), "intermediate_size": draw(st.integers(1, 24)),
            "image_size": image, "patch_size": patch, "num_channels": draw(st.integers(1, 4)),
            "qkv_bias": draw(st.booleans()), "pooler_output_size": draw(st.none() | st.integers(1, 12))}


@st.composite
def whisper_config(draw: st.DrawFn) -> dict[str, Any]:
    """Whisper at small random sizes, the decoder's depth, heads and width apart from the encoder's."""
    enc_heads, dec_heads = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return {"model_type": "whisper", "architectures": [draw(architecture("whisper"))],
            "vocab_size": draw(st.integers(5, 60)), "num_mel_bins": draw(st.integers(1, 8)),
            "d_model": enc_heads * dec_heads * draw(st.integers(1, 3)),
            "encoder_layers": draw(st.integers(1, 3)), "decoder_layers": draw(st.integers(1, 3)),
            "encoder_attention_heads": enc_heads, "decoder_attention_heads": dec_heads,
            "encoder_ffn_dim": draw(st.integers(1, 16)), "decoder_ffn_dim": draw(st.integers(1, 16)),
            "max_source_positions": draw(st.integers(1, 20)), "max_target_positions": draw(st.integers(1, 20)),
            "tie_word_embeddings": draw(st.booleans()), "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0,
            "decoder_start_token_id": 0}


@st.composite
def falcon_config(draw: st.DrawFn) -> dict[str, Any]:
    """Falcon's switches at random: new decoder architecture, multi-query, parallel attention, one or two
    norms, ALiBi, biases; widths from num_kv_heads groups of heads."""
    kv = draw(st.integers(1, 3))
    heads = kv * draw(st.integers(1, 3))
    return {"model_type": "falcon", "architectures": [draw(architecture("falcon"))],
            "vocab_size": draw(st.integers(5, 60)), "hidden_size": heads * 2 * draw(st.integers(1, 3)),
            "num_attention_heads": heads, "num_kv_heads": draw(st.none() | st.just(kv)),
            "num_hidden_layers": draw(st.integers(1, 3)), "new_decoder_architecture": draw(st.booleans()),
            "multi_query": draw(st.booleans()), "parallel_attn": draw(st.booleans()),
            "num_ln_in_parallel_attn": draw(st.sampled_from([None, 1, 2])), "alibi": draw(st.booleans()),
            "bias": draw(st.booleans()), "ffn_hidden_size": draw(st.none() | st.integers(1, 24)),
            "tie_word_embeddings": draw(st.booleans())}


def strategy(model_type: str) -> st.SearchStrategy[dict[str, Any]]:
    if model_type == "falcon":
        return falcon_config()
    if model_type == "whisper":
        return whisper_config()
    if model_type == "vit":
        return vit_config()
    if model_type == "opt":
        return opt_config()
    if model_type == "t5":
        return t5_config()
    if model_type == "llama4_text":
        return llama4_config()
    if model_type == "gpt_neox":
        return gpt_neox_config()
    if model_type == "deepseek_v3":
        return deepseek_config()
    if model_type == "gpt2":
        return gpt2_config()
    if "ForMaskedLM" in hf_config.FAMILIES[model_type].heads:
        return encoder_config(model_type)
    return decoder_config(model_type)


def label_keys() -> st.SearchStrategy[dict[str, Any]]:
    """How a config sizes a classifier: nothing (2 labels), num_labels, or an id2label map."""
    return st.one_of(st.just({}), st.builds(lambda n: {"num_labels": n}, st.integers(1, 5)),
                     st.builds(lambda n: {"id2label": {str(i): f"L{i}" for i in range(n)}}, st.integers(0, 5)))


@pytest.mark.parametrize("model_type", list(hf_config.FAMILIES))
def test_random_small_configs_match_transformers(model_type: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    _transformers()

    @settings(max_examples=10, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(strategy(model_type), label_keys())
    def check(config: dict[str, Any], labels: dict[str, Any]) -> None:
        assert_matches({**config, **labels}, tmp_path_factory.mktemp(model_type))

    check()


HEADS = [(model_type, family.prefix + suffix) for model_type, family in hf_config.FAMILIES.items()
         for suffix in family.heads]


@pytest.mark.parametrize(("model_type", "name"), HEADS, ids=[name for _, name in HEADS])
def test_every_head_matches_transformers(model_type: str, name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each class a family reads, at two random small configurations (labels as a config gives them)."""
    _transformers()
    masked = {"tie_word_embeddings": True} if name.endswith("ForMaskedLM") else {}  # untied: refused

    @settings(max_examples=2, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(strategy(model_type).map(lambda config: {**config, "architectures": [name], **masked}), label_keys())
    def check(config: dict[str, Any], labels: dict[str, Any]) -> None:
        result = assert_matches({**config, **labels}, tmp_path_factory.mktemp(model_type))
        assert result.network == name

    check()


# ---- every verb, and the description a user can keep --------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "symcount", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_describe_prints_a_description_that_counts_the_same(tmp_path: Path) -> None:
    config, published = PUBLISHED["mixtral_8x7b"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    described = run_cli("describe", str(path))
    assert described.returncode == 0, described.stderr
    kept = tmp_path / "mixtral.sc"
    kept.write_text(described.stdout, encoding="utf-8")
    assert symcount.count(kept).total == symcount.count(path).total == published
    assert "network MixtralForCausalLM" in described.stdout


@pytest.mark.parametrize("verb", ["count", "derive", "memory", "compute"])
def test_every_verb_reads_a_config(verb: str, tmp_path: Path) -> None:
    config = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 100, "hidden_size": 16,
              "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    proc = run_cli(verb, str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    total = hf_numbers(build(config))[0]
    assert str(total) in proc.stdout


def test_compare_and_check_read_configs(tmp_path: Path) -> None:
    base = {"model_type": "llama", "vocab_size": 100, "hidden_size": 16, "intermediate_size": 32,
            "num_hidden_layers": 2, "num_attention_heads": 4}
    (tmp_path / "mha.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "gqa.json").write_text(json.dumps({**base, "num_key_value_heads": 1}), encoding="utf-8")
    compared = run_cli("compare", str(tmp_path / "mha.json"), str(tmp_path / "gqa.json"), "--format", "json")
    assert compared.returncode == 0, compared.stderr
    saving = 2 * 2 * 16 * 4 * 3  # k and v: 2 layers x d_model x head_dim x (4 - 1) heads
    assert f'"difference": {saving}' in compared.stdout.replace('"{saving}"', str(saving)) or str(saving) in compared.stdout
    total = symcount.count(tmp_path / "mha.json").total
    checked = run_cli("check", str(tmp_path / "mha.json"), "--answer", str(total))
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ---- bad input ---------------------------------------------------------------------------------

def error_of(text: str, tmp_path: Path) -> str:
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    proc = run_cli("count", str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_unknown_model_type_lists_the_supported_ones(tmp_path: Path) -> None:
    err = error_of('{\n  "model_type": "lama",\n  "hidden_size": 8\n}\n', tmp_path)
    assert "config.json:2:17: unknown model_type 'lama'" in err  # at the value
    assert all(name in err for name in hf_config.FAMILIES)
    assert "llama" in err.split("\n")[-2] or "did you mean" in err


def test_nested_text_config_is_read_and_its_family_checked(tmp_path: Path) -> None:
    err = error_of('{"model_type": "llama4",\n "text_config": {"model_type": "lama"}}', tmp_path)
    assert "config.json:2:32: 'text_config.model_type' is \"lama\": the text model of a llama4 config is always " \
           "llama4_text (Llama4TextConfig)" in err
    err = error_of('{"model_type": "gemma3",\n "text_config": {"hidden_size": "wide"}}', tmp_path)
    assert "config.json:2:33: 'text_config.hidden_size' must be a whole number" in err


@pytest.mark.parametrize("model_type", ["qwen2_moe", "qwen3_moe"])
def test_qwen_moe_dense_layers_among_expert_layers(model_type: str, tmp_path: Path) -> None:
    """decoder_sparse_step and mlp_only_layers make some layers dense: the description writes the runs out."""
    base = {"model_type": model_type, "architectures": [hf_config.FAMILIES[model_type].prefix + "ForCausalLM"],
            "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24, "moe_intermediate_size": 6,
            "shared_expert_intermediate_size": 10, "num_hidden_layers": 7, "num_attention_heads": 4,
            "num_key_value_heads": 2, "num_experts": 5, "num_experts_per_tok": 2}
    for extra in ({"decoder_sparse_step": 2}, {"mlp_only_layers": [0, 1, 5]},
                  {"decoder_sparse_step": 3, "mlp_only_layers": [2]}, {"num_experts": 0}):
        assert_matches({**base, **extra}, tmp_path)
    described = hf_config.describe(json.dumps({**base, "mlp_only_layers": [0, 1, 5]})).text
    assert "repeat 2 { qwen_moe_layer(" in described and "moe=false) }" in described


def test_qwen_moe_bad_dense_layers_are_named(tmp_path: Path) -> None:
    err = error_of(json.dumps({"model_type": "qwen2_moe", "mlp_only_layers": "0"}), tmp_path)
    assert "'mlp_only_layers' must be a list of layer numbers, not \"0\"" in err
    err = error_of(json.dumps({"model_type": "qwen2_moe", "num_experts": 2, "num_experts_per_tok": 3}), tmp_path)
    assert "'num_experts_per_tok' (3) is more than 'num_experts' (2)" in err


def test_a_key_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    err = error_of('{"model_type": "llama",\n "hidden_size": "4096"}', tmp_path)
    assert "config.json:2:17: 'hidden_size' must be a whole number, not \"4096\"" in err
    err = error_of('{"model_type": "llama", "tie_word_embeddings": 1}', tmp_path)
    assert "'tie_word_embeddings' must be true or false, not 1" in err


def test_missing_model_type_is_named(tmp_path: Path) -> None:
    err = error_of('{"hidden_size": 4096}', tmp_path)
    assert "config.json:1:1: missing required key 'model_type'" in err


def test_inconsistent_heads_are_named(tmp_path: Path) -> None:
    err = error_of('{"model_type": "llama", "hidden_size": 100, "num_attention_heads": 3}', tmp_path)
    assert "'hidden_size' (100) is not divisible by 'num_attention_heads' (3)" in err
    err = error_of('{"model_type": "mistral", "num_attention_heads": 32, "num_key_value_heads": 5}', tmp_path)
    assert "'num_attention_heads' (32) is not a multiple of 'num_key_value_heads' (5)" in err


def test_json_syntax_errors_have_line_and_column(tmp_path: Path) -> None:
    err = error_of('{\n  "model_type": "llama",\n  "hidden_size": 4096,\n}\n', tmp_path)
    assert "config.json:4:1: not valid JSON" in err
    assert "^" in err


def test_an_unsupported_architecture_is_named(tmp_path: Path) -> None:
    err = error_of('{"model_type": "bert", "architectures": ["BertForPreTraining"]}', tmp_path)
    assert "config.json:1:42: architecture 'BertForPreTraining' (architectures[0]) is not supported for " \
           "model_type 'bert'" in err
    assert "(supported: BertModel, BertForMaskedLM, BertForSequenceClassification, " \
           "BertForTokenClassification, BertForQuestionAnswering)" in err
    err = error_of('{"model_type": "gemma", "architectures": ["GemmaForQuestionAnswering"]}', tmp_path)
    assert "(supported: GemmaForCausalLM, GemmaModel, GemmaForSequenceClassification, " \
           "GemmaForTokenClassification)" in err
    err = error_of('{"model_type": "bert", "architectures": ["LlamaForCausalLM"]}', tmp_path)
    assert "architecture 'LlamaForCausalLM' (architectures[0]) is not supported for model_type 'bert'" in err


def test_labels_are_read_as_transformers_reads_them(tmp_path: Path) -> None:
    """id2label decides the classifier's width; num_labels alone too; both and different is an error."""
    config = {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "vocab_size": 30,
              "hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4}
    two = count_config(config, tmp_path).total
    assert count_config({**config, "id2label": {"0": "a", "1": "b", "2": "c"}}, tmp_path).total == two + 9
    assert count_config({**config, "num_labels": 5}, tmp_path).total == two + 27
    err = error_of(json.dumps({**config, "num_labels": 5, "id2label": {"0": "a"}}), tmp_path)
    assert "'num_labels' (5) differs from the 1 labels of 'id2label'" in err
    err = error_of(json.dumps({**config, "num_labels": "5"}), tmp_path)
    assert "'num_labels' must be a whole number (0 or more), not \"5\"" in err


def test_an_option_that_is_not_modelled_is_refused(tmp_path: Path) -> None:
    err = error_of('{"model_type": "gpt2", "add_cross_attention": true}', tmp_path)
    assert "'add_cross_attention': true is not supported" in err


def test_t5_options_it_does_not_model_are_refused(tmp_path: Path) -> None:
    err = error_of(json.dumps({"model_type": "t5", "num_layers": 6, "num_decoder_layers": 4}), tmp_path)
    assert "'num_decoder_layers' (4) differs from 'num_layers' (6)" in err
    err = error_of(json.dumps({"model_type": "t5", "feed_forward_proj": "gated-gelu"}), tmp_path)
    assert "'feed_forward_proj': \"gated-gelu\" is not supported" in err


def test_falcon_keys_transformers_no_longer_reads_are_refused(tmp_path: Path) -> None:
    err = error_of('{"model_type": "falcon",\n "n_layer": 60}', tmp_path)
    assert "config.json:2:2: 'n_layer' is an old Falcon key that transformers no longer reads" in err
    assert "rename it num_hidden_layers" in err
    err = error_of('{"model_type": "falcon", "num_ln_in_parallel_attn": 3}', tmp_path)
    assert "'num_ln_in_parallel_attn' must be 1, 2 or null, not 3" in err


def test_falcon_n_embed_is_the_width(tmp_path: Path) -> None:
    """FalconConfig still reads the old n_embed as hidden_size."""
    config = {"model_type": "falcon", "n_embed": 16, "num_attention_heads": 4, "num_hidden_layers": 1,
              "vocab_size": 30}
    assert_matches(config, tmp_path)
    assert count_config(config, tmp_path).total == count_config(
        {**{k: v for k, v in config.items() if k != "n_embed"}, "hidden_size": 16}, tmp_path).total


def test_untied_masked_lm_head_is_refused(tmp_path: Path) -> None:
    err = error_of('{"model_type": "bert", "architectures": ["BertForMaskedLM"], "tie_word_embeddings": false}',
                   tmp_path)
    assert "'tie_word_embeddings': false is not supported for BertForMaskedLM" in err


# ---- docs/frameworks.md: its examples are counted here, and built with transformers ---------------

DOC = ROOT / "docs" / "frameworks.md"
DOC_EXAMPLE = re.compile(r"^```json\n([^`]*)^```\n→ (total [\d,]+(?:, active [\d,]+)?|error: [^\n]+)$", re.M)


def doc_examples() -> list[tuple[str, str]]:
    found = DOC_EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    return [(config, claim) for config, claim in found]


def test_the_doc_has_examples_and_the_defaults_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(doc_examples()) == text.count("```json") >= 5
    assert hf_config.defaults_table() in text, "docs/frameworks.md: paste hf_config.defaults_table() in"
    assert all(f"`{name}`" in text for name in hf_config.WAITING)


@pytest.mark.parametrize(("config", "claim"), doc_examples(), ids=[c[:40] for c, _ in doc_examples()])
def test_doc_examples_count_as_the_page_says(config: str, claim: str, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(config, encoding="utf-8")
    if claim.startswith("error: "):
        with pytest.raises(symcount.SymcountError) as err:
            symcount.count(path)
        assert err.value.message == claim.removeprefix("error: ")
        return
    numbers = [int(n.replace(",", "")) for n in re.findall(r"[\d,]{2,}", claim)]
    result = assert_matches(json.loads(config), tmp_path)
    assert [result.total, result.active][:len(numbers)] == numbers


# ---- every error about a key is at that key (or its value) in the file -----------------------------

def located_error(text: str) -> str:
    """The first line of the error (``config.json:line:col: message``) and the caret line under the source."""
    with pytest.raises(symcount.SymcountError) as err:
        hf_config.describe(text)
    err.value.located("config.json", text)
    return str(err.value)


@pytest.mark.parametrize(("text", "head", "caret"), [
    # a wrong type: at the value, the key named; the same key earlier in a nested object, in a string
    # that looks like a key, or as a duplicate that JSON discards is not the one read
    ('{"model_type": "llama",\n "quantization_config": {"hidden_size": 8},\n "_name_or_path": "\\"hidden_size\\": 1",\n'
     ' "hidden_size": 8,\n "hidden_size": "big"}',
     "config.json:5:17: 'hidden_size' must be a whole number, not \"big\"", '                    ^^^^^'),
    ('{"model_type": "llama", "tie_word_embeddings": 1}',
     "config.json:1:48: 'tie_word_embeddings' must be true or false, not 1", " " * 51 + "^"),
    # a missing required key: at the opening brace, the key named
    ('\n\n  {"hidden_size": 4096}', "config.json:3:3: missing required key 'model_type'", "      ^"),
    ('{"model_type": "gemma3"}', "config.json:1:1: missing required key 'text_config': model_type 'gemma3' keeps "
                                 "its text model there", "    ^"),
    # inconsistent heads: at the heads' key
    ('{"model_type": "llama",\n  "hidden_size": 100,\n  "num_attention_heads": 3}',
     "config.json:3:3: 'hidden_size' (100) is not divisible by 'num_attention_heads' (3)",
     "      ^^^^^^^^^^^^^^^^^^^^^"),
    ('{"model_type": "mistral", "num_attention_heads": 32,\n "num_key_value_heads": 5}',
     "config.json:2:2: 'num_attention_heads' (32) is not a multiple of 'num_key_value_heads' (5)",
     "     ^^^^^^^^^^^^^^^^^^^^^"),
    # an unknown model_type: at its value
    ('{\n  "model_type": "lama"\n}', "config.json:2:17: unknown model_type 'lama'", "                    ^^^^^^"),
    # an unsupported architectures[0]: at that string, wherever the list is written
    ('{"model_type": "bert", "architectures": [\n    "BertForPreTraining",\n    "BertModel"]}',
     "config.json:2:5: architecture 'BertForPreTraining' (architectures[0]) is not supported",
     "        ^^^^^^^^^^^^^^^^^^^^"),
    # nested text_config keys: at the nested key, not the top-level key of the same name
    ('{"model_type": "llama4", "hidden_size": 100, "num_attention_heads": 3,\n'
     ' "text_config": {"hidden_size": 100, "head_dim": null, "num_key_value_heads": 1,\n    "num_attention_heads": 3}}',
     "config.json:3:5: 'text_config.hidden_size' (100) is not divisible by 'text_config.num_attention_heads' (3)",
     "        ^^^^^^^^^^^^^^^^^^^^^"),
    ('{"model_type": "gemma3", "hidden_size": 8,\n "text_config": {"hidden_size": true}}',
     "config.json:2:33: 'text_config.hidden_size' must be a whole number, not true", "                                    ^^^^"),
    # a whole file that is not an object: at its first character
    ('\n [1, 2]', "config.json:2:2: a Hugging Face config is a JSON object", "     ^"),
    # a key left out whose default does not fit: at the object's brace, saying it is the default
    ('{"model_type": "mistral", "num_attention_heads": 6}',
     "config.json:1:1: 'num_attention_heads' (6) is not a multiple of 'num_key_value_heads' (8) "
     "('num_key_value_heads' is left out: MistralConfig's default)", "    ^"),
])
def test_errors_point_at_the_key_or_its_value(text: str, head: str, caret: str) -> None:
    message = located_error(text)
    lines = message.split("\n")
    assert lines[0].startswith(head), message
    assert lines[2] == caret, message


def test_a_positioned_error_through_the_cli_has_no_traceback(tmp_path: Path) -> None:
    err = error_of('{"model_type": "qwen2",\n "num_hidden_layers": 2.5}', tmp_path)
    assert "config.json:2:23: 'num_hidden_layers' must be a whole number, not 2.5" in err
    assert '     "num_hidden_layers": 2.5}' in err and "^^^" in err


@pytest.mark.parametrize("model_type", sorted(hf_config.FAMILIES))
def test_a_text_config_that_is_not_an_object_is_refused_at_its_value(model_type: str) -> None:
    """``text_config: 3`` was accepted silently by the text families: it is refused at the value."""
    message = located_error(f'{{"model_type": "{model_type}",\n "text_config": 3}}')
    assert message.startswith("config.json:2:17: 'text_config' must be an object, not 3"), message


@pytest.mark.parametrize("model_type", sorted(hf_config.FAMILIES))
def test_a_text_family_refuses_a_text_config_it_would_ignore(model_type: str) -> None:
    """A text family's configuration class never reads text_config: counting the top-level keys (defaults,
    here) would count a model the file does not describe, so the key is refused, at the key."""
    message = located_error(f'{{"model_type": "{model_type}",\n "text_config": {{"hidden_size": 8}}}}')
    assert message.startswith(f"config.json:2:2: 'text_config' is not read for model_type '{model_type}': "
                              f"{hf_config.FAMILIES[model_type].config_class} builds the model from the "
                              "top-level keys"), message
    assert "hint: a multimodal config keeps its text model there: give its model_type (gemma3, llama4)" in message


@pytest.mark.parametrize("model_type", sorted(hf_config.NESTED))
def test_a_multimodal_text_config_that_is_not_an_object_is_refused_at_its_value(model_type: str) -> None:
    message = located_error(f'{{"model_type": "{model_type}",\n "text_config": [3]}}')
    assert message.startswith(f"config.json:2:17: model_type '{model_type}' keeps its text model in "
                              "'text_config', which must be an object, not [3]"), message


@pytest.mark.parametrize(("text", "head"), [
    ('{"model_type": "bert",\n "architectures": "BertModel"}',
     "config.json:2:19: 'architectures' must be a list of class names, not \"BertModel\""),
    ('{"model_type": "bert",\n "add_cross_attention": true}',
     "config.json:2:25: 'add_cross_attention': true is not supported (only false)"),
    ('{"model_type": "bert", "architectures": ["BertForSequenceClassification"],\n "id2label": ["a", "b"]}',
     "config.json:2:14: 'id2label' must be an object of labels, not [\"a\", \"b\"]"),
    ('{"model_type": "gemma3",\n "text_config": {"model_type": "gemma2"}}',
     "config.json:2:32: 'text_config.model_type' is \"gemma2\": the text model of a gemma3 config is always "
     "gemma3_text (Gemma3TextConfig)"),
])
def test_a_bad_value_is_pointed_at(text: str, head: str) -> None:
    assert located_error(text).startswith(head), located_error(text)


def test_an_unknown_model_type_says_did_you_mean() -> None:
    message = located_error('{"model_type": "qwen3moe"}')
    assert message.startswith("config.json:1:16: unknown model_type 'qwen3moe' (supported: bert, deepseek_v3, ")
    assert message.endswith("hint: did you mean 'qwen3_moe'?")


def test_a_multimodal_config_says_only_its_text_model_was_counted(tmp_path: Path) -> None:
    """Issue 14: the text model of a gemma3 config is counted, and the count says so (not only describe)."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps({
        "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
        "text_config": {"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 128,
                        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
                        "num_hidden_layers": 2, "vocab_size": 1000}}), encoding="utf-8")
    notes = symcount.count(path).notes
    assert notes[0].startswith(f"read from {path}: Gemma3ForCausalLM, from a Hugging Face config")
    assert any("the text model of a gemma3 config" in n and "vision tower is not counted" in n for n in notes)
