"""Comparing and writing sizes: equal sizes with symbols and floors, shapes written the framework's way."""

from __future__ import annotations

import sympy

from symcount.catalog.core import lookup
from symcount.catalog.shapes import Shape
from symcount.language import budget, nodes


def _same_sizes(a: tuple[sympy.Expr, ...], b: tuple[sympy.Expr, ...]) -> bool:
    return len(a) == len(b) and all(same_size(x, y) for x, y in zip(a, b, strict=True))


#: Largest period (lcm of floor/ceiling denominators) checked value by value.
MAX_SIZE_PERIOD = 1024


def same_size(x: sympy.Expr, y: sympy.Expr) -> bool:
    """Whether two sizes are equal for every integer value of their symbols.

    ``simplify`` cannot see that ``floor((H - 1)/2) + 1`` (a 3x3 conv, stride 2,
    padding 1) equals ``ceiling(H/2)`` (a 1x1 conv, stride 2, "same"), and it is
    slow on floors. Sizes of one symbol H built from floor/ceiling of linear
    forms (nested too) are quasi-linear: with P the product of the denominators
    inside the floors, each floor grows by a fixed integer when H grows by P, so
    the difference of two sizes is P-periodic once their slopes agree, and
    agreeing at P + 1 consecutive integers forces both. Checking H = 1 .. P + 1
    is then a proof, not a sample. Anything else falls back to ``simplify``.
    """
    if x == y:
        return True
    diff = sympy.expand(x - y)
    if diff == 0:
        return True
    period = _floor_period(diff)
    if period is None:
        return budget.is_zero(diff) is True
    (symbol,) = diff.free_symbols
    return all(diff.xreplace({symbol: sympy.Integer(n)}) == 0 for n in range(1, period + 2))


def _floor_period(diff: sympy.Expr) -> int | None:
    """P for :func:`same_size`'s proof, or None when the proof does not apply.

    A floor of ``a*H + sum(c_j * B_j) + b`` (B_j inner floors, denominators
    dividing q) grows by an integer when H grows by q times the lcm of the inner
    periods; P is the lcm of those periods over all floors.
    """
    if len(diff.free_symbols) != 1 or not diff.has(sympy.floor, sympy.ceiling) or diff.has(sympy.Piecewise):
        return None
    (symbol,) = diff.free_symbols
    periods: dict[sympy.Expr, int] = {}

    def period_of(atom: sympy.Expr) -> int | None:
        if atom in periods:
            return periods[atom]
        inner = list(atom.args[0].atoms(sympy.floor, sympy.ceiling))
        stand_ins = {a: sympy.Dummy() for a in inner}
        form = sympy.expand(atom.args[0].xreplace(stand_ins))
        variables = [symbol, *stand_ins.values()]
        if not form.is_polynomial(*variables) or sympy.Poly(form, *variables).total_degree() > 1:
            return None
        coeffs = sympy.Poly(form, *variables).coeffs()
        if not all(c.is_Rational for c in coeffs):
            return None
        q = int(sympy.ilcm(1, *(c.q for c in coeffs)))
        inner_period = 1
        for a in inner:
            p = period_of(a)
            if p is None:
                return None
            inner_period = int(sympy.ilcm(inner_period, p))
        result = q * inner_period
        if result > MAX_SIZE_PERIOD:
            return None
        periods[atom] = result
        return result

    period = 1
    for atom in diff.atoms(sympy.floor, sympy.ceiling):
        p = period_of(atom)
        if p is None:
            return None
        period = int(sympy.ilcm(period, p))
        if period > MAX_SIZE_PERIOD:
            return None
    return period


def shapes_equal(a: Shape, b: Shape) -> bool:
    if (a.channels is None) != (b.channels is None):
        return False
    if a.channels is not None and b.channels is not None and budget.is_zero(a.channels - b.channels) is not True:
        return False
    return _same_sizes(a.spatial, b.spatial)


def fmt_dims(dims: tuple[sympy.Expr, ...]) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _written(value: nodes.Expr) -> str:
    """A value a wrapper got instead of a layer call, in words."""
    if isinstance(value, nodes.Name):
        return f"the name {value.id}" + (" (call it: a layer is made by calling its class)"
                                          if lookup(value.id) is not None else "")
    if isinstance(value, nodes.Str):
        return f'the string "{value.value}"'
    if isinstance(value, nodes.TupleExpr):
        return "a list or tuple"
    return "a value"


def fmt_shape(shape: Shape | None, convention: str) -> str:
    if shape is None:
        return "(unknown)"
    return fmt_dims(shape.layout(convention))
