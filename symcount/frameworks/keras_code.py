"""Keras model code: ``keras.Sequential`` (with ``model.add``), the functional API and subclassed
models, as a graph of symbolic tensors that becomes a symcount network.

A layer called on a tensor makes a new tensor; ``keras.Model(inputs, outputs)`` is the graph
between them. Branches that leave one tensor and meet again in ``Concatenate`` or ``Add`` become
``parallel`` blocks of the description, so shapes flow through them as Keras computes them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from symcount.catalog.spellings import KERAS_LAYERS
from symcount.errors import did_you_mean
from symcount.frameworks.python_values import BuiltinMethod, Layer, Opaque, describe_value

#: Keras's merge layers the description can join branches with, and the ``parallel`` merge they are.
MERGES = {"Concatenate": "concat", "Add": "add"}
_MERGE_FUNCTIONS = {"concatenate": "Concatenate", "add": "Add"}
_UNREAD_MERGES = ("Average", "Multiply", "Subtract", "Maximum", "Minimum", "Dot")


def keras_path(path: str) -> str | None:
    """``keras.layers.Dense`` for ``tf.keras.layers.Dense``, ``tensorflow.keras...``; None outside Keras."""
    for prefix in ("tensorflow.keras.", "tf.keras.", "keras."):
        if path.startswith(prefix):
            return "keras." + path[len(prefix):]
    if path.startswith(("layers.", "kl.")):
        return "keras.layers." + path.split(".", 1)[1]
    if path.startswith("models."):
        return "keras.models." + path.split(".", 1)[1]
    return None


@dataclass(eq=False)
class KTensor:
    """A symbolic tensor: an ``Input`` (``shape`` given) or a layer's output (``producer`` on ``inputs``)."""

    node: ast.AST
    producer: Any = None
    inputs: list[KTensor] = field(default_factory=list)
    shape: tuple[Any, ...] | None = None

    def label(self) -> str:
        return "a Keras tensor"


@dataclass(eq=False)
class KSequential:
    """``keras.Sequential([...])`` and its ``add``-ed layers; ``start`` is a ``keras.Input`` given first."""

    node: ast.AST
    layers: list[Any] = field(default_factory=list)
    start: KTensor | None = None

    def label(self) -> str:
        return "a keras.Sequential model"


@dataclass(eq=False)
class KModel:
    """``keras.Model(inputs, outputs)``."""

    node: ast.AST
    inputs: list[KTensor]
    outputs: list[KTensor]

    def label(self) -> str:
        return "a keras.Model"


