"""The size budget of every symbolic step: what sympy is asked to expand, factor, cancel or print.

sympy's polynomial algorithms (factor, cancel, gcd, real roots) work on dense
representations, so their cost grows with the number of symbols, the degree
and the number of terms; a count with 60 independent widths, or an answer of
``x^999 + y^999 + z^999``, keeps sympy busy for minutes. Wall-clock alarms
would not do (they do not work in a browser or off the main thread, and they
would make a document depend on the machine), so every step is measured
before it runs, by counting: terms, symbols, degree and digits. Past the
budget a step is skipped (the caller keeps the unsimplified form and says
so) or refused with a clear message, and either way in well under a second.

Every call site goes through this module: the limits live here and nowhere else.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TypeVar

import sympy

#: Refuse symbolic expressions whose expansion would have more terms than this:
#: ``(x + y + z)^50`` is 1,326 terms and would take sympy seconds to expand and multiply.
MAX_TERMS = 1_000
#: Most terms an expansion inside the engine may make (a count is a sum of many layers' terms:
#: 5,000 layers of two terms each is fine; a product of two 1,000-term sums is not).
MAX_EXPANDED_TERMS = 50_000
#: Most symbols a polynomial may have for factoring, cancelling or solving: sympy's dense
#: algorithms double their work with each symbol (16 symbols: 0.7 s to factor a chain of widths).
MAX_ALGEBRA_SYMBOLS = 10
#: Highest degree (in any one symbol, or a product's total) sympy is asked to factor or solve:
#: ``x^24 - y^24`` takes it over a second; real counts have degree 2 to 6.
MAX_ALGEBRA_DEGREE = 16
#: Most terms a polynomial may have for factoring, cancelling or solving.
MAX_ALGEBRA_TERMS = 400
#: Most terms a polynomial may have after each size x is written 1 + y (how the sign analysis
#: proves a count positive): ``C^50*x^50`` would make 2,601 and take sympy many seconds.
MAX_SHIFTED_TERMS = 2_000
#: Most decimal digits a coefficient may have for factoring or solving.
MAX_ALGEBRA_DIGITS = 60
#: Largest ``terms × symbols`` an expression may have to be printed in sympy's sorted order
#: (sorting builds one exponent tuple over every symbol for every term: 5,000 widths cost 20 s);
#: a larger one is printed in sympy's own (deterministic) order of terms.
MAX_SORTED_PRINT = 40_000
#: Up to this many symbols, sorting is cheap whatever the number of terms.
FEW_SYMBOLS = 20

T = TypeVar("T")


def expanded_terms(expr: sympy.Basic, cap: int = 10**9) -> int:
    """An upper estimate of the number of terms ``sympy.expand(expr)`` makes.

    Sums add, products multiply, ``(a + b)^n`` follows the multinomial count;
    anything else (a function, a symbol) is one term, but its arguments are
    estimated too so ``floor((x + y)^99)`` is still caught. Capped at ``cap``.
    """
    if expr.is_Atom:
        return 1
    if expr.is_Add:
        return min(cap, sum(expanded_terms(a, cap) for a in expr.args))
    if expr.is_Mul:
        total = 1
        for a in expr.args:
            total = min(cap, total * expanded_terms(a, cap))
        return total
    if expr.is_Pow:
        base, exponent = expr.args
        n = expanded_terms(base, cap)
        if n > 1 and exponent.is_Integer and exponent > 0:
            e = int(exponent)
            return cap if e > 10_000 else min(cap, math.comb(n + e - 1, e))
        return max(n, expanded_terms(exponent, cap))
    return max(expanded_terms(a, cap) for a in expr.args)


def degree_of(expr: sympy.Basic, cap: int = 10**6) -> int:
    """An upper estimate of the total degree of ``expr`` (powers with a symbolic base, products add
    their factors' degrees); a symbolic exponent or a function counts as its arguments' degree."""
    if expr.is_Atom:
        return 1 if expr.free_symbols else 0
    if expr.is_Add:
        return max(degree_of(a, cap) for a in expr.args)
    if expr.is_Mul:
        return min(cap, sum(degree_of(a, cap) for a in expr.args))
    if expr.is_Pow:
        base, exponent = expr.args
        d = degree_of(base, cap)
        if exponent.is_Integer:
            return min(cap, d * abs(int(exponent))) if abs(exponent) < cap else cap
        return max(d, degree_of(exponent, cap))
    return max((degree_of(a, cap) for a in expr.args), default=0)


def digits_of(expr: sympy.Basic) -> int:
    """The most decimal digits of any number in ``expr`` (numerator or denominator)."""
    most = 0
    for atom in expr.atoms(sympy.Rational):
        bits = max(abs(int(atom.p)), abs(int(atom.q))).bit_length()
        most = max(most, bits * 30103 // 100000 + 1)
    return most


def why_not(*exprs: sympy.Basic) -> str | None:
    """The first limit of the polynomial algebra (factor, cancel, roots, simplify) these expressions
    pass, or None. Cheapest measures first, so a large expression is turned away quickly."""
    for expr in exprs:
        if not isinstance(expr, sympy.Basic) or expr.is_Atom:
            continue
        terms = expanded_terms(expr, cap=MAX_ALGEBRA_TERMS + 1)
        if terms > MAX_ALGEBRA_TERMS:
            return f"more than {MAX_ALGEBRA_TERMS:,} terms once expanded"
        symbols = len(expr.free_symbols)
        if symbols > MAX_ALGEBRA_SYMBOLS:
            return f"{symbols:,} symbols (the limit is {MAX_ALGEBRA_SYMBOLS})"
        degree = degree_of(expr, cap=MAX_ALGEBRA_DEGREE + 1)
        if degree > MAX_ALGEBRA_DEGREE:
            return f"degree above {MAX_ALGEBRA_DEGREE}"
        digits = digits_of(expr)
        if digits > MAX_ALGEBRA_DIGITS:
            return f"{digits:,}-digit numbers (the limit is {MAX_ALGEBRA_DIGITS})"
    return None


def affordable(*exprs: sympy.Basic) -> bool:
    """True when factoring, cancelling or solving these expressions stays within the budget."""
    return why_not(*exprs) is None


def within(fallback: T, step: Callable[[], T], *exprs: sympy.Basic) -> T:
    """``step()`` when the expressions are within the budget, else ``fallback`` (not computed)."""
    return step() if affordable(*exprs) else fallback


def expand(expr: sympy.Basic) -> sympy.Basic:
    """``sympy.expand``, refused (BudgetExceeded) when it would make more than MAX_EXPANDED_TERMS terms."""
    if isinstance(expr, sympy.Basic) and not expr.is_Atom:
        terms = expanded_terms(expr, cap=10 * MAX_EXPANDED_TERMS)
        if terms > MAX_EXPANDED_TERMS:
            raise BudgetExceeded(f"it expands to about {terms:,} terms (the limit is {MAX_EXPANDED_TERMS:,})")
    return sympy.expand(expr)


def _monomial(term: sympy.Basic) -> bool:
    """A number, a symbol, a positive integer power of a symbol, or a product of those."""
    factors = term.args if term.is_Mul else (term,)
    for f in factors:
        if f.is_Pow:
            if not (f.base.is_Symbol and f.exp.is_Integer and f.exp > 0):
                return False
        elif not (f.is_Symbol or f.is_Number):
            return False
    return True


def is_expanded(expr: sympy.Basic) -> bool:
    """True when ``sympy.expand(expr)`` would give ``expr`` back: a sum of monomials (checked in one
    pass over the terms, far cheaper than expanding: a count of 5,000 layers is re-expanded often)."""
    if not isinstance(expr, sympy.Basic):
        return False
    return all(_monomial(t) for t in sympy.Add.make_args(expr))


def expanded(expr: sympy.Basic) -> sympy.Basic:
    """``sympy.expand(expr)``, skipped when the expression is already a sum of monomials."""
    return expr if is_expanded(expr) else sympy.expand(expr)


def factor(expr: sympy.Basic) -> sympy.Basic:
    """``sympy.factor`` within the budget, else the expression unchanged."""
    return within(expr, lambda: sympy.factor(expr), expr)


def cancel(expr: sympy.Basic) -> sympy.Basic:
    """``sympy.cancel(sympy.together(expr))`` within the budget, else the expression unchanged."""
    return within(expr, lambda: sympy.cancel(sympy.together(expr)), expr)


def simplify(expr: sympy.Basic) -> sympy.Basic:
    """``sympy.simplify`` within the budget, else the expression unchanged."""
    return within(expr, lambda: sympy.simplify(expr), expr)


def is_zero(expr: sympy.Basic) -> bool | None:
    """Whether ``expr`` is identically zero: decided by expansion (a quotient by its numerator over
    one denominator: no gcd needed), then simplify for what is left (floor, roots), each within the
    budget; None when the budget runs out before it is decided."""
    if not isinstance(expr, sympy.Basic):
        return bool(expr == 0)
    try:
        difference = expand(expr)
    except BudgetExceeded:
        return None
    if difference == 0:
        return True
    if difference.is_polynomial():  # expanded and not zero: exactly decided
        return False
    if difference.is_rational_function():  # zero exactly when its numerator over one denominator is
        numerator = sympy.fraction(sympy.together(difference))[0]
        try:
            return bool(expand(numerator) == 0)
        except BudgetExceeded:
            return None
    if not affordable(difference):
        return None
    return bool(sympy.simplify(difference) == 0)


def too_wide_to_sort(expr: object) -> bool:
    """True when printing ``expr`` with its terms sorted would cost more than MAX_SORTED_PRINT
    (a printer then keeps sympy's own order of terms, which is deterministic too)."""
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return False
    symbols = len(expr.free_symbols)
    if symbols <= FEW_SYMBOLS:  # sorting costs little per term (and most values are a term or two)
        return False
    terms = sum(len(a.args) for a in sympy.preorder_traversal(expr) if a.is_Add)
    return terms * symbols > MAX_SORTED_PRINT


@functools.lru_cache(maxsize=4096)  # a count repeats its values (a layer's total, trainable, active)
def text(expr: sympy.Basic) -> str:
    """``str(expr)``; an expression too wide to sort quickly is printed in sympy's own term order."""
    return sympy.sstr(expr, order="none") if too_wide_to_sort(expr) else str(expr)


class BudgetExceeded(Exception):
    """An algebra step past its budget (the reason says which limit); callers turn it into a
    SymcountError where they know the position, or fall back to the unsimplified form."""
