"""Backward-pass FLOPs of a counted network, per layer, from the catalog's MACs.

For a layer that is only matrix products (``linear``, ``conv1d/2d/3d`` with any
groups and stride, ``attention``) the backward pass repeats every product of the
forward twice: once for the gradient with respect to the layer's input
(``input_grad``) and once for the gradient with respect to its weights
(``weight_grad``), each 2 × MACs FLOPs. Attention's scores and weighted values
have no weights: both of their gradients (queries and keys, scores and values)
go to ``input_grad``. Bias gradients are sums of the output gradient over the
output positions (C_out × positions additions a sample): reported apart, as
``torch.utils.flop_counter.FlopCounterMode`` does not count them. The network's
input needs no gradient, so the first layer with weights skips its input
gradient (attention: that of its query, key and value projections), as torch
does for an input that does not require grad. Layers without multiply-accumulates
(activations, pooling, norms, look-ups) count 0, as in FlopCounterMode, and are
named; layers with MACs of any other kind are named as not derived, never counted as 0.
All numbers are for one sample (the Count's shapes carry no batch): × B for a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from symcount.engine.count import Count
from symcount.engine.results import LayerResult
from symcount.language import budget

#: the layer kinds whose backward pass is derived (matrix products only)
COVERED = ("linear", "conv1d", "conv2d", "conv3d", "attention")


@dataclass(frozen=True)
class LayerBackward:
    """One layer's forward and backward FLOPs for one sample."""

    name: str
    kind: str
    forward: sympy.Expr
    input_grad: sympy.Expr
    weight_grad: sympy.Expr
    bias_grad: sympy.Expr  # additions, not in FlopCounterMode's count
    input_skipped: bool = False

    @property
    def backward(self) -> sympy.Expr:
        return sympy.expand(self.input_grad + self.weight_grad)


@dataclass(frozen=True)
class Backward:
    """Per-layer backward FLOPs and a training step (forward + backward) for one sample."""

    layers: list[LayerBackward]
    not_derived: list[str] = field(default_factory=list)  # "name (kind)" of layers with MACs not covered
    no_macs: list[str] = field(default_factory=list)  # layers without multiply-accumulates: 0 FLOPs
    first: str | None = None  # the layer whose input gradient is skipped

    def _sum(self, what: str) -> sympy.Expr:
        return sympy.expand(sympy.Add(*[getattr(row, what) for row in self.layers]))

    @property
    def forward(self) -> sympy.Expr:
        return self._sum("forward")

    @property
    def input_grad(self) -> sympy.Expr:
        return self._sum("input_grad")

    @property
    def weight_grad(self) -> sympy.Expr:
        return self._sum("weight_grad")

    @property
    def bias_grad(self) -> sympy.Expr:
        return self._sum("bias_grad")

    @property
    def backward(self) -> sympy.Expr:
        return sympy.expand(self.input_grad + self.weight_grad)

    @property
    def training(self) -> sympy.Expr:
        return sympy.expand(self.forward + self.backward)

    @property
    def complete(self) -> bool:
        return not self.not_derived


def _positions(shape: tuple[sympy.Expr, ...] | None, channels: sympy.Expr) -> sympy.Expr:
    """Output positions: the output's values divided by its channels."""
    assert shape is not None
    return budget.simplify(sympy.Mul(*shape) / channels)


def _bias_size(layer: LayerResult) -> sympy.Expr:
    return sympy.Add(*[t.size for t in layer.tensors
                       if t.category == "trainable" and t.name.endswith("bias")]) * layer.multiplier


def _attention_projections(layer: LayerResult) -> tuple[sympy.Expr, sympy.Expr]:
    """(query/key/value projections' MACs, output projection's MACs) of an attention layer."""
    a, i = layer.args, layer.input_shape
    assert a is not None and i is not None
    L = sympy.Mul(*i.spatial)
    S = a.memory_len if a.memory_len is not None else L
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    qkv = L * d * h * dk + S * (a.kdim * kv * dk + a.vdim * kv * dv)
    return layer.multiplier * qkv, layer.multiplier * L * h * dv * a.out_dim


def _covered(layer: LayerResult) -> bool:
    if layer.kind not in COVERED or layer.output_shape is None or layer.input_shape is None:
        return False
    if layer.kind == "attention":
        a = layer.args
        # cross-attention (keys from another stream) and windows: bias positions not derived here
        return a is not None and a.memory_len is None and a.window == 0
    return True


def _branch_reads_input(result: Count, branches: tuple[tuple[int, int], ...]) -> bool:
    """Whether a branch's first layer with weights multiplies (its input gradient then depends on the path)."""
    for start, end in branches:
        firsts = [layer for layer in result.layers[start:end] if layer.trainable != 0][:1]
        if firsts and firsts[0].macs != 0:
            return True
    return False


def backward_of(result: Count) -> Backward:
    """The backward pass of a counted network, one sample."""
    rows: list[LayerBackward] = []
    not_derived: list[str] = []
    no_macs: list[str] = []
    first: str | None = None
    seen_weights = False
    for layer in result.layers:
        label = f"{layer.name} ({layer.kind})"
        if layer.macs is sympy.nan or (layer.macs != 0 and not _covered(layer)):
            not_derived.append(label)
            seen_weights = seen_weights or layer.trainable != 0
            continue
        if layer.macs == 0:
            if layer.trainable != 0:
                no_macs.append(label)
            seen_weights = seen_weights or layer.trainable != 0
            continue
        fwd = sympy.expand(2 * layer.macs)
        skip = not seen_weights
        seen_weights = True
        if layer.kind == "attention":
            qkv, out = _attention_projections(layer)
            weight = sympy.expand(2 * (qkv + out))
            inp = sympy.expand(2 * fwd - weight - (2 * qkv if skip else 0))
            assert layer.input_shape is not None
            bias = _bias_size(layer) * sympy.Mul(*layer.input_shape.spatial)
        else:
            weight = fwd
            inp = sympy.Integer(0) if skip else fwd
            out_shape = layer.output_shape
            assert out_shape is not None and layer.shape is not None and layer.shape.channels is not None
            bias = _bias_size(layer) * _positions(out_shape, layer.shape.channels)
        if skip:
            first = layer.name
        rows.append(LayerBackward(layer.name, layer.kind, fwd, inp, weight, sympy.expand(bias), skip))
    weighted = [i for i, layer in enumerate(result.layers) if layer.trainable != 0]
    if weighted and any(_branch_reads_input(result, m.branches) for m in result.merges
                        if m.start <= weighted[0] < m.end):
        # branches part before any weights: more than one layer reads the input that needs no gradient
        not_derived.append("the first input gradients of branches that read the network's input")
    return Backward(rows, not_derived, no_macs, first)
