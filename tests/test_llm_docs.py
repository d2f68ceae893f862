"""docs/llm.md and the what-ifs in derivations/zoo/llm/whatifs.sc.

The page's generated parts must be current; the symbolic counts behind them
must equal transformers' models at random configurations (so the polynomial is
the real count, not just the published points), and the what-if differences
must be the textbook formulas.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import needs
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.language.symbols import sym
from tools import llm_docs

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = needs.module("torch")
transformers = needs.module("transformers")

WHATIFS = llm_docs.ZOO / "whatifs.sc"
NAMES = ("n_layers", "d_model", "V", "ff", "heads", "kv_heads", "head_dim", "experts", "top_k")
S = {name: sym(name) for name in NAMES}


@functools.cache
def whatif(network: str) -> symcount.Count:
    return symcount.count(WHATIFS, network=network)


def test_page_is_current() -> None:
    text = llm_docs.DOC.read_text(encoding="utf-8")
    assert llm_docs.render(text) == text, "run: python -m tools.llm_docs"
    for name in llm_docs.SECTIONS:
        assert f"<!-- generated:{name} -->" in text


def test_gqa_saving_formula() -> None:
    saving = whatif("mha").total - whatif("exact").total
    n, d, hd, h, kv = S["n_layers"], S["d_model"], S["head_dim"], S["heads"], S["kv_heads"]
    assert sympy.expand(saving - 2 * n * d * hd * (h - kv)) == 0
    numbers = whatif("llama3_8b_mha").total - whatif("llama3_8b_gqa").total
    assert numbers == 2 * 32 * 4096 * 128 * (32 - 8)
    assert whatif("llama3_8b_gqa").total == symcount.count(llm_docs.ZOO / "llama.sc", network="llama3_8b").total


def test_tied_saving_and_moe_active() -> None:
    assert sympy.expand(whatif("exact").total - whatif("exact_tied").total - S["V"] * S["d_model"]) == 0
    moe = whatif("moe")
    expected = 3 * S["d_model"] * S["ff"] * S["n_layers"] * (S["experts"] - S["top_k"])
    assert sympy.expand(moe.total - moe.active - expected) == 0


def test_kaplan_row_for_llama3_8b() -> None:
    n = symcount.count(llm_docs.ZOO / "llama.sc", network="llama3_8b").total
    approx = 12 * 32 * 4096**2
    row = next(line for line in llm_docs.section_kaplan().splitlines() if line.startswith("| Llama-3-8B |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:6] == ["32", "4,096", f"{int(n):,}", f"{approx:,}", f"{int(n) - approx:,}"]
    assert cells[6] == f"{(approx - int(n)) / int(n) * 100:+.1f} %".replace("-", "−")


def _llama_config(c: dict[str, int], tied: bool) -> Any:
    return transformers.LlamaConfig(
        vocab_size=c["V"], hidden_size=c["d_model"], intermediate_size=c["ff"], num_hidden_layers=c["n_layers"],
        num_attention_heads=c["heads"], num_key_value_heads=c["kv_heads"], head_dim=c["head_dim"],
        tie_word_embeddings=tied, bos_token_id=None, eos_token_id=None, pad_token_id=None)


@st.composite
def sizes(draw: st.DrawFn) -> dict[str, int]:
    kv = draw(st.integers(1, 3))
    heads = kv * draw(st.integers(1, 3))
    # transformers insists that heads divide d_model even when head_dim is given
    return {"n_layers": draw(st.integers(1, 3)), "d_model": heads * draw(st.integers(1, 4)),
            "V": draw(st.integers(1, 40)), "ff": draw(st.integers(1, 30)), "heads": heads, "kv_heads": kv,
            "head_dim": 2 * draw(st.integers(1, 4))}


def _numel(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


@settings(max_examples=15, deadline=None)
@given(sizes(), st.booleans())
def test_polynomial_is_the_real_count(c: dict[str, int], tied: bool) -> None:
    """The symbolic count, evaluated, equals LlamaForCausalLM (head_dim drawn apart from d_model/heads)."""
    polynomial = whatif("exact_tied" if tied else "exact").total
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(_llama_config(c, tied))
    assert polynomial.subs({S[k]: v for k, v in c.items()}) == _numel(model)


@settings(max_examples=10, deadline=None)
@given(sizes(), st.integers(1, 5), st.data())
def test_moe_polynomial_is_the_real_count(c: dict[str, int], experts: int, data: st.DataObject) -> None:
    top_k = data.draw(st.integers(1, experts))
    config = transformers.MixtralConfig(
        vocab_size=c["V"], hidden_size=c["d_model"], intermediate_size=c["ff"], num_hidden_layers=c["n_layers"],
        num_attention_heads=c["heads"], num_key_value_heads=c["kv_heads"], head_dim=c["head_dim"],
        num_local_experts=experts, num_experts_per_tok=top_k, bos_token_id=None, eos_token_id=None,
        pad_token_id=None)
    with torch.device("meta"):
        model = transformers.MixtralForCausalLM(config)
    moe = whatif("moe")
    values = {**{S[k]: v for k, v in c.items()}, S["experts"]: experts, S["top_k"]: top_k}
    total = _numel(model)
    expert_weights = sum(p.numel() for name, p in model.named_parameters() if ".experts." in name)
    assert moe.total.subs(values) == total
    assert moe.active.subs(values) == total - expert_weights // experts * (experts - top_k)
