"""Derivations as plain Unicode for the terminal: ``(3 × 3 × 128 + 1) × 256 = 295,168``.

Rows break before every ``=`` when long, by the same rules as LaTeX
(:mod:`symcount.render.document`); variants stand side by side in pairs when
every section of the document has room for them, else one below the other
throughout (LaTeX and markdown always stack them).
"""

from __future__ import annotations

import textwrap

from symcount.render import table
from symcount.render.document import CODE_MARK, SUMMARY_TITLE, Column, Document, Section, across, column_text, where_text
from symcount.render.style import Style

WIDTH = 100


def section_text(section: Section, style: Style, n: int) -> str:
    if section.heading:
        return f"{section.title}\n{'-' * len(section.title)}"
    head = section.title + (f": {section.code}" if section.code else "")
    n = min(n, len(section.columns) or 1)
    lines = [head]
    if section.shared:
        lines += ["  " + line for line in column_text(Column(None, section.shared), style)]
        lines.append("")
    for start in range(0, len(section.columns), n):
        blocks = [column_text(c, style, n) for c in section.columns[start:start + n]]
        widths = [max(len(line) for line in block) for block in blocks]
        if start:
            lines.append("")
        for i in range(max(len(b) for b in blocks)):
            cells = [(b[i] if i < len(b) else "").ljust(w) for b, w in zip(blocks, widths, strict=True)]
            lines.append(("  " + "    ".join(cells)).rstrip())
    if section.after:
        lines.append("")
        lines += ["  " + line for line in column_text(Column(None, section.after), style)]
    for note in filter(None, (*section.notes, where_text(section, style))):
        lines += textwrap.wrap(note, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


def render_text(document: Document, style: Style) -> str:
    parts = [f"{document.title}\n{'=' * len(document.title)}"]
    parts += [p if p.startswith(CODE_MARK) else textwrap.fill(p, WIDTH) for p in document.intro]
    parts.append(textwrap.fill(f"Conventions: {document.conventions}", WIDTH))
    if document.summary is not None:
        parts.append(table.text_table(document.summary, SUMMARY_TITLE).rstrip("\n"))
    # one rule for the whole document: variants stand side by side only if every section's fit
    n = min((across(s, style) for s in document.sections if len(s.columns) > 1), default=1)
    parts += [section_text(s, style, n) for s in document.sections]
    return "\n\n".join(parts) + "\n"
