"""Sections ``derive`` adds on request: the receptive field and the backward pass, layer by layer.

They read like the parameter sections above them: the rule, the values put in (nothing evaluated
yet), the result. Every number comes from the engine (:func:`symcount.engine.receptive.receptive_fields`,
:func:`symcount.engine.backward.backward_of`); the rows only write it out, and a row whose formula does
not give the engine's value is an internal error, never printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy

from symcount.engine.backward import Backward, LayerBackward, backward_of
from symcount.engine.count import Count
from symcount.engine.names import display_names
from symcount.engine.receptive import WINDOW_PREFIXES, Field, receptive_fields
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError
from symcount.render import formula
from symcount.render.document import Column, Row, Section, Step
from symcount.render.formula import Label, Node, Sym
from symcount.teaching.receptive_lines import input_field
from symcount.teaching.training import backward_notes

#: the receptive-field rules, in symcount's expression language
R_RULE = "r_in + (k - 1)*d*j_in"
J_RULE = "j_in*s"

FormulaRow = Callable[[Node, Node, Mapping[str, sympy.Expr], set[str]], tuple[Row, sympy.Expr]]


def _checked(row_value: tuple[Row, sympy.Expr], expected: sympy.Expr, what: str) -> Row:
    row, value = row_value
    if sympy.expand(value - expected) != 0:  # pragma: no cover - the rule and the engine disagree
        raise SymcountError(f"internal: the {what} row gives {value}, the engine {expected}")
    return row


def _window_rows(layer: LayerResult, before: Field, after: Field, formula_row: FormulaRow) -> list[Row]:
    """``r = r_in + (k - 1)·d·j_in`` and ``j = j_in·s`` with the values put in, per dimension (one when alike)."""
    a = layer.args
    assert a is not None
    names = ("H", "W", "D") if len(a.k) > 1 else ("L",)
    rows_per_dim: list[list[Row]] = []
    for i, (k, s, d) in enumerate(zip(a.k, a.stride, a.dilation, strict=True)):
        suffix = "" if len(a.k) == 1 else f"_{names[i]}"
        values = {"r_in": before.r[i], "k": k, "d": d, "j_in": before.j[i], "s": s}
        r_row = _checked(formula_row(Sym(f"r{suffix}"), formula.parse_formula(R_RULE), values, {"d"}),
                         after.r[i], "receptive field")
        j_row = _checked(formula_row(Sym(f"j{suffix}"), formula.parse_formula(J_RULE), values, {"s"}),
                         after.j[i], "jump")
        rows_per_dim.append([r_row, j_row])
    alike = all(before.r[i] == before.r[0] and before.j[i] == before.j[0] and a.k[i] == a.k[0]
                and a.stride[i] == a.stride[0] and a.dilation[i] == a.dilation[0] for i in range(len(a.k)))
    if alike and len(a.k) > 1:
        values = {"r_in": before.r[0], "k": a.k[0], "d": a.dilation[0], "j_in": before.j[0], "s": a.stride[0]}
        return [_checked(formula_row(Sym("r"), formula.parse_formula(R_RULE), values, {"d"}), after.r[0], "field"),
                _checked(formula_row(Sym("j"), formula.parse_formula(J_RULE), values, {"s"}), after.j[0], "jump")]
    return [row for rows in rows_per_dim for row in rows]


def _field_node(f: Field) -> Node:
    """``23 × 23``: the field in every input dimension."""
    if len(f.r) == 1:
        return formula.result_form(f.r[0])
    return formula.Prod(tuple(formula.result_form(r) for r in f.r))


def receptive_sections(result: Count, formula_row: FormulaRow) -> list[Section]:
    """One section per layer that changes the field (a window's rule worked out, or its value), merges
    with the path that gives their field, then the network's receptive field."""
    fields = receptive_fields(result)
    shown = display_names(result.layers, result.blocks)  # the names the layers' own sections use
    sections: list[Section] = []
    for i, (layer, lf) in enumerate(zip(result.layers, fields.layers, strict=True)):
        for join in [m for m in fields.merges if m.end == i and m.start < i]:
            sections.append(Section(f"{join.kind} after {join.after}: receptive field", None,
                                    (Column(None, (Row(Sym("r"), (Step(_field_node(join.field)),), join.path),)),)))
        before = input_field(fields, result, i)
        after = lf.field
        if after == before or before.is_whole:
            continue
        rows: tuple[Row, ...]
        if after.is_whole:
            rows = (Row(Sym("r"), (Step(Label("whole input", count=False)),), after.whole),)
        elif layer.kind.startswith(WINDOW_PREFIXES) and layer.args is not None and "k" in layer.args:
            rows = tuple(_window_rows(layer, before, after, formula_row))
        else:
            rows = (Row(Sym("r"), (Step(_field_node(after)),)),)
        sections.append(Section(f"{shown.get(layer.name, layer.name)}: receptive field", None, (Column(None, rows),)))
    final = fields.final
    last = Row(Label("receptive field", count=False),
               (Step(Label("whole input", count=False) if final.is_whole else _field_node(final)),),
               final.whole if final.is_whole else None)
    sections.append(Section("Receptive field of the network", None, (Column(None, (last,)),),
                            tuple(fields.assumptions())))
    return sections


def _times_two(macs: sympy.Expr) -> Node:
    return formula.Prod((formula.Num(2), formula.result_form(macs)))


def _layer_rows(row: LayerBackward) -> tuple[Row, ...]:
    """Forward, input gradient, weight gradient (2 × MACs each, products only) and the bias additions."""
    macs = sympy.expand(row.forward / 2)
    rows = [Row(Label("forward FLOPs", count=False), (Step(_times_two(macs)), Step(formula.result_form(row.forward))))]
    product = row.kind != "attention"
    if row.input_skipped and row.input_grad == 0:
        rows.append(Row(Label("input gradient", count=False), (Step(formula.Num(0)),),
                        "skipped: the network's input needs no gradient"))
    elif product and sympy.expand(row.input_grad - row.forward) == 0:
        rows.append(Row(Label("input gradient", count=False),
                        (Step(_times_two(macs)), Step(formula.result_form(row.input_grad)))))
    else:
        rows.append(Row(Label("input gradient", count=False), (Step(formula.result_form(row.input_grad)),),
                        _INPUT_NOTES.get(row.kind.rstrip("123d").rstrip("_"), "")
                        + (", the network's input skipped" if row.input_skipped else "") or None))
    rows.append(Row(Label("weight gradient", count=False),
                    (Step(_times_two(macs)), Step(formula.result_form(row.weight_grad))) if product else
                    (Step(formula.result_form(row.weight_grad)),), None if product else "the projections only"))
    rows.append(Row(Label("backward FLOPs", count=False),
                    (Step(formula.Sum((formula.Term(1, formula.result_form(row.input_grad)),
                                       formula.Term(1, formula.result_form(row.weight_grad))))),
                     Step(formula.result_form(row.backward)))))
    if row.bias_grad != 0:
        rows.append(Row(Label("bias gradient", count=False), (Step(formula.result_form(row.bias_grad)),),
                        "additions, not counted as FLOPs"))
    return tuple(rows)


#: what an input gradient other than 2 × MACs is made of
_INPUT_NOTES = {
    "attention": "scores and weighted values (no weights) and the projections' inputs",
    "rnn": "the hidden state's at every step but the first (its initial zeros need none)",
    "lstm": "the hidden state's at every step but the first (its initial zeros need none)",
    "gru": "the hidden state's at every step but the first (its initial zeros need none)",
    "separable_conv": "the depthwise output's (the pointwise product's input)",
}


def _sum(values: list[sympy.Expr]) -> Node:
    return formula.Sum(tuple(formula.Term(1, formula.result_form(v)) for v in values))


def backward_sections(result: Count) -> list[Section]:
    """One section per layer with products, then the totals and the training step beside 3 × forward."""
    b: Backward = backward_of(result)
    if not b.complete:
        raise SymcountError("the backward pass is not derived for " + ", ".join(b.not_derived),
                            hint="derive --backward covers linear, convolution and self-attention layers")
    shown = display_names(result.layers, result.blocks)
    sections = [Section(f"{shown.get(row.name, row.name)}: backward pass", None, (Column(None, _layer_rows(row)),))
                for row in b.layers]
    label = Label
    totals = (
        Row(label("forward FLOPs", count=False), (Step(_sum([r.forward for r in b.layers])),
                                                  Step(formula.result_form(b.forward)))),
        Row(label("backward FLOPs", count=False), (Step(_sum([r.backward for r in b.layers])),
                                                   Step(formula.result_form(b.backward)))),
        Row(label("training step", count=False), (Step(_sum([b.forward, b.backward])),
                                                  Step(formula.result_form(b.training))), "per sample"),
        Row(label("3 × forward", count=False), (Step(formula.Prod((formula.Num(3), formula.result_form(b.forward)))),
                                               Step(formula.result_form(3 * b.forward))),
            "the rule of thumb; 6N per token for a language model"),
    )
    sections.append(Section("Backward pass of the network", None, (Column(None, totals),), tuple(backward_notes(b))))
    return sections
