"""Formulas for display: a small tree that keeps the order a person writes.

sympy re-sorts factors and evaluates as soon as it can, which is what an
answer key must not do: the exam answer reads ``(3 × 3 × 128 + 1) × 256``,
not ``1153 × 256`` and not ``256 (1 + 9·128)``. So the catalog's formulas
(written in symcount's own expression language) are parsed by
:func:`symcount.language.parse.parse_expression` and turned into the tree below, whose
n-ary sums and products keep their written order. Values are put in by
:func:`substitute` without evaluating anything; :func:`simplify` only removes
what is structurally empty (a factor 1 that came from ``groups`` or the bias
indicator, a divisor 1, a term that is 0); :func:`evaluate` gives the exact
sympy value for checking and for the result line.

The renderers (:func:`latex` and :func:`text`) know nothing about layers:
they print trees, with upright multi-letter subscripts, a choice of
multiplication sign, digit grouping and parentheses exactly where the
precedence needs them (outer levels become brackets, as in textbooks).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import sympy

from symcount.errors import SymcountError
from symcount.language import budget, nodes
from symcount.language.parse import parse_expression
from symcount.language.symbols import as_sympy, sym
from symcount.render.latex import SymcountLatexPrinter, latex_name
from symcount.render.style import MUL_SIGNS, Style

# ---------------------------------------------------------------------------
# the tree


@dataclass(frozen=True)
class Num:
    """A non-negative integer.

    ``droppable`` marks a 1 that may vanish as a factor (it came from a
    structural name: groups, the depth multiplier, the bias indicator).
    """

    value: int
    droppable: bool = False


@dataclass(frozen=True)
class Sym:
    """A name: ``C_in`` prints as ``C_{\\text{in}}``."""

    name: str


@dataclass(frozen=True)
class Term:
    sign: int  # +1 or -1
    node: Node


@dataclass(frozen=True)
class Sum:
    """Terms in their written order."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Prod:
    """Factors in their written order.

    ``implicit`` products are the algebraic kind that juxtaposes (``2C``,
    ``18C^2``); explicit ones put the multiplication sign between factors
    (``3 \\times 3 \\times 128``), except after a leading number (``2C``).
    """

    factors: tuple[Node, ...]
    implicit: bool = False


@dataclass(frozen=True)
class Quot:
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow:
    base: Node
    exp: Node


@dataclass(frozen=True)
class Group:
    """Explicit parentheses (a sum of results that should read as one term)."""

    body: Node


@dataclass(frozen=True)
class Func:
    """``floor``, ``ceil``, ``max`` or ``mod`` of its arguments: ``\\lfloor x \\rfloor``, ``max(a, b)``."""

    name: str
    args: tuple[Node, ...]


#: the functions a display formula may use, and their exact values
FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "floor": sympy.floor, "ceil": sympy.ceiling, "max": sympy.Max, "mod": sympy.Mod,
}


@dataclass(frozen=True)
class Raw:
    """Anything the tree has no node for (floor, max, ...): printed by sympy."""

    value: sympy.Expr


@dataclass(frozen=True)
class Equal:
    """Names that are equal, as one left side: ``H_{\\text{out}} = W_{\\text{out}}``."""

    sides: tuple[Node, ...]


@dataclass(frozen=True)
class Label:
    """The left side of a count: ``\\#\\text{params}`` / ``#params``."""

    text: str
    count: bool = True


Node = Num | Sym | Sum | Prod | Quot | Pow | Group | Func | Raw | Equal | Label


# ---------------------------------------------------------------------------
# building trees


@functools.cache
def parse_formula(text: str) -> Node:
    """A catalog formula (symcount syntax) as a display tree, in written order."""
    return from_ast(parse_expression(text, "<formula>"))


def from_ast(expr: nodes.Expr) -> Node:
    """Convert symcount's expression AST, flattening n-ary + and * in order."""
    if isinstance(expr, nodes.Num):
        value = sympy.Rational(expr.value)
        if value.is_Integer:
            return Num(int(value))
        return Quot(Num(int(value.p)), Num(int(value.q)))
    if isinstance(expr, nodes.Name):
        return Sym(expr.id)
    if isinstance(expr, nodes.UnaryOp) and expr.op in ("-", "+"):
        inner = from_ast(expr.operand)
        return inner if expr.op == "+" else Sum((Term(-1, inner),))
    if isinstance(expr, nodes.BinOp):
        left, right = from_ast(expr.left), from_ast(expr.right)
        if expr.op in ("+", "-"):
            head = left.terms if isinstance(left, Sum) else (Term(1, left),)
            return Sum((*head, Term(1 if expr.op == "+" else -1, right)))
        if expr.op == "*":
            factors = left.factors if isinstance(left, Prod) and not left.implicit else (left,)
            return Prod((*factors, right))
        if expr.op == "/":
            return Quot(left, right)
        if expr.op == "^":
            return Pow(left, right)
    if isinstance(expr, nodes.Call) and expr.func in FUNCTIONS:
        return Func(expr.func, tuple(from_ast(a) for a in expr.args))
    raise SymcountError(f"a display formula cannot contain {type(expr).__name__} "
                        f"{getattr(expr, 'op', getattr(expr, 'func', ''))}".rstrip())


