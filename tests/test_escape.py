"""The one escaper per format: what each special character becomes (render/escape.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import needs
import pytest

from symcount.render.derivation_latex import wrap_standalone
from symcount.render.escape import (
    ESCAPERS,
    LATEX_TEXT,
    html_text,
    latex_code,
    latex_text,
    markdown_code,
    markdown_text,
)

#: The issue's example: the old LaTeX escapers disagreed on it.
MIXED = "a−b ≥ c<d | x~y^z ³"


def test_latex_text_of_the_issue_example() -> None:
    assert latex_text(MIXED) == (r"a$-$b $\geq$ c\textless{}d \textbar{} "
                                 r"x\textasciitilde{}y\textasciicircum{}z \textsuperscript{3}")


@pytest.mark.parametrize(("text", "tex"), [
    ("50% of #1 & $2", r"50\% of \#1 \& \$2"),
    ("C_in {x}", r"C\_in \{x\}"),
    (r"a\b", r"a\textbackslash{}b"),
    ("3 × 3 · 2 → 1", r"3 $\times$ 3 $\cdot$ 2 $\to$ 1"),
    ("a ≤ b ≠ c ≈ d", r"a $\leq$ b $\neq$ c $\approx$ d"),
    ("k² C³", r"k\textsuperscript{2} C\textsuperscript{3}"),
    ("2–3 — so", "2--3 --- so"),
    ('the "same" one', "the ``same'' one"),
    ("1 GiB = 2^30 bytes", "1 GiB = $2^{30}$ bytes"),
    ("x > y", r"x \textgreater{} y"),
])
def test_latex_text(text: str, tex: str) -> None:
    assert latex_text(text) == tex


def test_latex_code_keeps_quotes_and_carets_as_typed() -> None:
    assert latex_code('f("a_b", 2^3)') == r'f("a\_b", 2\textasciicircum{}3)'


def test_every_ascii_special_of_latex_is_in_the_table() -> None:
    assert set("\\{}#$%&_~^<>|") <= set(LATEX_TEXT)


def test_markdown_text() -> None:
    assert markdown_text(MIXED) == r"a−b ≥ c\<d \| x~y^z ³"
    assert markdown_text("*a* _b_ `c` [d] #e $f$ {g}") == r"\*a\* \_b\_ \`c\` \[d\] \#e \$f\$ \{g\}"
    assert markdown_text(r"a\b") == r"a\\b"


def test_markdown_code_and_html() -> None:
    assert markdown_code("a|b_c") == r"a\|b_c"
    assert html_text("a < b & c > d") == "a &lt; b &amp; c &gt; d"


def test_registry_of_escapers() -> None:
    assert ESCAPERS["text"](MIXED) == MIXED
    assert ESCAPERS["latex"] is latex_text
    assert ESCAPERS["markdown"] is markdown_text


def test_every_escaped_character_compiles(tmp_path: Path) -> None:
    pdflatex = needs.tool("pdflatex")
    text = "".join(LATEX_TEXT) + ' "quoted" 2^30 ' + MIXED
    body = latex_text(text) + "\n\n\\texttt{" + latex_code(text) + "}\n"
    (tmp_path / "escape.tex").write_text(wrap_standalone("escapes", body), encoding="utf-8")
    run = subprocess.run([pdflatex, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "escape.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_code_keeps_two_hyphens_and_prose_keeps_its_dashes() -> None:
    """``--set`` in ``\\texttt`` is two hyphens (no en-dash ligature); prose keeps ``--`` for an en dash."""
    assert latex_code("--set k=3") == "-{}-{}set k=3"
    assert latex_text("a – b") == "a -- b"
