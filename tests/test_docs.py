"""The examples in docs/language.md and docs/llm.md count, and count to what the pages say.

Each ```sc block is a description; ``#:`` comment lines in it state the
answer (``#: total = 61,706``, symbolic answers allowed) and the options
(``#: network = b``, ``#: convention = keras``, ``#: set C = 32``). Each
```sc-error block must fail with the ``#: error = ...`` message. A page whose
examples stop counting, or count to something else, fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.language.parse import parse_expression
from symcount.language.values import Env, evaluate

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = ROOT / "docs" / "language.md"
LLM = ROOT / "docs" / "llm.md"
FENCE = re.compile(r"^```(sc|sc-error)\n(.*?)^```", re.S | re.M)
DIRECTIVE = re.compile(r"^\s*#:\s*(set\s+)?(\w+)\s*=\s*(.+?)\s*$")
COUNTS = ("total", "trainable", "non_trainable", "buffers")


@dataclass
class Example:
    """One fenced example and what the page claims about it."""

    source: str
    line: int
    fails: bool
    expect: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    page: str = "language.md"

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def examples(path: Path = LANGUAGE) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        example = Example(match.group(2), text.count("\n", 0, match.start()) + 1, match.group(1) == "sc-error",
                          page=path.name)
        for line in match.group(2).splitlines():
            directive = DIRECTIVE.match(line)
            if directive:
                is_set, key, value = directive.groups()
                (example.values if is_set else example.expect)[key] = value
        found.append(example)
    return found


def expected_value(text: str) -> sympy.Expr:
    """An answer as the page writes it: digit groups allowed, parsed by symcount's own grammar."""
    return evaluate(parse_expression(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)), Env())


EXAMPLES = examples()
LLM_EXAMPLES = examples(LLM)


def test_the_page_has_examples_with_answers() -> None:
    assert len(EXAMPLES) >= 20
    assert all(e.expect for e in EXAMPLES), [e.id for e in EXAMPLES if not e.expect]
    assert sum(e.fails for e in EXAMPLES) >= 2


def test_the_llm_page_has_examples_with_answers() -> None:
    assert len(LLM_EXAMPLES) >= 3
    assert all(e.expect for e in LLM_EXAMPLES), [e.id for e in LLM_EXAMPLES if not e.expect]


@pytest.mark.parametrize("example", EXAMPLES + LLM_EXAMPLES, ids=lambda e: e.id)
def test_example(example: Example) -> None:
    options = {k: example.expect[k] for k in ("network", "convention") if k in example.expect}
    if example.fails:
        with pytest.raises(SymcountError) as info:
            symcount.count(example.source, values=example.values, **options)
        assert info.value.message == example.expect["error"]
        return
    result = symcount.count(example.source, values=example.values, **options)
    checked = [key for key in COUNTS if key in example.expect]
    assert checked, f"{example.id}: say what it counts to"
    for key in checked:
        got, want = getattr(result, key), expected_value(example.expect[key])
        assert sympy.simplify(got - want) == 0, f"{example.id}: {key} is {got}, the page says {want}"


def test_every_statement_keyword_is_documented() -> None:
    text = LANGUAGE.read_text(encoding="utf-8")
    for keyword in ("network", "block", "let", "repeat", "if", "else", "residual", "shortcut", "parallel",
                    "branch", "input", "tied", "trainable", "--set", "convention"):
        assert f"`{keyword}" in text, keyword
