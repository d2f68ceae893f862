"""The registry of output formats: name -> the writers of that format.

Every result symcount prints (a derivation, a comparison, a verdict, a memory
or compute report, a count table) is written by the entry of its format here:
:class:`symcount.render.printable.Printable` looks the format up by name, so a
new output format is one writer module (its document, report and table
writers and its standalone wrapper) plus one :func:`register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from symcount.errors import SymcountError, did_you_mean
from symcount.render import derivation_latex, derivation_markdown, derivation_text, report, table
from symcount.render.document import Document
from symcount.render.style import Style


def _as_is(title: str | None, body: str) -> str:
    """Formats without a document preamble: a standalone text is the text itself."""
    return body


def _latex_document(document: Document, style: Style) -> str:
    return derivation_latex.render_latex(document, style)


@dataclass(frozen=True)
class Format:
    """One output format: its name, file suffix and the writer of each neutral model."""

    name: str
    suffix: str
    #: a derivation's document in a typography (the style's name is this format's)
    document: Callable[[Document, Style], str]
    #: a short report (memory, compute)
    report: Callable[[report.Report], str]
    #: a count table under a title
    table: Callable[[table.Table, str], str]
    #: a complete document around a body (``--standalone``), under an optional title
    standalone: Callable[[str | None, str], str] = _as_is

    @property
    def style(self) -> Style:
        """The default typography in this format."""
        return Style(self.name)


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format to the registry (a later entry of the same name replaces it)."""
    FORMATS[fmt.name] = fmt
    return fmt


def format_named(name: str) -> Format:
    """The registered format called ``name``, or an error that names the valid ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise SymcountError(f"unknown format '{name}' (valid: {', '.join(FORMATS)})",
                            hint=did_you_mean(name, list(FORMATS))) from None


register(Format("text", ".txt", derivation_text.render_text, report.report_text, table.text_table))
register(Format("markdown", ".md", derivation_markdown.render_markdown, report.report_markdown,
                table.markdown_table))
register(Format("latex", ".tex", _latex_document, report.report_latex, table.latex_table,
                derivation_latex.wrap_standalone))
