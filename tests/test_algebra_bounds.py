"""Generated descriptions with many symbols and deep algebra, and hostile answers: every verb ends
(exit 0, or 2 with a message; check may say 1, wrong) and is not hung.

Timed only as "not hung": best of three runs against a generous bound (a hang fails every try, a busy
machine only some); how fast belongs to bench/. Before the algebra budget these inputs took sympy
from 10 s to minutes (factoring 60 widths, sorting 5,000, expanding a degree-43 answer).
"""

from __future__ import annotations

import contextlib
import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.cli.main import main as cli_main

#: Generous: an idle machine takes well under a second in-process; a busy one a few times that.
HANG_BOUND = 8.0


def run_cli(argv: list[str]) -> tuple[int, float, str]:
    """Exit status, best time of up to three runs, and what went to stderr."""
    times, code, err = [], -1, ""
    for _ in range(3):
        out, errors = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errors):
            try:
                code = cli_main(argv)
            except SystemExit as exit_:  # argparse refusing an option
                code = int(exit_.code or 0)
        times.append(time.perf_counter() - start)
        err = errors.getvalue()
        if times[-1] < HANG_BOUND:
            break
    return code, min(times), err


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    symcount.count("relu()")


#: The form of layer j's width, always in a symbol of its own (Wj), so n layers have n independent
#: symbols: the symbol alone, times another, plus a number, a small power of a sum with another.
FORMS = st.sampled_from(["W{j}", "W{j}*W{o}", "W{j} + {c}", "(W{j} + W{o})^{p}"])


@st.composite
def network(draw: st.DrawFn, name: str = "n") -> str:
    """A chain of 20-120 layers whose widths are independent symbols and small polynomials of them."""
    n = draw(st.integers(20, 120))
    lines = []
    for j in range(1, n + 1):
        form = draw(FORMS)
        w = form.format(j=j, o=draw(st.integers(0, n)), c=draw(st.integers(1, 9)), p=draw(st.integers(2, 3)))
        kind = draw(st.sampled_from(["linear", "linear", "nobias", "layernorm"]))
        lines.append(f"    linear(C_out={w})" if kind == "linear" else
                     f"    layernorm(C={w})" if kind == "layernorm" else f"    linear(C_out={w}, bias=false)")
    return f"network {name} {{\n    input(C=W0)\n" + "\n".join(lines) + "\n}\n"


EXPECTED = {0, 2}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=network(), verb=st.sampled_from(["derive", "count-json", "count"]))
def test_many_symbols_end_quickly(text: str, verb: str) -> None:
    argv = ["count", text, "--format", "json"] if verb == "count-json" else [verb, text]
    code, seconds, err = run_cli(argv)
    assert code in EXPECTED, err[-500:]
    assert "Traceback" not in err
    assert seconds < HANG_BOUND, (verb, seconds)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(a=network("a"), b=network("b"))
def test_comparing_many_symbols_ends_quickly(a: str, b: str) -> None:
    code, seconds, err = run_cli(["compare", a, b])
    assert code in EXPECTED, err[-500:]
    assert seconds < 2 * HANG_BOUND, seconds


#: Hostile answers: high powers, wide powers of sums, huge numbers, deep nesting, many names.
answer = st.one_of(
    st.tuples(st.integers(20, 999), st.integers(20, 999), st.integers(20, 999)).map(
        lambda p: f"C_in^{p[0]} + C_out^{p[1]} + k^{p[2]}"),
    st.integers(10, 60).map(lambda n: f"(C_in + C_out + k)^{n}"),
    st.integers(20, 60).map(lambda n: f"k^{n} - 3*k^{n // 2} + C_in*C_out"),
    st.integers(50, 400).map(lambda n: "(" * n + "k" + ")" * n),
    st.integers(100, 4000).map(lambda n: "9" * n),
    st.integers(2, 40).map(lambda n: " + ".join(f"x{i}^{i + 1}" for i in range(n))),
    st.integers(2, 30).map(lambda n: "*".join(["(C_in + k)"] * n)),
)


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(given_answer=answer)
def test_hostile_check_answers_end_quickly(given_answer: str) -> None:
    code, seconds, err = run_cli(["check", "conv2d(C_in=C_in, C_out=C_out, k=k)", "--answer", given_answer])
    assert code in {0, 1, 2}, err[-500:]
    assert "Traceback" not in err
    assert seconds < HANG_BOUND, (given_answer[:80], seconds)
