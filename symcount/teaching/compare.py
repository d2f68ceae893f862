"""What-if: compare two layers, blocks or networks symbolically.

``compare(a, b)`` counts both sides with :func:`symcount.count` (each side
may have its own convention, values and network), then answers the questions
a teacher asks: the two totals, A − B and A / B in the form that reads best,
and for which sizes A is cheaper, equal or dearer (all sizes are positive
integers, a bias indicator is 0 or 1). With one free symbol the threshold is
solved exactly; with several, a sign that never changes is proved (7C² > 0),
otherwise the symbols that decide it are named with a small table of cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symcount.counting import Source, count
from symcount.engine import algebra
from symcount.engine.count import Count
from symcount.errors import SymcountError, UnknownValueError, did_you_mean, shorten
from symcount.language.symbols import is_number
from symcount.render.blocks import MAX_MATH_CHARS, aligned, display, labelled_lines, printed_length, small_table
from symcount.render.derivation_latex import wrap_standalone
from symcount.render.escape import latex_code
from symcount.render.formats import Format
from symcount.render.latex import latex_name, latex_value
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.render.unicode import unicode_value
from symcount.teaching.check import formula_line
from symcount.teaching.slips import layer_view

FORMATS = ("text", "markdown", "latex")


# ------------------------------------------------------------------------------------- formats


def _join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# ------------------------------------------------------------------------------------- outcome

_WORDS = {-1: "cheaper than", 0: "as dear as", 1: "dearer than"}


@dataclass(frozen=True)
class Outcome:
    """For which values A is cheaper (A < B), equal, or dearer (A > B).

    ``kind`` is ``"cheaper"``, ``"equal"``, ``"dearer"`` (the same for every
    allowed value), ``"depends"`` or ``"undecided"`` (A − B past the algebra budget: nothing is claimed);
    ``sentence(style)`` is the verdict.
    """

    kind: str
    analysis: algebra.SignAnalysis
    difference: sympy.Expr
    binary: frozenset[sympy.Symbol] = frozenset()
    symbolic: bool = True

    def __str__(self) -> str:
        return self.sentence(Style("text"))

    def sentence(self, style: Style) -> str:
        a = self.analysis
        d = self.difference
        if a.constant == 0:
            return "A and B have the same count for all values." if self.symbolic else "A and B have the same count."
        if a.constant is not None:
            word = _WORDS[a.constant]
            op = ">" if a.constant > 0 else "<"
            if is_number(d):
                return f"A is {word} B by {style.value(abs(d))}."
            symbols = algebra.sorted_symbols(d)
            scope = self._scope(symbols, style)
            why = style.relation(d, op, 0) if a.deciding is None or a.deciding == d else \
                style.relation(a.deciding, op, 0)
            return f"A is {word} B {scope} (A - B = {style.bare(d)}; {why} always)." if style.name == "text" \
                else f"A is {word} B {scope} ($A - B = {style.bare(d)}$; {why} always)."
        if a.symbol is not None:
            parts = [self._segment(seg, a.symbol, style) for seg in a.segments]
            return "; ".join(parts) + "."
        if a.undecided is not None:  # past the algebra budget: say so, claim nothing about the sign
            return (f"Which is cheaper was not decided: A - B has {a.undecided}, past symcount's algebra budget; "
                    f"A is dearer than B exactly when {style.relation(self.difference, '>', sympy.Integer(0))}.")
        names = _join_words([style.symbol(s) for s in a.depends_on])
        deciding = sympy.expand(a.deciding)
        lead = sympy.Poly(deciding, *a.depends_on).LC() if deciding.is_polynomial(*a.depends_on) else 1
        if lead < 0:
            return (f"Which is cheaper depends on {names}: A is cheaper than B exactly when "
                    f"{style.relation(-deciding, '>', sympy.Integer(0))}.")
        return (f"Which is cheaper depends on {names}: A is dearer than B exactly when "
                f"{style.relation(deciding, '>', sympy.Integer(0))}.")

    def _scope(self, symbols: Sequence[sympy.Symbol], style: Style) -> str:
        sizes = [s for s in symbols if s not in self.binary]
        bits = [s for s in symbols if s in self.binary]
        if len(sizes) == 1 and not bits:
            return f"for all {style.relation(sizes[0], '≥', sympy.Integer(1))}"
        names = _join_words([style.symbol(s) for s in symbols])
        return f"for all values of {names}"

    def _segment(self, seg: algebra.Segment, x: sympy.Symbol, style: Style) -> str:
        word = _WORDS[seg.sign]
        head = "A and B are equal" if seg.sign == 0 else f"A is {word} B"
        first = 0 if x in self.binary else 1
        if seg.lo == seg.hi:
            where = f"at {style.relation(x, '=', sympy.Integer(seg.lo))}"
        elif seg.hi is None:
            where = f"for all {style.relation(x, '≥', sympy.Integer(seg.lo))}" if seg.lo == first \
                else f"for {style.relation(x, '≥', sympy.Integer(seg.lo))}"
        elif seg.lo == first:
            where = f"for {style.relation(x, '≤', sympy.Integer(seg.hi))}"
        else:
            lo, hi = sympy.Integer(seg.lo), sympy.Integer(seg.hi)
            if style.name == "text":
                where = f"for {lo} ≤ {x.name} ≤ {hi}"
            else:
                where = f"for ${lo} \\leq {latex_name(x.name)} \\leq {hi}$"
        return f"{head} {where}"

    def table(self, style: Style) -> str:
        """The table of cases when the answer depends on several symbols ('' otherwise).

        Two sizes make a grid (rows: the first, columns: the second) of
        ``<`` (A cheaper), ``=`` and ``>`` (A dearer); more make a list.
        """
        a = self.analysis
        if not a.cases:
            return ""
        names = [s.name if style.name == "text" else style.symbol(s) for s in a.depends_on]
        if len(a.depends_on) == 2:
            marks = {-1: "<", 0: "=", 1: ">", None: "?"}
            if style.name == "latex":
                marks = {-1: "$<$", 0: "$=$", 1: "$>$", None: "?"}
            firsts = list(dict.fromkeys(c[0] for c, _ in a.cases))
            seconds = list(dict.fromkeys(c[1] for c, _ in a.cases))
            sign = dict(a.cases)
            header = [f"{names[0]} / {names[1]}"] + [str(v) for v in seconds]
            rows = [[str(x)] + [marks[sign[(x, y)]] for y in seconds] for x in firsts]
            legend = "A vs B: < A cheaper, = equal, > A dearer."
            if style.name == "latex":
                legend = "A vs B: $<$ A cheaper, $=$ equal, $>$ A dearer."
            return small_table(header, rows, style, align="r" + "c" * len(seconds)) + "\n" + legend + "\n"
        words = {-1: "A cheaper", 0: "equal", 1: "A dearer", None: "undefined"}
        header = [*names, "A vs B"]
        rows = [[str(v) for v in combo] + [words[sign]] for combo, sign in a.cases]
        return small_table(header, rows, style, align="r" * len(a.depends_on) + "l")


def outcome_of(difference: sympy.Expr, binary: set[sympy.Symbol], symbolic: bool = True) -> Outcome:
    analysis = algebra.analyse_sign(difference, binary)
    if analysis.constant is not None:
        kind = {-1: "cheaper", 0: "equal", 1: "dearer"}[analysis.constant]
    else:
        kind = "undecided" if analysis.undecided is not None else "depends"
    return Outcome(kind, analysis, difference, frozenset(binary), symbolic)


# ------------------------------------------------------------------------------------- sides


@dataclass(frozen=True)
class Side:
    """How one side of a comparison is counted."""

    source: Source
    convention: str | None
    network: str | None
    values: Mapping[str, Any]
    label: str


def label_of(source: Source, network: str | None) -> str:
    """``file.sc#net`` for a file, the description itself (shortened) for text."""
    if isinstance(source, Path):
        text = source.name
        if network and "#" not in text:
            text += f"#{network}"
        return text
    one_line = " ".join(source.split())
    if len(one_line) > 60:
        one_line = one_line[:57] + "..."
    return one_line + (f" #{network}" if network else "")


