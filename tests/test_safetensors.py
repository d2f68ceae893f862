"""``symcount count model.safetensors``: the header alone, grouped by module, cross-checked with a config.

Headers are written by the ``safetensors`` package from real small transformers models built on CPU;
the counts are compared with the models' own tensors. Damaged headers are refused before the data is read.
"""

from __future__ import annotations

import json
import re
import struct
import time
from pathlib import Path
from typing import Any

import needs
import pytest

from symcount.cli.main import main
from symcount.counting import count_stored
from symcount.errors import SymcountError

LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 16, "intermediate_size": 32,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50,
         "tie_word_embeddings": False}
GPT2 = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 16, "n_layer": 2, "n_head": 4,
        "vocab_size": 50, "n_positions": 32}


def _save(config: dict[str, Any], folder: Path, *, write_config: bool = True) -> tuple[Any, Path]:
    """A real transformers model from ``config``, its weights saved with safetensors' own writer."""
    transformers = needs.module("transformers")
    torch = needs.module("torch")
    st_torch = needs.module("safetensors.torch")
    torch.manual_seed(0)
    keys = {k: v for k, v in config.items() if k not in ("model_type", "architectures")}
    model = getattr(transformers, config["architectures"][0])(
        transformers.AutoConfig.for_model(config["model_type"], **keys))
    path = folder / "model.safetensors"
    st_torch.save_model(model, str(path))
    if write_config:
        (folder / "config.json").write_text(json.dumps(config))
    return model, path


def _stored(model: Any) -> dict[str, tuple[int, ...]]:  # noqa: D103
    """The tensors torch's state dict holds, each storage once (as safetensors saves them)."""
    seen: set[int] = set()
    out = {}
    for name, tensor in model.state_dict().items():
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        out[name] = tuple(tensor.shape)
    return out


@pytest.mark.parametrize("config", [LLAMA, GPT2, {**LLAMA, "tie_word_embeddings": True}], ids=["llama", "gpt2", "tied"])
def test_header_counts_what_torch_stores(tmp_path: Path, config: dict[str, Any]) -> None:
    model, path = _save(config, tmp_path)
    result = count_stored(path)
    stored = _stored(model)  # a tied pair is saved under one of its two names
    state = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert all(state[t.name] == t.shape for t in result.header.tensors)
    assert sorted(t.shape for t in result.header.tensors) == sorted(stored.values())
    assert result.total == sum(p.numel() for p in model.parameters())
    assert result.counted is not None
    assert result.counted.trainable == sum(p.numel() for p in model.parameters())
    assert result.differences == [], result.differences
    if config.get("tie_word_embeddings", True):
        assert any("tied" in note and "stored once" in note for note in result.notes)


