"""The package as users get it: a wheel that carries its grammar and works anywhere.

The grammar (``symcount/language/symcount.lark``), the exam templates
(``symcount/teaching/exams/``) and the LLM family blocks that configs are read with
(``symcount/frameworks/families/``) are package data. These tests build the
wheel, install it into an empty directory and count from a third directory,
so nothing can quietly fall back to the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import needs
import pytest
from lark import Lark

from symcount.language.parse import grammar_text

ROOT = Path(__file__).resolve().parent.parent
#: Folders that are not the project's own files.
NOT_OURS = {".venv", ".git", "build", "dist", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache",
            ".hypothesis", ".mypy_cache"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once (no isolation: hatchling is installed in the venv)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    wheels = list(out.glob("symcount-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_the_grammar_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "symcount/language/symcount.lark" in names
    assert "symcount/py.typed" in names
    assert "symcount/__init__.py" in names and "symcount/__main__.py" in names
    packaged = zipfile.ZipFile(wheel).read("symcount/language/symcount.lark").decode("utf-8")
    assert packaged == (ROOT / "symcount" / "language" / "symcount.lark").read_text(encoding="utf-8")
    templates = {p.name for p in (ROOT / "symcount" / "teaching" / "exams").glob("*.sc")}
    assert templates and {f"symcount/teaching/exams/{name}" for name in templates} <= names
    families = {p.name for p in (ROOT / "symcount" / "frameworks" / "families").glob("*.sc")}
    assert {"llama.sc", "mistral.sc", "gemma.sc", "gpt2.sc", "bert.sc"} <= families
    assert {f"symcount/frameworks/families/{name}" for name in families} <= names
    assert not [n for n in names if n.startswith(("tests/", "tools/", "derivations/"))], \
        "only the package goes into the wheel"


def test_installed_wheel_counts_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import symcount\n"
        "print(symcount.count('conv2d(C_in=128, C_out=256, k=3)').total)\n"
        "print(symcount.__file__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    total, location = run.stdout.split()
    assert total == "295168"
    assert Path(location).resolve().is_relative_to(target.resolve()), location
    # the command-line entry point of the installed copy, too
    cli = subprocess.run([sys.executable, "-m", "symcount", "count", "linear(C_in=128, C_out=256)",
                          "--format", "json"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert '"total": 33024' in cli.stdout
    # a Hugging Face config, read with the family blocks the wheel carries
    (elsewhere / "config.json").write_text('{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}',
                                           encoding="utf-8")
    hf = subprocess.run([sys.executable, "-m", "symcount", "count", "config.json", "--format", "json"],
                        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert hf.returncode == 0, hf.stderr
    assert '"total": 124439808' in hf.stdout  # GPT2Config's defaults: GPT-2 small (tests/test_hf_config.py)


def test_the_grammar_is_the_only_lark_file() -> None:
    found = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in NOT_OURS and not d.startswith(".")]
        found += [Path(dirpath, f).relative_to(ROOT).as_posix() for f in filenames if f.endswith(".lark")]
    assert found == ["symcount/language/symcount.lark"]


def test_the_grammar_is_lalr_without_conflicts() -> None:
    """strict=True turns shift/reduce conflicts and colliding terminals into errors."""
    needs.module("interegular")
    parser = Lark(grammar_text(), parser="lalr", lexer="contextual", start=["start", "expr_start"], strict=True)
    assert parser.options.parser == "lalr"
    parser.parse("conv2d(C_in=128, C_out=256, k=3)\n", start="start")
    parser.parse("2*C + 1", start="expr_start")


def test_the_package_reads_the_grammar_it_ships() -> None:
    """One copy of the grammar, read as package data (no path into the source tree)."""
    assert grammar_text() == (ROOT / "symcount" / "language" / "symcount.lark").read_text(encoding="utf-8")
