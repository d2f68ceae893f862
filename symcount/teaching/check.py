"""Answer checking: is a student's count right, and if not, which slip made it wrong?

``check(source, answer)`` counts ``source`` with :func:`symcount.count`,
reads ``answer`` with symcount's own expression grammar (never eval or
sympify) in the layer's names (``k``, ``C_in``, ``C_out``, ``b``, ...), and
compares exactly. A wrong answer gets the symbolic difference (answer −
correct), the values where it happens to agree, the smallest counterexample,
and, when it equals the correct count under a known slip, the slip's name and
the sentence a marker would write.

The slips are rules in one table, :data:`SLIPS`. Each takes one counted layer
and returns the formulas a student who made that slip would have used: a
rewrite of the layer's catalog formula (``(C_in + b)·C_out`` →
``C_in·(C_out + b)``), the formula with one binding changed (``g = 1``,
``b = 0``), or the catalog's formula under the other convention. Nothing
here knows a layer's parameters: the catalog formula is the only source, and
a layer whose formula does not reproduce its count is never blamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from symcount.counting import Source, convert_values, count, read_source
from symcount.engine import algebra
from symcount.engine.count import Count
from symcount.errors import SymcountError, did_you_mean
from symcount.language import budget, nodes
from symcount.language.parse import parse_expression
from symcount.language.symbols import is_number, sym
from symcount.language.values import MAX_BITS, Env, check_expansion, evaluate
from symcount.render import formula
from symcount.render.blocks import labelled_lines
from symcount.render.escape import latex_code
from symcount.render.formats import Format
from symcount.render.latex import latex_name, latex_value
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.render.unicode import unicode_value
from symcount.teaching.slips import SLIP_IDS, SLIPS, Match, Slip, _views, find_slips

#: How far the counterexample search goes (assignments tried).
SEARCH_LIMIT = 20_000
#: ... and how far above the smallest sum.
MAX_EXTRA = 64
QUANTITIES = ("total", "trainable")


# ------------------------------------------------------------------------------------ the verdict


@dataclass(repr=False)
class Verdict(Printable):
    """The marker's verdict on one answer.

    ``difference`` is answer − correct; ``counterexample`` the smallest
    values (by sum) where they differ; ``agrees_when`` the conditions under
    which the answer happens to be right; ``mistake`` a slip id or None.
    """

    correct: bool
    expected: sympy.Expr
    answer: sympy.Expr
    answer_text: str
    count: Count
    difference: sympy.Expr
    counterexample: dict[str, int] | None
    agrees_when: list[sympy.Eq] | None
    matches: list[Match]
    quantity: str = "total"
    #: why no slip was looked for (the answer is past the algebra budget), None when one was
    unsearched: str | None = None

    @property
    def mistake(self) -> str | None:
        return self.matches[0].slip.id if self.matches else None

    @property
    def mistakes(self) -> list[str]:
        return list(dict.fromkeys(m.slip.id for m in self.matches))

    @property
    def explanation(self) -> str:
        return self.sentence(Style("text"))

    def sentence(self, style: Style) -> str:
        what = "parameters" if self.quantity == "total" else "trainable parameters"
        if self.correct:
            return f"Correct: {style.value(self.expected)} {what}."
        head = f"Wrong: the answer gives {self._value(style, self.answer)}, the correct count is " \
               f"{self._value(style, self.expected)} " \
               f"({'answer $-$ correct' if style.name == 'latex' else 'answer − correct'} " \
               f"= {self._value(style, self.difference, common=True)})."
        if not self.matches:
            if self.unsearched is None:
                return head
            note = f"No slip was looked for: the answer has {self.unsearched}, past symcount's algebra budget."
            return f"{head} {note if style.name == 'text' else style.escape(note)}"
        match = self.matches[0]
        where = f" in {style.escape(match.layer.name)}" if match.layer is not None else " in every layer where it applies"
        slip = match.slip
        title = slip.title if style.name == "text" else style.escape(slip.title).replace("k^d", "$k^d$") \
            if style.name == "latex" else slip.title
        advice = slip.advice
        if match.alternative is not None and match.alternative.note:
            advice = f"{match.alternative.note}; {advice}"
        advice = style.escape(advice) if style.name == "latex" else advice
        return f"{head} The slip: {title}{where}: {advice}."

    @property
    def order(self) -> list[str]:
        """The names in the order the layers' formulas write them (``k``, ``C_in``, ``C_out``, ``b``):
        the order every symbolic value is written in, as in a derivation."""
        names: dict[str, None] = {}
        for view in _views(self.count, self.quantity):
            counted = view.counted(view.formulas)
            if counted is not None:
                try:
                    names.update(dict.fromkeys(formula.names_in(formula.from_ast(counted))))
                except (SymcountError, TypeError, AttributeError):  # pragma: no cover - a formula it cannot draw
                    continue
        return list(names)

    def _value(self, style: Style, expr: sympy.Expr, common: bool = False, bare: bool = False) -> str:
        """A value in a sentence (``bare``: in a math block) in textbook order; a difference
        (``common``) with its common factor pulled out: ``C_out·b·(k² - 1)``."""
        if not isinstance(expr, sympy.Basic) or not expr.free_symbols:
            return style.bare(expr) if bare else style.value(expr)
        return ordered_value(expr, style, self.order, common, bare)

    def lines(self, style: Style) -> list[tuple[str, str]]:
        """(label, math) rows: the correct line, and the slipped one when a slip was found."""
        rows: list[tuple[str, str]] = []
        match = self.matches[0] if self.matches else None
        layer_views = [v for v in _views(self.count, self.quantity)]
        if len(layer_views) == 1 or (match is not None and match.view is not None):
            view = match.view if match is not None and match.view is not None else layer_views[0]
            param = view.counted(view.formulas)
            if param is not None:
                rows.append(("correct", formula_line(param, view.bindings, style, self.expected
                                                     if len(self.count.layers) == 1 else None, self.order)))
            if match is not None and match.alternative is not None and match.alternative.formula is not None:
                alt = match.alternative
                rows.append(("the slip", formula_line(alt.formula, {**view.bindings, **alt.bindings}, style,  # type: ignore[arg-type]
                                                      None, self.order)))
            if len(self.count.layers) > 1 and match is not None and match.layer is not None:
                # like with like: the layer's lines say so, and the answer stands beside the network's total
                rows = [(f"{match.layer.name}, {label}", math) for label, math in rows]
                rows.append(("network, correct", self._value(style, self.expected, bare=True)))
        else:
            rows.append(("correct", self._value(style, self.expected, bare=True) + self._zero_reason(style)))
        rows.append(("answer", self._answer_line(style)))
        return rows

    def _zero_reason(self, style: Style) -> str:
        """Why a layer without parameters has none (pooling: no weights), as a marker says it."""
        layers = [layer for layer in self.count.layers if layer.entry is not None]
        if self.expected != 0 or len(layers) != 1 or layers[0].entry is None:
            return ""
        return style.note(layers[0].entry.zero_reason)

    def _answer_line(self, style: Style) -> str:
        """The answer as written (order kept), with the values put in, then its value."""
        try:
            written = parse_expression(self.answer_text, "<answer>")
            return formula_line(written, answer_names(self.count, self.count.values), style, self.answer,
                                self.order)
        except SymcountError:
            return self._value(style, self.answer, bare=True)

    def _render(self, fmt: Format) -> str:
        return self._write(fmt.style)

    def _title(self) -> str | None:
        return f"Checking an answer: the {self._quantity_words} of {self._subject}"

    @property
    def _quantity_words(self) -> str:
        return "parameters" if self.quantity == "total" else "trainable parameters"

    @property
    def _subject(self) -> str:
        """What the question is about: the network by name, or its one layer's kind."""
        if self.count.network != "main":
            return f"network {self.count.network}"
        kinds = [layer.kind for layer in self.count.layers]
        return f"a {kinds[0]} layer" if len(kinds) == 1 else "the description"

    def _question(self, fmt: Format) -> str | None:
        return self.question(fmt.style)

    def question(self, style: Style) -> str:
        """The question restated, with the answer given (a verdict reads on its own, as a marker's note)."""
        answer = self.answer_text if style.name == "text" else \
            rf"\texttt{{{latex_code(self.answer_text)}}}" if style.name == "latex" else f"`{self.answer_text}`"
        return f"How many {self._quantity_words} does {style.escape(self._subject)} have? The answer given: {answer}."

    def _summary(self) -> str:
        return f"correct={self.correct}, answer={self.answer_text!r}, mistake={self.mistake!r}"

    def _write(self, style: Style) -> str:
        out = [self.sentence(style)]
        out.append("")
        out.append(labelled_lines(self.lines(style), style))
        if not self.correct:
            extra = self._extra(style)
            if extra:
                out.append("")
                out += extra
        return "\n".join(out) + "\n"

    def _extra(self, style: Style) -> list[str]:
        out = []
        if self.counterexample:
            values = ", ".join(
                (f"{k} = {v}" if style.name == "text" else f"${latex_name(k)} = {v}$")
                for k, v in self.counterexample.items())
            point = {sym(k): v for k, v in self.counterexample.items()}
            a = self.answer.xreplace(point)
            e = self.expected.xreplace(point)
            out.append(f"Smallest counterexample: {values} (answer {style.value(a)}, correct {style.value(e)}).")
        if self.agrees_when:
            conds = " or ".join(style.relation(c.lhs, "=", c.rhs) for c in self.agrees_when)
            out.append(f"The answer happens to agree when {conds}.")
        elif self.agrees_when == [] and self.difference.free_symbols:
            out.append("The answer never agrees with the correct count.")
        return out