def count_side(side: Side, shared: Mapping[str, Any], which: str = "") -> tuple[Count, set[str]]:
    """Count one side with the shared values it knows and all of its own.

    A shared ``--set`` name that this side does not have is left out for this
    side (the other side may use it); the names used are returned so the
    caller can reject a name neither side knows.
    """
    pending = dict(shared)
    used = set(pending)
    while True:
        try:
            result = count(side.source, values={**pending, **side.values}, convention=side.convention,
                           network=side.network)
            return result, used
        except UnknownValueError as err:
            if err.name not in pending or err.name in side.values:
                raise _naming(_own_option(err, side, which), which) from None
            del pending[err.name]
            used.discard(err.name)
        except SymcountError as err:
            raise _naming(_own_option(err, side, which), which) from None


def _own_option(err: SymcountError, side: Side, which: str) -> SymcountError:
    """A value given with ``--a-set`` / ``--b-set`` (not ``--set``) is named so in the message."""
    for name in side.values:
        if which and err.message.startswith(f"--set {name}:"):
            err.message = err.message.replace("--set", f"--{which.lower()}-set", 1)
    return err


def _naming(err: SymcountError, which: str) -> SymcountError:
    """Two inline descriptions are both '<input>': say which side an error is about."""
    if which and err.filename == "<input>":
        err.filename = f"<{which}>"
    return err


