"""Derivations as LaTeX: an ``aligned`` block per section, or a whole document.

The math of a section is the same string in LaTeX and in markdown (plain
``aligned``, which KaTeX and MathJax 3 render), so markdown imports
:func:`section_parts` and :func:`aligned` from here. Variants (with and
without bias) stand one below the other, each under its label.
"""

from __future__ import annotations

import re
import textwrap

from symcount.render import formula, table
from symcount.render.document import CODE_MARK, SUMMARY_TITLE, Column, Document, Row, Section, row_lines
from symcount.render.escape import latex_code, latex_comment, latex_text
from symcount.render.style import Style

STANDALONE_PREAMBLE = r"""\documentclass[11pt,fleqn]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath}
\usepackage{booktabs}
\usepackage{longtable}
\usepackage[a4paper,margin=2.5cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\setlength{\emergencystretch}{3em}
\setlength{\mathindent}{2em}
"""


#: A dot inside a dotted name (``torchvision.models.alexnet``): a place the line may break.
_DOTTED = re.compile(r"(?<=[A-Za-z])\.(?=[A-Za-z\\])")
#: A row's last line and its note longer than this (characters of their text form) put the note below.
NOTE_LINE = 80
#: A note on lines of its own wraps at this many characters (DeepSeek's 76-character note on
#: kv_a_proj_with_mqa ran 3.9pt into the margin after the left-hand side).
NOTE_OWN_LINE = 64
#: A run-in heading and its call longer than this (characters) put the call on the next line.
HEADING_CHARS = 70


def _row_latex(row: Row, style: Style, pad: int, columns: int) -> list[str]:
    lhs = formula.latex(row.lhs, style)
    out: list[str] = []
    groups = row_lines(row, style, columns)
    for i, group in enumerate(groups):
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
        last = len(formula.text(row.lhs, style)) + sum(len(formula.text(s.node, style)) + 3 for s in groups[-1])
        if last + len(row.note) <= NOTE_LINE:
            out[-1] += rf" \quad \text{{({latex_text(row.note)})}}"
        else:  # a note that would push its line off the page goes on lines of its own, under the value
            out[-1] += "".join(rf" \\ {' ' * pad} &\quad \text{{{latex_text(piece)}}}"
                               for piece in _note_lines(f"({row.note})"))
    return out


def _note_lines(note: str) -> list[str]:
    """A note cut into lines of about equal length, none over :data:`NOTE_OWN_LINE` characters
    (no last line holding a lone word)."""
    lines = -(-len(note) // NOTE_OWN_LINE)
    return textwrap.wrap(note, min(NOTE_OWN_LINE, len(note) // lines + 8))


def row_inline_latex(row: Row, style: Style) -> str:
    """A row on one line, ``lhs = step = step \\quad \\text{(note)}``: for a row quoted in other math."""
    line = " ".join([formula.latex(row.lhs, style)] + [("+ " if s.continues else "= ") + formula.latex(s.node, style)
                                                        for s in row.steps])
    return line + (rf" \quad \text{{({latex_text(row.note)})}}" if row.note else "")


def aligned(column: Column, style: Style) -> str:
    """One column's rows as an ``aligned`` environment (no optional alignment argument: KaTeX prints it)."""
    pad = max(len(formula.latex(r.lhs, style)) for r in column.rows)
    lines = [line for row in column.rows for line in _row_latex(row, style, pad, 1)]
    body = " \\\\\n".join(lines)
    return f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}"


#: The label of the rows every variant shares when they stand after the variants.
AFTER_LABEL = "in every variant"


def section_parts(section: Section) -> list[tuple[str | None, Column]]:
    """The displays of a section, one below the other, each with its label (None: no label).

    One rule for every section of every document: variants are stacked, never
    side by side, so a section is as wide as its widest formula (long rows
    already break before every ``=``) and the math needs no array of
    top-aligned blocks (``aligned[t]`` prints "[t]" in KaTeX, ``@{}`` is an
    error there). The rows all variants share stand once, before the first
    label (or after the last, labelled :data:`AFTER_LABEL`).
    """
    parts: list[tuple[str | None, Column]] = [(None, Column(None, section.shared))] if section.shared else []
    parts += [(c.label, c) for c in section.columns]
    if section.after:
        parts.append((AFTER_LABEL, Column(None, section.after)))
    return parts


def section_latex(section: Section, style: Style) -> str:
    if section.heading:
        # dotted layer names may break after a dot (they have no hyphenation points)
        title = latex_text(section.title).replace(".", r".\allowbreak{}")
        return rf"\subsection*{{{title}}}"
    head = rf"\paragraph{{{latex_text(section.title)}}}"
    if section.code:
        # a heading and a call that do not fit one line: the call on a line of its own (typewriter
        # spaces do not stretch, so the break would push the line into the margin)
        apart = len(section.title) + len(section.code) > HEADING_CHARS
        code = rf"\texttt{{{latex_code(section.code)}}}"
        head += rf"\mbox{{}}\\{{\raggedright{code}\par}}" if apart else " " + code
    displays = section_parts(section) if section.columns else []
    if displays and displays[0][0] is not None and not section.code:
        head += r"\mbox{}"  # else the run-in heading waits for the first label's paragraph and runs into it
    parts = [head]
    for label, column in displays:
        # a blank line first: the label is a paragraph of its own, never run into the heading
        label_line = "\n" + rf"\textit{{{latex_text(label)}}}" + "\n" if label is not None else ""
        parts.append(label_line + "\\[\n" + aligned(column, style) + "\n\\]")
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
    parts += [rf"{{\raggedright\texttt{{{latex_code(p.strip())}}}\par}}" if p.startswith(CODE_MARK)
              else _DOTTED.sub(r".\\allowbreak{}", latex_text(p)) for p in document.intro]
    parts.append(rf"{{\small\textit{{Conventions:}} {latex_text(document.conventions)}\par}}")
    if document.summary is not None:
        parts.append(rf"\subsection*{{{SUMMARY_TITLE}}}" + "\n" + table.latex_table(document.summary, SUMMARY_TITLE))
    parts += [section_latex(s, style) for s in document.sections]
    body = "\n\n".join(parts) + "\n"
    return wrap_standalone(document.title, body) if standalone else body


def wrap_standalone(title: str | None, body: str) -> str:
    """A complete article around fragments: T1 Latin Modern, amsmath, booktabs, geometry (TeX Live and lmodern).
    Every standalone document symcount writes (derivations, comparisons, verdicts, memory and
    compute reports, exam sheets) has this one preamble."""
    heading = rf"\section*{{{latex_text(title)}}}" + "\n\n" if title else ""
    return f"{STANDALONE_PREAMBLE}\\begin{{document}}\n{heading}{body}\\end{{document}}\n"
