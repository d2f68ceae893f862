"""Receptive field, jump and start of every layer: which input positions one output position sees.

For each spatial dimension of the network's input, a layer's output position
``i`` sees the input positions centred on ``start + i * jump``, ``receptive_field``
of them (counted from the first to the last it depends on, holes of dilation
included). A sliding window of size k, dilation d, stride s and padding p
(left side) on a layer whose input has (r, j, start) gives the classic rules

* ``r_out = r_in + (k - 1) * d * j_in``,
* ``j_out = j_in * s``,
* ``start_out = start_in + ((k - 1) * d / 2 - p) * j_in``,

starting from ``r = 1, j = 1, start = 0`` at the input (position 0 is the centre
of the first input position; a start below 0 lies in the padding). Pooling is a
window like a convolution; element-wise layers (activations, batch norm at
inference, a linear layer on each position, dropout) change nothing; padding
layers shift the start. A transposed convolution of stride s divides the jump by
s and widens the field by the taps that reach one output position (their
largest number over the positions, ``ceil(k * g / s)`` at distance ``d / g``,
g = gcd(d, s)); an upsampling by f is nearest-neighbour (each output repeats one
input): jump / f. After either, where a field lies shifts with the output
position, so no start is given.

At a ``residual`` or ``parallel`` the output sees the union of its branches'
fields (the largest field over the paths); which path gives it is said. After a
layer that mixes every position (flatten, global or adaptive pooling,
attention, a recurrent layer, statistics over positions), each output sees the
whole input: that is recorded with the layer that did it, and asking for a
window size across it is a positioned error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import sympy

from symcount.catalog.resizing import _pad_pairs
from symcount.catalog.shapes import padding_amount
from symcount.engine.results import LayerResult, Merge
from symcount.errors import SymcountError
from symcount.language import budget, nodes
from symcount.language.symbols import is_number

if TYPE_CHECKING:
    from symcount.engine.count import Count

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)

#: sliding windows with a kernel, stride, padding and dilation
WINDOW_PREFIXES = ("conv1d", "conv2d", "conv3d", "depthwise_conv", "separable_conv", "maxpool", "avgpool")
#: layers that act on each position alone (their output position i sees only input position i)
POSITION_WISE = frozenset({
    "relu", "relu6", "gelu", "silu", "sigmoid", "tanh", "leaky_relu", "elu", "hardswish", "mish", "selu", "celu",
    "softplus", "softsign", "hardsigmoid", "hardtanh", "activation", "prelu", "dropout", "identity", "batchnorm",
    "rmsnorm", "lrn", "linear", "bilinear", "embedding", "rotary", "gated_mlp",
    # per-channel or per-position arithmetic: no position sees another
    "channel_shuffle", "channel_split", "layer_scale", "rescaling", "normalization", "pos_embedding",
})
#: layers after which every output position depends on every input position, and why
WHOLE_INPUT = {
    "flatten": "flatten puts every position into one vector",
    "global_avgpool": "global pooling takes every position",
    "global_maxpool": "global pooling takes every position",
    "attention": "attention mixes every position",
    "latent_attention": "attention mixes every position",
    "transformer_encoder_layer": "attention mixes every position",
    "transformer_decoder_layer": "attention mixes every position",
    "rnn": "a recurrent layer carries every earlier position",
    "lstm": "a recurrent layer carries every earlier position",
    "gru": "a recurrent layer carries every earlier position",
    "groupnorm": "its statistics are taken over every position",
    "instancenorm": "its statistics are taken over every position",
    "softmax": "softmax normalises over a whole axis",
    "log_softmax": "log-softmax normalises over a whole axis",
    "cls_token": "the class token joins the sequence",
}


@dataclass(frozen=True)
class Field:
    """What one output position sees, per spatial dimension of the input; or the whole input."""

    r: tuple[sympy.Expr, ...] = ()
    j: tuple[sympy.Expr, ...] = ()
    start: tuple[sympy.Expr | None, ...] = ()
    whole: str | None = None  # why every position sees the whole input
    whole_at: str | None = None  # the layer that made it so
    whole_pos: nodes.Pos = nodes.NOWHERE

    @property
    def is_whole(self) -> bool:
        return self.whole is not None


@dataclass(frozen=True)
class LayerField:
    """One layer's output field (of the network's input)."""

    name: str
    kind: str
    field: Field
    pos: nodes.Pos = nodes.NOWHERE


@dataclass(frozen=True)
class MergeField:
    """The field where a residual or parallel joins, and the path that gives the largest."""

    kind: str
    after: str
    field: Field
    path: str
    pos: nodes.Pos = nodes.NOWHERE
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class ReceptiveFields:
    """Every layer's receptive field, jump and start, and the network's (after its last layer)."""

    network: str
    dims: tuple[str, ...]
    layers: tuple[LayerField, ...]
    merges: tuple[MergeField, ...]
    final: Field
    notes: tuple[str, ...] = field(default=())

    def assumptions(self) -> list[str]:
        out = ["the input positions one output position sees, from the first to the last "
               "(holes of dilation and stride included), per input dimension "
               f"({', '.join(self.dims)}); jump: input positions between neighbouring outputs; start: "
               "the centre of the first output's field (input position 0 is the first; below 0 is padding)",
               "r_out = r_in + (k - 1)*d*j_in, j_out = j_in*s, start_out = start_in + ((k - 1)*d/2 - p)*j_in",
               "element-wise layers, batch norm (inference) and a linear layer on each position keep the field"]
        return out + list(self.notes)

    def of_row(self, name: str, block: tuple[int, int] | None = None) -> Field | None:
        """The field of a count-table row: a layer's output, or a folded block's (after its last merge)."""
        if block is None:
            return next((lf.field for lf in self.layers if lf.name == name), None)
        start, end = block
        joins = [m for m in self.merges if m.end == end and m.start >= start]
        if joins:
            return min(joins, key=lambda m: m.start).field  # the outermost merge of the block
        return self.layers[end - 1].field if end > start else None

    def at(self, label: str | None = None, pos: nodes.Pos = nodes.NOWHERE) -> Field:
        """The field of the network's output, or of a labelled layer's; a window size, never 'whole'."""
        target = self.final
        if label is not None:
            found = [lf for lf in self.layers if lf.name == label or lf.name.endswith("." + label)]
            if not found:
                raise SymcountError(f"no layer named '{label}'", pos,
                                    hint="label a layer (name: conv2d(...)) or use a name from count's table")
            target = found[-1].field
        if target.is_whole:
            raise SymcountError(
                f"no receptive field to ask for after {target.whole_at}: {target.whole}, so every output "
                "sees the whole input", target.whole_pos if label is None else pos,
                hint="ask at a layer before it (a label on a convolution or pooling layer)")
        return target


def gcd(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr | None:
    if is_number(a) and is_number(b):
        return sympy.Integer(sympy.gcd(int(a), int(b)))
    if a == ONE or b == ONE:
        return ONE
    return None


def _left_pad(padding: Any, i: int, k_eff: sympy.Expr, s: sympy.Expr, n: sympy.Expr | None) -> sympy.Expr:
    """The padding before the first input position in dimension i, as the framework applies it."""
    if isinstance(padding, str):
        if padding == "valid":
            return ZERO
        if padding == "causal":
            return k_eff - 1
        # "same": PyTorch (stride 1) and Keras pad max((ceil(n/s) - 1)*s + k_eff - n, 0), the smaller half first
        if s == ONE:
            return sympy.floor((k_eff - 1) / 2)
        if n is None:
            raise SymcountError('"same" padding with a stride needs the input size')
        total = sympy.Max((sympy.ceiling(n / s) - 1) * s + k_eff - n, 0)
        return sympy.floor(total / 2)
    return padding_amount(padding if not isinstance(padding, tuple) else padding[i])


def _window(f: Field, layer: LayerResult) -> Field:
    a = layer.args
    assert a is not None
    sizes = layer.input_shape.spatial if layer.input_shape is not None else (None,) * len(f.r)
    if len(a.k) != len(f.r):
        raise SymcountError(f"{layer.kind} slides over {len(a.k)} dimension(s) of an input with {len(f.r)}",
                            layer.pos)
    r, j, start = [], [], []
    for i, (k, s, d) in enumerate(zip(a.k, a.stride, a.dilation, strict=True)):
        k_eff = d * (k - 1) + 1
        pad = _left_pad(a.padding, i, k_eff, s, sizes[i])
        r.append(sympy.expand(f.r[i] + (k_eff - 1) * f.j[i]))
        j.append(sympy.expand(f.j[i] * s))
        st = f.start[i]
        start.append(None if st is None else sympy.expand(st + ((k_eff - 1) / 2 - pad) * f.j[i]))
    return Field(tuple(r), tuple(j), tuple(start))


def _transposed(f: Field, layer: LayerResult) -> Field:
    a = layer.args
    assert a is not None
    r: list[sympy.Expr] = []
    j: list[sympy.Expr] = []
    start: list[sympy.Expr | None] = []
    for i, (k, s, d) in enumerate(zip(a.k, a.stride, a.dilation, strict=True)):
        g = gcd(d, s)
        if g is None:
            raise SymcountError("the receptive field of a transposed convolution with a symbolic dilation and "
                                "stride needs numbers for them", layer.pos)
        taps = sympy.ceiling(k * g / s)
        r.append(sympy.expand(f.r[i] + (taps - 1) * (d / g) * f.j[i]))
        j.append(sympy.expand(f.j[i] / s))
        start.append(None)  # which inputs an output sees shifts with its position: no single start
    return Field(tuple(r), tuple(j), tuple(start))


def _pad(f: Field, layer: LayerResult) -> Field:
    assert layer.args is not None
    pairs = _pad_pairs(layer.args.p, len(f.r))
    start = tuple(None if st is None else sympy.expand(st - before * jj)
                  for st, jj, (before, _) in zip(f.start, f.j, pairs, strict=True))
    return replace(f, start=start)


def _upsample(f: Field, layer: LayerResult) -> Field:
    a = layer.args
    assert a is not None and layer.input_shape is not None and layer.shape is not None
    factors = [out / n for out, n in zip(layer.shape.spatial, layer.input_shape.spatial, strict=True)]
    j = tuple(budget.simplify(jj / fct) for jj, fct in zip(f.j, factors, strict=True))
    return Field(f.r, j, (None,) * len(j))  # output o repeats input floor(o/f): no single start


def _adaptive(f: Field, layer: LayerResult) -> Field:
    """Adaptive pooling from n to o positions: when o divides n, a plain window k = s = n/o; else whole."""
    assert layer.input_shape is not None and layer.shape is not None
    r, j, start = [], [], []
    for i, (n, o) in enumerate(zip(layer.input_shape.spatial, layer.shape.spatial, strict=True)):
        step = n / o
        if not (is_number(step) and step.is_Integer) or o == 1 and n != 1:
            return _whole(layer, "adaptive pooling's windows cover the whole input" if o == 1 else
                          "adaptive pooling's windows differ from position to position")
        r.append(sympy.expand(f.r[i] + (step - 1) * f.j[i]))
        j.append(sympy.expand(f.j[i] * step))
        st = f.start[i]
        start.append(None if st is None else sympy.expand(st + (step - 1) / 2 * f.j[i]))
    return Field(tuple(r), tuple(j), tuple(start))


def _whole(layer: LayerResult, why: str) -> Field:
    return Field(whole=why, whole_at=f"{layer.name} ({layer.kind}, line {layer.pos.line})", whole_pos=layer.pos)


def through(f: Field, layer: LayerResult) -> Field:
    """The field after ``layer``, given the field of its input."""
    if f.is_whole:
        return f
    kind = layer.kind
    if kind in WHOLE_INPUT:
        if kind == "flatten" and layer.input_shape is not None and not layer.input_shape.spatial:
            return f
        return _whole(layer, WHOLE_INPUT[kind])
    if kind.startswith("adaptive_"):
        return _adaptive(f, layer)
    if kind == "layernorm":
        sizes = layer.args.C if layer.args is not None else ()
        if isinstance(sizes, tuple) and len(sizes) > 1:
            return _whole(layer, "its statistics are taken over every position")
        return f
    if kind.startswith(WINDOW_PREFIXES):
        out = _window(f, layer)
    elif kind.startswith("conv_transpose"):
        out = _transposed(f, layer)
    elif kind.endswith(("_pad1d", "_pad2d", "_pad3d")):
        out = _pad(f, layer)
    elif kind in ("upsample", "upsampling"):
        out = _upsample(f, layer)
    elif kind in POSITION_WISE:
        return f
    else:
        raise SymcountError(f"no receptive-field rule for {kind}", layer.pos)
    return _repeated(f, out, layer)


def _repeated(before: Field, after: Field, layer: LayerResult) -> Field:
    """A layer inside a symbolic ``repeat N`` runs N times: its growth, N times (it must keep the jump)."""
    m = layer.multiplier
    if m == ONE:
        return after
    if any(budget.is_zero(a - b) is not True for a, b in zip(before.j, after.j, strict=True)):
        raise SymcountError("the receptive field through a symbolic repeat of a strided layer needs the count "
                            "as a number", layer.pos)
    r = tuple(sympy.expand(b + m * (a - b)) for a, b in zip(after.r, before.r, strict=True))
    start = tuple(None if a is None or b is None else sympy.expand(b + m * (a - b))
                  for a, b in zip(after.start, before.start, strict=True))
    return Field(r, after.j, start)


def union(fields: list[Field], pos: nodes.Pos) -> tuple[Field, int | None]:
    """The field seen through every path at once, and which path alone sees it (None: no single path)."""
    whole = [f for f in fields if f.is_whole]
    if whole:
        return whole[0], fields.index(whole[0])
    first = fields[0]
    r: list[sympy.Expr] = []
    start: list[sympy.Expr | None] = []
    for i in range(len(first.r)):
        js = {budget.simplify(f.j[i]) for f in fields}
        if len(js) > 1:
            raise SymcountError("the branches step through the input at different jumps: their fields do not "
                                "line up", pos)
        if any(f.start[i] is None for f in fields):
            r.append(sympy.Max(*(f.r[i] for f in fields)))
            start.append(None)
            continue
        lefts = [f.start[i] - (f.r[i] - 1) / 2 for f in fields]
        rights = [f.start[i] + (f.r[i] - 1) / 2 for f in fields]
        lo, hi = sympy.Min(*lefts), sympy.Max(*rights)
        r.append(sympy.expand(hi - lo + 1))
        start.append(sympy.expand((hi + lo) / 2))
    joined = Field(tuple(r), first.j, tuple(start))
    for index, f in enumerate(fields):
        if all(budget.is_zero(a - b) is True for a, b in zip(f.r, joined.r, strict=True)) \
                and all(a is None or b is None or budget.is_zero(a - b) is True
                        for a, b in zip(f.start, joined.start, strict=True)):
            return joined, index
    return joined, None


class _Walk:
    def __init__(self, result: Count) -> None:
        self.layers = result.layers
        self.merges = list(result.merges)
        self.used: set[int] = set()
        self.out: list[Field | None] = [None] * len(self.layers)
        self.joins: list[MergeField] = []

    def run(self, lo: int, hi: int, f: Field, inside: int) -> Field:
        """Layers ``lo:hi`` on an input field; ``inside``: only merges recorded before this index."""
        i = lo
        while i < hi or self._merge_at(i, hi, inside) is not None:
            index = self._merge_at(i, hi, inside)
            if index is not None:
                f = self.join(index, f)
                i = self.merges[index].end
                continue
            f = through(f, self.layers[i])
            self.out[i] = f
            i += 1
        return f

    def _merge_at(self, i: int, hi: int, inside: int) -> int | None:
        found = [n for n, m in enumerate(self.merges[:inside])
                 if n not in self.used and m.start == i and m.end <= hi]
        return max(found) if found else None

    def join(self, index: int, f: Field) -> Field:
        self.used.add(index)
        merge: Merge = self.merges[index]
        ends = [self.run(a, b, f, index) for a, b in merge.branches]
        joined, path = union(ends, merge.pos)
        names = [self._path_name(merge, n) for n in range(len(merge.branches))]
        said = names[path] if path is not None else "no single path (the union of " + ", ".join(names) + ")"
        after = self.layers[merge.start - 1].name if merge.start > 0 else "the input"
        self.joins.append(MergeField(merge.kind, after, joined, said, merge.pos, merge.start, merge.end))
        return joined

    def _path_name(self, merge: Merge, n: int) -> str:
        a, b = merge.branches[n]
        if a == b:
            return "the identity shortcut" if merge.kind == "residual" else f"branch {n + 1} (empty)"
        what = ("the main path" if n == 0 else "the shortcut") if merge.kind == "residual" else f"branch {n + 1}"
        return f"{what} ({self.layers[a].name}" + (f" .. {self.layers[b - 1].name})" if b - a > 1 else ")")


def receptive_fields(result: Count) -> ReceptiveFields:
    """Every layer's receptive field, jump and start (see the module docstring for the rules)."""
    if not result.layers or result.layers[0].input_shape is None:
        raise SymcountError("the receptive field needs the input's shape", result.layers[0].pos if result.layers
                            else nodes.NOWHERE, hint="start the network with input(H=..., W=..., C=...)")
    if result.outputs:
        raise SymcountError("a network with several outputs has a receptive field per output: count each "
                            "output's network", result.layers[0].pos)
    first = result.layers[0].input_shape
    if not first.spatial:
        raise SymcountError("the input has no positions (a vector): a receptive field is about positions",
                            result.layers[0].pos)
    rank = len(first.spatial)
    names = ("L",) if first.sequence or rank == 1 else ("H", "W") if rank == 2 else ("D", "H", "W")
    start = Field((ONE,) * rank, (ONE,) * rank, (ZERO,) * rank)
    walk = _Walk(result)
    final = walk.run(0, len(result.layers), start, len(walk.merges))
    fields = tuple(LayerField(layer.name, layer.kind, f if f is not None else start, layer.pos)
                   for layer, f in zip(result.layers, walk.out, strict=True))
    notes = []
    if any(layer.kind in ("upsample", "upsampling") for layer in result.layers):
        notes.append("upsampling is taken as nearest-neighbour (each output repeats one input position)")
    if any(layer.kind.startswith("conv_transpose") for layer in result.layers):
        notes.append("a transposed convolution's field depends on the output position: the largest is given, "
                     "and no start (the field's place shifts with the position)")
    return ReceptiveFields(result.network, names, fields, tuple(walk.joins), final, tuple(notes))