def ordered_value(expr: sympy.Expr, style: Style, order: Sequence[str], common: bool = False,
                  bare: bool = False) -> str:
    """A symbolic value expanded and written as a derivation writes it: coefficients first, names
    in the formula's ``order``; ``common`` pulls a factor common to every term out (a difference)."""
    f = formula
    if not budget.affordable(expr):  # too large to put in textbook order quickly: sympy's own order
        return style.bare(expr) if bare else style.value(expr)
    node = f.common_factor_form(expr, order) if common else f.from_sympy(sympy.expand(expr), order)
    if style.name == "text":
        return f.text(node)
    return f.latex(node) if bare else f"${f.latex(node)}$"


def formula_line(expr: nodes.Expr, bindings: Mapping[str, Any], style: Style, result: sympy.Expr | None,
                 order: Sequence[str] | None = None) -> str:
    """A formula as written, then with the values put in, then its value (a symbolic value with
    its names in ``order`` when given, as :func:`ordered_value` writes it).

    Uses :mod:`symcount.render.formula` (order-keeping substitution) when it is
    there; otherwise the general line and the value only.
    """
    general_value = evaluate(expr, Env([dict(bindings)]))
    value = sympy.expand(general_value) if result is None else result
    f = formula
    try:
        tree = f.from_ast(expr)
        structural = {n: v for n, v in bindings.items() if n in ("g", "b", "m") and isinstance(v, sympy.Basic)
                      and (v.is_Symbol or v in (0, 1))}
        droppable = ("g", "b", "m")
        line1 = f.simplify(f.substitute(tree, structural, droppable))
        line2 = f.simplify(f.substitute(line1, {k: v for k, v in bindings.items() if isinstance(v, sympy.Expr)},
                                        droppable, f.names_in(line1)))
        render = f.text if style.name == "text" else f.latex
        last = style.bare(value) if order is None or not value.free_symbols else \
            ordered_value(value, style, order, bare=True)
        steps = [render(line1), render(line2), last]
    except (SymcountError, TypeError, AttributeError):  # pragma: no cover - a formula it cannot draw
        return _fallback_line(expr, value, style)
    shown: list[str] = []
    for s in steps:
        if not shown or shown[-1] != s:
            shown.append(s)
    return " = ".join(shown)


