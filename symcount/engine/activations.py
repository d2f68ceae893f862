"""Activation memory: the values every layer outputs for a batch of B, and the ones a forward pass stores.

CS231n's VGG-16 table counts, per layer, the output volume (``224*224*64``) and
adds them up with the input: that is the forward pass's activation memory at
batch 1, in fp32 (4 bytes a value). The walk already knows every layer's output
shape (without the batch), so the volume of a layer is ``B x`` the product of
its output shape, and the total is the input plus every output that is a new
tensor. What is *not* a new tensor is stated, never silently dropped:

* an element-wise activation overwrites its input (``ReLU(inplace=True)``, as
  torchvision's VGG and ResNet and CS231n's table do), so its output adds
  nothing (``in_place=False`` counts it);
* flatten is a view of its input; identity returns it; dropout is the identity
  at inference;
* a residual's sum is added in place (``out += identity``, as torchvision's
  ResNet does), while a parallel's concatenation (or sum) is a new tensor.

A layer inside a symbolic ``repeat N`` runs N times, so its outputs count N times.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from symcount.engine.results import LayerResult
from symcount.errors import SymcountError
from symcount.language import budget
from symcount.language.symbols import is_number

if TYPE_CHECKING:
    from symcount.engine.count import Count

#: Bytes per stored value.
DTYPE_BYTES: dict[str, sympy.Rational] = {
    "fp32": sympy.Integer(4), "bf16": sympy.Integer(2), "fp16": sympy.Integer(2),
    "int8": sympy.Integer(1), "int4": sympy.Rational(1, 2),
}
#: Activations are counted in fp32 unless asked otherwise, as CS231n counts them.
ACTIVATION_DTYPE = "fp32"

#: Element-wise activations taken to overwrite their input (softmax and log-softmax do not).
IN_PLACE_KINDS = frozenset({
    "relu", "relu6", "gelu", "silu", "sigmoid", "tanh", "leaky_relu", "elu", "hardswish", "mish", "selu",
    "celu", "softplus", "softsign", "hardsigmoid", "hardtanh", "activation",
})
#: Layers whose output is no new tensor, and why.
NO_NEW_TENSOR = {
    "flatten": "a view of its input",
    "identity": "its input itself",
    "dropout": "the identity at inference",
}


@dataclass(frozen=True)
class LayerValues:
    """One layer's output volume (values for the whole batch) and whether the forward pass stores it."""

    name: str
    kind: str
    values: sympy.Expr
    stored: bool
    why_not: str | None = None
    multiplier: sympy.Expr = sympy.Integer(1)


@dataclass(frozen=True)
class Activations:
    """The activation values of a network for a batch of ``batch``, in ``dtype``."""

    network: str
    batch: sympy.Expr
    dtype: str
    input: sympy.Expr
    layers: tuple[LayerValues, ...]
    merges: tuple[tuple[str, sympy.Expr], ...]
    in_place: bool
    token_ids: bool = False

    @functools.cached_property
    def total(self) -> sympy.Expr:
        """Values stored by one forward pass: the input, every new output, every concatenation
        (worked out once: with thousands of symbolic widths the expansion is the costly part)."""
        terms = [self.input, *(lv.multiplier * lv.values for lv in self.layers if lv.stored),
                 *(v for _, v in self.merges)]
        return budget.expanded(sympy.Add(*terms))

    @property
    def per_value(self) -> sympy.Rational:
        return DTYPE_BYTES[self.dtype]

    @property
    def bytes(self) -> sympy.Expr:
        return values_bytes(self.total, self.dtype)

    @property
    def training_bytes(self) -> sympy.Expr:
        """Forward values kept for the backward pass plus a gradient of each (CS231n's "x2 for bwd")."""
        return values_bytes(2 * self.total, self.dtype)

    def assumptions(self) -> list[str]:
        per = DTYPE_BYTES[self.dtype]
        per_text = str(per) if per.is_Integer else f"{per.p}/{per.q}"
        batch = "B, a symbol" if isinstance(self.batch, sympy.Symbol) else f"B = {self.batch}"
        notes = [f"activations in {self.dtype} ({per_text} bytes a value)"
                 + (", the default, as CS231n counts them" if self.dtype == ACTIVATION_DTYPE else ""),
                 f"batch {batch}: every volume is B x the layer's output shape (values, not bytes)"]
        if self.token_ids:
            notes.append("the input is token ids (PyTorch keeps them as int64, 8 bytes each): counted here like "
                         "the other values")
        if self.in_place:
            notes.append("element-wise activations overwrite their input (ReLU(inplace=True), as torchvision's "
                         "VGG and ResNet): their outputs add nothing")
        notes += ["flatten is a view and identity returns its input; dropout is the identity at inference: "
                  "no new values",
                  "a residual's sum is added in place (out += identity, as torchvision's ResNet); a parallel's "
                  "concatenation or sum is a new tensor",
                  "training keeps every stored forward value for the backward pass and adds a gradient of the "
                  "same size at most (the x2 of CS231n); frameworks free gradients as soon as they are used "
                  "and may recompute (checkpointing), so this is an upper bound"]
        return notes


