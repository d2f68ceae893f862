"""Backward-pass FLOPs of a counted network, per layer, from the catalog's MACs.

For a layer that is only matrix products (``linear``, ``conv1d/2d/3d`` with any
groups and stride, transposed, depthwise and separable convolutions, ``attention``,
``rnn``/``lstm``/``gru``) the backward pass repeats every product of the
forward twice: once for the gradient with respect to the layer's input
(``input_grad``) and once for the gradient with respect to its weights
(``weight_grad``), each 2 × MACs FLOPs. Attention's scores and weighted values
have no weights: both of their gradients (queries and keys, scores and values)
go to ``input_grad``. Bias gradients are sums of the output gradient over the
output positions (C_out × positions additions a sample): reported apart, as
``torch.utils.flop_counter.FlopCounterMode`` does not count them. The network's
input needs no gradient, so the first layer with weights skips its input
gradient (attention: that of its query, key and value projections), as torch
does for an input that does not require grad (a separable convolution still needs the
gradient of its depthwise output; a recurrent layer skips the gradient of its initial state, zeros,
at the first step, as torch does). Layers without multiply-accumulates
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
COVERED = ("linear", "conv1d", "conv2d", "conv3d", "attention", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "depthwise_conv1d", "depthwise_conv2d", "separable_conv1d", "separable_conv2d",
           "rnn", "lstm", "gru", "patch_merging")
#: gate sets of the recurrent layers (each a matrix of H rows on the input and on the hidden state)
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


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
    #: FLOPs of the input gradient skipped (what torch adds when the network's input requires grad)
    skipped: sympy.Expr = sympy.Integer(0)

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
    """Trainable bias vectors added to an output (``bias``, ``pointwise.bias``, ``in_proj_bias``); a
    recurrent layer's are named ``bias_ih_l0``, ``bias_hh_l0`` (PyTorch) or ``bias`` (Keras)."""
    def is_bias(name: str) -> bool:
        last = name.rsplit(".", 1)[-1]
        return last.startswith("bias_") if layer.kind in GATES else last.endswith("bias")

    return sympy.Add(*[t.size for t in layer.tensors
                       if t.category == "trainable" and (is_bias(t.name) or t.name == "bias")]) * layer.multiplier


def _recurrent_split(layer: LayerResult) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr] | None:
    """(MACs on the network-side input of the first stacked layer, on the inputs of the later stacked
    layers, on the hidden state), all directions; None when they do not add up to the layer's MACs."""
    a, i = layer.args, layer.input_shape
    if a is None or i is None or not i.spatial or a.get("proj"):
        return None
    L, H, G = i.spatial[0], a.hidden, GATES[layer.kind]
    directions = 2 if a.bidirectional else 1
    first = directions * G * H * a.C_in * L
    rest = directions * (a.layers - 1) * G * H * (directions * H) * L
    hidden = directions * a.layers * G * H * H * L
    m = layer.multiplier
    if sympy.expand(m * (first + rest + hidden) - layer.macs) != 0:
        return None
    return sympy.expand(m * first), sympy.expand(m * rest), sympy.expand(m * hidden)


def _separable_split(layer: LayerResult) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(depthwise MACs, pointwise MACs) of a separable convolution; None when they do not add up."""
    a, o = layer.args, layer.shape
    if a is None or o is None:
        return None
    positions = sympy.Mul(*o.spatial)
    depthwise = sympy.Mul(*a.k) * a.C_in * a.multiplier * positions * layer.multiplier
    pointwise = a.C_in * a.multiplier * a.C_out * positions * layer.multiplier
    if sympy.expand(depthwise + pointwise - layer.macs) != 0:
        return None
    return sympy.expand(depthwise), sympy.expand(pointwise)


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
    if layer.kind in GATES:
        return _recurrent_split(layer) is not None
    if layer.kind.startswith("separable_conv"):
        return _separable_split(layer) is not None
    if layer.kind == "attention":
        a = layer.args
        # window attention is self-attention within each window (the same rule); cross-attention's keys
        # and values come from a stream (to=), whose own first layer with weights decides their gradient
        if a is None or a.add_bias_kv:
            return False
        return a.memory_len is None or (a.get("to") is not None and a.window == 0)
    return True


def _recurrent_grads(layer: LayerResult, skip: bool) -> tuple[sympy.Expr, sympy.Expr]:
    """(input-gradient FLOPs, bias-gradient additions) of a recurrent layer over its L steps.

    The hidden state's gradient is needed at every step but the first (the initial state is zeros that
    need none); the gradient of the first stacked layer's input is skipped when it is the network's input.
    Each bias is added at every step, so its gradient sums L values."""
    split = _recurrent_split(layer)
    assert split is not None and layer.input_shape is not None
    first, rest, hidden = split
    L = layer.input_shape.spatial[0]
    inp = 2 * rest + 2 * hidden * (L - 1) / L + (0 if skip else 2 * first)
    return sympy.expand(inp), sympy.expand(_bias_size(layer) * L)


def _branch_reads_input(result: Count, branches: tuple[tuple[int, int], ...]) -> bool:
    """Whether a branch's first layer with weights multiplies (its input gradient then depends on the path)."""
    for start, end in branches:
        firsts = [layer for layer in result.layers[start:end] if layer.trainable != 0][:1]
        if firsts and firsts[0].macs != 0:
            return True
    return False


def _streams(result: Count) -> set[str]:
    """The labels of the streams cross-attention reads (``to=``): each starts from an input of its own."""
    return {str(layer.args.get("to")) for layer in result.layers
            if layer.kind == "attention" and layer.args is not None and layer.args.get("to") is not None}


