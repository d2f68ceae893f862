"""Values printed once per form (budget.text) are byte for byte what sympy prints.

The JSON of a count prints tens of thousands of values; budget.text prints each *form* once and puts
the names back. That is sound only if the printed order of terms and factors depends on nothing but
how the names compare: these properties try names whose string order and numeric order differ
(W9, W10), the letters sympy's polynomial code ranks specially (x, y, z), powers, floors, rationals
and negative coefficients, and sums too wide to sort (printed in sympy's own order of terms).
"""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symcount.language import budget
from symcount.language.symbols import sym

NAMES = ["W9", "W10", "W100", "x", "y", "z", "C_in", "C_out", "k", "a1", "b", "H"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> sympy.Expr:
    """Sums, products, powers and floors of a few size symbols and numbers."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            return sym(draw(st.sampled_from(NAMES)))
        return sympy.Rational(draw(st.integers(-9, 9)), draw(st.sampled_from([1, 1, 2, 3])))
    kind = draw(st.sampled_from(["add", "mul", "pow", "floor"]))
    parts = [draw(expressions(depth - 1)) for _ in range(draw(st.integers(2, 3)))]
    if kind == "add":
        return sympy.Add(*parts)
    if kind == "mul":
        return sympy.Mul(*parts)
    if kind == "pow":
        return parts[0] ** draw(st.integers(2, 3))
    return sympy.floor(parts[0] / draw(st.integers(2, 3))) + parts[1]


@settings(max_examples=400, deadline=None)
@given(expressions(), st.permutations(NAMES))
def test_a_value_printed_by_its_form_is_what_sympy_prints(expr: sympy.Expr, renamed: list[str]) -> None:
    assert budget.text(expr) == str(expr)
    # the same form under other names: printed from the remembered form, still sympy's text
    other = expr.xreplace({sym(a): sym(b) for a, b in zip(NAMES, renamed, strict=True)})
    assert budget.text(other) == str(other)


@settings(max_examples=30, deadline=None)
@given(st.lists(expressions(depth=2), min_size=1, max_size=6), st.integers(30, 60))
def test_a_sum_too_wide_to_sort_is_what_sympy_prints_unsorted(extra: list[sympy.Expr], n: int) -> None:
    widths = [sym(f"W{i}") for i in range(n)]
    wide = sympy.expand(sympy.Add(*(w * v for w, v in zip(widths, widths[1:], strict=False)), *extra))
    if budget.too_wide_to_sort(wide):
        assert budget.text(wide) == sympy.sstr(wide, order="none")
    else:
        assert budget.text(wide) == str(wide)


def test_a_wide_count_is_printed_unsorted_and_exactly() -> None:
    widths = [sym(f"W{i}") for i in range(2_000)]
    total = sympy.Add(*(a * b - 3 * b for a, b in zip(widths, widths[1:], strict=False)))
    assert budget.too_wide_to_sort(total)
    assert budget.text(total) == sympy.sstr(total, order="none")
