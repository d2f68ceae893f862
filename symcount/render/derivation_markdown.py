"""Derivations as markdown: ``$$ ... $$`` blocks that GitHub, Jupyter and MkDocs render.

The math inside each block is exactly the LaTeX renderer's (MathJax and
KaTeX read ``aligned``), so the two formats always show the same values.
"""

from __future__ import annotations

from symcount.render import formula
from symcount.render.derivation_latex import section_math
from symcount.render.document import Document, Section
from symcount.render.formula import Style


def md_escape(text: str) -> str:
    """Words that markdown must not read as emphasis or markup."""
    for ch in ("\\", "*", "_", "`", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def section_markdown(section: Section, style: Style) -> str:
    head = f"**{md_escape(section.title)}**"
    if section.code:
        head += f" `{section.code}`"
    parts = [head]
    if section.columns:
        parts.append("$$\n" + section_math(section, style) + "\n$$")
    parts += [md_escape(note) for note in section.notes]
    parts += ["where " + ", ".join(f"${formula.latex(formula.Sym(name), style)}$: {md_escape(words)}"
                                   for name, words in section.where)] if section.where else []
    return "\n\n".join(parts)


def render_markdown(document: Document, style: Style) -> str:
    parts = [f"## {md_escape(document.title)}"]
    parts += [md_escape(p) for p in document.intro]
    parts.append(f"*Conventions: {md_escape(document.conventions)}*")
    parts += [section_markdown(s, style) for s in document.sections]
    return "\n\n".join(parts) + "\n"


def render_math_only(document: Document, style: Style) -> str:
    """Only the display math, one ``$$`` block per section (Jupyter's ``_repr_latex_``)."""
    return "\n".join(f"$$\n{section_math(s, style)}\n$$" for s in document.sections if s.columns) + "\n"
