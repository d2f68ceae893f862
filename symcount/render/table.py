"""Summary tables: the row model and its writers as plain text, markdown and LaTeX (booktabs).

The rows are filled from a Count by :mod:`symcount.engine.count`; this module
knows columns and cells, not layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import sympy

from symcount.render.escape import latex_code, latex_text, markdown_code
from symcount.render.latex import latex_value
from symcount.render.numbers import text_value


class Column(str, Enum):
    """The columns a count table can show (the JSON keys of a layer, too)."""

    INDEX = "index"
    NAME = "name"
    KIND = "kind"
    OUTPUT_SHAPE = "output_shape"
    TRAINABLE = "trainable"
    NON_TRAINABLE = "non_trainable"
    BUFFERS = "buffers"
    MACS = "macs"
    FLOPS = "flops"
    ACTIVATIONS = "activations"
    RECEPTIVE_FIELD = "receptive_field"
    JUMP = "jump"
    START = "start"
    TENSORS = "tensors"
    ELEMENTS = "elements"


HEADER_TITLES = {
    Column.INDEX: "#",
    Column.NAME: "name",
    Column.KIND: "kind",
    Column.OUTPUT_SHAPE: "output shape",
    Column.TRAINABLE: "trainable",
    Column.NON_TRAINABLE: "non-trainable",
    Column.BUFFERS: "buffers",
    Column.MACS: "MACs",
    Column.FLOPS: "FLOPs",
    Column.ACTIVATIONS: "activations",
    Column.RECEPTIVE_FIELD: "receptive field",
    Column.JUMP: "jump",
    Column.START: "start",
    Column.TENSORS: "tensors",
    Column.ELEMENTS: "values stored",
}

NUMERIC_COLUMNS = {Column.TRAINABLE, Column.NON_TRAINABLE, Column.BUFFERS, Column.MACS, Column.FLOPS,
                   Column.ACTIVATIONS, Column.TENSORS, Column.ELEMENTS}


@dataclass(frozen=True)
class Table:
    """Rows of cells by column, totals (label, value) and notes in words: all a writer needs."""

    columns: list[Column]
    rows: list[dict[Column, Any]]
    totals: list[tuple[str, Any]]
    notes: list[str]


def _cell(column: Column, value: Any) -> str:
    if column == Column.OUTPUT_SHAPE:
        return text_value(tuple(value)) if value is not None else "-"
    return text_value(value)


def text_table(table: Table, title: str) -> str:
    header = [HEADER_TITLES[c] for c in table.columns]
    body = [[_cell(c, row[c]) for c in table.columns] for row in table.rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (column, cell) in enumerate(zip(table.columns, cells, strict=True)):
            out.append(cell.rjust(widths[i]) if column in NUMERIC_COLUMNS or column == Column.INDEX
                       else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "-" * len(line(header))
    lines = [title, rule, line(header), rule, *(line(r) for r in body), rule]
    label_width = max(len(label) for label, _ in table.totals)
    for label, value in table.totals:
        lines.append(f"{label.ljust(label_width)}  {text_value(value)}")
    lines.append(rule)
    lines += table.notes
    return "\n".join(lines) + "\n"


def markdown_table(table: Table, title: str) -> str:
    header = [HEADER_TITLES[c] for c in table.columns]
    align = ["---:" if c in NUMERIC_COLUMNS or c == Column.INDEX else ":---" for c in table.columns]
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    for row in table.rows:
        cells = [markdown_code(_cell(c, row[c])) for c in table.columns]
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for label, value in table.totals:
        lines.append(f"- {label}: **{text_value(value)}**")
    lines.append("")
    lines += [f"_{n}_" for n in table.notes[:1]] + table.notes[1:]
    return "\n".join(lines) + "\n"


def _latex_number(value: Any) -> str:
    """A count cell: grouped digits as text, anything symbolic in math mode (``$9 \\times C^{2}$``)."""
    text = latex_value(value)
    if isinstance(value, sympy.Basic) and not value.is_Integer and value is not sympy.nan:
        return f"${text}$"
    return text


def latex_table(table: Table, title: str) -> str:
    spec = "".join("r" if c in NUMERIC_COLUMNS or c == Column.INDEX else "l" for c in table.columns)
    lines = [
        "% requires \\usepackage{booktabs}",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(latex_text(HEADER_TITLES[c]) for c in table.columns) + " \\\\",
        "\\midrule",
    ]
    for row in table.rows:
        cells = []
        for c in table.columns:
            if c in NUMERIC_COLUMNS:
                cells.append(_latex_number(row[c]))
            elif c == Column.NAME:
                cells.append(f"\\texttt{{{latex_code(str(row[c]))}}}")
            else:
                cells.append(latex_text(_cell(c, row[c])))
        lines.append(" & ".join(cells) + " \\\\")
    lines.append("\\midrule")
    span = len(table.columns)
    for label, value in table.totals:
        lines.append(f"\\multicolumn{{{span - 1}}}{{l}}{{{latex_text(label)}}} & {_latex_number(value)} \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"