def from_sympy(expr: sympy.Expr, order: Iterable[str] = ()) -> Node:
    """A sympy value as an algebraic tree: coefficient first, then the names
    in ``order`` (the order the formula mentions them), then the rest."""
    rank = {name: i for i, name in enumerate(order)}
    return _from_sympy(as_sympy(expr), rank)


def _from_sympy(expr: sympy.Basic, rank: Mapping[str, int]) -> Node:
    if expr.is_Integer:
        n = int(expr)
        return Num(n) if n >= 0 else Sum((Term(-1, Num(-n)),))
    if expr.is_Rational:
        num = _from_sympy(sympy.Integer(abs(expr.p)), rank)
        quot = Quot(num, Num(int(expr.q)))
        return quot if expr.p > 0 else Sum((Term(-1, quot),))
    if expr.is_Symbol:
        return Sym(expr.name)
    if expr.is_Add:
        terms = []
        for term in expr.as_ordered_terms():
            coeff, _ = term.as_coeff_Mul()
            if coeff.is_negative:
                terms.append(Term(-1, _from_sympy(-term, rank)))
            else:
                terms.append(Term(1, _from_sympy(term, rank)))
        return Sum(tuple(terms))
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_negative:
            return Sum((Term(-1, _from_sympy(-expr, rank)),))
        numer, denom = rest.as_numer_denom()
        p, q = sympy.fraction(coeff)
        top = _product(sympy.Mul.make_args(numer), int(p), rank)
        if q == 1 and denom == 1:
            return top
        bottom = _product(sympy.Mul.make_args(denom), int(q), rank)
        return Quot(top, bottom)
    if expr.is_Pow:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and exp < 0:
            return Quot(Num(1), _from_sympy(base**-exp, rank))
        return Pow(_from_sympy(base, rank), _from_sympy(exp, rank))
    return Raw(expr)


def _product(factors: Iterable[sympy.Basic], coeff: int, rank: Mapping[str, int]) -> Node:
    """Coefficient, then factors by the formula's order of names."""
    def key(f: sympy.Basic) -> tuple[bool, int, str]:
        names = sorted(s.name for s in f.free_symbols)
        first = min((rank.get(n, len(rank)) for n in names), default=len(rank))
        return (f.is_Add, first, str(f))  # a bracketed sum after the plain factors: C_out·b·(k² - 1)

    items = sorted((f for f in factors if f != 1), key=key)
    nodes: list[Node] = [Num(coeff)] if coeff != 1 or not items else []
    nodes += [_from_sympy(f, rank) for f in items]
    return nodes[0] if len(nodes) == 1 else Prod(tuple(nodes), implicit=True)


def names_in(node: Node) -> list[str]:
    """The names a tree mentions, in reading order (each once)."""
    found: dict[str, None] = {}

    def visit(n: Node) -> None:
        if isinstance(n, Sym):
            found.setdefault(n.name)
        for child in children(n):
            visit(child)

    visit(node)
    return list(found)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Sum):
        return tuple(t.node for t in node.terms)
    if isinstance(node, Prod):
        return node.factors
    if isinstance(node, Quot):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base, node.exp)
    if isinstance(node, Group):
        return (node.body,)
    if isinstance(node, Func):
        return node.args
    return ()


def transform(node: Node, fn: Callable[[Node], Node]) -> Node:
    """Rebuild bottom-up, applying ``fn`` to every node after its children."""
    if isinstance(node, Sum):
        node = Sum(tuple(Term(t.sign, transform(t.node, fn)) for t in node.terms))
    elif isinstance(node, Prod):
        node = replace(node, factors=tuple(transform(f, fn) for f in node.factors))
    elif isinstance(node, Quot):
        node = Quot(transform(node.num, fn), transform(node.den, fn))
    elif isinstance(node, Pow):
        node = Pow(transform(node.base, fn), transform(node.exp, fn))
    elif isinstance(node, Group):
        node = Group(transform(node.body, fn))
    elif isinstance(node, Func):
        node = Func(node.name, tuple(transform(a, fn) for a in node.args))
    return fn(node)


