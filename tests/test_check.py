"""Answer checking: exact verdicts, counterexamples, and the slips a marker names."""

from __future__ import annotations

import os

import needs
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symcount
from symcount import SymcountError
from symcount.catalog.core import CATALOG
from symcount.cli.main import main as cli_main
from symcount.language.symbols import sym
from symcount.teaching.check import check
from symcount.teaching.slips import SLIP_IDS, SLIPS, _views

k, C_in, C_out, b, g, C, H, X = (sym(n) for n in ("k", "C_in", "C_out", "b", "g", "C", "H", "X"))


# ---------------------------------------------------------------------------------- the cases


def test_dense_bias_on_the_input_side() -> None:
    v = check("linear(C_in=128, C_out=256)", "128*(256+1)")
    assert not v.correct
    assert v.answer == 32_896 and v.expected == 33_024 == 129 * 256
    assert v.difference == -128
    assert v.mistake == "bias_input_side"
    assert v.counterexample is None  # nothing symbolic to vary
    assert "33,024" in v.text() and "32,896" in v.text()
    assert "(C_in + 1) × C_out = (128 + 1) × 256 = 33,024" in v.text()


def test_conv_bias_on_the_input_side_symbolically() -> None:
    v = check("conv2d(bias=b)", "k*k*C_in*(C_out + b)")
    assert not v.correct
    assert sympy.expand(v.difference - b * (k**2 * C_in - C_out)) == 0
    assert v.difference == b * (k**2 * C_in - C_out)  # factored, as it reads best
    assert v.mistake == "bias_input_side"
    # agrees without bias, or when C_out = k^2 C_in
    assert {(c.lhs, c.rhs) for c in v.agrees_when or []} == {(b, 0), (C_out, k**2 * C_in)}
    # the smallest counterexample by sum really is a counterexample, and nothing smaller is
    ce = v.counterexample
    assert ce is not None and ce["b"] == 1
    point = {sym(n): val for n, val in ce.items()}
    assert v.difference.xreplace(point) != 0
    assert sum(ce.values()) == 5


def test_conv1d_from_keras_bias_on_the_input_side() -> None:
    v = check("Conv1D(in_channels=7, filters=32, kernel_size=5)", "5*7*(32 + 1)", convention="keras")
    assert (v.answer, v.expected) == (1_155, 1_152)
    assert v.mistake == "bias_input_side"
    assert v.expected == symcount.count("conv1d(C_in=7, C_out=32, k=5)", convention="keras").total


def test_keras_conv1d_matches_real_keras() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = needs.module("keras")
    layer = keras.layers.Conv1D(32, 5)
    layer.build((None, 20, 7))
    v = check("Conv1D(in_channels=7, filters=32, kernel_size=5)", str(layer.count_params()), convention="keras")
    assert v.correct


def test_correct_answers_number_formula_and_values() -> None:
    assert check("conv2d(C_in=128, C_out=256, k=3)", "(3*3*128 + 1)*256").correct
    assert check("conv2d(C_in=128, C_out=256, k=3)", "295168").correct
    assert check("conv2d(C_in=128, C_out=256, k=3)", 295_168).correct
    # a formula for a numeric layer is evaluated with the layer's values
    assert check("conv2d(C_in=128, C_out=256, k=3)", "(k*k*C_in + 1)*C_out").correct
    assert check("conv2d(C_in=128, C_out=256, k=3, bias=false)", "k^2*C_in*C_out").correct
    # a number for a symbolic layer is checked at the --set values
    assert check("conv2d", "295168", values={"C_in": 128, "C_out": 256, "k": 3}).correct
    v = check("conv2d", "294912", values={"C_in": 128, "C_out": 256, "k": 3})
    assert not v.correct and v.mistake == "bias_missing" and v.difference == -256
    assert check("conv2d", "(k^2*C_in + 1)*C_out").correct
    assert check("conv2d", "C_out + C_out*C_in*k*k").correct


def test_number_for_a_symbolic_question_needs_values() -> None:
    with pytest.raises(SymcountError) as err:
        check("conv2d", "295168")
    assert "symbolic" in str(err.value) and "--set" in str(err.value)


def test_unknown_names_and_bad_answers() -> None:
    with pytest.raises(SymcountError) as err:
        check("conv2d", "K*k*C_in*C_out")
    assert "K" in str(err.value) and "did you mean 'k'" in str(err.value)
    with pytest.raises(SymcountError):
        check("conv2d", "(k*k*C_in + 1)*")
    with pytest.raises(SymcountError):
        check("conv2d", '"text"')
    with pytest.raises(SymcountError):
        check("conv2d", "__import__('os')")
    with pytest.raises(SymcountError):
        check("conv2d", "k", quantity="weights")


# ---------------------------------------------------------------------------------- each slip, by hand