def _values(values: Any, what: str) -> dict[str, Any]:
    if values is not None and not isinstance(values, Mapping):
        raise SymcountError(f"{what} must be a mapping of names to values, not {type(values).__name__}",
                            hint='e.g. values={"C": 64}')
    return dict(values or {})


def _pair(value: Any, what: str) -> tuple[Any, Any]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise SymcountError(f"{what} takes one value or a pair, got {len(value)}")
        return value[0], value[1]
    return value, value


# ------------------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class SweepRow:
    """One value of a sweep: both counts, or ``invalid`` (why a side cannot be counted there: a
    kernel larger than its input, heads that do not divide) with no counts, never a verdict."""

    value: sympy.Expr
    a: sympy.Expr
    b: sympy.Expr
    invalid: str | None = None

    @property
    def difference(self) -> sympy.Expr:
        return sympy.nan if self.invalid else sympy.expand(self.a - self.b)

    @property
    def ratio(self) -> sympy.Expr:
        return algebra.readable(self.a / self.b) if self.b != 0 and not self.invalid else sympy.nan


#: The question every comparison answers, restated at its head.
QUESTION = "Which has more parameters, A or B, by how much, and for which sizes?"


@dataclass(repr=False)
class Comparison(Printable):
    """Two counts side by side: ``.a``, ``.b``, ``.difference``, ``.ratio``, ``.verdict``."""

    a: Count
    b: Count
    sides: tuple[Side, Side]
    shared: Mapping[str, Any] = field(default_factory=dict)
    sweep_rows: list[SweepRow] = field(default_factory=list)
    sweep_name: str | None = None

    @property
    def binary(self) -> set[sympy.Symbol]:
        return algebra.bias_symbols(self.a, self.b)

    @property
    def difference(self) -> sympy.Expr:
        """A − B, expanded or factored, whichever reads better."""
        return algebra.readable(sympy.expand(self.a.total - self.b.total))

    @property
    def ratio(self) -> sympy.Expr:
        """A / B, simplified (nan when B has no parameters)."""
        if self.b.total == 0:
            return sympy.nan
        return algebra.readable(self.a.total / self.b.total)

    @property
    def verdict(self) -> Outcome:
        symbolic = bool((self.a.total + self.b.total).free_symbols)
        return outcome_of(sympy.expand(self.a.total - self.b.total), self.binary, symbolic)

    # -- sweep ---------------------------------------------------------------------------
    def sweep(self, name: str, values: Sequence[int | sympy.Expr]) -> list[SweepRow]:
        """Recount both sides at each value of ``name`` (a free symbol or a let)."""
        rows: list[SweepRow] = []
        errors: list[SymcountError] = []
        for v in values:
            shared = {**self.shared, name: sympy.Integer(v) if isinstance(v, int) else v}
            try:
                (ca, used_a), (cb, used_b) = (count_side(s, shared, w) for s, w in zip(self.sides, "AB", strict=True))
            except SymcountError as err:  # this size is invalid for a layer: a row that says why
                errors.append(err)
                rows.append(SweepRow(shared[name], sympy.nan, sympy.nan, invalid=_reason(err)))
                continue
            if name not in used_a | used_b:
                raise SymcountError(f"--sweep {name}: neither side has a name {name}",
                                    hint=did_you_mean(name, _names(self)))
            rows.append(SweepRow(shared[name], ca.total, cb.total))
        if errors and len(errors) == len(rows):  # no size is valid: the first error, with its position
            raise errors[0]
        self.sweep_rows = rows
        self.sweep_name = name
        return rows


    def _breakdown(self, result: Count) -> list[sympy.Expr]:
        return [layer.total for layer in result.layers if layer.total != 0]

    def _lines(self) -> list[tuple[str, str, list[Any]]]:
        """(name, LaTeX name, [values...]) for the math block: a chain of equalities."""
        lines = []
        for name, result in (("A", self.a), ("B", self.b)):
            parts = self._breakdown(result)
            chain: list[Any] = []
            terms = sum(len(sympy.Add.make_args(p)) for p in parts)
            if 1 < len(parts) <= 8 and terms > len(sympy.Add.make_args(result.total)):
                chain.append(("sum", parts))
            chain.append(result.total)
            lines.append((name, name, chain))
        lines.append(("A - B", "A - B", [self.difference]))
        ratio = self.ratio
        lines.append(("A / B", r"\frac{A}{B}", [ratio, ("approx", ratio)] if _fraction(ratio) else [ratio]))
        return lines

    def _render(self, fmt: Format) -> str:
        return self._write(fmt.style)

    def _title(self) -> str | None:
        return "Comparing the parameters of A and B"

    def _question(self, fmt: Format) -> str | None:
        return QUESTION

    def _summary(self) -> str:
        return f"A={self.sides[0].label!r}, B={self.sides[1].label!r}, verdict={self.verdict.kind!r}"

    def _write(self, style: Style) -> str:
        out: list[str] = []
        for name, side, result in (("A", self.sides[0], self.a), ("B", self.sides[1], self.b)):
            label = latex_code(side.label) if style.name == "latex" else style.escape(side.label)
            conv = result.convention
            given = ", ".join(f"{k}={unicode_value(v)}" for k, v in sorted(result.values.items()))
            extra = f"; {style.escape(given)}" if given else ""
            if style.name == "text":
                out.append(f"{name}: {label} ({conv}{extra})")
            elif style.name == "markdown":
                out.append(f"- **{name}**: `{side.label}` ({conv}{extra})")
            else:
                out.append(rf"\noindent\textbf{{{name}}}: \texttt{{{label}}} ({conv}{extra})\\")
        for name, result in (("A", self.a), ("B", self.b)):
            rows = layer_lines(result, style)
            if not rows:
                continue
            out.append("")
            out.append(f"{name}, layer by layer:")
            out.append(labelled_lines(rows, style, indent="  "))
        out.append("")
        out.append(self._math(style))
        out.append("")
        out.append(self.verdict.sentence(style))
        table = self.verdict.table(style)
        if table:
            out.append("")
            out.append(table.rstrip("\n"))
        if self.sweep_rows:
            out.append("")
            out.append(self.sweep_table(style).rstrip("\n"))
            invalid = [r for r in self.sweep_rows if r.invalid]
            if invalid:
                name = self.sweep_name or "x"
                shown = name if style.name == "text" else style.escape(name)
                out.append("")
                out.append(f"At {len(invalid)} of the {len(self.sweep_rows)} values of {shown} a layer cannot be "
                           "built (invalid): there is no count there, and the verdict above does not hold there.")
        return "\n".join(out) + "\n"

    def _math(self, style: Style) -> str:
        rows = []
        for name, tex_name, chain in self._lines():
            cells: list[str] = []
            for item in chain:
                if isinstance(item, tuple) and item[0] == "approx":
                    cells[-1] += (" ≈ " if style.name == "text" else r" \approx ") + f"{float(item[1]):.4f}"
                elif isinstance(item, tuple):
                    cells.append(" + ".join(_paren_sum(style, p) for p in item[1]))
                else:
                    cells.append(style.bare(item))
            rows.append((name, tex_name, cells))
        if not style.math:
            width = max(len(r[0]) for r in rows)
            return "\n".join(f"{n.ljust(width)} = " + " = ".join(c) for n, _, c in rows)
        chains = [f"{t} &= " + " = ".join(c) for _, t, c in rows]
        if max(printed_length(chain) for chain in chains) > MAX_MATH_CHARS:
            # every chain broken before each "=", the same rule for all of them
            chains = [f"{t} &= " + " \\\\\n&= ".join(c) for _, t, c in rows]
        return display(aligned(chains), style)

    def sweep_table(self, style: Style) -> str:
        name = self.sweep_name or "x"
        header = [name if style.name == "text" else f"${latex_name(name)}$" if style.name == "latex" else name,
                  "A", "B", "A - B", "A / B"]
        rows = []
        for row in self.sweep_rows:
            if row.invalid:
                reason = row.invalid if style.name == "text" else style.escape(row.invalid)
                rows.append([_cell(row.value, style), "invalid", "-", "-", reason])
                continue
            ratio = row.ratio
            ratio_text = f"{float(ratio):.4f}" if is_number(ratio) and ratio is not sympy.nan else "-"
            cells = [row.value, row.a, row.b, row.difference]
            rows.append([_cell(c, style) for c in cells] + [ratio_text])
        return small_table(header, rows, style, align="rrrrr")


