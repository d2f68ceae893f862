"""The algebra budget: every symbolic step is measured before sympy runs it, so a large count or a
hostile answer ends in well under a second instead of keeping sympy busy for minutes.

The timed tests only assert "not hung" (best of three, a generous bound): how fast belongs to bench/.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.engine.count import count_dict, plain
from symcount.language import budget
from symcount.language.symbols import sym
from symcount.teaching.check import Verdict, check

#: Tells a hang (tens of seconds before the budget) from a busy machine (see tests/test_errors.py).
HANG_BOUND = 5.0


def best_of_three(run: Callable[[], object], bound: float = HANG_BOUND) -> float:
    """The best time of up to three runs (a hang fails every try, a busy machine only some)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        if times[-1] < bound:
            break
    return min(times)


def chain(n: int, letter: str = "W") -> str:
    """A network of n linear layers, each with a width of its own: n independent symbols."""
    body = "\n".join(f"    linear(C_out={letter}{i})" for i in range(1, n + 1))
    return f"network chain {{\n    input(C={letter}0)\n{body}\n}}\n"


@pytest.fixture(scope="module")
def warm() -> None:
    symcount.count("relu()")


def test_the_budget_measures_symbols_degree_terms_and_digits() -> None:
    x, y, z = sym("x"), sym("y"), sym("z")
    widths = [sym(f"W{i}") for i in range(40)]
    assert budget.affordable((x + 1) * y * z**2 + 3)  # what real counts look like
    assert "symbols" in (budget.why_not(sympy.Add(*[a * b for a, b in itertools.pairwise(widths)])) or "")
    assert "degree" in (budget.why_not(x**999 + y**999 + z**999) or "")
    assert "terms" in (budget.why_not((x + y + z) ** 43) or "")
    assert "digit" in (budget.why_not(10**100 * x + 1) or "")
    assert budget.factor(x**999 - y**999) == x**999 - y**999  # past the budget: unchanged, at once
    assert budget.factor(x**2 - y**2) == (x - y) * (x + y)


def test_is_zero_decides_polynomials_exactly_and_says_when_it_cannot() -> None:
    x, y = sym("x"), sym("y")
    assert budget.is_zero((x + y) ** 2 - x**2 - 2 * x * y - y**2) is True
    assert budget.is_zero(x**999 + y**999 - 1) is False  # a nonzero polynomial, however large
    assert budget.is_zero(x / (x + 1) - 1 + 1 / (x + 1)) is True
    assert budget.is_zero((x + 1) / (x**20 + y**20) - 1 / (x**20 + y**20) - x / (x**20 + y**20)) is True
    assert budget.is_zero((x + 1) / (x**20 + y**20)) is False  # decided without a gcd
    wide = sympy.Add(*[sympy.floor(sym(f"W{i}") / 2) for i in range(30)]) - 1
    assert budget.is_zero(wide) is None  # undecided: never guessed


def test_a_wide_sum_prints_without_sorting_every_term(warm: None) -> None:
    """sympy sorts a sum's terms by exponent tuples over every symbol: 3,000 widths took many seconds."""
    widths = [sym(f"W{i}") for i in range(3_001)]
    total = sympy.Add(*[a * b + b for a, b in itertools.pairwise(widths)])
    assert best_of_three(lambda: plain(total)) < HANG_BOUND
    assert plain(total) == budget.text(total) and "W2999*W3000" in str(plain(total))


@pytest.mark.parametrize("n", [60])
def test_derive_of_many_independent_widths_is_not_hung(n: int, warm: None) -> None:
    """Factoring the total of 60 widths took sympy 30 s and more; past the budget it is shown expanded."""
    document: list[str] = []
    assert best_of_three(lambda: document.append(symcount.derive(chain(n)).text())) < 2 * HANG_BOUND
    assert f"W{n - 1}·W{n}" in document[-1] or f"W{n - 1}*W{n}" in document[-1]


def test_compare_of_many_independent_widths_is_not_hung(warm: None) -> None:
    """readable() factored a 100-symbol difference and printed a 100-symbol quotient term by term."""
    texts: list[str] = []
    assert best_of_three(lambda: texts.append(symcount.compare(chain(60), chain(60, "V")).text())) < 2 * HANG_BOUND
    assert "A - B" in texts[-1]


@pytest.mark.parametrize("answer", ["C_in^999 + C_out^999 + k^999", "k^43 - 7*k^21 + C_in"])
def test_check_of_a_huge_degree_answer_is_not_hung(answer: str, warm: None) -> None:
    verdicts: list[Verdict] = []
    assert best_of_three(lambda: verdicts.append(check("conv2d(C_in=C_in, C_out=C_out, k=k)", answer))) < HANG_BOUND
    assert not verdicts[-1].correct
    assert "Wrong" in verdicts[-1].text()
    assert verdicts[-1].text().splitlines()[0].endswith(  # no slip named, and it says why (never silently)
        "No slip was looked for: the answer has degree above 16, past symcount's algebra budget.")