def values_bytes(values: sympy.Expr, dtype: str) -> sympy.Expr:
    """Bytes of ``values`` numbers in ``dtype`` (whole bytes: two int4 values share one)."""
    size = values * DTYPE_BYTES[dtype]
    if not size.free_symbols and not size.is_Integer:
        return sympy.ceiling(size)
    return budget.expanded(size)


def volume(shape: tuple[sympy.Expr, ...] | None, batch: sympy.Expr) -> sympy.Expr | None:
    """``B x`` the product of a shape (without its batch dimension); None for no shape."""
    if shape is None:
        return None
    result: sympy.Expr = batch
    for n in shape:
        result = result * n
    return sympy.expand(result)


def layer_values(layer: LayerResult, batch: sympy.Expr | int = 1) -> sympy.Expr | None:
    """A layer's output volume for a batch: what ``out.numel()`` is in the framework."""
    return volume(layer.output_shape, sympy.Integer(batch) if isinstance(batch, int) else batch)


def check_batch(batch: sympy.Expr | int) -> sympy.Expr:
    """A batch is a whole number of at least 1, or a symbol (a positive size)."""
    value = sympy.Integer(batch) if isinstance(batch, int) and not isinstance(batch, bool) else batch
    if not isinstance(value, sympy.Expr) or isinstance(batch, bool) \
            or (is_number(value) and (not value.is_Integer or value < 1)):
        raise SymcountError(f"the batch must be a whole number of at least 1 or a symbol, not {batch!r}")
    return value


def has_shapes(result: Count) -> bool:
    """Whether every layer of the count has an input and output shape (activations can be counted)."""
    return bool(result.layers) and result.layers[0].input_shape is not None \
        and all(layer.output_shape is not None for layer in result.layers)


def activations_of(result: Count, batch: sympy.Expr | int = 1, dtype: str = ACTIVATION_DTYPE,
                   in_place: bool = True) -> Activations:
    """The activation values of a counted network (see the module docstring for what is stored)."""
    b = check_batch(batch)
    if dtype not in DTYPE_BYTES:
        raise SymcountError(f"unknown dtype '{dtype}' (valid: {', '.join(DTYPE_BYTES)})")
    if not result.layers:
        raise SymcountError("the network has no layers: it has no activations")
    first = result.layers[0].input_shape
    missing = next((layer for layer in result.layers if layer.output_shape is None), None)
    if first is None or missing is not None:
        raise SymcountError("activations need every layer's output shape: no input shape reaches "
                            f"{(missing or result.layers[0]).name}",
                            (missing or result.layers[0]).pos,
                            hint="start the network with input(...)")
    layers = []
    for layer in result.layers:
        values = layer_values(layer, b)
        assert values is not None
        why = NO_NEW_TENSOR.get(layer.kind)
        if why is None and in_place and layer.kind in IN_PLACE_KINDS:
            why = "written over its input (in place)"
        layers.append(LayerValues(layer.name, layer.kind, values, why is None, why, layer.multiplier))
    merges = []
    for merge in result.merges:
        if merge.kind == "residual" or merge.output is None:
            continue
        where = result.layers[merge.start].name if merge.start < len(result.layers) else "parallel"
        merges.append((f"{merge.kind} after {where}", sympy.expand(merge.multiplier * b * merge.output.numel())))
    return Activations(result.network, b, dtype, sympy.expand(b * first.numel()), tuple(layers), tuple(merges),
                       in_place, first.channels is None)
