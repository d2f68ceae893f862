"""Every derivation's standalone document compiles with pdflatex (halt on error).

Without pdflatex a local run skips; with the ``CI`` variable set it fails,
because ``.ci/run`` installs LaTeX and these tests must run there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import needs
import pytest
from latex_tools import compile_latex

from symcount.cli.main import main
from symcount.teaching.derivation import derive
from tools import goldens

SOURCES = goldens.golden_sources()
#: Overfull lines wider than this (pt) mean the typography spills into the margin: the gallery is
#: what teachers paste, so nothing of it may; unusual settings get a little slack.
GALLERY_MAX_OVERFULL_PT = 1.0
MAX_OVERFULL_PT = 30.0

EXTRA = {
    "both_variants": ("lstm(C_in=10, hidden=20)\nbatchnorm(C=64, affine=false)\nconv2d(C_in=3, C_out=8, k=3)",
                      {"convention": "both", "bias": "both"}),
    "symbols_and_settings": ("conv2d(C_in=C, C_out=2*C, k=(3, 5), groups=g, bias=b)\nlinear(C_in=C, C_out=2*C)",
                             {"mul": "cdot", "kernel_style": "power", "digit_separator": r"\,"}),
    "output_sizes": ("network n {\n input(H=55, W=54, C=3)\n conv2d(C_out=8, k=(3, 5), stride=2, padding=\"same\")\n"
                     " maxpool2d(k=3, stride=2, padding=1, ceil_mode=true)\n"
                     " conv_transpose2d(C_out=4, k=3, stride=2, output_padding=1)\n"
                     " zero_pad2d(p=((1, 2), (0, 3)))\n upsample(scale=2)\n}", {"convention": "both"}),
    "tied_frozen": ("network n {\n input(L=8)\n emb: embedding(V=100, dim=16)\n linear(C_out=100, tied=emb)\n"
                    " linear(C_out=4, trainable=false)\n}", {}),
}


def overfull(log: str) -> list[float]:
    return [float(m) for m in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(goldens.GALLERY)) for p in SOURCES])
def test_gallery_compiles(source: Path, tmp_path: Path) -> None:
    _, log = compile_latex(goldens.render(source)["latex"], tmp_path, source.stem)
    assert all(width <= GALLERY_MAX_OVERFULL_PT for width in overfull(log)), overfull(log)


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_variants_and_settings_compile(name: str, tmp_path: Path) -> None:
    text, options = EXTRA[name]
    _, log = compile_latex(derive(text, **options).latex(standalone=True), tmp_path, name)
    assert all(width <= MAX_OVERFULL_PT for width in overfull(log)), overfull(log)


def test_count_latex_table_compiles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(goldens.GALLERY / "lenet5.sc"), "--format", "latex"]) == 0
    table = capsys.readouterr().out
    document = ("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n\\usepackage{amsmath}\n"
                f"\\begin{{document}}\n{table}\\end{{document}}\n")
    compile_latex(document, tmp_path, "table")


def test_count_standalone_is_a_document_that_compiles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``count --format latex --standalone`` is the same table inside the preamble every document shares."""
    assert main(["count", str(goldens.GALLERY / "lenet5.sc"), "--format", "latex", "--standalone"]) == 0
    document = capsys.readouterr().out
    assert main(["count", str(goldens.GALLERY / "lenet5.sc"), "--format", "latex"]) == 0
    table = capsys.readouterr().out
    assert document.startswith("\\documentclass") and table.strip() in document
    assert "network lenet5 (pytorch)" in document
    _, log = compile_latex(document, tmp_path, "standalone_table")
    assert "Overfull" not in log
    assert main(["count", "linear(C_in=2, C_out=3)", "--standalone"]) == 2


def test_missing_pdflatex_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(needs.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        needs.tool("pdflatex")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        needs.tool("pdflatex")


def test_missing_module_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        needs.module("no_such_module_symcount_needs")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        needs.module("no_such_module_symcount_needs")


def test_fonts_are_type1_latin_modern_in_t1(tmp_path: Path) -> None:
    """T1 encoding with Latin Modern: "stride > 1" prints ">" (OT1 printed "¿"), ``--set`` two hyphens,
    and every font in the PDF is a Type 1 outline (no Type 3 bitmap font, which blurs when zoomed)."""
    document = derive("# in a note: stride > 1, --set and C|D\nconv2d(C_in=3, C_out=8, k=3)",
                      title="Fonts: stride > 1 --set").latex(standalone=True)
    assert r"\usepackage[T1]{fontenc}" in document and r"\usepackage{lmodern}" in document
    pdf, _ = compile_latex(document, tmp_path, "fonts")
    fonts = subprocess.run([needs.tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" Type 1" in row for row in rows), fonts
    assert not any("Type 3" in row for row in rows) and any("LMRoman" in row for row in rows), fonts
    text = subprocess.run([needs.tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "stride > 1" in text and "¿" not in text, text


def test_no_test_skips_on_its_own_what_ci_must_run() -> None:
    """torch, Keras, transformers and pdflatex go through ``needs`` (skip locally, fail under CI);
    a bare ``importorskip`` or ``skipif(shutil.which(...))`` would skip silently in CI too."""
    tests = Path(__file__).resolve().parent
    found = [f"{path.name}:{n}" for path in sorted(tests.glob("test_*.py")) if path.name != Path(__file__).name
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "importorskip(" in line or ("skipif(" in line and "which(" in line)]
    assert not found, found
