"""The shape of a derivation, as the renderers see it: sections of equation rows.

A derivation is built (by :mod:`symcount.derivation`, which knows layers)
into this neutral model; the LaTeX, markdown and text renderers only lay out
rows of formula trees (:mod:`symcount.formula`) and never ask what a layer
is. Keeping the decisions that all formats share here (when a row is too
long for one line, how a column is labelled) makes the three outputs agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symcount import formula
from symcount.formula import Node, Style

#: A row whose one-line text form is longer than this puts each step on its own line.
ONE_LINE_LIMIT = 60
#: The same for a row in one of several columns side by side.
SIDE_BY_SIDE_LIMIT = 40


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


@dataclass(frozen=True)
class Document:
    title: str
    intro: tuple[str, ...]  # paragraphs of the problem statement
    conventions: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


def is_long(row: Row, style: Style, columns: int = 1) -> bool:
    """Whether a row breaks before every ``=`` (decided on its text form, for every format).

    Side by side, each column gets its share of the line.
    """
    if any(step.continues for step in row.steps):
        return True
    width = len(formula.text(row.lhs, style)) + sum(len(formula.text(s.node, style)) + 3 for s in row.steps)
    return width > (ONE_LINE_LIMIT if columns <= 1 else SIDE_BY_SIDE_LIMIT)


def row_lines(row: Row, style: Style, columns: int = 1) -> list[list[Step]]:
    """The steps of a row grouped by output line."""
    if is_long(row, style, columns):
        return [[step] for step in row.steps]
    return [list(row.steps)]
