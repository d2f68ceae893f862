"""Derivations: the exam answer line by line, equal to symcount.count, in three formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.catalog.core import CATALOG
from symcount.language.parse import parse
from symcount.language.symbols import sym
from symcount.render import formula as F
from symcount.teaching.derivation import Derivation, combined_label, derive, intro, read_directives, with_bias

CONV = "conv2d(C_in=128, C_out=256, k=3)"
CONV_GENERAL = r"(k \times k \times C_{\text{in}} + 1) \times C_{\text{out}}"


def rows_of(d: Derivation, title: str, variant: int = 0) -> list:
    section = next(s for s in d.document.sections if s.title == title)
    return list(section.columns[min(variant, len(section.columns) - 1)].rows)


def final(row) -> sympy.Expr:
    return F.evaluate(row.steps[-1].node)


def test_conv_exam_reads_like_the_answer() -> None:
    tex = re.sub(" +", " ", derive(CONV).latex())
    assert (r"\#\text{params} &= " + CONV_GENERAL) in tex
    assert r"&= (3 \times 3 \times 128 + 1) \times 256" in tex
    assert r"&= 295{,}168" in tex
    # textbook order, never sympy's canonical order
    assert "C_{\\text{out}} + " not in tex and "1152" not in tex
    assert tex.index("3 \\times 3 \\times 128") < tex.index("295{,}168")


def test_bias_both_shows_both_exam_numbers_side_by_side() -> None:
    d = derive(CONV, bias="both")
    tex = d.latex()
    assert r"\textit{with bias}" in tex and r"\textit{without bias}" in tex
    assert "295{,}168" in tex and "294{,}912" in tex
    assert r"3 \times 3 \times 128 \times 256" in tex
    assert tex.index("295{,}168") < tex.index("294{,}912")
    assert [int(c.total) for c in d.counts] == [295_168, 294_912]
    text = d.text()
    assert "(3 × 3 × 128 + 1) × 256" in text and "295,168" in text and "294,912" in text


def test_identical_variants_are_written_once_under_a_combined_label() -> None:
    source = "network net {\n  input(H=8, W=8, C=128)\n  conv2d(C_out=256, k=3, padding=\"same\")\n  batchnorm()\n}\n"
    d = derive(source, convention="both", bias="both")
    labels = {s.title: [c.label for c in s.columns] for s in d.document.sections}
    # a conv counts alike under both frameworks; batch norm has no bias to switch
    assert labels["conv2d"] == ["PyTorch and Keras, with bias", "PyTorch and Keras, without bias"]
    assert labels["batchnorm"] == ["PyTorch, with or without bias", "Keras, with or without bias"]
    assert len(labels["Total"]) == 4  # the totals differ in every variant
    assert derive("batchnorm(C=256)", bias="both").document.sections[0].columns[0].label is None


def test_a_layers_own_name_is_primed_when_the_network_uses_it_for_another_size() -> None:
    source = "network net {\n  input(H=8, W=8, C=C)\n  conv2d(C_out=2*C, k=3, padding=\"same\")\n  batchnorm()\n}\n"
    d = derive(source)
    section = next(s for s in d.document.sections if s.title == "batchnorm")
    text = d.text()
    assert "C' = 2C" in text and "#trainable = 2C' = 2 × 2C = 4C" in text and "2C = 2 × 2C" not in text
    assert section.where[0][0] == "C'" and "the network's size of that name" in section.where[0][1]
    assert r"2C' = 2 \times 2C = 4C" in d.latex()
    # a name bound to itself is the network's own: no prime
    assert "'" not in derive("conv2d(bias=b)").text()


def test_combined_label_of_variants_that_are_no_product() -> None:
    assert combined_label(["PyTorch, with bias", "Keras, without bias"]) == "PyTorch, with bias; Keras, without bias"
    assert combined_label(["with bias", "without bias"]) == "with or without bias"
    assert combined_label(["Keras"]) == "Keras"


def test_bias_false_on_dense_and_true_on_conv1d() -> None:
    assert "32{,}768" in derive("linear(C_in=128, C_out=256)", bias=False).latex()
    d = derive("Conv1D(in_channels=7, filters=32, kernel_size=5, use_bias=false)", bias=True)
    assert int(d.total) == 1_152
    assert r"(5 \times 7 + 1) \times 32" in d.latex()


def test_markdown_shows_the_same_values_in_math_blocks() -> None:
    d = derive(CONV, bias="both")
    md = d.markdown()
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", md, re.S)
    assert blocks, md
    assert "295{,}168" in blocks[0] and "294{,}912" in blocks[1]  # one variant below the other
    assert r"(3 \times 3 \times 128 + 1) \times 256" in blocks[0]
    assert md.index("*with bias*") < md.index(blocks[0]) < md.index("*without bias*") < md.index(blocks[1])
    assert d._repr_markdown_() == md
    assert "$$" in d._repr_latex_() and r"\paragraph" not in d._repr_latex_()


def test_symbolic_values_stay_symbolic_and_simplify() -> None:
    tex = derive("conv2d(C_in=C, C_out=2*C, k=3)").latex()
    assert r"(3 \times 3 \times C + 1) \times 2C" in tex
    assert "18C^2 + 2C" in tex


def test_free_bias_symbol_stays_in_the_formula() -> None:
    d = derive("conv2d(bias=b)")
    (row,) = rows_of(d, "conv2d")
    assert F.latex(row.steps[0].node) == r"(k \times k \times C_{\text{in}} + b) \times C_{\text{out}}"
    assert sympy.expand(final(row) - symcount.count("conv2d(bias=b)").total) == 0


def test_groups_show_in_the_general_line_only_when_not_one() -> None:
    d = derive("conv2d(C_in=64, C_out=128, k=3, groups=4)")
    (row,) = rows_of(d, "conv2d")
    assert F.text(row.steps[0].node) == "(k × k × C_in/g + 1) × C_out"
    assert F.text(row.steps[1].node) == "(3 × 3 × 64/4 + 1) × 128"
    assert final(row) == 18_560


def test_network_notes_shape_flow_and_sums_the_layers() -> None:
    path = Path(__file__).resolve().parent.parent / "derivations" / "lenet5.sc"
    d = derive(path)
    tex = re.sub(" +", " ", d.latex())
    assert r"C_{\text{in}} &= 16 \times 5 \times 5 = 400" in tex
    assert r"156 + 2{,}416 + 48{,}120 + 10{,}164 + 850" in tex
    assert "61{,}706" in tex
    total = rows_of(d, "Total")[0]
    assert final(total) == symcount.count(path).total == 61_706
    # each pooling layer shows its output size; without shapes they join the layers without parameters
    assert r"H_{\text{out}} = W_{\text{out}} &= \left\lfloor \frac{H - k}{s} \right\rfloor + 1" in tex
    assert [r.note for r in rows_of(d, "avgpool2d")][-1].startswith("no weights")
    plain = derive(path, shapes=False)
    assert r"H_{\text{out}}" not in plain.latex()
    assert any("avgpool2d" in n and "no weights" in n for s in plain.document.sections for n in s.notes)


def test_zero_parameter_layers_say_why() -> None:
    d = derive("maxpool2d(k=2)\nflatten()")
    assert "0 \\quad \\text{(no weights: pooling takes the maximum of each window)}" in d.latex()
    assert "(no weights: it only reshapes)" in d.text()


@pytest.mark.parametrize(("convention", "label"), [("pytorch", "buffers"), ("keras", "non-trainable")])
def test_batch_norm_separates_trainable_from_statistics(convention: str, label: str) -> None:
    d = derive("batchnorm(C=64)", convention=convention)
    rows = rows_of(d, "batchnorm")
    assert [r.lhs.text for r in rows][:2] == ["trainable", label]
    assert final(rows[0]) == 128 and final(rows[1]) == 128
    result = symcount.count("batchnorm(C=64)", convention=convention)
    assert sum(final(r) for r in rows if r.lhs.text in ("trainable", "non-trainable")) == result.total
    if convention == "keras":
        assert rows[-1].lhs.text == "params" and final(rows[-1]) == 256


def test_lstm_conventions_differ_by_one_bias_vector_per_gate() -> None:
    d = derive("lstm(C_in=10, hidden=20)", convention="both")
    torch_row, keras_row = rows_of(d, "lstm", 0)[0], rows_of(d, "lstm", 1)[0]
    assert F.text(torch_row.steps[0].node) == "4 × [(C_in + H) × H + 2H]"
    assert F.text(keras_row.steps[0].node) == "4 × [(C_in + H) × H + H]"
    assert final(torch_row) - final(keras_row) == 4 * 20


def test_frozen_and_tied_layers_land_on_the_count() -> None:
    text = ("network n {\n input(L=8)\n emb: embedding(V=100, dim=16)\n linear(C_out=100, tied=emb)\n"
            " linear(C_out=4, trainable=false)\n}")
    d = derive(text)
    result = symcount.count(text)
    assert final(rows_of(d, "Total")[0]) == result.total
    assert "counted once" in d.text() and "frozen" in d.text()
    nontrainable = next(r for r in rows_of(d, "Total") if r.lhs.text == "non-trainable")
    assert final(nontrainable) == result.non_trainable


SOURCES = [
    CONV,
    "conv2d(C_in=64, C_out=128, k=(3, 5), stride=2, groups=2, bias=false)",
    "conv3d(C_in=3, C_out=8, k=3)",
    "conv_transpose2d(C_in=16, C_out=8, k=4, groups=2)",
    "depthwise_conv2d(C_in=32, k=3, multiplier=2)",
    "separable_conv2d(C_in=32, C_out=64, k=3)",
    "depthwise_conv1d(C_in=32, k=5, multiplier=2)",
    "separable_conv1d(C_in=32, C_out=64, k=5)",
    "linear(C_in=128, C_out=256)",
    "bilinear(C_in=20, C_in2=30, C_out=40)",
    "batchnorm(C=64)",
    "batchnorm(C=64, affine=false)",
    "layernorm(C=512)",
    "layernorm(C=512, bias=false)",
    "layernorm(normalized_shape=(4, 8))",
    "groupnorm(G=8, C=64)",
    "instancenorm(C=16, affine=true)",
    "rmsnorm(C=64)",
    "embedding(V=10000, dim=300)",
    "rnn(C_in=10, hidden=20, layers=2, bidirectional=true)",
    "lstm(C_in=10, hidden=20, proj=5, layers=2)",
    "gru(C_in=10, hidden=20, reset_after=false)",
    "gru(C_in=10, hidden=20)",
    "attention(d_model=512, heads=8)",
    "attention(d_model=512, heads=8, kv_heads=2)",
    "attention(d_model=512, heads=8, key_dim=32, value_dim=16, kv_heads=4)",
    "transformer_encoder_layer(d_model=512, heads=8, ff=2048)",
    "transformer_encoder_layer(d_model=512, heads=8, ff=2048, bias=false)",
    "transformer_decoder_layer(d_model=512, heads=8, ff=2048)",
    "gated_mlp(d_model=64, ff=256)",
    "prelu(C=16)",
    "maxpool2d(k=2)",
    "relu()",
    "linear(C_in=C, C_out=2*C, bias=b)",
]


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
@pytest.mark.parametrize("source", SOURCES)
def test_every_result_equals_the_count(source: str, convention: str) -> None:
    d = derive(source, convention=convention, bias="both")
    for variant in d.variants:
        expected = symcount.count(with_bias_source(source, variant.bias), convention=convention)
        for layer, section in zip(expected.layers, d.document.sections, strict=True):
            column = next(c for c in section.columns if c.label in (variant.label, None))
            by_label = {r.lhs.text: final(r) for r in column.rows if isinstance(r.lhs, F.Label)}
            params = by_label.get("params", by_label.get("trainable"))
            assert sympy.expand(params - layer.total) == 0, (source, variant.label)
            if "buffers" in by_label:
                assert by_label["buffers"] == layer.buffers
    for fmt in (d.latex(), d.markdown(), d.text()):
        assert fmt


def with_bias_source(source: str, bias: bool | None) -> str:
    """The same description with bias written out, counted independently of derive."""
    if bias is None or "(" not in source:
        return source
    name = source.split("(")[0]
    takes_bias = any(s.name == "bias" for s in symcount.catalog.core.lookup(name).args)
    if not takes_bias:
        return source
    body = re.sub(r",?\s*bias=\w+", "", source[len(name) + 1:-1])
    return f"{name}({body}, bias={'true' if bias else 'false'})"


def test_with_bias_rewrites_named_and_positional_and_nested() -> None:
    template = ("block b {{ conv2d(1, 2, 3, 1, {0}) }}\nnetwork n {{ input(H=8, W=8, C=1)\n b()\n"
                " repeat 2 {{ linear(C_out=3{1}) }}\n maxpool2d(k=2) }}")
    tree = parse(template.format("false", ", use_bias=true"))
    for bias in (True, False):
        written = template.format(str(bias).lower(), f", bias={str(bias).lower()}")
        assert symcount.api.count_tree(with_bias(tree, bias)).total == symcount.count(written).total
    assert int(symcount.api.count_tree(with_bias(tree, False)).total) == 9 * 2 + 2 * 3 + 3 * 3


def test_directives_and_problem_statement() -> None:
    text = "# How many parameters?\n#\n# Second paragraph.\n# convention: keras\n# bias: both\nlinear(C_in=2, C_out=3)\n"
    assert read_directives(text) == {"convention": "keras", "bias": "both"}
    assert intro(text) == ("How many parameters?", "Second paragraph.")
    d = derive(text)
    assert [v.label for v in d.variants] == ["with bias", "without bias"]
    assert all(v.convention == "keras" for v in d.variants)
    assert "How many parameters?" in d.markdown()
    assert derive(text, convention="pytorch", bias=False).variants[0].convention == "pytorch"


def test_conventions_are_stated() -> None:
    d = derive(CONV)
    assert "pytorch (total = sum of parameters().numel()" in d.text()
    assert r"\textit{Conventions:}" in d.latex()


def test_standalone_is_a_complete_document() -> None:
    doc = derive(CONV).latex(standalone=True)
    assert doc.startswith(r"\documentclass")
    assert r"\usepackage{amsmath}" in doc and doc.rstrip().endswith(r"\end{document}")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"convention": "tensorflow"}, "unknown convention"), ({"bias": "maybe"}, "unknown bias"),
     ({"kernel_style": "square"}, "unknown kernel style"), ({"mul": "star"}, "multiplication sign")],
)
def test_bad_settings_are_symcount_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(SymcountError, match=message):
        derive(CONV, **kwargs)


def test_bad_description_is_located() -> None:
    with pytest.raises(SymcountError) as err:
        derive("conv2d(C_in=3, C_out=4, k=3)\nconv2d(C_inn=3)")
    assert err.value.line == 2


def test_a_repeated_run_without_a_comment_is_named_after_the_block_that_holds_it() -> None:
    text = ("block decoder(n) {\n repeat n { linear(C_out=8)\n relu() }\n}\n"
            "network net {\n input(C=8)\n decoder(n=3)\n linear(C_out=2)\n}\n")
    d = derive(text)
    (again,) = rows_of(d, "3 × decoder layer")  # Mixtral's 32 copies read "32 × mistral layer", not "32 × 6 layers"
    assert final(again) == 3 * 72
    one = "network net {\n input(C=8)\n repeat 3 { linear(C_out=8) }\n}\n"
    assert any(s.title == "3 × linear" for s in derive(one).document.sections)


def test_lazy_export() -> None:
    assert symcount.derive is derive
    assert symcount.Derivation is Derivation


def test_symbols_helper_matches() -> None:
    assert F.evaluate(F.Sym("C")) == sym("C")


def test_repeated_layers_point_back_and_the_total_gathers_them() -> None:
    text = "network n {\n input(C=64)\n repeat 3 { linear(C_out=64)\n relu() }\n linear(C_out=10)\n}"
    d = derive(text)
    sections = [s for s in d.document.sections if s.title.startswith("linear")]
    assert len(sections[0].columns[0].rows) > 1
    (again,) = rows_of(d, "3 × 2 layers")  # the repeat's copies: derived once, then multiplied
    assert F.text(again.steps[0].node) == "3 × 4,160" and final(again) == 3 * 65 * 64
    assert len(sections) == 2  # the first copy's linear and the last linear; no copy again
    total = rows_of(d, "Total")[0]
    assert F.text(total.steps[0].node) == "3 × 4,160 + 650"
    assert final(total) == symcount.count(text).total == 3 * 4160 + 650


def test_symbolic_sizes_do_not_restate_themselves() -> None:
    d = derive("network n {\n input(L=8, C=d_model)\n attention(heads=h)\n embedding(V=V, dim=d)\n}")
    text = d.text()
    assert "d_model = d_model" not in text
    emb = rows_of(d, "embedding")[0]
    assert [F.text(s.node) for s in emb.steps] == ["V × d"]


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_every_catalog_layer_derives_symbolically(convention: str) -> None:
    """With no arguments every size is a symbol; the derivation still lands on the count."""
    for name in sorted(CATALOG):
        d = derive(name, convention=convention)
        expected = symcount.count(name, convention=convention)
        (layer,) = expected.layers
        (section,) = d.document.sections
        by_label = {r.lhs.text: final(r) for r in section.columns[0].rows if isinstance(r.lhs, F.Label)}
        params = by_label.get("params", by_label.get("trainable"))
        assert sympy.expand(params - layer.total) == 0, name
        assert d.latex() and d.text()


def _unexplained(d: Derivation) -> list[tuple[str, str]]:
    """Names of a count's general formula that the call does not show, no row works out and no
    ``where`` note explains."""
    missing = []
    for section in d.document.sections:
        called = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", section.code or ""))
        rows = [r for c in section.columns for r in c.rows] + list(section.shared) + list(section.after)
        worked = {r.lhs.name for r in rows if isinstance(r.lhs, F.Sym)}
        notes = " ".join(f"{name}: {words}" for name, words in section.where) + " "
        for row in rows:
            if isinstance(row.lhs, F.Label) and row.lhs.count and row.steps:
                for name in F.names_in(row.steps[0].node):
                    explained = re.search(rf"(?<![\w]){re.escape(name)}(:| =) ", notes)
                    if name not in called and name not in worked and not explained:
                        missing.append((section.title, name))
    return missing


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_every_symbol_of_a_formula_is_shown_or_explained(convention: str) -> None:
    """Every name a displayed formula uses is an argument of the call, a worked-out value (C_in = ...),
    or explained in a where line: n of a stacked LSTM is num_layers."""
    for name in sorted(CATALOG):
        assert _unexplained(derive(name, convention=convention)) == [], name
    for source in SOURCES:
        assert _unexplained(derive(source, convention=convention, bias="both")) == [], source
    for path in sorted((Path(__file__).resolve().parent.parent / "derivations").glob("*.sc")):
        assert _unexplained(derive(path, convention=convention)) == [], path.name


def test_stacked_lstm_says_what_n_is() -> None:
    text = derive("nn.LSTM(input_size=10, hidden_size=20, num_layers=2)").text()
    assert "(n - 1) × 4" in text
    assert "where C_in: input features (input_size), H: hidden size (hidden_size), n: stacked layers " \
           "(num_layers)" in " ".join(text.split())
    positional = derive("nn.LSTM(10, 20, 2)").text()
    assert "n: stacked layers" in " ".join(positional.split())


MLA_NET = """network mla {
    input(L=16, C=64)
    latent_attention(heads=4, q_lora_rank=32, kv_lora_rank=16, qk_rope_head_dim=8, qk_nope_head_dim=16,
                     v_head_dim=16, bias=true)
}
"""


def test_latent_attention_derives_factor_by_factor() -> None:
    """MLA's low-rank factors each a named row, their sum the count (against transformers in test_llm_zoo)."""
    d = derive(MLA_NET)
    count = symcount.count(MLA_NET)
    (section,) = [s for s in d.document.sections if s.title and "latent" in s.title]
    rows = {r.lhs.text: r for r in section.columns[0].rows if isinstance(r.lhs, F.Label)}
    assert list(rows) == ["q down", "q norm", "q up", "kv down", "kv norm", "kv up", "out", "params"]
    assert final(rows["q down"]) == (64 + 1) * 32 and final(rows["kv down"]) == (64 + 1) * (16 + 8)
    assert final(rows["kv norm"]) == 16 and final(rows["kv up"]) == 16 * 4 * (16 + 16)
    assert sum(final(rows[k]) for k in rows if k != "params") == final(rows["params"]) == count.total
    text = d.text()
    assert "kv_a_layernorm: RMSNorm of the kv latent" in text and "#kv down = (d_model + 1) × (r_kv + d_rope)" in text
    assert r"\#\text{q up}" in d.markdown()


