"""Every verb over the project's own inputs and hostile variations of them: an exit status of 0, 1
or 2 and a message, never an exception escaping ``main`` (which the user sees as a traceback).

Found by a sweep of every verb over every input kind; each test names the mechanism it pins down.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from symcount.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
MODEL_CODE = sorted((ROOT / "tests" / "model_code").glob("*.py"))


def run(argv: list[str]) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of one command, run in-process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", MODEL_CODE, ids=lambda p: p.stem)
@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_every_model_derives(path: Path, convention: str) -> None:
    """A derivation lands on the count for every layer, including a layer object applied twice
    (``shared=``: its parameters and its statistics are all the first use's, so 0 here, never the
    parameters less the statistics)."""
    code, out, err = run(["derive", str(path), "--format", "text", "--convention", convention])
    assert code in (0, 2), err
    assert out if code == 0 else err


def test_a_layer_applied_twice_counts_zero_in_the_derivation() -> None:
    code, out, _ = run(["derive", str(ROOT / "tests/model_code/keras_shared_conv.py"), "--format", "text",
                        "--convention", "keras"])
    assert code == 0
    block = out.split("batchnorm: ")[1].split("\n\n")[0]
    assert "#counted = 0" in block and "32 + 32" not in block