# ---------------------------------------------------------------------------
# substitution and structural simplification


def substitute(node: Node, values: Mapping[str, sympy.Expr], droppable: Iterable[str] = (),
               order: Iterable[str] = ()) -> Node:
    """Put values in for names, evaluating nothing.

    An integer becomes a number that remembers its name; a symbolic value
    (``2*C``) becomes an algebraic subtree. A name bound to its own symbol
    stays a name. ``droppable`` names may vanish when they are 1 (see
    :func:`simplify`).
    """
    drop = set(droppable)
    rank = list(order)

    def put(n: Node) -> Node:
        if not isinstance(n, Sym) or n.name not in values:
            return n
        value = as_sympy(values[n.name])
        if value.is_Integer and value >= 0:
            return Num(int(value), n.name in drop)
        if value.is_Symbol and value.name == n.name:
            return n
        return _from_sympy(value, {name: i for i, name in enumerate(rank)})

    return transform(node, put)


def simplify(node: Node) -> Node:
    """Remove what is structurally empty; keep every written factor.

    ``x × 1`` (a droppable 1), ``x / 1`` and ``x^1`` lose the 1; a product
    with a factor 0 is 0; terms that are 0 disappear; a sum of one term is
    that term. A dimension that happens to be 1 (``C_in = 1``) stays, as
    textbooks write ``5 × 5 × 1``.
    """
    return transform(node, _simplify_one)


def _is(node: Node, value: int) -> bool:
    return isinstance(node, Num) and node.value == value


def _simplify_one(node: Node) -> Node:
    if isinstance(node, Prod):
        flat: list[Node] = []
        for f in node.factors:
            if isinstance(f, Prod) and f.implicit == node.implicit:
                flat.extend(f.factors)
            else:
                flat.append(f)
        if any(_is(f, 0) for f in flat):
            return Num(0)
        kept = [f for f in flat if not (_is(f, 1) and isinstance(f, Num) and f.droppable)]
        if not kept:
            return Num(1)
        return kept[0] if len(kept) == 1 else Prod(tuple(kept), node.implicit)
    if isinstance(node, Quot):
        if _is(node.num, 0):
            return Num(0)
        if _is(node.den, 1):
            return node.num
        return node
    if isinstance(node, Pow):
        if _is(node.exp, 1):
            return node.base
        if _is(node.base, 0):
            return Num(0)
        return node
    if isinstance(node, Sum):
        flat_terms: list[Term] = []
        for t in node.terms:
            if _is(t.node, 0):
                continue
            if isinstance(t.node, Sum) and t.sign == 1:
                flat_terms.extend(t.node.terms)
            else:
                flat_terms.append(t)
        if not flat_terms:
            return Num(0)
        if len(flat_terms) == 1 and flat_terms[0].sign == 1:
            return flat_terms[0].node
        return Sum(tuple(flat_terms))
    return node


def to_power(node: Node) -> Node:
    """Kernel style ``k^2``: runs of one name in a product become a power."""
    def collapse(n: Node) -> Node:
        if not isinstance(n, Prod) or n.implicit:
            return n
        out: list[Node] = []
        i = 0
        factors = n.factors
        while i < len(factors):
            j = i
            while j + 1 < len(factors) and isinstance(factors[i], Sym) and factors[j + 1] == factors[i]:
                j += 1
            out.append(factors[i] if j == i else Pow(factors[i], Num(j - i + 1)))
            i = j + 1
        return out[0] if len(out) == 1 else Prod(tuple(out))

    return transform(node, collapse)


# ---------------------------------------------------------------------------
# values and the in-between lines of a derivation


def evaluate(node: Node) -> sympy.Expr:
    """The exact value (names are symcount's positive-integer symbols)."""
    if isinstance(node, Num):
        return sympy.Integer(node.value)
    if isinstance(node, Sym):
        return sym(node.name)
    if isinstance(node, Sum):
        return sympy.Add(*[t.sign * evaluate(t.node) for t in node.terms])
    if isinstance(node, Prod):
        return sympy.Mul(*[evaluate(f) for f in node.factors])
    if isinstance(node, Quot):
        return evaluate(node.num) / evaluate(node.den)
    if isinstance(node, Pow):
        return evaluate(node.base) ** evaluate(node.exp)
    if isinstance(node, Group):
        return evaluate(node.body)
    if isinstance(node, Func):
        return FUNCTIONS[node.name](*[evaluate(a) for a in node.args])
    if isinstance(node, Raw):
        return node.value
    raise TypeError(f"cannot evaluate {node!r}")


