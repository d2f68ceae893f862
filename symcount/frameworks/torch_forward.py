"""A PyTorch model's ``forward``, followed: the order its layers run in and the shape operations between.

``forward`` is run by the reader on a :class:`FTensor` (a tensor of the model's input whose sizes are
left to the description): a module of the model called on it, a functional call that is a catalog
layer (``F.relu``, ``F.max_pool2d(x, 2)``, ``torch.flatten(x, 1)``, ``x.view(x.size(0), -1)``), a
sum of two tensors (a residual) or ``torch.cat`` (a concatenation) each make a new tensor that
remembers what produced it. The graph from the input to what ``forward`` returns then becomes the
network's body (:func:`forward_lines`), branches as ``parallel`` blocks. Anything ``forward`` does
that has no place in a description (a tensor sliced, a parameter used directly, a recurrent layer's
state) makes the result :class:`Lost`, with the reason and place: the parameters are still counted
from ``__init__``, and the output says the shapes were not followed and why.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from typing import Any

from symcount.catalog.common import _no_tensors
from symcount.catalog.core import lookup
from symcount.errors import SymcountError
from symcount.frameworks.python_values import (
    BuiltinMethod,
    Instance,
    Layer,
    Opaque,
    PyFunction,
    describe_value,
    is_plain,
    pos_of,
)
from symcount.frameworks.torch_code import STACKS, Container, Parameter, TorchTensor
from symcount.language.nodes import Pos

#: Creation order of forward's tensors (the first layer to read the input is the earliest).
_ORDER = itertools.count()

#: ``F.<name>`` (also ``torch.<name>``, ``x.<name>()``) -> (the torch.nn layer, its arguments after the input).
FUNCTIONAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "relu": ("ReLU", ()), "relu6": ("ReLU6", ()), "gelu": ("GELU", ()), "silu": ("SiLU", ()),
    "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()), "mish": ("Mish", ()), "hardswish": ("Hardswish", ()),
    "elu": ("ELU", ("alpha",)), "leaky_relu": ("LeakyReLU", ("negative_slope",)),
    "softplus": ("Softplus", ("beta", "threshold")),
    "softmax": ("Softmax", ("dim",)), "log_softmax": ("LogSoftmax", ("dim",)),
    "max_pool1d": ("MaxPool1d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
    "max_pool2d": ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
    "max_pool3d": ("MaxPool3d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")),
    "avg_pool1d": ("AvgPool1d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")),
    "avg_pool2d": ("AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                                 "divisor_override")),
    "avg_pool3d": ("AvgPool3d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                                 "divisor_override")),
    "adaptive_avg_pool1d": ("AdaptiveAvgPool1d", ("output_size",)),
    "adaptive_avg_pool2d": ("AdaptiveAvgPool2d", ("output_size",)),
    "adaptive_avg_pool3d": ("AdaptiveAvgPool3d", ("output_size",)),
    "adaptive_max_pool1d": ("AdaptiveMaxPool1d", ("output_size", "return_indices")),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2d", ("output_size", "return_indices")),
    "dropout": ("Dropout", ("p", "training", "inplace")), "dropout1d": ("Dropout1d", ("p", "training", "inplace")),
    "dropout2d": ("Dropout2d", ("p", "training", "inplace")),
    "dropout3d": ("Dropout3d", ("p", "training", "inplace")),
    "alpha_dropout": ("AlphaDropout", ("p", "training", "inplace")),
}
#: Arguments of a functional call that say how it runs, not what it computes.
_HOW = ("inplace", "training")
#: Tensor methods that give the same tensor (a dtype, a device, memory layout).
_SAME = ("contiguous", "float", "double", "half", "to", "cuda", "cpu", "clone", "detach", "type_as")
#: torch.nn layers whose output is not one tensor of the batch-first layout the description flows.
_NOT_FLOWED = ("RNN", "LSTM", "GRU", "MultiheadAttention", "Transformer", "TransformerEncoderLayer",
               "TransformerDecoderLayer", "RNNCell", "LSTMCell", "GRUCell", "Bilinear")
#: The first layer's kind -> the input's named sizes (C first, then the positions) and which are unknown.
INPUT_KINDS: dict[str, tuple[str, ...]] = {
    "Conv1d": ("C", "L"), "ConvTranspose1d": ("C", "L"),
    "Conv2d": ("C", "H", "W"), "ConvTranspose2d": ("C", "H", "W"),
    "Conv3d": ("C", "D", "H", "W"), "ConvTranspose3d": ("C", "D", "H", "W"),
    "Linear": ("C",), "Embedding": ("L",),
}


class Batch:
    """``x.size(0)`` / ``x.shape[0]``: the batch size, which a description leaves out."""

    def label(self) -> str:
        return "the batch size"


BATCH = Batch()


@dataclass(eq=False)
class FTensor:
    """A tensor in ``forward``: the model's input (no producer) or what a layer or a merge made of others."""

    node: ast.AST
    #: a layer (of the model, or written for a functional call), a merge ("add", "mul", "concat"), or None
    producer: Layer | str | None = None
    inputs: list[FTensor] = field(default_factory=list)
    #: the number of sizes without the batch, when known (a concatenation needs it)
    rank: int | None = None
    order: int = field(default_factory=lambda: next(_ORDER))
    #: the module whose forward made it (None: the model's own, or the input)
    owner: Any = None

    def label(self) -> str:
        return "a tensor in forward"


