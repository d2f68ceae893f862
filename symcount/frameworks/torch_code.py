"""PyTorch model code: ``torch.nn`` calls, ``nn.Module`` objects, and the description they become.

Parameters are counted from ``__init__`` (what ``model.parameters()`` holds), never from
``forward``: the modules an object is given (directly, in ``nn.Sequential``, ``nn.ModuleList`` or
``nn.ModuleDict``, or in a sub-module class of the file) become layers and blocks of a symcount
network in the order torch registers them, a module given twice is counted once, and
``self.head.weight = self.wte.weight`` becomes ``tied=``. A plain Python list of modules is not
registered by torch, and is not counted here either.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Any

from symcount.catalog.spellings import TORCH_NN
from symcount.errors import did_you_mean
from symcount.frameworks.python_values import BuiltinMethod, Instance, Layer, Opaque, describe_value, is_plain

#: torch.nn containers and the stacks that clone a layer.
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
STACKS = ("TransformerEncoder", "TransformerDecoder")
#: Tensor methods that keep the number of elements (what a buffer counts).
_SAME_SIZE = ("float", "double", "half",
              "long", "int", "bool", "to", "contiguous", "clone", "detach", "requires_grad_", "fill_",
              "zero_", "normal_", "uniform_", "exp", "sin", "cos", "log", "sqrt", "abs", "neg", "masked_fill",
              "type", "cuda", "cpu", "flip", "mul_", "add_", "div_")
_CREATORS = ("zeros", "ones", "empty", "randn", "rand", "full", "eye")
_SAME_AS_INPUT = ("tril", "triu", "exp", "sin", "cos", "log", "sqrt", "abs", "zeros_like", "ones_like",
                  "randn_like", "rand_like", "empty_like", "clone", "sigmoid", "tanh")


def torch_nn_name(path: str) -> str | None:
    """``Conv2d`` for ``torch.nn.Conv2d`` (or ``nn.Conv2d``); None for any other path."""
    for prefix in ("torch.nn.", "nn."):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            if rest.startswith("modules."):
                rest = rest.rsplit(".", 1)[-1]
            return rest if "." not in rest else None
    return None


def torch_function(path: str) -> str | None:
    """``zeros`` for ``torch.zeros``; None for anything outside the ``torch`` namespace itself."""
    if path.startswith("torch.") and path.count(".") == 1:
        return path.split(".", 1)[1]
    return None


@dataclass(eq=False)
class Container:
    """``nn.Sequential``, ``nn.ModuleList`` or ``nn.ModuleDict``: named modules in order."""

    kind: str
    node: ast.AST
    items: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        return f"nn.{self.kind}"


@dataclass(eq=False)
class TorchTensor:
    """A tensor the code creates (``torch.zeros(n, d)``): only its shape is known."""

    shape: tuple[int, ...]
    node: ast.AST
    #: a buffer registered with ``persistent=False`` (in ``buffers()``, not in ``state_dict``)
    persistent: bool = True

    @property
    def numel(self) -> int:
        size = 1
        for n in self.shape:
            size *= n
        return size

    def label(self) -> str:
        return f"a tensor of shape {self.shape}"


@dataclass(eq=False)
class TensorRef:
    """``layer.weight`` / ``layer.bias``: a tensor of a layer (what weight tying assigns)."""

    layer: Layer
    name: str

    def label(self) -> str:
        return f"{self.layer.name}(...).{self.name}"


@dataclass(eq=False)
class Parameter:
    """``nn.Parameter(tensor)``: a learned tensor of its own."""

    tensor: TorchTensor
    trainable: bool
    node: ast.AST

    def label(self) -> str:
        return "nn.Parameter"


#: nn.Module's walks over its own tensors and modules: a loop over one that only initialises is skipped.
_WALKS = ("parameters", "named_parameters", "buffers", "named_buffers", "modules", "named_modules", "children",
          "named_children")
#: Tensor methods that move sizes about: the buffer's shape follows them (:func:`_reshaped`).
_RESHAPES = ("unsqueeze", "squeeze", "transpose", "swapaxes", "t", "permute", "view", "reshape", "flatten",
             "expand")


def _reshaped(reader: Any, tensor: TorchTensor, name: str, args: list[Any], kwargs: dict[str, Any],
              node: ast.AST) -> Any:
    """``tensor.<name>(*args)``'s shape, or a run-time value when the sizes are not written."""
    numbers = [*args, *kwargs.values()]
    if len(numbers) == 1 and isinstance(numbers[0], (tuple, list)):
        numbers = list(numbers[0])
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return Opaque(f"{name} with sizes known only at run time", node)
    shape = _new_shape(list(tensor.shape), name, numbers)
    if shape is None:
        raise reader.error(f"{name}{tuple(numbers)} does not fit a tensor of shape {tensor.shape}", node)
    return TorchTensor(tuple(shape), node)


