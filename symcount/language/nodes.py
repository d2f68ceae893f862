"""The typed syntax tree that the parser builds and the engine reads.

The engine never sees Lark's parse tree: every construct of the language is a
frozen dataclass here, and every node carries the position it came from so an
error anywhere downstream can point at the user's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class Pos:
    """Where a node starts (1-based line and column) and ends."""

    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0


NOWHERE = Pos()


# ---- expressions -----------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """An exact number: integers stay integers, decimals become rationals."""

    value: sympy.Rational
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Str:
    value: str
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class BinOp:
    """A binary operation; ``op`` is one of + - * / // % ^ and or == != < <= > >=."""

    op: str
    left: Expr
    right: Expr
    pos: Pos = field(default=NOWHERE, compare=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True)
class UnaryOp:
    """``-x``, ``+x`` or ``not x``."""

    op: str
    operand: Expr
    pos: Pos = field(default=NOWHERE, compare=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    """A function in an expression: ceil, floor, min, max, choose, ..."""

    func: str
    args: tuple[Expr, ...]
    pos: Pos = field(default=NOWHERE, compare=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Expr, ...]
    pos: Pos = field(default=NOWHERE, compare=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True)
class LayerCall:
    """A layer call written as a value, ``layers.LSTM(64, return_sequences=True)``: what a
    wrapper (``Bidirectional``, ``TimeDistributed``) takes. Anywhere else it is an error.

    A call with only positional values and no module path (``LSTM(64)``) parses as a
    :class:`Call`; :func:`as_layer` reads either as the layer it calls.
    """

    layer: Layer
    pos: Pos = field(default=NOWHERE, compare=False)
    depth: int = field(default=1, compare=False, repr=False)


Expr = Num | Name | Str | Bool | BinOp | UnaryOp | Call | TupleExpr | LayerCall


# ---- statements ------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of a layer call; ``name`` is None for a positional one."""

    name: str | None
    value: Expr
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Layer:
    """A call of a catalog layer or a block: ``label: kind(args) { body }``.

    ``module`` is the framework module path written before the name
    (``nn`` in ``nn.Conv2d``), checked after parsing by
    :func:`symcount.frameworks.prefixes.check_prefixes`; ``pos`` is the name's.
    """

    kind: str
    args: tuple[Arg, ...]
    label: str | None = None
    body: Body | None = None
    pos: Pos = field(default=NOWHERE, compare=False)
    module: str | None = None


@dataclass(frozen=True)
class Let:
    name: str
    value: Expr
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Require:
    """A constraint on the values (used by exam templates)."""

    condition: Expr
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Repeat:
    count: Expr
    body: Body
    pos: Pos = field(default=NOWHERE, compare=False)
    #: ``label: repeat ...``: the construct names a scope, as a block call does
    label: str | None = None


@dataclass(frozen=True)
class If:
    condition: Expr
    then: Body
    otherwise: Body | None
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Residual:
    body: Body
    shortcut: Body | None
    pos: Pos = field(default=NOWHERE, compare=False)
    #: ``label: repeat ...``: the construct names a scope, as a block call does
    label: str | None = None


@dataclass(frozen=True)
class Parallel:
    args: tuple[Arg, ...]
    branches: tuple[Body, ...]
    pos: Pos = field(default=NOWHERE, compare=False)
    #: ``label: repeat ...``: the construct names a scope, as a block call does
    label: str | None = None


Item = Layer | Let | Repeat | If | Residual | Parallel


@dataclass(frozen=True)
class Body:
    items: tuple[Item, ...]
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Param:
    """A parameter of a block or network, with its default if it has one."""

    name: str
    default: Expr | None
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Block:
    name: str
    params: tuple[Param, ...]
    body: Body
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Network:
    name: str
    params: tuple[Param, ...]
    body: Body
    pos: Pos = field(default=NOWHERE, compare=False)
    #: how a ``Sequential(...)`` model was written (None for ``network name { ... }``)
    sequential: SequentialCall | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SequentialCall:
    """A ``Sequential(...)`` as written: its module prefix ('' without one), whether its layers
    came as a list (Keras) or as arguments (PyTorch), and where the keyword stands."""

    module: str
    form: str  # "list" or "args"
    pos: Pos = field(default=NOWHERE, compare=False)


Statement = Item | Require | Block | Network


@dataclass(frozen=True)
class Program:
    """A whole description file: its statements, its text and where it came from."""

    statements: tuple[Statement, ...]
    source: str = field(default="", compare=False, repr=False)
    filename: str = field(default="<input>", compare=False)


def as_layer(node: Expr) -> Layer | None:
    """The layer a value calls: a :class:`LayerCall`, or a plain call ``LSTM(64)`` read as one
    (whether its name is a layer is the engine's to say); None for any other value."""
    if isinstance(node, LayerCall):
        return node.layer
    if isinstance(node, Call):
        args = tuple(Arg(None, a, a.pos) for a in node.args)
        return Layer(node.func, args, pos=node.pos)
    return None
