"""The frameworks' own spellings of the entries: module paths, class names, positional orders.

The name lists pasted code is checked against (:data:`TORCH_NN`, :data:`KERAS_LAYERS`) and the
positional orders (:data:`FRAMEWORK_ORDERS`) are generated from the entries' ``spellings``, so a
framework layer is written down once, in its entry. Importing this module imports the catalog:
the lists hold every registered entry.
"""

from __future__ import annotations

from collections.abc import Sequence

from symcount.catalog.core import CATALOG, LayerType, Spelling, keras_layer
from symcount.catalog.wrappers import KERAS_WRAPPERS
from symcount.language import nodes

# ---------------------------------------------------------------------------
# where the frameworks keep their layers: module paths

#: The module paths layers are called through, and the framework each is.
LAYER_MODULES = {
    "nn": "pytorch", "torch.nn": "pytorch",
    "layers": "keras", "keras.layers": "keras", "tf.keras.layers": "keras", "tensorflow.keras.layers": "keras",
    "kl": "keras",
}
#: Keras's top-level modules: ``keras.Input``, ``keras.Sequential``.
KERAS_TOP = ("keras", "tf.keras", "tensorflow.keras")


def layer_framework(module: str | None) -> str | None:
    """The framework a checked module prefix belongs to (None without a prefix)."""
    if module is None:
        return None
    return "keras" if module in KERAS_TOP else LAYER_MODULES.get(module)


# ---------------------------------------------------------------------------
# the frameworks' class names: generated from the entries' spellings

#: Keras's input declarations (``keras.Input(shape=...)``): they set the input shape, like ``input(...)``.
INPUTS = (keras_layer("Input"), keras_layer("InputLayer"))
KERAS_INPUTS = tuple(spelling.name for spelling in INPUTS)


def _spellings() -> list[Spelling]:
    return [spelling for entry in CATALOG.values() for spelling in entry.spellings]


#: torch.nn classes symcount counts, spelt as torch spells them.
TORCH_NN = frozenset(s.name for s in _spellings() if s.framework == "pytorch")

#: keras.layers classes symcount reads: the entries' spellings, Keras's input declarations and
#: wrappers. Keras classes named like an entry that are other layers are its ``homonyms``.
KERAS_LAYERS = frozenset({*(s.name for s in _spellings() if s.framework == "keras"), *KERAS_INPUTS,
                          *KERAS_WRAPPERS})


def _orders() -> dict[str, dict[str, tuple[str, ...]]]:
    orders: dict[str, dict[str, tuple[str, ...]]] = {}
    for spelling in _spellings():
        if spelling.order is not None:
            orders.setdefault(spelling.name, {})[spelling.framework] = spelling.order
    return orders


#: A framework's spelling of a layer takes positional arguments in that framework's order, not
#: the catalog's: Keras's ``Dense(64)`` is 64 units, PyTorch's ``Conv2d(3, 16, 3, 2, 1)`` has
#: stride 2 and padding 1. Keys are exact spellings (``Conv2d`` is PyTorch, ``Conv2D`` Keras);
#: ``LSTM`` and ``GRU`` are spelt alike in both and are read from the call (see
#: :func:`positional_order`). Other spellings (the catalog's own names) take the catalog's
#: order. Generated from the entries' :class:`Spelling` orders.
FRAMEWORK_ORDERS = _orders()


def spelling_framework(written: str, framework: str | None = None) -> str | None:
    """The framework a call is written for: its module prefix's, else its spelling's when only one
    framework spells a layer that way with a positional order (``Dense``, ``BatchNorm2d``); None for
    the catalog's own names, for spellings both share (``LSTM``) and for those without an order."""
    if framework is not None:
        return framework
    orders = FRAMEWORK_ORDERS.get(written, {})
    return next(iter(orders)) if len(orders) == 1 else None


def positional_order(entry: LayerType, written: str, positional: Sequence[nodes.Expr] = (),
                     framework: str | None = None) -> tuple[str, ...]:
    """The argument each positional argument of a call means, in order.

    A framework's spelling (``Dense``, ``Conv2d``) follows that framework's order; anything
    else the catalog's. A spelling both frameworks share (``LSTM``, ``GRU``) is read from the
    call, the same under either convention: one positional argument is Keras's ``units``
    (PyTorch needs two), a string second is Keras's activation, two numbers are PyTorch's
    ``input_size, hidden_size``. ``positional`` holds the call's positional values. A module
    prefix (``nn.LSTM``, ``layers.LSTM``) names the ``framework`` and so the order.
    """
    orders = FRAMEWORK_ORDERS.get(written, {})
    if framework in orders:
        return orders[framework]
    if len(orders) == 1:
        return next(iter(orders.values()))
    if orders:
        keras = len(positional) == 1 or (len(positional) > 1 and isinstance(positional[1], nodes.Str))
        return orders["keras" if keras else "pytorch"]
    return tuple(spec.name for spec in entry.args if spec.name not in ("trainable", "tied"))