#: Longest reason an invalid sweep row gives (a table cell that must fit the page; the whole message is
#: one count of that size away).
MAX_REASON = 50


def _reason(err: SymcountError) -> str:
    """Why a sweep row is invalid: the error's message and its place, bounded to one short cell."""
    where = f"line {err.line}: " if err.line >= 1 else ""
    text = " ".join(f"{where}{err.message}".split())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def _fraction(value: Any) -> bool:
    """A number that is not whole (worth a decimal approximation)."""
    return isinstance(value, sympy.Basic) and value is not sympy.nan and is_number(value) and not value.is_Integer


#: Longest network whose layers a comparison derives one by one.
MAX_LAYER_LINES = 12


def layer_lines(result: Count, style: Style) -> list[tuple[str, str]]:
    """(layer, derivation) for each layer with parameters: formula, values put in, value.

    A layer whose catalog formula does not reproduce its count (a tied
    weight, say) shows its count alone; long networks show none.
    """

    layers = [layer for layer in result.layers if layer.total != 0]
    if not layers or len(layers) > MAX_LAYER_LINES:
        return []
    rows = []
    for layer in layers:
        view = layer_view(layer, result.convention, "total")
        if view is None or "param" not in view.formulas or layer.multiplier != 1:
            rows.append((layer.name, style.bare(layer.total)))
            continue
        line = formula_line(view.formulas["param"], view.bindings, style, None)
        if "stat" in view.formulas and result.convention == "keras":
            stat = formula_line(view.formulas["stat"], view.bindings, style, None)
            line = f"{line} (trainable), {stat} (non-trainable)" if style.name == "text" else \
                rf"{line} \text{{ (trainable), }} {stat} \text{{ (non-trainable)}}"
        rows.append((layer.name, line))
    return rows


