"""The generated parts of docs/llm.md: formulas and tables computed from the zoo.

Every number on the page comes from counting ``derivations/zoo/llm``; the page
keeps each generated part between ``<!-- generated:NAME -->`` and
``<!-- end:NAME -->`` and ``python -m tools.llm_docs`` rewrites them (a test
checks the page is current). Nothing here knows a layer's formula: it only
counts descriptions and subtracts.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import sympy
from sympy.printing.str import StrPrinter

from symcount.api import count
from symcount.engine.count import Count
from symcount.language.symbols import sym
from symcount.render.numbers import group_digits
from symcount.teaching.memory import compute_of, gib_text, memory_of

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "derivations" / "zoo" / "llm"
DOC = ROOT / "docs" / "llm.md"

#: (label, file, network) of every published model in the zoo, in the order of the tables.
MODELS = [
    ("GPT-2 small", "gpt2.sc", "gpt2_small"), ("GPT-2 medium", "gpt2.sc", "gpt2_medium"),
    ("GPT-2 large", "gpt2.sc", "gpt2_large"), ("GPT-2 XL", "gpt2.sc", "gpt2_xl"),
    ("BERT-base", "bert.sc", "bert_base"), ("BERT-large", "bert.sc", "bert_large"),
    ("Llama-2-7B", "llama.sc", "llama2_7b"), ("Llama-3-8B", "llama.sc", "llama3_8b"),
    ("Llama-3.2-1B", "llama.sc", "llama3_2_1b"), ("Mistral-7B", "mistral.sc", "mistral_7b"),
    ("Mixtral-8x7B", "mistral.sc", "mixtral_8x7b"),
    ("Qwen2.5-0.5B", "qwen.sc", "qwen2_5_0_5b"), ("Qwen2.5-7B", "qwen.sc", "qwen2_5_7b"),
    ("Qwen3-8B", "qwen.sc", "qwen3_8b"), ("Qwen3-30B-A3B", "qwen.sc", "qwen3_30b_a3b"),
    ("DeepSeek-V3", "deepseek.sc", "deepseek_v3"), ("Llama-4-Scout", "llama4.sc", "llama4_scout"),
]

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _Printer(StrPrinter):
    """Formulas as a page reads them: ``2·V·d_model``, ``d_model²``, grouped digits."""

    def _print_Mul(self, expr: sympy.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        if coeff < 0:
            return "−" + self._print(-expr)
        top, bottom = sympy.fraction(expr)
        if bottom != 1:
            below = self._print(bottom)
            return f"{self._print(top)}/" + (f"({below})" if not bottom.is_Atom else below)
        factors = [] if coeff == 1 else [self._print(coeff)]
        for f in sympy.Mul.make_args(rest):
            text = self._print(f)
            factors.append(f"({text})" if isinstance(f, sympy.Add) else text)
        return "·".join(factors)

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp.is_Integer and exp > 1:
            return self._print(base) + str(exp).translate(_SUPERSCRIPTS)
        return super()._print_Pow(expr, rational)

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return group_digits(int(expr)).replace("-", "−")

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        ordered = self._as_ordered_terms(expr, order=order)
        ordered = [t for t in ordered if not t.is_Number] + [t for t in ordered if t.is_Number]
        terms = [self._print(t) for t in ordered]
        out = terms[0]
        for t in terms[1:]:
            out += f" − {t[1:]}" if t.startswith("−") else f" + {t}"
        return out


def formula(expr: sympy.Expr) -> str:
    return _Printer({"order": "none"}).doprint(expr)


def n(value: sympy.Expr) -> str:
    return group_digits(int(value))


def zoo(file: str, network: str, **values: object) -> Count:
    return count(ZOO / file, network=network, values=values or None)


@dataclass(frozen=True)
class Shape:
    """n_layers and d_model of a counted transformer, read from its attention layers."""

    n_layers: int
    d_model: int


def transformer_shape(result: Count) -> Shape:
    attention = [layer for layer in result.layers if layer.kind in ("attention", "latent_attention")]
    assert attention and attention[0].args is not None
    return Shape(len(attention), int(attention[0].args.d_model))


# ---------------------------------------------------------------------------------- sections

S = {name: sym(name) for name in ("n_layers", "d_model", "V", "ff", "heads", "kv_heads", "head_dim",
                                  "experts", "top_k")}


def decoder_parts() -> tuple[list[tuple[str, sympy.Expr]], list[tuple[str, sympy.Expr]]]:
    """(once per model, per layer) parts of the symbolic decoder, in the order a layer runs.

    Read from the count of ``whatifs.sc#exact``: layers repeated n_layers times
    are per-layer parts; the sum is checked against the count's total.
    """
    result = zoo("whatifs.sc", "exact")
    layers_symbol = S["n_layers"]
    once: list[tuple[str, sympy.Expr]] = []
    per_layer: dict[str, sympy.Expr] = {}
    for layer in result.layers:
        if layer.total == 0:
            continue
        if layers_symbol in layer.multiplier.free_symbols:
            per_layer[layer.kind] = per_layer.get(layer.kind, sympy.Integer(0)) + layer.total / layers_symbol
        else:
            name = {"embedding": "token embedding", "rmsnorm": "final RMSNorm", "linear": "lm_head"}[layer.kind]
            once.append((name, layer.total))
    names = {"attention": "attention (q, k, v, o)", "gated_mlp": "SwiGLU MLP", "rmsnorm": "2 RMSNorms"}
    layer_parts = [(names[k], sympy.factor(per_layer[k])) for k in names]
    total = sympy.Add(*[v for _, v in once]) + layers_symbol * sympy.Add(*[v for _, v in layer_parts])
    assert sympy.expand(total) == result.total
    return once, layer_parts


def _sum(parts: list[tuple[str, sympy.Expr]]) -> str:
    return " + ".join(formula(v) for _, v in parts)


def section_polynomial() -> str:
    """The exact decoder-only count, part by part, from the symbolic network."""
    once, layer_parts = decoder_parts()
    lines = ["| part | parameters |", "|---|---|", f"| {once[0][0]} | `{formula(once[0][1])}` |"]
    lines += [f"| per layer: {name} | `{formula(value)}` |" for name, value in layer_parts]
    lines += [f"| {name} | `{formula(value)}` |" for name, value in once[1:]]
    lines += ["", f"    N = {formula(once[0][1])} + n_layers·({_sum(layer_parts)}) + {_sum(once[1:])}"]
    # with head_dim = d_model/heads, as in every model of the zoo: a rational function of the six sizes
    usual = {S["head_dim"]: S["d_model"] / S["heads"]}
    standard = zoo("whatifs.sc", "exact", head_dim="d_model/heads").total
    usual_parts = [(name, sympy.factor(value.subs(usual))) for name, value in layer_parts]
    assert sympy.expand(sympy.Add(*[v for _, v in once]) + S["n_layers"] * sympy.Add(
        *[v for _, v in usual_parts]) - standard) == 0
    lines += ["", "and with head_dim = d_model/heads:", "",
              f"    N = {formula(sympy.expand(once[0][1] + once[-1][1]))} + n_layers·({_sum(usual_parts)})"
              f" + {_sum(once[1:-1])}"]
    return "\n".join(lines)


def _kaplan(result: Count) -> sympy.Expr:
    shape = transformer_shape(result)
    return sympy.Integer(12 * shape.n_layers * shape.d_model**2)


def _vocabulary_params(result: Count) -> sympy.Expr:
    """Embedding tables and an untied lm_head: the parameters Kaplan et al.'s N leaves out."""
    return sympy.Add(*[layer.total for layer in result.layers
                       if layer.kind == "embedding" or layer.name.endswith("lm_head")])


