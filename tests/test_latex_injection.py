"""Hostile text in every user-text field of every standalone LaTeX document: it prints, it runs nothing, it reads no file.

Each document is compiled with ``pdflatex -no-shell-escape -recorder`` under ``openin_any=p openout_any=p``;
the log must have no ``runsystem`` and the ``.fls`` file no INPUT outside the TeX tree and the document's own files.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import needs
import pytest

from symcount.cli.main import main

HOSTILE = "x\n\n\\input{/etc/passwd}\\write18{touch pwned} _ < > | ~ ^ & % $ # { } <b>bold</b> `tick`"
LABEL = "a_b<c>|d~e^f&g%h$i#j{k}\\input{/etc/hostname}"


def _tree() -> list[str]:
    kpsewhich = needs.tool("kpsewhich")
    roots = []
    # every tree TeX searches (TEXMF lists them all, Debian's /usr/share/texmf with lmodern included)
    for var in ("TEXMF", "TEXMFDIST", "TEXMFMAIN", "TEXMFVAR", "TEXMFSYSVAR", "TEXMFSYSCONFIG", "TEXMFCONFIG"):
        out = subprocess.run([kpsewhich, f"-var-value={var}"], capture_output=True, text=True, check=False)
        for entry in out.stdout.strip().replace("{", ",").replace("}", ",").split(","):
            entry = entry.strip().lstrip("!")
            if entry.startswith("/"):
                roots.append(os.path.realpath(entry))
    return roots


def _compile_inert(document: str, directory: Path, name: str) -> None:
    pdflatex = needs.tool("pdflatex")
    source = directory / f"{name}.tex"
    source.write_text(document, encoding="utf-8")
    env = {**os.environ, "openin_any": "p", "openout_any": "p"}
    done = subprocess.run([pdflatex, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "-recorder",
                           source.name], cwd=directory, capture_output=True, text=True, timeout=120, check=False,
                          env=env)
    log = (directory / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, [line for line in log.splitlines() if line.startswith("!")] or done.stdout[-1500:]
    assert "runsystem" not in log
    assert not (directory / "pwned").exists()
    roots = _tree()
    own = {os.path.realpath(directory / f"{name}.{ext}") for ext in ("tex", "aux", "log", "pdf", "out", "fls")}
    for line in (directory / f"{name}.fls").read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("INPUT "):
            continue
        path = os.path.realpath(os.path.join(directory, line[len("INPUT "):]))
        assert path in own or any(path.startswith(root + os.sep) for root in roots), f"{name} read {path}"


def _network(tmp_path: Path, filename: str = "hostile\n\\input{x}_<name>_%$#.sc") -> Path:
    source = tmp_path / filename
    line = HOSTILE.replace("\n", " ")
    source.write_text(f"# title: {line}\n"
                      f"network net_x_y {{\n    input(H=8, W=8, C=3)\n    conv2d(C_out=4, k=3)  # {line}\n}}\n",
                      encoding="utf-8")
    return source


def _run(tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out


@pytest.mark.parametrize("verb", ["derive", "check", "memory", "count"])
def test_standalone_documents_are_inert(tmp_path: Path, verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    source = _network(tmp_path)
    extra = {"derive": ["--title", HOSTILE], "check": ["--answer", "100"], "memory": [], "count": []}[verb]
    document = _run(tmp_path, [verb, str(source), *extra, "--format", "latex", "--standalone"], capsys)
    _compile_inert(document, tmp_path, verb)


def test_compare_is_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _network(tmp_path, "a_<x>|%.sc")
    b = _network(tmp_path, "b_~^&.sc")
    document = _run(tmp_path, ["compare", str(a), str(b), "--format", "latex", "--standalone"], capsys)
    _compile_inert(document, tmp_path, "compare")


def test_compute_is_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "seq\n\\input{x}_<%$#>.sc"
    line = HOSTILE.replace("\n", " ")
    source.write_text(f"# title: {line}\nnetwork seq_x {{\n    input(L=8, C=4)\n    linear(C_out=4)  # {line}\n}}\n",
                      encoding="utf-8")
    document = _run(tmp_path, ["compute", str(source), "--format", "latex", "--standalone"], capsys)
    _compile_inert(document, tmp_path, "compute")


def test_exam_sheets_are_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "exam_<x>.sc"
    line = HOSTILE.replace("\n", " ")
    question = line.replace("{", "(").replace("}", ")") + " {C_out} filters"
    template.write_text(f'let title = "{line}"\nlet question = "{question}"\nlet ask = "params"\n'
                        "let C_out = choose(16, 32, 64)\nlet C_in = choose(3, 16, 32)\nlet k = choose(3, 5)\n"
                        "network layer_kind_x {\n    input(H=32, W=32, C=C_in)\n"
                        "    conv2d(C_out=C_out, k=k)\n}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["exam", str(template), "--variants", "2", "--format", "latex", "--allow-shared-answers",
                 "-o", str(out)]) == 0, \
        capsys.readouterr().err
    sheets = sorted(out.glob("*.tex"))
    assert sheets
    for sheet in sheets:
        _compile_inert(sheet.read_text(encoding="utf-8"), tmp_path, sheet.stem)
