"""The IPython cell magic ``%%symcount VERB OPTIONS``: the cell is the description, the result is shown.

Load it with ``%load_ext symcount.notes.magic`` (``pip install symcount[notebook]``), then::

    %%symcount derive --bias both
    conv2d(C_in=128, C_out=256, k=3)

The line is read exactly as a ```` ```symcount ```` block's info string (:mod:`symcount.cli.blocks`):
any verb, its options, two descriptions separated by ``---`` for ``compare``. The result is shown as
a rich output: the Markdown with its math (``text/markdown``, what JupyterLab, VS Code and
GitHub's viewer draw), its display math alone (``text/latex``, for front ends that typeset math
only) and its text form (``text/plain``); ``--format text`` / ``json`` show plain text. A mistake
is printed as ``<cell>:line:col: message`` with a caret, never a traceback.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, cast

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display as untyped_display

from symcount.cli.blocks import run_verb
from symcount.errors import SymcountError

#: IPython's ``display`` carries no annotations: typed once here.
display = cast(Callable[..., None], untyped_display)


@magics_class
class SymcountMagics(Magics):
    """``%%symcount``."""

    @cell_magic
    def symcount(self, line: str, cell: str) -> None:
        """Run ``symcount VERB OPTIONS`` on the cell's description and display the result."""
        try:
            display(result_bundle(line, cell), raw=True)
        except SymcountError as err:
            if err.filename in (None, "<input>"):
                err.filename = "<cell>"
            print(str(err), file=sys.stderr)


def result_bundle(line: str, cell: str) -> dict[str, str]:
    """The MIME bundle of a cell's result: the Markdown (with its ``$$`` math) that Jupyter draws,
    the display math alone as ``text/latex`` (MathJax reads math, not LaTeX text: what a
    derivation's ``_repr_latex_`` gives), and the text form; ``--format`` other than markdown
    shows that format alone (LaTeX as ``text/latex``, the others as text)."""
    texts = [part.strip("\n") for part in re.split(r"^---[ \t]*$", cell, flags=re.M)]
    chosen = re.search(r"--format[= ]+['\"]?([\w-]+)", line)
    if chosen and chosen.group(1) != "markdown":
        output = run_verb(line, texts)
        return {"text/latex" if chosen.group(1) == "latex" else "text/plain": output, "text/plain": output}
    markdown = run_verb(line, texts, "markdown")
    bundle = {"text/markdown": markdown, "text/plain": run_verb(line, texts, "text")}
    math = re.findall(r"^\$\$\n.*?\n\$\$$", markdown, flags=re.S | re.M)
    if math:
        bundle["text/latex"] = "\n".join(math)
    return bundle


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext symcount.notes.magic``."""
    ipython.register_magics(SymcountMagics)
