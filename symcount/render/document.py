"""The shape of a derivation, as the renderers see it: sections of equation rows.

A derivation is built (by :mod:`symcount.teaching.derivation`, which knows layers)
into this neutral model; the LaTeX, markdown and text renderers only lay out
rows of formula trees (:mod:`symcount.render.formula`) and never ask what a layer
is. Keeping the decisions that all formats share here (when a row is too
long for one line, how a column is labelled) makes the three outputs agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symcount.render import formula, table
from symcount.render.formula import Node
from symcount.render.style import Style

#: A row whose one-line text form is longer than this puts each step on its own line.
ONE_LINE_LIMIT = 60
#: The same for a row in one of several columns side by side.
SIDE_BY_SIDE_LIMIT = 40
#: A note in words may stretch a one-line row to this multiple of the limit.
NOTE_ALLOWANCE = 1.5
#: Variants stand side by side (in pairs) only if their text forms fit in this many characters
#: (the LSTM PyTorch | Keras pair, 86, ran 23pt into the margin of an A4 page in LaTeX).
SIDE_BY_SIDE_WIDTH = 82
#: Variants per row when side by side.
PER_ROW = 2


@dataclass(frozen=True)
class Step:
    """One right-hand side: ``= node``, or ``+ node`` when it continues a long sum."""

    node: Node
    continues: bool = False


@dataclass(frozen=True)
class Row:
    """``lhs = step = step = ...`` with an optional note in words."""

    lhs: Node
    steps: tuple[Step, ...]
    note: str | None = None


@dataclass(frozen=True)
class Column:
    """One variant of a section (``with bias``), or the only one (label None)."""

    label: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    """A titled group of columns (a layer, or the total) with notes in words."""

    title: str
    code: str | None
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()
    #: rows every variant shares, shown once above the columns ...
    shared: tuple[Row, ...] = ()
    #: ... and below them
    after: tuple[Row, ...] = ()
    #: what the names of the formulas stand for: (name, words), said in a "where" line
    where: tuple[tuple[str, str], ...] = ()
    #: a heading that opens a part of the document (a network's stage), with no rows of its own
    heading: bool = False


#: An intro paragraph that starts with this is code (a command the statement quotes): set as code.
CODE_MARK = "    "

#: The heading of a long document's overview table.
SUMMARY_TITLE = "Summary"


@dataclass(frozen=True)
class Document:
    title: str
    intro: tuple[str, ...]  # paragraphs of the problem statement
    conventions: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    #: a long document's overview before its sections: one row per top-level block or stage
    summary: table.Table | None = None


def where_text(section: Section, style: Style) -> str | None:
    """``where H: hidden size (hidden), n: stacked layers``, or None."""
    if not section.where:
        return None
    return "where " + ", ".join(f"{formula.text(formula.Sym(name), style)}: {words}" for name, words in section.where)


def is_long(row: Row, style: Style, columns: int = 1) -> bool:
    """Whether a row breaks before every ``=`` (decided on its text form, for every format).

    Side by side, each column gets its share of the line.
    """
    if any(step.continues for step in row.steps):
        return True
    width = len(formula.text(row.lhs, style)) + sum(len(formula.text(s.node, style)) + 3 for s in row.steps)
    limit = ONE_LINE_LIMIT if columns <= 1 else SIDE_BY_SIDE_LIMIT
    with_note = width + (len(row.note) + 5 if row.note else 0)
    return width > limit or with_note > limit * NOTE_ALLOWANCE


#: A step whose text is longer than this (characters) is a sum broken across lines, ``+`` first: about
#: what an A4 line holds after the left-hand side.
WIDE_STEP = 72


def wide_step_parts(step: Step, style: Style) -> list[Step]:
    """A step too wide for a line, cut between the terms of its sum (before a ``+``, never a ``−``):
    the first part keeps its ``=``, the others continue with ``+``."""
    node = step.node
    if not isinstance(node, formula.Sum) or len(formula.text(node, style)) <= WIDE_STEP:
        return [step]
    parts: list[list[formula.Term]] = [[]]
    for term in node.terms:
        candidate = formula.Sum(tuple(parts[-1] + [term]))
        if parts[-1] and term.sign > 0 and len(formula.text(candidate, style)) > WIDE_STEP * 3 // 4:
            parts.append([term])
        else:
            parts[-1].append(term)
    return [Step(formula.Sum(tuple(p)) if len(p) > 1 else p[0].node, continues=step.continues or k > 0)
            for k, p in enumerate(parts)]


def row_lines(row: Row, style: Style, columns: int = 1) -> list[list[Step]]:
    """The steps of a row grouped by output line (a step too wide for one line is cut into several)."""
    steps = [part for step in row.steps for part in wide_step_parts(step, style)]
    if len(steps) > len(row.steps) or is_long(row, style, columns):
        return [[step] for step in steps]
    return [steps]


def row_text(row: Row, style: Style, pad: int, columns: int = 1) -> list[str]:
    """A row as plain-text lines, the left sides right-aligned to ``pad``."""
    lhs = formula.text(row.lhs, style)
    out: list[str] = []
    for i, group in enumerate(row_lines(row, style, columns)):
        parts = []
        for step in group:
            rhs = formula.text(step.node, style)
            parts.append(f"    + {rhs}" if step.continues else f"= {rhs}")
        head = lhs if i == 0 else ""
        out.append(f"{head.rjust(pad)} {' '.join(parts)}")
    if row.note:
        out[-1] += f"   ({row.note})"
    return out


def row_inline_text(row: Row, style: Style) -> str:
    """A row on one line, ``lhs = step = step   (note)``: for a row quoted inside other text."""
    line = " ".join([formula.text(row.lhs, style)] + [("+ " if s.continues else "= ") + formula.text(s.node, style)
                                                       for s in row.steps])
    return f"{line}   ({row.note})" if row.note else line


def column_text(column: Column, style: Style, columns: int = 1) -> list[str]:
    """A column as plain-text lines, with its label first."""
    pad = max(len(formula.text(r.lhs, style)) for r in column.rows)
    lines = [line for row in column.rows for line in row_text(row, style, pad, columns)]
    return ([f"{column.label}:"] if column.label else []) + lines


def across(section: Section, style: Style) -> int:
    """How many variants stand side by side: a pair if every pair fits, else one (stacked).

    Decided on the text forms, so LaTeX, markdown and text lay a section out alike.
    """
    columns = section.columns
    if len(columns) <= 1:
        return 1
    for start in range(0, len(columns), PER_ROW):
        chunk = columns[start:start + PER_ROW]
        widths = [max(len(line) for line in column_text(c, style, PER_ROW)) for c in chunk]
        if sum(widths) + 4 * (len(chunk) - 1) > SIDE_BY_SIDE_WIDTH:
            return 1
    return min(PER_ROW, len(columns))