def _fallback_line(expr: nodes.Expr, value: sympy.Expr, style: Style) -> str:
    general = evaluate(expr, Env())
    first, last = style.bare(general), style.bare(value)
    return first if first == last else f"{first} = {last}"


#: A whole answer that is one number with its thousands grouped: 33,024 / 33 024 / 33{,}024 / 33\,024.
_GROUPED = re.compile(r"\d{1,3}(?:(?:,|\{,\}|\\,|[ \u00a0\u2009\u202f])\d{3})+")


def read_answer(answer: str | int | sympy.Expr, names: Mapping[str, Any], allowed: set[str]) -> sympy.Expr:
    """The answer as an exact value: parsed by symcount's grammar, names bound to the question's values."""
    if isinstance(answer, bool):
        raise SymcountError("the answer must be a number or a formula, not true/false")
    if isinstance(answer, int):
        if answer.bit_length() > MAX_BITS:
            raise SymcountError(f"the answer is too large a number ({answer.bit_length():,} bits; "
                                f"the limit is {MAX_BITS:,})")
        return sympy.Integer(answer)
    if isinstance(answer, sympy.Basic):
        return _sympy_answer(answer, names, allowed)
    if not isinstance(answer, str):
        raise SymcountError(f"the answer must be a number, a formula (text) or a sympy expression, "
                            f"not {type(answer).__name__}")
    grouped = _GROUPED.fullmatch(str(answer).strip())
    if grouped:  # 33,024 or 33 024 as written on paper: one number, its digits grouped
        answer = re.sub(r"\D", "", grouped.group(0))
    expr = parse_expression(str(answer), "<answer>")
    env = Env([dict(names)])
    try:
        value = evaluate(expr, env)
    except SymcountError as err:
        raise err.located("<answer>", str(answer).strip()) from None
    if isinstance(value, (bool, str, tuple)) or not isinstance(value, sympy.Basic):
        raise SymcountError("the answer must be a number or a formula").located("<answer>", str(answer))
    unknown = sorted(s.name for s in value.free_symbols if s.name not in allowed)
    if unknown:
        raise SymcountError(
            f"the answer uses {unknown[0]}, which the question does not have "
            f"(its names: {', '.join(sorted(allowed)) or 'none: it is all numbers'})",
            hint=did_you_mean(unknown[0], allowed) or "give it a value with --set",
        ).located("<answer>", str(answer).strip())
    return value


