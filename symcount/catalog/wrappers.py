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

from symcount.language import nodes
from symcount.language.values import BUILTINS


@dataclass(frozen=True)
class Wrapper:
    """A wrapper: its canonical name, its arguments in Keras's positional order, and the
    arguments Keras takes that change no count (accepted, not used)."""

    name: str
    order: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    description: str = ""
    signature: str = ""


WRAPPERS = {
    "bidirectional": Wrapper(
        "bidirectional", ("layer", "merge_mode", "weights", "backward_layer"), ("weights",),
        "runs a recurrent layer (LSTM, GRU, SimpleRNN) forwards and backwards: two copies of its weights, "
        'counted as the layer with bidirectional=true; merge_mode "concat" (default, 2H wide), "sum", "mul" or '
        '"ave" (H wide)', 'bidirectional(layer, merge_mode="concat")'),
    "time_distributed": Wrapper(
        "time_distributed", ("layer",), (),
        "applies one layer at every step of the first axis: its weights once, its output with the time axis "
        "in front, its MACs times the steps", "time_distributed(layer)"),
}
#: Every spelling, lower-cased: Keras's class names and the canonical names.
_SPELLINGS = {"bidirectional": "bidirectional", "timedistributed": "time_distributed",
              "time_distributed": "time_distributed"}
#: The layers Bidirectional wraps (catalog names).
RECURRENT = ("rnn", "lstm", "gru")
#: Wrapper arguments every Keras layer takes.
COMMON = ("name", "dtype", "trainable")


def wrapper_of(node: nodes.Layer) -> Wrapper | None:
    """The wrapper a call is, or None (a layer, a block, or a PyTorch-prefixed name)."""
    found = _SPELLINGS.get(node.kind.lower())
    return WRAPPERS[found] if found is not None else None


def is_keras_spelling(node: nodes.Layer) -> bool:
    """``Bidirectional``/``TimeDistributed`` (Keras code) rather than the canonical ``bidirectional``."""
    return node.module is not None or node.kind[:1].isupper()


def wrapper_spellings() -> list[str]:
    return ["Bidirectional", "TimeDistributed", *WRAPPERS]


def layer_value(node: nodes.Expr, functions: Container[str] = ()) -> nodes.Layer | None:
    """The layer a value calls when it can only be a layer call: a :class:`nodes.LayerCall`, or a
    plain call whose name is no function (``min``, ...) but a layer or wrapper (``LSTM(64)``)."""
    if isinstance(node, nodes.LayerCall):
        return node.layer
    if isinstance(node, nodes.Call) and node.func not in BUILTINS and node.func not in functions:
        from symcount.catalog.core import lookup  # noqa: PLC0415  cycle: catalog -> language.values -> catalog.wrappers -> catalog

        layer = nodes.as_layer(node)
        if layer is not None and (lookup(node.func) is not None or wrapper_of(layer) is not None):
            return layer
    return None