def field_text(f: Field | None, what: str = "r") -> str:
    """``7x7``, ``2*k - 1`` or ``whole input``: one cell of the count table."""
    if f is None:
        return "-"
    if f.is_whole:
        return "whole input" if what == "r" else "-"
    values = {"r": f.r, "j": f.j, "start": f.start}[what]
    shown = ["-" if v is None else str(v) for v in values]
    if len(set(shown)) == 1 and what != "r":
        return shown[0]
    return "x".join(shown) if all(s.lstrip("-").isdigit() or "/" in s for s in shown) else " x ".join(
        f"({s})" if " " in s else s for s in shown)


def field_json(f: Field | None) -> dict[str, Any]:
    """The JSON keys of a layer: ``receptive_field``, ``jump`` and ``start`` (one entry per input dimension)."""
    def plain(v: sympy.Expr | None) -> int | str | None:
        return None if v is None else int(v) if v.is_Integer else str(v)

    if f is None:
        return {"receptive_field": None, "jump": None, "start": None}
    if f.is_whole:
        return {"receptive_field": "whole input", "jump": None, "start": None}
    return {"receptive_field": [plain(v) for v in f.r], "jump": [plain(v) for v in f.j],
            "start": [plain(v) for v in f.start]}


def has_positions(result: Count) -> bool:
    """Whether the network's input has positions (a receptive field can be worked out)."""
    first = result.layers[0].input_shape if result.layers else None
    return first is not None and bool(first.spatial)
