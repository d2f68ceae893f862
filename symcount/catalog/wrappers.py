"""Keras's wrapper layers: a layer call that takes another layer call.

``Bidirectional(LSTM(64))`` runs a forward and a backward copy of the recurrent
layer: it is counted as the catalog's ``lstm(..., bidirectional=true)`` (and
its ``merge``), so the derivation reads ``2 × 4 × [(C_in + H) × H + H]``.
``TimeDistributed(Dense(10))`` applies one layer, one set of weights, at every
step of the first axis: the wrapped layer's count, its output with the time axis
in front, its MACs times the number of steps.

The wrappers are spelt as Keras spells them (``Bidirectional``, ``TimeDistributed``,
module prefixes too) and, in the canonical language, ``bidirectional(...)`` and
``time_distributed(...)``. Counting them is the engine's (``Walker.count_wrapper``);
this module holds what they are called and what they take.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from symcount.catalog.core import Spelling, keras_layer, lookup
from symcount.language import nodes
from symcount.language.values import BUILTINS


@dataclass(frozen=True)
class Wrapper:
    """A wrapper: its canonical name, Keras's class (a :class:`Spelling` without an order: the
    wrapper's ``order`` is Keras's), its arguments in Keras's positional order, and the arguments
    Keras takes that change no count (accepted, not used)."""

    name: str
    keras: Spelling
    order: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    description: str = ""
    signature: str = ""


WRAPPERS = {
    "bidirectional": Wrapper(
        "bidirectional", keras_layer("Bidirectional"), ("layer", "merge_mode", "weights", "backward_layer"),
        ("weights",),
        "runs a recurrent layer (LSTM, GRU, SimpleRNN) forwards and backwards: two copies of its weights, "
        'counted as the layer with bidirectional=true; merge_mode "concat" (default, 2H wide), "sum", "mul" or '
        '"ave" (H wide)', 'bidirectional(layer, merge_mode="concat")'),
    "time_distributed": Wrapper(
        "time_distributed", keras_layer("TimeDistributed"), ("layer",), (),
        "applies one layer at every step of the first axis: its weights once, its output with the time axis "
        "in front, its MACs times the steps", "time_distributed(layer)"),
}
#: Keras's class names of the wrappers (pasted code may write them after ``layers.``).
KERAS_WRAPPERS = tuple(w.keras.name for w in WRAPPERS.values())
#: Every spelling, lower-cased: Keras's class names and the canonical names.
_SPELLINGS = {**{w.keras.name.lower(): w.name for w in WRAPPERS.values()}, **{w.name: w.name for w in WRAPPERS.values()}}
#: The layers Bidirectional wraps (catalog names).
RECURRENT = ("rnn", "lstm", "gru")


def wrapper_of(node: nodes.Layer) -> Wrapper | None:
    """The wrapper a call is, or None (a layer, a block, or a PyTorch-prefixed name)."""
    found = _SPELLINGS.get(node.kind.lower())
    return WRAPPERS[found] if found is not None else None


def is_keras_spelling(node: nodes.Layer) -> bool:
    """``Bidirectional``/``TimeDistributed`` (Keras code) rather than the canonical ``bidirectional``."""
    return node.module is not None or node.kind[:1].isupper()


def wrapper_spellings() -> list[str]:
    return [*KERAS_WRAPPERS, *WRAPPERS]


def layer_value(node: nodes.Expr, functions: Container[str] = ()) -> nodes.Layer | None:
    """The layer a value calls when it can only be a layer call: a :class:`nodes.LayerCall`, or a
    plain call whose name is no function (``min``, ...) but a layer or wrapper (``LSTM(64)``)."""
    if isinstance(node, nodes.LayerCall):
        return node.layer
    if isinstance(node, nodes.Call) and node.func not in BUILTINS and node.func not in functions:
        layer = nodes.as_layer(node)
        if layer is not None and (lookup(node.func) is not None or wrapper_of(layer) is not None):
            return layer
    return None


def names_a_layer(name: str) -> bool:
    """Whether a called name is a catalog layer or a wrapper (so the call is a layer, not a value)."""
    return lookup(name) is not None or name.lower() in _SPELLINGS
