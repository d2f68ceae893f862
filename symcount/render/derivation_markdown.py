"""Derivations as markdown: ``$$ ... $$`` blocks that GitHub, Jupyter and MkDocs render.

The math inside each block is the LaTeX renderer's (MathJax and KaTeX read
``aligned``), so the two formats always show the same values; only its arrays
are written without ``@{}`` and ``[t]``, which KaTeX does not read (a
MkDocs site renders markdown's math with KaTeX; ``tests/test_site.py``).
"""

from __future__ import annotations

from symcount.render import formula
from symcount.render.derivation_latex import section_math
from symcount.render.document import Document, Section
from symcount.render.escape import markdown_text
from symcount.render.style import Style


def section_markdown(section: Section, style: Style) -> str:
    head = f"**{markdown_text(section.title)}**"
    if section.code:
        head += f" `{section.code}`"
    parts = [head]
    if section.columns:
        parts.append("$$\n" + section_math(section, style, katex=True) + "\n$$")
    parts += [markdown_text(note) for note in section.notes]
    parts += ["where " + ", ".join(f"${formula.latex(formula.Sym(name), style)}$: {markdown_text(words)}"
                                   for name, words in section.where)] if section.where else []
    return "\n\n".join(parts)


def render_markdown(document: Document, style: Style) -> str:
    parts = [f"## {markdown_text(document.title)}"]
    parts += [markdown_text(p) for p in document.intro]
    parts.append(f"*Conventions: {markdown_text(document.conventions)}*")
    parts += [section_markdown(s, style) for s in document.sections]
    return "\n\n".join(parts) + "\n"


def render_math_only(document: Document, style: Style) -> str:
    """Only the display math, one ``$$`` block per section (Jupyter's ``_repr_latex_``)."""
    return "\n".join(f"$$\n{section_math(s, style, katex=True)}\n$$" for s in document.sections if s.columns) + "\n"
