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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symcount.catalog.core import Args
from symcount.counting import Source, convert_values, count, read_source
from symcount.engine import algebra
from symcount.engine.count import Count
from symcount.engine.results import CONVENTIONS, LayerResult
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.parse import parse_expression
from symcount.language.symbols import is_number, sym
from symcount.language.values import MAX_BITS, Env, check_expansion, evaluate
from symcount.render import formula
from symcount.render.blocks import labelled_lines
from symcount.render.formats import Format
from symcount.render.latex import latex_name, latex_value
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.render.unicode import unicode_value

#: How far the counterexample search goes (assignments tried).
SEARCH_LIMIT = 20_000
#: ... and how far above the smallest sum.
MAX_EXTRA = 64
QUANTITIES = ("total", "trainable")

Formulas = dict[str, nodes.Expr]


# ------------------------------------------------------------------------------------ formula trees


def _factors(node: nodes.Expr) -> list[nodes.Expr]:
    """The factors of a product chain a*b*c, in written order."""
    if isinstance(node, nodes.BinOp) and node.op == "*":
        return _factors(node.left) + _factors(node.right)
    return [node]


def _product(factors: Sequence[nodes.Expr]) -> nodes.Expr:
    out = factors[0]
    for f in factors[1:]:
        out = nodes.BinOp("*", out, f)
    return out


def _children(node: nodes.Expr) -> list[nodes.Expr]:
    if isinstance(node, nodes.BinOp):
        return [node.left, node.right]
    if isinstance(node, nodes.UnaryOp):
        return [node.operand]
    if isinstance(node, nodes.Call):
        return list(node.args)
    return []


def _rebuild(node: nodes.Expr, children: list[nodes.Expr]) -> nodes.Expr:
    if isinstance(node, nodes.BinOp):
        return replace(node, left=children[0], right=children[1])
    if isinstance(node, nodes.UnaryOp):
        return replace(node, operand=children[0])
    if isinstance(node, nodes.Call):
        return replace(node, args=tuple(children))
    return node


def rewrites(node: nodes.Expr, rule: Callable[[nodes.Expr], nodes.Expr | None], in_chain: bool = False
             ) -> Iterator[nodes.Expr]:
    """Every tree with exactly one site rewritten by ``rule`` (outermost sites first).

    A product chain ``a*b*c`` is one site: the rule sees it whole at its top,
    not again at its inner ``a*b``.
    """
    chain = isinstance(node, nodes.BinOp) and node.op == "*"
    if not (chain and in_chain):
        new = rule(node)
        if new is not None:
            yield new
    kids = _children(node)
    for i, kid in enumerate(kids):
        for changed in rewrites(kid, rule, chain):
            yield _rebuild(node, [*kids[:i], changed, *kids[i + 1:]])