def test_grouped_by_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model, path = _save(LLAMA, tmp_path)
    assert main(["count", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "symcount/stored"
    modules: dict[str, int] = {}
    for name, tensor in model.state_dict().items():
        module = name.rpartition(".")[0]
        modules[module] = modules.get(module, 0) + tensor.numel()
    assert {m["module"]: m["elements"] for m in data["modules"]} == modules
    assert data["cross_check"]["counted"] == data["total"] == sum(modules.values())
    assert main(["count", str(path)]) == 0
    text = capsys.readouterr().out
    assert "model.layers.0.self_attn.q_proj" in text and "no weights were read" in text
    for fmt in ("markdown", "latex"):
        assert main(["count", str(path), "--format", fmt]) == 0
        # LaTeX lets a long module name break after each dot
        assert "model.norm" in capsys.readouterr().out.replace(r"\allowbreak{}", "")


def test_cross_check_names_what_differs(tmp_path: Path) -> None:
    st_torch = needs.module("safetensors.torch")
    torch = needs.module("torch")
    model, path = _save(LLAMA, tmp_path)
    tensors = {k: v.clone() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    tensors["model.layers.0.self_attn.q_proj.qweight"] = torch.zeros(2, 16, dtype=torch.int32)
    tensors["model.rotary_emb.inv_freq"] = torch.zeros(2)
    st_torch.save_file(tensors, str(path))
    result = count_stored(path)
    why = dict(result.differences)
    assert "packed quantised" in why["model.layers.0.self_attn.q_proj.qweight"]
    assert "buffer" in why["model.rotary_emb.inv_freq"]
    assert any("not stored" in w for name, w in result.differences if "lm_head" in name)


#: families whose stored tensors are cut otherwise than the count's: fused q/k/v (Falcon's query_key_value),
#: experts stacked in one tensor (Qwen2-MoE), PyTorch's in_proj_weight beside separate q, k and v
CUT_DIFFERENTLY = {
    "falcon": {"model_type": "falcon", "architectures": ["FalconForCausalLM"], "vocab_size": 40, "hidden_size": 16,
               "num_attention_heads": 4, "num_kv_heads": 2, "num_hidden_layers": 2, "new_decoder_architecture": True},
    "qwen2_moe": {"model_type": "qwen2_moe", "architectures": ["Qwen2MoeForCausalLM"], "vocab_size": 40,
                  "hidden_size": 16, "intermediate_size": 24, "moe_intermediate_size": 6,
                  "shared_expert_intermediate_size": 10, "num_hidden_layers": 3, "num_attention_heads": 4,
                  "num_key_value_heads": 2, "num_experts": 3, "num_experts_per_tok": 2, "mlp_only_layers": [1]},
    "opt": {"model_type": "opt", "architectures": ["OPTForCausalLM"], "vocab_size": 40, "hidden_size": 16,
            "ffn_dim": 20, "num_hidden_layers": 2, "num_attention_heads": 4, "word_embed_proj_dim": 8,
            "max_position_embeddings": 30, "pad_token_id": 0, "do_layer_norm_before": False},
    "vit": {"model_type": "vit", "architectures": ["ViTForImageClassification"], "hidden_size": 16,
            "intermediate_size": 20, "num_hidden_layers": 2, "num_attention_heads": 4, "image_size": 32,
            "patch_size": 8, "num_labels": 5},
    "bert_classifier": {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "vocab_size": 40,
                        "hidden_size": 16, "num_attention_heads": 4, "num_hidden_layers": 1, "intermediate_size": 8,
                        "num_labels": 3},
}


@pytest.mark.parametrize("name", list(CUT_DIFFERENTLY))
def test_weights_cut_differently_are_the_same_weights(name: str, tmp_path: Path) -> None:
    """A fused or stacked tensor against the count's separate ones: no difference, a note that says so."""
    model, path = _save(CUT_DIFFERENTLY[name], tmp_path)
    result = count_stored(path)
    assert result.total == sum(p.numel() for p in model.parameters())
    assert result.differences == [], result.differences
    assert any("cut differently" in note for note in result.notes)


def test_a_fused_tensor_of_the_wrong_size_is_still_named(tmp_path: Path) -> None:
    st_torch = needs.module("safetensors.torch")
    torch = needs.module("torch")
    model, path = _save(CUT_DIFFERENTLY["falcon"], tmp_path)
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    fused = "transformer.h.0.self_attention.query_key_value.weight"
    tensors[fused] = torch.zeros(24, 16)  # one key/value group short
    st_torch.save_file(tensors, str(path))
    assert fused in dict(count_stored(path).differences)


def test_tied_head_stored_twice(tmp_path: Path) -> None:
    st_torch = needs.module("safetensors.torch")
    model, path = _save({**LLAMA, "tie_word_embeddings": True}, tmp_path)
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    st_torch.save_file(tensors, str(path))
    result = count_stored(path)
    assert [w for _, w in result.differences] and "tied head stored twice" in result.differences[0][1]


def test_sharded_index(tmp_path: Path) -> None:
    st_torch = needs.module("safetensors.torch")
    model, path = _save(LLAMA, tmp_path)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    names = list(state)
    shards = {"model-00001-of-00002.safetensors": names[:7], "model-00002-of-00002.safetensors": names[7:]}
    for shard, keys in shards.items():
        st_torch.save_file({k: state[k] for k in keys}, str(tmp_path / shard))
    path.unlink()
    index = tmp_path / "model.safetensors.index.json"
    index.write_text(json.dumps({"metadata": {}, "weight_map": {k: s for s, ks in shards.items() for k in ks}}))
    result = count_stored(index)
    assert result.total == sum(v.numel() for v in state.values())
    assert len(result.header.files) == 2 and result.differences == []
    (tmp_path / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(SymcountError, match="no such file"):
        count_stored(index)


def _write(path: Path, header: bytes, length: int | None = None, data: bytes = b"") -> Path:
    """A file of the 8-byte length (``length``: -1 writes only 4 bytes), ``header`` and ``data``."""
    prefix = struct.pack("<Q", len(header) if length is None else max(length, 0))
    path.write_bytes(prefix[:4] if length == -1 else prefix + header + data)
    return path


@pytest.mark.parametrize(("header", "length", "data", "message"), [
    (b"", -1, b"", "too short"),
    (b"{}", 1 << 40, b"", "more than the limit"),
    (b"{}", 5000, b"", "only 2 follow"),
    (b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]', None, b"\0" * 8, "does not parse"),
    (b"[1, 2]", None, b"", "not an object"),
    (b'{"a": {"dtype": "F32", "shape": "2", "data_offsets": [0, 8]}}', None, b"\0" * 8, "no shape list"),
    (b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 80]}}', None, b"\0" * 8, "outside the data"),
])
def test_damaged_headers(tmp_path: Path, header: bytes, length: int | None, data: bytes, message: str) -> None:
    path = _write(tmp_path / "bad.safetensors", header, length, data)
    with pytest.raises(SymcountError, match=message) as info:
        count_stored(path)
    assert info.value.filename == str(path)


def test_damaged_header_of_a_large_file_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "big.safetensors"
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", 10) + b'{"a": [}  ')
        handle.truncate(2_000_000_000)  # a sparse 2 GB file: reading its data would show
    times = []
    for _ in range(3):  # the fastest of three: the machine is shared
        start = time.perf_counter()
        with pytest.raises(SymcountError, match="does not parse") as info:
            count_stored(path)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.2  # reading the 2 GB would take seconds
    assert info.value.pos.line == 1 and info.value.pos.column == 8


def test_other_verbs_refuse_it_naming_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "m.safetensors", b"{}")
    for verb in ("derive", "memory", "describe"):
        assert main([verb, str(path)]) != 0
        assert "only 'symcount count' reads it" in capsys.readouterr().err
    assert main(["count", str(path), "--flops"]) != 0
    assert "stored tensors only" in capsys.readouterr().err


def test_the_docs_example_is_what_count_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).parent.parent / "docs" / "frameworks.md").read_text()
    header = re.search(r"```safetensors\n(.*?)```", text, re.S)
    shown = re.search(r"is counted as:\n\n```text\n(.*?)```", text, re.S)
    assert header and shown, "docs/frameworks.md: the safetensors example is missing"
    data = json.loads(header.group(1))
    end = max(entry["data_offsets"][1] for name, entry in data.items() if name != "__metadata__")
    path = _write(tmp_path / "model.safetensors", json.dumps(data).encode(), data=bytes(end))
    assert main(["count", str(path)]) == 0
    assert capsys.readouterr().out == shown.group(1)
