"""The package as users get it: a wheel that carries its grammar and works anywhere.

The grammar (``symcount/language/symcount.lark``), the exam templates
(``symcount/teaching/exams/``) and the LLM family blocks that configs are read with
(``symcount/frameworks/families/``) are package data. These tests build the
wheel, install it into an empty directory and count from a third directory,
so nothing can quietly fall back to the source tree.
"""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
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
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist, then the wheel from the sdist (what ``python -m build`` does, so a file the
    sdist forgets breaks the wheel too), once; no isolation: hatchling is installed in the venv."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    wheels = list(dist.glob("symcount-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def metadata(wheel: Path) -> Message:
    """The wheel's METADATA (the registry page is made from it)."""
    name = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA"))
    return email.parser.Parser().parsestr(zipfile.ZipFile(wheel).read(name).decode("utf-8"))


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    needs.module("twine")
    files = sorted(str(p) for p in dist.iterdir())
    assert sorted(Path(f).suffix for f in files) == [".gz", ".whl"], files
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_sdist_carries_the_license_and_readme(dist: Path) -> None:
    sdist = next(dist.glob("symcount-*.tar.gz"))
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "symcount/language/symcount.lark"} <= names
    templates = {f"symcount/teaching/exams/{p.name}" for p in (ROOT / "symcount" / "teaching" / "exams").glob("*.sc")}
    assert templates and templates <= names, sorted(templates - names)
    assert not [n for n in names if n.startswith(("tests/", "derivations/", ".venv/"))], names


def test_wheel_metadata_fills_a_registry_page(wheel: Path) -> None:
    meta = metadata(wheel)
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File", [])
    assert f"symcount-{meta['Version']}.dist-info/licenses/LICENSE" in zipfile.ZipFile(wheel).namelist()
    # no project URLs until the project has a public home: an invented address is worse than none
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL", []))
    assert all(url.startswith("https://") for url in urls.values()), urls
    classifiers = meta.get_all("Classifier", [])
    assert "Intended Audience :: Education" in classifiers and "Typing :: Typed" in classifiers
    supported = {c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in supported
    assert meta["Requires-Python"] == ">=3.10" and "3.10" in supported
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().strip() == (ROOT / "README.md").read_text(encoding="utf-8").strip()
    # the core's runtime dependencies stay sympy and lark: everything else is an extra
    core = [req for req in meta.get_all("Requires-Dist", []) if "extra ==" not in req]
    assert sorted(re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0] for req in core) == ["lark", "sympy"], core


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
    # and the `symcount` command itself (the console script pip writes), run from elsewhere
    script = target / "bin" / "symcount"
    assert script.exists(), sorted(p.name for p in target.iterdir())
    command = subprocess.run([str(script), "count", "conv2d(C_in=128, C_out=256, k=3, bias=false)"], cwd=elsewhere,
                             env=env, capture_output=True, text=True, timeout=120)
    assert command.returncode == 0, command.stderr
    assert "294,912" in command.stdout
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
