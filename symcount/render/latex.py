"""LaTeX for sympy values: digit grouping and upright multi-letter subscripts.

A ``LatexPrinter`` subclass with its own settings (no string post-processing):
``C_in`` prints as ``C_{\\text{in}}``, integers group their digits
(``295{,}168``), and the multiplication sign is a setting.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter


def latex_name(name: str) -> str:
    """``C_in`` -> ``C_{\\text{in}}``, ``k_h`` -> ``k_{h}``, ``heads`` -> ``\\mathit{heads}``."""
    base, _, sub = name.partition("_")
    primes = len(base) - len(base.rstrip("'"))  # C': a layer's own C, renamed (it clashed with the network's)
    base = base.rstrip("'")
    base_tex = (base if len(base) == 1 else rf"\mathit{{{base}}}") + "'" * primes
    if not sub:
        return base_tex
    sub_tex = sub if len(sub) == 1 else rf"\text{{{sub.replace('_', ' ')}}}"
    return f"{base_tex}_{{{sub_tex}}}"


class SymcountLatexPrinter(LatexPrinter):  # type: ignore[misc]  # sympy is untyped: its printers are Any to mypy
    """sympy's LaTeX printer with symcount's typography settings."""

    _default_settings = {
        **LatexPrinter._default_settings,
        "digit_separator": "{,}",
        "group_min": 4,
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        merged = {"mul_symbol": "times", **(settings or {})}
        super().__init__(merged)

    def _print_Integer(self, expr: sympy.Integer) -> str:
        n = int(expr)
        digits = str(abs(n))
        if len(digits) >= self._settings["group_min"]:
            digits = f"{abs(n):,}".replace(",", self._settings["digit_separator"])
        return ("-" if n < 0 else "") + digits

    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        return latex_name(expr.name)


def latex_value(value: Any, **settings: Any) -> str:
    """A count or expression in LaTeX (grouped digits, upright subscripts)."""
    if value is None or value is sympy.nan:
        return "--"
    if isinstance(value, sympy.Basic):
        return str(SymcountLatexPrinter(settings).doprint(value))
    return str(value)