@dataclass(eq=False)
class FShape:
    """``x.shape`` / ``x.size()``: only the batch (item 0) is read."""

    tensor: FTensor

    def label(self) -> str:
        return "a tensor's shape"


class Lost(Exception):
    """forward cannot be followed: why, and where (the line, 0 when unknown)."""

    def __init__(self, reason: str, node: ast.AST | None, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node
        self.line = line or getattr(node, "lineno", 0) or 0


def _rank_after(layer: Layer, rank: int | None) -> int | None:
    if layer.name == "Flatten":
        return 1
    if layer.name == "Embedding":
        return None if rank is None else rank + 1
    if layer.name == "Unflatten":
        return None
    return rank


def tensors_in(values: list[Any]) -> bool:
    """Whether a call is given a tensor of forward (directly, or in a list as ``torch.cat`` takes them)."""
    return any(isinstance(v, FTensor) or (isinstance(v, (list, tuple)) and any(isinstance(i, FTensor) for i in v))
               for v in values)


class ForwardCalls:
    """forward's calls and arithmetic on :class:`FTensor` values (a mix-in of the reader)."""

    #: the first thing forward does that a description cannot hold (None: followed so far)
    lost: Lost | None = None
    #: the first layer forward applies to its input (what says the input's rank when the file does not)
    first_layer: Layer | None = None

    def lose(self: Any, reason: str, node: ast.AST) -> Opaque:
        """A value forward computes that a description cannot hold: the first such reason is kept."""
        if self.lost is None:
            self.lost = Lost(reason, node)
        return Opaque(reason, node)

    def applied(self: Any, layer: Layer, given: FTensor, node: ast.AST) -> FTensor:
        if given.producer is None and self.first_layer is None:
            self.first_layer = layer
        made: FTensor = self.made(FTensor(node, layer, [given], _rank_after(layer, given.rank)))
        return made

    def made(self: Any, tensor: FTensor) -> FTensor:
        """``tensor``, remembering whose forward made it (what its step is nested under, see ForwardWriter)."""
        owners: list[Any] = self.owners
        tensor.owner = owners[-1] if owners else None
        return tensor

    def apply_module(self: Any, module: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        """``self.conv1(x)``, ``self.features(x)``, ``block(x)``: a module of the model on a tensor."""
        given = args[0] if args else None
        if isinstance(module, Instance):
            forward = module.cls.find("forward")
            if not isinstance(forward, PyFunction):
                return self.lose(f"{module.cls.name} has no forward of its own", node)
            owner = self.owner_of(module.cls, "forward")
            self.owners.append(module)
            try:
                return self.call_function(forward, args, kwargs, node, bound=module, owner=owner)
            finally:
                self.owners.pop()
        if len(args) != 1 or kwargs or not isinstance(given, FTensor):
            return self.lose(f"{_module_name(module)} is called with more than one tensor", node)
        if isinstance(module, Container):
            if module.kind != "Sequential" or module.kind in STACKS:
                return self.lose(f"nn.{module.kind} called in forward is not followed", node)
            out: Any = given
            for item in module.items.values():
                out = self.apply_module(item, [out], {}, node)
                if not isinstance(out, FTensor):
                    return out
            return out
        if isinstance(module, Layer):
            if module.name in _NOT_FLOWED:
                return self.lose(f"nn.{module.name}'s output (a tuple, or a sequence-first layout) is not "
                                 "followed", node)
            return self.applied(module, given, node)
        return self.lose(f"{_module_name(module)} is not followed", node)

    def forward_library(self: Any, path: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """``F.relu(x)``, ``torch.flatten(x, 1)``, ``torch.cat([a, b], 1)`` on tensors of forward."""
        name = path.rsplit(".", 1)[-1]
        known = path.startswith(("torch.nn.functional.", "torch.")) and path.count(".") <= 3
        if known and name in ("cat", "concat", "concatenate"):
            return self.concatenate(args, kwargs, node)
        if known and name == "add" and len(args) == 2:
            return self.merge("add", args[0], args[1], node)
        if known and name == "flatten" and args and isinstance(args[0], FTensor):
            return self.flatten(args[0], args[1:], kwargs, node)
        if known and name == "mean" and args and isinstance(args[0], FTensor):
            return self.spatial_mean(args[0], args[1:], kwargs, node)
        if known and name in FUNCTIONAL and args and isinstance(args[0], FTensor):
            return self.functional(name, args[0], args[1:], kwargs, node)
        return self.lose(f"{path}(...) in forward is not followed", node)

    def functional(self: Any, name: str, given: FTensor, args: list[Any], kwargs: dict[str, Any],
                   node: ast.AST) -> Any:
        layer_name, names = FUNCTIONAL[name]
        if len(args) > len(names):
            return self.lose(f"{name} is given more arguments than it takes", node)
        bound = dict(zip(names, args, strict=False)) | kwargs
        if any(key not in names for key in bound):
            return self.lose(f"{name}({', '.join(bound)}) is not followed", node)
        if bound.get("return_indices"):
            return self.lose(f"{name} with return_indices=True gives two tensors", node)
        written = {k: v for k, v in bound.items() if k not in _HOW and k != "return_indices"}
        if not all(is_plain(v) for v in written.values()):
            return self.lose(f"{name}'s arguments are computed when the model runs", node)
        if layer_name.startswith("Dropout") and "p" not in written:
            written["p"] = 0.5
        return self.applied(Layer("pytorch", layer_name, [], written, _call(node)), given, node)

    def flatten(self: Any, given: FTensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        """``torch.flatten(x, 1)`` / ``x.flatten(1)``: every size but the batch's, which is nn.Flatten()."""
        start = args[0] if args else kwargs.get("start_dim", 0)
        end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
        if start != 1 or end != -1:
            return self.lose(f"flatten({start}, {end}) keeps or joins other sizes than all but the batch", node)
        return self.applied(Layer("pytorch", "Flatten", [], {}, _call(node)), given, node)

    def spatial_mean(self: Any, given: FTensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        """``x.mean((2, 3))`` / ``torch.mean(x, dim=[-2, -1])`` on a (C, H, W) map: global average pooling,
        nn.AdaptiveAvgPool2d(1), then nn.Flatten() unless ``keepdim=True``."""
        dims = args[0] if args else kwargs.get("dim")
        keep = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
        if given.rank != 3 or not isinstance(dims, (tuple, list)) or sorted(d % 4 if isinstance(d, int) else -1
                                                                           for d in dims) != [2, 3]:
            return self.lose("a mean over other sizes than the positions of a (C, H, W) map is not followed", node)
        if not isinstance(keep, bool):
            return self.lose("mean's keepdim is computed when the model runs", node)
        pooled = self.applied(Layer("pytorch", "AdaptiveAvgPool2d", [1], {}, _call(node)), given, node)
        return pooled if keep else self.applied(Layer("pytorch", "Flatten", [], {}, _call(node)), pooled, node)

    def view(self: Any, given: FTensor, args: list[Any], node: ast.AST) -> Any:
        """``x.view(x.size(0), -1)``, ``x.reshape(-1, 784)``, ``x.view(-1, 128, 7, 7)``: the batch first, then
        the sizes of each sample.

        ``(batch, -1)`` is nn.Flatten(). Sizes written out are nn.Flatten() then nn.Unflatten(1, sizes), so
        the description keeps what the code states: the engine checks that they multiply to the values of
        a sample, as torch does when the view runs (an error at this line when the sizes are numbers, a
        check left for when they are given when they are symbols). Reading ``x.view(-1, 400)`` as a bare
        flatten would silently give a wrong shape when 400 is not the flattened size.
        """
        sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if len(sizes) >= 2:
            first, rest = sizes[0], sizes[1:]
            batch_known = first is BATCH
            if not batch_known and not _whole(first, -1):
                return self.lose("a view or reshape whose first size is not the batch (x.size(0) or -1) is "
                                 "not followed", node)
            if batch_known and rest == [-1]:
                return self.applied(Layer("pytorch", "Flatten", [], {}, _call(node)), given, node)
            fills = sum(1 for n in rest if _whole(n, -1))
            if len(rest) <= 4 and all(_whole(n) and (n > 0 or n == -1) for n in rest) \
                    and fills <= (1 if batch_known else 0):
                flat = given if given.rank == 1 else self.applied(Layer("pytorch", "Flatten", [], {}, _call(node)),
                                                                   given, node)
                layer = Layer("pytorch", "Unflatten", [1, tuple(rest)], {}, _call(node))
                if len(rest) == 1 and rest[0] > 0:
                    self.view_sizes[id(layer)] = rest[0]
                if flat.producer is None and self.first_layer is None:
                    self.first_layer = layer
                return self.made(FTensor(node, layer, [flat], len(rest)))
        return self.lose("a view or reshape other than (batch, sizes...) is not followed", node)

    def concatenate(self: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        given = args[0] if args else kwargs.get("tensors")
        dim = args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("axis", 0))
        if not isinstance(given, (list, tuple)) or len(given) < 2 or not all(isinstance(t, FTensor) for t in given):
            return self.lose("torch.cat of values other than tensors of forward", node)
        ranks = {t.rank for t in given}
        rank = ranks.pop() if len(ranks) == 1 else None
        if rank not in (1, 3, 4) or dim not in (1, -rank):
            return self.lose(f"torch.cat along dim={dim} is not the channels of a (C,), (C, H, W) or (C, D, H, W) "
                             "tensor", node)
        return self.made(FTensor(node, "concat", list(given), rank))

    def merge(self: Any, kind: str, left: Any, right: Any, node: ast.AST) -> Any:
        if not (isinstance(left, FTensor) and isinstance(right, FTensor)):
            return self.lose(f"{kind} of a tensor and {_describe(left if not isinstance(left, FTensor) else right)}"
                             " is not followed", node)
        return self.made(FTensor(node, kind, [left, right], left.rank if left.rank == right.rank else None))

    def forward_binary(self: Any, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        """``x + y`` (a residual), ``a * b`` (a gate), ``x * 0.5`` (the same tensor, scaled: no layer, no MACs)."""
        if isinstance(left, FTensor) and isinstance(right, FTensor):
            if isinstance(op, ast.Add):
                return self.merge("add", left, right, node)
            if isinstance(op, ast.Mult):
                return self.merge("mul", left, right, node)
            return self.lose(f"{type(op).__name__} of two tensors is not followed", node)
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            other = right if isinstance(left, FTensor) else left
            if isinstance(other, (int, float)) and not isinstance(other, bool):
                return left if isinstance(left, FTensor) else right
        return self.lose(f"{type(op).__name__} of a tensor and {_describe(right if isinstance(left, FTensor) else left)}"
                         " is not followed", node)

    def forward_attribute(self: Any, obj: FTensor, name: str, node: ast.AST) -> Any:
        """``x.view``, ``x.size``, ``x.relu``...: the tensor methods forward is followed through."""
        if name == "shape":
            return FShape(obj)
        if name == "size":
            return BuiltinMethod(name, lambda a, k, n: BATCH if a == [0] else
                                 FShape(obj) if not a else self.lose("a size of the tensor other than the batch", n))
        if name in ("view", "reshape"):
            return BuiltinMethod(name, lambda a, k, n: self.view(obj, a, n))
        if name == "flatten":
            return BuiltinMethod(name, lambda a, k, n: self.flatten(obj, a, k, n))
        if name in _SAME:
            return BuiltinMethod(name, lambda a, k, n: obj)
        if name in ("device", "dtype", "requires_grad", "grad_fn"):
            return Opaque(f"the tensor's {name} is known when the model runs", node)  # harmless unless used
        if name == "is_cuda":
            return False  # read as run on the CPU: the branches for several GPUs are not taken
        if name in ("dim", "ndimension", "ndim") and obj.rank is not None:
            rank = obj.rank + 1
            return rank if name == "ndim" else BuiltinMethod(name, lambda a, k, n: rank)
        if name == "mean":
            return BuiltinMethod(name, lambda a, k, n: self.spatial_mean(obj, a, k, n))
        if name in FUNCTIONAL:
            return BuiltinMethod(name, lambda a, k, n: self.functional(name, obj, a, k, n))
        return self.lose(f"the tensor's {name} is not followed", node)


def _whole(value: Any, equal: int | None = None) -> bool:
    """An int written in the code (not a bool), equal to ``equal`` when given."""
    return isinstance(value, int) and not isinstance(value, bool) and (equal is None or value == equal)


def _call(node: ast.AST) -> ast.Call:
    return node if isinstance(node, ast.Call) else ast.Call(ast.Name("f"), [], [])


def _module_name(module: Any) -> str:
    label = getattr(module, "label", None)
    return str(label()) if callable(label) else type(module).__name__


def _describe(value: Any) -> str:
    return describe_value(value)


# ---- the graph as a description's body ----------------------------------------------------------


#: A line of the body before labels are given: its indent, a layer (labelled when written) or text, its place,
#: and the module whose forward made it (None: the model's).
Item = tuple[str, Layer | str, ast.AST, Any]


def forward_items(start: FTensor, end: FTensor) -> list[Item]:
    """The steps from ``start`` to ``end`` in order, branches as ``parallel`` blocks (raises :class:`Lost`)."""
    items: list[Item] = []
    tensor = end
    while tensor is not start:
        producer = tensor.producer
        if producer is None:
            raise Lost("forward's output does not come from its input alone", tensor.node)
        if isinstance(producer, str):
            split = _split_point(start, tensor.inputs)
            owner = tensor.owner
            block: list[Item] = [("", f'parallel(merge="{producer}") {{', tensor.node, owner)]
            for branch in tensor.inputs:
                block.append(("    ", "branch {", tensor.node, owner))
                block.extend(("        " + indent, item, node, made)
                             for indent, item, node, made in forward_items(split, branch))
                block.append(("    ", "}", tensor.node, owner))
            block.append(("", "}", tensor.node, owner))
            items[:0] = block
            tensor = split
            continue
        items.insert(0, ("", producer, tensor.node, tensor.owner))
        tensor = tensor.inputs[0]
    return items


def outputs_items(start: FTensor, outputs: list[FTensor], node: ast.AST, owner: Any) -> list[Item]:
    """``return logits, features``: the steps every output comes from, then each output's own as a branch
    of ``parallel(merge="outputs")``."""
    split = _split_point(start, outputs)
    items = forward_items(start, split)
    items.append(("", 'parallel(merge="outputs") {', node, owner))
    for output in outputs:
        items.append(("    ", "branch {", node, owner))
        items.extend(("        " + indent, item, where, made)
                     for indent, item, where, made in forward_items(split, output))
        items.append(("    ", "}", node, owner))
    items.append(("", "}", node, owner))
    return items


def _split_point(start: FTensor, branches: list[FTensor]) -> FTensor:
    """The latest tensor every branch comes from (where they part)."""
    chains = [_ancestors(b, start) for b in branches]
    common = [t for t in chains[0] if all(t in chain for chain in chains[1:])]
    if not common:
        raise Lost("branches that do not come from one tensor", branches[0].node)
    return max(common, key=lambda t: t.order)


def _ancestors(tensor: FTensor, start: FTensor) -> list[FTensor]:
    """``tensor`` and every tensor it comes from, back to ``start``."""
    order: list[FTensor] = []
    queue = [tensor]
    while queue:
        current = queue.pop(0)
        if current in order:
            continue
        order.append(current)
        if current is not start:
            queue.extend(current.inputs)
    return order


class ForwardWriter:
    """The network's body written from forward (a mix-in of the PyTorch writer of code_reader)."""

    def forward_body(self: Any, model: Any) -> tuple[list[tuple[str, Pos]], list[str], str]:
        """The network's body in the order forward runs its layers: the input, the model's own tensors (they
        change no shape), then the steps; its parameters (the input's sizes not written); raises :class:`Lost`."""
        paths: dict[int, str] = {}
        tensors: list[tuple[str, Any]] = []
        #: every layer of the model, by id
        self.forward_layers: dict[int, Layer] = {}
        #: every sub-module (not a layer) of the model, by its dotted path
        self.forward_modules: dict[str, Any] = {}
        self.module_paths(model, "", paths, tensors)
        sample = self.reader.samples.get(id(model))
        rank = None if sample is None else len(sample) - 1
        if rank is None:  # a first pass finds the first layer, which says the input's rank
            self.reader.first_layer = None
            try:
                self.follow(model, None)
            except Lost:
                pass
            first = self.reader.first_layer
            rank = len(INPUT_KINDS[first.name]) if first is not None and first.name in INPUT_KINDS else None
        items, start = self.follow(model, rank)
        reader = next((item for _, item, _, _ in items if isinstance(item, Layer)), None)
        line, params, unknown, drop = self.input_line(reader, items, sample, start.node)
        if drop:  # the view that states the input's size, and the flatten before it
            items = items[next(i for i, (_, item, _, _) in enumerate(items)
                               if isinstance(item, Layer) and id(item) in self.reader.view_sizes) + 1:]
        body = [line]
        for path, tensor in tensors:
            kind, extra = (("parameter", "" if tensor.trainable else "trainable=False") if isinstance(tensor, Parameter)
                           else ("buffer", "" if tensor.persistent else "persistent=False"))
            text, pos = self.tensor_line(path.rsplit(".", 1)[-1], getattr(tensor, "tensor", tensor), kind,
                                         tensor.node, extra)
            label = self.safe_name(path.replace(".", "_"))
            body.append((f"{label}: {text.split(': ', 1)[-1]}", pos))
        saved = (list(self.blocks), dict(self.block_names), set(self.used))
        try:
            steps = self.nested_lines(items, paths)
        except Unnested:
            self.blocks, self.block_names, self.used = saved
            steps = self.forward_lines(items, paths)
        return [*body, *steps], params, unknown

    def module_paths(self: Any, module: Any, prefix: str, paths: dict[int, str], tensors: list[tuple[str, Any]]) -> None:
        """Every layer of the model by its dotted path (what forward's layers are labelled by), and its
        own tensors (parameters and buffers, written after the steps)."""
        for key, child in self.items(module):
            path = f"{prefix}{key}"
            if isinstance(child, Parameter):
                tensors.append((path, child))
            elif isinstance(child, Layer):
                paths.setdefault(id(child), path)
                self.forward_layers[id(child)] = child
            elif id(child) not in paths:
                paths[id(child)] = path
                self.forward_modules[path] = child
                self.module_paths(child, path + ".", paths, tensors)
        if isinstance(module, Instance):
            tensors.extend((f"{prefix}{k}", b) for k, b in module.buffers.items() if isinstance(b, TorchTensor))

    def follow(self: Any, model: Any, rank: int | None) -> tuple[list[Item], FTensor]:
        """forward run on an input tensor; the model's attributes are put back as __init__ left them."""
        reader = self.reader
        forward = model.cls.find("forward") if isinstance(model, Instance) else None
        node = forward.node.args.args[1] if forward is not None and len(forward.node.args.args) > 1 else model.node
        start = FTensor(node, rank=rank)
        saved = [(obj, dict(obj.attrs), dict(obj.buffers)) for obj in self.instances(model)]
        reader.lost = None
        try:
            output = reader.apply_module(model, [start], {}, node)
        except SymcountError as err:
            raise Lost(err.message, None, err.pos.line) from None
        finally:
            for obj, attrs, buffers in saved:
                obj.attrs, obj.buffers = attrs, buffers
        if isinstance(output, (tuple, list)) and len(output) > 1 and all(isinstance(o, FTensor) for o in output):
            return outputs_items(start, list(output), node, model), start
        if not isinstance(output, FTensor):
            if reader.lost is not None:
                raise reader.lost
            raise Lost(f"forward returns {describe_value(output)}, not tensors", node)
        return forward_items(start, output), start

    def instances(self: Any, module: Any) -> list[Instance]:
        found = [module] if isinstance(module, Instance) else []
        for _, child in self.items(module):
            if not isinstance(child, (Layer, Parameter)):
                found.extend(self.instances(child))
        return found

    def input_line(self: Any, first: Layer | None, items: list[Item],
                   sample: tuple[int, ...] | None, node: ast.AST) -> tuple[tuple[str, Pos], list[str], str, bool]:
        """``input(C=1, H=H, W=W)``: from the model called on a tensor in the file, else from the first layer
        (its channels; the positions left as symbols); also whether the first step is the input itself."""
        pos = pos_of(node, self.reader.lines)
        leads = bool(items) and items[0][1] is first and first is not None
        kind = INPUT_KINDS.get(first.name) if first is not None and leads else None
        if sample is not None:
            sizes = sample[1:]
            names = kind if kind is not None and len(kind) == len(sizes) else {1: ("C",), 3: ("C", "H", "W"),
                                                                                4: ("C", "D", "H", "W")}.get(len(sizes))
            if names is None:
                raise Lost(f"an input of shape {sample} has no named sizes (C; C, H, W; C, D, H, W)", node)
            return (f"input({', '.join(f'{n}={v}' for n, v in zip(names, sizes, strict=True))})", pos), [], "", False
        if first is not None and leads and first.name in ("Flatten", "Unflatten"):
            sized = next((item for _, item, _, _ in items[:2] if isinstance(item, Layer)
                          and id(item) in self.reader.view_sizes), None)
            if sized is not None:  # x.view(-1, 784) first: the input is 784 values, whatever its shape
                return (f"input(C={self.reader.view_sizes[id(sized)]})", pos), [], "", True
        if kind is None or first is None:
            raise Lost("the input's shape is not written in the file, and forward does not begin with a layer that "
                       "says it (a convolution, nn.Linear, nn.Embedding)", node)
        written: list[str] = []
        for name in kind:
            if name == "C":
                channels = first.args[0] if first.args else next(iter(first.kwargs.values()), None)
                if not isinstance(channels, int) or isinstance(channels, bool):
                    raise Lost(f"nn.{first.name}'s input size is not a number written in the file", first.node)
                written.append(f"C={channels}")
            else:
                written.append(f"{name}={name}")
        params = [n for n in kind if n != "C"]
        said = " and ".join(params) + (" are" if len(params) > 1 else " is") if params else ""
        return (f"input({', '.join(written)})", pos), params, said, False

    def forward_lines(self: Any, items: list[Item], paths: dict[int, str]) -> list[tuple[str, Pos]]:
        """Each step as a line, top to bottom: a layer of the model labelled by its path the first time,
        ``shared=`` that label when forward applies it again (torch counts its weights once), ``tied=`` to
        a layer written before it whose weight it shares; every layer with weights must be used."""
        labels: dict[int, str] = {}
        lines: list[tuple[str, Pos]] = []
        for indent, item, node, _ in items:
            pos = pos_of(node, self.reader.lines)
            if isinstance(item, str):
                lines.append((indent + item, pos))
                continue
            entry = lookup(item.name)
            weights = entry is None or entry.tensors is not _no_tensors
            if id(item) not in paths or id(item) in labels:
                again = f"shared={labels[id(item)]}" if id(item) in labels and weights else ""
                lines.append((indent + self.call_text(item, "nn.", again), pos))
                continue
            label = self.safe_name(paths[id(item)].replace(".", "_"))
            while label in self.used or lookup(label) is not None:
                label += "_"
            self.used.add(label)
            labels[id(item)] = label
            partners = [item.tied, *(x for x in self.forward_layers.values() if x.tied is item)]
            tie = next((f"tied={labels[id(p)]}" for p in partners if id(p) in labels and p is not item), "")
            lines.append((f"{indent}{label}: {self.call_text(item, 'nn.', tie)}", pos_of(item.node, self.reader.lines)))
        for key, layer in self.forward_layers.items():
            entry = lookup(layer.name)
            if key not in labels and (entry is None or entry.tensors is not _no_tensors):
                raise Lost(f"{paths[key]} is registered in __init__ but forward does not use it", layer.node)
        return lines



class Unnested(Exception):
    """forward's steps cannot be nested as the model's modules are (a module's steps not in one run, a name
    the description cannot take as a label): they are written flat, labelled ``layers_0_conv1``."""


@dataclass
class Step:
    """A step of forward placed in the model's module tree: ``scope`` is the path of the module it belongs to
    (a layer's parent; for a functional call or a merge, the module whose forward made it), ``label`` its
    own name there (a layer of the model the first time forward applies it); a ``parallel`` block's
    ``branches`` are steps too."""

    scope: tuple[str, ...]
    label: str | None
    item: Layer | str
    node: ast.AST
    branches: list[list[Step]] = field(default_factory=list)


#: Words the description's grammar does not take as a label (its keywords where a line begins; ``shortcut``,
#: ``input`` and ``main`` are labels there). tests/test_model_code.py tries each.
NOT_LABELS = ("network", "block", "repeat", "if", "else", "residual", "parallel", "branch", "let", "require",
              "Sequential")


def _label_ok(word: str) -> bool:
    """A name the description takes as a label as written: an identifier, or an index (``0``, of an
    nn.Sequential or nn.ModuleList)."""
    return (word.isidentifier() and word not in NOT_LABELS) or (word.isdigit() and word.isascii())


class NestedWriter:
    """forward's steps nested as the model's modules are, so each layer is named as torch names it
    (``main.0``, ``layer1.0.conv1``: the keys of ``named_modules()``): a module whose steps run together
    becomes a labelled block call (one block per distinct body), a layer of it a labelled line."""

    def nested_lines(self: Any, items: list[Item], paths: dict[int, str]) -> list[tuple[str, Pos]]:
        """The body, nested; raises :class:`Unnested` where it cannot be (the flat writer takes over)."""
        owners = {id(module): path for path, module in self.forward_modules.items()}
        steps, _ = self.steps_of(items, 0, paths, owners, set())
        self.nested_labels: dict[int, str] = {}
        self.nested_auto: dict[tuple[str, ...], dict[str, int]] = {}
        lines: list[tuple[str, Pos]] = self.nest(steps, ())
        for key, layer in self.forward_layers.items():
            entry = lookup(layer.name)
            if key not in self.nested_labels and (entry is None or entry.tensors is not _no_tensors):
                raise Lost(f"{paths[key]} is registered in __init__ but forward does not use it", layer.node)
        return lines

    def steps_of(self: Any, items: list[Item], index: int, paths: dict[int, str], owners: dict[int, str],
                 placed: set[int]) -> tuple[list[Step], int]:
        """The steps of one body from ``items[index]`` to its closing brace (not taken)."""
        steps: list[Step] = []
        while index < len(items):
            _, item, node, owner = items[index]
            scope = tuple(p for p in owners.get(id(owner), "").split(".") if p)
            if item == "}":
                return steps, index
            if isinstance(item, str):  # parallel(...) {: its branches until its closing brace
                step = Step(scope, None, item, node)
                index += 1
                while index < len(items) and items[index][1] == "branch {":
                    branch, index = self.steps_of(items, index + 1, paths, owners, placed)
                    step.branches.append(branch)
                    index += 1  # the branch's }
                steps.append(step)
                index += 1  # the parallel's }
                continue
            if id(item) in paths and id(item) not in placed:
                placed.add(id(item))
                *parent, label = paths[id(item)].split(".")
                steps.append(Step(tuple(parent), label, item, node))
            else:
                steps.append(Step(scope, None, item, node))
            index += 1
        return steps, index

    def nest(self: Any, steps: list[Step], prefix: tuple[str, ...]) -> list[tuple[str, Pos]]:
        """The lines of the module at ``prefix``: its own steps, and each sub-module's run as a block call."""
        lines: list[tuple[str, Pos]] = []
        runs: set[str] = set()
        index = 0
        while index < len(steps):
            step = steps[index]
            if step.scope[:len(prefix)] != prefix:
                raise Unnested
            if len(step.scope) == len(prefix):
                lines.extend(self.step_lines(step, prefix))
                index += 1
                continue
            part = step.scope[len(prefix)]
            if part in runs or not _label_ok(part):
                raise Unnested  # the module's steps are not one run, or its name is no label
            runs.add(part)
            end = index
            while end < len(steps) and steps[end].scope[:len(prefix) + 1] == (*prefix, part):
                end += 1
            inner = (*prefix, part)
            body = self.nest(steps[index:end], inner)
            module = self.forward_modules.get(".".join(inner))
            pos = pos_of(getattr(module, "node", None) or step.node, self.reader.lines)
            base = module.cls.name if isinstance(module, Instance) else getattr(module, "kind", part)
            self.claim(prefix, part)
            lines.append((f"{part}: {self.block(base, body, pos)}()", pos))
            index = end
        return lines

    def claim(self: Any, prefix: tuple[str, ...], label: str) -> None:
        """A label of the module at ``prefix``: not a name the engine gave an unlabelled layer before it."""
        taken = self.nested_auto.setdefault(prefix, {})
        for kind, n in taken.items():  # the engine names them kind, kind_1, ... kind_{n-1}
            number = label[len(kind) + 1:] if label.startswith(kind + "_") else ""
            if label == kind or (number.isdigit() and 0 < int(number) < n):
                raise Unnested

    def step_lines(self: Any, step: Step, prefix: tuple[str, ...]) -> list[tuple[str, Pos]]:
        """One step of the module at ``prefix``: a layer (labelled the first time), or a parallel block."""
        pos = pos_of(step.node, self.reader.lines)
        if isinstance(step.item, str):
            lines = [(step.item, pos)]
            for branch in step.branches:
                lines.append(("    branch {", pos))
                lines.extend(("        " + line, where) for line, where in self.nest(branch, prefix))
                lines.append(("    }", pos))
            lines.append(("}", pos))
            return lines
        layer = step.item
        entry = lookup(layer.name)
        weights = entry is None or entry.tensors is not _no_tensors
        if step.label is None:
            again = self.nested_labels.get(id(layer))
            extra = f'shared="{again}"' if again is not None and weights else ""
            kind = entry.name if entry is not None else layer.name.lower()
            taken = self.nested_auto.setdefault(prefix, {})
            taken[kind] = taken.get(kind, 0) + 1
            return [(self.call_text(layer, "nn.", extra), pos)]
        if not _label_ok(step.label):
            raise Unnested
        self.claim(prefix, step.label)
        path = ".".join((*prefix, step.label))
        self.nested_labels[id(layer)] = path
        partners = [layer.tied, *(x for x in self.forward_layers.values() if x.tied is layer)]
        tie = next((f'tied="{self.nested_labels[id(p)]}"' for p in partners
                    if p is not None and id(p) in self.nested_labels and p is not layer), "")
        return [(f"{step.label}: {self.call_text(layer, 'nn.', tie)}", pos_of(layer.node, self.reader.lines))]
