"""One error type for everything a user can get wrong.

Every mistake in a description, an option or a value ends as a
:class:`SymcountError` that knows the file, line and column it is about, so the
CLI can print ``file:line:col: message``, the source line and a caret, and
never a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from symcount.language.nodes import NOWHERE, Pos


class SymcountError(Exception):
    """A problem with the user's input, located in their text where possible."""

    def __init__(
        self,
        message: str,
        pos: Pos = NOWHERE,
        *,
        filename: str | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        message = bounded(message)
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.filename = filename
        self.source = source
        self.hint = bounded(hint) if hint is not None else None

    @property
    def line(self) -> int:
        return self.pos.line

    @property
    def column(self) -> int:
        return self.pos.column

    def located(self, filename: str, source: str) -> SymcountError:
        """Fill in the file and text if the raiser did not know them."""
        if self.filename is None:
            self.filename = filename
        if self.source is None:
            self.source = source
        return self

    def source_line(self) -> str | None:
        if self.source is None or self.pos.line < 1:
            return None
        lines = self.source.split("\n")  # lines as the parser counts them (not splitlines: \x0c, \x85, U+2028)
        if self.pos.line > len(lines):
            return None
        return lines[self.pos.line - 1]

    def __str__(self) -> str:
        where = self.filename or "<input>"
        head = (
            f"{where}:{self.pos.line}:{self.pos.column}: {self.message}"
            if self.pos.line
            else f"{where}: {self.message}"
        )
        parts = [head]
        line = self.source_line()
        if line is not None:
            width = 1
            if self.pos.end_line == self.pos.line and self.pos.end_column > self.pos.column:
                width = self.pos.end_column - self.pos.column
            shown, offset, width = _window(line, self.pos.column - 1, width)
            parts.append("    " + shown)
            parts.append("    " + " " * offset + "^" * max(1, width))
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


#: Longest value a message echoes (:func:`shorten`), and longest message or hint: a 10,000-character
#: value written by the user comes back cut, not in full.
MAX_ECHO = 80
MAX_MESSAGE = 1000
_LONG_RUN = re.compile(rf"\S{{{MAX_ECHO + 1},}}")


def bounded(text: str) -> str:
    """A message as every error shows it: each run of more than :data:`MAX_ECHO` characters without
    a space (an echoed value: a pasted list, a 10,000-digit number) cut around an ellipsis where it
    stands, then the whole held to :data:`MAX_MESSAGE`; the words around a value are kept."""
    return shorten(_LONG_RUN.sub(lambda run: shorten(run.group()), text), MAX_MESSAGE)


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` as a message echoes it: whole up to ``limit`` characters, else its start and end
    around an ellipsis, so a pasted megabyte is never printed back."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


#: Widest source line an error shows; longer lines are cut around the caret.
SHOWN_WIDTH = 100


def _window(line: str, start: int, width: int) -> tuple[str, int, int]:
    """The part of ``line`` to show, the caret's offset in it and its width.

    One character stays one column (tabs become a space, control characters
    a '?'), so the caret lines up, and a 1 MB line prints as 100 characters.
    """
    if len(line) <= SHOWN_WIDTH:
        return _printable(line), start, width
    first = max(0, min(start - SHOWN_WIDTH // 3, len(line) - SHOWN_WIDTH))
    shown = _printable(line[first:first + SHOWN_WIDTH])
    lead = "..." if first > 0 else ""
    tail = "..." if first + SHOWN_WIDTH < len(line) else ""
    offset = start - first + len(lead)
    return lead + shown + tail, offset, max(1, min(width, SHOWN_WIDTH - (start - first)))


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else (" " if c == "\t" else "?") for c in text)


class UndecidableError(SymcountError):
    """A condition that depends on free symbols: neither true nor false until they have values."""


class UnknownValueError(SymcountError):
    """A ``values=`` / ``--set`` name the description does not have; ``.name`` says which."""

    def __init__(self, name: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.name = name


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The most similar name, for 'did you mean' hints (case-insensitive)."""
    pool = list(choices)
    lowered = {c.lower(): c for c in pool}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    best = closest(word, choices)
    return f"did you mean '{best}'?" if best else None