def _percent(x: sympy.Expr) -> str:
    return f"{float(x) * 100:+.1f} %".replace("-", "−")


def section_kaplan() -> str:
    """N - 12 n_layers d_model^2 as a formula, and the approximation's error for each zoo model."""
    once, layer_parts = decoder_parts()
    d, nl = S["d_model"], S["n_layers"]
    exact = zoo("whatifs.sc", "exact").total
    outside = sympy.Add(*[v for _, v in once])
    inside = sympy.Add(*[v for _, v in layer_parts]) - 12 * d**2
    assert sympy.expand(outside + nl * inside) == sympy.expand(exact - 12 * nl * d**2)
    lines = [f"    N − 12·n_layers·d_model² = {formula(outside)} + n_layers·({_sum(layer_parts)} − 12·d_model²)", ""]
    lines += ["| model | n_layers | d_model | exact N | 12·n_layers·d_model² | N − 12·n_layers·d_model² "
              "| relative error | error without embeddings and head |", "|---|--:|--:|--:|--:|--:|--:|--:|"]
    for label, file, network in MODELS:
        result = zoo(file, network)
        shape = transformer_shape(result)
        approx = _kaplan(result)
        core = result.total - _vocabulary_params(result)
        lines.append(f"| {label} | {shape.n_layers} | {group_digits(shape.d_model)} | {n(result.total)} | "
                     f"{n(approx)} | {n(result.total - approx)} | {_percent((approx - result.total) / result.total)} "
                     f"| {_percent((approx - core) / core)} |")
    return "\n".join(lines)


