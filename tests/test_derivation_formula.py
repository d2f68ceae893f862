"""The display-formula tree: written order, substitution without evaluation, typography."""

from __future__ import annotations

import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcount.errors import SymcountError
from symcount.language.parse import parse_expression
from symcount.language.symbols import sym
from symcount.language.values import Env, evaluate
from symcount.render import formula as F

CONV = "(k*k*C_in/g + b)*C_out"


def general(text: str, values: dict[str, int], droppable: set[str]) -> F.Node:
    return F.simplify(F.substitute(F.parse_formula(text), values, droppable))


def test_written_order_is_kept_not_sympys() -> None:
    tree = F.parse_formula(CONV)
    assert F.latex(tree) == r"(k \times k \times C_{\text{in}}/g + b) \times C_{\text{out}}"
    # sympy itself would print the evaluated form in its own order
    assert sympy.latex(F.evaluate(tree)) != F.latex(tree)


def test_bias_indicator_and_groups_in_the_general_line() -> None:
    with_bias = general(CONV, {"b": 1, "g": 1}, {"b", "g"})
    without = general(CONV, {"b": 0, "g": 1}, {"b", "g"})
    free = general(CONV, {"g": 1}, {"b", "g"})
    assert F.latex(with_bias) == r"(k \times k \times C_{\text{in}} + 1) \times C_{\text{out}}"
    assert F.latex(without) == r"k \times k \times C_{\text{in}} \times C_{\text{out}}"
    assert F.latex(free) == r"(k \times k \times C_{\text{in}} + b) \times C_{\text{out}}"


def test_substitution_keeps_every_factor() -> None:
    line = F.simplify(F.substitute(general(CONV, {"b": 1, "g": 1}, {"b", "g"}),
                                   {"k": 3, "C_in": 128, "C_out": 256}))
    assert F.latex(line) == r"(3 \times 3 \times 128 + 1) \times 256"
    assert F.text(line) == "(3 × 3 × 128 + 1) × 256"
    assert F.evaluate(line) == 295_168
    assert F.text(F.collapse_groups(line)) == "1,153 × 256"


def test_a_dimension_of_one_stays_but_a_structural_one_goes() -> None:
    tree = F.parse_formula("(k*k*C_in/g + b)*C_out*m")
    line = F.simplify(F.substitute(tree, {"k": 5, "C_in": 1, "C_out": 6, "g": 1, "b": 1, "m": 1}, {"g", "b", "m"}))
    assert F.text(line) == "(5 × 5 × 1 + 1) × 6"


def test_zero_terms_vanish_and_one_bias_factor_goes() -> None:
    lstm = F.parse_formula("4*((C_in + H)*H + 2*b*H)")
    assert F.text(general("4*((C_in + H)*H + 2*b*H)", {"b": 0}, {"b"})) == "4 × (C_in + H) × H"
    assert F.text(general("4*((C_in + H)*H + 2*b*H)", {"b": 1}, {"b"})) == "4 × [(C_in + H) × H + 2H]"
    assert F.text(F.simplify(F.substitute(lstm, {"b": 1, "C_in": 10, "H": 20}, {"b"}))) \
        == "4 × [(10 + 20) × 20 + 2 × 20]"


def test_symbolic_values_stay_symbolic() -> None:
    C = sym("C")
    line = F.simplify(F.substitute(general(CONV, {"b": 1, "g": 1}, {"b", "g"}), {"k": 3, "C_in": C, "C_out": 2 * C}))
    assert F.latex(line) == r"(3 \times 3 \times C + 1) \times 2C"
    assert F.latex(F.result_form(F.evaluate(line))) == "18C^2 + 2C"
    assert F.text(F.result_form(F.evaluate(line))) == "18C² + 2C"


def test_result_orders_names_as_the_formula_does() -> None:
    tree = general(CONV, {"g": 1}, {"b", "g"})
    result = F.result_form(F.evaluate(tree), F.names_in(tree))
    assert F.latex(result) == r"k^2\,C_{\text{in}}\,C_{\text{out}} + b\,C_{\text{out}}"
    assert F.text(result) == "k²·C_in·C_out + b·C_out"


def test_settings_cdot_power_and_separator() -> None:
    tree = F.to_power(general(CONV, {"b": 1, "g": 1}, {"b", "g"}))
    style = F.Style(mul="cdot", separator=r"\,")
    assert F.latex(tree, style) == r"(k^2 \cdot C_{\text{in}} + 1) \cdot C_{\text{out}}"
    assert F.latex(F.Num(295168), style) == r"295\,168"
    assert F.latex(F.Num(295168)) == "295{,}168"
    assert F.latex(F.Num(256)) == "256"
    with pytest.raises(SymcountError, match="multiplication sign"):
        F.Style(mul="star")


