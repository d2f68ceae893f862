"""The value each classic slip gives for one drawn question, and whether the question is fair.

A drawn variant is marked by value alone (a class is marked from a key file,
without recounting), so a variant is only fair when every wrong value a
slip gives names one slip and no slip lands on the correct answer:

* a slip whose value equals the correct count *for these sizes only*
  (``k = 1`` makes "k instead of k²" right) would mark the slip right;
* two slips that give the same wrong value *for these sizes only* would
  make the feedback ambiguous.

"For these sizes only" matters: the slips are found with
:data:`symcount.teaching.check.SLIPS` on the counted layers, and each is
also evaluated with every size kept symbolic (one symbol per name and
layer). A slip that gives the correct count symbolically does not apply
(Keras counts a convolution the way PyTorch does), and two slips that give
the same value symbolically are one mistake with two names (a Keras batch
norm without its moving statistics *is* the PyTorch count): the first in the
table's order names it, as :func:`symcount.teaching.check.check` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symcount.engine.count import Count
from symcount.language import nodes
from symcount.language.values import Env, evaluate
from symcount.teaching.slips import SLIPS, Alternative, LayerView, _views

#: What the exam's ``ask`` is checked as (the slips are about parameters only).
QUANTITY_OF_ASK = {"params": "total", "trainable": "trainable"}


@dataclass(frozen=True)
class SlipValue:
    """The whole answer a student who made one slip would give."""

    slip: str
    title: str
    layer: str | None
    value: sympy.Expr


@dataclass(frozen=True)
class SlipTable:
    """The slips that apply to one question, and why it is unfair (None: it is fair)."""

    values: tuple[SlipValue, ...]
    unfair: str | None


def _symbolic(view: LayerView, index: int, formula: nodes.Expr | None,
              overrides: dict[str, object] | None = None) -> sympy.Expr | None:
    """A formula's value with every numeric size kept as a symbol of its own (``C_in@0``)."""
    if formula is None:
        return None
    bindings: dict[str, object] = {}
    for name, value in view.bindings.items():
        is_size = isinstance(value, sympy.Integer) and name not in ("b", "g")
        bindings[name] = sympy.Symbol(f"{name}@{index}", positive=True) if is_size else value
    bindings.update(overrides or {})
    value = evaluate(formula, Env([bindings]))
    if not isinstance(value, sympy.Basic):
        return None
    return sympy.expand(view.layer.multiplier * value)


def _change(view: LayerView, index: int, alt: Alternative) -> sympy.Expr | None:
    """What the slip changes in the layer's count, for every size (None: cannot tell)."""
    correct = _symbolic(view, index, view.counted(view.formulas))
    slipped = _symbolic(view, index, alt.formula, dict(alt.bindings))
    if correct is None or slipped is None:
        return None
    return sympy.expand(slipped - correct)


def slip_table(result: Count, ask: str) -> SlipTable:
    """Every applicable slip's whole answer for this count, and whether the question is fair."""
    quantity = QUANTITY_OF_ASK.get(ask)
    if quantity is None:
        return SlipTable((), None)
    expected = sympy.expand(result.total if quantity == "total" else result.trainable)
    views = _views(result, quantity)
    found: list[tuple[SlipValue, sympy.Expr | None]] = []
    unfair: str | None = None
    for slip in SLIPS:
        first_per_layer: list[tuple[LayerView, int, Alternative]] = []
        for index, view in enumerate(views):
            applicable = []
            for alt in slip.alternatives(view):
                change = _change(view, index, alt)
                if change == 0:
                    continue  # the slip changes nothing for any size: it does not apply here
                if sympy.expand(alt.value - view.contribution) == 0:
                    unfair = unfair or f"the slip '{slip.title}' gives the correct answer"
                    continue
                applicable.append(alt)
                value = sympy.expand(expected - view.contribution + alt.value)
                found.append((SlipValue(slip.id, slip.title, view.layer.name, value), change))
            if applicable:
                first_per_layer.append((view, index, applicable[0]))
        if len(first_per_layer) > 1:  # the slip made in every layer where it applies
            value = sympy.expand(expected + sympy.Add(*[a.value - v.contribution for v, _, a in first_per_layer]))
            changes = [_change(v, i, a) for v, i, a in first_per_layer]
            change = None if any(c is None for c in changes) else sympy.expand(sympy.Add(*changes))
            if value == expected:
                unfair = unfair or f"the slip '{slip.title}' in every layer gives the correct answer"
            else:
                found.append((SlipValue(slip.id, slip.title, None, value), change))
    kept: list[tuple[SlipValue, sympy.Expr | None]] = []
    for entry, change in found:
        same = next(((e, c) for e, c in kept if e.value == entry.value), None)
        if same is None:
            kept.append((entry, change))
        elif same[0].slip != entry.slip and (change is None or same[1] is None or sympy.expand(change - same[1]) != 0):
            unfair = unfair or f"the slips '{same[0].title}' and '{entry.title}' give the same wrong answer"
    return SlipTable(tuple(e for e, _ in kept), unfair)