def _cell(value: Any, style: Style) -> str:
    if style.name == "latex" and not is_number(value):
        return f"${latex_value(value)}$"
    if style.name == "latex":
        return f"${latex_value(value)}$"
    return unicode_value(value)


def _paren_sum(style: Style, part: sympy.Expr) -> str:
    text = style.bare(part)
    return f"({text})" if isinstance(part, sympy.Basic) and part.is_Add else text


def _names(comparison: Comparison) -> list[str]:
    symbols = (comparison.a.total + comparison.b.total).free_symbols
    return sorted({s.name for s in symbols} | set(comparison.shared))


def wrap_document(body: str) -> str:
    """A complete article that pdflatex compiles unchanged (the derivations' preamble)."""
    return wrap_standalone(None, body)


def compare(
    a: Source,
    b: Source,
    *,
    values: Mapping[str, Any] | None = None,
    a_values: Mapping[str, Any] | None = None,
    b_values: Mapping[str, Any] | None = None,
    convention: str | None | tuple[str | None, str | None] = None,
    network: str | None | tuple[str | None, str | None] = None,
    labels: tuple[str, str] | None = None,
) -> Comparison:
    """Count ``a`` and ``b`` and compare them (see the module docstring).

    ``values`` go to both sides (a side that lacks a name ignores it);
    ``a_values``/``b_values`` to one side. ``convention`` and ``network``
    take one value for both sides or a pair.
    """
    for what, side in (("a", a), ("b", b)):
        if not isinstance(side, (str, Path)):
            raise SymcountError(f"{what} must be description text (str) or a file (pathlib.Path), "
                                f"not {type(side).__name__}")
    if labels is not None and not (isinstance(labels, (tuple, list)) and len(labels) == 2
                                   and all(isinstance(x, str) for x in labels)):
        raise SymcountError("labels must be a pair of strings, e.g. labels=(\"small\", \"large\")")
    conv_a, conv_b = _pair(convention, "convention")
    net_a, net_b = _pair(network, "network")
    shared = _values(values, "values")
    sides = (
        Side(a, conv_a, net_a, _values(a_values, "a_values"), labels[0] if labels else label_of(a, net_a)),
        Side(b, conv_b, net_b, _values(b_values, "b_values"), labels[1] if labels else label_of(b, net_b)),
    )
    (ca, used_a), (cb, used_b) = (count_side(s, shared, w) for s, w in zip(sides, "AB", strict=True))
    unknown = [n for n in shared if n not in used_a | used_b]
    if unknown:
        known = sorted(ca.settable | cb.settable)
        raise SymcountError(f"--set {unknown[0]}: neither side has this name "
                            f"(names that can be set: {', '.join(known) or 'none'})",
                            hint=did_you_mean(unknown[0], known))
    return Comparison(ca, cb, sides, shared)


