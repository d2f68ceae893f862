"""Memory and compute reports (symcount.teaching.memory) against what PyTorch allocates and counts.

Bytes of weights, gradients and Adam/SGD state are measured on real modules
(``numel() * element_size()`` after a real optimizer step); forward FLOPs are
measured with ``torch.utils.flop_counter.FlopCounterMode`` on small
transformers models in eager attention.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import needs
import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.cli.main import main
from symcount.language.symbols import sym
from symcount.teaching.memory import DTYPE_BYTES, compute, gib_text, memory
from symcount.teaching.training import Training

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = needs.module("torch")
nn = torch.nn

ZOO = Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "llm"

SMALL = """
network small {
    input(L=5)
    embedding(V=11, dim=6)
    layernorm()
    linear(C_out=9)
    linear(C_out=3, bias=false)
}
"""


def small_module() -> nn.Module:
    return nn.Sequential(nn.Embedding(11, 6), nn.LayerNorm(6), nn.Linear(6, 9), nn.Linear(9, 3, bias=False))


def nbytes(tensors: object) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("dtype", "torch_dtype"), [("fp32", "float32"), ("bf16", "bfloat16"), ("fp16", "float16")])
def test_weights_are_what_torch_allocates(dtype: str, torch_dtype: str) -> None:
    module = small_module().to(getattr(torch, torch_dtype))
    report = memory(SMALL, dtype=dtype)
    assert report.weights == report.total == nbytes(module.parameters())
    assert (report.gradients, report.optimizer) == (0, 0)


def _train_step(module: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    out = module(torch.tensor([[1, 2, 3, 4, 5]]))
    out.float().sum().backward()
    optimizer.step()


def test_fp32_adam_is_what_torch_allocates() -> None:
    module = small_module()
    optimizer = torch.optim.Adam(module.parameters())
    _train_step(module, optimizer)
    report = memory(SMALL, dtype="fp32", training="adam")
    assert report.weights == nbytes(module.parameters())
    assert report.gradients == nbytes(p.grad for p in module.parameters())
    moments = [t for state in optimizer.state.values() for key, t in state.items() if key != "step"]
    assert report.optimizer == nbytes(moments)
    assert report.bytes_per_param == 16


def test_fp32_sgd_keeps_no_state() -> None:
    module = small_module()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    _train_step(module, optimizer)
    report = memory(SMALL, dtype="fp32", training="sgd")
    assert report.gradients == nbytes(p.grad for p in module.parameters())
    assert report.optimizer == sum(len(s) for s in optimizer.state.values()) == 0


def test_mixed_precision_adam_is_2_2_12() -> None:
    """bf16 weights and gradients, fp32 master copy and moments: built as a trainer keeps them."""
    master = small_module()
    optimizer = torch.optim.Adam(master.parameters())
    _train_step(master, optimizer)
    half = small_module().to(torch.bfloat16)
    half(torch.tensor([[1, 2, 3]])).float().sum().backward()
    report = memory(SMALL, dtype="bf16", training="adam")
    assert report.weights == nbytes(half.parameters())
    assert report.gradients == nbytes(p.grad for p in half.parameters())
    moments = [t for state in optimizer.state.values() for key, t in state.items() if key != "step"]
    assert report.optimizer == nbytes(master.parameters()) + nbytes(moments)
    n = symcount.count(SMALL).total
    assert report.total == 16 * n


def test_frozen_parameters_have_no_gradients() -> None:
    text = "network n {\n input(L=2)\n embedding(V=10, dim=4, trainable=false)\n linear(C_out=3)\n}"
    report = memory(text, dtype="fp32", training="adam")
    assert report.weights == 4 * (40 + 15)
    assert report.gradients == 4 * 15 and report.optimizer == 8 * 15
    assert "N_train = 15" in report.text()


def test_int4_packs_two_values_a_byte_and_rounds_up() -> None:
    odd = memory("linear(C_in=3, C_out=1)", dtype="int4")  # 4 parameters
    assert odd.total == 2
    odd = memory("linear(C_in=4, C_out=1)", dtype="int4")  # 5 parameters
    assert odd.total == 3 and isinstance(odd.total, int)
    assert memory("linear(C_in=4, C_out=1)", dtype="int8").total == 5


def test_memory_of_mixtral_follows_the_total() -> None:
    report = memory(ZOO / "mistral.sc", network="mixtral_8x7b", dtype="bf16")
    result = symcount.count(ZOO / "mistral.sc", network="mixtral_8x7b")
    assert report.weights == 2 * result.total != 2 * result.active
    assert "every expert" in report.text()


def test_symbolic_memory() -> None:
    report = memory("linear(C_in=d, C_out=d, bias=false)", dtype="bf16", training="adam")
    d = sym("d")
    assert report.total == 16 * d**2
    assert gib_text(sympy.sympify(report.total)) == ""


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dtype": "fp8"}, "unknown dtype 'fp8'"),
    ({"training": "adamw"}, "unknown training 'adamw'"),
    ({"dtype": "int8", "training": "adam"}, "int8 is a storage format for inference"),
])
def test_bad_options(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(SymcountError, match=message):
        memory(SMALL, **kwargs)


def test_memory_report_states_assumptions_and_gib() -> None:
    report = memory(ZOO / "llama.sc", network="llama3_8b", dtype="bf16", training="adam")
    n = symcount.count(ZOO / "llama.sc", network="llama3_8b").total
    assert report.total == 16 * n
    text = report.text()
    assert f"{16 * int(n):,}" in text and f"{16 * int(n) / 2**30:,.2f} GiB" in text
    for needle in ("mixed-precision Adam", "2^30", "activations", "fp32 master weights 4 bytes"):
        assert needle in text
    assert "| optimizer state | `N × 12 bytes` |" in report.markdown()
    assert r"\toprule" in report.latex() and r"N \times 12\,\text{bytes}" in report.latex()
    assert DTYPE_BYTES["int4"] == sympy.Rational(1, 2)


def test_reports_compile_with_pdflatex(tmp_path: Path) -> None:
    needs.tool("pdflatex")
    texts = {"memory": memory(ZOO / "llama.sc", network="llama3_8b", training="adam").latex(standalone=True),
             "compute": compute(ZOO / "gpt2.sc", network="gpt2_small").latex(standalone=True)}
    for name, text in texts.items():
        (tmp_path / f"{name}.tex").write_text(text, encoding="utf-8")
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]


# --------------------------------------------------------------------------------------------- compute

def _flops(model: object, L: int) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, L, dtype=torch.long))  # type: ignore[operator]
    return int(counter.get_total_flops())


def _probe(file: str, call: str, L: int | str) -> str:
    return (ZOO / file).read_text(encoding="utf-8") + f"\nnetwork probe {{\n    input(L={L})\n    {call}\n}}\n"


def test_forward_flops_match_flop_counter() -> None:
    """2 x catalog MACs = what FlopCounterMode measures on the real models (eager attention)."""
    transformers = needs.module("transformers")
    L = 7
    gpt2 = transformers.GPT2LMHeadModel(transformers.GPT2Config(
        n_layer=2, n_embd=24, n_head=3, vocab_size=50, n_positions=16, bos_token_id=None, eos_token_id=None,
        attn_implementation="eager")).eval()
    result = compute(_probe("gpt2.sc", "gpt2(n_layers=2, d_model=24, heads=3, V=50, n_ctx=16)", L), network="probe")
    assert result.forward * L == _flops(gpt2, L)
    llama = transformers.LlamaForCausalLM(transformers.LlamaConfig(
        hidden_size=24, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        vocab_size=50, bos_token_id=None, eos_token_id=None, attn_implementation="eager")).eval()
    result = compute(_probe("llama.sc", "llama(n_layers=2, d_model=24, V=50, ff=40, heads=4, kv_heads=2)", L),
                     network="probe")
    assert result.forward * L == _flops(llama, L)


def test_compute_difference_is_explained() -> None:
    """forward - 2N = attention context term - 2 x (look-ups, scales, biases) + 2 x tied weights, exactly."""
    L = sym("L")
    for file, network, n_layers, heads, head_dim in [("llama.sc", "llama3_8b", 32, 32, 128),
                                                       ("gpt2.sc", "gpt2_small", 12, 12, 64),
                                                       ("mistral.sc", "mixtral_8x7b", 32, 32, 128)]:
        result = compute(ZOO / file, network=network)
        assert result.L == L
        # scores Q K^T and the weighted sum of V: h (d_k + d_v) L MACs per token and layer
        assert result.context == 2 * n_layers * heads * 2 * head_dim * L
        explained = result.context - 2 * sum(result.no_macs.values()) - 2 * result.biases + 2 * result.tied
        assert sympy.expand(result.forward - result.rule - explained) == 0
        assert result.training == 3 * result.forward
    gpt2 = compute(ZOO / "gpt2.sc", network="gpt2_small")
    assert gpt2.tied == 50257 * 768
    assert gpt2.no_macs["embedding"] == 50257 * 768 + 1024 * 768
    mixtral = compute(ZOO / "mistral.sc", network="mixtral_8x7b")
    assert mixtral.params == symcount.count(ZOO / "mistral.sc", network="mixtral_8x7b").active and mixtral.moe


def test_compute_of_a_cnn_is_per_sample_training() -> None:
    result = compute("network n {\n input(H=8, W=8, C=3)\n conv2d(C_out=4, k=3)\n relu()\n conv2d(C_out=2, k=3)\n}")
    assert isinstance(result, Training)
    macs = int(symcount.count("network n {\n input(H=8, W=8, C=3)\n conv2d(C_out=4, k=3)\n relu()\n"
                              " conv2d(C_out=2, k=3)\n}").macs)
    first = 2 * 36 * 4 * 27  # 6 x 6 positions, 4 filters of 3 x 3 x 3: its input gradient skipped
    assert result.backward.forward == 2 * macs
    assert result.backward.training == 3 * 2 * macs - first
    assert "training step for a batch of B" in result.text()


# --------------------------------------------------------------------------------------------- CLI

def test_cli_memory_and_compute(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", str(ZOO / "llama.sc") + "#llama3_2_1b", "--dtype", "fp16", "--training", "adam"]) == 0
    out = capsys.readouterr().out
    n = int(symcount.count(ZOO / "llama.sc", network="llama3_2_1b").total)
    assert f"{16 * n:,}" in out and "fp16" in out
    assert main(["memory", str(ZOO / "llama.sc"), "--network", "llama3_8b", "--format", "json"]) == 0
    assert '"weights": 16060522496' in capsys.readouterr().out
    assert main(["compute", str(ZOO / "gpt2.sc") + "#gpt2_small", "--set", "L=1024"]) == 0
    out = capsys.readouterr().out
    assert "L = 1,024 tokens" in out and "attention over the context" in out
    assert main(["memory", str(ZOO / "llama.sc") + "#llama3_8b", "--dtype", "int4", "--training", "sgd"]) == 2
    assert "inference" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------- KV cache

@pytest.mark.parametrize("family", ["llama", "gpt2"])
def test_kv_cache_is_what_transformers_caches(family: str) -> None:
    """Bytes of the keys and values a real forward pass caches (bf16, batch 3, 7 tokens)."""
    transformers = needs.module("transformers")
    L, batch = 7, 3
    if family == "llama":
        config = transformers.LlamaConfig(hidden_size=24, intermediate_size=40, num_hidden_layers=3,
                                          num_attention_heads=4, num_key_value_heads=2, vocab_size=50,
                                          bos_token_id=None, eos_token_id=None)
        model = transformers.LlamaForCausalLM(config)
        text = _probe("llama.sc", "llama(n_layers=3, d_model=24, V=50, ff=40, heads=4, kv_heads=2)", "L")
    else:
        config = transformers.GPT2Config(n_layer=2, n_embd=24, n_head=3, vocab_size=50, n_positions=16,
                                         bos_token_id=None, eos_token_id=None)
        model = transformers.GPT2LMHeadModel(config)
        text = _probe("gpt2.sc", "gpt2(n_layers=2, d_model=24, heads=3, V=50, n_ctx=16)", "L")
    model = model.eval().to(torch.bfloat16)
    with torch.no_grad():
        cache = model(torch.zeros(batch, L, dtype=torch.long), use_cache=True).past_key_values
    cached = sum(nbytes([layer.keys, layer.values]) for layer in cache.layers)
    report = memory(text, network="probe", dtype="bf16", kv_cache=L, batch=batch)
    assert report.kv_cache == cached
    assert report.total == report.weights + cached


def test_kv_cache_options() -> None:
    report = memory(ZOO / "llama.sc", network="llama3_8b", dtype="int4", kv_cache=1024)
    assert report.kv is not None and report.kv.dtype == "bf16"  # quantised weights, bf16 cache
    assert report.kv_cache == 2 * 1024 * 32 * 8 * (128 + 128)
    fp8 = memory(ZOO / "llama.sc", network="llama3_8b", kv_cache=1024, kv_dtype="int8")
    assert fp8.kv_cache == report.kv_cache // 2
    with pytest.raises(SymcountError, match="no attention layers"):
        memory(SMALL, kv_cache=4)
    with pytest.raises(SymcountError, match="batch must be a whole number"):
        memory(ZOO / "llama.sc", network="llama3_8b", kv_cache=4, batch=0)


@pytest.mark.parametrize("family", ["t5.sc#t5_small", "bart.sc#bart_base"])
def test_encoder_decoders_refuse_per_token_compute_and_kv_cache(family: str) -> None:
    """Two lengths (decoder L, encoder S): no per-token rule and no decoder-only KV cache, but the exact
    forward FLOPs of one pair, 2 x MACs as a polynomial in L and S, stated in the refusal."""
    path, network = family.split("#")
    result = symcount.count(ZOO / path, network=network)
    macs = sympy.expand(result.macs)
    assert {str(s) for s in macs.free_symbols} == {"L", "S"}
    with pytest.raises(SymcountError, match="second length") as err:
        symcount.compute(ZOO / path, network=network)
    shown = str(sympy.expand(2 * macs)).replace("**", "^")
    assert shown in str(err.value) and "source tokens" in str(err.value)
    with pytest.raises(SymcountError, match=r"cached once per sequence \(S source tokens\)"):
        symcount.memory(ZOO / path, network=network, kv_cache=8)
