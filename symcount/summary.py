"""A Count as a table: rows of cells, ready for any renderer.

The renderers (text, markdown, LaTeX, JSON) receive plain rows and know nothing
about layers; this module is the one place that decides the columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import sympy

from symcount.engine import Count, LayerResult


class Column(str, Enum):
    INDEX = "index"
    NAME = "name"
    KIND = "kind"
    OUTPUT_SHAPE = "output_shape"
    TRAINABLE = "trainable"
    NON_TRAINABLE = "non_trainable"
    BUFFERS = "buffers"
    MACS = "macs"


HEADER_TITLES = {
    Column.INDEX: "#",
    Column.NAME: "name",
    Column.KIND: "kind",
    Column.OUTPUT_SHAPE: "output shape",
    Column.TRAINABLE: "trainable",
    Column.NON_TRAINABLE: "non-trainable",
    Column.BUFFERS: "buffers",
    Column.MACS: "MACs",
}

NUMERIC_COLUMNS = {Column.TRAINABLE, Column.NON_TRAINABLE, Column.BUFFERS, Column.MACS}


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[dict[Column, Any]]
    totals: list[tuple[str, Any]]
    notes: list[str]


def plain(value: Any) -> int | str | None:
    """A JSON-ready value: integers as int, symbolic expressions as strings."""
    if value is None:
        return None
    if isinstance(value, sympy.Basic):
        if value is sympy.nan:
            return None
        if value.is_Integer:
            return int(value)
        return str(value)
    return value


def fold(layers: list[LayerResult], depth: int | None) -> list[LayerResult]:
    """Fold layers deeper than ``depth`` block levels into one row per block."""
    if depth is None:
        return layers
    folded: list[LayerResult] = []
    index: dict[str, LayerResult] = {}
    for layer in layers:
        parts = layer.name.split(".")
        if len(parts) <= depth + 1:
            folded.append(layer)
            continue
        key = ".".join(parts[: depth + 1])
        row = index.get(key)
        if row is None:
            row = LayerResult(
                name=key, kind="block", output_shape=layer.output_shape,
                trainable=sympy.Integer(0), non_trainable=sympy.Integer(0), buffers=sympy.Integer(0),
                macs=sympy.Integer(0), tensors=[], active=sympy.Integer(0),
            )
            index[key] = row
            folded.append(row)
        row.trainable += layer.trainable
        row.non_trainable += layer.non_trainable
        row.buffers += layer.buffers
        row.macs = row.macs + layer.macs
        row.active += layer.active
        row.output_shape = layer.output_shape
    return folded


def summary_table(result: Count, depth: int | None = None, macs: bool = True) -> Table:
    columns = [Column.INDEX, Column.NAME, Column.KIND, Column.OUTPUT_SHAPE,
               Column.TRAINABLE, Column.NON_TRAINABLE, Column.BUFFERS]
    if macs:
        columns.append(Column.MACS)
    rows = []
    for i, layer in enumerate(fold(result.layers, depth)):
        rows.append({
            Column.INDEX: i,
            Column.NAME: layer.name,
            Column.KIND: layer.kind,
            Column.OUTPUT_SHAPE: layer.output_shape,
            Column.TRAINABLE: layer.trainable,
            Column.NON_TRAINABLE: layer.non_trainable,
            Column.BUFFERS: layer.buffers,
            Column.MACS: layer.macs,
        })
    totals: list[tuple[str, Any]] = [
        ("total params", result.total),
        ("trainable params", result.trainable),
        ("non-trainable params", result.non_trainable),
        ("buffers", result.buffers),
    ]
    if result.active != result.total:
        totals.append(("active params", result.active))
    if macs:
        totals.append(("MACs", result.macs))
    notes = [f"convention: {convention_line(result.convention)}"]
    notes += [f"shared: {s}" for s in result.shared]
    for layer in result.layers:
        notes += [f"{layer.name}: {n}" for n in layer.notes if not n.startswith("x ")]
    return Table(columns, rows, totals, list(dict.fromkeys(notes)))


def convention_line(convention: str) -> str:
    if convention == "keras":
        return ("keras (total = count_params(); batch-norm moving statistics are non-trainable "
                "parameters; frozen layers count as non-trainable)")
    return ("pytorch (total = sum of parameters().numel(); batch-norm running statistics are "
            "buffers, not parameters; frozen parameters count as non-trainable)")


def layer_dict(layer: LayerResult) -> dict[str, Any]:
    return {
        "name": layer.name,
        "kind": layer.kind,
        "output_shape": [plain(d) for d in layer.output_shape] if layer.output_shape is not None else None,
        "total": plain(layer.total),
        "trainable": plain(layer.trainable),
        "non_trainable": plain(layer.non_trainable),
        "buffers": plain(layer.buffers),
        "macs": plain(layer.macs),
        "active": plain(layer.active),
        "tensors": [
            {"name": t.name, "shape": [plain(d) for d in t.shape], "size": plain(t.size),
             "category": t.category, **({"shared_with": t.shared_with} if t.shared_with else {})}
            for t in layer.tensors
        ],
    }


def count_dict(result: Count) -> dict[str, Any]:
    """The JSON form of a count (integers as numbers, expressions as strings)."""
    return {
        "network": result.network,
        "convention": result.convention,
        "total": plain(result.total),
        "trainable": plain(result.trainable),
        "non_trainable": plain(result.non_trainable),
        "buffers": plain(result.buffers),
        "macs": plain(result.macs),
        "flops": plain(result.flops) if result.macs is not sympy.nan else None,
        "active": plain(result.active),
        "output_shape": [plain(d) for d in result.output_shape] if result.output_shape else None,
        "shared": result.shared,
        "layers": [layer_dict(layer) for layer in result.layers],
    }
