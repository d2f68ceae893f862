"""The ``%%symcount`` cell magic, in a notebook executed by nbclient as Jupyter would run it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import needs
import pytest

import symcount

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def executed() -> list[dict[str, object]]:
    """The outputs of each code cell of a notebook run in a fresh kernel (the worktree's package)."""
    nbformat = needs.module("nbformat")
    nbclient = needs.module("nbclient")
    needs.module("ipykernel")
    cells = [
        "%load_ext symcount.notes.magic",
        "%%symcount derive --bias both\nconv2d(C_in=128, C_out=256, k=3)",
        "%%symcount count --format text\nlinear(C_in=128, C_out=256)",
        "%%symcount compare\nconv2d(C_in=C, C_out=C, k=5)\n---\nconv2d(C_in=C, C_out=C, k=3); conv2d(C_in=C, C_out=C, k=3)",
        "%%symcount derive --bais both\nlinear(C_in=3, C_out=4)",
        "%%symcount derive\nnetwork n {\n  linear(C_in=3, C_oot=4)\n}",
        "print('the notebook ran on')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"], saved = path, os.environ.get("PYTHONPATH")
    try:
        client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {}})
        client.execute()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return [cell["outputs"] for cell in notebook.cells]


def data(outputs: object) -> dict[str, str]:
    found: dict[str, str] = {}
    for output in outputs:  # type: ignore[attr-defined]
        found.update(output.get("data", {}))
    return found


def test_a_derivation_shows_as_latex_and_markdown(executed: list[object]) -> None:
    shown = data(executed[1])
    derivation = symcount.derive("conv2d(C_in=128, C_out=256, k=3)", bias="both")
    assert shown["text/markdown"] == derivation.markdown()
    assert shown["text/latex"].startswith("$$\n") and "295{,}168" in shown["text/latex"]
    assert "294{,}912" in shown["text/latex"]
    assert shown["text/latex"].strip() == derivation._repr_latex_().strip()
    assert "295,168" in shown["text/plain"]


def test_a_text_format_shows_as_text(executed: list[object]) -> None:
    shown = data(executed[2])
    assert set(shown) == {"text/plain"} and "33,024" in shown["text/plain"]


def test_a_comparison_takes_two_descriptions(executed: list[object]) -> None:
    shown = data(executed[3])
    assert "text/markdown" in shown and "7C² - C" in shown["text/plain"]


def test_mistakes_are_positioned_messages_not_tracebacks(executed: list[object]) -> None:
    option, description = (json.dumps(cell) for cell in executed[4:6])
    assert "unrecognized arguments: --bais both" in option and "Traceback" not in option
    assert "<cell>:2:18: linear has no argument 'C_oot'" in description and "^^^^^" in description
    assert all(output["output_type"] != "error" for cell in executed for output in cell)  # type: ignore[index]
    assert "the notebook ran on" in json.dumps(executed[6])