def is_name(node: nodes.Expr, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.id == name


def drop_name(node: nodes.Expr, name: str) -> nodes.Expr | None:
    """The tree with a name left out: a factor vanishes, a term vanishes (None: nothing left)."""
    if is_name(node, name):
        return None
    if isinstance(node, nodes.BinOp) and node.op in ("*", "+", "-", "/"):
        left, right = drop_name(node.left, name), drop_name(node.right, name)
        if left is None:
            if right is None:
                return None
            return right if node.op in ("*", "+") else (nodes.UnaryOp("-", right) if node.op == "-" else None)
        if right is None:
            return left
        return replace(node, left=left, right=right)
    kids = _children(node)
    if not kids:
        return node
    new = [drop_name(k, name) for k in kids]
    if any(n is None for n in new):
        return None
    return _rebuild(node, new)  # type: ignore[arg-type]


def uses_name(node: nodes.Expr, name: str) -> bool:
    return is_name(node, name) or any(uses_name(k, name) for k in _children(node))


# ------------------------------------------------------------------------------------ one layer


@dataclass(frozen=True)
class LayerView:
    """A counted layer as the slips see it: its formulas, bindings and how it is counted."""

    layer: LayerResult
    formulas: Formulas
    bindings: Mapping[str, Any]
    convention: str
    quantity: str

    def value(self, formulas: Formulas, bindings: Mapping[str, Any] | None = None,
              convention: str | None = None) -> sympy.Expr:
        """What the layer adds to the checked quantity under these formulas."""
        env = Env([dict(self.bindings if bindings is None else bindings)])
        conv = convention or self.convention
        frozen = self.layer.args is not None and self.layer.args.get("trainable") is False
        total = sympy.Integer(0)
        if "param" in formulas and not (frozen and self.quantity == "trainable"):
            total += evaluate(formulas["param"], env)
        if "stat" in formulas and conv == "keras" and self.quantity == "total":
            total += evaluate(formulas["stat"], env)
        return sympy.expand(self.layer.multiplier * total)

    def counted(self, formulas: Formulas, convention: str | None = None, stats: bool | None = None
                ) -> nodes.Expr | None:
        """The formula of what :meth:`value` adds: the parameters, plus the running statistics
        where they are counted (a Keras total), so ``2C + 2C`` is shown for 4C, never ``2C``."""
        param, stat = formulas.get("param"), formulas.get("stat")
        if stats is None:
            stats = (convention or self.convention) == "keras" and self.quantity == "total"
        if stat is None or not stats:
            return param
        return stat if param is None else nodes.BinOp("+", param, stat)

    @property
    def contribution(self) -> sympy.Expr:
        """The layer's part of the checked quantity, as counted by the engine."""
        return sympy.expand(self.layer.total if self.quantity == "total" else self.layer.trainable)


def layer_view(layer: LayerResult, convention: str, quantity: str) -> LayerView | None:
    """The layer's formulas, if they reproduce its count exactly (else None: never blamed)."""
    if layer.entry is None or not layer.formulas:
        return None
    try:
        formulas = {key: parse_expression(text, "<formula>") for key, text in layer.formulas.items()}
    except SymcountError:
        return None
    bindings = {k: v for k, v in layer.bindings.items() if isinstance(v, sympy.Basic)}
    view = LayerView(layer, formulas, bindings, convention, quantity)
    try:
        if sympy.simplify(view.value(formulas) - view.contribution) != 0:
            return None
    except SymcountError:
        return None
    return view


@dataclass(frozen=True)
class Alternative:
    """What a layer adds under a slip, and the formula that was written instead."""

    value: sympy.Expr
    formula: nodes.Expr | None
    bindings: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


# ------------------------------------------------------------------------------------ the slips


def _bias_to_output(node: nodes.Expr) -> nodes.Expr | None:
    """``(X + b)·Y`` → ``X·(Y + b)``: numbers stay in front, the bias joins the other factors."""
    if not (isinstance(node, nodes.BinOp) and node.op == "*"):
        return None
    factors = _factors(node)
    for i, f in enumerate(factors):
        if isinstance(f, nodes.BinOp) and f.op == "+" and is_name(f.right, "b"):
            rest = factors[:i] + factors[i + 1:]
            numbers = [r for r in rest if isinstance(r, nodes.Num)]
            others = [r for r in rest if not isinstance(r, nodes.Num)]
            if not others:
                return None
            return _product([*numbers, f.left, nodes.BinOp("+", _product(others), f.right)])
    return None


def _kernel_once(node: nodes.Expr) -> nodes.Expr | None:
    """``k·k·C_in`` → ``k·C_in``: a square kernel's side counted once."""
    if not (isinstance(node, nodes.BinOp) and node.op == "*"):
        return None
    factors = _factors(node)
    ks = [i for i, f in enumerate(factors) if is_name(f, "k")]
    if len(ks) < 2:
        return None
    keep = [f for i, f in enumerate(factors) if i not in ks[1:]]
    return _product(keep)


_KERNEL_NAMES = ("k", "k_d", "k_h", "k_w")


def _bias_in_window(node: nodes.Expr) -> nodes.Expr | None:
    """``(k·k·C_in + b)·C_out`` → ``k·k·(C_in + b)·C_out``: the bias taken as one more input
    channel inside the window, so it is counted once per kernel position."""
    if not (isinstance(node, nodes.BinOp) and node.op == "+" and is_name(node.right, "b")):
        return None
    left, divisor = node.left, None
    if isinstance(left, nodes.BinOp) and left.op == "/":
        divisor, left = left.right, left.left  # this order: mypy reads a tuple assignment item by item
    factors = _factors(left)
    kernel = [f for f in factors if any(is_name(f, k) for k in _KERNEL_NAMES)]
    rest = [f for f in factors if f not in kernel]
    if not kernel or not rest:
        return None
    channels = _product(rest) if divisor is None else nodes.BinOp("/", _product(rest), divisor)
    return _product([*kernel, nodes.BinOp("+", channels, node.right)])


def _everywhere(node: nodes.Expr, rule: Callable[[nodes.Expr], nodes.Expr | None]) -> nodes.Expr:
    """The tree with ``rule`` applied at every site, innermost first (a slip made in every stacked layer)."""
    kids = _children(node)
    if kids:
        node = _rebuild(node, [_everywhere(k, rule) for k in kids])
    new = rule(node)
    return node if new is None else new


def _recurrent_rewrite(rule: Callable[[nodes.Expr], nodes.Expr | None]) -> Callable[[LayerView], list[Alternative]]:
    """A recurrent layer's formula with ``rule`` applied everywhere (every gate set, every stacked layer)."""
    def apply(view: LayerView) -> list[Alternative]:
        param = view.formulas.get("param")
        if param is None or view.layer.entry is None or view.layer.entry.name not in ("rnn", "lstm", "gru"):
            return []
        changed = _everywhere(param, rule)
        if changed == param:
            return []
        return [Alternative(view.value({**view.formulas, "param": changed}), changed)]

    return apply


def _one_gate(node: nodes.Expr) -> nodes.Expr | None:
    """``4·(...)`` → ``(...)``: an LSTM's four gate sets (a GRU's three) counted as one."""
    if not (isinstance(node, nodes.BinOp) and node.op == "*"):
        return None
    factors = _factors(node)
    kept = [f for f in factors if not (isinstance(f, nodes.Num) and f.value in (3, 4))]
    return _product(kept) if kept and len(kept) < len(factors) else None


def _no_recurrent_weights(node: nodes.Expr) -> nodes.Expr | None:
    """``(C_in + H)·H`` → ``C_in·H``: the hidden-to-hidden (recurrent) weights left out."""
    if isinstance(node, nodes.BinOp) and node.op == "+" and (is_name(node.right, "H") or is_name(node.right, "P")) \
            and not uses_name(node.left, "b"):
        return node.left
    return None


def _formula_rewrites(rule: Callable[[nodes.Expr], nodes.Expr | None]) -> Callable[[LayerView], list[Alternative]]:
    def apply(view: LayerView) -> list[Alternative]:
        out = []
        param = view.formulas.get("param")
        if param is None:
            return []
        for changed in rewrites(param, rule):
            formulas = {**view.formulas, "param": changed}
            out.append(Alternative(view.value(formulas), changed))
        return out

    return apply


def _binding(name: str, value: int) -> Callable[[LayerView], list[Alternative]]:
    """The layer recounted with one name bound differently (g = 1, b = 0)."""
    def apply(view: LayerView) -> list[Alternative]:
        param = view.formulas.get("param")
        if param is None or not uses_name(param, name) or view.bindings.get(name) in (None, value):
            return []
        bindings = {**view.bindings, name: sympy.Integer(value)}
        return [Alternative(view.value(view.formulas, bindings), param, {name: sympy.Integer(value)})]

    return apply


def _without(name: str) -> Callable[[LayerView], list[Alternative]]:
    def apply(view: LayerView) -> list[Alternative]:
        param = view.formulas.get("param")
        if param is None or not uses_name(param, name):
            return []
        changed = drop_name(param, name) or nodes.Num(sympy.Integer(0))
        return [Alternative(view.value({**view.formulas, "param": changed}), changed)]

    return apply


def _stats_as_parameters(view: LayerView) -> list[Alternative]:
    """Running statistics added to a count that does not include them."""
    stat = view.formulas.get("stat")
    if stat is None:
        return []
    with_stats = view.value(view.formulas, convention="keras") if view.quantity == "total" else \
        view.value(view.formulas) + view.layer.multiplier * evaluate(stat, Env([dict(view.bindings)]))
    if sympy.expand(with_stats - view.contribution) == 0:
        return []
    return [Alternative(sympy.expand(with_stats), view.counted(view.formulas, stats=True))]


def _stats_left_out(view: LayerView) -> list[Alternative]:
    """Keras counts running statistics as (non-trainable) parameters; left out here."""
    if "stat" not in view.formulas or view.convention != "keras" or view.quantity != "total":
        return []
    return [Alternative(view.value(view.formulas, convention="pytorch"), view.formulas.get("param"))]


def _other_convention(view: LayerView) -> list[Alternative]:
    """The catalog's formulas under the other framework's rules (and Keras GRU's other reset_after)."""
    layer = view.layer
    entry, args = layer.entry, layer.args
    if entry is None or args is None:
        return []
    out = []
    variants: list[tuple[Args, str]] = [(args, c) for c in CONVENTIONS if c != view.convention]
    if "reset_after" in args and args.get("reset_after") is not None:
        flipped = Args({**dict(args.items()), "reset_after": not args.get("reset_after")}, args.dims,
                       args.convention)
        variants.append((flipped, view.convention))
    for variant_args, convention in variants:
        if convention not in entry.frameworks:
            continue
        try:
            texts = entry.formulas(variant_args, convention)
            formulas = {k: parse_expression(t, "<formula>") for k, t in texts.items()}
        except SymcountError:
            continue
        if convention != view.convention:
            note = f"it is the {_FRAMEWORK[convention]} count"
        else:
            flag = "true" if variant_args.get("reset_after") else "false"
            note = f"it is the count with reset_after={flag}"
        out.append(Alternative(view.value(formulas, convention=convention), view.counted(formulas, convention),
                               note=note))
    return out


_FRAMEWORK = {"pytorch": "PyTorch", "keras": "Keras"}


@dataclass(frozen=True)
class Slip:
    """One classic mistake: a stable id, how a marker names it, and the rule that makes it."""

    id: str
    title: str
    advice: str
    alternatives: Callable[[LayerView], list[Alternative]]


#: The table of slips, most specific first (the first that explains an answer names it).
SLIPS: tuple[Slip, ...] = (
    Slip("bias_input_side", "the bias on the input side",
         "each output has one bias, so the bias goes with the outputs, not the inputs",
         _formula_rewrites(_bias_to_output)),
    Slip("bias_in_window", "the bias counted at every kernel position",
         "a filter has one bias, added once to its output, not one per position of the kernel window",
         _formula_rewrites(_bias_in_window)),
    Slip("bias_missing", "the bias forgotten",
         "every output also learns a bias", _binding("b", 0)),
    Slip("kernel_not_squared", "k instead of k^d",
         "a square kernel has k × k weights per input channel (k^d in d dimensions)",
         _formula_rewrites(_kernel_once)),
    Slip("one_gate", "one gate counted",
         "an LSTM has four gate sets (input, forget, cell, output) and a GRU three, each with its own "
         "weights and bias", _recurrent_rewrite(_one_gate)),
    Slip("recurrent_weights_missing", "the recurrent weights left out",
         "each gate also reads the previous hidden state through an H × H matrix, so the weights are (C_in + H) × H",
         _recurrent_rewrite(_no_recurrent_weights)),
    Slip("c_in_missing", "C_in left out",
         "each filter spans all input channels, so the weights scale with C_in", _without("C_in")),
    Slip("groups_ignored", "groups ignored",
         "with groups, each filter sees only C_in/g input channels", _binding("g", 1)),
    Slip("bn_stats_as_trainable", "running statistics counted as parameters",
         "batch norm's running mean and variance are statistics, not learned parameters",
         _stats_as_parameters),
    Slip("bn_stats_missing", "running statistics left out",
         "Keras counts batch norm's moving mean and variance as non-trainable parameters",
         _stats_left_out),
    Slip("other_convention", "the other framework's convention",
         "the frameworks differ here: PyTorch's recurrent layers keep two bias vectors per gate, Keras's one "
         "(two for a GRU with reset_after=true), and Keras counts batch norm's moving statistics",
         _other_convention),
)

SLIP_IDS = tuple(s.id for s in SLIPS)


@dataclass(frozen=True)
class Match:
    """An answer explained by a slip in one layer (or in every layer it applies to)."""

    slip: Slip
    layer: LayerResult | None
    alternative: Alternative | None
    view: LayerView | None


def find_slips(views: list[LayerView], expected: sympy.Expr, answer: sympy.Expr) -> list[Match]:
    """Every slip that turns the correct count into the answer (table order)."""
    found: list[Match] = []
    for slip in SLIPS:
        per_layer: list[tuple[LayerView, Alternative]] = []
        matched = False
        for view in views:
            alternatives = [a for a in slip.alternatives(view) if sympy.expand(a.value - view.contribution) != 0]
            for alt in alternatives:
                if _same(expected - view.contribution + alt.value, answer):
                    found.append(Match(slip, view.layer, alt, view))
                    matched = True
                    break
            if alternatives:
                per_layer.append((view, alternatives[0]))
            if matched:
                break
        if not matched and len(per_layer) > 1:
            everywhere = expected + sympy.Add(*[alt.value - view.contribution for view, alt in per_layer])
            if _same(everywhere, answer):
                found.append(Match(slip, None, None, None))
    return found


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a == b for every value: expanded polynomials are decided exactly, rational
    functions by cancelling; only what is left (floor, sqrt) goes to ``simplify``,
    which can take seconds on a large expression, so a large one counts as different."""
    difference = sympy.expand(a - b)
    if difference == 0:
        return True
    if difference.is_polynomial():
        return False
    if difference.is_rational_function():
        return bool(sympy.cancel(difference) == 0)
    if algebra.too_big(difference):
        return False
    return bool(sympy.simplify(difference) == 0)


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
            return head
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


# ------------------------------------------------------------------------------------ check


def _views(result: Count, quantity: str) -> list[LayerView]:
    views = []
    for layer in result.layers:
        view = layer_view(layer, result.convention, quantity)
        if view is not None and view.contribution != 0:
            views.append(view)
    return views


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
    difference = algebra.readable(sympy.expand(given - expected))
    correct = _same(given, expected)
    binary = algebra.bias_symbols(result)
    views = _views(result, quantity)
    matches = [] if correct else find_slips(views, expected, given)
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
    )


def _where(source: Source) -> tuple[str, str]:
    text, filename, _ = read_source(source)
    return filename, text


__all__ = ["check", "Verdict", "SLIPS", "SLIP_IDS", "Slip", "latex_value", "unicode_value"]
