"""How numbers and expressions read in plain text: digit grouping, exact forms."""

from __future__ import annotations

from typing import Any

import sympy

from symcount.language import budget


def group_digits(n: int, separator: str = ",") -> str:
    """``295168`` -> ``295,168``."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", separator)


def text_value(value: Any, separator: str = ",") -> str:
    """A cell: grouped integers, expressions in sympy's plain form, '-' for unknown."""
    if value is None:
        return "-"
    if isinstance(value, sympy.Basic):
        if value is sympy.nan:
            return "-"
        if value.is_Integer:
            return group_digits(int(value), separator)
        return budget.text(value)  # sympy's plain form; a very wide sum unsorted (see budget)
    if isinstance(value, tuple):
        return "(" + ", ".join(text_value(v, separator="") for v in value) + ")"
    return str(value)
