"""A network's :class:`Count` and the table it prints as: rows of cells, ready for any renderer.

The renderers (text, markdown, LaTeX, JSON) receive plain rows
(:class:`symcount.render.table.Table`) and know nothing about layers; this
module is the one place that decides the columns and fills them from a Count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import sympy

from symcount.engine.activations import ACTIVATION_DTYPE, Activations, activations_of, has_shapes, values_bytes, volume
from symcount.engine.names import display_names
from symcount.engine.receptive import ReceptiveFields, field_json, field_text, has_positions, receptive_fields
from symcount.engine.results import BlockCall, LayerResult, Merge
from symcount.errors import SymcountError
from symcount.language import budget
from symcount.language.values import Value
from symcount.render.printable import Printable
from symcount.render.table import Column, Table, html_table

if TYPE_CHECKING:
    from symcount.render.formats import Format

#: How FLOPs are counted, stated wherever they are shown.
FLOPS_CONVENTION = ("FLOPs = 2 x MACs (a multiply and an add per MAC, as torch.utils.flop_counter counts; "
                    "bias adds, norms, activations and pooling are not counted)")


@dataclass(repr=False)
class Count(Printable):
    """The result of counting one network (or the top-level layers, ``main``)."""

    network: str
    convention: str
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    buffers: sympy.Expr
    macs: sympy.Expr
    active: sympy.Expr
    layers: list[LayerResult]
    output_shape: tuple[sympy.Expr, ...] | None = None
    shared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)
    blocks: list[BlockCall] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    #: the names ``values=`` / ``--set`` can set (network parameters, lets, free symbols)
    settable: frozenset[str] = frozenset()
    #: a network with several outputs (parallel(merge="outputs")): each one's shape; output_shape is None
    outputs: list[tuple[sympy.Expr, ...]] = field(default_factory=list)

    @property
    def total(self) -> sympy.Expr:
        return self.trainable + self.non_trainable

    @property
    def flops(self) -> sympy.Expr:
        """FLOPs = 2 x MACs (one multiply and one add per MAC)."""
        return 2 * self.macs

    def table(self, depth: int | None = None, flops: bool = False) -> Table:
        """The per-layer table ``symcount count`` prints (blocks folded below ``depth``)."""
        return summary_table(self, depth=depth, flops=flops)

    def _render(self, fmt: Format) -> str:
        return fmt.table(self.table(), self._title())

    def _title(self) -> str:
        return f"network {self.network} ({self.convention})"

    def _summary(self) -> str:
        return f"network={self.network!r}, total={self.total}"

    def _repr_html_(self) -> str:
        """Jupyter's rich form: the count table as HTML (its markdown form is the pipe table)."""
        return html_table(self.table(), self._title())



def plain(value: Any) -> int | str | None:
    """A JSON-ready value: integers as int, symbolic expressions as strings."""
    if value is None:
        return None
    if isinstance(value, sympy.Basic):
        if value is sympy.nan:
            return None
        if value.is_Integer:
            return int(value)
        return budget.text(value)
    return cast("int | str", value)  # the counts that are not sympy are plain ints


def fold(layers: list[LayerResult], depth: int | None,
         blocks: list[BlockCall] | None = None) -> list[LayerResult]:
    """Fold layers nested deeper than ``depth`` block levels into one row per block call.

    ``depth=0`` shows each top-level block call as one row (like a framework's
    summary at depth 1). A folded row sums its layers and, when the block call
    is known (``blocks``), takes the block's kind and output shape: the last
    layer's shape is wrong for a block that ends in a concatenation.
    """
    if depth is None:
        return layers
    calls = {call.name: call for call in blocks or []}
    folded: list[LayerResult] = []
    index: dict[str, LayerResult] = {}
    for layer in layers:
        parts = layer.name.split(".")
        if len(parts) <= depth + 1:
            folded.append(layer)
            continue
        key = ".".join(parts[: depth + 1])
        row = index.get(key)
        call = calls.get(key)
        if row is None:
            row = LayerResult(
                name=key, kind=call.kind if call else "block", output_shape=layer.output_shape,
                trainable=sympy.Integer(0), non_trainable=sympy.Integer(0), buffers=sympy.Integer(0),
                macs=sympy.Integer(0), tensors=[], active=sympy.Integer(0), pos=call.pos if call else layer.pos,
            )
            index[key] = row
            folded.append(row)
        row.trainable += layer.trainable
        row.non_trainable += layer.non_trainable
        row.buffers += layer.buffers
        row.macs = row.macs + layer.macs
        row.active += layer.active
        inner = layer.name[len(key) + 1:]
        row.tensors = row.tensors + [replace(t, name=f"{inner}.{t.name}") for t in layer.tensors]
        row.output_shape = call.output_shape if call else layer.output_shape
    for row in index.values():
        row.trainable, row.non_trainable, row.buffers, row.active = (
            sympy.expand(row.trainable), sympy.expand(row.non_trainable), sympy.expand(row.buffers),
            sympy.expand(row.active))
        if row.macs is not sympy.nan:
            row.macs = sympy.expand(row.macs)
    return folded


