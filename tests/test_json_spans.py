"""symcount.frameworks.json_spans: every key and value of a JSON text found where it is written."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from symcount.frameworks.json_spans import Span, locate, position

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


def _check(text: str, value: Any, span: Span) -> None:
    """Each span's text reads back as the value it stands for; each key's text as the key."""
    assert json.loads(text[span.start:span.end]) == value
    if isinstance(value, dict):
        assert span.is_object and set(span.keys) == set(value)
        for key, member in value.items():
            start, end = span.keys[key]
            assert json.loads(text[start:end]) == key
            child = span.member(key)
            assert child is not None
            _check(text, member, child)
    elif isinstance(value, list):
        assert [span.member(i) is not None for i in range(len(value))] == [True] * len(value)
        for index, member in enumerate(value):
            child = span.member(index)
            assert child is not None
            _check(text, member, child)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_every_key_and_value_is_found_where_it_is_written(value: Any, indent: int | None, ascii_: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_)
    _check(text, value, locate(text))


def test_the_last_duplicate_key_is_the_one_json_reads() -> None:
    text = '{"a": 1,\n "a": {"b": [true, "x"]}}'
    span = locate(text)
    assert span.keys["a"] == (10, 13)
    member = span.member("a")
    assert member is not None and text[member.start:member.end] == '{"b": [true, "x"]}'


def test_deep_nesting_is_walked_without_recursion() -> None:
    text = "[" * 50_000 + "]" * 50_000
    span = locate(text)
    assert (span.start, span.end) == (0, 100_000)


def test_positions_are_one_based_lines_and_columns() -> None:
    text = '{\n  "key": "value"\n}'
    start = text.index('"key"')
    pos = position(text, start, start + 5)
    assert (pos.line, pos.column, pos.end_line, pos.end_column) == (2, 3, 2, 8)
