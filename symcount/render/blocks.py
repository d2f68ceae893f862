"""Small format-neutral blocks that teaching modules hand over: labelled math lines, display math, tables.

A comparison, a verdict and an exam solution all show rows of ``label  math``
(aligned text in a terminal, an ``aligned`` block in markdown and LaTeX) and
small tables of cases; the teaching modules build the rows and these writers
lay them out, so the choice of format is made here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from symcount.render.escape import latex_text
from symcount.render.style import Style


def display(body: str, style: Style) -> str:
    """Display math: ``$$ ... $$`` in markdown, ``\\[ ... \\]`` in LaTeX (text has none: as is)."""
    if style.name == "markdown":
        return "$$\n" + body + "\n$$"
    if style.name == "latex":
        return "\\[\n" + body + "\n\\]"
    return body


def aligned(lines: Sequence[str]) -> str:
    """An ``aligned`` environment of lines that already hold their ``&``."""
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def labelled_lines(rows: Sequence[tuple[str, str]], style: Style, indent: str = "") -> str:
    """``label  math`` rows: labels padded in text, ``\\text{label} &\\quad math`` in display math."""
    if not style.math:
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{indent}{label.ljust(width)}  {math}" for label, math in rows)
    lines = []
    for label, math in rows:
        first, *rest = broken_chain(math)
        lines.append(rf"\text{{{latex_text(label)}}} &\quad {first}")
        lines += [rf"&\quad = {step}" for step in rest]
    return display(aligned(lines), style)


#: A chain of math longer than this many printed characters (commands and braces left out) is broken
#: before each of its ``=``: about what a line of an A4 page holds beside its label.
MAX_MATH_CHARS = 60
_COMMAND = re.compile(r"\\[a-zA-Z]+|[{}&]")


def printed_length(math: str) -> int:
    """About how many characters a piece of LaTeX math prints (its commands and braces left out)."""
    return len(_COMMAND.sub("", math))


def broken_chain(math: str) -> list[str]:
    """A long ``formula = values = value`` chain as its steps (one a line), a short one whole."""
    if printed_length(math) <= MAX_MATH_CHARS:
        return [math]
    return math.split(" = ")


def small_table(header: Sequence[str], rows: Sequence[Sequence[str]], style: Style, align: str) -> str:
    """A small table: aligned text, a markdown pipe table, or a booktabs tabular (``align``: l, c, r per column)."""
    if style.name == "markdown":
        marks = [{"r": "---:", "c": ":---:"}.get(c, ":---") for c in align]
        lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    if style.name == "latex":
        lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(header) + r" \\", r"\midrule"]
        lines += [" & ".join(row) + r" \\" for row in rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines) + "\n"
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w)
                         for c, w, a in zip(cells, widths, align, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + "\n"
