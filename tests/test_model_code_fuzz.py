"""Mutated model code: every outcome is a count or a SymcountError placed in the code.

The corpus of ``tests/model_code/`` with lines deleted, duplicated or swapped, numbers changed and
the file cut short is read as ``symcount count model.py`` reads it. Anything but a Count or a
:class:`~symcount.SymcountError` (TypeError, KeyError, RecursionError, ...) fails the test: it
would reach the user as a traceback. An error about a place must name a place that exists in the
code the user gave, and never one in the description the code was read as, which the user never
wrote. Hypothesis shrinks a failure to the smallest mutation that shows it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount import Count, SymcountError
from symcount.counting import PythonCode, describe
from symcount.engine.count import count_dict

CODE = Path(__file__).parent / "model_code"
CORPUS = {path.name: path.read_text(encoding="utf-8") for path in sorted(CODE.glob("*.py"))}

#: 150 examples per test, the same ones every run; SYMCOUNT_FUZZ=5000 explores 5,000 new ones.
_DEEP = int(os.environ.get("SYMCOUNT_FUZZ", "0"))
FUZZ = settings(max_examples=_DEEP or 150, deadline=None, derandomize=not _DEEP,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
NUMBERS = st.one_of(st.sampled_from(["0", "1", "-1", "2", "3", "0.5", "1e400", "10**9", "2**4000", "None", "'x'"]),
                    st.integers(min_value=0, max_value=5000).map(str))


@st.composite
def mutated_code(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, its code with one to three mistakes)."""
    name = draw(st.sampled_from(sorted(CORPUS)))
    lines = CORPUS[name].split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "number", "truncate", "dedent"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "number":
            candidates = [n for n, line in enumerate(lines) if _NUMBER.search(line)]
            if candidates:
                n = draw(st.sampled_from(candidates))
                spots = list(_NUMBER.finditer(lines[n]))
                spot = spots[draw(st.integers(min_value=0, max_value=len(spots) - 1))]
                lines[n] = lines[n][:spot.start()] + draw(NUMBERS) + lines[n][spot.end():]
        elif action == "truncate":
            text = "\n".join(lines)
            cut = draw(st.integers(min_value=0, max_value=len(text)))
            lines = text[:cut].split("\n")
        else:
            lines[i] = lines[i].lstrip()
    return name, "\n".join(lines)


def check(code: str, convention: str) -> Count | SymcountError:
    """Count the code; only a Count or a SymcountError placed in this code may come out."""
    try:
        result = symcount.count(PythonCode(code), convention=convention)
    except SymcountError as err:
        shown = str(err)  # the message itself must render
        assert "(as read)" not in shown, f"an error placed in the description, not the code:\n{shown}"
        if err.pos.line:
            assert err.source == code, shown
            assert 1 <= err.pos.line <= len(code.split("\n")), shown
            assert err.source_line() is not None, shown
        return err
    for value in (result.total, result.trainable, result.non_trainable, result.buffers):
        str(value)
    json.dumps(count_dict(result))
    return result


@FUZZ
@given(mutated_code(), st.sampled_from(["pytorch", "keras"]))
def test_mutated_model_code(case: tuple[str, str], convention: str) -> None:
    check(case[1], convention)


@FUZZ
@given(mutated_code())
def test_mutated_model_code_describes_or_says_where(case: tuple[str, str]) -> None:
    """``symcount describe`` on the same code: a description that counts, or a placed error."""
    code = case[1]
    try:
        text = describe(PythonCode(code))
    except SymcountError as err:
        str(err)
        if err.pos.line:
            assert 1 <= err.pos.line <= len(code.split("\n")), str(err)
        return
    assert isinstance(text, str) and text.startswith("# read from")


def test_the_unmutated_corpus_counts() -> None:
    """The seeds themselves all count (a mutation test whose seeds fail tests nothing)."""
    for name, code in CORPUS.items():
        assert isinstance(check(code, "keras" if name.startswith("keras") else "pytorch"), Count), name
