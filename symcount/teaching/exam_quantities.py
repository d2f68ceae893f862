"""Exam questions beyond parameters: activation memory, receptive field, and the inverse questions
(which padding, which stride gives this output size).

Each ask is answered by the engine (:mod:`symcount.engine.activations`,
:mod:`symcount.engine.receptive`, a recount for every candidate value of the
unknown), and each classic slip's value is computed by
:mod:`symcount.teaching.check_quantity`'s rules (the quantity worked out again
with the slip made), so a variant is fair by the same test as a parameter
question: no slip gives the right answer and no two slips give the same wrong one.
An inverse question is fair only when exactly one value in its range works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from symcount.catalog.shapes import Shape
from symcount.counting import count
from symcount.engine.activations import activations_of
from symcount.engine.count import Count
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError
from symcount.language.values import Value
from symcount.render.style import Style
from symcount.teaching.check_quantity import QUANTITY_SLIPS, Rules, sizes_with, work_out
from symcount.teaching.exam_solutions import _ordered
from symcount.teaching.exam_templates import Template, Variant
from symcount.teaching.fairness import SlipTable, SlipValue
from symcount.teaching.receptive_lines import receptive_rows

#: asks answered here, and the check quantity each is marked as
QUANTITY_ASKS = {"activations": "activations", "receptive_field": "receptive_field", "padding": "output_size",
                 "stride": "output_size"}
#: the inverse asks: the values a student may answer (both ends included)
INVERSE_RANGES = {"padding": (0, 32), "stride": (1, 16)}
#: a drawn let that is no size of the network: the batch of an activation question
BATCH_LET = "batch"
#: the slipped output-size rules an inverse question is checked against
_INVERSE_SLIPS = {
    "padding": [("padding_one_side", Rules(padding=1)), ("plus_one_forgotten", Rules(plus_one=False)),
                ("stride_ignored", Rules(stride=False)), ("dilation_ignored", Rules(dilation=False))],
    "stride": [("padding_forgotten", Rules(padding=0)), ("padding_one_side", Rules(padding=1)),
               ("plus_one_forgotten", Rules(plus_one=False)), ("dilation_ignored", Rules(dilation=False))],
}


@dataclass(frozen=True)
class Asked:
    """A drawn question's answer and the value each applicable slip gives."""

    answer: sympy.Expr
    slips: SlipTable


def network_values(template: Template, chosen: Mapping[str, Value]) -> dict[str, Value]:
    """The drawn values the network is counted with (all of them: the batch's let is overridden too)."""
    return dict(chosen)


def output_lets(result: Count) -> dict[str, Value]:
    """Sizes of the network's output a question may state (``{output_height}``): an inverse question
    gives the size and asks for what makes it."""
    last = result.layers[-1] if result.layers else None
    if last is None or last.shape is None or not last.shape.spatial:
        return {}
    spatial = last.shape.spatial
    if len(spatial) == 1:
        return {"output_length": spatial[0]}
    return {"output_height": spatial[-2], "output_width": spatial[-1]}


def _table(answer: sympy.Expr, values: list[tuple[str, sympy.Expr]]) -> SlipTable:
    """The slips' values; unfair when two different slips give one wrong value. A slip that gives the
    right value here is no slip here (ignoring a stride of 1, forgetting the batch of 1) and is left out."""
    kept: list[SlipValue] = []
    unfair: str | None = None
    for slip_id, value in values:
        slip = QUANTITY_SLIPS[slip_id]
        if sympy.expand(value - answer) == 0:
            continue  # the rule it breaks changes nothing here (a stride of 1 ignored): no slip to make
        same = next((s for s in kept if s.value == value), None)
        if same is None:
            kept.append(SlipValue(slip_id, slip.title, None, sympy.expand(value)))
        elif same.slip != slip_id:
            unfair = unfair or f"the slips '{same.title}' and '{slip.title}' give the same wrong answer"
    return SlipTable(tuple(kept), unfair)