def _sympy_answer(answer: sympy.Basic, names: Mapping[str, Any], allowed: set[str]) -> sympy.Expr:
    """A sympy answer read as its text would be: each symbol is the question's name of that spelling
    (``sympy.Symbol("C")`` is the question's C, whatever assumptions it was made with); a name the
    question does not have stays a symbol of its own, so the answer is judged wrong, not refused."""
    if not isinstance(answer, sympy.Expr) or answer.has(sympy.Float) or not answer.is_finite and answer.is_number:
        raise SymcountError(f"the answer must be an exact number or formula, not {answer}",
                            hint="floats are not exact: give an int, a Rational or a formula")
    check_expansion(answer, nodes.NOWHERE, "the answer")
    return answer.xreplace({s: names.get(s.name, sym(s.name)) if s.name in allowed else s for s in answer.free_symbols
                            if isinstance(s, sympy.Symbol)})


def answer_names(result: Count, values: Mapping[str, Any]) -> dict[str, Any]:
    """Names an answer may use, with their values: --set values, then a single layer's bindings."""
    names: dict[str, Any] = {}
    views = [layer for layer in result.layers if layer.total != 0 or layer.buffers != 0]
    if len(views) == 1:
        layer = views[0]
        for name, value in layer.bindings.items():
            if isinstance(value, sympy.Basic) and not isinstance(value, bool):
                names[name] = value
        if layer.entry is not None and layer.args is not None:
            for spec in layer.entry.args:
                value = layer.args.get(spec.name)
                if isinstance(value, sympy.Basic) and spec.name not in names:
                    names[spec.name] = value
    names.update(values)
    return names