def section_gqa() -> str:
    saving = sympy.factor(zoo("whatifs.sc", "mha").total - zoo("whatifs.sc", "exact").total)
    gqa, mha = zoo("whatifs.sc", "llama3_8b_gqa").total, zoo("whatifs.sc", "llama3_8b_mha").total
    numbers = saving.subs({S["n_layers"]: 32, S["d_model"]: 4096, S["head_dim"]: 128, S["heads"]: 32,
                           S["kv_heads"]: 8})
    assert numbers == mha - gqa
    kv_gqa = int(memory_of(zoo("whatifs.sc", "llama3_8b_gqa"), "bf16", kv_cache=8192).kv_cache)
    kv_mha = int(memory_of(zoo("whatifs.sc", "llama3_8b_mha"), "bf16", kv_cache=8192).kv_cache)
    return "\n".join([
        f"    N(MHA) − N(GQA) = {formula(saving)}", "",
        "| Llama-3-8B | parameters |", "|---|--:|",
        f"| multi-head (kv_heads = 32) | {n(mha)} |",
        f"| grouped-query (kv_heads = 8), as published | {n(gqa)} |",
        f"| saving = 2·32·4,096·128·(32 − 8) | {n(mha - gqa)} ({float((mha - gqa) / mha) * 100:.1f} % of MHA) |",
        "",
        "| Llama-3-8B, bf16 KV cache of 8,192 tokens | bytes |", "|---|--:|",
        f"| multi-head | {kv_mha:,} ({gib_text(sympy.Integer(kv_mha))}) |",
        f"| grouped-query | {kv_gqa:,} ({gib_text(sympy.Integer(kv_gqa))}) |",
    ])


def section_tied() -> str:
    saving = sympy.factor(zoo("whatifs.sc", "exact").total - zoo("whatifs.sc", "exact_tied").total)
    tied, untied = zoo("whatifs.sc", "llama3_2_1b_tied").total, zoo("whatifs.sc", "llama3_2_1b_untied").total
    return "\n".join([
        f"    N(untied) − N(tied) = {formula(saving)}", "",
        "| Llama-3.2-1B | parameters |", "|---|--:|",
        f"| tied, as published | {n(tied)} |",
        f"| untied | {n(untied)} |",
        f"| saving = V·d_model = 128,256·2,048 | {n(untied - tied)} ({float((untied - tied) / untied) * 100:.1f} %"
        " of the untied model) |",
    ])