def ask_quantity(template: Template, result: Count, chosen: Mapping[str, Value]) -> Asked:
    """The answer and the slips of an activation, receptive-field or inverse question."""
    if template.ask == "activations":
        batch = chosen.get(BATCH_LET, sympy.Integer(1))
        if not isinstance(batch, sympy.Integer):
            raise SymcountError(f"let {BATCH_LET} must be a whole number")
        worked = work_out(result, "activations", batch, "fp32")
        return Asked(worked.expected[0], _table(worked.expected[0], [(s, v[0]) for s, v in worked.alternatives]))
    if template.ask == "receptive_field":
        worked = work_out(result, "receptive_field", sympy.Integer(1), "fp32")
        if len(set(worked.expected)) != 1:
            raise SymcountError("ask = \"receptive_field\" needs the same field in every dimension")
        return Asked(worked.expected[0], _table(worked.expected[0],
                                                [(s, v[0]) for s, v in worked.alternatives if len(set(v)) == 1]))
    return _inverse(template, result, chosen)


def unknown_of(template: Template) -> str:
    if template.unknown is None:
        raise SymcountError(f"ask = \"{template.ask}\" needs let unknown = \"NAME\": the drawn value to find",
                            hint='e.g. let unknown = "p"')
    return template.unknown


def _inverse(template: Template, result: Count, chosen: Mapping[str, Value]) -> Asked:
    """The only value of the unknown (in its range) that gives the drawn network's output size, and the
    value each slipped size rule would lead to (when exactly one value meets it)."""
    name = unknown_of(template)
    if name not in chosen:
        raise SymcountError(f"let unknown = \"{name}\": {name} is not drawn with choose()")
    last = result.layers[-1] if result.layers else None
    if last is None or last.shape is None or not last.shape.spatial:
        raise SymcountError(f"ask = \"{template.ask}\" needs an output with positions (input(H=..., W=...))")
    target = tuple(last.shape.spatial)
    low, high = INVERSE_RANGES[template.ask]
    right: list[int] = []
    slipped: dict[str, list[int]] = {}
    for value in range(low, high + 1):
        try:
            candidate = count(template.text, values={**chosen, name: sympy.Integer(value)},
                              convention=template.convention, network=template.network)
        except SymcountError:
            continue
        shape = candidate.layers[-1].shape if candidate.layers else None
        if shape is not None and tuple(shape.spatial) == target:
            right.append(value)
        for slip, rules in _INVERSE_SLIPS[template.ask]:
            sizes = sizes_with(candidate, rules)
            if sizes is not None and all(sympy.expand(a - b) == 0 for a, b in zip(sizes, target, strict=True)):
                slipped.setdefault(slip, []).append(value)
    if len(right) != 1:
        raise SymcountError(f"{len(right)} values of {name} in {low}..{high} give this output size, not one")
    values = [(slip, sympy.Integer(found[0])) for slip, found in slipped.items() if len(found) == 1]
    return Asked(sympy.Integer(right[0]), _table(sympy.Integer(right[0]), values))


# ------------------------------------------------------------------------------------- solutions


def quantity_solution(template: Template, variant: Variant, style: Style) -> list[tuple[str, str]]:
    """The worked solution of an activation, receptive-field or inverse question."""
    if template.ask == "activations":
        return activation_rows(variant.count, variant.values.get(BATCH_LET, sympy.Integer(1)), style, template)
    if template.ask == "receptive_field":
        return receptive_rows(variant.count, style)
    return _inverse_rows(template, variant, style)


