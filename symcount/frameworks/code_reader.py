"""A model's Python code as a symcount description: :func:`describe_python`.

The file is read by :class:`Reader` (the interpreter of :mod:`~symcount.frameworks.python_code`
with the PyTorch and Keras calls of :mod:`~symcount.frameworks.torch_code` and
:mod:`~symcount.frameworks.keras_code`); the model chosen is written as an ordinary description
(blocks for sub-modules and containers, ``repeat`` for identical ones in a row, ``tied=`` for tied
weights, ``parallel`` for branches), so every verb works on it. Each line of the description
remembers the place in the code it comes from, so a mistake found while counting is reported
there.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from symcount.catalog.common import _no_tensors
from symcount.catalog.core import lookup
from symcount.errors import SymcountError
from symcount.frameworks.keras_code import MERGES, KerasCalls, KModel, KSequential, KTensor, keras_path
from symcount.frameworks.python_code import Interpreter
from symcount.frameworks.python_values import (
    BuiltinMethod,
    Instance,
    Layer,
    ModuleRef,
    Opaque,
    PyClass,
    describe_value,
    is_plain,
    pos_of,
)
from symcount.frameworks.torch_code import (
    Container,
    Parameter,
    TorchCalls,
    TorchTensor,
    is_module,
    is_torch_class,
    torch_function,
    torch_nn_name,
)
from symcount.frameworks.torch_forward import (
    BATCH,
    ForwardCalls,
    ForwardWriter,
    FShape,
    FTensor,
    Lost,
    NestedWriter,
    tensors_in,
)
from symcount.language.nodes import Pos

#: Marks a Keras layer's line with the layer's id until shared layers are settled (_KerasWriter.shared_layers).
_MARK = re.compile("\x00([0-9]+)\x00")
#: Words of the description language a network, block or label may not be called.
_RESERVED = {"network", "block", "repeat", "if", "else", "residual", "shortcut", "parallel", "branch", "let",
             "input", "true", "false", "and", "or", "not", "main", "True", "False", "None", "Sequential", "Input"}
_IMPLICIT = {"nn": "torch.nn", "F": "torch.nn.functional", "torch": "torch", "layers": "keras.layers",
             "keras": "keras", "tf": "tf", "kl": "keras.layers"}


@dataclass
class Description:
    """The description a file was read as, where each of its lines comes from, and what to say."""

    text: str
    network: str
    framework: str
    origins: dict[int, Pos] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: forward followed: the model read from __init__ alone, should the description not count
    #: (given why, and the line of the code; see symcount.counting.read_description)
    unfollowed: Callable[[str, int], Description] | None = None
    #: the count of the description made while checking it (no values, the file's convention), kept so
    #: that counting it as it is does not count it twice
    checked: object | None = None


class Reader(Interpreter, TorchCalls, KerasCalls, ForwardCalls):
    """The interpreter with the frameworks' calls plugged in."""

    def __init__(self, text: str, filename: str) -> None:
        super().__init__(text, filename)
        #: a subclassed Keras model's graph, once it is called on an input or built
        self.graphs: dict[int, KModel] = {}
        #: a PyTorch model called at the top level on a tensor whose sizes are written: that shape
        self.samples: dict[int, tuple[int, ...]] = {}
        #: while forward is followed: the first thing it does that a description cannot hold
        self.lost: Lost | None = None
        #: x.view(-1, n) read as nn.Flatten(): n (the input's size when it is the first step)
        self.view_sizes: dict[int, int] = {}
        #: while forward is followed: the modules whose forward is running, innermost last
        self.owners: list[Any] = []

    def implicit_module(self, name: str) -> str | None:
        return _IMPLICIT.get(name)

    def call_library(self, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if tensors_in([*args, *kwargs.values()]):
            return self.forward_library(path, args, kwargs, node)
        if torch_nn_name(path) is not None or torch_function(path) is not None:
            return self.torch_call(path, args, kwargs, node)
        keras = keras_path(path)
        if keras is not None:
            return self.keras_call(keras, args, kwargs, node)
        return super().call_library(path, args, kwargs, node)

    def call_value(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(func, (Layer, KSequential, KModel)) and (func.framework == "keras"
                                                               if isinstance(func, Layer) else True):
            return self.call_keras_layer(func, args, kwargs, node)
        if is_module(func) and tensors_in([*args, *kwargs.values()]):
            return self.apply_module(func, args, kwargs, node)
        if is_module(func) and args and isinstance(args[0], TorchTensor) and args[0].shape:
            self.samples[id(func)] = args[0].shape
        if isinstance(func, Instance) and not is_torch_class(func):
            return self.call_subclassed(func, args[0] if args else kwargs.get("inputs"), node)
        if is_module(func):
            return Opaque("a module's output is computed when the model runs", node)
        return super().call_value(func, args, kwargs, node)

    def call_subclassed(self, model: Instance, given: Any, node: ast.AST) -> Any:
        """A subclassed keras.Model called on a tensor: its ``call`` followed, the graph kept."""
        call = model.cls.find("call")
        if call is None or not isinstance(given, KTensor):
            return Opaque(f"{model.cls.name}'s output is computed when the model runs", node)
        output = self.call_function(call, [given], {}, node, bound=model)
        if not isinstance(output, KTensor):
            self.concrete(output, node, f"{model.cls.name}.call's output")
            raise self.error(f"{model.cls.name}.call does not return one tensor", call.node)
        self.graphs[id(model)] = KModel(node, [given], [output])
        return output

    def instance_attribute(self, obj: Instance, name: str, node: ast.AST) -> Any:
        if is_torch_class(obj):
            return self.torch_instance_attribute(obj, name, node)
        if name == "build":
            def build(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
                raise self.error(f"{obj.cls.name}.build(...) leaves its layers unbuilt: Keras 3 creates their "
                                 "weights only when the model is called (count_params() is 0 here)", n,
                                 hint="call it on an input instead: model(keras.Input(shape=(...)))")
            return BuiltinMethod(name, build)
        return Opaque(f"{obj.cls.name}.{name} is computed when the model runs", node)

    def value_attribute(self, obj: Any, name: str, node: ast.AST) -> Any:
        if isinstance(obj, FTensor):
            return self.forward_attribute(obj, name, node)
        if isinstance(obj, (KSequential, KModel, KTensor)) or (isinstance(obj, Layer) and obj.framework == "keras"):
            return self.keras_value_attribute(obj, name, node)
        return self.torch_value_attribute(obj, name, node)

    def set_attribute(self, obj: Any, name: str, value: Any, node: ast.AST) -> None:
        if self.torch_set_attribute(obj, name, value, node):
            return
        super().set_attribute(obj, name, value, node)

    def set_item(self, obj: Any, key: Any, value: Any, node: ast.AST) -> None:
        if isinstance(obj, TorchTensor):
            return
        if isinstance(obj, Container):
            obj.items[str(self.concrete(key, node))] = value
            return
        super().set_item(obj, key, value, node)

    def call_builtin(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        """``enumerate(self.layers)``, ``len(self.blocks)``: a container is its modules (a ModuleDict its keys)."""
        args = [self.container_items(a, node) if isinstance(a, Container) else a for a in args]
        if any(isinstance(a, (FTensor, FShape)) for a in (*args, *kwargs.values())):
            return self.lose(f"{getattr(func, '__name__', 'a builtin')}() of a tensor in forward is not followed",
                             node)
        return super().call_builtin(func, args, kwargs, node)

    def iterate_special(self, value: Any, node: ast.AST) -> list[Any] | None:
        if isinstance(value, Container):
            return self.container_items(value, node)
        return None

    def subscript_special(self, obj: Any, key: Any, node: ast.AST) -> Any:
        if isinstance(obj, Container):
            return self.container_item(obj, key, node)
        if isinstance(obj, TorchTensor):
            return Opaque("a slice of a tensor", node)
        if isinstance(obj, FShape):
            return BATCH if key == 0 else self.lose("a size of the tensor other than the batch", node)
        if isinstance(obj, FTensor):
            return self.lose("a slice of a tensor in forward is not followed", node)
        return super().subscript_special(obj, key, node)

    def binary_special(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, FTensor) or isinstance(right, FTensor):
            return self.forward_binary(op, left, right, node)
        if left is BATCH or right is BATCH:
            return self.lose("arithmetic on the batch size is not followed", node)
        if isinstance(left, TorchTensor) and is_plain(right):
            return TorchTensor(left.shape, node)
        if isinstance(right, TorchTensor) and is_plain(left):
            return TorchTensor(right.shape, node)
        if isinstance(left, TorchTensor) and isinstance(right, TorchTensor):
            return Opaque("arithmetic of two tensors", node)
        if isinstance(left, KTensor) and isinstance(right, KTensor) and isinstance(op, ast.Add):
            return KTensor(node, Layer("keras", "Add", [], {}, node if isinstance(node, ast.Call)
                                       else ast.Call(ast.Name("Add"), [], [])), [left, right])
        return super().binary_special(op, left, right, node)

    def statement_builds_model(self, statement: ast.stmt) -> bool:
        """``model.add(...)`` and ``model.build(...)`` at the top level are part of the model."""
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                found, value = self.module.lookup(func.value.id)
                return found and isinstance(value, KSequential)
        return False


# ---- choosing the model ------------------------------------------------------------------------


def describe_python(text: str, filename: str, network: str | None = None) -> Description:
    """The description of the model a Python file builds (``network``: a class or a variable name)."""
    reader = Reader(text, filename)
    reader.run_module()
    name, model = _choose(reader, network)
    if isinstance(model, (KSequential, KModel)) or (isinstance(model, Instance) and not is_torch_class(model)):
        return _KerasWriter(reader).describe(model, name)
    return _TorchWriter(reader).describe(model, name)


def _models(reader: Reader) -> dict[str, Any]:
    """The models the module builds at the top level, by variable name, in the order assigned."""
    found: dict[str, Any] = {}
    for name, value in reader.module.names.items():
        if isinstance(value, (KSequential, KModel)) or (isinstance(value, Instance) and _is_model_class(value.cls)) \
                or (isinstance(value, Container) and value.kind == "Sequential" and value.items):
            found[name] = value
    return found


def _is_model_class(cls: PyClass) -> bool:
    base = cls.framework_base()
    if base is None:
        return False
    if torch_nn_name(base) == "Module":
        return True
    keras = keras_path(base)
    return keras in ("keras.Model", "keras.models.Model")


def _model_classes(reader: Reader) -> list[PyClass]:
    top = {id(v) for v in reader.module.names.values()}
    return [cls for cls in reader.classes if id(cls) in top and _is_model_class(cls)]


def _choose(reader: Reader, network: str | None) -> tuple[str, Any]:
    models = _models(reader)
    classes = {cls.name: cls for cls in _model_classes(reader)}
    if network is not None:
        if network in models:
            return network, models[network]
        if network in classes:
            return network, _build_default(reader, classes[network])
        names = [*models, *(c for c in classes if c not in models)]
        raise SymcountError(f"no model named '{network}' in the file (models: {', '.join(names) or 'none'})",
                            hint="name a model variable or an nn.Module / keras.Model class of the file")
    if "model" in models:
        return "model", models["model"]
    if models:
        name = list(models)[-1]
        return name, models[name]
    _raise_failed_build(reader, classes)
    if classes:
        cls = list(classes.values())[-1]
        return cls.name, _build_default(reader, cls)
    for error in reader.skipped:
        raise error
    raise SymcountError("no model in the file: no nn.Module or keras.Model class, no keras.Sequential or "
                        "keras.Model built at the top level",
                        hint="symcount reads class Net(nn.Module), keras.Sequential([...]) and keras.Model(inputs, "
                             "outputs)")


def _raise_failed_build(reader: Reader, classes: dict[str, PyClass]) -> None:
    """The error of a top-level ``model = Net(...)`` that could not be read: that model was meant."""
    for value in reader.module.names.values():
        if isinstance(value, Opaque) and value.error is not None and isinstance(value.node, ast.Assign):
            call = value.node.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in classes:
                raise value.error


def _build_default(reader: Reader, cls: PyClass) -> Any:
    """An object of ``cls`` built with its default arguments."""
    init = cls.find("__init__")
    if init is not None and hasattr(init, "node"):
        spec = init.node.args
        positional = [*spec.posonlyargs, *spec.args][1:]
        needed = [a.arg for a in positional[:len(positional) - len(spec.defaults)]]
        needed += [a.arg for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is None]
        if needed:
            raise reader.error(f"{cls.name}() needs {', '.join(needed)}: no default is written, and the file does "
                               f"not build a {cls.name} at the top level", cls.node,
                               hint=f"give defaults, or add a line model = {cls.name}(...) with the values")
    return reader.instantiate(cls, [], {}, cls.node)


# ---- writing the description -------------------------------------------------------------------


def _name(word: str) -> str:
    """A name the description accepts, as close to ``word`` as it can be."""
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in word) or "m"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if cleaned in _RESERVED or keyword.iskeyword(cleaned):
        cleaned += "_"
    return cleaned


def _value(value: Any) -> str | None:
    """A plain Python value as the description writes it; None when it cannot be written."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return "None"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        if "\n" in value or len(value) > 200:
            return None
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (tuple, list)):
        parts = [_value(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "(" + ", ".join(p for p in parts if p is not None) + ("," if len(parts) == 1 else "") + ")"
    return None


class _Writer:
    """Lines of a description, each remembering the place in the code it comes from."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.blocks: list[tuple[str, Pos]] = []
        self.block_names: dict[str, str] = {}
        self.used: set[str] = set()

    def call_text(self, layer: Layer, prefix: str, extra: str = "") -> str:
        entry = lookup(layer.name)
        parts: list[str] = []
        for index, arg in enumerate(layer.args):
            shown = _value(self.reader.concrete(arg, self.arg_node(layer, index), f"{layer.name}'s argument"))
            if shown is None:
                raise self.reader.error(f"{layer.name}'s argument {index + 1} is {describe_value(arg)}, "
                                        "not a number, a string or a tuple", self.arg_node(layer, index))
            parts.append(shown)
        for key, arg in layer.kwargs.items():
            node = self.kwarg_node(layer, key)
            if isinstance(arg, Opaque) and arg.error is None and entry is not None and entry.ignores(key):
                continue
            shown = _value(self.reader.concrete(arg, node, f"{layer.name}'s {key}="))
            if shown is None:
                if entry is not None and entry.ignores(key):
                    continue
                raise self.reader.error(f"{layer.name}'s {key}= is {describe_value(arg)}, not a number, a string or "
                                        "a tuple", node)
            parts.append(f"{key}={shown}")
        if extra:
            parts.append(extra)
        return f"{prefix}{layer.name}({', '.join(parts)})"

    def arg_node(self, layer: Layer, index: int) -> ast.AST:
        args = layer.node.args
        if index < len(args) and not any(isinstance(a, ast.Starred) for a in args[:index + 1]):
            return args[index]
        return layer.node

    def kwarg_node(self, layer: Layer, key: str) -> ast.AST:
        for keyword_node in layer.node.keywords:
            if keyword_node.arg == key:
                return keyword_node
        return layer.node

    def block(self, base: str, body: list[tuple[str, Pos]], pos: Pos) -> str:
        """The name of a block with this body (one block per distinct body)."""
        key = base + "\n" + "\n".join(line for line, _ in body)
        if key in self.block_names:
            return self.block_names[key]
        name = _name(base)
        if lookup(name) is not None or name in self.used:
            name = name + "_block" if lookup(name) is not None else name
            number = 2
            while f"{name}_{number}" in self.used or name in self.used:
                candidate = f"{name}_{number}"
                if candidate not in self.used:
                    name = candidate
                    break
                number += 1
        self.used.add(name)
        self.block_names[key] = name
        self.blocks.append((f"block {name} {{", pos))
        self.blocks.extend(("    " + line, p) for line, p in body)
        self.blocks.append(("}", pos))
        return name

    def finish(self, header: list[str], network: str, body: list[tuple[str, Pos]], pos: Pos) -> tuple[str, dict[int, Pos]]:
        lines: list[tuple[str, Pos]] = [(h, Pos()) for h in header]
        lines += self.blocks
        lines.append((f"network {network} {{", pos))
        lines += [("    " + line, p) for line, p in body]
        lines.append(("}", pos))
        text = "\n".join(line for line, _ in lines) + "\n"
        return text, {i + 1: p for i, (_, p) in enumerate(lines) if p.line}


def _compress(body: list[tuple[str, Pos]]) -> list[tuple[str, Pos]]:
    """Identical unlabelled block calls in a row as ``repeat n { ... }``."""
    out: list[tuple[str, Pos]] = []
    index = 0
    while index < len(body):
        line, pos = body[index]
        run = 1
        while index + run < len(body) and body[index + run][0] == line and "(" in line and ":" not in line:
            run += 1
        if run > 1:
            out.append((f"repeat {run} {{ {line} }}", pos))
        else:
            out.append((line, pos))
        index += run
    return out


class _TorchWriter(_Writer, ForwardWriter, NestedWriter):
    """A PyTorch module tree as blocks and a network, in torch's registration order."""

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader)
        self.seen: set[int] = set()
        #: the labels from the network to the module being written (None: an unlabelled block call)
        self.prefix: list[str | None] = []
        #: each labelled layer written so far -> its path of labels (what tied= names it by)
        self.paths: dict[int, str] = {}
        #: a layer tied to one not written yet -> the layer that will name it with tied=
        self.pending: dict[int, Layer] = {}

    def describe(self, model: Any, name: str) -> Description:
        if not is_module(model):
            raise self.reader.error(f"{name} is {describe_value(model)}, not a model", getattr(model, "node", None))
        network = _name(name)
        self.used.add(network)
        pos = pos_of(getattr(model, "node", None) or ast.Pass(), self.reader.lines)
        where = f"read from Python code ({self.reader.filename}): parameters from __init__"
        try:
            body, params, unknown = self.forward_body(model)
        except Lost as lost:
            return self.from_init(model, network, pos, lost.reason, lost.line)
        header = [f"# read from {self.reader.filename}: PyTorch, parameters from __init__, shapes from forward"
                  + (f" (the input's {', '.join(params)} {'are' if len(params) > 1 else 'is'} not written in the file)"
                     if params else "")]
        text, origins = self.finish(header, network + (f"({', '.join(params)})" if params else ""), body, pos)
        notes = [f"{where}, shapes from forward"]
        if unknown:
            notes.append(f"the input's {unknown} not written in the file: the network takes {', '.join(params)} "
                         f"(--set {params[0]}=32 gives a number; without it shapes and MACs are in {', '.join(params)})")
        return Description(text, network, "pytorch", origins, notes,
                           lambda reason, line: self.from_init(model, network, pos, reason, line))

    def from_init(self, model: Any, network: str, pos: Pos, reason: str, line: int) -> Description:
        """The model as ``__init__`` registers it, in torch's order, without shapes: forward was not followed
        (``reason``, at ``line`` of the code when known); the count holds all the same."""
        where = f"read from Python code ({self.reader.filename}): parameters from __init__"
        self.blocks, self.block_names, self.seen, self.paths, self.pending = [], {}, set(), {}, {}
        self.used = {network}
        self.tying = self.tied_subtrees(model)
        body = self.children(model)
        said = f"{reason}{f', line {line}' if line else ''}"
        header = [f"# read from {self.reader.filename}: PyTorch, parameters from __init__; shapes not followed ({said})"]
        text, origins = self.finish(header, network, body, pos)
        notes = [f"{where}; shapes were not followed ({said}), so output shapes and MACs are not shown"]
        return Description(text, network, "pytorch", origins, notes)

    def items(self, module: Any) -> list[tuple[str, Any]]:
        if isinstance(module, Container):
            return list(module.items.items())
        if isinstance(module, Instance):
            return [(k, v) for k, v in module.attrs.items() if is_module(v) or isinstance(v, Parameter)]
        return []

    def children(self, module: Any) -> list[tuple[str, Pos]]:
        body: list[tuple[str, Pos]] = []
        for key, child in self.items(module):
            if id(child) in self.seen:
                continue
            self.seen.add(id(child))
            body.extend(self.child(key, child))
        if isinstance(module, Instance):
            for key, buffer in module.buffers.items():
                if isinstance(buffer, TorchTensor):
                    body.append(self.tensor_line(key, buffer, "buffer", buffer.node,
                                                 "" if buffer.persistent else "persistent=False"))
        return _compress(body)

    def layer_path(self, label: str) -> str | None:
        """``transformer.wte``: the labels from the network to a layer; None when one is missing."""
        if not label or any(part is None for part in self.prefix):
            return None
        return ".".join([*(p for p in self.prefix if p is not None), label])

    def tie(self, layer: Layer, path: str | None) -> str:
        """``tied=...`` for the later of two layers sharing a weight (torch counts it once, at the first).

        ``self.head.weight = self.wte.weight`` and ``self.wte.weight = self.head.weight`` are the same
        tie: whichever of the two torch registers later names the earlier one.
        """
        partner = layer.tied if layer.tied is not None and id(layer.tied) != id(layer) else None
        waiting = self.pending.pop(id(layer), None)
        if waiting is not None and partner is None:
            partner = waiting
        if partner is None:
            return ""
        if id(partner) not in self.seen:
            if path is None:
                raise self.untied(layer)
            self.pending[id(partner)] = layer
            return ""
        target = self.paths.get(id(partner))
        if target is None:
            raise self.untied(partner)
        return f"tied={target}" if "." not in target else f'tied="{target}"'

    def untied(self, layer: Layer) -> SymcountError:
        return self.reader.error(f"{layer.name}'s weight is shared with another layer, and this layer has no name "
                                 "the description can point to (it sits in an nn.Sequential or nn.ModuleList)",
                                 layer.node, hint="weights shared between attributes of modules are read: "
                                                  "self.head.weight = self.transformer.wte.weight")

    def tensor_line(self, key: str, tensor: TorchTensor, kind: str, node: ast.AST, extra: str) -> tuple[str, Pos]:
        """``key: parameter(shape=(1, 1, 768), name="key")``, or a buffer: a bare tensor of the module."""
        label = self.label(key)
        # a scalar (shape ()) holds one number: the description writes it as one size of 1
        parts = [f"shape={_value(tensor.shape or (1,))}", f"name={_value(key)}", *([extra] if extra else [])]
        text = f"{kind}({', '.join(parts)})"
        return (f"{label}: {text}" if label else text), pos_of(node, self.reader.lines)

    def safe_name(self, word: str) -> str:
        return _name(word)

    def label(self, key: str) -> str:
        """A module's attribute name, or an nn.Sequential's / nn.ModuleList's index (``0``), as torch names
        the module; "" where the description cannot take the name as a label."""
        if key.isdigit() and key.isascii():
            return key
        return _name(key) if key.isidentifier() and key not in _RESERVED else ""

    def tied_subtrees(self, module: Any) -> set[int]:
        """The modules that hold a layer sharing a weight (and those layers): a child of an nn.Sequential or
        nn.ModuleDict among them whose key is no label is labelled as close to it as a label can be (``a_b``
        for ``a-b``), so ``tied="blocks.a_b.fc"`` can name it (an index is a label as it is)."""
        layers: list[Layer] = []

        def walk(node: Any, path: list[int]) -> None:
            for _, item in self.items(node):
                if isinstance(item, Layer):
                    layers.append(item)
                    self.ancestry[id(item)] = [*path, id(item)]
                elif not isinstance(item, Parameter) and id(item) not in self.ancestry:
                    self.ancestry[id(item)] = [*path, id(item)]
                    walk(item, [*path, id(item)])

        self.ancestry: dict[int, list[int]] = {}
        walk(module, [])
        tied = {id(layer) for layer in layers if layer.tied is not None and layer.tied is not layer}
        tied |= {id(layer.tied) for layer in layers if layer.tied is not None}
        return {ancestor for key in tied for ancestor in self.ancestry.get(key, [])}

    def child(self, key: str, child: Any) -> list[tuple[str, Pos]]:
        label = self.label(key) or (_name(key) if id(child) in getattr(self, "tying", set()) else "")
        if isinstance(child, Parameter):
            return [self.tensor_line(key, child.tensor, "parameter", child.node,
                                     "" if child.trainable else "trainable=False")]
        if isinstance(child, Layer):
            pos = pos_of(child.node, self.reader.lines)
            path = self.layer_path(label)
            if path is not None:
                self.paths[id(child)] = path
            text = self.call_text(child, "nn.", self.tie(child, path))
            return [(f"{label}: {text}" if label else text, pos)]
        pos = pos_of(child.node, self.reader.lines)
        self.prefix.append(label or None)
        try:
            body = self.children(child)
        finally:
            self.prefix.pop()
        base = child.cls.name if isinstance(child, Instance) else child.kind
        if not body:
            return []
        name = self.block(base, body, pos)
        return [(f"{label}: {name}()" if label else f"{name}()", pos)]


class _KerasWriter(_Writer):
    """A Keras model (Sequential, functional, or subclassed and called) as a network."""

    def describe(self, model: Any, name: str) -> Description:
        network = _name(name)
        self.used.add(network)
        pos = pos_of(getattr(model, "node", None) or ast.Pass(), self.reader.lines)
        #: each layer written, by id: a layer applied twice (shared) is written once, then tied to itself
        self.layers: dict[int, Layer] = {}
        notes = [f"read from Python code ({self.reader.filename})"]
        body = self.shared_layers(self.model_body(model, pos), notes)
        header = [f"# read from {self.reader.filename}: Keras"]
        text, origins = self.finish(header, network, body, pos)
        return Description(text, network, "keras", origins, notes)

    def shared_layers(self, body: list[tuple[str, Pos]], notes: list[str]) -> list[tuple[str, Pos]]:
        """A layer applied more than once keeps one set of weights (Keras counts them once): its first
        line gets a label, and every later one is the same layer tied to it, without a bias of its own."""
        uses: dict[int, int] = {}
        for line, _ in body:
            for mark in _MARK.finditer(line):
                uses[int(mark.group(1))] = uses.get(int(mark.group(1)), 0) + 1
        labels: dict[int, str] = {}
        out: list[tuple[str, Pos]] = []
        for line, pos in body:
            found = _MARK.search(line)
            if found is None:
                out.append((line, pos))
                continue
            key = int(found.group(1))
            layer = self.layers[key]
            indent = line[:found.start()]
            entry = lookup(layer.name)
            if uses[key] == 1 or (entry is not None and entry.tensors is _no_tensors):
                out.append((indent + line[found.end():], pos))
            elif key not in labels:
                labels[key] = self.shared_label(layer)
                out.append((f"{indent}{labels[key]}: {line[found.end():]}", pos))
            else:
                out.append((indent + self.tied_text(layer, labels[key]), pos))
                notes.append(f"layers.{layer.name} at line {pos.line} is applied {uses[key]} times: Keras keeps one "
                             "set of its weights, counted once (its later uses are written shared= the first)")
        return out

    def shared_label(self, layer: Layer) -> str:
        given = layer.kwargs.get("name")
        bound = next((name for name, value in self.reader.module.names.items() if value is layer), None)
        base = _name(given) if isinstance(given, str) and given else _name(bound) if bound else "shared"
        label, number = base, 1
        while label in self.used or lookup(label) is not None:
            number += 1
            label = f"{base}_{number}"
        self.used.add(label)
        return label

    def tied_text(self, layer: Layer, label: str) -> str:
        """A later use of a shared layer: the same call, ``shared=`` the first (its weights counted there)."""
        kwargs = {k: v for k, v in layer.kwargs.items() if k != "name"}
        copy = Layer(layer.framework, layer.name, layer.args, kwargs, layer.node)
        return self.call_text(copy, "layers.", f"shared={label}")

    def model_body(self, model: Any, pos: Pos) -> list[tuple[str, Pos]]:
        if isinstance(model, KSequential):
            body: list[tuple[str, Pos]] = []
            if model.start is not None:
                body.append(self.input_line(model.start))
            for layer in model.layers:
                body.extend(self.layer_lines(layer))
            return body
        if isinstance(model, KModel):
            if len(model.outputs) > 1:
                return self.outputs_body(model)
            if len(model.inputs) == 1:
                start = model.inputs[0]
                return [self.input_line(start), *self.path(start, model.outputs[0])]
            body = self.path(None, model.outputs[0])
            for tensor in model.inputs:
                if not any(line.strip().startswith("keras.Input(") and pos == pos_of(tensor.node, self.reader.lines)
                           for line, pos in body):
                    raise self.reader.error("this input does not lead to the model's output", tensor.node)
            return body
        if isinstance(model, Instance) and id(model) in self.reader.graphs:
            return self.model_body(self.reader.graphs[id(model)], pos)
        raise self.reader.error(f"{describe_value(model)} is never called on an input, so its layers' sizes are "
                                "unknown", getattr(model, "node", None),
                                hint="build it in the file: model(keras.Input(shape=(...))) or model.build(...)")

    def outputs_body(self, model: KModel) -> list[tuple[str, Pos]]:
        """``keras.Model(inputs, [a, b])``: the layers every output comes from, then each output's own
        layers as a branch of ``parallel(merge="outputs")``."""
        start = model.inputs[0] if len(model.inputs) == 1 else None
        split = self.split_point(start, model.outputs)
        pos = pos_of(model.node, self.reader.lines)
        if split is None:
            lines: list[tuple[str, Pos]] = []
        elif start is None:
            lines = self.path(None, split)
        else:
            lines = [self.input_line(start), *self.path(start, split)] if split is not start else [self.input_line(start)]
        block = [('parallel(merge="outputs") {', pos)]
        for output in model.outputs:
            block.append(("    branch {", pos))
            block.extend(("        " + line, p) for line, p in self.path(split, output))
            block.append(("    }", pos))
        return [*lines, *block, ("}", pos)]

    def input_line(self, tensor: KTensor) -> tuple[str, Pos]:
        shape = _value(tuple(tensor.shape or ()))
        return f"keras.Input(shape={shape})", pos_of(tensor.node, self.reader.lines)

    def layer_lines(self, layer: Any) -> list[tuple[str, Pos]]:
        if isinstance(layer, Layer):
            self.layers[id(layer)] = layer
            return [(f"\x00{id(layer)}\x00" + self.call_text(layer, "layers."), pos_of(layer.node, self.reader.lines))]
        raise self.reader.error(f"{describe_value(layer)} inside a model is not read yet", getattr(layer, "node", None))

    def path(self, start: KTensor | None, end: KTensor) -> list[tuple[str, Pos]]:
        """The layers from tensor ``start`` to tensor ``end``, branches as ``parallel`` blocks; from the
        model's inputs when ``start`` is None (several inputs: each branch begins with its own input)."""
        lines: list[tuple[str, Pos]] = []
        tensor = end
        while tensor is not start:
            if tensor.producer is None:
                if start is None:
                    return [self.input_line(tensor), *lines]
                raise self.reader.error("this input is not the model's input", tensor.node,
                                        hint="give every input to keras.Model([...], output)")
            producer = tensor.producer
            if isinstance(producer, Layer) and producer.name in MERGES:
                split = self.split_point(start, tensor.inputs)
                branches = [self.path(split, branch) for branch in tensor.inputs]
                merge = MERGES[producer.name]
                pos = pos_of(producer.node, self.reader.lines)
                block = [(f'parallel(merge="{merge}") {{', pos)]
                for branch in branches:
                    block.append(("    branch {", pos))
                    block.extend(("        " + line, p) for line, p in branch)
                    block.append(("    }", pos))
                block.append(("}", pos))
                lines[:0] = block
                if split is None:
                    return lines
                tensor = split
                continue
            if isinstance(producer, (KSequential, KModel)) or isinstance(producer, Instance):
                inner = self.model_body(producer, pos_of(tensor.node, self.reader.lines))
                lines[:0] = [line for line in inner if not line[0].startswith("keras.Input(")]
            else:
                lines[:0] = self.layer_lines(producer)
            tensor = tensor.inputs[0]
        return lines

    def split_point(self, start: KTensor | None, branches: list[KTensor]) -> KTensor | None:
        """The latest tensor every branch comes from: where they leave one another (None: from the
        model's separate inputs, when ``start`` is None)."""
        chains = [self.ancestors(b, start) for b in branches]
        common = [t for t in chains[0] if all(t in chain for chain in chains[1:])]
        if not common:
            if start is None:
                return None
            raise self.reader.error("these branches do not come from one tensor of the model", branches[0].node)
        return common[0]

    def ancestors(self, tensor: KTensor, start: KTensor | None) -> list[KTensor]:
        """``tensor`` and the tensors before it back to ``start``, nearest first (breadth first)."""
        order: list[KTensor] = []
        queue = [tensor]
        while queue:
            current = queue.pop(0)
            if current in order:
                continue
            order.append(current)
            if current is not start:
                queue.extend(current.inputs)
        return order


__all__ = ["Description", "ModuleRef", "Reader", "describe_python"]