def test_parentheses_follow_precedence() -> None:
    assert F.text(F.parse_formula("a - (b + c)")) == "a - (b + c)"
    assert F.text(F.parse_formula("a/(b*c)")) == "a/(b × c)"
    assert F.text(F.parse_formula("(a + b)^2")) == "(a + b)²"
    assert F.text(F.parse_formula("a*(b/c)")) == "a × (b/c)"
    assert F.latex(F.parse_formula("((a + b)*c + d)*e + f")) == "[(a + b) \\times c + d] \\times e + f"
    assert F.latex(F.parse_formula("2*C")) == "2C"
    assert F.latex(F.parse_formula("2*d_model")) == r"2d_{\text{model}}"
    assert F.text(F.parse_formula("2*d_model")) == "2 × d_model"
    assert F.latex(F.parse_formula("2*heads")) == r"2 \times \mathit{heads}"
    assert F.latex(F.parse_formula("2*3")) == r"2 \times 3"


def test_collapse_terms_shows_each_term() -> None:
    tree = F.parse_formula("4*(d + 1)*d + (d + 1)*f")
    line = F.simplify(F.substitute(tree, {"d": 512, "f": 2048}))
    assert F.text(F.collapse_terms(F.collapse_groups(line))) == "1,050,624 + 1,050,624"


def test_formulas_with_calls_are_refused() -> None:
    """Only the output-size rules' functions (floor, ceil, max, mod) may appear in a display formula."""
    with pytest.raises(SymcountError):
        F.parse_formula("min(a, b)")
    node = F.parse_formula("floor((n + 2*p - k)/s) + 1")
    assert F.text(node) == "⌊(n + 2p - k)/s⌋ + 1"
    assert F.latex(node) == r"\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
    assert F.text(F.parse_formula("ceil(n/s)")) == "⌈n/s⌉"
    assert F.latex(F.parse_formula("(n - 1)*s + max(k, s)")) == r"(n - 1) \times s + \max(k, s)"


NAMES = ["a", "b", "C_in", "k"]
leaf = st.one_of(st.integers(0, 50).map(str), st.sampled_from(NAMES))


def _expr(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})" if t[1] != "/" else f"({t[0]} / ({t[2]} * {t[2]} + 1))")


@settings(max_examples=150, deadline=None)
@given(st.recursive(leaf, _expr, max_leaves=8), st.dictionaries(st.sampled_from(NAMES), st.integers(0, 9)))
def test_rendering_and_substitution_never_change_the_value(text: str, values: dict[str, int]) -> None:
    """Whatever the nesting, the tree's value is the expression's, before and after
    substitution and simplification, and the text form parses back to the same value."""

    tree = F.parse_formula(text)
    expected = evaluate(parse_expression(text), Env())
    assert sympy.simplify(F.evaluate(tree) - expected) == 0
    env = {k: sympy.Integer(v) for k, v in values.items()}
    substituted = F.simplify(F.substitute(tree, env, set(values)))
    assert sympy.simplify(F.evaluate(substituted) - expected.subs({sym(k): v for k, v in env.items()})) == 0
    shown = F.text(substituted).replace("×", "*").replace("·", "*").replace("[", "(").replace("]", ")") \
        .replace("{", "(").replace("}", ")").replace(",", "")
    for digit, sup in zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True):
        shown = shown.replace(sup, "^" + digit)
    shown = re.sub(r"(\d)([A-Za-z])", r"\1*\2", shown)  # a coefficient stands next to its name
    assert sympy.simplify(evaluate(parse_expression(shown), Env()) - F.evaluate(substituted)) == 0


def test_a_part_that_comes_out_as_one_is_not_written_one_times() -> None:
    # two stacked LSTM layers: (n - 1) = (2 - 1) is shown put in, then not as "1 × 4 × 840"
    line = F.simplify(F.substitute(F.parse_formula("4*((C_in + H)*H + 2*H) + (n - 1)*4*((H + H)*H + 2*H)"),
                                   {"C_in": 10, "H": 20, "n": 2}))
    assert "(2 - 1) × 4" in F.text(line)
    assert F.text(F.collapse_groups(line)) == "4 × 640 + 4 × 840"
    # a lone factor that comes out as 1 is the number 1
    assert F.text(F.collapse_groups(F.simplify(F.substitute(F.parse_formula("(n - 1)*(H + 1)"),
                                                            {"n": 2, "H": 1})))) == "2"
