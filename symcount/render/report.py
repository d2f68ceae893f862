"""A small derivation report (title, lines, assumptions) as text, markdown and LaTeX.

The memory and compute reports are short derivations: each line names a
quantity, says how it is made (``N × 2 B``), and gives its exact value with an
optional gloss (``14.96 GiB``). The report is plain data; this module only lays
it out, and knows nothing about layers or bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.printing.str import StrPrinter

from symcount.render.derivation_latex import wrap_standalone
from symcount.render.escape import latex_text
from symcount.render.latex import latex_value
from symcount.render.numbers import group_digits, text_value


class _GroupedStrPrinter(StrPrinter):  # type: ignore[misc]  # sympy is untyped: its printers are Any to mypy
    """sympy's plain form with grouped digits and ``L^2`` (a report reads like arithmetic)."""

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return group_digits(int(expr))

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if base.is_Symbol and exp.is_Integer and exp > 1:
            return f"{self._print(base)}^{exp}"
        return str(super()._print_Pow(expr, rational))


def value_text(value: Any) -> str:
    """A report value: grouped integers, expressions with grouped coefficients."""
    if isinstance(value, sympy.Expr) and not value.is_Integer and value is not sympy.nan:
        return str(_GroupedStrPrinter({"order": "lex"}).doprint(value))
    return text_value(value)


@dataclass(frozen=True)
class Line:
    """One line: ``label  how = value  gloss``; ``detail`` is an indented sub-line."""

    label: str
    how: str = ""
    how_latex: str = ""
    value: Any = None
    gloss: str = ""
    gloss_latex: str = ""
    detail: str = ""
    rule_above: bool = False


@dataclass(frozen=True)
class Report:
    title: str
    intro: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    notes_title: str = "assumptions"
    notes: list[str] = field(default_factory=list)
    notes_latex: list[str] | None = None


def report_text(report: Report) -> str:
    values = [value_text(line.value) if line.value is not None else "" for line in report.lines]
    w_label = max((len(line.label) for line in report.lines), default=0)
    w_how = max((len(line.how) for line in report.lines), default=0)
    w_value = max((len(v) for v in values), default=0)
    out = [report.title, ""]
    out += [f"  {s}" for s in report.intro]
    if report.intro:
        out.append("")
    width = 0
    body: list[str] = []
    for line, value in zip(report.lines, values, strict=True):
        eq = "=" if line.how and value else " "
        text = f"  {line.label.ljust(w_label)}  {line.how.ljust(w_how)}  {eq} {value.rjust(w_value)}"
        if line.gloss:
            text += f"  {line.gloss}"
        text = text.rstrip()
        width = max(width, len(text))
        if line.rule_above:
            body.append(None)  # type: ignore[arg-type]
        body.append(text)
        if line.detail:
            body.append(" " * (w_label + 4) + line.detail)
    out += [("  " + "-" * (width - 2)) if text is None else text for text in body]
    if report.notes:
        out += ["", f"{report.notes_title}:"]
        out += [f"  - {note}" for note in report.notes]
    return "\n".join(out) + "\n"


def report_markdown(report: Report) -> str:
    out = [f"**{report.title}**", ""]
    out += [f"{s}  " for s in report.intro]
    if report.intro:
        out.append("")
    out += ["| | how | value | |", "|---|---|--:|--:|"]
    for line in report.lines:
        value = value_text(line.value) if line.value is not None else ""
        label = f"**{line.label}**" if line.rule_above else line.label
        how = f"`{line.how}`" if line.how else ""
        out.append(f"| {label} | {how} | {value} | {line.gloss} |")
        if line.detail:
            out.append(f"| | {line.detail} | | |")
    if report.notes:
        out += ["", f"{report.notes_title.capitalize()}:", ""]
        out += [f"- {note}" for note in report.notes]
    return "\n".join(out) + "\n"


#: Labels longer than this (characters) make the label column a paragraph of a third of the line.
MAX_LABEL_CHARS = 32


def report_latex(report: Report, standalone: bool = False) -> str:
    """A booktabs ``longtable`` of the lines (it breaks across pages; no column that every line
    leaves empty) and an itemized list of the assumptions, set ragged right so that long names in
    them break between words instead of running into the margin."""
    glossed = any(line.gloss or line.gloss_latex for line in report.lines)
    span = 3 if glossed else 2
    # a label longer than about a third of the line (a dotted layer name) is a paragraph that breaks
    narrow = max((len(line.label.strip()) for line in report.lines), default=0) > MAX_LABEL_CHARS
    rows = []
    for line in report.lines:
        if line.rule_above:
            rows.append(r"\midrule")
        value = latex_value(line.value) if line.value is not None else ""
        how = f"${line.how_latex}$" if line.how_latex else latex_text(line.how)
        label = latex_text(line.label.strip())
        if narrow:
            label = r"\raggedright " + label.replace(".", r".\allowbreak{}")
        if line.label.startswith(" "):
            label = r"\quad " + label
        cells = [label, how, f"${value}$"] + ([line.gloss_latex or latex_text(line.gloss)] if glossed else [])
        rows.append(" & ".join(cells) + r" \\")
        if line.detail:
            # under its line, across the whole table: a long label beside it would push it off the page
            rows.append(rf"\multicolumn{{{span + 1}}}{{@{{}}p{{\linewidth}}@{{}}}}{{\leftskip=2em\raggedright"
                        rf"\footnotesize {latex_text(line.detail)}\par}} \\")
    body = [
        rf"\noindent\textbf{{{latex_text(report.title)}}}\par",
        *[r"\noindent " + latex_text(s) + r"\par" for s in report.intro],
        r"\begin{longtable}{@{}" + (r"p{0.35\linewidth}" if narrow else "l") + "lr" + ("r" if glossed else "") + "@{}}",
        r"\toprule",
        *rows,
        r"\bottomrule",
        r"\end{longtable}",
    ]
    if report.notes:
        notes = report.notes_latex if report.notes_latex is not None else [latex_text(n) for n in report.notes]
        body += [rf"\noindent {latex_text(report.notes_title.capitalize())}:", r"\begin{itemize}\raggedright",
                 *[rf"\item {n}" for n in notes], r"\end{itemize}"]
    text = "\n".join(body) + "\n"
    if standalone:
        text = wrap_standalone(None, text)
    return text