# ---------------------------------------------------------------------------------- document size


def test_derive_refuses_a_network_too_long_to_write_out_before_counting_it(warm: None) -> None:
    """35,000 batch norms made a 6 MB document in 40 s; count still counts them (its own limit)."""
    text = "network big {\n    input(H=8, W=8, C=4)\n    repeat 35000 {\n        batchnorm()\n    }\n}\n"
    errors: list[SymcountError] = []

    def run() -> None:
        with pytest.raises(SymcountError) as info:
            symcount.derive(text)
        errors.append(info.value)
    assert best_of_three(run) < HANG_BOUND
    err = errors[-1]
    assert err.message == "repeat 35,000 of 1 layers expands to 35,000 layers (limit 2,000)"
    assert (err.line, err.column) == (3, 12) and "a derivation writes out every layer" in (err.hint or "")
    assert symcount.count(text.replace("35000", "3000")).total == 3000 * 8  # the count's limit is its own


def test_the_derivation_limit_also_holds_where_sizing_cannot_tell(warm: None) -> None:
    """Layers made one block call at a time still stop at the derivation's limit, with its hint."""
    text = ("block b(n) {\n    batchnorm()\n}\nnetwork big {\n    input(H=8, W=8, C=4)\n"
            + "    b(n=1)\n" * 2_001 + "}\n")
    with pytest.raises(SymcountError) as info:
        symcount.derive(text)
    assert "2,000 layers" in info.value.message and "a derivation writes out every layer" in (info.value.hint or "")


def test_a_difference_of_many_symbols_with_one_sign_is_still_decided(warm: None) -> None:
    """The strict-sign test shifts and reads coefficients (no factoring): 30 biases more is dearer, for sure."""
    with_bias, without = chain(30), chain(30).replace(")\n", ", bias=false)\n").replace("input(C=W0, bias=false)",
                                                                                    "input(C=W0)")
    assert symcount.compare(with_bias, without).verdict.kind == "dearer"


def test_a_difference_past_the_budget_is_undecided_and_says_so(warm: None) -> None:
    """Never "depends" (a claim that the sign changes) when the analysis stopped at the budget."""
    c = symcount.compare(chain(30), chain(30, "V"))
    assert c.verdict.kind == "undecided"
    assert str(c.verdict).startswith("Which is cheaper was not decided: A - B has 62 symbols (the limit is 10), "
                                     "past symcount's algebra budget")


def test_is_expanded_is_exactly_when_expand_changes_nothing() -> None:
    x, y = sym("x"), sym("y")
    for expr in (x * y + 3 * x + 7, x**3 * y, sympy.Integer(5), x):
        assert budget.is_expanded(expr) and sympy.expand(expr) == expr
    for expr in (x * (y + 1), (x + y) ** 2, sympy.floor(x / 2) * (x + 1), x**-1 * (y + 1)):
        assert not budget.is_expanded(expr)
        assert budget.expanded(expr) == sympy.expand(expr)


def test_a_count_of_thousands_of_symbolic_widths_is_linear(warm: None) -> None:
    """Re-expanding every running total (and sorting a 3,000-symbol sum to print it) made it quadratic."""
    result: list[dict[str, object]] = []
    assert best_of_three(lambda: result.append(count_dict(symcount.count(chain(3_000))))) < 2 * HANG_BOUND
    assert "W2999*W3000" in str(result[-1]["total"])


#: The modules that may call sympy's costly steps directly, each guarding every call by the budget
#: (budget.affordable / too_big) just before it: the budget itself, the sign analysis, the result form.
GUARDED = {"symcount/language/budget.py", "symcount/engine/algebra.py", "symcount/render/formula.py"}
COSTLY = re.compile(r"sympy\.(factor|simplify|cancel|factor_list|factor_terms|solve|solveset)\(|\.real_roots\(")


def test_every_costly_symbolic_step_goes_through_the_budget() -> None:
    """A new sympy.simplify(...) on a count would bring the hangs back: this names where it is."""
    root = Path(symcount.__file__).parent
    found = [f"{path.relative_to(root.parent)}:{n}: {line.strip()}"
             for path in sorted(root.rglob("*.py")) if str(path.relative_to(root.parent)) not in GUARDED
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if COSTLY.search(line)]
    assert not found, "call symcount.language.budget instead:\n" + "\n".join(found)
