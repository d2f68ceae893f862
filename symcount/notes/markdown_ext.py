"""The Python-Markdown extension: ```` ```symcount VERB OPTIONS ```` blocks become their output.

Use it as ``markdown.markdown(text, extensions=["symcount"])`` (the ``markdown.extensions``
entry point) or in ``mkdocs.yml``::

    markdown_extensions:
      - symcount            # before or after pymdownx.superfences: its preprocessor runs first
      - pymdownx.arithmatex:
          generic: true     # the derivations' $$ math, left for KaTeX or MathJax
      - pymdownx.superfences

Its preprocessor runs before ``fenced_code`` and ``pymdownx.superfences`` (priority 27 against
their 25: otherwise they take the fence as code) and after whitespace normalisation (30). Blocks
are read by :mod:`symcount.cli.blocks`: the whole info string is the verb and its options; a
mistake stops the build with ``FILE:LINE:COL: message`` and a caret at the block's line (under
MkDocs, as a ``BuildError``, which MkDocs reports with the page's name and no traceback).
"""

from __future__ import annotations

import sys
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from symcount.cli.blocks import render_document
from symcount.errors import SymcountError

#: Above ``fenced_code_block`` (25, Python-Markdown's and pymdownx.superfences'), below
#: ``normalize_whitespace`` (30).
PRIORITY = 27


class SymcountPreprocessor(Preprocessor):
    """Replaces each symcount block of the page's lines with its output."""

    def __init__(self, md: Markdown, filename: str, output_format: str) -> None:
        super().__init__(md)
        self.filename = filename
        self.output_format = output_format

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        try:
            return render_document(text, self.filename, self.output_format).split("\n")
        except SymcountError as err:
            raise build_error(err) from None


def build_error(err: SymcountError) -> Exception:
    """The error as MkDocs reports a failed page (the page's name, no traceback) when MkDocs is
    building, else as it is."""
    mkdocs = sys.modules.get("mkdocs.exceptions")
    if mkdocs is not None:
        return mkdocs.BuildError(str(err))  # type: ignore[no-any-return]
    return err


class SymcountExtension(Extension):
    """``symcount``: runs the ```` ```symcount VERB ```` blocks of a page."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "filename": ["<markdown>", "the name that errors give the page (file:line:col)"],
            "format": ["markdown", "the output format when a block gives no --format"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802  (Python-Markdown's name)
        processor = SymcountPreprocessor(md, str(self.getConfig("filename")), str(self.getConfig("format")))
        md.preprocessors.register(processor, "symcount", PRIORITY)


def makeExtension(**kwargs: Any) -> SymcountExtension:  # noqa: N802  (Python-Markdown's name)
    return SymcountExtension(**kwargs)
