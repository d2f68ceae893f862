"""Helpers the layer families share: products, kernel names, argument factories, empty rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from symcount.catalog.core import BIAS, ONE, REQUIRED, SIZE, ZERO, Args, ArgSpec, Tensor
from symcount.catalog.shapes import Shape
from symcount.language import budget
from symcount.language.symbols import is_number

# ---------------------------------------------------------------------------
# small helpers shared by the entries


def prod(values: Any) -> sympy.Expr:
    result: sympy.Expr = ONE
    for v in values:
        result = result * v
    return result


def positions(shape: Shape) -> sympy.Expr:
    """How many places a per-position operation runs at (product of spatial sizes)."""
    return prod(shape.spatial)


def kernel_formula(a: Args) -> str:
    """``k*k`` for a square kernel, ``k_h*k_w`` otherwise (the textbook way)."""
    k = a.k
    if all(x == k[0] or budget.is_zero(x - k[0]) is True for x in k):
        return "*".join(["k"] * len(k))
    return "*".join(_kernel_names(len(k)))


def _kernel_names(d: int) -> list[str]:
    return {1: ["k"], 2: ["k_h", "k_w"], 3: ["k_d", "k_h", "k_w"]}[d]


def kernel_bindings(a: Args) -> dict[str, sympy.Expr]:
    """Formula names for the kernel sizes: ``k`` and ``k_h``, ``k_w`` (``k_d``)."""
    names = _kernel_names(len(a.k))
    out = {"k": a.k[0]}
    out.update(dict(zip(names, a.k, strict=True)))
    return out


def one_if(flag: bool) -> sympy.Expr:
    return ONE if flag else ZERO


# ---------------------------------------------------------------------------
# argument factories


def size(name: str, *aliases: str, symbol: str | None = None, infer: str | None = None,
         default: Any = REQUIRED, doc: str = "") -> ArgSpec:
    return ArgSpec(name, SIZE, default, aliases, symbol, infer, doc=doc)


def bias_arg(default: bool = True) -> ArgSpec:
    return ArgSpec("bias", BIAS, default, ("use_bias",), "b", doc="learn an additive bias")


def divides(d: sympy.Expr, n: sympy.Expr) -> bool | None:
    """Whether d divides n: True/False for numbers, None when symbols decide.

    ``cancel`` (polynomial gcd) decides ``(2*C + 2)/(C + 1)``; ``simplify`` would
    too, but its first call costs ~0.3 s of imports and it is slow on large input.
    """
    q = n / d
    if q.free_symbols and q.is_rational_function():
        q = budget.cancel(q)  # unchanged past the budget: undecided (None)
    if q.free_symbols:
        return None
    return bool(q.is_integer)


def _no_causal(layer: str) -> Callable[[Args], tuple[str, str] | None]:
    """Keras pads "causal" only in 1-D convolutions (Conv1D): anywhere else it is refused, as Keras does."""
    def check(a: Args) -> tuple[str, str] | None:
        if a.get("padding") == "causal":
            return "padding", f'padding="causal" is only for conv1d (Keras Conv1D), not {layer}'
        return None

    return check


def _certain(relation: Any) -> bool:
    """Whether a comparison of sizes is certainly true (symbols leave it open)."""
    return relation is sympy.true


# -- framework gaps: an option one framework lacks is counted the other's way, and said so

def _numbers_above_one(values: Any) -> bool:
    """Some entry is a number above 1 (a symbol may be 1, so it does not count)."""
    return any(is_number(v) and v > 1 for v in values)


def _numeric_padding(a: Args) -> bool:
    return not isinstance(a.padding, str) and any(not is_number(p) or p != 0 for p in a.padding)


def _no_tensors(a: Args, convention: str) -> list[Tensor]:
    return []


def _no_formulas(a: Args, convention: str) -> dict[str, str]:
    return {}


def _zero_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return ZERO


# -- parameterless and shape-only layers -------------------------------------------------

def _identity_shape(a: Args, s: Shape, convention: str) -> Shape:
    return s
