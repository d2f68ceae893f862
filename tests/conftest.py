"""Shared pytest options: ``--update-goldens`` rewrites golden outputs instead of comparing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden output files from the current code instead of comparing")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """``golden(path, text)``: assert text equals the file, or write it under --update-goldens."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, text: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {path}; run: pytest {request.node.fspath} --update-goldens"
        assert text == path.read_text(encoding="utf-8"), f"{path} differs; review, then rerun with --update-goldens"

    return check
