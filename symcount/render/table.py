"""Summary tables: the row model and its writers as plain text, markdown and LaTeX (booktabs).

The rows are filled from a Count by :mod:`symcount.engine.count`; this module
knows columns and cells, not layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import sympy

from symcount.render.escape import html_text, latex_code, latex_text, markdown_cell, markdown_code
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
    PARAMS = "params"
    SUBTOTAL = "subtotal"


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
    Column.PARAMS: "params",
    Column.SUBTOTAL: "subtotal",
}

#: The line a standalone document gives a table (A4, 2.5 cm margins, in pt): past it the name column
#: becomes a paragraph that fills what the line leaves.
LINE_WIDTH_PT = 453.0

NUMERIC_COLUMNS = {Column.TRAINABLE, Column.NON_TRAINABLE, Column.BUFFERS, Column.MACS, Column.FLOPS,
                   Column.ACTIVATIONS, Column.TENSORS, Column.ELEMENTS, Column.PARAMS, Column.SUBTOTAL}


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
        cells = [markdown_cell(_cell(c, row[c])) for c in table.columns]
        cells[1] = f"`{markdown_code(_cell(table.columns[1], row[table.columns[1]]))}`"
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


#: The widths of a character of the table's type (pt) at ``\small`` (10 pt) and ``\footnotesize`` (9 pt):
#: Latin Modern's typewriter is 0.525 em a character, its roman about 0.5 em. An estimate that decides
#: only the type size and where a name may break.
_EM_PT = {"small": 10.0, "footnotesize": 9.0}
_TT_EM = 0.525
_ROMAN_EM = 0.5
#: ``\tabcolsep`` in the table (pt), on each side of every column.
_COLSEP_PT = 4.0
#: What the name column keeps at least when the others are wide (pt).
_NAME_MIN_PT = 90.0


def _is_zero(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and value.is_zero is True


def latex_columns(table: Table) -> list[Column]:
    """The columns worth a place on the page: a numeric column that is 0 in every row is left out
    (its total stays in the totals below), so no column of the printed table is empty."""
    return [c for c in table.columns
            if c not in NUMERIC_COLUMNS or not table.rows or not all(_is_zero(row[c]) for row in table.rows)]


def _latex_cell(column: Column, row: dict[Column, Any]) -> str:
    if column in NUMERIC_COLUMNS:
        return _latex_number(row[column])
    if column == Column.NAME:
        # a long dotted name may break after a dot, never inside a part
        name = latex_code(str(row[column])).replace(".", r".\allowbreak{}")
        return rf"\raggedright\texttt{{{name}}}"
    return latex_text(_cell(column, row[column]))


def _natural_width(column: Column, table: Table, size: str) -> float:
    """The widest cell of a column at a type size, estimated in points (header included)."""
    cells = [HEADER_TITLES[column]] + [text_value(row[column]) if column in NUMERIC_COLUMNS
                                       else _cell(column, row[column]) for row in table.rows]
    per = (_TT_EM if column == Column.NAME else _ROMAN_EM) * _EM_PT[size]
    return max(len(cell) for cell in cells) * per + 2 * _COLSEP_PT


def _layout(table: Table, columns: list[Column]) -> tuple[str, str]:
    r"""The type size and the column spec: ``\small`` when the table fits the line, else
    ``\footnotesize`` with the name column a paragraph as wide as the line leaves it."""
    for size in _EM_PT:
        others = sum(_natural_width(c, table, size) for c in columns if c != Column.NAME)
        name = _natural_width(Column.NAME, table, size) if Column.NAME in columns else 0.0
        if others + name <= LINE_WIDTH_PT:
            break
    spec = []
    for c in columns:
        if c == Column.NAME:
            width = max(_NAME_MIN_PT, LINE_WIDTH_PT - others) if others + name > LINE_WIDTH_PT else name
            spec.append(f"p{{{width - 2 * _COLSEP_PT:.0f}pt}}")
        else:
            spec.append("r" if c in NUMERIC_COLUMNS or c == Column.INDEX else "l")
    return size, "@{}" + "".join(spec) + "@{}"


def latex_table(table: Table, title: str) -> str:
    """A ``longtable`` (it breaks across pages, its head repeated) whose long names break after
    their dots, then the totals in a table of their own: each total beside its label, never under
    another quantity's column."""
    columns = latex_columns(table)
    size, spec = _layout(table, columns)
    header = " & ".join(latex_text(HEADER_TITLES[c]) for c in columns) + r" \\"
    lines = [
        "% requires \\usepackage{booktabs} and \\usepackage{longtable}",
        f"{{\\{size}\\setlength{{\\tabcolsep}}{{{_COLSEP_PT:.0f}pt}}",
        f"\\begin{{longtable}}{{{spec}}}",
        "\\toprule", header, "\\midrule", "\\endfirsthead",
        "\\toprule", header, "\\midrule", "\\endhead",
        rf"\midrule \multicolumn{{{len(columns)}}}{{r}}{{\textit{{continued on the next page}}}} \\",
        "\\endfoot", "\\bottomrule", "\\endlastfoot",
    ]
    lines += [" & ".join(_latex_cell(c, row) for c in columns) + r" \\" for row in table.rows]
    lines += ["\\end{longtable}", "\\begin{tabular}{@{}lr@{}}", "\\toprule"]
    lines += [f"{latex_text(label)} & {_latex_number(value)} \\\\" for label, value in table.totals]
    lines += ["\\bottomrule", "\\end{tabular}\\par}"]
    if table.notes:
        lines += ["", "{\\footnotesize", *[latex_text(note) + r"\par" for note in table.notes], "}"]
    return "\n".join(lines) + "\n"


def html_table(table: Table, title: str) -> str:
    """An HTML table for Jupyter (``_repr_html_``): the rows, numbers right-aligned, then the totals
    in a table of their own (each beside its label, never under another quantity's column), the
    notes after them. Plain elements, no style sheet: the notebook's own styles them."""
    def cell(tag: str, column: Column, text: str) -> str:
        align = ' style="text-align:right"' if column in NUMERIC_COLUMNS or column == Column.INDEX else ""
        return f"<{tag}{align}>{html_text(text)}</{tag}>"

    head = "".join(cell("th", c, HEADER_TITLES[c]) for c in table.columns)
    body = ["<tr>" + "".join(cell("td", c, _cell(c, row[c])) for c in table.columns) + "</tr>" for row in table.rows]
    totals = [f'<tr><th style="text-align:left">{html_text(label)}</th>'
              f'<td style="text-align:right">{html_text(text_value(value))}</td></tr>' for label, value in table.totals]
    notes = "".join(f"<p><small>{html_text(note)}</small></p>" for note in table.notes)
    return (f"<p><b>{html_text(title)}</b></p>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(body) + "\n</tbody>\n</table>\n<table>\n<tbody>\n" + "\n".join(totals)
            + f"\n</tbody>\n</table>\n{notes}\n")