class KerasCalls:
    """The ``keras`` calls of a file, on the reader's values (a mix-in of the reader)."""

    def keras_call(self: Any, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        name = path.rsplit(".", 1)[-1]
        module = path.rsplit(".", 1)[0]
        if name in ("Input", "InputLayer") and module in ("keras", "keras.layers"):
            return self.keras_input(args, kwargs, node)
        if name == "Sequential" and module in ("keras", "keras.models"):
            return self.keras_sequential(args, kwargs, node)
        if name in ("Model", "Functional") and module in ("keras", "keras.models"):
            return self.keras_model(args, kwargs, node)
        if module == "keras.layers":
            if name in _MERGE_FUNCTIONS:
                tensors = args[0] if args else kwargs.get("inputs")
                layer = Layer("keras", _MERGE_FUNCTIONS[name], [], {k: v for k, v in kwargs.items() if k != "inputs"},
                              node)
                return self.call_keras_layer(layer, [tensors], {}, node)
            if name in MERGES or name in KERAS_LAYERS:
                return Layer("keras", name, args, kwargs, node)
            if name in _UNREAD_MERGES:
                raise self.error(f"layers.{name} joins branches in a way a description cannot write", node.func,
                                 hint="symcount reads branches joined by layers.Concatenate() or layers.Add()")
            if name[:1].isupper():
                raise self.error(f"unknown layer class layers.{name}: symcount does not count it", node.func,
                                 hint=did_you_mean(name, KERAS_LAYERS)
                                 or "the Keras layers symcount counts are listed in docs/layers.md")
        if module == "keras.ops" and args and isinstance(args[0], KTensor):
            return args[0]
        return Opaque(f"{path}(...) is computed when the model runs", node)

    def keras_input(self: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> KTensor:
        shape = kwargs.get("shape", args[0] if args else None)
        if shape is None and "batch_shape" in kwargs:
            batch = self.concrete(kwargs["batch_shape"], node, "batch_shape")
            shape = tuple(batch)[1:] if isinstance(batch, (tuple, list)) else None
        if shape is None and "input_shape" in kwargs:
            shape = kwargs["input_shape"]
        shape = self.concrete(shape, node, "the input's shape")
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            raise self.error("keras.Input needs shape=(...)", node, hint="e.g. keras.Input(shape=(28, 28, 1))")
        for size in shape:
            if size is None:
                raise self.error("an input size of None is only known at run time", node,
                                 hint="give every size of shape=(...) except the batch")
        return KTensor(node, shape=tuple(shape))

    def keras_sequential(self: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> KSequential:
        model = KSequential(node)
        given = args[0] if args else kwargs.get("layers")
        for layer in self.iterate(given, node) if given is not None else []:
            self.sequential_add(model, layer, node)
        return model

    def sequential_add(self: Any, model: KSequential, layer: Any, node: ast.AST) -> None:
        if isinstance(layer, KTensor) and layer.producer is None:
            if model.layers or model.start is not None:
                raise self.error("keras.Input comes first in a Sequential model", node)
            model.start = layer
            return
        if isinstance(layer, Opaque):
            self.concrete(layer, node, "the layer")
        if not (isinstance(layer, Layer) and layer.framework == "keras") and not isinstance(layer, (KSequential,
                                                                                                   KModel)):
            raise self.error(f"a Sequential model takes Keras layers, not {describe_value(layer)}", node)
        model.layers.append(layer)

    def keras_model(self: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> KModel:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        return KModel(node, self.tensors(inputs, node, "inputs"), self.tensors(outputs, node, "outputs"))

    def tensors(self: Any, value: Any, node: ast.AST, what: str) -> list[KTensor]:
        if isinstance(value, dict):
            value = list(value.values())
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if not isinstance(item, KTensor):
                self.concrete(item, node, f"the model's {what}")
                raise self.error(f"keras.Model's {what} must be Keras tensors, not {describe_value(item)}", node)
        return items

    def call_keras_layer(self: Any, layer: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        """A layer (or a model) called on tensors: the tensor it makes."""
        given = args[0] if args else kwargs.get("inputs")
        if isinstance(given, Opaque):
            return Opaque(given.reason, node, given.error)
        inputs = self.tensors(given, node, "inputs")
        merge = isinstance(layer, Layer) and layer.name in MERGES
        if len(inputs) != 1 and not merge:
            raise self.error(f"{describe_value(layer)} takes one tensor here, not {len(inputs)}", node)
        if merge and len(inputs) < 2:
            raise self.error(f"{layer.name} joins two or more tensors", node)
        return KTensor(node, layer, inputs)

    def keras_value_attribute(self: Any, obj: Any, name: str, node: ast.AST) -> Any:
        if isinstance(obj, KSequential):
            if name == "add":
                return BuiltinMethod(name, lambda a, k, n: self.sequential_add(obj, a[0] if a else k.get("layer"), n))
            if name == "build":
                def build(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
                    shape = self.concrete(a[0] if a else k.get("input_shape"), n, "the input shape")
                    if not isinstance(shape, (tuple, list)) or len(shape) < 2:
                        raise self.error("build takes the input shape with its batch size: build((None, 784))", n)
                    obj.start = self.keras_input([tuple(shape)[1:]], {}, n)
                return BuiltinMethod(name, build)
            return Opaque(f"Sequential.{name} is run when the model is trained", node)
        if isinstance(obj, (KModel, Layer, KTensor)):
            return Opaque(f"{name} is computed when the model runs", node)
        raise self.error(f"{describe_value(obj)} has no attribute {name} that symcount reads", node)
