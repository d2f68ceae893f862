"""One-line Unicode for sympy values: ``25C² + C``, ``k²·C_in·C_out``, ``33,024``.

A ``StrPrinter`` subclass (no string post-processing): small integer powers
become superscripts, a numeric coefficient stands next to its symbol, other
factors are joined by a middle dot, and integers group their digits. The
result reads like a textbook line in a terminal and stays on one line, unlike
sympy's two-dimensional pretty printer.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from symcount.language import budget

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class UnicodePrinter(StrPrinter):  # type: ignore[misc]  # sympy is untyped: its printers are Any to mypy
    """sympy's str printer with superscript powers, middle dots and digit grouping."""

    _default_settings = {**StrPrinter._default_settings, "digit_separator": ",", "times": "·"}

    def _print_Integer(self, expr: sympy.Integer) -> str:
        n = int(expr)
        return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", self._settings["digit_separator"])

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and int(exp) >= 2:
            return self.parenthesize(base, PRECEDENCE["Pow"], strict=True) + str(int(exp)).translate(_SUPERSCRIPTS)
        if exp.is_Integer and int(exp) < 0:
            return "1/" + self.parenthesize(base ** (-exp), PRECEDENCE["Mul"], strict=True)
        return str(super()._print_Pow(expr, rational))

    def _factors(self, factors: list[sympy.Expr]) -> str:
        """Factors in sympy's order; a leading number stands right next to a symbol."""
        coeff = sympy.Integer(1)
        rest: list[sympy.Expr] = []
        for f in factors:
            if f.is_Number:
                coeff *= f
            else:
                rest.append(f)
        parts = [self.parenthesize(f, PRECEDENCE["Mul"], strict=False) for f in rest]
        body: str = self._settings["times"].join(parts)
        if coeff == 1:
            return body or "1"
        number: str = self._print(coeff)
        if not body:
            return number
        return number + body if body[0].isalpha() or body[0] == "(" else number + self._settings["times"] + body

    def _print_Mul(self, expr: sympy.Mul) -> str:
        coeff, _ = expr.as_coeff_Mul()
        if coeff.is_negative:
            return "-" + self.parenthesize(-expr, PRECEDENCE["Mul"], strict=False) \
                if not (-expr).is_Add else "-(" + self._print(-expr) + ")"
        numer, denom = sympy.fraction(expr, exact=True)
        top = self._factors(list(sympy.Mul.make_args(numer)))
        if denom == 1:
            return top
        bottom = self._factors(list(sympy.Mul.make_args(denom)))
        if denom.is_Mul:
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return f"{self._print(sympy.Integer(expr.p))}/{self._print(sympy.Integer(expr.q))}"

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if isinstance(item, sympy.Basic) and item.is_Add and level >= PRECEDENCE["Mul"]:
            return f"({self._print(item)})"
        if isinstance(item, sympy.Basic) and (precedence(item) < level or (strict and precedence(item) <= level)):
            return f"({self._print(item)})"
        return str(self._print(item))


def unicode_value(value: Any, **settings: Any) -> str:
    """A count or expression on one line of Unicode text."""
    if value is None or value is sympy.nan:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, sympy.Basic):
        if budget.too_wide_to_sort(value):
            settings = {**settings, "order": "none"}
        return str(UnicodePrinter(settings).doprint(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(unicode_value(v, digit_separator="") for v in value) + ")"
    return str(value)
