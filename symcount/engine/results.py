"""What counting a layer returns: one :class:`LayerResult` per expanded layer, each with its tensors
(the network's :class:`~symcount.engine.count.Count` gathers them).

Counting is a sum of tensor sizes, so "how many weights, how many biases" is answered by ``.tensors``;
totals come from those tensors with shared (tied) tensors counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy

from symcount.catalog.core import ONE, Args, LayerType
from symcount.catalog.shapes import Shape
from symcount.language import budget, nodes
from symcount.language.values import Value

CONVENTIONS = ("pytorch", "keras")


@dataclass(frozen=True)
class TensorResult:
    """One tensor of a counted layer: its shape, size and where it is counted."""

    name: str
    shape: tuple[sympy.Expr, ...]
    size: sympy.Expr
    category: str  # "trainable", "non_trainable", "buffer", "not counted"
    shared_with: str | None = None


@dataclass
class LayerResult:
    """A counted layer (after block expansion)."""

    name: str
    kind: str
    output_shape: tuple[sympy.Expr, ...] | None
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    buffers: sympy.Expr
    macs: sympy.Expr
    tensors: list[TensorResult]
    active: sympy.Expr
    entry: LayerType | None = None
    args: Args | None = None
    shape: Shape | None = None
    input_shape: Shape | None = None
    formulas: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, Value] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    inferred: dict[str, tuple[sympy.Expr, ...]] = field(default_factory=dict)
    multiplier: sympy.Expr = ONE
    label: str | None = None
    notes: list[str] = field(default_factory=list)
    depth: int = 0
    pos: nodes.Pos = nodes.NOWHERE
    children: list[LayerResult] = field(default_factory=list)

    @property
    def total(self) -> sympy.Expr:
        return self.trainable + self.non_trainable

    @property
    def params(self) -> sympy.Expr:
        return self.total

    def key(self, tensor: str) -> str:
        """A tensor's name as the framework's state_dict has it: ``conv1.weight``; a bare tensor labelled
        with its own name (``cls_token: parameter(..., name="cls_token")``) is ``cls_token``, not
        ``cls_token.cls_token``, as ``self.cls_token = nn.Parameter(...)`` registers it."""
        if self.kind in ("parameter", "buffer") and self.name.rsplit(".", 1)[-1] == tensor:
            return self.name
        return f"{self.name}.{tensor}"

    def __repr__(self) -> str:
        """A short, stable line (no catalog entry, no addresses): Jupyter and version control read it."""
        return f"LayerResult({self.name!r}, kind={self.kind!r}, total={self.total}, output_shape={self.output_shape})"


@dataclass(frozen=True)
class BlockCall:
    """One expanded block call: its dotted name, block kind, output and its layers.

    ``layers[start:end]`` of the count are the layers the call produced; the
    summary folds them into one row (``--depth``) with this kind and shape.
    """

    name: str
    kind: str
    output_shape: tuple[sympy.Expr, ...] | None
    start: int
    end: int
    pos: nodes.Pos = nodes.NOWHERE


@dataclass(frozen=True)
class Merge:
    """One ``residual`` or ``parallel``: the layers of each branch and how the branches join.

    ``branches`` are ranges of the count's layers (``layers[start:end]``), in the
    order written; a residual's identity shortcut is an empty range. Merges are
    recorded as they end, so an inner merge comes before the one around it.
    What is built on the flat list of layers (receptive fields, the values a
    concatenation stores) needs to know where the paths part and join.
    """

    kind: str  # "residual", "concat", or an element-wise "add", "mul", "max" or "mean"
    branches: tuple[tuple[int, int], ...]
    output: Shape | None
    multiplier: sympy.Expr = ONE
    pos: nodes.Pos = nodes.NOWHERE

    @property
    def start(self) -> int:
        return self.branches[0][0]

    @property
    def end(self) -> int:
        return self.branches[-1][1]


def totals_of(tensors: list[TensorResult]) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    return (exact_sum(t.size for t in tensors if t.category == "trainable"),
            exact_sum(t.size for t in tensors if t.category == "non_trainable"),
            exact_sum(t.size for t in tensors if t.category == "buffer"))


def exact_sum(values: Iterable[sympy.Expr]) -> sympy.Expr:
    """The expanded sum of counts: integers are added as Python ints.

    Most counts are plain numbers, and sympy's ``Add`` imports its tensor and
    combinatorics modules on first use (about a sixth of ``symcount count``'s run).
    """
    terms = list(values)
    if all(isinstance(term, sympy.Integer) for term in terms):
        return sympy.Integer(sum(int(term) for term in terms))
    return budget.expanded(sympy.Add(*terms))
