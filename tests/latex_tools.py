"""Compile LaTeX in tests: skip without pdflatex on a workstation, fail in CI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import needs
import pytest


def compile_latex(document: str, directory: Path, name: str) -> tuple[Path, str]:
    """Run ``pdflatex -halt-on-error``; return the PDF and the log, failing with the log's error."""
    pdflatex = needs.tool("pdflatex")
    source = directory / f"{name}.tex"
    source.write_text(document, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", source.name],
        cwd=directory, capture_output=True, text=True, timeout=120, check=False,
    )
    log_path = directory / f"{name}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else done.stdout
    if done.returncode != 0:
        errors = [line for line in log.splitlines() if line.startswith("!")]
        pytest.fail(f"pdflatex failed on {name}: {errors or done.stdout[-2000:]}")
    pdf = directory / f"{name}.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
    return pdf, log