#: (source, convention, wrong answer as a student writes it, the slip)
HAND_WRITTEN = [
    ("linear", "pytorch", "C_in*(C_out + 1)", "bias_input_side"),
    ("conv1d", "pytorch", "k*C_in*(C_out + 1)", "bias_input_side"),
    ("conv2d", "pytorch", "k*k*C_in*(C_out + 1)", "bias_input_side"),
    ("conv3d", "keras", "k*k*k*C_in*(C_out + 1)", "bias_input_side"),
    ("conv_transpose2d", "pytorch", "k*k*C_in*(C_out + 1)", "bias_input_side"),
    ("separable_conv2d", "keras", "k*k*C_in + C_in*(C_out + 1)", "bias_input_side"),
    ("gated_mlp(bias=true)", "pytorch", "2*d_model*(d_ff + 1) + (d_ff + 1)*d_model", "bias_input_side"),
    ("conv2d", "pytorch", "k*k*(C_in + 1)*C_out", "bias_in_window"),
    ("conv1d(C_in=7, C_out=32, k=5)", "keras", "5*(7 + 1)*32", "bias_in_window"),
    ("conv_transpose3d", "pytorch", "k*k*k*(C_in + 1)*C_out", "bias_in_window"),
    ("conv2d(C_in=128, C_out=256, k=(3, 5), groups=2)", "pytorch", "3*5*(64 + 1)*256", "bias_in_window"),
    ("linear", "pytorch", "C_in*C_out", "bias_missing"),
    ("conv2d", "keras", "k*k*C_in*C_out", "bias_missing"),
    ("depthwise_conv2d", "pytorch", "k*k*C_in", "bias_missing"),
    ("lstm", "pytorch", "4*(C_in + H)*H", "bias_missing"),
    ("attention", "pytorch", "4*d_model^2", "bias_missing"),
    ("conv2d", "pytorch", "(k*C_in + 1)*C_out", "kernel_not_squared"),
    ("conv3d", "pytorch", "(k*C_in + 1)*C_out", "kernel_not_squared"),
    ("separable_conv2d", "pytorch", "k*C_in + (C_in + 1)*C_out", "kernel_not_squared"),
    ("depthwise_conv2d", "keras", "(k + 1)*C_in", "kernel_not_squared"),
    ("conv2d", "pytorch", "(k*k + 1)*C_out", "c_in_missing"),
    ("conv1d", "pytorch", "(k + 1)*C_out", "c_in_missing"),
    ("lstm", "keras", "4*(H*H + H)", "c_in_missing"),
    ("lstm", "keras", "(C_in + H)*H + H", "one_gate"),
    ("gru", "pytorch", "(C_in + H)*H + 2*H", "one_gate"),
    ("lstm(layers=2)", "pytorch", "(C_in + H)*H + 2*H + (H + H)*H + 2*H", "one_gate"),
    ("lstm", "keras", "4*(C_in*H + H)", "recurrent_weights_missing"),
    ("rnn", "pytorch", "C_in*H + 2*H", "recurrent_weights_missing"),
    ("conv2d(groups=g)", "pytorch", "(k*k*C_in + 1)*C_out", "groups_ignored"),
    ("conv1d(C_in=64, C_out=64, k=3, groups=4)", "pytorch", "(3*64 + 1)*64", "groups_ignored"),
    ("batchnorm", "pytorch", "4*C", "bn_stats_as_trainable"),
    ("batchnorm", "keras", "2*C", "bn_stats_missing"),
    ("lstm", "pytorch", "4*((C_in + H)*H + H)", "other_convention"),
    ("lstm", "keras", "4*((C_in + H)*H + 2*H)", "other_convention"),
    ("rnn", "pytorch", "(C_in + H)*H + H", "other_convention"),
    ("gru", "keras", "3*((C_in + H)*H + H)", "other_convention"),
    ("gru(reset_after=false)", "keras", "3*((C_in + H)*H + 2*H)", "other_convention"),
]


@pytest.mark.parametrize(("source", "convention", "answer", "slip"), HAND_WRITTEN)
def test_hand_written_slips_are_named(source: str, convention: str, answer: str, slip: str) -> None:
    v = check(source, answer, convention=convention)
    assert not v.correct
    assert v.mistake == slip, v.explanation
    assert slip in v.explanation or v.matches[0].slip.title in v.explanation


def test_bn_stats_as_trainable_for_the_trainable_count_in_keras() -> None:
    v = check("batchnorm", "4*C", convention="keras", quantity="trainable")
    assert v.mistake == "bn_stats_as_trainable" and v.expected == 2 * C


def test_every_slip_has_a_hand_written_case() -> None:
    assert set(SLIP_IDS) == {case[3] for case in HAND_WRITTEN}