def is_numeric(node: Node) -> bool:
    return not evaluate(node).free_symbols


def _as_num(node: Node) -> Node:
    value = evaluate(node)
    if value.is_Integer and value >= 0:
        return Num(int(value))
    return from_sympy(value)


def collapse_groups(node: Node) -> Node:
    """Evaluate each outermost parenthesised part: ``(3×3×128 + 1) × 256`` -> ``1153 × 256``."""
    def visit(n: Node, wrapped: bool) -> Node:
        if wrapped and isinstance(n, Sum | Group) and is_numeric(n):
            return _as_num(n)
        if isinstance(n, Sum):
            return Sum(tuple(Term(t.sign, visit(t.node, False)) for t in n.terms))
        if isinstance(n, Prod):
            factors = [visit(f, True) for f in n.factors]
            # a part that comes out as 1, like (n - 1) for two stacked layers, is not written "1 ×"
            kept = [g for f, g in zip(n.factors, factors, strict=True)
                    if not (isinstance(f, Sum | Group) and _is(g, 1))]
            if not kept:
                return Num(1)
            return kept[0] if len(kept) == 1 else replace(n, factors=tuple(kept))
        if isinstance(n, Quot):
            return Quot(visit(n.num, True), visit(n.den, True))
        if isinstance(n, Pow):
            return Pow(visit(n.base, True), n.exp)
        if isinstance(n, Func):
            return Func(n.name, tuple(visit(a, True) for a in n.args))
        return n

    return visit(node, False)


def collapse_terms(node: Node) -> Node:
    """Evaluate each term of a sum: the line before the total."""
    if not isinstance(node, Sum):
        return node
    return Sum(tuple(Term(t.sign, _as_num(t.node) if is_numeric(t.node) else t.node) for t in node.terms))


def result_form(value: sympy.Expr, order: Iterable[str] = ()) -> Node:
    """The last line: a number, or the expression expanded (factored when
    that is clearly shorter), coefficients first, names in formula order."""
    value = as_sympy(value)
    if not value.free_symbols:
        return _as_num(Num(0)) if value == 0 else from_sympy(value)
    expanded = sympy.expand(value)
    if not budget.affordable(expanded):  # too large to factor quickly: the expanded form it is
        return from_sympy(expanded, order)
    factored = sympy.factor(expanded)
    best = factored if sympy.count_ops(factored) + 2 < sympy.count_ops(expanded) else expanded
    return from_sympy(best, order)


def common_factor_form(value: sympy.Expr, order: Iterable[str] = ()) -> Node:
    """A difference as a marker writes it: a factor common to every term pulled out
    (``C_out·b·(k² - 1)``, not ``C_out·b·k² - C_out·b``), else :func:`result_form`."""
    value = as_sympy(value)
    if value.free_symbols and budget.affordable(value):
        expanded = sympy.expand(value)
        for sign in (1, -1):  # -k·C_in·C_out·(k - 1), not k·C_in·C_out·(1 - k)
            common = sympy.factor_terms(sign * expanded)
            sums = [f for f in sympy.Mul.make_args(common) if f.is_Add]
            if common.is_Mul and sums and not any(s.could_extract_minus_sign() for s in sums) \
                    and not common.as_coeff_Mul()[0].is_negative:
                node = from_sympy(common, order)
                return node if sign == 1 else Sum((Term(-1, node),))
    return result_form(value, order)


# ---------------------------------------------------------------------------
# rendering


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BRACKETS_LATEX = (("(", ")"), ("[", "]"), (r"\{", r"\}"))
_BRACKETS_TEXT = (("(", ")"), ("[", "]"), ("{", "}"))
_SUM, _PROD, _POW, _ATOM = 1, 2, 3, 4
_LATEX_BRACKETS = {"floor": (r"\lfloor", r"\rfloor"), "ceil": (r"\lceil", r"\rceil")}
_TEXT_BRACKETS = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉")}


def _prec(node: Node) -> int:
    if isinstance(node, Sum):
        return _SUM
    if isinstance(node, Prod | Quot):
        return _PROD
    if isinstance(node, Pow):
        return _POW
    return _ATOM


