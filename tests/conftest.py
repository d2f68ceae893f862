"""The one golden mechanism: the ``golden`` fixture, and ``--update-goldens`` to rewrite instead of compare.

Every test that uses the fixture is marked ``golden``, so ``make goldens``
(``pytest -m golden --update-goldens``) rewrites every golden file in the
repository and runs nothing else; review the diff, then commit it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import needs
import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden output files from the current code instead of comparing")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "golden: compares output with a golden file (uses the golden fixture)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the ``golden`` fixture, so ``-m golden`` selects exactly them."""
    for item in items:
        if "golden" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.golden)


def _shown(path: Path) -> str:
    """The path as the repository names it (absolute when it lies outside)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """``golden(path, text)``: assert text equals the file, or write it under --update-goldens."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, text: str) -> None:
        if update:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {_shown(path)}; run: make goldens (pytest -m golden --update-goldens)"
        assert text == path.read_text(encoding="utf-8"), \
            f"{_shown(path)} is stale; run make goldens (pytest -m golden --update-goldens) and review the diff"

    return check


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built as a wheel and installed (no dependencies) into a folder of its own, once.

    Put the folder first on ``PYTHONPATH`` to run the package as users get it: with its entry
    points (the Pygments lexer, the Markdown extension, the console script), which an editable
    install made from an older ``pyproject.toml`` would not declare yet.
    """
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                           cwd=out, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    target = tmp_path_factory.mktemp("site")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                              "--target", str(target), *map(str, out.glob("symcount-*.whl"))],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site built once (``mkdocs build --strict``, as ``make docs``) into a temporary
    folder, for tests/test_site.py and the playground's browser test. Needs mkdocs (the docs extra) and
    node_modules (``npm ci``: KaTeX, Pyodide): skipped on a workstation without them, a failure in CI."""
    needs.module("mkdocs")
    needs.module("material")
    needs.installed(ROOT / "node_modules" / "katex" / "dist" / "katex.min.js", "`npm ci` installs KaTeX; .ci/run runs it")
    needs.installed(ROOT / "node_modules" / "pyodide" / "pyodide.mjs", "`npm ci` installs Pyodide; .ci/run runs it")
    needs.tool("node")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                            "-d", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout + build.stderr
    return out