def _axis(index: int, rank: int) -> int | None:
    return index + rank if -rank <= index < 0 else index if 0 <= index < rank else None


def _new_shape(shape: list[int], name: str, numbers: list[int]) -> list[int] | None:  # noqa: PLR0911
    rank = len(shape)
    if name == "unsqueeze" and len(numbers) == 1:
        where = _axis(numbers[0], rank + 1)
        return None if where is None else [*shape[:where], 1, *shape[where:]]
    if name == "squeeze":
        if not numbers:
            return [n for n in shape if n != 1]
        axes = [_axis(i, rank) for i in numbers]
        if any(a is None for a in axes):
            return None
        return [n for i, n in enumerate(shape) if not (i in axes and n == 1)]
    if name in ("transpose", "swapaxes", "t"):
        pair = [0, 1] if name == "t" and not numbers else numbers
        if len(pair) != 2 or (name == "t" and rank != 2):
            return None
        a, b = _axis(pair[0], rank), _axis(pair[1], rank)
        if a is None or b is None:
            return None
        shape[a], shape[b] = shape[b], shape[a]
        return shape
    if name == "permute":
        axes = [_axis(i, rank) for i in numbers]
        if sorted(a for a in axes if a is not None) != list(range(rank)):
            return None
        return [shape[a] for a in axes if a is not None]
    if name in ("view", "reshape"):
        return _view(shape, numbers)
    if name == "expand":
        return _expand(shape, numbers)
    if name == "flatten" and rank:
        start, end = (numbers[0] if numbers else 0), (numbers[1] if len(numbers) > 1 else -1)
        a, b = _axis(start, rank), _axis(end, rank)
        if a is None or b is None or a > b:
            return None
        return [*shape[:a], _product(shape[a:b + 1]), *shape[b + 1:]]
    return None