def summary_table(result: Count, depth: int | None = None, macs: bool = True, flops: bool = False,
                  activations: Activations | None = None, fields: ReceptiveFields | None = None) -> Table:
    """The per-layer summary: one row per layer (or per block call under ``depth``), then totals.

    With ``activations``, a column gives each row's output volume for the batch
    and the totals the values a forward pass stores, in values and in bytes.

    A layer whose weight is tied to another's shows ``(tied)`` after its kind:
    the shared tensor is counted once, at the layer that owns it, and a note
    says where it is shared.
    """
    columns = [Column.INDEX, Column.NAME, Column.KIND, Column.OUTPUT_SHAPE,
               Column.TRAINABLE, Column.NON_TRAINABLE, Column.BUFFERS]
    if macs:
        columns.append(Column.MACS)
    if flops:
        columns.append(Column.FLOPS)
    if activations is not None:
        columns.append(Column.ACTIVATIONS)
    if fields is not None:
        columns += [Column.RECEPTIVE_FIELD, Column.JUMP, Column.START]
    rows = []
    spans = {call.name: (call.start, call.end) for call in result.blocks}
    shown = display_names(result.layers, result.blocks)  # layer1.0.conv2d, not layer1.bottleneck.conv_bn.conv2d
    for i, layer in enumerate(fold(result.layers, depth, result.blocks)):
        field = fields.of_row(layer.name, spans.get(layer.name) if layer.entry is None else None) \
            if fields is not None else None
        tied = any(t.shared_with for t in layer.tensors)
        rows.append({
            Column.INDEX: i,
            Column.NAME: shown.get(layer.name, layer.name),
            Column.KIND: f"{layer.kind} (tied)" if tied and depth is None else layer.kind,
            Column.OUTPUT_SHAPE: layer.output_shape,
            Column.TRAINABLE: layer.trainable,
            Column.NON_TRAINABLE: layer.non_trainable,
            Column.BUFFERS: layer.buffers,
            Column.MACS: layer.macs,
            Column.FLOPS: 2 * layer.macs if layer.macs is not sympy.nan else sympy.nan,
            Column.ACTIVATIONS: volume(layer.output_shape, activations.batch) if activations else None,
            Column.RECEPTIVE_FIELD: field_text(field),
            Column.JUMP: field_text(field, "j"),
            Column.START: field_text(field, "start"),
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
    if flops:
        totals.append(("FLOPs", result.flops if result.macs is not sympy.nan else sympy.nan))
    if activations is not None:
        totals.append(("input values", activations.input))
        totals.append(("activations stored (forward)", activations.total))
        totals.append((f"activation bytes ({activations.dtype})", activations.bytes))
    notes = [f"convention: {convention_line(result.convention)}"]
    if flops:
        notes.append(FLOPS_CONVENTION)
    if activations is not None:
        notes += [f"activations: {line}" for line in activations.assumptions()]
    if fields is not None:
        notes += [f"receptive field: {line}" for line in fields.assumptions()]
        notes += [f"receptive field: the {m.kind} after {m.after} (line {m.pos.line}) sees {field_text(m.field)}, "
                  f"through {m.path}" for m in fields.merges]
        if fields.final.is_whole:
            notes.append(f"receptive field: after {fields.final.whole_at} every output sees the whole input "
                         f"({fields.final.whole})")
    notes += [f"shared: {shared_line(s)}" for s in result.shared]
    notes += result.notes
    notes += layer_notes(result.layers)
    return Table(columns, rows, totals, list(dict.fromkeys(notes)))


def shared_line(shared: str) -> str:
    """``head.weight = wte.weight`` -> where the tensor lives and that it counts once."""
    user, _, owner = shared.partition(" = ")
    if not owner:
        return shared
    return f"{user} is {owner} (one tensor, counted once at {owner.rsplit('.', 1)[0]})"


def layer_notes(layers: list[LayerResult]) -> list[str]:
    """Each layer note once: a note that many layers share is given once with their number."""
    by_note: dict[str, list[str]] = {}
    for layer in layers:
        for note in layer.notes:
            if note.startswith("x ") or note.startswith("weight shared with"):
                continue
            by_note.setdefault(note, []).append(layer.name)
    lines = []
    for note, names in by_note.items():
        where = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
        lines.append(f"{where}: {note}")
    return lines


def convention_line(convention: str) -> str:
    if convention == "keras":
        return ("keras (total = count_params(); batch-norm moving statistics are non-trainable "
                "parameters; frozen layers count as non-trainable)")
    return ("pytorch (total = sum of parameters().numel(); batch-norm running statistics are "
            "buffers, not parameters; frozen parameters count as non-trainable)")


def layer_dict(layer: LayerResult, activations: Activations | None = None,
               fields: ReceptiveFields | None = None, span: tuple[int, int] | None = None) -> dict[str, Any]:
    values = volume(layer.output_shape, activations.batch) if activations is not None else None
    return {
        "name": layer.name,
        "kind": layer.kind,
        "output_shape": [plain(d) for d in layer.output_shape] if layer.output_shape is not None else None,
        "total": plain(layer.total),
        "trainable": plain(layer.trainable),
        "non_trainable": plain(layer.non_trainable),
        "buffers": plain(layer.buffers),
        "macs": plain(layer.macs),
        "flops": plain(2 * layer.macs) if layer.macs is not sympy.nan else None,
        "active": plain(layer.active),
        "activations": plain(values),
        "activation_bytes": plain(values_bytes(values, activations.dtype))
        if values is not None and activations is not None else None,
        **field_json(fields.of_row(layer.name, span) if fields is not None else None),
        "tensors": [
            {"name": t.name, "shape": [plain(d) for d in t.shape], "size": plain(t.size),
             "category": t.category, **({"shared_with": t.shared_with} if t.shared_with else {})}
            for t in layer.tensors
        ],
    }


def _fields_if_known(result: Count) -> tuple[ReceptiveFields | None, list[str]]:
    """The receptive fields for the JSON, or none with the reason: a layer without a rule (a reshape,
    a patch merge) leaves the fields null there, said in words, rather than failing the whole count
    (``count --receptive-field`` asks for them and gets the positioned error)."""
    if not has_positions(result):
        return None, []
    try:
        return receptive_fields(result), []
    except SymcountError as err:
        return None, [f"not derived: {err.message}"]


def count_dict(result: Count, depth: int | None = None, batch: sympy.Expr | int = 1,
               dtype: str = ACTIVATION_DTYPE) -> dict[str, Any]:
    """The JSON form of a count (integers as numbers, expressions as strings).

    With ``depth``, ``layers`` holds the same folded rows as the text table.
    Each layer's ``activations`` is its output volume for a batch of ``batch``
    (null where no shape reaches it); ``activations_total`` the values a forward
    pass stores (:mod:`symcount.engine.activations` says which).
    """
    acts = activations_of(result, batch, dtype) if has_shapes(result) else None
    fields, unknown = _fields_if_known(result)
    spans = {call.name: (call.start, call.end) for call in result.blocks}
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
        "outputs": [[plain(d) for d in shape] for shape in result.outputs],
        "shared": result.shared,
        "flops_convention": FLOPS_CONVENTION,
        "activations_batch": plain(acts.batch) if acts else None,
        "activations_dtype": acts.dtype if acts else None,
        "activations_input": plain(acts.input) if acts else None,
        "activations_total": plain(acts.total) if acts else None,
        "activation_bytes_total": plain(acts.bytes) if acts else None,
        "activations_assumptions": acts.assumptions() if acts else [],
        "receptive_field_dims": list(fields.dims) if fields else None,
        "receptive_field": field_json(fields.final)["receptive_field"] if fields else None,
        "receptive_field_assumptions": fields.assumptions() if fields else unknown,
        "layers": [layer_dict(layer, acts, fields, spans.get(layer.name) if layer.entry is None else None)
                   for layer in fold(result.layers, depth, result.blocks)],
    }