def _path(layer: LayerResult, streams: set[str]) -> str:
    """The stream a layer belongs to ("" for the main path): its own input needs no gradient either."""
    return next((s for s in streams if layer.name.startswith(f"{s}.") or f".{s}." in layer.name), "")


def _cross_attention(layer: LayerResult, fwd: sympy.Expr, q_skip: bool, kv_skip: bool
                     ) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr, sympy.Expr]:
    """(input gradient, weight gradient, bias additions, skipped) of attention whose keys and values are
    S positions of another stream: the queries' projection skips its input gradient when the main path
    has no weights before it, the keys' and values' when their stream has none."""
    a, i = layer.args, layer.input_shape
    assert a is not None and i is not None
    L, S = sympy.Mul(*i.spatial), a.memory_len
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    q_macs = layer.multiplier * L * d * h * dk
    kv_macs = layer.multiplier * S * (a.kdim * kv * dk + a.vdim * kv * dv)
    out_macs = layer.multiplier * L * h * dv * a.out_dim
    weight = sympy.expand(2 * (q_macs + kv_macs + out_macs))
    skipped = sympy.expand((2 * q_macs if q_skip else 0) + (2 * kv_macs if kv_skip else 0))
    inp = sympy.expand(2 * fwd - weight - skipped)
    bias = layer.multiplier * (a.q_bias * h * dk * L + (a.k_bias * kv * dk + a.v_bias * kv * dv) * S
                               + a.o_bias * a.out_dim * L)
    return inp, weight, sympy.expand(bias), skipped


def backward_of(result: Count) -> Backward:
    """The backward pass of a counted network, one sample."""
    rows: list[LayerBackward] = []
    not_derived: list[str] = []
    no_macs: list[str] = []
    first: str | None = None
    streams = _streams(result)
    seen: dict[str, bool] = {}  # per path (the main one, each stream): a layer with weights came before
    for layer in result.layers:
        label = f"{layer.name} ({layer.kind})"
        path = _path(layer, streams)
        if layer.macs is sympy.nan or (layer.macs != 0 and not _covered(layer)):
            not_derived.append(label)
            seen[path] = seen.get(path, False) or layer.trainable != 0
            continue
        if layer.macs == 0:
            if layer.trainable != 0:
                no_macs.append(label)
            seen[path] = seen.get(path, False) or layer.trainable != 0
            continue
        fwd = sympy.expand(2 * layer.macs)
        skip = not seen.get(path, False)
        seen[path] = True
        skipped: sympy.Expr = sympy.Integer(0)
        if layer.kind == "attention" and layer.args is not None and layer.args.get("to") is not None:
            stream = str(layer.args.get("to"))
            inp, weight, bias, skipped = _cross_attention(layer, fwd, skip, not seen.get(stream, False))
            skip = skip or not seen.get(stream, False)
        elif layer.kind == "attention":
            qkv, out = _attention_projections(layer)
            weight = sympy.expand(2 * (qkv + out))
            inp = sympy.expand(2 * fwd - weight - (2 * qkv if skip else 0))
            assert layer.input_shape is not None
            bias = _bias_size(layer) * sympy.Mul(*layer.input_shape.spatial)
        elif layer.kind == "patch_merging":
            # Swin's norm then reduction: the norm's own weights need the gradient of its output, the
            # reduction's input, so that gradient is computed even in a first layer (the norm's is 0 FLOPs)
            skip = False
            weight = inp = fwd
            assert layer.output_shape is not None and layer.shape is not None and layer.shape.channels is not None
            bias = _bias_size(layer) * _positions(layer.output_shape, layer.shape.channels)
        elif layer.kind in GATES:
            inp, bias = _recurrent_grads(layer, skip)
            weight = fwd
            split3 = _recurrent_split(layer)
            assert split3 is not None
            skipped = 2 * split3[0] if skip else sympy.Integer(0)
        elif layer.kind.startswith("separable_conv"):
            split = _separable_split(layer)
            assert split is not None and layer.output_shape is not None and layer.shape is not None
            weight = fwd
            # the pointwise product's input (the depthwise output) needs its gradient even in a first layer
            inp = sympy.expand(2 * split[1]) if skip else fwd
            assert layer.shape.channels is not None
            bias = _bias_size(layer) * _positions(layer.output_shape, layer.shape.channels)
        else:
            weight = fwd
            inp = sympy.Integer(0) if skip else fwd
            out_shape = layer.output_shape
            assert out_shape is not None and layer.shape is not None and layer.shape.channels is not None
            bias = _bias_size(layer) * _positions(out_shape, layer.shape.channels)
        if layer.kind not in GATES and not (layer.kind == "attention" and layer.args is not None
                                            and layer.args.get("to") is not None):
            # what the network's input gradient would add: the rest of 2 x forward
            skipped = sympy.expand(2 * fwd - weight - inp) if skip else sympy.Integer(0)
        if skip:
            first = layer.name
        rows.append(LayerBackward(layer.name, layer.kind, fwd, inp, weight, sympy.expand(bias), skip,
                                  sympy.expand(skipped)))
    weighted = [i for i, layer in enumerate(result.layers) if layer.trainable != 0]
    if weighted and any(_branch_reads_input(result, m.branches) for m in result.merges
                        if m.start <= weighted[0] < m.end):
        # branches part before any weights: more than one layer reads the input that needs no gradient
        not_derived.append("the first input gradients of branches that read the network's input")
    return Backward(rows, not_derived, no_macs, first)
