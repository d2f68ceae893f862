"""Derivations as plain Unicode for the terminal: ``(3 × 3 × 128 + 1) × 256 = 295,168``.

Rows break before every ``=`` when long (the same rule as LaTeX); variants
stand side by side when they fit in :data:`WIDTH` columns, else one below
the other.
"""

from __future__ import annotations

import textwrap

from symcount import formula
from symcount.formula import Style
from symcount.render.document import Column, Document, Row, Section, row_lines

WIDTH = 100


def _row_text(row: Row, style: Style, pad: int, columns: int) -> list[str]:
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


def column_lines(column: Column, style: Style, columns: int = 1) -> list[str]:
    pad = max(len(formula.text(r.lhs, style)) for r in column.rows)
    lines = [line for row in column.rows for line in _row_text(row, style, pad, columns)]
    return ([f"{column.label}:"] if column.label else []) + lines


def section_text(section: Section, style: Style) -> str:
    head = section.title + (f": {section.code}" if section.code else "")
    blocks = [column_lines(c, style, len(section.columns)) for c in section.columns]
    lines = [head]
    widths = [max(len(line) for line in block) for block in blocks]
    if len(blocks) > 1 and sum(widths) + 4 * len(blocks) <= WIDTH:
        for i in range(max(len(b) for b in blocks)):
            cells = [(b[i] if i < len(b) else "").ljust(w) for b, w in zip(blocks, widths, strict=True)]
            lines.append(("  " + "    ".join(cells)).rstrip())
    else:
        for block in blocks:
            lines += ["  " + line for line in block]
    for note in section.notes:
        lines += textwrap.wrap(note, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


def render_text(document: Document, style: Style) -> str:
    parts = [f"{document.title}\n{'=' * len(document.title)}"]
    parts += [textwrap.fill(p, WIDTH) for p in document.intro]
    parts.append(textwrap.fill(f"Conventions: {document.conventions}", WIDTH))
    parts += [section_text(s, style) for s in document.sections]
    return "\n\n".join(parts) + "\n"