class _Writer:
    """Shared layout logic; subclasses supply the glyphs."""

    brackets: tuple[tuple[str, str], ...] = _BRACKETS_TEXT

    def __init__(self, style: Style) -> None:
        self.style = style

    # glyphs
    def number(self, n: int) -> str:
        raise NotImplementedError

    def name(self, name: str) -> str:
        raise NotImplementedError

    def label(self, node: Label) -> str:
        raise NotImplementedError

    def raw(self, value: sympy.Expr) -> str:
        raise NotImplementedError

    def power(self, base: str, exp: Node) -> tuple[str, int]:
        raise NotImplementedError

    mul_sign = ""

    def implicit_sep(self, left: Node, right: Node) -> str:
        """Between the factors of an algebraic product (``k^2 C_in``)."""
        raise NotImplementedError

    def letter(self, node: Node) -> bool:
        """Whether a leading number may stand right next to this factor."""
        raise NotImplementedError

    def grouped(self, n: int, separator: str) -> str:
        digits = str(n)
        if len(digits) >= self.style.group_min:
            return f"{n:,}".replace(",", separator)
        return digits

    # layout: each returns (text, bracket level used inside)
    def write(self, node: Node) -> tuple[str, int]:
        if isinstance(node, Num):
            return self.number(node.value), 0
        if isinstance(node, Sym):
            return self.name(node.name), 0
        if isinstance(node, Label):
            return self.label(node), 0
        if isinstance(node, Raw):
            return self.raw(node.value), 0
        if isinstance(node, Group):
            return self.wrap(*self.write(node.body))
        if isinstance(node, Sum):
            return self.write_sum(node)
        if isinstance(node, Prod):
            return self.write_prod(node)
        if isinstance(node, Quot):
            num = self.child(node.num, lambda p: p < _PROD)
            den = self.child(node.den, lambda p: p < _POW)
            return f"{num[0]}/{den[0]}", max(num[1], den[1])
        if isinstance(node, Pow):
            base, level = self.child(node.base, lambda p: p < _ATOM)
            text, exp_level = self.power(base, node.exp)
            return text, max(level, exp_level)
        if isinstance(node, Func):
            return self.func(node)
        if isinstance(node, Equal):
            parts = [self.write(side) for side in node.sides]
            return " = ".join(t for t, _ in parts), max(level for _, level in parts)
        raise TypeError(f"cannot render {node!r}")

    def func(self, node: Func) -> tuple[str, int]:
        """``max(a, b)``; floor and ceiling brackets are the subclasses' glyphs."""
        parts = [self.write(a) for a in node.args]
        return f"{node.name}({', '.join(t for t, _ in parts)})", max(level for _, level in parts)

    def wrap(self, text: str, level: int) -> tuple[str, int]:
        opening, closing = self.brackets[min(level, len(self.brackets) - 1)]
        return f"{opening}{text}{closing}", level + 1

    def child(self, node: Node, needs_parens: Callable[[int], bool]) -> tuple[str, int]:
        text, level = self.write(node)
        if needs_parens(_prec(node)):
            return self.wrap(text, level)
        return text, level

    def write_sum(self, node: Sum) -> tuple[str, int]:
        parts: list[str] = []
        level = 0
        for i, term in enumerate(node.terms):
            text, inner = self.child(term.node, lambda p: term.sign < 0 and p <= _SUM)
            level = max(level, inner)
            if i == 0:
                parts.append(text if term.sign > 0 else f"-{text}")
            else:
                parts.append(f" {'+' if term.sign > 0 else '-'} {text}")
        return "".join(parts), level

    def write_prod(self, node: Prod) -> tuple[str, int]:
        out = ""
        level = 0
        previous: Node | None = None
        for i, factor in enumerate(node.factors):
            text, inner = self.child(factor, lambda p: p <= _SUM or (isinstance(factor, Quot) and i > 0))
            level = max(level, inner)
            if previous is None:
                out = text
            elif isinstance(previous, Num) and self.letter(factor) and (node.implicit or i == 1):
                out += text  # a coefficient stands next to a plain letter: 2C, 18C^2
            elif node.implicit:
                out += self.implicit_sep(previous, factor) + text
            else:
                out += f" {self.mul_sign} {text}"
            previous = factor
        return out, level


def _letter_name(node: Node) -> str | None:
    """The name of a name or of a power of one (what a coefficient may stand next to)."""
    base = node.base if isinstance(node, Pow) else node
    return base.name if isinstance(base, Sym) else None


