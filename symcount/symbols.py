"""The one place sympy symbols are made.

Every size in a description is a positive integer, and saying so to sympy lets
it simplify ``floor((H + 2 - 3)/1) + 1`` to ``H``. Symbols are cached by name so
the same name is always the same object (sympy keys printer settings by the
symbol, assumptions included).
"""

from __future__ import annotations

import functools

import sympy


@functools.cache
def sym(name: str) -> sympy.Symbol:
    """The symbol for a size called ``name`` (a positive integer)."""
    return sympy.Symbol(name, positive=True, integer=True)


def is_number(value: object) -> bool:
    """True for a sympy number with no free symbols."""
    return isinstance(value, sympy.Basic) and not value.free_symbols and value.is_number


def as_int(value: sympy.Expr) -> int | None:
    """The Python int of an integral sympy number, else None."""
    if is_number(value) and value.is_integer:
        return int(value)
    return None