def test_slip_in_every_layer_of_a_network() -> None:
    source = "network n { input(H=8, W=8, C=3); conv2d(C_out=4, k=3); conv2d(C_out=5, k=3) }"
    # bias on the input side in both layers
    v = check(source, "3*3*3*(4+1) + 3*3*4*(5+1)")
    assert v.mistake == "bias_input_side" and v.matches[0].layer is None
    # only in the second layer
    v = check(source, "(3*3*3+1)*4 + 3*3*4*(5+1)")
    assert v.mistake == "bias_input_side" and v.matches[0].layer is not None
    assert v.matches[0].layer.name == "conv2d_1"


def test_wrong_without_a_known_slip() -> None:
    v = check("conv2d", "k*k*C_in*C_out*2")
    assert not v.correct and v.mistake is None and v.matches == []
    assert v.counterexample is not None


# ---------------------------------------------------------------------------------- every catalog layer


def _catalog_sources() -> list[tuple[str, str]]:
    out = []
    for name in sorted(CATALOG):
        for convention in ("pytorch", "keras"):
            for source in (name, f"{name}(bias=b)"):
                try:
                    result = symcount.count(source, convention=convention)
                except SymcountError:
                    continue
                if result.total != 0:
                    out.append((source, convention))
    return out


CATALOG_SOURCES = _catalog_sources()


def test_catalog_sources_cover_the_parameterised_layers() -> None:
    assert len(CATALOG_SOURCES) > 40


@pytest.mark.parametrize(("source", "convention"), CATALOG_SOURCES)
def test_each_slip_recognised_on_every_layer_where_it_applies(source: str, convention: str) -> None:
    """For every slip that changes this layer's count, the slipped answer is named with that slip."""
    result = symcount.count(source, convention=convention)
    views = _views(result, "total")
    assert views, "every catalog formula reproduces its count"
    view = views[0]
    for slip in SLIPS:
        for alt in slip.alternatives(view):
            if sympy.expand(alt.value - view.contribution) == 0:
                continue
            answer = sympy.expand(result.total - view.contribution + alt.value)
            if not answer.free_symbols and result.total.free_symbols:
                continue  # a slip that leaves no weights at all (Keras Normalization's statistics): a bare number
            v = check(source, answer, convention=convention)
            assert not v.correct
            assert slip.id in v.mistakes, (slip.id, v.mistakes)


@pytest.mark.parametrize(("source", "convention"), CATALOG_SOURCES)
def test_catalog_formula_is_judged_correct(source: str, convention: str) -> None:
    result = symcount.count(source, convention=convention)
    layer = result.layers[0]
    counted = ("param", "stat") if convention == "keras" else ("param",)  # a buffer alone is a Keras weight
    text = " + ".join(f"({layer.formulas[k]})" for k in counted if k in layer.formulas)
    if layer.multiplier != 1:
        pytest.skip("a repeated layer")
    assert check(source, text, convention=convention).correct


SIZED = sorted(n for n, e in CATALOG.items()
               if any(s.kind == "size" and s.default is not None for s in e.args) and e.name != "prelu")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SIZED), convention=st.sampled_from(["pytorch", "keras"]),
       sizes=st.lists(st.integers(1, 40), min_size=8, max_size=8), bias=st.booleans(),
       delta=st.integers(-50, 50))
def test_property_correct_formula_correct_perturbed_wrong(name: str, convention: str, sizes: list[int],
                                                          bias: bool, delta: int) -> None:
    """Numbers drawn for a layer's sizes: its catalog formula is correct, the formula + delta is not."""
    entry = CATALOG[name]
    args = []
    it = iter(sizes)
    for spec in entry.args:
        if spec.kind == "size" and spec.default is not None and spec.default.__class__.__name__ == "Required":
            args.append(f"{spec.name}={next(it)}")
        elif spec.kind == "kernel" and spec.default.__class__.__name__ == "Required":
            args.append(f"{spec.name}={1 + next(it) % 7}")
        elif spec.kind == "bias":
            args.append(f"bias={'true' if bias else 'false'}")
    source = f"{name}({', '.join(args)})"
    try:
        result = symcount.count(source, convention=convention)
    except SymcountError:
        assume(False)
        return
    layer = result.layers[0]
    assume("param" in layer.formulas)
    counted = ("param", "stat") if convention == "keras" else ("param",)  # a buffer alone is a Keras weight
    text = " + ".join(f"({layer.formulas[k]})" for k in counted if k in layer.formulas)
    right = check(source, text, convention=convention)
    assert right.correct and right.difference == 0
    assume(delta != 0)
    wrong = check(source, f"({text}) + {delta}", convention=convention)
    assert not wrong.correct
    assert wrong.difference == delta
    assert wrong.answer - wrong.expected == delta


# ---------------------------------------------------------------------------------- rendering and CLI


