"""Worked solutions of exam variants: the parameter count and the output size, row by row as a derivation writes them."""

from __future__ import annotations

import sympy

from symcount.catalog.shapes import Shape
from symcount.engine.count import Count
from symcount.errors import SymcountError
from symcount.language.parse import parse_expression
from symcount.render.derivation_latex import row_inline_latex
from symcount.render.document import Row, Step, row_inline_text
from symcount.render.formula import Label, Prod, from_sympy
from symcount.render.style import Style
from symcount.teaching.check import formula_line
from symcount.teaching.derivation import output_size_rows, shape_row
from symcount.teaching.exam_templates import Template, Variant

# ------------------------------------------------------------------------------------- solutions


def params_solution(template: Template, variant: Variant, style: Style) -> list[tuple[str, str]]:
    """One line per layer with parameters (formula, values put in, value), then the total."""
    rows: list[tuple[str, str]] = []
    result = variant.count
    parts: list[sympy.Expr] = []
    wanted = template.ask
    for layer in result.layers:
        value = {"params": layer.total, "trainable": layer.trainable,
                 "non_trainable": layer.non_trainable}[wanted]
        if layer.entry is not None and not layer.formulas and layer.total == 0:
            if len(result.layers) == 1 or layer.kind in ("maxpool2d", "avgpool2d"):
                rows.append((layer.name, style.bare(sympy.Integer(0)) + style.note(layer.entry.zero_reason)))
            continue
        key = "stat" if wanted == "non_trainable" else "param"
        bindings = {k: v for k, v in layer.bindings.items() if isinstance(v, sympy.Basic)}
        lines = []
        if key in layer.formulas:
            expr = parse_expression(layer.formulas[key], "<formula>")
            lines.append(formula_line(expr, bindings, style, None))
        if wanted == "params" and "stat" in layer.formulas and result.convention == "keras":
            stat = parse_expression(layer.formulas["stat"], "<formula>")
            lines.append(formula_line(stat, bindings, style, None) + _note(style, "moving mean and variance"))
        if not lines and value != 0:
            lines.append(style.bare(value))
        if value == 0 and not lines:
            continue
        if len(lines) == 2:
            rows.append((f"{layer.name}, trainable", lines[0]))
            rows.append((f"{layer.name}, non-trainable", lines[1]))
            rows.append((f"{layer.name}, total", style.bare(value)))
        else:
            rows += [(layer.name, line) for line in lines]
        parts.append(value)
    if len(parts) > 1:
        joined = " + ".join(style.bare(p) for p in parts)
        rows.append(("total", f"{joined} = {style.bare(variant.answer)}"))
    if not rows:
        rows.append(("total", style.bare(variant.answer)))
    return rows


def _note(style: Style, text: str) -> str:
    return f" ({text})" if style.name == "text" else rf"\quad\text{{({text})}}"


def output_solution(template: Template, variant: Variant, style: Style) -> list[tuple[str, str]]:
    """The input, then each layer's output-size working exactly as ``symcount derive`` shows it
    (the framework rule's formula, the values put in, the size), then the asked size. Sizes are
    written the way the question writes them (:func:`question_layout`), else the framework's way."""
    result = variant.count
    rows: list[tuple[str, str]] = []
    first = result.layers[0] if result.layers else None
    if first is not None and first.input_shape is not None and first.input_shape.layout(result.convention):
        row = _sizes_row("input", first.input_shape, template, result.convention)
        rows.append(("input", _inline(Row(Label("", count=False), row.steps, row.note), style, lhs=False)))
    worked = False
    for layer in result.layers:
        for row in output_size_rows(layer, result.convention, _FORMULA_STYLE):
            if isinstance(row.lhs, Label) and row.lhs.text == "output" and layer.shape is not None:
                row = _sizes_row("output", layer.shape, template, result.convention)
            rows.append((layer.name, _inline(row, style)))
            worked = True
    label = template.ask.replace("output_", "output ").replace("output height", "height") \
        .replace("output width", "width").replace("output length", "length")
    last = next((layer for layer in reversed(result.layers) if layer.shape is not None), None)
    if template.ask == "output_size" and last is not None and last.shape is not None and last.shape.rank >= 1 \
            and len(_ordered(last.shape, template, result.convention)) > 1:
        product = Prod(tuple(from_sympy(d) for d in _ordered(last.shape, template, result.convention)))
        rows.append((label, _inline(Row(Label(label, count=False), (Step(product), Step(from_sympy(variant.answer)))),
                                    style, lhs=False)))
    elif not worked or template.ask == "output_channels":
        rows.append((label, style.bare(variant.answer)))
    return rows


_LAYOUT_NOTES = {"channels_last": "height × width × channels", "channels_first": "channels × height × width"}


def _ordered(shape: Shape, template: Template, convention: str) -> tuple[sympy.Expr, ...]:
    """A tensor's sizes in the question's order (its layout), else the framework's."""
    if template.layout is None or shape.channels is None or shape.sequence or shape.rank != 2:
        return shape.layout(convention)
    if template.layout == "channels_last":
        return (*shape.spatial, shape.channels)
    return (shape.channels, *shape.spatial)


def _sizes_row(label: str, shape: Shape, template: Template, convention: str) -> Row:
    """``output = 214 × 214 × 32   (height × width × channels)`` when the question writes sizes so."""
    dims = _ordered(shape, template, convention)
    if template.layout is None or dims == shape.layout(convention) and convention == "keras" \
            or shape.channels is None or shape.sequence or shape.rank != 2:
        return shape_row(label, shape, dims, convention)
    return Row(Label(label, count=False), (Step(Prod(tuple(from_sympy(d) for d in dims))),),
               _LAYOUT_NOTES[template.layout])


#: the derivation's typography (digit grouping as LaTeX prints it)
_FORMULA_STYLE = Style()


def _inline(row: Row, style: Style, lhs: bool = True) -> str:
    """A derivation row in the exam's format (LaTeX and markdown share the math); without
    ``lhs``, only what it equals (the row's label says what it is)."""
    text = row_inline_text(row, _FORMULA_STYLE) if style.name == "text" else row_inline_latex(row, _FORMULA_STYLE)
    return text if lhs else text.split("= ", 1)[1]


def output_value(result: Count, ask: str) -> sympy.Expr:
    """The asked size of the final output (height, width, channels, length or all of it)."""
    last = next((layer for layer in reversed(result.layers) if layer.shape is not None), None)
    if last is None or last.shape is None:
        raise SymcountError(f"ask = \"{ask}\" needs an input(...) so shapes flow through the network")
    shape = last.shape
    if ask == "output_channels":
        if shape.channels is None:
            raise SymcountError("the output has no channels (token ids)")
        return shape.channels
    if ask == "output_size":
        return shape.numel()
    index = {"output_height": -2, "output_width": -1, "output_length": -1}[ask]
    if ask == "output_length" and not shape.sequence and shape.rank != 1:
        raise SymcountError("output_length asks for a sequence (input(L=...)) or a 1-D signal")
    if ask != "output_length" and shape.rank < 2:
        raise SymcountError(f"{ask} needs a 2-D output (H and W)")
    return shape.spatial[index]
