"""The layer catalog: every layer type defined once, in one entry.

An entry says everything symcount knows about a layer: its arguments (with
defaults, aliases and the symbol that stands for each in formulas), its
parameter tensors as each framework names and shapes them, the textbook
formula a derivation shows, its output-shape rule, its multiply-accumulate
count, and a one-line description. Adding a layer is one ``register(...)``
call in the module of its family; the docs' layer reference is generated from these entries.

The catalog knows nothing about LaTeX or printing: formulas are written in
symcount's own expression language (parsed by the grammar, never by sympy),
in the order a person writes them.

This module holds the entry types (:class:`ArgSpec`, :class:`Tensor`, :class:`LayerType`) and the
registry (:func:`register`, :func:`lookup`); the families register their entries on import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import sympy

from symcount.catalog.shapes import Shape

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)


class Required:
    """Marks an argument without a default: absent, it becomes a symbol."""

    def __repr__(self) -> str:
        return "required"


REQUIRED = Required()

#: Argument kinds, checked and normalised by the engine.
SIZE = "size"  # a positive integer (or a symbol)
COUNT = "count"  # a non-negative integer
BIAS = "bias"  # true / false / an expression (b): the bias indicator
FLAG = "flag"  # true / false
KERNEL = "kernel"  # int or tuple, one per spatial dimension
PADDING = "padding"  # int, tuple, "same" or "valid"
STRING = "string"
NUMBER = "number"  # any exact number (dropout rate, scale factor)
SHAPE = "shape"  # int or tuple of ints (adaptive pooling output)
SIZES = "sizes"  # a size, or a tuple of sizes (LayerNorm's normalized_shape); a 1-tuple is the size
ANY = "any"


@dataclass(frozen=True)
class ArgSpec:
    """One argument of a layer.

    ``symbol`` is the name the argument has in formulas (``hidden`` is ``H``);
    ``infer`` names where a missing value comes from (``"channels"`` of the
    input); ``structural`` arguments (groups, multiplier) are put into the
    general formula line when they are 1, so ``/groups`` disappears there.
    """

    name: str
    kind: str = SIZE
    default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    symbol: str | None = None
    infer: str | None = None
    structural: bool = False
    doc: str = ""

    @property
    def formula_name(self) -> str:
        return self.symbol or self.name


class Args:
    """The bound arguments of one layer call, normalised (kernels are tuples)."""

    def __init__(self, values: Mapping[str, Any], dims: int = 0, convention: str = "pytorch") -> None:
        self._values = dict(values)
        self.dims = dims
        #: the framework counted as: a few checks are the framework's own (output_padding)
        self.convention = convention

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def items(self) -> Any:
        return self._values.items()


@dataclass(frozen=True)
class Tensor:
    """One tensor of a layer, with its shape and how it counts.

    ``role`` is ``"param"`` (learned), ``"stat"`` (running statistics: a buffer
    in PyTorch, a non-trainable weight in Keras) or ``"counter"`` (an integer
    step counter such as ``num_batches_tracked``: listed, never counted).
    ``present`` multiplies the size: 1, 0, or the bias symbol b.
    """

    name: str
    shape: tuple[sympy.Expr, ...]
    role: str = "param"
    present: sympy.Expr = ONE
    shared_with: str | None = None

    @property
    def size(self) -> sympy.Expr:
        return sympy.Mul(self.present, *self.shape)  # one product (5,000 symbolic layers: one flatten each)


#: The frameworks symcount counts as, and reads the code of.
Framework = Literal["pytorch", "keras"]
FRAMEWORKS: tuple[Framework, ...] = ("pytorch", "keras")


@dataclass(frozen=True)
class Spelling:
    """A framework's class name for an entry: ``torch.nn.Conv2d``, ``keras.layers.Conv2D``.

    Pasted code may write it after the framework's module prefix (``nn.``, ``layers.``); the
    paste lists (:data:`symcount.catalog.spellings.TORCH_NN`, ``KERAS_LAYERS``) are made of these.
    ``order`` is the meaning of the class's positional arguments, in its framework's order
    (Keras's ``Dense(64)`` is 64 units); a spelling without one takes the catalog's order.
    A name in an order that is not one of the layer's arguments is one its entry ignores.
    """

    framework: Framework
    name: str
    order: tuple[str, ...] | None = None


def torch_nn(name: str, order: tuple[str, ...] | None = None) -> Spelling:
    """``torch.nn.<name>``, with its positional order when it has one worth reading."""
    return Spelling("pytorch", name, order)


def keras_layer(name: str, order: tuple[str, ...] | None = None) -> Spelling:
    """``keras.layers.<name>``, with its positional order when it has one worth reading."""
    return Spelling("keras", name, order)


@dataclass(frozen=True)
class Unmodelled:
    """A framework option symcount does not model, and the values of it that change nothing.

    Written with one of ``accepted`` (the framework's default, or what means the same) the option
    is accepted and unused; any other value would change a count or a shape in a way symcount does
    not follow, so the engine refuses it by name (ignoring it would be a silent wrong answer).
    ``channel_axis`` accepts too an axis number that names the input's channel axis in Keras's
    channels-last layout (batch = 0): ``BatchNormalization(axis=3)`` on (H, W, C).
    ``example`` is a value that is refused: the catalog tests pass it.
    """

    name: str
    accepted: tuple[Any, ...]
    why: str
    example: Any
    channel_axis: bool = False

    def accepts(self, value: Any, shape: Shape | None) -> bool:
        """Whether a written value is one that changes nothing (a symbol might not be: refused)."""
        if any(_same_value(value, accepted) for accepted in self.accepted):
            return True
        if self.channel_axis and isinstance(value, sympy.Integer) and shape is not None \
                and shape.channels is not None:
            return int(value) in (-1, len(shape.layout("keras")))
        return False


def _same_value(value: Any, accepted: Any) -> bool:
    """A written value (None, a string, a bool, a sympy number) equal to a Python one, type for type:
    ``True`` is not the axis 1."""
    if accepted is None or isinstance(accepted, bool):
        return value is accepted
    if isinstance(accepted, str):
        return isinstance(value, str) and value == accepted
    return isinstance(value, sympy.Number) and value == accepted


#: Keras's data_format: symcount reads Keras layers channels-last, the Keras default.
CHANNELS_LAST = Unmodelled(
    "data_format", (None, "channels_last"),
    'symcount reads Keras layers channels-last (the default): "channels_first" moves the channels to axis 1, '
    "which changes the output shape and, after it, the counts", "channels_first")


TensorRule = Callable[[Args, str], list[Tensor]]
FormulaRule = Callable[[Args, str], dict[str, str]]
ShapeRule = Callable[[Args, Shape, str], Shape]
MacRule = Callable[[Args, Shape, Shape], sympy.Expr]


@dataclass(frozen=True)
class LayerType:
    """A catalog entry. See the module docstring."""

    def __repr__(self) -> str:
        """Its name only: the entry holds functions, whose reprs carry addresses that change every run."""
        return f"LayerType({self.name!r})"

    name: str
    description: str
    args: tuple[ArgSpec, ...]
    tensors: TensorRule
    formulas: FormulaRule
    shape: ShapeRule
    macs: MacRule
    #: symcount's own alternative names (``fc``, ``bn``); :func:`register` adds the spellings' names
    aliases: tuple[str, ...] = ()
    #: the frameworks' class names for this layer, with their positional orders
    spellings: tuple[Spelling, ...] = ()
    #: a framework without such a layer -> why (no spelling, no cross-check against it)
    missing: Mapping[str, str] = field(default_factory=dict)
    #: framework classes named like this entry (any case) that are other layers -> why:
    #: ``"keras.layers.RNN"`` wraps a cell, it is not the Elman RNN ``rnn``
    homonyms: Mapping[str, str] = field(default_factory=dict)
    dims: int = 0
    #: the conventions the entry is counted under; a framework left out has a reason in ``missing``
    frameworks: tuple[str, ...] = ("pytorch", "keras")
    zero_reason: str = "no weights"
    macs_doc: str = "0"
    #: why torch's FlopCounterMode cannot check this PyTorch layer's MACs; empty: tests/test_catalog_macs.py checks them
    macs_unchecked: str = ""
    input_kind: str = "any"  # "spatial", "sequence", "tokens", "vector", "any"
    notes: Mapping[str, str] = field(default_factory=dict)
    #: fills arguments whose default depends on others (pool stride = k)
    derive: Callable[[dict[str, Any], Shape | None], None] | None = None
    #: returns (argument, message) when the arguments cannot go together
    validate: Callable[[Args], tuple[str, str] | None] | None = None
    #: extra names the formulas use (k_h, k_w), beyond the arguments' symbols
    bindings: Callable[[Args, str], dict[str, sympy.Expr]] | None = None
    #: what such an extra name stands for, in words (a derivation's "where" line)
    symbols: Mapping[str, str] = field(default_factory=dict)
    #: notes for the options one framework lacks, said only when a call uses them
    caveats: Callable[[Args, str], list[str]] | None = None
    #: framework arguments that change no count or shape (eps, dropout, initializers): accepted, not used
    ignored: tuple[str, ...] = ()
    #: framework arguments that would change a count or a shape and are not modelled: their
    #: default is accepted, any other value refused by name
    unmodelled: tuple[Unmodelled, ...] = ()

    def arg(self, name: str) -> ArgSpec:
        for spec in self.args:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def ignores(self, written: str) -> bool:
        """Whether a written argument is a framework option that changes no count or shape."""
        lowered = written.lower()
        return any(lowered == name.lower() for name in (*self.ignored, *IGNORED_EVERYWHERE))

    def unmodelled_option(self, written: str) -> Unmodelled | None:
        """The unmodelled framework option a written argument name is, if it is one (any case)."""
        lowered = written.lower()
        return next((option for option in self.unmodelled if option.name.lower() == lowered), None)

    def find_arg(self, written: str) -> ArgSpec | None:
        """The argument a written name means: canonical, symbol or alias."""
        for spec in self.args:
            if written == spec.name or written == spec.symbol or written in spec.aliases:
                return spec
        lowered = written.lower()
        for spec in self.args:
            names = (spec.name, spec.symbol or spec.name, *spec.aliases)
            if lowered in (n.lower() for n in names):
                return spec
        return None


#: Arguments every framework layer takes that never change a count or a shape.
IGNORED_EVERYWHERE = ("name", "dtype", "device", "inplace")


def _keras_weight_options(*weights: str) -> tuple[str, ...]:
    """Keras's initializer, regularizer and constraint arguments of the named weights."""
    return tuple(f"{w}_{kind}" for w in weights for kind in ("initializer", "regularizer", "constraint"))


_KERNEL_OPTIONS = ("activation", "activity_regularizer", *_keras_weight_options("kernel", "bias"))
_NORM_OPTIONS = ("eps", "epsilon", *_keras_weight_options("beta", "gamma"))

CATALOG: dict[str, LayerType] = {}
_ALIASES: dict[str, str] = {}


def register(entry: LayerType) -> LayerType:
    """Add an entry; its name, aliases and framework spellings (any case) resolve to it.

    Every layer takes ``trainable=false`` (the issue's promise), so an entry
    that does not list it gets it here: for a layer without weights it changes nothing.
    The spellings' names join the aliases here too, so the registered entry's aliases are
    every name it is called by.
    """
    if entry.name in CATALOG:
        raise ValueError(f"layer {entry.name!r} defined twice")
    _check_frameworks(entry)
    if all(spec.name != "trainable" for spec in entry.args):
        entry = replace(entry, args=(*entry.args, TRAINABLE))
    entry = replace(entry, aliases=_with_spellings(entry))
    CATALOG[entry.name] = entry
    for alias in (entry.name, *entry.aliases):
        _ALIASES[alias.lower()] = entry.name
    return entry


def _check_frameworks(entry: LayerType) -> None:
    """A framework either spells the layer or says why it lacks it, never both; a convention the
    entry is not counted under is a framework that lacks it."""
    for framework in FRAMEWORKS:
        if framework not in entry.frameworks and framework not in entry.missing:
            raise ValueError(f"layer {entry.name!r}: say why {framework} lacks it (missing={{...}})")
    for spelling in entry.spellings:
        if spelling.framework in entry.missing or spelling.framework not in entry.frameworks:
            raise ValueError(f"layer {entry.name!r}: spelt {spelling.name!r} in {spelling.framework}, "
                             "which lacks it")


def _with_spellings(entry: LayerType) -> tuple[str, ...]:
    """The spellings' names (once each: ``LSTM`` is both frameworks'), then symcount's own aliases."""
    names: list[str] = []
    for spelling in entry.spellings:
        if spelling.name not in names:
            names.append(spelling.name)
    return (*names, *(alias for alias in entry.aliases if alias not in names))


def lookup(name: str) -> LayerType | None:
    """The entry for a written layer name (canonical or any alias, any case)."""
    canonical = _ALIASES.get(name.lower())
    return CATALOG[canonical] if canonical else None



def all_spellings() -> list[str]:
    spellings = set(CATALOG)
    for entry in CATALOG.values():
        spellings.update(entry.aliases)
    return sorted(spellings)


TRAINABLE = ArgSpec("trainable", FLAG, True, (), doc="false freezes the layer")
