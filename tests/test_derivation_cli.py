"""``symcount derive`` and the LaTeX / markdown summary tables of ``symcount count``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from symcount.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CONV = "conv2d(C_in=128, C_out=256, k=3)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_latex_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "derive", CONV)
    assert code == 0
    assert r"\begin{aligned}" in out and r"(3 \times 3 \times 128 + 1) \times 256" in out
    assert "295{,}168" in out


def test_derive_bias_both_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "derive", CONV, "--bias", "both", "--format", "text")
    assert code == 0
    assert "with bias" in out and "without bias" in out
    assert "295,168" in out and "294,912" in out and "(3 × 3 × 128 + 1) × 256" in out


def test_derive_settings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "derive", CONV, "--mul", "cdot", "--kernel-style", "power",
                       "--digit-separator", r"\,")
    assert code == 0
    assert r"(k^2 \cdot C_{\text{in}} + 1) \cdot C_{\text{out}}" in out
    assert r"(3^2 \cdot 128 + 1) \cdot 256" in out and r"295\,168" in out


def test_derive_set_network_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    source = "network a { input(C=C)\n linear(C_out=10) }\nnetwork b { input(C=4)\n linear(C_out=2) }"
    code, out, _ = run(capsys, "derive", source, "--network", "a", "--set", "C=128", "--format", "markdown")
    assert code == 0
    assert "$$" in out and "1{,}290" in out


def test_derive_convention_both_and_keras(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "derive", "lstm(C_in=10, hidden=20)", "--convention", "both", "--format", "text")
    assert code == 0 and "PyTorch" in out and "Keras" in out and "2,560" in out and "2,480" in out
    code, out, _ = run(capsys, "derive", "lstm(C_in=10, hidden=20)", "--convention", "keras", "--format", "text")
    assert "2,480" in out and "2,560" not in out


def test_derive_standalone_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "conv.tex"
    code, out, _ = run(capsys, "derive", CONV, "--standalone", "-o", str(target))
    assert code == 0 and out == ""
    text = target.read_text()
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")


def test_derive_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "derive", "conv2d(C_in=128, C_out=256, k=3", "--format", "text")
    assert code == 2 and "never closed" in err and "Traceback" not in err
    code, _, err = run(capsys, "derive", CONV, "--format", "text", "--standalone")
    assert code == 2 and "--standalone" in err
    code, _, err = run(capsys, "derive", CONV, "--set", "nope=3")
    assert code == 2 and "nope" in err


def test_derive_file_with_network_suffix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "derive", str(ROOT / "derivations" / "lenet5.sc") + "#lenet5", "--format", "text")
    assert code == 0 and "61,706" in out


def test_python_dash_m_symcount_derive() -> None:
    done = subprocess.run([sys.executable, "-m", "symcount", "derive", CONV, "--format", "text"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and "295,168" in done.stdout


# -- count tables for course notes ---------------------------------------------------------


def test_count_latex_table_is_booktabs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "count", str(ROOT / "derivations" / "lenet5.sc"), "--format", "latex")
    assert code == 0
    for command in (r"\begin{tabular}", r"\toprule", r"\midrule", r"\bottomrule", r"\end{tabular}"):
        assert command in out
    assert r"\texttt{linear\_1}" in out
    assert "48{,}120" in out and "61{,}706" in out
    header = out.splitlines()[3]
    assert header.count("&") == out.splitlines()[5].count("&")


def test_count_markdown_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "count", str(ROOT / "derivations" / "lenet5.sc"), "--format", "markdown")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert re.match(r"\| *# *\| *name", rows[0])
    assert set(rows[1].replace("|", "").split()) <= {"---:", ":---"}
    widths = {line.count("|") for line in rows}
    assert len(widths) == 1
    assert any("48,120" in r and "`linear`" in r for r in rows)
    assert "total params: **61,706**" in out

