"""The slips a marker names: one layer's formula as a student writes it, and each mistake as a rewrite of it.

A :class:`LayerView` is a layer's formula and values; each :class:`Slip` turns views into the
:class:`Alternative` answers that mistake gives (bias on the input side, k instead of k², the other
framework's convention, ...); :func:`find_slips` names the ones that match a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symcount.catalog.core import Args
from symcount.engine.count import Count
from symcount.engine.results import CONVENTIONS, LayerResult
from symcount.errors import SymcountError
from symcount.language import budget, nodes
from symcount.language.parse import parse_expression
from symcount.language.values import Env, evaluate

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
        if budget.is_zero(view.value(formulas) - view.contribution) is not True:
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
    """a == b for every value, decided within the algebra budget (:func:`budget.is_zero`): a difference
    too large to decide quickly is not named as this slip (the verdict itself is decided exactly)."""
    return budget.is_zero(a - b) is True


# ------------------------------------------------------------------------------------ check


def _views(result: Count, quantity: str) -> list[LayerView]:
    views = []
    for layer in result.layers:
        view = layer_view(layer, result.convention, quantity)
        if view is not None and view.contribution != 0:
            views.append(view)
    return views
