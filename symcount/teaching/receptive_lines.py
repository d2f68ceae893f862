"""The receptive field worked out layer by layer, as a derivation writes it.

Each sliding window gets its line: the rule (``r = r_in + (k - 1)·d·j_in``,
``j = j_in·s``), the values put in, the result; every number comes from
:func:`symcount.engine.receptive.receptive_fields` (the input's field and the
layer's kernel, dilation and stride), so the line and the engine cannot
disagree. Merges say which path gives the field; layers after which every
output sees the whole input say so.
"""

from __future__ import annotations

from symcount.engine.count import Count
from symcount.engine.receptive import ONE, WINDOW_PREFIXES, ZERO, Field, ReceptiveFields, receptive_fields
from symcount.engine.results import LayerResult
from symcount.render.style import Style


def input_field(fields: ReceptiveFields, result: Count, i: int) -> Field:
    """The field of layer i's input: the merge's input for a branch that is not the first, else what
    stands before it in the list (the previous layer's field, or a merge that ends there)."""
    for merge in result.merges:
        if _starts_later_branch(merge.branches, i):
            return _field_at(fields, result, merge.start)
    return _field_at(fields, result, i)


def _starts_later_branch(branches: tuple[tuple[int, int], ...], i: int) -> bool:
    """Whether i starts a branch that is not the first (its input is the merge's input, not the layer before);
    an empty branch (an identity shortcut) starts nothing."""
    return any(a == i and b > a for a, b in branches[1:])


def _field_at(fields: ReceptiveFields, result: Count, i: int) -> Field:
    """The field just before layer i in the list (the network's input field before the first)."""
    if i == 0:
        rank = len(fields.dims)
        return Field((ONE,) * rank, (ONE,) * rank, (ZERO,) * rank)
    joins = [m for m in fields.merges if m.end == i]
    if joins:
        return min(joins, key=lambda m: m.start).field
    return fields.layers[i - 1].field


def _window_lines(layer: LayerResult, before: Field, after: Field, style: Style) -> list[tuple[str, str]]:
    """``r = r_in + (k - 1)·d·j_in = ... = 7`` and ``j = j_in·s = ... = 4``: one pair of rows, or one per
    dimension when the dimensions differ (empty: not a window this rule describes)."""
    a = layer.args
    if a is None or "k" not in a or "stride" not in a or len(a.k) != len(before.r):
        return []
    latex = style.name != "text"
    times = r" \times " if latex else " × "
    minus = " - " if latex else " − "
    r_in, j_in = (r"r_{\mathrm{in}}", r"j_{\mathrm{in}}") if latex else ("r_in", "j_in")
    pairs = []
    for i, (k, s, d) in enumerate(zip(a.k, a.stride, a.dilation, strict=True)):
        dil = f"{times}d" if d != 1 else ""
        dil_value = f"{times}{style.bare(d)}" if d != 1 else ""
        r_line = (f"r = {r_in} + (k{minus}1){dil}{times}{j_in} = {style.bare(before.r[i])} + "
                  f"({style.bare(k)}{minus}1){dil_value}{times}{style.bare(before.j[i])} = {style.bare(after.r[i])}")
        j_line = f"j = {j_in}{times}s = {style.bare(before.j[i])}{times}{style.bare(s)} = {style.bare(after.j[i])}"
        pairs.append((r_line, j_line))
    if len(set(pairs)) == 1:
        return [(layer.name, pairs[0][0]), (f"{layer.name}, jump", pairs[0][1])]
    rows = []
    for dim, (r_line, j_line) in zip(("H", "W", "D") if len(pairs) > 1 else ("L",), pairs, strict=False):
        rows += [(f"{layer.name} ({dim})", r_line), (f"{layer.name} ({dim}), jump", j_line)]
    return rows


def _value(f: Field, style: Style) -> str:
    if f.is_whole:
        return _text(style, "the whole input")
    times = r" \times " if style.name != "text" else " × "
    return times.join(style.bare(r) for r in f.r)


def _text(style: Style, text: str) -> str:
    return text if style.name == "text" else rf"\text{{{text}}}"


def receptive_rows(result: Count, style: Style) -> list[tuple[str, str]]:
    """(label, math) rows: one per layer that changes the field, each merge, then the network's field."""
    fields = receptive_fields(result)
    rows: list[tuple[str, str]] = []
    for i, (layer, lf) in enumerate(zip(result.layers, fields.layers, strict=True)):
        for join in [m for m in fields.merges if m.end == i and m.start < i]:
            rows.append((f"{join.kind} after {join.after}", f"r = {_value(join.field, style)}"
                         + _text(style, f" ({join.path})")))
        before = input_field(fields, result, i)
        after = lf.field
        if after == before:
            continue
        if after.is_whole and not before.is_whole:
            rows.append((layer.name, _text(style, f"every output sees the whole input: {after.whole}")))
            continue
        if after.is_whole:
            continue
        lines = _window_lines(layer, before, after, style) if layer.kind.startswith(WINDOW_PREFIXES) else []
        rows += lines or [(layer.name, f"r = {_value(after, style)}")]
    for join in [m for m in fields.merges if m.end == len(result.layers)]:
        rows.append((f"{join.kind} after {join.after}", f"r = {_value(join.field, style)}"
                     + _text(style, f" ({join.path})")))
    rows.append(("receptive field", _value(fields.final, style)))
    return rows