MOE_NET = """network shared {
    input(L=L, C=6)
    moe(experts=4, top_k=1, shared=2, correction_bias=true) { gated_mlp(ff=4) }
}
"""


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_moe_derives_routed_shared_and_active(convention: str) -> None:
    """Routed experts: all counted, top_k active; shared ones whole; the router's correction bias a
    buffer (PyTorch) or a non-trainable weight (Keras's convention)."""
    d = derive(MOE_NET, convention=convention)
    count = symcount.count(MOE_NET, convention=convention)
    routed = {r.lhs.text: final(r) for r in rows_of(d, "moe.experts.gated_mlp") if isinstance(r.lhs, F.Label)}
    assert routed == {"params": 4 * 3 * 6 * 4, "active": 3 * 6 * 4}
    shared = {r.lhs.text: final(r) for r in rows_of(d, "moe.shared_experts.gated_mlp") if isinstance(r.lhs, F.Label)}
    assert shared == {"params": 2 * 3 * 6 * 4}
    router = {r.lhs.text: final(r) for r in rows_of(d, "moe.router") if isinstance(r.lhs, F.Label)}
    assert router["trainable"] == 6 * 4 and router["buffers" if convention == "pytorch" else "non-trainable"] == 4
    totals = {r.lhs.text: final(r) for r in rows_of(d, "Total") if isinstance(r.lhs, F.Label)}
    assert totals["params"] == count.total and totals["active"] == count.active
    assert count.active == count.total - 3 * (3 * 6 * 4)