def _is_plain(node: Node) -> bool:
    """A one-letter name, a number or a power of one: juxtaposes without ambiguity."""
    base = node.base if isinstance(node, Pow) else node
    return isinstance(base, Num) or (isinstance(base, Sym) and len(base.name.rstrip("'")) == 1)


class _LatexWriter(_Writer):
    brackets = _BRACKETS_LATEX

    def __init__(self, style: Style) -> None:
        super().__init__(style)
        self.mul_sign = MUL_SIGNS[style.mul][0]

    def number(self, n: int) -> str:
        return self.grouped(n, self.style.separator)

    def implicit_sep(self, left: Node, right: Node) -> str:
        return " " if _is_plain(left) and _is_plain(right) else r"\,"

    def letter(self, node: Node) -> bool:
        """``2C``, ``4d_{\text{model}}``: a one-letter base, subscript or not."""
        name = _letter_name(node)
        return name is not None and len(name.partition("_")[0].rstrip("'")) == 1

    def name(self, name: str) -> str:
        return latex_name(name)

    def label(self, node: Label) -> str:
        return (r"\#" if node.count else "") + rf"\text{{{node.text}}}"

    def raw(self, value: sympy.Expr) -> str:
        printer = SymcountLatexPrinter({"digit_separator": self.style.separator,
                                        "mul_symbol": self.style.mul})
        return str(printer.doprint(value))

    def power(self, base: str, exp: Node) -> tuple[str, int]:
        text, level = self.write(exp)
        return (f"{base}^{text}" if len(text) == 1 else f"{base}^{{{text}}}"), level

    def func(self, node: Func) -> tuple[str, int]:
        """``\\left\\lfloor \\frac{a}{b} \\right\\rfloor``: a quotient inside floor or ceiling is a fraction."""
        if node.name not in _LATEX_BRACKETS:
            if node.name == "mod":
                left, right = (self.child(a, lambda p: p < _ATOM) for a in node.args)
                return rf"{left[0]} \bmod {right[0]}", max(left[1], right[1])
            parts = [self.write(a) for a in node.args]
            return rf"\max({', '.join(t for t, _ in parts)})", max(level for _, level in parts)
        opening, closing = _LATEX_BRACKETS[node.name]
        (arg,) = node.args
        if isinstance(arg, Quot):
            num, num_level = self.write(arg.num)
            den, den_level = self.write(arg.den)
            text, level = rf"\frac{{{num}}}{{{den}}}", max(num_level, den_level)
        else:
            text, level = self.write(arg)
        return rf"\left{opening} {text} \right{closing}", level


class _TextWriter(_Writer):
    def __init__(self, style: Style) -> None:
        super().__init__(style)
        self.mul_sign = MUL_SIGNS[style.mul][1]

    def number(self, n: int) -> str:
        return self.grouped(n, self.style.text_separator)

    def implicit_sep(self, left: Node, right: Node) -> str:
        return "·"

    def letter(self, node: Node) -> bool:
        """``2C`` but ``4 × d_model``: plain text has no subscripts to set the name apart."""
        name = _letter_name(node)
        return name is not None and len(name.rstrip("'")) == 1

    def name(self, name: str) -> str:
        return name

    def label(self, node: Label) -> str:
        return ("#" if node.count else "") + node.text

    def raw(self, value: sympy.Expr) -> str:
        return str(sympy.sstr(value))

    def func(self, node: Func) -> tuple[str, int]:
        if node.name in _TEXT_BRACKETS:
            opening, closing = _TEXT_BRACKETS[node.name]
            text, level = self.write(node.args[0])
            return f"{opening}{text}{closing}", level
        if node.name == "mod":
            left, right = (self.child(a, lambda p: p < _ATOM) for a in node.args)
            return f"{left[0]} mod {right[0]}", max(left[1], right[1])
        return super().func(node)

    def power(self, base: str, exp: Node) -> tuple[str, int]:
        if isinstance(exp, Num):
            return base + str(exp.value).translate(_SUPERSCRIPTS), 0
        text, level = self.child(exp, lambda p: p < _ATOM)
        return f"{base}^{text}", level


def latex(node: Node, style: Style | None = None) -> str:
    """The tree in LaTeX math (no surrounding ``$``)."""
    return _LatexWriter(style or Style()).write(node)[0]


def text(node: Node, style: Style | None = None) -> str:
    """The tree in plain Unicode: ``(3 × 3 × 128 + 1) × 256``."""
    return _TextWriter(style or Style()).write(node)[0]
