"""Derivations as markdown: ``$$ ... $$`` blocks that GitHub, Jupyter and MkDocs render.

The math inside each block is exactly the LaTeX renderer's: plain ``aligned``
environments, without optional arguments or ``array`` column specifiers, so
KaTeX and MathJax 3 both render every block (``tests/test_markdown_math.py``).
"""

from __future__ import annotations

from symcount.render import formula, table
from symcount.render.derivation_latex import aligned, section_parts
from symcount.render.document import CODE_MARK, SUMMARY_TITLE, Document, Section
from symcount.render.escape import markdown_text
from symcount.render.style import Style


def section_displays(section: Section, style: Style) -> list[tuple[str | None, str]]:
    """A section's ``$$`` blocks, each with its variant's label (None: no label)."""
    return [(label, "$$\n" + aligned(column, style) + "\n$$")
            for label, column in (section_parts(section) if section.columns else [])]


def section_markdown(section: Section, style: Style) -> str:
    if section.heading:
        return f"### {markdown_text(section.title)}"
    head = f"**{markdown_text(section.title)}**"
    if section.code:
        head += f" `{section.code}`"
    parts = [head]
    for label, block in section_displays(section, style):
        parts += [f"*{markdown_text(label)}*"] if label is not None else []
        parts.append(block)
    parts += [markdown_text(note) for note in section.notes]
    parts += ["where " + ", ".join(f"${formula.latex(formula.Sym(name), style)}$: {markdown_text(words)}"
                                   for name, words in section.where)] if section.where else []
    return "\n\n".join(parts)


def render_markdown(document: Document, style: Style) -> str:
    parts = [f"## {markdown_text(document.title)}"]
    parts += [p if p.startswith(CODE_MARK) else markdown_text(p) for p in document.intro]  # code: an indented block
    parts.append(f"*Conventions: {markdown_text(document.conventions)}*")
    if document.summary is not None:
        parts.append(table.markdown_table(document.summary, SUMMARY_TITLE).rstrip("\n"))
    parts += [section_markdown(s, style) for s in document.sections]
    return "\n\n".join(parts) + "\n"


def render_math_only(document: Document, style: Style) -> str:
    """Only the display math, the markdown's ``$$`` blocks (Jupyter's ``_repr_latex_``, and what the
    ``%%symcount`` magic shows as ``text/latex``)."""
    return "\n".join(block for s in document.sections for _, block in section_displays(s, style)) + "\n"