# ------------------------------------------------------------------------------------- sweep specs


#: Most values a sweep recounts (each costs two counts).
MAX_SWEEP_VALUES = 200
#: Most digits a swept value may have (a size, not a number to print).
MAX_SWEEP_DIGITS = 18
#: Longest part of the user's --sweep text a message echoes.
MAX_ECHO = 40
SWEEP_HINT = "e.g. --sweep C=16..512 (doubling), --sweep C=1..8:1 (a step) or --sweep k=3,5,7 (a list)"


def _echo(text: str) -> str:
    """User text as a message quotes it: one line, at most MAX_ECHO characters."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_ECHO else f"{shorten(text, MAX_ECHO)} ({len(text):,} characters)"


def _whole(text: str, spec: str) -> int:
    """One value of a sweep: a whole number >= 1, written in digits (no expressions)."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        what = "an expression" if any(c in text for c in "+-*/^()") or text.isidentifier() else "not a whole number"
        raise SymcountError(f"--sweep {_echo(spec)}: '{_echo(text)}' is {what}; sweep values are whole numbers "
                            "written in digits", hint=SWEEP_HINT)
    if len(text.lstrip("0")) > MAX_SWEEP_DIGITS:
        raise SymcountError(f"--sweep {_echo(spec)}: '{_echo(text)}' has more than {MAX_SWEEP_DIGITS} digits",
                            hint="sweep sizes, not numbers that large")
    value = int(text)
    if value < 1:
        raise SymcountError(f"--sweep {_echo(spec)}: values must be whole numbers >= 1, got {value}", hint=SWEEP_HINT)
    return value


def parse_sweep(spec: str) -> tuple[str, list[sympy.Integer]]:
    """``C=16..512`` (doubling), ``C=1..8:1`` (step), ``C=3,5,7`` (a list).

    Each value is read as digits (an expression gets its own message), the number of values is
    known before any is made (a billion-step range is refused at once), and every echo of the
    user's text is bounded."""
    name, sep, rest = spec.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise SymcountError(f"--sweep expects NAME=START..STOP, NAME=START..STOP:STEP or NAME=V1,V2,..., "
                            f"got '{_echo(spec)}'", hint=SWEEP_HINT)
    rest = rest.strip()
    if ".." in rest:
        start_text, _, stop_text = rest.partition("..")
        stop_text, _, step_text = stop_text.partition(":")
        start, stop = _whole(start_text, spec), _whole(stop_text, spec)
        step = _whole(step_text, spec) if step_text else None
        if stop < start:
            raise SymcountError(f"--sweep {_echo(spec)}: the range ends ({stop}) before it starts ({start})",
                                hint=SWEEP_HINT)
        count = len(range(start, stop + 1, step)) if step else (stop // start).bit_length()
        if count > MAX_SWEEP_VALUES:
            raise SymcountError(f"--sweep {_echo(spec)}: {count:,} values; at most {MAX_SWEEP_VALUES}",
                                hint="take a larger step, or sweep a doubling range (START..STOP)")
        values = list(range(start, stop + 1, step)) if step else _doubling(start, stop)
    else:
        parts = rest.split(",")
        if len(parts) > MAX_SWEEP_VALUES:
            raise SymcountError(f"--sweep {_echo(spec)}: {len(parts):,} values; at most {MAX_SWEEP_VALUES}")
        values = [_whole(v, spec) for v in parts]
    for before, after in itertools.pairwise(values):
        if after <= before:
            raise SymcountError(f"--sweep {_echo(spec)}: values must be in increasing order ({before} then {after})",
                                hint=SWEEP_HINT)
    return name, [sympy.Integer(v) for v in values]


def _doubling(start: int, stop: int) -> list[int]:
    values = []
    v = start
    while v <= stop:
        values.append(v)
        v *= 2
    return values
