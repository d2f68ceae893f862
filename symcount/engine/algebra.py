"""Signs and zeros of count expressions over the sizes they can take.

Every size is a positive integer and a bias indicator is 0 or 1; these
helpers answer "is this difference always positive?", "for which C does it
change sign?" and "where is it zero?" for that domain, which is what a
what-if comparison and an answer check both need. They work on polynomials
and rational functions (what parameter counts are); anything else (floor,
Piecewise) is reported as undecided rather than guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import sympy

from symcount.engine.count import Count
from symcount.language import budget
from symcount.language.symbols import is_number

#: Values each size takes in a table of cases (small, then typical, then large).
CASE_VALUES = (1, 2, 3, 4, 16, 64)
BINARY = (0, 1)
#: Most bias indicators the strict-sign test tries every 0/1 combination of (2^n cases).
MAX_BIAS_SYMBOLS = 10


def too_big(expr: sympy.Expr) -> bool:
    """True when ``expr`` is too large a polynomial to factor or solve quickly (see
    :mod:`symcount.language.budget`): too many symbols, terms, digits or too high a degree, or too
    many terms after the ``1 + y`` shift."""
    return not budget.affordable(expr) or too_big_to_shift(expr)


def too_big_to_shift(expr: sympy.Expr) -> bool:
    """True when writing each size as ``1 + y`` would make more than MAX_SHIFTED_TERMS terms, or
    a power passes the degree limit. Shifting and reading the coefficients costs what the terms
    do, so this is the only limit the strict-sign test needs (60 symbols are fine)."""
    total = 0
    for term in sympy.Add.make_args(expr):
        size = 1
        for base, exponent in term.as_powers_dict().items():
            if base.free_symbols:
                if exponent.is_Integer and abs(exponent) > budget.MAX_ALGEBRA_DEGREE:
                    return True
                size *= int(exponent) + 1 if exponent.is_Integer and exponent > 0 else 2
        total += size
        if total > budget.MAX_SHIFTED_TERMS:
            return True
    return False


def bias_symbols(*counts: Count) -> set[sympy.Symbol]:
    """Symbols that stand for a bias indicator (0 or 1) in these counts."""
    found: set[sympy.Symbol] = set()
    for result in counts:
        for layer in result.layers:
            if layer.entry is None or layer.args is None:
                continue
            for spec in layer.entry.args:
                if spec.kind == "bias":
                    value = layer.args.get(spec.name)
                    if isinstance(value, sympy.Symbol):
                        found.add(value)
    return found


def sorted_symbols(expr: sympy.Expr) -> list[sympy.Symbol]:
    return sorted(expr.free_symbols, key=lambda s: s.name)


def _strict_sign_positive_domain(expr: sympy.Expr, symbols: Sequence[sympy.Symbol]) -> int | None:
    """+1 / -1 when a polynomial keeps a strict sign for all sizes >= 1, else None.

    Writing each size as 1 + y with y >= 0: if every coefficient of the shifted
    polynomial has the same sign and the constant term is nonzero, the sign is
    that sign everywhere (a sufficient test, exact and cheap).
    """
    if not symbols:
        value = sympy.nsimplify(expr)
        if not is_number(value):
            return None
        return 1 if value > 0 else (-1 if value < 0 else 0)
    if too_big_to_shift(expr) or not expr.is_polynomial(*symbols):
        return None
    shifted = sympy.expand(expr.xreplace({s: s + 1 for s in symbols}))
    coeffs = shifted.as_coefficients_dict()
    if any(not c.is_Rational for c in coeffs.values()) or any(
            not k.is_number and not k.is_polynomial(*symbols) for k in coeffs):
        return None
    constant = coeffs.get(sympy.Integer(1), sympy.Integer(0))
    if constant > 0 and all(c >= 0 for c in coeffs.values()):
        return 1
    if constant < 0 and all(c <= 0 for c in coeffs.values()):
        return -1
    return None


def strict_sign(expr: sympy.Expr, binary: AbstractSet[sympy.Symbol] = frozenset()) -> int | None:
    """The sign of ``expr`` when it is the same for every allowed value, else None (0 for zero)."""
    if too_big_to_shift(expr):
        return None
    if not expr.is_polynomial():  # a quotient: cancelled first, within the budget
        if not budget.affordable(expr):
            return None
        expr = sympy.cancel(sympy.together(expr))
    if expr == 0:
        return 0
    numer, denom = sympy.fraction(expr)
    signs: list[int] = []
    for part in (numer, denom):
        bits = [s for s in sorted_symbols(part) if s in binary]
        if len(bits) > MAX_BIAS_SYMBOLS:  # 2^bits cases: past it, undecided
            return None
        sizes = [s for s in sorted_symbols(part) if s not in binary]
        seen: set[int | None] = set()
        for combo in itertools.product(BINARY, repeat=len(bits)):
            seen.add(_strict_sign_positive_domain(part.xreplace(dict(zip(bits, combo, strict=True))), sizes))
        sign = seen.pop() if len(seen) == 1 else None
        if not sign:  # several signs, no strict sign (None) or zero
            return None
        signs.append(sign)
    return signs[0] * signs[1]


def sign_at(expr: sympy.Expr, point: Mapping[sympy.Symbol, int]) -> int | None:
    """The sign at one point, or None where the expression is undefined."""
    value = expr.xreplace({s: sympy.Integer(v) for s, v in point.items()})
    if not is_number(value) or value.has(sympy.zoo, sympy.nan):
        return None
    return 1 if value > 0 else (-1 if value < 0 else 0)


@dataclass(frozen=True)
class Segment:
    """Integers lo..hi (hi None: no upper end) where the expression has one sign."""

    lo: int
    hi: int | None
    sign: int


def segments(expr: sympy.Expr, x: sympy.Symbol, binary: AbstractSet[sympy.Symbol] = frozenset()
             ) -> list[Segment] | None:
    """The sign of a one-symbol rational function over x = 1, 2, 3, ... (or 0, 1 for a bias).

    Between consecutive real roots of numerator and denominator the sign is
    constant, so testing the integers on either side of each root tells the
    whole story; the last sign lasts forever. None when it is not rational in x.
    """
    if x in binary:
        return _merge([Segment(v, v, s) for v in BINARY if (s := sign_at(expr, {x: v})) is not None])
    together = sympy.cancel(sympy.together(expr))
    numer, denom = sympy.fraction(together)
    if not (numer.is_polynomial(x) and denom.is_polynomial(x)):
        return None
    roots: list[sympy.Expr] = []
    for part in (numer, denom):
        if part.free_symbols:
            roots.extend(sympy.Poly(part, x).real_roots())
    points = {1}
    for r in roots:
        f = int(sympy.floor(r))
        points.update(p for p in (f, f + 1) if p >= 1)
    ordered = sorted(points)
    found: list[Segment] = []
    for i, p in enumerate(ordered):
        s = sign_at(together, {x: p})
        if s is None:
            continue
        nxt = ordered[i + 1] - 1 if i + 1 < len(ordered) else None
        if s == 0:
            found.append(Segment(p, p, 0))
            if nxt is not None and nxt > p:  # pragma: no cover - roots bracket themselves
                found.append(Segment(p + 1, nxt, sign_at(together, {x: p + 1}) or 0))
        else:
            found.append(Segment(p, nxt, s))
    return _merge(found)


def _merge(parts: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in parts:
        if merged and merged[-1].sign == seg.sign and merged[-1].hi is not None and merged[-1].hi + 1 == seg.lo:
            merged[-1] = Segment(merged[-1].lo, seg.hi, seg.sign)
        else:
            merged.append(seg)
    return merged


def _fit_inequality(size: sympy.Expr) -> sympy.Expr | None:
    """``g`` with ``size >= 1`` exactly when ``g >= 0``: a rational size as it is, and a strided one
    ``floor(q) + m`` as ``q - (1 - m)`` (``floor(q) >= k`` is ``q >= k`` for a whole ``k``); None otherwise."""
    floors = [t for t in sympy.Add.make_args(size) if isinstance(t, sympy.floor)]
    if not floors:
        return size - 1
    rest = size - floors[0]
    if len(floors) == 1 and rest.is_Integer:
        return floors[0].args[0] - (1 - rest)
    return None


def fit_segments(sizes: Sequence[sympy.Expr], x: sympy.Symbol, binary: AbstractSet[sympy.Symbol] = frozenset()
                 ) -> list[Segment] | None:
    """Where every one of ``sizes`` (each a function of ``x`` alone) is >= 1: segments of ``x`` with sign
    1 (the layers fit) or -1 (one does not); None when a size is not of a form solved exactly."""
    parts: list[list[Segment]] = []
    for size in sizes:
        g = _fit_inequality(size)
        segs = None if g is None else segments(g, x, binary)
        if segs is None:
            return None
        parts.append(segs)
    points = sorted({seg.lo for segs in parts for seg in segs} | {seg.hi + 1 for segs in parts for seg in segs
                                                                  if seg.hi is not None})
    found: list[Segment] = []
    for i, p in enumerate(points):
        ok = all(next((seg.sign >= 0 for seg in segs if seg.lo <= p and (seg.hi is None or p <= seg.hi)), False)
                 for segs in parts)
        found.append(Segment(p, points[i + 1] - 1 if i + 1 < len(points) else None, 1 if ok else -1))
    return _merge(found)


def fits_at(sizes: Sequence[sympy.Expr], point: Mapping[sympy.Symbol, int]) -> bool:
    """Whether every size is >= 1 at a point that gives each of its symbols a value."""
    for size in sizes:
        value = size.xreplace({s: sympy.Integer(v) for s, v in point.items()})
        if is_number(value) and value < 1:
            return False
    return True


@dataclass(frozen=True)
class SignAnalysis:
    """What decides the sign of a difference.

    ``constant`` is +1/-1/0 when the sign never changes; ``symbol`` and
    ``segments`` describe a one-symbol threshold; otherwise ``depends_on``
    names the symbols that matter and ``cases`` holds a small table.
    """

    constant: int | None
    symbol: sympy.Symbol | None = None
    segments: tuple[Segment, ...] = ()
    depends_on: tuple[sympy.Symbol, ...] = ()
    cases: tuple[tuple[tuple[int, ...], int | None], ...] = ()
    deciding: sympy.Expr | None = None
    #: why the sign was not decided (past the algebra budget), None when it was analysed
    undecided: str | None = None


def analyse_sign(expr: sympy.Expr, binary: AbstractSet[sympy.Symbol] = frozenset()) -> SignAnalysis:
    """Sign of ``expr`` over all allowed values: constant, a threshold, or a table of cases."""
    expanded = sympy.expand(expr)
    if expanded == 0:
        return SignAnalysis(0)
    constant = strict_sign(expanded, binary)
    if constant is not None:
        return SignAnalysis(constant, deciding=expanded)
    reason = budget.why_not(expanded) or ("too many terms once each size is written 1 + y"
                                          if too_big_to_shift(expanded) else None)
    if reason is not None:  # undecided, without the table: each case would cost sympy seconds
        return SignAnalysis(None, None, (), tuple(sorted_symbols(expanded)), (), expanded, undecided=reason)
    expr = sympy.cancel(sympy.together(expanded))
    numer, denom = sympy.fraction(expr)
    if too_big(numer) or too_big(denom):
        symbols = tuple(sorted_symbols(expr))
        return SignAnalysis(None, None, (), symbols, table_of_cases(expr, symbols, binary), expr)
    sign = strict_sign(denom, binary) or 1
    try:
        coeff, factors = sympy.factor_list(numer)
    except sympy.PolynomialError:  # floor, powers with a symbolic exponent: not a polynomial
        symbols = tuple(sorted_symbols(expr))
        return SignAnalysis(None, None, (), symbols, table_of_cases(expr, symbols, binary), expr)
    sign *= 1 if coeff > 0 else -1
    varying: list[sympy.Expr] = []
    for factor, power in factors:
        s = strict_sign(factor, binary)
        if s is None:
            varying.append(factor**power)
        else:
            sign *= s**power
    deciding = sign * sympy.Mul(*varying) if varying else expr
    symbols = tuple(sorted_symbols(deciding))
    if len(symbols) == 1:
        segs = segments(deciding, symbols[0], binary)
        if segs is not None:
            if len({seg.sign for seg in segs}) == 1:
                return SignAnalysis(segs[0].sign, symbols[0], tuple(segs), symbols, deciding=deciding)
            return SignAnalysis(None, symbols[0], tuple(segs), symbols, deciding=deciding)
    return SignAnalysis(None, None, (), symbols, table_of_cases(deciding, symbols, binary), deciding)


def case_values(symbols: Sequence[sympy.Symbol], binary: AbstractSet[sympy.Symbol]) -> list[tuple[int, ...]]:
    """The grid of a table of cases: a few values per symbol, at most 64 rows."""
    per = CASE_VALUES if len(symbols) <= 2 else (1, 4, 64) if len(symbols) == 3 else (1, 64)
    axes = [BINARY if s in binary else per for s in symbols]
    return list(itertools.islice(itertools.product(*axes), 64))


def table_of_cases(expr: sympy.Expr, symbols: Sequence[sympy.Symbol], binary: AbstractSet[sympy.Symbol]
                   ) -> tuple[tuple[tuple[int, ...], int | None], ...]:
    return tuple((combo, sign_at(expr, dict(zip(symbols, combo, strict=True))))
                 for combo in case_values(symbols, binary))


def readable(expr: sympy.Expr) -> sympy.Expr:
    """The form of an expression that reads best: expanded, factored or cancelled.

    Fewest operations wins, then the shortest text; ties keep the expanded
    form (a sum of terms is how counts are usually written).
    """
    if not isinstance(expr, sympy.Basic) or is_number(expr):
        return expr
    reason = budget.why_not(expr)
    if reason is not None:  # past the budget: as it is (expanding a quotient would spread it out)
        budget.skipped(reason)
        return expr
    candidates = [sympy.expand(expr)]
    if too_big(candidates[0]) or not budget.affordable(expr):
        return candidates[0]
    for make in (sympy.factor, sympy.cancel, lambda e: sympy.expand(sympy.cancel(e))):
        try:
            candidates.append(make(expr))
        except (sympy.PolynomialError, TypeError, ValueError):  # pragma: no cover - floor and friends
            continue
    return min(candidates, key=lambda e: (sympy.count_ops(e), len(sympy.sstr(e))))


def zeros(expr: sympy.Expr, binary: AbstractSet[sympy.Symbol] = frozenset()
          ) -> list[sympy.Eq] | None:
    """Conditions under which ``expr`` is zero (any one suffices), or None if undecided.

    The numerator is factored; a factor that keeps a strict sign is never
    zero; a bias indicator can be 0; a one-symbol factor is zero at its
    positive integer roots; a factor linear in some size is solved for it.
    """
    expr = sympy.expand(expr)
    if too_big(expr):
        return None
    expr = sympy.cancel(sympy.together(expr))
    if expr == 0:
        return []
    numer, _ = sympy.fraction(expr)
    if too_big(numer):
        return None
    try:
        _, factors = sympy.factor_list(numer)
    except sympy.PolynomialError:
        return None
    found: list[sympy.Eq] = []
    for factor, _power in factors:
        if strict_sign(factor, binary) is not None:
            continue
        symbols = sorted_symbols(factor)
        if len(symbols) == 1:
            x = symbols[0]
            if x in binary:
                found.extend(sympy.Eq(x, v, evaluate=False) for v in BINARY if sign_at(factor, {x: v}) == 0)
                continue
            try:
                roots = sympy.Poly(factor, x).real_roots()
            except sympy.PolynomialError:  # 2^x, floor(x/2): no polynomial roots to look for
                found.append(sympy.Eq(factor, 0, evaluate=False))
                continue
            found.extend(sympy.Eq(x, r, evaluate=False) for r in roots if r.is_Integer and r >= 1)
            continue
        solved = _solve_linear(factor, symbols)
        if solved is None:
            found.append(sympy.Eq(factor, 0, evaluate=False))
        else:
            found.append(solved)
    return found


def _solve_linear(factor: sympy.Expr, symbols: Iterable[sympy.Symbol]) -> sympy.Eq | None:
    """``x = rest`` for a size x the factor is linear in, with a monomial coefficient."""
    best: sympy.Eq | None = None
    for x in symbols:
        try:
            poly = sympy.Poly(factor, x)
        except sympy.PolynomialError:  # x^y, 2^x, floor(x/y): not linear in x
            continue
        if poly.degree() != 1:
            continue
        a, c = poly.all_coeffs()
        if len(sympy.Add.make_args(a)) != 1:
            continue
        solution = sympy.cancel(-c / a)
        if strict_sign(solution) == -1:
            continue
        candidate = sympy.Eq(x, solution, evaluate=False)
        if best is None or _simpler(candidate.rhs, best.rhs):
            best = candidate
    return best


def _simpler(a: sympy.Expr, b: sympy.Expr) -> bool:
    """A polynomial right-hand side reads better than a fraction; then fewer operations."""
    def key(e: sympy.Expr) -> tuple[int, int]:
        return (0 if sympy.fraction(sympy.together(e))[1] == 1 else 1, sympy.count_ops(e))
    return key(a) < key(b)
