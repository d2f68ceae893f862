"""Derivations as LaTeX: an ``aligned`` block per section, or a whole document.

The math of a section is the same string in LaTeX and in markdown (MathJax
and KaTeX read ``aligned`` and ``array``), so markdown imports
:func:`section_math` from here. Variants (with and without bias) sit side by
side in an ``array`` of top-aligned ``aligned`` blocks under their labels.
"""

from __future__ import annotations

from dataclasses import replace

from symcount.render import formula
from symcount.render.document import Column, Document, Row, Section, across, row_lines
from symcount.render.escape import latex_code, latex_comment, latex_text
from symcount.render.style import Style

STANDALONE_PREAMBLE = r"""\documentclass[11pt,fleqn]{article}
\usepackage{amsmath}
\usepackage{booktabs}
\usepackage[a4paper,margin=2.5cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\setlength{\emergencystretch}{3em}
\setlength{\mathindent}{2em}
"""


def _row_latex(row: Row, style: Style, pad: int, columns: int) -> list[str]:
    lhs = formula.latex(row.lhs, style)
    out: list[str] = []
    for i, group in enumerate(row_lines(row, style, columns)):
        parts = []
        for j, step in enumerate(group):
            rhs = formula.latex(step.node, style)
            if step.continues:
                parts.append(rf"&\quad + {rhs}")
            else:
                parts.append(("&= " if j == 0 else "= ") + rhs)
        head = lhs if i == 0 else ""
        out.append(f"{head.ljust(pad)} {' '.join(parts)}")
    if row.note:
        out[-1] += rf" \quad \text{{({latex_text(row.note)})}}"
    return out


def row_inline_latex(row: Row, style: Style) -> str:
    """A row on one line, ``lhs = step = step \\quad \\text{(note)}``: for a row quoted in other math."""
    line = " ".join([formula.latex(row.lhs, style)] + [("+ " if s.continues else "= ") + formula.latex(s.node, style)
                                                        for s in row.steps])
    return line + (rf" \quad \text{{({latex_text(row.note)})}}" if row.note else "")


def aligned(column: Column, style: Style, columns: int = 1, top: bool = False, katex: bool = False,
            height: int = 0) -> str:
    """One column's rows as an ``aligned`` environment (top-aligned when side by side).

    KaTeX has no ``[t]``: it centres the columns standing side by side on each other, so there
    (``katex``) a column is filled with empty lines up to ``height``, the lines of the tallest one,
    and they start level.
    """
    lines = _lines(column, style, columns)
    top = top or columns > 1
    lines += [r"\phantom{0}"] * (height - len(lines)) if katex else []
    body = " \\\\\n".join(lines)
    return f"\\begin{{aligned}}{'[t]' if top and not katex else ''}\n{body}\n\\end{{aligned}}"


def _lines(column: Column, style: Style, columns: int) -> list[str]:
    pad = max(len(formula.latex(r.lhs, style)) for r in column.rows)
    return [line for row in column.rows for line in _row_latex(row, style, pad, columns)]


def section_math(section: Section, style: Style, nested: bool = False, gap: bool = False, katex: bool = False) -> str:
    """The display math of a section (without ``\\[`` or ``$$``).

    Variants stand side by side in pairs when they fit (:func:`across`),
    else one below the other, each under its label; the rows they share
    stand once above or below them. ``nested``: inside that outer array
    (top-aligned, no padding at the left), ``gap`` below a block. ``katex``: math that KaTeX reads too
    (markdown's), so neither ``@{}`` nor an array's ``[t]``, which KaTeX lacks (MathJax and LaTeX have both).
    """
    if section.shared or section.after:  # what all variants share, once, around the variants
        # blocks top-aligned in the cells of one array, a strut opening the gap above each one after the first
        # (an array row absorbs \\[len] into a tall cell's depth); no padding at the left of either array,
        # so the shared rows and the variants start alike
        blocks = [aligned(Column(None, rows), style, top=True, katex=katex) for rows in (section.shared,) if rows]
        blocks.append(section_math(replace(section, shared=(), after=()), style, nested=True, gap=bool(blocks),
                                   katex=katex))
        blocks += [r"\rule{0pt}{4ex}" + aligned(Column(None, rows), style, top=True, katex=katex)
                   for rows in (section.after,) if rows]
        return f"\\begin{{array}}{'{l}' if katex else '{@{}l@{}}'}\n" + " \\\\\n".join(blocks) + "\n\\end{array}"
    columns = section.columns
    if len(columns) == 1 and columns[0].label is None:
        return aligned(columns[0], style, katex=katex)
    n = across(section, style)
    rows = []
    for start in range(0, len(columns), n):
        chunk = columns[start:start + n]
        # an array row absorbs \\[len] into a tall cell's depth, so a strut opens the gap above a label
        strut = r"\rule{0pt}{5ex}" if start or gap else ""
        labels = " & ".join(strut + (r"\qquad" if i else "") + rf"\textit{{{latex_text(c.label or '')}}}"
                            for i, c in enumerate(chunk))
        height = max(len(_lines(c, style, n)) for c in chunk)
        cells = "\n&\n".join((r"\qquad" + "\n" if i else "") + aligned(c, style, n, katex=katex, height=height)
                               for i, c in enumerate(chunk))
        rows.append(f"{labels} \\\\[4pt]\n{cells}")
    body = " \\\\\n".join(rows)
    top = nested and not katex
    return f"\\begin{{array}}{'[t]{@{}' if top else '{'}{'l' * n}{'@{}' if top else ''}}}\n{body}\n\\end{{array}}"


def section_latex(section: Section, style: Style) -> str:
    head = rf"\paragraph{{{latex_text(section.title)}}}"
    if section.code:
        head += rf" \texttt{{{latex_code(section.code)}}}"
    parts = [head]
    if section.columns:
        parts.append("\\[\n" + section_math(section, style) + "\n\\]")
    text = "\n".join(parts)
    notes = "\n\n".join([latex_text(note) for note in section.notes] + where_latex(section, style))
    return f"{text}\n{notes}" if not section.columns and notes else "\n\n".join(filter(None, [text, notes]))


def where_latex(section: Section, style: Style) -> list[str]:
    """The "where" line with its names as math (``$C_{\\text{in}}$: input features``); markdown's too."""
    if not section.where:
        return []
    return ["where " + ", ".join(f"${formula.latex(formula.Sym(name), style)}$: {latex_text(words)}"
                                 for name, words in section.where)]


def render_latex(document: Document, style: Style, standalone: bool = False) -> str:
    """A fragment to paste into notes, or (``standalone``) a document pdflatex compiles."""
    parts = [f"% symcount derivation: {latex_comment(document.title)}"]
    parts += [latex_text(p) for p in document.intro]
    parts.append(rf"{{\small\textit{{Conventions:}} {latex_text(document.conventions)}\par}}")
    parts += [section_latex(s, style) for s in document.sections]
    body = "\n\n".join(parts) + "\n"
    return wrap_standalone(document.title, body) if standalone else body


def wrap_standalone(title: str | None, body: str) -> str:
    """A complete article around fragments: amsmath, booktabs, geometry, nothing else to install.
    Every standalone document symcount writes (derivations, comparisons, verdicts, memory and
    compute reports, exam sheets) has this one preamble."""
    heading = rf"\section*{{{latex_text(title)}}}" + "\n\n" if title else ""
    return f"{STANDALONE_PREAMBLE}\\begin{{document}}\n{heading}{body}\\end{{document}}\n"
