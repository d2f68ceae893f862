"""The argument types every verb shares: ``--set`` pairs, a SOURCE, whole numbers.

Bad input raises :class:`~symcount.errors.SymcountError` (reported as
``file:line:col: message``, exit 2) rather than argparse's usage error, so a
mistyped value reads like any other symcount error; :func:`whole_number` is an
argparse ``type=`` and reports through argparse, as it always has.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import sympy

from symcount import api
from symcount.errors import SymcountError, shorten
from symcount.language.symbols import sym


def parse_set(items: Sequence[str] | None) -> dict[str, str]:
    """``--set NAME=VALUE`` pairs (values are parsed later by the expression grammar)."""
    values: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not value.strip():
            raise SymcountError(f"--set expects NAME=VALUE, got '{shorten(item)}'")
        values[name] = value.strip()
    return values


def source_arg(text: str, origin: str | None = None) -> api.Source:
    """A SOURCE argument: an existing path (``path#network`` too), else inline text.

    Any path that exists is read as a file, not only a regular one: ``/dev/null`` or a pipe is then
    refused by the reader ("not a regular file"), never counted as the text "/dev/null".

    ``origin`` is ``--from``: ``"python"`` makes inline text model code, ``"description"`` keeps it
    a description even when it has Python's ``import`` lines.
    """
    if not text.strip():
        raise SymcountError("the description is empty",
                            hint='give a .sc file or the description itself, e.g. "conv2d(C_in=3, C_out=8, k=3)"')
    candidate = Path(text)
    base = text.rpartition("#")[0] if "#" in text else None
    if text.endswith((".sc", ".py", ".json", ".safetensors")) or exists(candidate, "file") \
            or (base and exists(Path(base), "file")) or (exists(candidate, "any") and not exists(candidate, "dir")):
        _check_origin(candidate, origin)
        return candidate
    if origin == "python":
        return api.PythonCode(text)
    if exists(candidate, "dir"):
        raise SymcountError("is a directory, not a description file", filename=text)
    if "\n" not in text and "/" in text and not exists(candidate, "any") \
            and "(" not in text:
        raise SymcountError("no such file", filename=text)
    return api.DescriptionText(text) if origin == "description" else text


def _check_origin(path: Path, origin: str | None) -> None:
    """``--from`` says what pasted text is; a file is read by its name (``.py``: model code), so a
    ``--from`` that says otherwise would be ignored: refused instead."""
    is_code = (path.name.rpartition("#")[0] if "#" in path.name else path.name).endswith(".py")
    if origin == "python" and not is_code or origin == "description" and is_code:
        raise SymcountError(f"--from {origin}: {path} is read by its name, as "
                            f"{'Python model code' if is_code else 'a description'}",
                            hint="--from is for pasted text; leave it out with a file")


def exists(path: Path, kind: str) -> bool:
    """``Path.is_file`` / ``is_dir`` / ``exists`` for any text: a description
    is not a valid file name (too long, NUL bytes), and that means 'no'."""
    try:
        return {"file": path.is_file, "dir": path.is_dir, "any": path.exists}[kind]()
    except (OSError, ValueError):
        return False


def whole_number(text: str) -> int:
    """An argparse ``type=`` for counts such as ``--variants 10``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{shorten(text)}'") from None
    return value


def batch_value(text: str) -> int | sympy.Symbol:
    """``--batch``: a whole number of at least 1, or a name (a symbol such as ``B``)."""
    stripped = text.strip()
    if stripped.isidentifier():
        return sym(stripped)
    try:
        value = int(stripped)
    except ValueError:
        value = 0
    if value < 1:
        raise SymcountError(f"--batch must be a whole number of at least 1 or a symbol, not '{text}'",
                            hint="e.g. --batch 64, or --batch B for the batch as a symbol")
    return value
