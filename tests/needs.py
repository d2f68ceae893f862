"""What a test needs from outside Python's standard library: skip locally, fail in CI.

A workstation without torch, Keras, transformers or pdflatex skips the tests
that need them; CI (where ``CI`` is set and .ci/run installs everything) must
run them, so there a missing requirement is a failure, never a silent skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message + " and CI is set: this test must run there")
    pytest.skip(message)


def tool(name: str) -> str:
    """The path of a command-line tool such as pdflatex."""
    found = shutil.which(name)
    if found:
        return found
    _missing(f"{name} is not installed (.ci/run installs texlive-latex-base, texlive-latex-recommended, "
             "poppler-utils)")
    raise AssertionError("unreachable")  # pragma: no cover


def module(name: str) -> ModuleType:
    """An importable module from the test extra (torch, keras, transformers, ...)."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        _missing(f"{name} cannot be imported ({err}; `make test` installs the test extra)")
        raise AssertionError("unreachable") from None  # pragma: no cover


def installed(path: Path, how: str) -> Path:
    """A file another installer puts in the tree (node_modules/katex by ``npm ci``)."""
    if path.exists():
        return path
    _missing(f"{path} is missing ({how})")
    raise AssertionError("unreachable")  # pragma: no cover
