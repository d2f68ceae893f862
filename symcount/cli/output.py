"""Where a verb's result goes: rendered in a format, as JSON, to stdout or a file.

JSON documents carry ``schema`` (``symcount/<verb>``) and ``version`` keys
(``docs/json.md``); numbers are exact: integers as JSON integers, anything
symbolic or fractional as the string of its sympy expression, never a float.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TextIO

import sympy

from symcount.cli.argtypes import exists
from symcount.cli.options import LATEX_STANDALONE
from symcount.errors import SymcountError

EXIT_OK = 0
#: ``check``: the answer is wrong (a verdict, not an error: the output says why)
EXIT_WRONG = 1
EXIT_BAD_INPUT = 2


class Rendered(Protocol):
    """What every symcount result offers (derivations, comparisons, verdicts, reports)."""

    def text(self) -> str: ...

    def markdown(self) -> str: ...

    def latex(self, standalone: bool = False) -> str: ...


def render_as(result: Rendered, fmt: str, standalone: bool = False) -> str:
    """A result in one of the three forms every symcount result offers."""
    if fmt == "latex":
        return str(result.latex(standalone=standalone))
    if fmt == "markdown":
        return str(result.markdown())
    return str(result.text())


def render_report(report: Rendered, fmt: str, standalone: bool) -> str:
    """``render_as`` that also reads ``latex-standalone``, the older spelling of ``latex`` + ``--standalone``."""
    if fmt == LATEX_STANDALONE:
        return render_as(report, "latex", standalone=True)
    return render_as(report, fmt, standalone)


def write_output(text: str, output: str | None, inputs: Iterable[str | None] = ()) -> None:
    """``text`` into the file ``output`` (UTF-8), or on stdout when there is none.

    ``inputs`` are the verb's SOURCE arguments: ``-o`` naming one of them is refused, the
    description is not overwritten by its own derivation."""
    if output:
        path = Path(output)
        if exists(path, "dir"):
            raise SymcountError("is a directory; -o takes a file name", filename=output)
        refuse_overwrite(path, inputs)
        try:
            path.write_text(text, encoding="utf-8")
        except (OSError, ValueError) as err:
            reason = getattr(err, "strerror", None) or str(err)
            raise SymcountError(f"cannot write it: {reason}", filename=output) from None
    else:
        write_text(sys.stdout, text)


def refuse_overwrite(output: Path, inputs: Iterable[str | None]) -> None:
    """Refuse ``-o`` onto an input file: the resolved paths are compared (``./a.sc``, a symlink
    and ``a.sc#net`` all name ``a.sc``); inline descriptions are not files and never match."""
    target = _resolved(output)
    if target is None:
        return
    for given in inputs:
        if not given:
            continue
        for name in {given, given.rpartition("#")[0] or given}:
            if exists(Path(name), "file") and _resolved(Path(name)) == target:
                raise SymcountError(f"is an input ({name}); -o would overwrite it", filename=str(output),
                                    hint="write the output to another file")


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return None


#: What a narrow stdout (cp1252, ASCII) gets for the signs symcount writes; anything else it
#: cannot encode becomes ``?``.
ASCII_FALLBACK: Mapping[str, str] = {
    "−": "-", "–": "-", "—": "--", "×": "x", "·": "*", "→": "->", "≥": ">=", "≤": "<=", "≠": "!=",
    "≈": "~", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "⁻": "^-",
    **{sup: f"^{digit}" for digit, sup in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
}


def printable(text: str, encoding: str | None) -> str:
    """``text`` as a stream in ``encoding`` can take it: unchanged when it encodes, else each
    character it cannot encode as its ASCII fallback, or ``?``."""
    codec = encoding or "utf-8"
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return "".join(_narrow(ch, codec) for ch in text)
    except LookupError:
        return text
    return text


def _narrow(ch: str, codec: str) -> str:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return ASCII_FALLBACK.get(ch, "?")
    return ch


def write_text(stream: TextIO, text: str) -> None:
    """Write on stdout or stderr without a UnicodeEncodeError on a narrow console or a redirect
    under a legacy code page (Windows' cp1252)."""
    stream.write(printable(text, getattr(stream, "encoding", None)))


def exact(value: Any) -> Any:
    """A JSON-ready value: ints stay ints, sympy integers become ints, other expressions
    (symbols, fractions) their sympy string, ``nan`` null; containers are converted item by
    item. A float is refused: symcount's numbers are exact."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, sympy.Basic):
        if value is sympy.nan:
            return None
        return int(value) if value.is_Integer else str(value)
    if isinstance(value, Mapping):
        return {str(k): exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [exact(v) for v in value]
    raise TypeError(f"no exact JSON form for {type(value).__name__}: {value!r}")


def json_document(verb: str, version: int, data: Mapping[str, Any]) -> str:
    """``data`` with its ``schema`` and ``version`` keys, as indented JSON and a newline.

    The two keys come last so that documents which had no version keep their key order."""
    return json.dumps({**data, "schema": f"symcount/{verb}", "version": version}, indent=2) + "\n"