def activation_rows(result: Count, batch: Value, style: Style, template: Template | None = None
                    ) -> list[tuple[str, str]]:
    """Each stored tensor's volume (B x its sizes, in the order the question writes them), what stores
    nothing and why, then the sum."""
    assert isinstance(batch, sympy.Expr)
    acts = activations_of(result, batch, "fp32")
    times = f" {style.times} "
    first = result.layers[0].input_shape
    assert first is not None

    def volume(sizes: tuple[sympy.Expr, ...], value: sympy.Expr) -> str:
        factors = ([style.bare(batch)] if batch != 1 else []) + [style.bare(s) for s in sizes]
        return f"{times.join(factors)} = {style.bare(value)}"

    def sizes(shape: Shape) -> tuple[sympy.Expr, ...]:
        return _ordered(shape, template, result.convention) if template is not None \
            else tuple(shape.layout(result.convention))

    rows = [("input", volume(sizes(first), acts.input))]
    parts = [acts.input]
    for layer, lv in zip(result.layers, acts.layers, strict=True):
        if not lv.stored:
            rows.append((layer.name, _text_note(style, f"no new values: {lv.why_not}")))
            continue
        assert layer.shape is not None
        rows.append((layer.name, volume(sizes(layer.shape), lv.values)))
        parts.append(lv.multiplier * lv.values)
    for where, value in acts.merges:
        rows.append((where, style.bare(value)))
        parts.append(value)
    if len(parts) > 1:
        rows.append(("total", " + ".join(style.bare(p) for p in parts) + f" = {style.bare(acts.total)}"))
    return rows


def _text_note(style: Style, text: str) -> str:
    return text if style.name == "text" else rf"\text{{{text}}}"


def _layers_of_unknown(template: Template, variant: Variant, name: str) -> list[LayerResult]:
    """The window layers whose padding or stride the unknown sets: those that change when it changes
    (the network counted again with the unknown one higher, or one lower)."""
    drawn = variant.values[name]
    assert isinstance(drawn, sympy.Integer)
    for delta in (1, -1):
        try:
            other = count(template.text, values={**variant.values, name: drawn + delta},
                          convention=template.convention, network=template.network)
        except SymcountError:
            continue
        changed = [a for a, b in zip(variant.count.layers, other.layers, strict=False)
                   if a.args is not None and b.args is not None and "k" in a.args and "k" in b.args
                   and (a.args.padding != b.args.padding or a.args.stride != b.args.stride)]
        if changed:
            return changed
    return []


def _inverse_rows(template: Template, variant: Variant, style: Style) -> list[tuple[str, str]]:
    """The output-size rule with the unknown left in, the sizes put in, and the only solution."""
    name = unknown_of(template)
    low, high = INVERSE_RANGES[template.ask]
    rows: list[tuple[str, str]] = []
    for layer in _layers_of_unknown(template, variant, name):
        a = layer.args
        if a is None or "k" not in a or layer.input_shape is None or layer.shape is None:
            continue
        n, out = layer.input_shape.spatial[0], layer.shape.spatial[0]
        k, s, d = a.k[0], a.stride[0], a.dilation[0]
        padding = a.padding[0] if isinstance(a.padding, tuple) else sympy.Integer(0)
        finding_p = template.ask == "padding"
        latex = style.name != "text"
        times = r" \times " if latex else " × "
        minus = " - " if latex else " − "
        pad = "2p" if finding_p else f"2{times}{style.bare(padding)}"
        stride = "s" if not finding_p else style.bare(s)
        span = f"{style.bare(d)}{times}" if d != 1 else ""
        numerator = f"{style.bare(n)} + {pad}{minus}{span}({style.bare(k)}{minus}1){minus}1"
        if latex:
            rule = r"\left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 = n_{\mathrm{out}}"
            put = rf"\left\lfloor \frac{{{numerator}}}{{{stride}}} \right\rfloor + 1 = {style.bare(out)}"
        else:
            rule = "⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = n_out"
            put = f"⌊({numerator})/{stride}⌋ + 1 = {out}"
        rows += [(layer.name, rule), ("values put in", put)]
        break
    value = style.bare(variant.answer)
    rows.append(("solution", f"{'p' if template.ask == 'padding' else 's'} = {value}"
                 + _text_note(style, f" (the only {name} in {low}..{high} that gives this size)")))
    return rows
