"""Framework module paths on pasted layer calls: ``nn.Conv2d``, ``keras.layers.Dense``.

Exam questions quote framework code, prefix and all. A prefix is accepted when
it is a module path the framework's own documentation uses and the name after
it is a class of that framework that symcount counts; anything else is an error
at the prefix or the name. The module paths and the name lists are the catalog's
(:mod:`symcount.catalog.spellings`, generated from the entries' spellings); the lists
are checked against the real ``torch.nn`` and ``keras.layers`` by ``tests/test_paste.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from symcount.catalog.core import lookup
from symcount.catalog.spellings import KERAS_INPUTS, KERAS_LAYERS, KERAS_TOP, LAYER_MODULES, TORCH_NN, layer_framework
from symcount.catalog.vision import merge_layer_hint
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes

__all__ = ["SEQUENTIAL_MODULES", "layer_framework", "qualified_layer", "sequential_framework"]

#: Where ``Sequential`` is found, and the framework each path is.
SEQUENTIAL_MODULES = {
    "nn": "pytorch", "torch.nn": "pytorch",
    **{top: "keras" for top in KERAS_TOP}, "models": "keras",
    **{f"{top}.models": "keras" for top in KERAS_TOP},
}

_NAMES = {"pytorch": TORCH_NN, "keras": KERAS_LAYERS}
_SHOWN = {"pytorch": "torch.nn", "keras": "keras.layers"}


def _examples() -> str:
    return "nn.Conv2d, torch.nn.Linear, layers.Dense, keras.layers.Dense or tf.keras.layers.Conv2D"


def qualified_layer(module: str, name: str, module_pos: nodes.Pos, name_pos: nodes.Pos) -> str:
    """The framework of ``module.name`` (a layer call), or a SymcountError saying what is wrong."""
    if name == "Sequential":
        raise SymcountError("Sequential(...) stands on its own at the top level: it is the whole model",
                            name_pos, hint="nested Sequential models are not read; list their layers instead")
    if module in KERAS_TOP and name in KERAS_INPUTS:
        return "keras"
    framework = LAYER_MODULES.get(module)
    if module in KERAS_TOP:
        raise SymcountError(f"Keras has no {module}.{name}: its layers are in {module}.layers", module_pos,
                            hint=f"write {module}.layers.{name}")
    if framework is None:
        known = [*LAYER_MODULES, *KERAS_TOP]
        guess = did_you_mean(module, known)
        raise SymcountError(f"unknown module '{module}' before a layer name", module_pos,
                            hint=guess or f"write the layer as {_examples()}, or without a prefix")
    if name in _NAMES[framework]:
        return framework
    other = "keras" if framework == "pytorch" else "pytorch"
    if name in _NAMES[other]:
        entry = lookup(name)
        same = sorted(n for n in _NAMES[framework] if entry is not None and lookup(n) is entry)
        same.sort(key=lambda n: n.lower() != name.lower())
        whose = "Keras" if other == "keras" else "PyTorch"
        raise SymcountError(f"{name} is a {whose} layer, not a {_SHOWN[framework]} one", name_pos,
                            hint=f"{_SHOWN[framework]} calls it {same[0]}" if same
                            else f"write it as {_SHOWN[other]}.{name}")
    if framework == "keras" and merge_layer_hint(name):
        raise SymcountError(f"{module}.{name} takes a list of tensors, not one input", name_pos,
                            hint=merge_layer_hint(name))
    raise SymcountError(f"unknown layer '{module}.{name}'", name_pos,
                        hint=did_you_mean(name, _NAMES[framework]) or
                        f"symcount counts these {_SHOWN[framework]} layers: see docs/layers.md")


def sequential_framework(module: str, module_pos: nodes.Pos, form: str, items: tuple[nodes.Layer, ...],
                         pos: nodes.Pos) -> str | None:
    """The framework of ``module.Sequential(...)`` (None without a prefix), checking how its layers are given.

    Keras takes a list (``Sequential([Dense(64), ...])``), PyTorch the layers themselves
    (``nn.Sequential(nn.Linear(784, 64), ...)``); without a prefix either form is read.
    """
    if not module:
        return None
    framework = SEQUENTIAL_MODULES.get(module)
    if framework is None:
        raise SymcountError(f"unknown module '{module}' before Sequential", module_pos,
                            hint=did_you_mean(module, SEQUENTIAL_MODULES)
                            or "write nn.Sequential(...), keras.Sequential([...]) or Sequential(...)")
    if framework == "pytorch" and form == "list":
        raise SymcountError(f"{module}.Sequential takes the layers themselves, not a list", pos,
                            hint=f"write {module}.Sequential({module}.Linear(...), {module}.ReLU(), ...)")
    if framework == "keras" and form == "args" and items:
        raise SymcountError(f"{module}.Sequential takes a list of layers", pos,
                            hint=f"write {module}.Sequential([...]), the layers in square brackets")
    return framework


def check_prefixes(program: nodes.Program) -> None:
    """Check every module prefix of a parsed program, in the order written.

    The parser only records ``nn.`` or ``layers.`` before a name; whether the module is one a
    framework has, and the name a layer of that framework that symcount counts, is the
    frameworks' knowledge, checked here before anything is counted.
    """
    layers = sorted(_layers_in(program), key=lambda layer: (layer.pos.line, layer.pos.column))
    for layer in layers:
        if layer.module is not None:
            qualified_layer(layer.module, layer.kind, _module_pos(layer), layer.pos)
    for statement in program.statements:
        if isinstance(statement, nodes.Network) and statement.sequential is not None:
            _check_sequential(statement, statement.sequential)


def _module_pos(layer: nodes.Layer) -> nodes.Pos:
    """Where the module prefix of ``module.Name`` stands: just before the name, with its dot."""
    width = len(layer.module or "") + 1
    return nodes.Pos(layer.pos.line, layer.pos.column - width, layer.pos.line, layer.pos.column - 1)


def _layers_in(node: object) -> Iterator[nodes.Layer]:
    """Every layer call inside a syntax-tree node: bodies, branches and wrapped layers alike."""
    if isinstance(node, nodes.Layer):
        yield node
    if isinstance(node, tuple):
        for item in node:
            yield from _layers_in(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, (type, nodes.Pos)):
        for spec in dataclasses.fields(node):
            yield from _layers_in(getattr(node, spec.name))


def _check_sequential(network: nodes.Network, call: nodes.SequentialCall) -> None:
    """A ``Sequential`` takes its layers the way its framework does, all from that framework."""
    pos = call.pos
    module_pos = nodes.Pos(pos.line, pos.column, pos.line, pos.column + len(call.module))
    items = tuple(item for item in network.body.items if isinstance(item, nodes.Layer))
    framework = sequential_framework(call.module, module_pos, call.form, items, pos)
    whose = "a {} Sequential"
    for item in items:
        if item.module is None:
            continue
        if framework is None:  # Sequential(...) without a prefix: its first prefixed layer says whose it is
            framework, whose = layer_framework(item.module), "a Sequential of {} layers"
        elif layer_framework(item.module) != framework:
            raise SymcountError(f"{item.module}.{item.kind} in " + whose.format(
                "Keras" if framework == "keras" else "PyTorch"), item.pos,
                hint="one model is built with one framework")
