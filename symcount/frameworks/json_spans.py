"""Where each key and value of a JSON text is, so an error about a key can point at it.

``json.loads`` gives values and no positions, and its ``object_pairs_hook`` is called
without offsets; a search for ``"key":`` in the text finds the first such key anywhere
(a nested object's, an earlier duplicate that JSON discards, a string that looks like
one). :func:`locate` walks the text once more, after ``json.loads`` has accepted it, and
records for every object the span of each key and of its value, for every array the
span of each item: the same tree as the value, the last duplicate winning as it does in
``json.loads``. The walk keeps its own stack (no recursion), so any text ``json.loads``
accepted is walked whatever its depth.
"""

from __future__ import annotations

import json.decoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from symcount.language.nodes import Pos

#: json's own string reader (typeshed does not list it): the string's value and the offset after it
scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")
#: a number or a literal, as json.loads accepts them (NaN and Infinity included)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


@dataclass
class Span:
    """One value: where it starts and ends (offsets into the text), and for an object or an array
    where its keys are and its members' spans (an array's by index)."""

    start: int
    end: int = -1
    is_object: bool = False
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    members: dict[str | int, Span] = field(default_factory=dict)
    _pending: str = ""

    def member(self, key: str | int) -> Span | None:
        """The span of a key's value (an index's item in an array), if there is one."""
        return self.members.get(key)


def locate(text: str) -> Span:
    """The spans of a JSON text that ``json.loads`` has accepted."""
    stack: list[Span] = []
    root: Span | None = None
    expect_key = False
    at = 0
    while True:
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]  # the pattern matches the empty string
        if at >= len(text):
            break
        char = text[at]
        if char in "}]":
            stack.pop().end = at + 1
            at += 1
            continue
        if char == ",":
            expect_key = stack[-1].is_object
            at += 1
            continue
        if char == ":":
            at += 1
            continue
        if char == '"':
            value, end = scanstring(text, at + 1)
            if expect_key:
                stack[-1].keys[value] = (at, end)
                stack[-1]._pending = value
                expect_key = False
                at = end
                continue
            span = Span(at, end)
        elif char in "{[":
            span = Span(at, is_object=char == "{")
            end = at + 1
        else:
            found = _SCALAR.match(text, at)
            end = found.end() if found else at + 1
            span = Span(at, end)
        if stack:
            parent = stack[-1]
            parent.members[parent._pending if parent.is_object else len(parent.members)] = span
        else:
            root = span
        if char in "{[":
            stack.append(span)
            expect_key = char == "{"
        at = end
    return root if root is not None else Span(0, len(text))


def position(text: str, start: int, end: int) -> Pos:
    """The line and column of ``text[start:end]``, 1-based, as the error printer counts lines."""
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    end_line = line + text.count("\n", start, end)
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    return Pos(line, column, end_line, end_column)
