"""One mixin for every result that prints: ``text()``, ``markdown()``, ``latex()``, Jupyter and ``repr``.

A result class says once how it is written in a format (:meth:`Printable._render`,
given the registered :class:`~symcount.render.formats.Format`) and what it is in
a few words (:meth:`Printable._summary`); everything else a user calls comes
from here, so derivations, comparisons, verdicts and reports behave alike in a
terminal, in a notebook and in ``symcount ... --format``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symcount.render.formats import Format


def _format_named(name: str) -> Format:
    """The registered format of that name, the registry loaded on first use."""
    # lazy: the registry loads every writer, and ``symcount count`` prints its table without them
    from symcount.render.formats import format_named  # noqa: PLC0415  lazy: start-up

    return format_named(name)


def standalone_document(fmt: str, title: str | None, body: str) -> str:
    """A body written in one format, as a complete document of that format (LaTeX: with the preamble
    every symcount document shares)."""
    return _format_named(fmt).standalone(title, body)


class Printable:
    """Text, markdown and LaTeX (fragment or standalone) from one ``_render(fmt)``.

    Dataclasses that use it pass ``repr=False`` so that the short repr here
    is the one Python prints (a dataclass writes its own otherwise).
    """

    def _render(self, fmt: Format) -> str:
        """The result written in one format (a fragment: no document preamble)."""
        raise NotImplementedError

    def _summary(self) -> str:
        """What the result is, in a few words, for ``repr`` (stable: no addresses, no timings)."""
        return ""

    def _title(self) -> str | None:
        """The heading of a standalone document (None: none)."""
        return None

    def _question(self, fmt: Format) -> str | None:
        """The question the result answers, written in ``fmt``, restated at the head of a standalone
        document (a fragment goes under the teacher's own question; None: none)."""
        return None

    def render(self, fmt: str = "text", *, standalone: bool = False) -> str:
        """The result in any registered format (:data:`symcount.render.formats.FORMATS`)."""
        chosen = _format_named(fmt)
        body = self._render(chosen)
        question = self._question(chosen) if standalone else None
        if question:
            body = f"{question}\n\n{body}"
        return chosen.standalone(self._title(), body) if standalone else body

    def text(self) -> str:
        """Plain Unicode for a terminal."""
        return self.render("text")

    def markdown(self) -> str:
        """Markdown with ``$...$`` math (GitHub, Jupyter, MkDocs)."""
        return self.render("markdown")

    def latex(self, standalone: bool = False) -> str:
        """LaTeX to paste into notes, or (``standalone``) a document pdflatex compiles as it is."""
        return self.render("latex", standalone=standalone)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_latex_(self) -> str | None:
        """Jupyter renders text/latex with MathJax, which reads math only: results whose LaTeX is
        text (tables, sentences) leave it to the markdown form (None), derivations give their math."""
        return None

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        summary = self._summary()
        return f"{type(self).__name__}({summary})" if summary else f"{type(self).__name__}()"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain repr: the same short line (the text form is one ``print`` away)."""
        printer.text(repr(self))
