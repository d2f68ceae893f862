"""docs/tutorial.ipynb, executed by nbclient as Jupyter would run it: every result shows a rich form
(a count as an HTML table, a derivation as LaTeX) and a short, stable plain form."""

from __future__ import annotations

import os
import re
from pathlib import Path

import needs
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
#: A result's text/plain is one short line: a longer one is a dump (a dataclass's fields, a table).
MAX_PLAIN = 200


@pytest.fixture(scope="module")
def cells() -> list[dict[str, object]]:
    """The notebook's code cells after a run in a fresh kernel (the worktree's package, the repository's root)."""
    nbformat = needs.module("nbformat")
    nbclient = needs.module("nbclient")
    needs.module("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"], saved = path, os.environ.get("PYTHONPATH")
    try:
        client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                         resources={"metadata": {"path": str(ROOT)}})
        client.execute()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return [cell for cell in notebook.cells if cell["cell_type"] == "code"]


def shown(cell: dict[str, object]) -> dict[str, str]:
    found: dict[str, str] = {}
    for output in cell["outputs"]:  # type: ignore[attr-defined]
        found.update(output.get("data", {}))
    return found


def source_of(cells: list[dict[str, object]], start: str) -> dict[str, str]:
    return shown(next(c for c in cells if str(c["source"]).lstrip("%").startswith(start)))


def test_the_tutorial_runs_without_an_error(cells: list[dict[str, object]]) -> None:
    errors = [o for c in cells for o in c["outputs"] if o.get("output_type") == "error"]  # type: ignore[attr-defined]
    assert not errors, errors


def test_a_count_is_an_html_table_and_markdown(cells: list[dict[str, object]]) -> None:
    data = source_of(cells, "lenet = ")
    assert "<table>" in data["text/html"] and "61,706" in data["text/html"]
    assert "| # | name |" in data["text/markdown"] and "61,706" in data["text/markdown"]
    assert data["text/plain"] == "Count(network='lenet5', total=61706)"


def test_derivations_show_as_latex(cells: list[dict[str, object]]) -> None:
    data = source_of(cells, "symcount.derive(")
    assert data["text/latex"].startswith("$$") and "1{,}792" in data["text/latex"] and "1{,}728" in data["text/latex"]
    magic = source_of(cells, "symcount derive")
    assert "text/latex" in magic and "text/markdown" in magic


def test_every_plain_form_is_short_and_stable(cells: list[dict[str, object]]) -> None:
    """No memory address (it changes every run: noise in version control, a cache that never hits)
    and no dump: each result's text/plain is one short line (a ``%%symcount`` cell shows the command's
    document, whose plain form is its text)."""
    plains = [shown(c)["text/plain"] for c in cells if "text/plain" in shown(c)]
    results = [shown(c)["text/plain"] for c in cells if "text/plain" in shown(c) and "%%" not in str(c["source"])]
    assert len(results) >= 7
    for plain in plains:
        assert not re.search(r" at 0x[0-9a-f]+", plain), plain
    for plain in results:
        assert len(plain) <= MAX_PLAIN, plain
    assert any(p.startswith("(61706, LayerResult('C1', kind='conv2d', total=156") for p in plains), plains