def _view(shape: list[int], sizes: list[int]) -> list[int] | None:
    """``view(*sizes)``: one size may be -1 (what the others leave); the sizes must hold every element."""
    total = _product(shape)
    known = _product([n for n in sizes if n != -1])
    if sizes.count(-1) > 1 or any(n < -1 for n in sizes) or (-1 in sizes and (known == 0 or total % known)):
        return None
    sizes = [total // known if n == -1 else n for n in sizes]
    return sizes if _product(sizes) == total else None


def _expand(shape: list[int], sizes: list[int]) -> list[int] | None:
    """``expand(*sizes)``: -1 keeps a size, a size of 1 grows, new sizes go in front."""
    if len(sizes) < len(shape):
        return None
    lead = len(sizes) - len(shape)
    out = list(sizes[:lead])
    for old, new in zip(shape, sizes[lead:], strict=True):
        if new == -1 or new == old:
            out.append(old)
        elif old == 1 and new >= 0:
            out.append(new)
        else:
            return None
    return out if all(n >= 0 for n in out) else None


def _nested_shape(values: Any) -> tuple[int, ...]:
    """The shape of ``torch.tensor([[1, 2], [3, 4]])``: the lengths of the nested lists."""
    if isinstance(values, (list, tuple)):
        return (len(values), *(_nested_shape(values[0]) if values else ()))
    return ()


def _product(sizes: list[int]) -> int:
    size = 1
    for n in sizes:
        size *= n
    return size


def is_module(value: Any) -> bool:
    """Whether torch registers ``value`` as a sub-module when it is assigned to an attribute."""
    if isinstance(value, Layer):
        return value.framework == "pytorch"
    if isinstance(value, Container):
        return True
    return isinstance(value, Instance) and is_torch_class(value)


def is_torch_class(instance: Instance) -> bool:
    base = instance.cls.framework_base()
    return base is not None and torch_nn_name(base) == "Module"


class TorchCalls:
    """The ``torch`` / ``torch.nn`` calls of a file, on the reader's values (a mix-in of the reader)."""

    def torch_call(self: Any, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """A call under ``torch``: a layer, a container, a tensor, or a run-time value."""
        name = torch_nn_name(path)
        if name is not None:
            return self.torch_nn_call(name, path, args, kwargs, node)
        function = torch_function(path)
        if function in _CREATORS:
            return self.tensor_creation(function, args, kwargs, node)
        if function == "arange":
            numbers = [self.concrete(a, node, "arange's bounds") for a in args]
            if not all(isinstance(n, (int, float)) for n in numbers) or not numbers:
                return Opaque("torch.arange with bounds computed at run time", node)
            return TorchTensor((len(range(*[int(n) for n in numbers])),), node)
        if function == "tensor" and args and isinstance(args[0], (list, tuple)) and is_plain(args[0]):
            return TorchTensor(_nested_shape(args[0]), node)
        if function == "tensor" and args and isinstance(args[0], (int, float)):
            return TorchTensor((), node)
        if function in _SAME_AS_INPUT and args and isinstance(args[0], TorchTensor):
            return TorchTensor(args[0].shape, node)
        return Opaque(f"{path}(...) is computed when the model runs", node)

    def tensor_creation(self: Any, function: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """``torch.zeros(n, d)``, ``torch.zeros((n, d))``, ``torch.full((n,), 0.5)``, ``torch.eye(n)``."""
        dims = args
        if function == "full":
            dims = args[:1]
        elif function == "eye":
            rows = args[0] if args else kwargs.get("n")
            columns = args[1] if len(args) > 1 else kwargs.get("m")
            dims = [rows, rows if columns is None else columns]
        if len(dims) == 1 and isinstance(args[0], (tuple, list)):
            dims = list(args[0])
        if "size" in kwargs:
            dims = list(kwargs["size"]) if isinstance(kwargs["size"], (tuple, list)) else [kwargs["size"]]
        if any(isinstance(d, Opaque) for d in dims):
            return Opaque("a tensor whose shape is known only at run time", node)
        if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
            return Opaque("a tensor whose shape is not whole numbers", node)
        return TorchTensor(tuple(dims), node)

    def torch_nn_call(self: Any, name: str, path: str, args: list[Any], kwargs: dict[str, Any],
                      node: ast.Call) -> Any:
        if name in CONTAINERS:
            return self.container(name, args, node)
        if name in STACKS:
            return self.stack(name, args, kwargs, node)
        if name == "Parameter":
            tensor = args[0] if args else kwargs.get("data")
            if not isinstance(tensor, TorchTensor):
                if isinstance(tensor, Opaque) and tensor.error is not None:
                    raise tensor.error
                reason = f" ({tensor.reason})" if isinstance(tensor, Opaque) else ""
                raise self.error(f"nn.Parameter of a tensor whose shape is not written in the code{reason}", node,
                                 hint="write it as nn.Parameter(torch.zeros(1, n, d)) with the sizes")
            trainable = kwargs.get("requires_grad", args[1] if len(args) > 1 else True)
            return Parameter(tensor, bool(self.concrete(trainable, node)), node)
        if name in TORCH_NN:
            return Layer("pytorch", name, args, kwargs, node)
        if name == "Module":
            return Opaque("an empty nn.Module", node)
        if name[:1].isupper():
            raise self.error(f"unknown module class nn.{name}: symcount does not count it", node.func,
                             hint=did_you_mean(name, TORCH_NN) or
                             "the torch.nn layers symcount counts are listed in docs/layers.md")
        return Opaque(f"{path}(...) is computed when the model runs", node)

    def container(self: Any, kind: str, args: list[Any], node: ast.Call) -> Container:
        out = Container(kind, node)
        if kind == "Sequential":
            if len(args) == 1 and isinstance(args[0], dict):
                items = list(args[0].items())
            else:
                items = [(str(i), a) for i, a in enumerate(args)]
        elif not args or args[0] is None:
            items = []
        elif kind == "ModuleDict":
            given = args[0]
            items = list(given.items()) if isinstance(given, dict) else list(self.iterate(given, node))
        else:
            items = [(str(i), a) for i, a in enumerate(self.iterate(args[0], node))]
        for key, value in items:
            self.check_module(value, node, f"nn.{kind}")
            out.items[str(key)] = value
        return out

    def check_module(self: Any, value: Any, node: ast.AST, where: str) -> None:
        if not is_module(value):
            if isinstance(value, Opaque):
                self.concrete(value, node, f"a module given to {where}")
            raise self.error(f"{where} takes modules, not {describe_value(value)}", node,
                             hint="give it nn layers, containers or nn.Module objects of the file")

    def stack(self: Any, kind: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Container:
        """``nn.TransformerEncoder(layer, n, norm)``: n deep copies of the layer, then the norm."""
        names = ("encoder_layer" if kind == "TransformerEncoder" else "decoder_layer", "num_layers", "norm")
        bound = dict(zip(names, args, strict=False)) | {k: v for k, v in kwargs.items() if k in names}
        layer, count = bound.get(names[0]), self.concrete(bound.get("num_layers"), node, "num_layers")
        if not is_module(layer):
            raise self.error(f"nn.{kind} takes a layer to clone, not {describe_value(layer)}", node)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise self.error(f"nn.{kind}'s num_layers must be a whole number, not {describe_value(count)}", node)
        clones = Container("ModuleList", node)
        for index in range(count):
            clones.items[str(index)] = copy.copy(layer)
        out = Container(kind, node, {"layers": clones})
        norm = bound.get("norm")
        if norm is not None:
            self.check_module(norm, node, f"nn.{kind}'s norm")
            out.items["norm"] = norm
        return out

    # -- attributes and methods of torch values ------------------------------------------------

    def torch_instance_attribute(self: Any, obj: Instance, name: str, node: ast.AST) -> Any:
        """``self.register_buffer``, ``model.to(device)``, ``self.add_module``: nn.Module's methods."""
        if name == "register_buffer":
            return BuiltinMethod(name, lambda a, k, n: self.register_buffer(obj, a, k, n))
        if name in ("add_module", "register_module"):
            def add(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
                key = self.concrete(a[0] if a else k.get("name"), n, "the module's name")
                module = a[1] if len(a) > 1 else k.get("module")
                self.set_attribute(obj, str(key), module, n)
            return BuiltinMethod(name, add)
        if name == "register_parameter":
            def register(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
                key = self.concrete(a[0] if a else k.get("name"), n, "the parameter's name")
                self.set_attribute(obj, str(key), a[1] if len(a) > 1 else k.get("param"), n)
            return BuiltinMethod(name, register)
        if name in ("to", "cuda", "cpu", "eval", "train", "float", "double", "half", "apply", "requires_grad_"):
            return BuiltinMethod(name, lambda a, k, n: obj)
        if name in _WALKS:
            return BuiltinMethod(name, lambda a, k, n: Opaque(f"nn.Module's {name}() is walked when the model "
                                                              "runs", n, walk=True))
        return Opaque(f"nn.Module's {name} is run when the model runs", node)

    def register_buffer(self: Any, obj: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> None:
        key = self.concrete(args[0] if args else kwargs.get("name"), node, "the buffer's name")
        tensor = args[1] if len(args) > 1 else kwargs.get("tensor")
        if tensor is None:
            obj.buffers[str(key)] = None
            return
        if not isinstance(tensor, TorchTensor):
            if isinstance(tensor, Opaque) and tensor.error is not None:
                raise tensor.error
            raise self.error(f"buffer {str(key)!r}: its shape is not written in the code"
                             f"{f' ({tensor.reason})' if isinstance(tensor, Opaque) else ''}", node,
                             hint="register a tensor whose sizes are written, e.g. torch.zeros(n, d), "
                                  "torch.tril(torch.ones(n, n)), torch.arange(n)")
        persistent = args[2] if len(args) > 2 else kwargs.get("persistent", True)
        persistent = self.concrete(persistent, node, "persistent=")
        obj.buffers[str(key)] = TorchTensor(tensor.shape, tensor.node, bool(persistent))

    def torch_value_attribute(self: Any, obj: Any, name: str, node: ast.AST) -> Any:
        if isinstance(obj, Layer) and name in ("weight", "bias"):
            return TensorRef(obj, name)
        if isinstance(obj, Layer):
            return Opaque(f"{obj.name}'s {name} is read when the model runs", node)
        if isinstance(obj, Container):
            return self.container_method(obj, name, node)
        if isinstance(obj, TorchTensor):
            if name == "shape":
                return obj.shape
            if name == "size":
                return BuiltinMethod(name, lambda a, k, n: obj.shape if not a else obj.shape[a[0]])
            if name in _SAME_SIZE:
                return BuiltinMethod(name, lambda a, k, n: TorchTensor(obj.shape, n))
            if name in _RESHAPES:
                return BuiltinMethod(name, lambda a, k, n: _reshaped(self, obj, name, a, k, n))
            if name in ("data", "T", "mT"):
                return obj
        if isinstance(obj, (TensorRef, Parameter)):
            return Opaque(f"the tensor's {name} is computed when the model runs", node)
        raise self.error(f"{describe_value(obj)} has no attribute {name} that symcount reads", node)

    def container_method(self: Any, obj: Container, name: str, node: ast.AST) -> Any:
        def append(a: list[Any], k: dict[str, Any], n: ast.AST) -> Container:
            for module in a:
                self.check_module(module, n, f"nn.{obj.kind}.append")
                obj.items[str(len(obj.items))] = module
            return obj

        def extend(a: list[Any], k: dict[str, Any], n: ast.AST) -> Container:
            for module in self.iterate(a[0], n):
                append([module], {}, n)
            return obj

        def insert(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
            values = list(obj.items.values())
            values.insert(self.concrete(a[0], n), a[1])
            obj.items = {str(i): v for i, v in enumerate(values)}

        def add_module(a: list[Any], k: dict[str, Any], n: ast.AST) -> None:
            obj.items[str(self.concrete(a[0], n))] = a[1]

        methods = {"append": append, "extend": extend, "insert": insert, "add_module": add_module}
        if name in methods:
            return BuiltinMethod(name, methods[name])
        if name in ("keys", "values", "items"):
            return BuiltinMethod(name, lambda a, k, n: list(getattr(obj.items, name)()))
        if name in obj.items:
            return obj.items[name]
        if name in ("to", "cuda", "cpu", "eval", "train", "apply"):
            return BuiltinMethod(name, lambda a, k, n: obj)
        return Opaque(f"nn.{obj.kind}'s {name} is run when the model runs", node)

    def container_items(self: Any, obj: Container, node: ast.AST) -> list[Any]:
        return list(obj.items) if obj.kind == "ModuleDict" else list(obj.items.values())

    def container_item(self: Any, obj: Container, key: Any, node: ast.AST) -> Any:
        if isinstance(key, str):
            if key not in obj.items:
                raise self.error(f"nn.{obj.kind} has no item {key!r}", node)
            return obj.items[key]
        values = list(obj.items.values())
        if isinstance(key, slice):
            return Container(obj.kind, node, {str(i): v for i, v in enumerate(values[key])})
        if isinstance(key, int):
            try:
                return values[key]
            except IndexError:
                raise self.error(f"nn.{obj.kind} has {len(values)} items, no item {key}", node) from None
        raise self.error(f"nn.{obj.kind} cannot be indexed by {describe_value(key)}", node)

    def torch_set_attribute(self: Any, obj: Any, name: str, value: Any, node: ast.AST) -> bool:
        """``self.head.weight = self.wte.weight``: weight tying. True when handled."""
        if isinstance(obj, Layer) and name == "weight":
            if isinstance(value, TensorRef) and value.name == "weight":
                obj.tied = value.layer
                return True
            raise self.error(f"replacing {obj.name}'s weight with {describe_value(value)} is not read", node,
                             hint="weight tying is read: self.head.weight = self.embedding.weight")
        if isinstance(obj, TensorRef) and name == "requires_grad":
            raise self.error(f"freezing {obj.layer.name}'s {obj.name} alone is not read", node,
                             hint="freeze a whole layer in the description it is read as: trainable=false")
        if isinstance(obj, (Layer, TorchTensor, TensorRef, Container)):
            if name == "data":
                return True
            raise self.error(f"setting {name} on {describe_value(obj)} is not read", node)
        return False

