"""The one Style: which format a text is written in, and its typography.

A Style says what a writer needs to know about the output: the format's
``name`` (``text``, ``markdown``, ``latex``), the multiplication sign, the digit
separators, and how plain words are escaped there (:mod:`symcount.render.escape`).
The formula writers (:mod:`symcount.render.formula`) read the typography; the
sentence helpers below (a value, a relation, a name inside a sentence) read the
format, so the modules that build sentences never branch on it themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy

from symcount.errors import SymcountError
from symcount.render.escape import ESCAPERS
from symcount.render.latex import latex_name, latex_value
from symcount.render.unicode import unicode_value

#: multiplication sign: (LaTeX, text)
MUL_SIGNS = {"times": (r"\times", "×"), "cdot": (r"\cdot", "·")}
#: relations as LaTeX writes them
_RELATIONS = {"≥": r"\geq", "≤": r"\leq", "=": "=", ">": ">", "<": "<", "≠": r"\neq"}

#: What a LaTeX digit separator may be made of: punctuation, braces and TeX's spacing commands, so a
#: separator cannot read a file (``\input``), write one or break out of the math it sits in.
_SAFE_SEPARATOR = re.compile(r"(?:[,.'~ {}]|\\[,;:! ]|\\(?:thinspace|enspace|nobreakspace|quad)(?![A-Za-z]))*")


def check_separator(separator: str) -> None:
    """Refuse a digit separator that is not spacing or punctuation (at most 40 characters, braces balanced)."""
    depth = 0
    for char in separator:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if len(separator) > 40 or depth != 0 or not _SAFE_SEPARATOR.fullmatch(separator):
        raise SymcountError(f"digit separator {separator[:40]!r}: a separator is punctuation or TeX spacing",
                            hint=r"e.g. {,} (the default), \, (a thin space), '' (none), ' or ~")


@dataclass(frozen=True)
class Style:
    """An output format and its typography (one class for every writer)."""

    name: str = "text"  # the format: "text", "markdown" or "latex"
    mul: str = "times"  # "times" or "cdot"
    separator: str = "{,}"  # LaTeX digit separator
    text_separator: str = ","  # plain-text digit separator
    group_min: int = 4  # group numbers with at least this many digits

    def __post_init__(self) -> None:
        if self.mul not in MUL_SIGNS:
            raise SymcountError(f"unknown multiplication sign '{self.mul}' (valid: {', '.join(MUL_SIGNS)})")
        check_separator(self.separator)

    @property
    def math(self) -> bool:
        """Whether math is written in LaTeX (markdown's ``$...$`` and LaTeX) rather than Unicode text."""
        return self.name != "text"

    @property
    def times(self) -> str:
        """The multiplication sign in this format."""
        return MUL_SIGNS[self.mul][0 if self.math else 1]

    def value(self, expr: Any) -> str:
        """An expression inside a sentence."""
        if not self.math:
            return unicode_value(expr)
        return f"${latex_value(expr, mul_symbol=None)}$"

    def bare(self, expr: Any) -> str:
        """An expression inside a math block."""
        return latex_value(expr, mul_symbol=None) if self.math else unicode_value(expr)

    def relation(self, left: Any, op: str, right: Any) -> str:
        """``left op right`` inside a sentence (``C ≥ 1``, ``$C \\geq 1$``)."""
        if not self.math:
            return f"{unicode_value(left)} {op} {unicode_value(right)}"
        return f"${latex_value(left, mul_symbol=None)} {_RELATIONS[op]} {latex_value(right, mul_symbol=None)}$"

    def symbol(self, s: sympy.Symbol) -> str:
        """A name inside a sentence."""
        return f"${latex_name(s.name)}$" if self.math else s.name

    def escape(self, text: str) -> str:
        """Plain words (labels, file names) made safe for the format."""
        return ESCAPERS.get(self.name, str)(text)

    def note(self, text: str) -> str:
        """A remark in words after a formula (`` (text)`` or ``\\text{ (text)}``)."""
        return rf" \text{{ ({text})}}" if self.math else f" ({text})"