def test_renderings() -> None:
    v = check("conv2d(bias=b)", "k*k*C_in*(C_out + b)")
    text = v.text()
    assert "Smallest counterexample" in text and "b = 0" in text
    assert r"C_{\text{in}}" in v.latex() and "$$" in v.markdown()
    assert v.latex(standalone=True).startswith("\\documentclass")
    assert check("linear(C_in=2, C_out=3)", "9").text().startswith("Correct: 9 parameters.")


def test_lazy_export() -> None:
    assert symcount.check is check
    assert symcount.Verdict.__name__ == "Verdict"


def test_cli_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["check", "linear(C_in=128, C_out=256)", "--answer", "128*(256+1)"]) == 1  # wrong
    out = capsys.readouterr().out
    assert out.startswith("Wrong") and "input side" in out
    assert cli_main(["check", "conv2d", "--answer", "295168", "--set", "C_in=128", "--set", "C_out=256",
                     "--set", "k=3", "--format", "latex"]) == 0
    assert "Correct" in capsys.readouterr().out
    assert cli_main(["check", "conv2d", "--answer", "295168"]) == 2
    assert "symbolic" in capsys.readouterr().err


def test_layer_without_parameters_says_why() -> None:
    v = check("maxpool2d(k=2)", "4")
    assert not v.correct and v.expected == 0 and v.mistake is None
    assert "no weights" in v.text()
    assert check("maxpool2d(k=2)", "0").correct


def test_the_correct_line_shows_what_is_counted() -> None:
    # Keras counts batch norm's moving statistics: the correct line is 2C + 2C, not "2C = 256"
    v = check("network n { input(H=8, W=8, C=64); BatchNormalization() }", "128", convention="keras")
    assert v.mistake == "bn_stats_missing"
    assert "2C + 2C = 2 × 64 + 2 × 64 = 256" in v.text()
    assert "the slip  2C = 2 × 64 = 128" in v.text()
    v = check("network n { input(H=8, W=8, C=64); BatchNorm2d() }", "256")
    assert v.mistake == "bn_stats_as_trainable"
    assert "2C = 2 × 64 = 128" in v.text() and "2C + 2C = 2 × 64 + 2 × 64 = 256" in v.text()


@pytest.mark.parametrize("answer", ["33,024", "33 024", "33{,}024", "33\\,024", "33\u202f024", "33_024"])
def test_an_answer_with_grouped_digits_is_one_number(answer: str) -> None:
    assert check("linear(C_in=128, C_out=256)", answer).correct


def test_commas_inside_a_formula_are_not_digit_groups() -> None:
    v = check("linear(C_in=128, C_out=256)", "max(128,256)")
    assert not v.correct and v.answer == 256


def test_sentence_writes_values_in_textbook_order_in_every_format() -> None:
    """The sentence, the lines below it: names in the formula's order (k, C_in, C_out), never sympy's."""
    verdict = check("conv2d", "C_in*C_out*k**2 + C_out*k**2")
    text = verdict.text()
    assert "the correct count is k²·C_in·C_out + C_out" in text
    assert "the answer gives k²·C_in·C_out + k²·C_out" in text
    assert "correct   (k × k × C_in + 1) × C_out = k²·C_in·C_out + C_out" in text
    assert "C_in·C_out·k²" not in text
    latex = verdict.latex()
    assert r"the correct count is $k^2\,C_{\text{in}}\,C_{\text{out}} + C_{\text{out}}$" in latex
    assert r"= k^2\,C_{\text{in}}\,C_{\text{out}} + C_{\text{out}} \\" in latex
    assert r"C_{\text{in}} C_{\text{out}} k^{2}" not in latex
    assert verdict.markdown().count(r"k^2\,C_{\text{in}}\,C_{\text{out}} + C_{\text{out}}") == 2


def test_difference_has_its_common_factor_pulled_out() -> None:
    verdict = \
        check("conv2d", "C_in*C_out*k**2 + C_out*k**2")
    assert "(answer − correct = C_out·(k² - 1))" in verdict.text()
    assert r"(answer $-$ correct = $C_{\text{out}}\,(k^2 - 1)$)" in verdict.latex()
    kernel = check("conv2d(bias=false)", "k*C_in*C_out")
    assert "(answer − correct = -k·C_in·C_out·(k - 1))" in kernel.text()  # a leading minus, not (1 - k)
    assert sympy.expand(kernel.difference - (sym("k") * sym("C_in") * sym("C_out") * (1 - sym("k")))) == 0
    forgot = check("linear", "C_in*C_out")
    assert "(answer − correct = -C_out)" in forgot.text()  # nothing to factor: as it is
    numbers = check("conv2d(C_in=3, C_out=8, k=3)", "3*3*(3+1)*8")
    assert "the answer gives 288, the correct count is 224 (answer − correct = 64)" in numbers.text()
