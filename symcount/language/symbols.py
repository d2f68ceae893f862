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


def as_sympy(value: object) -> sympy.Basic:
    """An int or bool as a sympy Integer, a sympy object as itself; anything else is refused.

    The safe stand-in for ``sympy.sympify``: it never parses text, so no user
    string can become code.
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, (bool, int)):
        return sympy.Integer(int(value))
    raise TypeError(f"expected a number or a sympy expression, not {type(value).__name__}")