def counterexample(difference: sympy.Expr, expected: sympy.Expr, binary: set[sympy.Symbol]
                   ) -> dict[str, int] | None:
    """The values (smallest sum first, then in name order) where the difference is not zero.

    Only points where the correct count is a whole number >= 0 are valid
    sizes (C_in / g must divide); a bias indicator is 0 or 1.
    """
    symbols = sorted(difference.free_symbols | expected.free_symbols, key=lambda s: s.name)
    if not symbols or sympy.expand(difference) == 0:
        return None
    lows = [0 if s in binary else 1 for s in symbols]
    tried = 0
    for total in range(sum(lows), sum(lows) + MAX_EXTRA):
        for point in _points(len(symbols), total, lows, [s in binary for s in symbols]):
            tried += 1
            if tried > SEARCH_LIMIT:
                return None
            subs = {s: sympy.Integer(v) for s, v in zip(symbols, point, strict=True)}
            e = expected.xreplace(subs)
            if not (is_number(e) and e.is_integer and e >= 0):
                continue
            d = difference.xreplace(subs)
            if is_number(d) and d != 0:
                return {s.name: v for s, v in zip(symbols, point, strict=True)}
    return None


def _points(n: int, total: int, lows: list[int], bits: list[bool]) -> Iterator[tuple[int, ...]]:
    """Tuples with the given sum, in lexicographic order (bias indicators 0 or 1)."""
    if n == 0:
        if total == 0:
            yield ()
        return
    top = 1 if bits[0] else total - sum(lows[1:])
    for first in range(lows[0], top + 1):
        for rest in _points(n - 1, total - first, lows[1:], bits[1:]):
            yield (first, *rest)


def check(
    source: Source,
    answer: str | int | sympy.Expr,
    *,
    values: Mapping[str, Any] | None = None,
    convention: str | None = None,
    network: str | None = None,
    quantity: str = "total",
) -> Verdict:
    """Check an answer to "how many parameters does SOURCE have?" (see the module docstring).

    ``quantity`` is ``"total"`` (trainable + non-trainable, as the framework
    reports it) or ``"trainable"``.
    """
    if not isinstance(quantity, str) or quantity not in QUANTITIES:
        raise SymcountError(f"unknown quantity {quantity!r} (valid: {', '.join(QUANTITIES)})",
                            hint=did_you_mean(quantity, QUANTITIES) if isinstance(quantity, str) else None)
    result = count(source, values=values, convention=convention, network=network)
    expected = sympy.expand(result.total if quantity == "total" else result.trainable)
    converted = convert_values(values)
    names = answer_names(result, converted)
    allowed = {s.name for s in expected.free_symbols} | set(names)
    given = read_answer(answer, names, allowed)
    text = answer if isinstance(answer, str) else sympy.sstr(answer)
    # 0 is no size: "nothing is learned" is a wrong answer to compare, not a question of --set values
    if is_number(given) and given != 0 and expected.free_symbols:
        free = ", ".join(sorted(s.name for s in expected.free_symbols))
        raise SymcountError(
            f"the answer is a number but the question is symbolic in {free}",
            hint="give the sizes with --set NAME=VALUE (values=) to check a number",
        ).located(*_where(source))
    expanded = sympy.expand(given - expected)
    difference = algebra.readable(expanded)
    same = budget.is_zero(expanded)
    if same is None:
        raise SymcountError(f"the answer is too large to compare with the count: {budget.why_not(given - expected)}",
                            hint="expand or simplify the answer by hand, or give the sizes values with --set")
    correct = same
    binary = algebra.bias_symbols(result)
    views = _views(result, quantity)
    # a slip is looked for only in an answer within the algebra budget (each try expands the answer)
    unsearched = None if correct else budget.why_not(given)
    matches = [] if correct or unsearched is not None else find_slips(views, expected, given)
    return Verdict(
        correct=correct,
        expected=expected,
        answer=sympy.expand(given),
        answer_text=text.strip(),
        count=result,
        difference=sympy.Integer(0) if correct else difference,
        counterexample=None if correct else counterexample(difference, expected, binary),
        agrees_when=None if correct or is_number(difference) else algebra.zeros(difference, binary),
        matches=matches,
        quantity=quantity,
        unsearched=unsearched,
    )


def _where(source: Source) -> tuple[str, str]:
    text, filename, _ = read_source(source)
    return filename, text


__all__ = ["check", "Verdict", "SLIPS", "SLIP_IDS", "Slip", "latex_value", "unicode_value"]