def section_moe() -> str:
    moe = zoo("whatifs.sc", "moe")
    dense = zoo("whatifs.sc", "exact").total
    mixtral, mistral = zoo("mistral.sc", "mixtral_8x7b"), zoo("mistral.sc", "mistral_7b")
    d, ff, nl, e = S["d_model"], S["ff"], S["n_layers"], S["experts"]
    # written in the order it is read: the extra experts, then the routers
    extra = sympy.Mul(nl, sympy.Add(sympy.Mul(3, d, ff, e - 1, evaluate=False), d * e, evaluate=False),
                      evaluate=False)
    assert sympy.expand(extra) == sympy.expand(moe.total - dense)
    return "\n".join([
        f"    N_total − N_dense = {formula(extra)}",
        f"    N_total − N_active = {formula(sympy.factor(moe.total - moe.active))}", "",
        "| | total | active per token |", "|---|--:|--:|",
        f"| Mistral-7B (dense) | {n(mistral.total)} | {n(mistral.active)} |",
        f"| Mixtral-8x7B (8 experts, top 2) | {n(mixtral.total)} | {n(mixtral.active)} |",
        f"| Mixtral ÷ Mistral | {float(mixtral.total / mistral.total):.2f}× | "
        f"{float(mixtral.active / mistral.active):.2f}× |",
    ])


def section_memory() -> str:
    lines = ["| model | bf16 weights | int4 weights | mixed-precision Adam (2 + 2 + 12 B) | bf16 KV cache per token |",
             "|---|--:|--:|--:|--:|"]
    for label, file, network in MODELS:
        result = zoo(file, network)
        cells = []
        for dtype, training in (("bf16", "none"), ("int4", "none"), ("bf16", "adam")):
            total = sympy.Integer(memory_of(result, dtype, training).total)
            cells.append(f"{gib_text(total)} ({n(total)} B)")
        kv = memory_of(result, "bf16", kv_cache=1).kv_cache
        if file == "bert.sc":
            cells.append("– (an encoder: no cache)")
        else:
            cells.append(f"{int(kv) // 1024:,} KiB ({int(kv):,} B)" if int(kv) % 1024 == 0 else f"{int(kv):,} B")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section_compute() -> str:
    L = sym("L")
    lines = ["| model | forward FLOPs per token | 2N | difference at L = 2,048 |", "|---|---|--:|--:|"]
    for label, file, network in MODELS:
        if file == "bert.sc":
            continue
        report = compute_of(zoo(file, network))
        at = report.forward.subs(L, 2048)
        lines.append(f"| {label} | `{formula(report.forward)}` | {n(report.rule)} | "
                     f"{float((at - report.rule) / report.rule) * 100:+.1f} % |")
    return "\n".join(lines)


CLASSES = {"gpt2.sc": "GPT2LMHeadModel", "bert.sc": "BertModel", "llama.sc": "LlamaForCausalLM",
           "mistral_7b": "MistralForCausalLM", "mixtral_8x7b": "MixtralForCausalLM",
           "qwen2_5_0_5b": "Qwen2ForCausalLM", "qwen2_5_7b": "Qwen2ForCausalLM", "qwen3_8b": "Qwen3ForCausalLM",
           "qwen3_30b_a3b": "Qwen3MoeForCausalLM", "deepseek.sc": "DeepseekV3ForCausalLM",
           "llama4.sc": "Llama4ForCausalLM"}


def section_zoo() -> str:
    lines = ["| model | description | total | active per token | checked against |", "|---|---|--:|--:|---|"]
    for label, file, network in MODELS:
        result = zoo(file, network)
        cls = CLASSES.get(network) or CLASSES[file]
        lines.append(f"| {label} | `{file}#{network}` | {n(result.total)} | {n(result.active)} | `{cls}` |")
    return "\n".join(lines)


SECTIONS = {
    "zoo": section_zoo,
    "polynomial": section_polynomial, "kaplan": section_kaplan, "gqa": section_gqa, "tied": section_tied,
    "moe": section_moe, "memory": section_memory, "compute": section_compute,
}

_BLOCK = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- end:\2 -->)", re.S)


def render(text: str) -> str:
    """The page with every generated part recomputed."""
    def replace(match: re.Match[str]) -> str:
        return match.group(1) + SECTIONS[match.group(2)]() + "\n" + match.group(4)

    return _BLOCK.sub(replace, text)


def main() -> int:
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
