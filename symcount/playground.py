"""What the browser playground (docs/playground.md, run by Pyodide in a web worker) asks of symcount.

One call, :func:`playground`, takes the text a student typed and returns JSON for the page: the
summary table and the derivation as markdown (what ``symcount count --format markdown`` and
``symcount derive --format markdown`` print, one after the other), the derivation as a complete
LaTeX document (``derive --standalone``) to download, or the error exactly as the CLI reports it
(``<input>:line:col: message``, the source line and a caret). The text is always the description
itself (or model code), never a file name: the page has no files.

It renders what the verbs render, through the same functions, without the command line (no argparse,
no files): a layer of its own beside :mod:`symcount.cli`, above the API (the import contracts in
pyproject.toml); nothing in the package imports it.
"""

from __future__ import annotations

import json

from symcount.counting import MAX_SOURCE_BYTES, count, file_variants, parse_source, read_source
from symcount.engine.count import summary_table
from symcount.errors import SymcountError
from symcount.language import nodes
from symcount.render.table import markdown_table
from symcount.teaching.derivation import derive

#: The largest text the page sends: the limit the CLI puts on a description file, so the page refuses
#: (before Python sees it) what ``symcount count FILE`` would refuse.
MAX_TEXT_BYTES = MAX_SOURCE_BYTES


def playground(text: str, network: str | None = None) -> str:
    """The page's answer for ``text`` as JSON: ``{"ok": true, "markdown", "latex", "name", "networks"}`` or
    ``{"ok": false, "error"}``; a bad description is an answer, never an exception.

    ``network`` is the page's choice among ``networks`` (what ``--network`` chooses on the command line);
    None, or a name the text no longer has, counts the first network of a text that has several."""
    try:
        return json.dumps({"ok": True, **_documents(text, network)})
    except SymcountError as err:
        return json.dumps({"ok": False, "error": str(err)})
    except RecursionError:
        return json.dumps({"ok": False, "error": "<input>: description nested too deeply"})


def networks(text: str) -> list[str]:
    """The networks a description (or the description model code is read as) defines, in order."""
    description, _, _ = read_source(text)
    return [s.name for s in parse_source(description).statements if isinstance(s, nodes.Network)]


def _documents(text: str, network: str | None) -> dict[str, str | list[str]]:
    """The summary table of each variant the text asks for, then the derivation."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise SymcountError(f"description too large ({size:,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes, 1 MiB)")
    if not text.strip():
        raise SymcountError("the description is empty", hint='type a description, e.g. "conv2d(C_in=3, C_out=8, k=3)"')
    names = networks(text)
    chosen = network if network in names else names[0] if len(names) > 1 else None
    tables, name = [], "symcount"
    for convention, bias in file_variants(text, None, None):
        result = count(text, convention=convention, bias=bias, network=chosen)
        shown = "" if bias is None else ", with bias" if bias else ", without bias"
        tables.append(markdown_table(summary_table(result), f"network {result.network} ({result.convention}{shown})"))
        name = result.network
    derivation = derive(text, network=chosen)
    markdown = "\n".join(tables) + "\n" + str(derivation.markdown())
    return {"markdown": markdown, "latex": str(derivation.latex(standalone=True)), "name": name,
            "networks": names if len(names) > 1 else []}
