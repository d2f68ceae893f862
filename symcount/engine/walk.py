"""The engine: walk a program, bind each layer's arguments, flow shapes, count.

Input is the AST (never text); output is a :class:`Count` with one
:class:`LayerResult` per expanded layer. Counting is a sum of tensor sizes, so
"how many weights, how many biases" is answered by ``.tensors``; totals come
from those tensors with shared (tied) tensors counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symcount.catalog.core import (
    ANY,
    BIAS,
    COUNT,
    FLAG,
    KERNEL,
    NUMBER,
    ONE,
    PADDING,
    REQUIRED,
    SHAPE,
    SIZE,
    SIZES,
    STRING,
    ZERO,
    Args,
    ArgSpec,
    LayerType,
    Tensor,
    all_spellings,
    lookup,
)
from symcount.catalog.recurrent import MERGE_MODES
from symcount.catalog.shapes import Shape
from symcount.catalog.spellings import positional_order, spelling_framework
from symcount.catalog.wrappers import RECURRENT, Wrapper, is_keras_spelling, wrapper_of, wrapper_spellings
from symcount.errors import SymcountError, UndecidableError, did_you_mean
from symcount.frameworks.prefixes import KERAS_INPUTS, KERAS_LAYERS, layer_framework
from symcount.language import nodes
from symcount.language.symbols import is_number, sym
from symcount.language.syntax_errors import KEYWORDS
from symcount.language.values import Env, Value, check_expansion, describe, evaluate, is_none, truth

CONVENTIONS = ("pytorch", "keras")
#: Most layers one description may expand to (a guard against repeat 10^9): ResNet-152
#: has ~500 and GPT-3 ~1,200; 10,000 layers still count in about a second.
MAX_LAYERS = 50_000
#: Most block calls one description may make (a call that makes no layers is still walked).
MAX_BLOCK_CALLS = MAX_LAYERS
#: Most block calls with different argument values sizing works out one by one (each costs as much
#: as walking it; calls with values already seen cost nothing): blocks that call each other with
#: new values at every level (b(2*c); b(2*c + 1)) are refused after this many, in well under a second.
#: Real descriptions make a few dozen.
MAX_SIZED_CALLS = 2_000
#: Deepest block-call nesting.
MAX_CALL_DEPTH = 64
#: How many enclosing block calls an error's hint names (innermost first).
MAX_CALLS_SHOWN = 4


@dataclass(frozen=True)
class TensorResult:
    """One tensor of a counted layer: its shape, size and where it is counted."""

    name: str
    shape: tuple[sympy.Expr, ...]
    size: sympy.Expr
    category: str  # "trainable", "non_trainable", "buffer", "not counted"
    shared_with: str | None = None


@dataclass
class LayerResult:
    """A counted layer (after block expansion)."""

    name: str
    kind: str
    output_shape: tuple[sympy.Expr, ...] | None
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    buffers: sympy.Expr
    macs: sympy.Expr
    tensors: list[TensorResult]
    active: sympy.Expr
    entry: LayerType | None = None
    args: Args | None = None
    shape: Shape | None = None
    input_shape: Shape | None = None
    formulas: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, Value] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    inferred: dict[str, tuple[sympy.Expr, ...]] = field(default_factory=dict)
    multiplier: sympy.Expr = ONE
    label: str | None = None
    notes: list[str] = field(default_factory=list)
    depth: int = 0
    pos: nodes.Pos = nodes.NOWHERE
    children: list[LayerResult] = field(default_factory=list)

    @property
    def total(self) -> sympy.Expr:
        return self.trainable + self.non_trainable

    @property
    def params(self) -> sympy.Expr:
        return self.total


@dataclass(frozen=True)
class BlockCall:
    """One expanded block call: its dotted name, block kind, output and its layers.

    ``layers[start:end]`` of the count are the layers the call produced; the
    summary folds them into one row (``--depth``) with this kind and shape.
    """

    name: str
    kind: str
    output_shape: tuple[sympy.Expr, ...] | None
    start: int
    end: int
    pos: nodes.Pos = nodes.NOWHERE


@dataclass
class Count:
    """The result of counting one network (or the top-level layers, ``main``)."""

    network: str
    convention: str
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    buffers: sympy.Expr
    macs: sympy.Expr
    active: sympy.Expr
    layers: list[LayerResult]
    output_shape: tuple[sympy.Expr, ...] | None = None
    shared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)
    blocks: list[BlockCall] = field(default_factory=list)

    @property
    def total(self) -> sympy.Expr:
        return self.trainable + self.non_trainable

    @property
    def flops(self) -> sympy.Expr:
        """FLOPs = 2 x MACs (one multiply and one add per MAC)."""
        return 2 * self.macs


# ---------------------------------------------------------------------------


@dataclass
class Scope:
    """Where layer names are made: a dotted prefix and a counter per kind.

    ``used`` is shared by every scope of one walk, so an automatic name never
    repeats a label (``linear_1: linear()`` then two more linears) and names
    stay unique, as ``Count.layers`` promises.
    """

    prefix: str = ""
    counters: dict[str, int] = field(default_factory=dict)
    depth: int = 0
    used: set[str] = field(default_factory=set)

    def name(self, kind: str, label: str | None) -> str:
        """A label's name (the walker claims it), or the next free ``kind``, ``kind_1``, ..."""
        if label:
            return self.prefix + label
        n = self.counters.get(kind, 0)
        candidate = self.prefix + (kind if n == 0 else f"{kind}_{n}")
        while candidate in self.used:
            n += 1
            candidate = self.prefix + f"{kind}_{n}"
        self.counters[kind] = n + 1
        self.used.add(candidate)
        return candidate

    def child(self, name: str) -> Scope:
        return Scope(name + ".", {}, self.depth + 1, self.used)


@dataclass
class Program:
    """The definitions of a parsed file, with the environment each was made in."""

    tree: nodes.Program
    blocks: dict[str, tuple[nodes.Block, Env]]
    networks: dict[str, tuple[nodes.Network, Env]]
    toplevel: list[tuple[nodes.Layer, Env]]
    env: Env


class Walker:
    """Expands one network (or the top-level layers) into counted layers."""

    def __init__(self, program: Program, convention: str) -> None:
        self.program = program
        self.convention = convention
        self.layers: list[LayerResult] = []
        #: labelled layers by dotted name (a label is scoped to its block call)
        self.labels: dict[str, LayerResult] = {}
        #: every dotted name given so far (labels and automatic names): each names one thing
        self.names: set[str] = set()
        self.blocks: list[BlockCall] = []
        self.call_stack: list[str] = []
        self.expanded = 0
        self.calls = 0
        self.shared: list[str] = []
        self.notes: list[str] = []
        self.in_network = False
        #: index in ``layers`` of the first layer of the network (or top-level layer) being walked
        self.first_layer = 0

    # -- items ---------------------------------------------------------------------
    def run_body(self, body: nodes.Body, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
        for item in body.items:
            shape = self.run_item(item, env, shape, scope, multiplier)
        return shape

    def run_item(self, item: nodes.Item, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
        if isinstance(item, nodes.Let):
            value = env.values[item.name] if item.name in env.values else evaluate(item.value, env)
            env.seen.add(item.name)
            env.bind(item.name, value)
            return shape
        if isinstance(item, nodes.Layer):
            return self.run_layer(item, env, shape, scope, multiplier)
        if isinstance(item, nodes.Repeat):
            return self.run_repeat(item, env, shape, scope, multiplier)
        if isinstance(item, nodes.If):
            if truth(evaluate(item.condition, env), item.condition):
                return self.run_body(item.then, env.child(), shape, scope, multiplier)
            if item.otherwise is not None:
                return self.run_body(item.otherwise, env.child(), shape, scope, multiplier)
            return shape
        if isinstance(item, nodes.Residual):
            return self.run_residual(item, env, shape, scope, multiplier)
        if isinstance(item, nodes.Parallel):
            return self.run_parallel(item, env, shape, scope, multiplier)
        raise TypeError(f"unknown item {item!r}")  # pragma: no cover

    def run_repeat(self, item: nodes.Repeat, env: Env, shape: Shape | None, scope: Scope,
                   multiplier: sympy.Expr) -> Shape | None:
        count = evaluate(item.count, env)
        if isinstance(count, bool) or not isinstance(count, sympy.Basic):
            raise SymcountError(f"repeat needs a count, got {describe(count)}", item.count.pos)
        if is_number(count):
            if not count.is_integer or count < 0:
                raise SymcountError(f"repeat count must be a whole number >= 0, got {describe(count)}", item.count.pos)
            n = int(count)
            if n > MAX_LAYERS:
                raise SymcountError(f"repeat {n} expands to too many layers (limit {MAX_LAYERS:,})",
                                    item.count.pos)
            for i in range(n):
                before = self.expanded
                shape = self.run_body(item.body, env.child(), shape, scope, multiplier)
                per_pass = self.expanded - before
                if i == 0 and self.expanded + per_pass * (n - 1) > MAX_LAYERS:
                    # refuse now rather than after expanding up to the limit (nested repeats)
                    raise SymcountError(
                        f"repeat {n} of {per_pass:,} layers expands to {per_pass * n:,} layers "
                        f"(limit {MAX_LAYERS:,})", item.count.pos,
                        hint="a symbolic count (repeat N {...}) counts any number of copies at once")
            return shape
        if count.is_nonnegative is False:
            raise SymcountError(f"repeat count must be a whole number >= 0, got {describe(count)}", item.count.pos,
                                hint="every symbol stands for a positive size")
        after = self.run_body(item.body, env.child(), shape, scope, multiplier * count)
        if (after is None) != (shape is None) or (after is not None and shape is not None
                                                  and not shapes_equal(after, shape)):
            raise SymcountError(
                "a repeat with a symbolic count must keep the shape unchanged "
                f"({fmt_shape(shape, self.convention)} -> {fmt_shape(after, self.convention)})",
                item.pos,
            )
        return after

    def run_residual(self, item: nodes.Residual, env: Env, shape: Shape | None, scope: Scope,
                     multiplier: sympy.Expr) -> Shape | None:
        start = len(self.layers)
        main = self.run_body(item.body, env.child(), shape, scope, multiplier)
        end = len(self.layers)
        side = shape
        if item.shortcut is not None:
            side = self.run_body(item.shortcut, env.child(), shape, scope, multiplier)
        if main is not None and side is not None and not shapes_equal(main, side):
            raise SymcountError(
                f"residual branches disagree: {fmt_shape(main, self.convention)} + "
                f"{fmt_shape(side, self.convention)}",
                item.pos,
                hint=self.reshaping_layer(start, end) + "project the shortcut (a 1x1 conv with the same stride)",
            )
        return main

    def reshaping_layer(self, start: int, end: int) -> str:
        """Which layer of a branch last changed the shape (for the residual mismatch hint)."""
        for layer in reversed(self.layers[start:end]):
            if layer.shape is not None and layer.input_shape is not None \
                    and not shapes_equal(layer.shape, layer.input_shape):
                return (f"{layer.name} (line {layer.pos.line}) makes {fmt_shape(layer.input_shape, self.convention)}"
                        f" into {fmt_shape(layer.shape, self.convention)}; ")
        return ""

    def run_parallel(self, item: nodes.Parallel, env: Env, shape: Shape | None, scope: Scope,
                     multiplier: sympy.Expr) -> Shape | None:
        merge = "concat"
        for arg in item.args:
            if arg.name not in ("merge", None):
                raise SymcountError(f"parallel takes only merge=, not {arg.name}", arg.pos)
            merge = str(evaluate(arg.value, env))
        if merge not in ("concat", "add"):
            raise SymcountError(f'merge must be "concat" or "add", not "{merge}"', item.pos)
        if not item.branches:
            raise SymcountError("parallel needs at least one branch { ... }", item.pos)
        outs = [self.run_body(b, env.child(), shape, scope, multiplier) for b in item.branches]
        if not outs or any(o is None for o in outs):
            return None
        first = outs[0]
        assert first is not None
        if merge == "add":
            for other in outs[1:]:
                if other is not None and not shapes_equal(first, other):
                    raise SymcountError(
                        f"parallel branches to add disagree: {fmt_shape(first, self.convention)} vs "
                        f"{fmt_shape(other, self.convention)}", item.pos)
            return first
        for other in outs[1:]:
            if other is not None and not _same_sizes(first.spatial, other.spatial):
                raise SymcountError(
                    f"parallel branches to concatenate differ in size: {fmt_shape(first, self.convention)} "
                    f"vs {fmt_shape(other, self.convention)}", item.pos)
        channels = [o.channels for o in outs if o is not None]
        if any(c is None for c in channels):
            raise SymcountError("cannot concatenate token ids", item.pos)
        total = sympy.Add(*channels)
        return Shape(first.spatial, total, first.sequence)

    # -- a call: catalog layer, block, or network ------------------------------------
    def run_layer(self, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                  multiplier: sympy.Expr) -> Shape | None:
        if node.body is not None and (node.kind == "input" or node.kind in KERAS_INPUTS) \
                and node.kind not in self.program.blocks:
            raise SymcountError(f"{node.kind} takes no body", node.pos,
                                hint="the layers that follow the input go after it, not in braces")
        if node.kind == "input":
            called_network = len(self.call_stack) > 1 and self.call_stack[-1] in self.program.networks
            if shape is not None and not called_network:
                raise SymcountError("input(...) after layers: it would replace the shape flowing in", node.pos,
                                    hint="input(...) comes once, at the start of a network")
            return self.run_input(node, env)
        if node.kind in KERAS_INPUTS and node.kind not in self.program.blocks:
            if shape is not None:
                raise SymcountError(f"{node.kind}(...) after layers: it would replace the shape flowing in",
                                    node.pos, hint=f"{node.kind}(...) comes once, first in the model")
            return self.run_keras_input(node, env)
        if node.kind == "moe":
            return self.run_moe(node, env, shape, scope, multiplier)
        if node.module is None and node.kind in self.program.networks and lookup(node.kind) is not None:
            # `relu = Sequential([...])` or `network relu {...}`: a call relu() would run the network
            raise SymcountError(f"'{node.kind}' is both a layer and a network here: which is meant is unclear",
                                node.pos, hint=f"give the network {node.kind} another name")
        if node.module is None and (node.kind in self.program.blocks or node.kind in self.program.networks):
            return self.run_block(node, env, shape, scope, multiplier)
        wrapper = wrapper_of(node)
        if wrapper is not None:
            if node.body is not None:
                raise SymcountError(f"{node.kind} takes no body", node.pos,
                                    hint=f"the layer it wraps goes in parentheses: {node.kind}("
                                         f"{'LSTM(64)' if wrapper.name == 'bidirectional' else 'Dense(10)'})")
            self.expanded += 1
            if self.expanded > MAX_LAYERS:
                raise SymcountError(f"the description expands to more than {MAX_LAYERS:,} layers", node.pos)
            result, out = self.count_wrapper(wrapper, node, env, shape, scope, multiplier)
            self.layers.append(result)
            return out
        entry = lookup(node.kind)
        if entry is None:
            if node.kind in _PLACED_KEYWORDS:
                raise SymcountError(f"'{node.kind}' cannot stand on its own here", node.pos,
                                    hint=_PLACED_KEYWORDS[node.kind])
            names = [*all_spellings(), *wrapper_spellings(), *self.program.blocks, "input", *KEYWORDS]
            raise SymcountError(f"unknown layer '{node.kind}'", node.pos,
                                hint=did_you_mean(node.kind, names))
        if node.body is not None:
            raise SymcountError(f"{entry.name} takes no body", node.pos)
        node, shape = self.keras_input_args(entry, node, env, shape)
        self.expanded += 1
        if self.expanded > MAX_LAYERS:
            raise SymcountError(f"the description expands to more than {MAX_LAYERS:,} layers", node.pos)
        result, out = self.count_layer(entry, node, env, shape, scope, multiplier)
        self.layers.append(result)
        return out

    def run_input(self, node: nodes.Layer, env: Env) -> Shape:
        dims: dict[str, sympy.Expr] = {}
        for arg in node.args:
            if arg.name is None:
                raise SymcountError("input takes named sizes: H, W, D, L and C", arg.pos)
            name = arg.name
            if name not in ("H", "W", "D", "L", "C"):
                raise SymcountError(f"unknown input dimension '{name}' (valid: D, H, W, L, C)", arg.pos,
                                    hint=did_you_mean(name, ["D", "H", "W", "L", "C"]))
            if name in dims:
                raise SymcountError(f"input dimension {name} given twice", arg.pos)
            dims[name] = check_size(evaluate(arg.value, env), arg, f"input {name}")
        return input_shape(dims, node.pos)

    def run_keras_input(self, node: nodes.Layer, env: Env) -> Shape:
        """``keras.Input(shape=(28, 28, 1))``, ``InputLayer(input_shape=...)``: input(...) written channels-last."""
        shape_arg: nodes.Arg | None = None
        for name, arg in named_args(node, _KERAS_INPUT_ORDER):
            if name is None:
                raise too_many_positional(node.kind, _KERAS_INPUT_ORDER, arg)
            if name in _KERAS_INPUT_IGNORED:
                continue
            if name not in _KERAS_SHAPE_ARGS:
                valid = ", ".join(("shape", "batch_shape", *_KERAS_INPUT_IGNORED))
                raise SymcountError(f"{node.kind} has no argument '{name}' (valid: {valid})", arg.pos,
                                    hint=did_you_mean(name, [*_KERAS_SHAPE_ARGS, *_KERAS_INPUT_IGNORED]))
            if shape_arg is not None:
                raise SymcountError(f"{node.kind}: the shape is given twice", arg.pos)
            shape_arg = arg
        if shape_arg is None:
            raise SymcountError(f"{node.kind} needs its shape, e.g. {node.kind}(shape=(28, 28, 1))", node.pos)
        return input_shape(keras_dims(shape_arg, env), shape_arg.pos)

    def keras_input_args(self, entry: LayerType | None, node: nodes.Layer, env: Env, shape: Shape | None
                         ) -> tuple[nodes.Layer, Shape | None]:
        """Keras's ``input_shape=``/``input_dim=``/``input_length=`` on a layer: the network's input.

        Only the first layer of a network (or a top-level layer) may declare it; where an
        input shape is already known, the declaration must agree with it.
        """
        declared = [a for a in node.args if a.name in _KERAS_LAYER_INPUT
                    and (entry is None or entry.find_arg(a.name) is None)]
        if not declared:
            return node, shape
        dims: dict[str, sympy.Expr] = {}
        for arg in declared:
            if arg.name in ("input_shape", "batch_input_shape"):
                if len(declared) > 1:
                    raise SymcountError(f"{arg.name} goes alone: it already gives every size", arg.pos,
                                        hint="give input_shape=, or input_dim= and input_length=")
                dims = keras_dims(arg, env)
            else:
                what = f"{arg.name} (the input's {'features' if arg.name == 'input_dim' else 'length'})"
                dims["C" if arg.name == "input_dim" else "L"] = check_size(evaluate(arg.value, env), arg, what)
        first = declared[0]
        shown = f"{first.name}=" if len(declared) == 1 else "input_dim=/input_length="
        if len(self.layers) > self.first_layer:
            raise SymcountError(f"{shown} on a later layer: Keras reads it only on the first layer", first.pos,
                                hint="move it to the first layer, or start the network with input(...)")
        given = input_shape(dims, first.pos)
        if shape is not None and not shapes_equal(given, shape):
            raise SymcountError(
                f"{shown} says the input is {_keras_tuple(given)}, but it is {_keras_tuple(shape)}",
                first.pos, hint="keep one of them: input(...) or the layer's " + shown.rstrip("="))
        rest = tuple(a for a in node.args if a not in declared)
        return replace(node, args=rest), given

    def run_block(self, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                  multiplier: sympy.Expr) -> Shape | None:
        if node.kind in self.call_stack:
            chain = " -> ".join([*self.call_stack, node.kind])
            raise SymcountError(f"recursive block: {chain}", node.pos)
        if len(self.call_stack) >= MAX_CALL_DEPTH:
            raise SymcountError(f"blocks nested deeper than {MAX_CALL_DEPTH}", node.pos)
        if node.body is not None:
            raise SymcountError(f"block {node.kind} takes no body", node.pos)
        self.calls += 1
        if self.calls > MAX_BLOCK_CALLS:
            raise SymcountError(f"the description makes more than {MAX_BLOCK_CALLS:,} block calls", node.pos)
        definition, def_env = (self.program.blocks.get(node.kind) or self.program.networks[node.kind])
        bindings = self.bind_params(definition.params, node, env, def_env)
        body_env = def_env.child(bindings)
        name = scope.name(node.kind, node.label)
        self.claim_label(name, node)
        inner = scope.child(name)
        self.call_stack.append(node.kind)
        start = len(self.layers)
        try:
            out = self.run_body(definition.body, body_env, shape, inner, multiplier)
        except SymcountError as err:
            # the caret points into the block's definition: say which call got there
            if err.pos.line and node.pos.line and not err.message.startswith("recursive block"):
                called = f"in {node.kind}(...) called at line {node.pos.line}"
                shown = (err.hint or "").count(" called at line ")
                if shown < MAX_CALLS_SHOWN:
                    err.hint = f"{err.hint}; {called}" if err.hint else called
                elif not (err.hint or "").endswith("; ..."):
                    err.hint = f"{err.hint}; ..."  # 64 nested calls would be a page of hint
            raise
        finally:
            self.call_stack.pop()
        self.notes_for_block(name, node, start)
        layout = out.layout(self.convention) if out is not None else None
        self.blocks.append(BlockCall(name, node.kind, layout, start, len(self.layers), node.pos))
        return out

    def claim_label(self, name: str, node: nodes.Layer) -> None:
        """A label names one layer or block call in its scope; a second use is an error."""
        if not node.label:
            return
        if name in self.names:
            raise SymcountError(f"label '{node.label}' used twice (an earlier layer here has that name)", node.pos,
                                hint="a label names one layer; inside repeat, label a block call instead"
                                if "." not in name else None)
        self.names.add(name)

    def resolve_label(self, label: str, name: str) -> LayerResult | None:
        """The labelled layer ``tied=label`` means from layer ``name``: innermost scope first."""
        parts = name.split(".")[:-1]
        while True:
            found = self.labels.get(".".join([*parts, label]))
            if found is not None or not parts:
                return found
            parts.pop()

    def notes_for_block(self, name: str, node: nodes.Layer, start: int) -> None:
        """Remember which layers a block call produced (for --depth folding)."""
        for layer in self.layers[start:]:
            layer.depth = max(layer.depth, name.count(".") + 1)

    def bind_params(self, params: tuple[nodes.Param, ...], node: nodes.Layer, env: Env,
                    def_env: Env) -> dict[str, Value]:
        return bind_params(params, node, env, def_env)

    # -- mixture of experts --------------------------------------------------------
    def run_moe(self, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                multiplier: sympy.Expr) -> Shape | None:
        """``moe(experts, top_k) { expert }``: every expert counts; top_k are active."""
        options: dict[str, Value] = {"experts": sympy.Integer(8), "top_k": sympy.Integer(2), "bias": False}
        aliases = {"num_experts": "experts", "num_local_experts": "experts", "experts_per_token": "top_k",
                   "num_experts_per_tok": "top_k", "router_bias": "bias"}
        for arg in node.args:
            if arg.name is None:
                raise SymcountError("moe takes named arguments (experts=, top_k=, bias=)", arg.pos,
                                    hint="e.g. moe(experts=8, top_k=2) { ... }")
            key = aliases.get(arg.name, arg.name)
            if key not in options:
                raise SymcountError(f"moe has no argument '{arg.name}' (valid: experts, top_k, bias)", arg.pos)
            options[key] = evaluate(arg.value, env)
        if node.body is None:
            raise SymcountError("moe needs a body: the expert, e.g. moe(experts=8) { gated_mlp(ff=14336) }",
                                node.pos)
        if shape is None or shape.channels is None:
            raise SymcountError("moe needs an input shape (its router reads d_model)", node.pos)
        experts = check_size(options["experts"], node, "experts")
        top_k = check_size(options["top_k"], node, "top_k")
        if is_number(experts) and is_number(top_k) and top_k > experts:
            raise SymcountError(f"top_k={top_k} is more than the {experts} experts", node.pos)
        router_entry = lookup("linear")
        assert router_entry is not None
        # the router's bias reads as every layer's bias= does: true, false or a symbol (bias=3 is refused)
        bias_arg = next((a for a in node.args if aliases.get(a.name or "", a.name) == "bias"), None)
        bias = normalise(router_entry.arg("bias"), options["bias"], router_entry, bias_arg, shape)
        name = scope.name("moe", node.label)
        inner = scope.child(name)
        router_env = env.child({"__moe_C_out": experts, "__moe_bias": bias})
        # The router is unlabelled (every moe has one, so a label would clash in the
        # second layer); it is named "router" after counting.
        router, _ = self.count_layer(
            router_entry,
            nodes.Layer("linear", (nodes.Arg("C_out", nodes.Name("__moe_C_out")),
                                 nodes.Arg("bias", nodes.Name("__moe_bias"))),
                      None, None, True, node.pos),
            router_env, shape, inner, multiplier)
        router.name = inner.prefix + "router"
        self.layers.append(router)
        start = len(self.layers)
        out = self.run_body(node.body, env.child(), shape, inner.child(inner.prefix + "experts"),
                            multiplier * experts)
        if len(self.layers) == start:
            raise SymcountError("moe's body (the expert) has no layers", node.pos,
                                hint="e.g. moe(experts=8, top_k=2) { gated_mlp(ff=14336) }")
        if out is None or not shapes_equal(out, shape):
            raise SymcountError(
                f"moe's expert must keep the shape: {fmt_shape(shape, self.convention)} -> "
                f"{fmt_shape(out, self.convention)}", node.pos,
                hint=self.reshaping_layer(start, len(self.layers))
                + "each token's expert outputs are summed back into its d_model features")
        for layer in self.layers[start:]:
            layer.active = sympy.expand(layer.active / experts * top_k)
            # each token runs through top_k experts only: that is the compute
            if layer.macs is not sympy.nan:
                layer.macs = sympy.expand(layer.macs / experts * top_k)
            layer.notes.append(f"x {experts} experts, {top_k} active per token")
        return out

    # -- a wrapper: Bidirectional(LSTM(64)), TimeDistributed(Dense(10)) ----------------------
    def count_wrapper(self, wrapper: Wrapper, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                      multiplier: sympy.Expr, name_as: str | None = None) -> tuple[LayerResult, Shape | None]:
        """The wrapped layer counted as the wrapper makes it: one result, named after the wrapper."""
        options: dict[str, nodes.Arg] = {}
        for name, arg in named_args(node, wrapper.order):
            if name == "merge" and wrapper.name == "bidirectional":
                name = "merge_mode"  # the canonical spelling, as parallel(merge=...)
            if name is None:
                raise too_many_positional(node.kind, wrapper.order, arg)
            if name in _KERAS_LAYER_INPUT or name in wrapper.ignored or name in ("name", "dtype"):
                continue
            if name not in (*wrapper.order, "trainable"):
                valid = ", ".join((*wrapper.order, "trainable"))
                raise SymcountError(f"{node.kind} has no argument '{name}' (valid: {valid})", arg.pos,
                                    hint=did_you_mean(name, (*wrapper.order, "trainable")))
            if name in options:
                raise SymcountError(f"argument {name} given twice", arg.pos)
            options[name] = arg
        example = "LSTM(64)" if wrapper.name == "bidirectional" else "Dense(10)"
        if "layer" not in options:
            raise SymcountError(f"{node.kind} needs the layer it wraps, e.g. {node.kind}({example})", node.pos)
        value = options["layer"].value
        inner = nodes.as_layer(value)
        if inner is None:
            raise SymcountError(f"{node.kind} wraps a layer call such as {example}, not {_written(value)}",
                                value.pos, hint=f"write {node.kind}({example})")
        if layer_framework(inner.module) == "pytorch":
            raise SymcountError(f"{inner.module}.{inner.kind} is a PyTorch layer; {node.kind} is a Keras wrapper",
                                inner.pos, hint="PyTorch's nn.LSTM, nn.GRU and nn.RNN take bidirectional=True"
                                if wrapper.name == "bidirectional" else "one model is built with one framework")
        if inner.module is None and is_keras_spelling(node) and inner.kind in KERAS_LAYERS:
            inner = replace(inner, module=node.module or "layers")  # LSTM(10) inside Bidirectional is Keras's
        inner = replace(inner, label=node.label)
        node, shape = self.keras_input_args(None, node, env, shape)
        nested = wrapper_of(inner) if inner.kind not in self.program.blocks else None
        entry = lookup(inner.kind) if nested is None and inner.kind not in self.program.blocks else None
        if nested is None and entry is None:
            if inner.kind in self.program.blocks or inner.kind in self.program.networks:
                raise SymcountError(f"{node.kind} wraps one layer, not the block {inner.kind}", inner.pos,
                                    hint=f"wrap each layer of {inner.kind} on its own")
            raise SymcountError(f"unknown layer '{inner.kind}'", inner.pos,
                                hint=did_you_mean(inner.kind, [*all_spellings(), *wrapper_spellings()]))
        name_as = name_as or wrapper.name
        result, out = self.count_wrapped(wrapper, node, inner, nested, entry, options, env, shape, scope, multiplier,
                                         name_as)
        if "trainable" in options:
            result.notes.append(f"Keras 3 does not pass {node.kind}(..., trainable=...) on to the layer it wraps: "
                                "its weights stay as they are (model.summary() agrees); write "
                                f"{inner.kind}(..., trainable=False) to freeze them")
        return result, out

    def count_wrapped(self, wrapper: Wrapper, node: nodes.Layer, inner: nodes.Layer, nested: Wrapper | None,
                      entry: LayerType | None, options: dict[str, nodes.Arg], env: Env, shape: Shape | None,
                      scope: Scope, multiplier: sympy.Expr, name_as: str) -> tuple[LayerResult, Shape | None]:
        if wrapper.name == "bidirectional":
            if nested is not None or entry is None or entry.name not in RECURRENT:
                raise SymcountError(f"{node.kind} wraps a recurrent layer (LSTM, GRU or SimpleRNN), not {inner.kind}",
                                    inner.pos, hint="only a recurrent layer has a direction to reverse")
            counted = self.bidirectional_call(node, inner, entry, options, env)
            result, out = self.count_layer(entry, counted, env, shape, scope, multiplier, name_as)
            result.kind = f"bidirectional({result.kind})"
            result.pos = node.pos
            return result, out
        # time_distributed: the wrapped layer sees one step (the input without its first axis)
        steps: sympy.Expr = ONE
        step_shape = shape
        if shape is not None:
            if not shape.rank:
                raise SymcountError(f"{node.kind} needs an input with a time axis first, e.g. (L, C); the input "
                                    f"here is {fmt_shape(shape, self.convention)}", node.pos)
            if shape.channels is None:
                raise SymcountError(f"{node.kind} over token ids is not read", node.pos,
                                    hint="embed the tokens first")
            steps, rest = shape.spatial[0], shape.spatial[1:]
            step_shape = Shape(rest, shape.channels, len(rest) == 1)
        if nested is not None:
            result, step_out = self.count_wrapper(nested, inner, env, step_shape, scope, multiplier, name_as)
        else:
            assert entry is not None
            if inner.body is not None:
                raise SymcountError(f"{entry.name} takes no body", inner.pos)
            result, step_out = self.count_layer(entry, inner, env, step_shape, scope, multiplier, name_as)
        result.kind = f"time_distributed({result.kind})"
        result.pos = node.pos
        if shape is None or step_out is None:
            return result, None
        out = Shape((steps, *step_out.spatial), step_out.channels, not step_out.rank)
        result.output_shape = out.layout(self.convention)
        if result.macs is not sympy.nan:
            result.macs = result.macs * steps
        result.notes.append(f"the same weights at each of the {steps} steps")
        return result, out

    def bidirectional_call(self, node: nodes.Layer, inner: nodes.Layer, entry: LayerType, options: dict[str, nodes.Arg],
                           env: Env) -> nodes.Layer:
        """The wrapped recurrent call with ``bidirectional=true`` (and its merge mode) added."""
        if "backward_layer" in options:
            raise SymcountError("backward_layer= is not read: symcount counts the backward copy as a twin of the "
                                "forward layer", options["backward_layer"].pos,
                                hint="leave it out when the backward layer is the same layer (go_backwards=True): "
                                     "the count is the same")
        merge = "concat"
        if "merge_mode" in options:
            value = options["merge_mode"].value
            if is_none(value):
                raise SymcountError("merge_mode=None returns the two directions as two outputs; symcount follows "
                                    "one output", value.pos,
                                    hint='merge_mode="concat" (the default, 2H wide), "sum", "mul" or "ave" (H wide)')
            merge = evaluate(value, env)
            if not isinstance(merge, str) or merge not in MERGE_MODES:
                shown = f'"{merge}"' if isinstance(merge, str) else describe(merge)
                raise SymcountError(f"unknown merge_mode {shown} (valid: {', '.join(MERGE_MODES)})",
                                    value.pos, hint=did_you_mean(merge, MERGE_MODES) if isinstance(merge, str)
                                    else None)
        for written, arg in named_args(inner, call_order(entry, inner)):
            spec = entry.find_arg(written) if written is not None else None
            if spec is not None and spec.name in ("bidirectional", "merge"):
                raise SymcountError(f"{inner.kind} inside {node.kind} already runs both directions: "
                                    f"leave out {arg.name or spec.name}=", arg.pos)
        extra = [nodes.Arg("bidirectional", nodes.Bool(True, node.pos), node.pos)]
        if merge != "concat":
            extra.append(nodes.Arg("merge", nodes.Str(merge, options["merge_mode"].value.pos),
                                 options["merge_mode"].pos))
        return replace(inner, args=(*inner.args, *extra))

    # -- one catalog layer ---------------------------------------------------------------
    def count_layer(self, entry: LayerType, node: nodes.Layer, env: Env, shape: Shape | None,
                    scope: Scope, multiplier: sympy.Expr, name_as: str | None = None
                    ) -> tuple[LayerResult, Shape | None]:
        bound = self.bind_args(entry, node, env, shape)
        values, given, inferred = bound
        if "tied" in values and values["tied"] is not None:
            tied_label = values["tied"]
        else:
            tied_label = None
        args = Args(values, entry.dims, self.convention)
        if entry.validate is not None:
            problem = entry.validate(args)
            if problem is not None:
                arg_name, message = problem
                raise SymcountError(message, _arg_pos(node, entry, arg_name))
        try:
            tensors = entry.tensors(args, self.convention)
            out_shape = self.apply_shape(entry, node, args, shape)
            macs = entry.macs(args, shape, out_shape) if shape is not None and out_shape is not None else None
            for size in [*(t.size for t in tensors), *([macs] if macs is not None else [])]:
                if isinstance(size, sympy.Basic):
                    check_expansion(size, nodes.NOWHERE, f"the count of {entry.name}")
        except SymcountError as err:
            if err.pos.line == 0:
                err.pos = node.pos
            raise
        name = scope.name(name_as or entry.name, node.label)
        results, notes = self.tensor_results(entry, tensors, args, name, tied_label, node)
        trainable, non_trainable, buffers = totals_of(results)
        formulas = entry.formulas(args, self.convention)
        bindings = formula_bindings(entry, args, self.convention)
        if self.convention not in entry.frameworks:
            other = entry.frameworks[0]
            notes.append(f"{self.convention} has no {entry.name}; {other}'s layout is used")
        note = entry.notes.get(self.convention)
        if note:
            notes.append(note)
        notes.extend(self.framework_mismatch(entry, node, args, tensors))
        if entry.caveats is not None:
            notes.extend(entry.caveats(args, self.convention))
        m = multiplier
        layer = LayerResult(
            name=name,
            kind=entry.name,
            output_shape=out_shape.layout(self.convention) if out_shape is not None else None,
            trainable=m * trainable,
            non_trainable=m * non_trainable,
            buffers=m * buffers,
            macs=m * macs if macs is not None else sympy.nan,
            tensors=results,
            active=m * (trainable + non_trainable),
            entry=entry,
            args=args,
            shape=out_shape,
            input_shape=shape,
            formulas=formulas,
            bindings=bindings,
            given=given,
            inferred=inferred,
            multiplier=m,
            label=node.label,
            notes=notes,
            depth=scope.depth,
            pos=node.pos,
        )
        if node.label:
            self.claim_label(name, node)
            self.labels[name] = layer
        return layer, out_shape

    def framework_mismatch(self, entry: LayerType, node: nodes.Layer, args: Args, tensors: list[Tensor]) -> list[str]:
        """A note when one framework's code is counted under the other's convention and the count
        differs (running statistics, recurrent biases): the user most likely expects that framework's
        own count (``model.summary()`` for Keras code)."""
        written_for = spelling_framework(node.kind, layer_framework(node.module))
        if written_for is None or written_for == self.convention or written_for not in entry.frameworks:
            return []
        has_stats = any(t.role == "stat" and t.present != 0 for t in tensors)
        try:
            differs = entry.formulas(args, written_for) != entry.formulas(args, self.convention)
        except SymcountError:
            return []
        if not (differs or has_stats):
            return []
        names = {"pytorch": "PyTorch", "keras": "Keras"}
        return [f"{node.kind} is {names[written_for]} code counted under the {self.convention} convention, "
                f"which counts it differently: --convention {written_for} (convention=\"{written_for}\") "
                f"counts it as {names[written_for]} does"]

    def apply_shape(self, entry: LayerType, node: nodes.Layer, args: Args, shape: Shape | None) -> Shape | None:
        if shape is None:
            return None
        if entry.input_kind == "spatial" or entry.dims:
            if entry.dims and shape.rank != entry.dims:
                raise SymcountError(
                    f"{entry.name} needs a {entry.dims}-D input with channels; the input here is "
                    f"{fmt_shape(shape, self.convention)}", node.pos,
                    hint="check the input() dimensions or add flatten()" if not shape.rank else None)
        if shape.channels is None and entry.name not in ("embedding",) and entry.formulas is not None:
            if any(spec.infer == "channels" for spec in entry.args):
                raise SymcountError(f"{entry.name} needs features, but the input is token ids",
                                    node.pos, hint="start with an embedding")
        out = entry.shape(args, shape, self.convention)
        for n in out.spatial:
            if is_number(n) and n < 1:
                raise SymcountError(
                    f"{entry.name} does not fit its input {fmt_shape(shape, self.convention)}: the output "
                    f"would have size {n}", node.pos,
                    hint="the kernel is larger than the padded input")
        return out

    def bind_args(self, entry: LayerType, node: nodes.Layer, env: Env, shape: Shape | None
                  ) -> tuple[dict[str, Any], set[str], dict[str, tuple[sympy.Expr, ...]]]:
        raw: dict[str, tuple[Value, nodes.Arg]] = {}
        specs = [s for s in entry.args]
        order = call_order(entry, node)
        for name, arg in named_args(node, order):
            if arg.name is None:
                if name is None:
                    raise too_many_positional(node.kind, order, arg)
                if entry.find_arg(name) is None and entry.ignores(name):
                    continue  # the framework's activation, eps, ...: no parameters, no shape
                spec = entry.arg(name)
            else:
                if arg.name == "tied" and entry.find_arg("tied") is None:
                    raise SymcountError(f"{entry.name} cannot be tied to another layer", arg.pos)
                found = entry.find_arg(arg.name)
                if found is None and entry.ignores(arg.name):
                    continue  # a framework option that changes no count or shape (eps, dropout, ...)
                if found is None:
                    valid = ", ".join(s.name for s in specs) or "none"
                    spellings = [n for s in specs for n in (s.name, *s.aliases)]
                    raise SymcountError(f"{entry.name} has no argument '{arg.name}' (valid: {valid})",
                                        arg.pos, hint=did_you_mean(arg.name, spellings))
                spec = found
            if is_none(arg.value):
                if spec.default is None:
                    continue  # None where the framework's default is None (value_dim=None, strides=None): that default
                raise SymcountError(f"{arg.name or spec.name} cannot be None", arg.value.pos,
                                    hint=f"leave {arg.name or spec.name} out for its default"
                                    if spec.default is not REQUIRED else f"{entry.name} needs a value for it")
            if spec.name in raw:
                raise SymcountError(f"argument {spec.name} given twice", arg.pos,
                                    hint=f"{arg.name} is another name for {spec.name}"
                                    if arg.name not in (None, spec.name) else None)
            if spec.name == "tied":
                if not isinstance(arg.value, nodes.Name):
                    raise SymcountError("tied= takes the label of another layer", arg.value.pos)
                raw[spec.name] = (arg.value.id, arg)
            else:
                raw[spec.name] = (evaluate(arg.value, env), arg)
        values: dict[str, Any] = {}
        given: set[str] = set()
        inferred: dict[str, tuple[sympy.Expr, ...]] = {}
        for spec in specs:
            if spec.name in raw:
                value, arg = raw[spec.name]
                values[spec.name] = normalise(spec, value, entry, arg, shape)
                given.add(spec.name)
                if spec.infer == "channels":
                    self.check_channels(entry, spec, values[spec.name], shape, arg)
                continue
            if spec.infer == "channels" and shape is not None and shape.channels is not None:
                values[spec.name] = shape.channels
                inferred[spec.name] = shape.channel_factors or (shape.channels,)
                continue
            if spec.default is REQUIRED:
                if spec.infer == "channels" and self.in_network:
                    raise SymcountError(
                        f"{entry.name}: {spec.name} cannot be inferred: no input shape reaches this layer",
                        node.pos, hint=f"start the network with input(...) or give {spec.name}=")
                symbol = spec.formula_name
                value = env.lookup(symbol)
                values[spec.name] = normalise(spec, value, entry, None, shape)
                continue
            values[spec.name] = normalise(spec, spec.default, entry, None, shape) \
                if spec.default is not None else None
        if entry.derive is not None:
            entry.derive(values, shape)
        values["input_shape"] = shape
        return values, given, inferred

    def check_channels(self, entry: LayerType, spec: ArgSpec, given: Any, shape: Shape | None,
                       arg: nodes.Arg) -> None:
        """A channel count written out must agree with the shape flowing in.

        Only a certain disagreement is an error (``C_in=5`` after 4 channels,
        ``2*C`` after ``C``); ``D`` after ``C`` might be equal and is let through.
        """
        if shape is None or shape.channels is None or not isinstance(given, sympy.Basic):
            return
        if sympy.simplify(given - shape.channels).is_zero is False:
            raise SymcountError(
                f"{entry.name}: {spec.name}={given} but the input has {shape.channels} channels "
                f"{fmt_shape(shape, self.convention)}", arg.pos,
                hint=f"leave {spec.name} out: it is inferred from the input")

    def tensor_results(self, entry: LayerType, tensors: list[Tensor], args: Args, name: str,
                       tied_label: str | None, node: nodes.Layer) -> tuple[list[TensorResult], list[str]]:
        notes: list[str] = []
        frozen = args.get("trainable") is False
        shared_index = None
        shared_with = None
        if tied_label is not None:
            target = self.resolve_label(tied_label, name)
            if target is None:
                raise SymcountError(f"tied={tied_label}: no earlier layer has that label", node.pos,
                                    hint=did_you_mean(tied_label, [n.rsplit(".", 1)[-1] for n in self.labels]))
            shared_index, shared_with = self.find_shared(tensors, target, node)
            notes.append(f"weight shared with {shared_with} (counted once)")
            self.shared.append(f"{name}.{tensors[shared_index].name} = {shared_with}")
        results = []
        for i, t in enumerate(tensors):
            if i == shared_index:
                category = "not counted"
            elif t.role == "param":
                category = "non_trainable" if frozen else "trainable"
            elif t.role == "stat":
                category = "non_trainable" if self.convention == "keras" else "buffer"
            else:
                category = "not counted"
            if t.present == 0:
                continue
            results.append(TensorResult(t.name, t.shape, t.size, category,
                                        shared_with if i == shared_index else None))
        return results, notes

    def find_shared(self, tensors: list[Tensor], target: LayerResult, node: nodes.Layer) -> tuple[int, str]:
        weight = next((i for i, t in enumerate(tensors) if t.role == "param" and len(t.shape) >= 2), None)
        other = next((t for t in target.tensors if len(t.shape) >= 2 and t.category != "not counted"), None)
        if weight is None or other is None:
            raise SymcountError(f"tied={target.label}: no weight matrix to share", node.pos)
        mine = tensors[weight].shape
        if not (_same_sizes(mine, other.shape) or _same_sizes(tuple(reversed(mine)), other.shape)):
            raise SymcountError(
                f"tied={target.label}: weight shapes differ: {fmt_dims(mine)} vs {fmt_dims(other.shape)}",
                node.pos)
        return weight, f"{target.name}.{other.name}"


def bind_params(params: tuple[nodes.Param, ...], node: nodes.Layer, env: Env, def_env: Env) -> dict[str, Value]:
    """A block call's parameters: the arguments given, then defaults, then the caller's names."""
    names = [p.name for p in params]
    given: dict[str, Value] = {}
    positional = 0
    for arg in node.args:
        if arg.name is None:
            if positional >= len(params):
                raise SymcountError(f"{node.kind} takes {len(params)} argument{'s' if len(params) != 1 else ''}",
                                    arg.pos)
            key = params[positional].name
            positional += 1
        else:
            key = arg.name
            if key not in names:
                raise SymcountError(
                    f"{node.kind} has no parameter '{key}' (valid: {', '.join(names) or 'none'})",
                    arg.pos, hint=did_you_mean(key, names))
        if key in given:
            raise SymcountError(f"parameter {key} given twice", arg.pos)
        given[key] = evaluate(arg.value, env)
    # defaults see the parameters before them (``block b(C, D=2*C)``): bind as we go
    param_env = def_env.child()
    bindings: dict[str, Value] = param_env.scopes[0]
    for p in params:
        if p.name in given:
            bindings[p.name] = given[p.name]
        elif p.default is not None:
            bindings[p.name] = evaluate(p.default, param_env)
        else:
            bindings[p.name] = env.lookup(p.name)
    return bindings


def too_many_positional(kind: str, order: Sequence[str], arg: nodes.Arg) -> SymcountError:
    if not order:
        return SymcountError(f"{kind} takes no positional arguments", arg.pos)
    return SymcountError(f"{kind} takes at most {len(order)} positional arguments", arg.pos,
                         hint=f"in order: {', '.join(order)}")


def named_args(node: nodes.Layer, order: Sequence[str]) -> Iterator[tuple[str | None, nodes.Arg]]:
    """Each argument of a call with the name it gives: its own, or by position the ``order``'s
    (None for a positional argument past the order's end)."""
    positional = 0
    for arg in node.args:
        name = arg.name
        if name is None:
            name = order[positional] if positional < len(order) else None
            positional += 1
        yield name, arg


def call_order(entry: LayerType, node: nodes.Layer) -> tuple[str, ...]:
    """The names a call's positional arguments take, in its framework's order (the module prefix decides)."""
    return positional_order(entry, node.kind, [a.value for a in node.args if a.name is None],
                            layer_framework(node.module))


def _arg_pos(node: nodes.Layer, entry: LayerType, name: str) -> nodes.Pos:
    """Where the call gives argument ``name`` (named or by position); the call itself if it does not."""
    for written, arg in named_args(node, call_order(entry, node)):
        spec = entry.find_arg(written) if written is not None else None
        if spec is not None and spec.name == name:
            return arg.pos
    return node.pos


def _same_sizes(a: tuple[sympy.Expr, ...], b: tuple[sympy.Expr, ...]) -> bool:
    return len(a) == len(b) and all(same_size(x, y) for x, y in zip(a, b, strict=True))


#: Largest period (lcm of floor/ceiling denominators) checked value by value.
MAX_SIZE_PERIOD = 1024


def same_size(x: sympy.Expr, y: sympy.Expr) -> bool:
    """Whether two sizes are equal for every integer value of their symbols.

    ``simplify`` cannot see that ``floor((H - 1)/2) + 1`` (a 3x3 conv, stride 2,
    padding 1) equals ``ceiling(H/2)`` (a 1x1 conv, stride 2, "same"), and it is
    slow on floors. Sizes of one symbol H built from floor/ceiling of linear
    forms (nested too) are quasi-linear: with P the product of the denominators
    inside the floors, each floor grows by a fixed integer when H grows by P, so
    the difference of two sizes is P-periodic once their slopes agree, and
    agreeing at P + 1 consecutive integers forces both. Checking H = 1 .. P + 1
    is then a proof, not a sample. Anything else falls back to ``simplify``.
    """
    if x == y:
        return True
    diff = sympy.expand(x - y)
    if diff == 0:
        return True
    period = _floor_period(diff)
    if period is None:
        return bool(sympy.simplify(diff) == 0)
    (symbol,) = diff.free_symbols
    return all(diff.xreplace({symbol: sympy.Integer(n)}) == 0 for n in range(1, period + 2))


def _floor_period(diff: sympy.Expr) -> int | None:
    """P for :func:`same_size`'s proof, or None when the proof does not apply.

    A floor of ``a*H + sum(c_j * B_j) + b`` (B_j inner floors, denominators
    dividing q) grows by an integer when H grows by q times the lcm of the inner
    periods; P is the lcm of those periods over all floors.
    """
    if len(diff.free_symbols) != 1 or not diff.has(sympy.floor, sympy.ceiling) or diff.has(sympy.Piecewise):
        return None
    (symbol,) = diff.free_symbols
    periods: dict[sympy.Expr, int] = {}

    def period_of(atom: sympy.Expr) -> int | None:
        if atom in periods:
            return periods[atom]
        inner = list(atom.args[0].atoms(sympy.floor, sympy.ceiling))
        stand_ins = {a: sympy.Dummy() for a in inner}
        form = sympy.expand(atom.args[0].xreplace(stand_ins))
        variables = [symbol, *stand_ins.values()]
        if not form.is_polynomial(*variables) or sympy.Poly(form, *variables).total_degree() > 1:
            return None
        coeffs = sympy.Poly(form, *variables).coeffs()
        if not all(c.is_Rational for c in coeffs):
            return None
        q = int(sympy.ilcm(1, *(c.q for c in coeffs)))
        inner_period = 1
        for a in inner:
            p = period_of(a)
            if p is None:
                return None
            inner_period = int(sympy.ilcm(inner_period, p))
        result = q * inner_period
        if result > MAX_SIZE_PERIOD:
            return None
        periods[atom] = result
        return result

    period = 1
    for atom in diff.atoms(sympy.floor, sympy.ceiling):
        p = period_of(atom)
        if p is None:
            return None
        period = int(sympy.ilcm(period, p))
        if period > MAX_SIZE_PERIOD:
            return None
    return period


def shapes_equal(a: Shape, b: Shape) -> bool:
    if (a.channels is None) != (b.channels is None):
        return False
    if a.channels is not None and b.channels is not None and sympy.simplify(a.channels - b.channels) != 0:
        return False
    return _same_sizes(a.spatial, b.spatial)


def fmt_dims(dims: tuple[sympy.Expr, ...]) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _written(value: nodes.Expr) -> str:
    """A value a wrapper got instead of a layer call, in words."""
    if isinstance(value, nodes.Name):
        return f"the name {value.id}" + (" (call it: a layer is made by calling its class)"
                                          if lookup(value.id) is not None else "")
    if isinstance(value, nodes.Str):
        return f'the string "{value.value}"'
    if isinstance(value, nodes.TupleExpr):
        return "a list or tuple"
    return "a value"


def fmt_shape(shape: Shape | None, convention: str) -> str:
    if shape is None:
        return "(unknown)"
    return fmt_dims(shape.layout(convention))


def totals_of(tensors: list[TensorResult]) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    trainable = sympy.Add(*[t.size for t in tensors if t.category == "trainable"])
    non_trainable = sympy.Add(*[t.size for t in tensors if t.category == "non_trainable"])
    buffers = sympy.Add(*[t.size for t in tensors if t.category == "buffer"])
    return sympy.expand(trainable), sympy.expand(non_trainable), sympy.expand(buffers)


def formula_bindings(entry: LayerType, args: Args, convention: str) -> dict[str, Value]:
    """The values of the names a formula uses: each argument's symbol, b, kernels."""
    out: dict[str, Value] = {}
    for spec in entry.args:
        value = args.get(spec.name)
        if value is not None:
            out[spec.formula_name] = value
    if entry.bindings is not None:
        out.update(entry.bindings(args, convention))
    return out


# ---------------------------------------------------------------------------
# input shapes


def input_shape(dims: Mapping[str, sympy.Expr], pos: nodes.Pos) -> Shape:
    """The shape ``input(...)`` with these named sizes (D, H, W, L, C) starts a network with."""
    if "L" in dims and any(d in dims for d in ("H", "W", "D")):
        raise SymcountError("input takes either L (a sequence) or H, W (D), not both", pos)
    if "L" in dims:
        return Shape((dims["L"],), dims.get("C"), True)
    spatial = tuple(dims[d] for d in ("D", "H", "W") if d in dims)
    if "C" not in dims and spatial:
        raise SymcountError("an image input needs its channels C", pos)
    if not dims:
        raise SymcountError("input needs sizes, e.g. input(H=32, W=32, C=3)", pos)
    return Shape(spatial, dims.get("C"), False)


#: Keras shapes are channels-last: what each rank means, as input(...)'s named sizes.
KERAS_AXES = {1: ("C",), 2: ("L", "C"), 3: ("H", "W", "C"), 4: ("D", "H", "W", "C")}
#: Layer arguments that declare the model's input (Keras 2 style), unless the layer has an argument of
#: that name (Embedding's input_dim is its vocabulary).
_KERAS_LAYER_INPUT = ("input_shape", "batch_input_shape", "input_dim", "input_length")
#: keras.Input / InputLayer: the shape arguments, the positional order, and what changes no count.
_KERAS_SHAPE_ARGS = ("shape", "input_shape", "batch_shape", "batch_input_shape")
_KERAS_INPUT_ORDER = ("shape", "batch_size", "dtype")
_KERAS_INPUT_IGNORED = ("batch_size", "dtype", "name", "sparse", "ragged", "optional", "tensor", "input_tensor")


def _keras_tuple(shape: Shape) -> str:
    """A shape as Keras writes input_shape: channels-last, ``(784,)`` for one size."""
    dims = shape.layout("keras")
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def keras_dims(arg: nodes.Arg, env: Env) -> dict[str, sympy.Expr]:
    """A Keras shape tuple (channels-last, ``None`` for a size left open) as input(...)'s named sizes.

    ``batch_shape``/``batch_input_shape`` start with the batch size, which is dropped.
    """
    what = arg.name or "shape"
    if not isinstance(arg.value, nodes.TupleExpr):
        raise SymcountError(f"{what} takes a tuple of sizes, e.g. (28, 28, 1) or (784,)", arg.value.pos)
    items = arg.value.items[1:] if what.startswith("batch") else arg.value.items
    axes = KERAS_AXES.get(len(items))
    if axes is None:
        raise SymcountError(f"{what} has {len(items)} sizes; symcount reads (C,), (L, C), (H, W, C) or (D, H, W, C)",
                            arg.value.pos)
    dims: dict[str, sympy.Expr] = {}
    for axis, item in zip(axes, items, strict=True):
        if is_none(item):
            dims[axis] = sym(axis)  # a size left open: the count is a formula in it, if it depends on it
        else:
            dims[axis] = check_size(evaluate(item, env), nodes.Arg(None, item, item.pos), f"{what} {axis}")
    return dims


# ---------------------------------------------------------------------------
# argument normalisation


#: Keywords that only make sense after or inside another statement (they parse as a layer name elsewhere).
_PLACED_KEYWORDS = {
    "branch": "branch { ... } goes inside parallel(merge=...) { ... }",
    "shortcut": "shortcut { ... } follows residual { ... }",
    "else": "else { ... } follows if COND { ... }",
    "network": "a network is defined at the top level, not inside another",
    "block": "a block is defined at the top level, not inside another",
    "Sequential": "Sequential(...) stands on its own at the top level: it is the whole model",
}


def check_size(value: Value, where: nodes.Arg | nodes.Layer | None, what: str, *, allow_zero: bool = False
               ) -> sympy.Expr:
    if isinstance(value, sympy.Integer) and (value.p > 0 or (allow_zero and value.p == 0)):
        return value  # the common case, checked without sympy's comparison machinery
    pos = where.value.pos if isinstance(where, nodes.Arg) else (where.pos if where is not None else nodes.NOWHERE)
    if isinstance(value, bool) or not isinstance(value, sympy.Basic):
        raise SymcountError(f"{what} must be a size, not {describe(value)}", pos)
    if is_number(value):
        if not value.is_integer:
            raise SymcountError(f"{what} must be a whole number, not {describe(value)}", pos)
        if value < 0 or (value == 0 and not allow_zero):
            bound = "0 or more" if allow_zero else "positive"
            raise SymcountError(f"{what} must be {bound}, not {describe(value)}", pos)
    elif (value.is_nonnegative if allow_zero else value.is_positive) is False:
        # every symbol is a positive size, so sympy can tell -C or 1 - C - D is never one
        bound = "0 or more" if allow_zero else "positive"
        raise SymcountError(f"{what} must be {bound}, not {describe(value)}", pos,
                            hint="every symbol stands for a positive size")
    return value


def _as_tuple(value: Value, dims: int, spec: ArgSpec, entry: LayerType, where: nodes.Arg | None,
              allow_zero: bool) -> tuple[sympy.Expr, ...]:
    pos = where.value.pos if where is not None else nodes.NOWHERE
    items = value if isinstance(value, tuple) else (value,) * max(dims, 1)
    if dims and len(items) != dims:
        raise SymcountError(f"{entry.name} needs {dims} values for {spec.name}, got {len(items)}", pos)
    return tuple(check_size(v, where, f"{spec.name}", allow_zero=allow_zero) for v in items)


def normalise(spec: ArgSpec, value: Value, entry: LayerType, where: nodes.Arg | None,
              shape: Shape | None) -> Any:
    pos = where.value.pos if where is not None else nodes.NOWHERE
    kind = spec.kind
    dims = entry.dims or (shape.rank if shape is not None else 0)
    if kind == SIZE:
        return check_size(value, where, spec.name)
    if kind == SIZES:
        if isinstance(value, tuple):
            sizes = tuple(check_size(v, where, spec.name) for v in value)
            if not sizes:
                raise SymcountError(f"{spec.name} needs at least one size", pos)
            return sizes[0] if len(sizes) == 1 else sizes
        return check_size(value, where, spec.name)
    if kind == COUNT:
        return check_size(value, where, spec.name, allow_zero=True)
    if kind == BIAS:
        if isinstance(value, bool):
            return ONE if value else ZERO
        if isinstance(value, sympy.Basic):
            if is_number(value) and value not in (0, 1):
                raise SymcountError(f"bias must be true, false or a symbol, not {describe(value)}", pos)
            return value
        raise SymcountError(f"bias must be true, false or a symbol, not {describe(value)}", pos)
    if kind == FLAG:
        if isinstance(value, bool):
            return value
        if isinstance(value, sympy.Basic) and is_number(value) and value in (0, 1):
            return bool(value)
        raise SymcountError(f"{spec.name} must be true or false, not {describe(value)}", pos)
    if kind == KERNEL:
        return _as_tuple(value, dims, spec, entry, where, allow_zero=spec.name in ("output_padding", "p"))
    if kind == SHAPE:
        return _as_tuple(value, dims, spec, entry, where, allow_zero=False)
    if kind == PADDING:
        if isinstance(value, str):
            word = value.lower()
            if word not in ("same", "valid", "causal"):
                raise SymcountError(f'padding must be a number, a tuple, "same", "valid" or "causal", not "{value}"',
                                    pos)
            return word
        return _as_tuple(value, dims, spec, entry, where, allow_zero=True)
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, sympy.Basic):
            raise SymcountError(f"{spec.name} must be a number, not {describe(value)}", pos)
        return value
    if kind == STRING:
        if not isinstance(value, str):
            raise SymcountError(f"{spec.name} must be a string, not {describe(value)}", pos)
        return value
    if kind == ANY:
        return value
    raise TypeError(kind)  # pragma: no cover


# ---------------------------------------------------------------------------
# whole programs


def load(tree: nodes.Program, values: Mapping[str, Value]) -> Program:
    """Collect definitions in order, evaluating top-level lets as they come."""
    env = Env(values=dict(values))
    blocks: dict[str, tuple[nodes.Block, Env]] = {}
    networks: dict[str, tuple[nodes.Network, Env]] = {}
    toplevel: list[tuple[nodes.Layer, Env]] = []
    for statement in tree.statements:
        if isinstance(statement, nodes.Let):
            value = env.values[statement.name] if statement.name in env.values \
                else evaluate(statement.value, env)
            env.seen.add(statement.name)
            env = env.child({statement.name: value})
        elif isinstance(statement, nodes.Block):
            _check_params(statement.params)
            if statement.name in blocks or statement.name in networks:
                raise SymcountError(f"'{statement.name}' is defined twice", statement.pos)
            if lookup(statement.name) is not None or statement.name in ("input", "moe"):
                raise SymcountError(f"block '{statement.name}' has the name of a catalog layer", statement.pos)
            blocks[statement.name] = (statement, env)
        elif isinstance(statement, nodes.Network):
            _check_params(statement.params)
            if statement.name in networks or statement.name in blocks:
                raise SymcountError(f"'{statement.name}' is defined twice", statement.pos)
            networks[statement.name] = (statement, env)
        elif isinstance(statement, nodes.Require):
            _check_require(statement, env)
        elif isinstance(statement, nodes.Layer):
            toplevel.append((statement, env))
        else:
            raise SymcountError("only layers, let, block and network may stand at the top level",
                                getattr(statement, "pos", nodes.NOWHERE))
    return Program(tree, blocks, networks, toplevel, env)


def _check_require(statement: nodes.Require, env: Env) -> None:
    """A require that is decidable and false is an error; one that depends on free symbols is left open.

    (Exam templates use require to filter their draws; the exam counts only draws that pass.)
    """
    try:
        holds = truth(evaluate(statement.condition, env), statement.condition)
    except UndecidableError:
        return
    if not holds:
        raise SymcountError("require does not hold: the condition is false", statement.condition.pos,
                            hint="require states what the values must satisfy; change the values or the require")


def _check_params(params: tuple[nodes.Param, ...]) -> None:
    """Each parameter once, and those without a default first: a call binds positional arguments in order,
    so ``b(x=1, y)`` could give y by position only by giving x too (Python refuses it the same way)."""
    seen: set[str] = set()
    defaulted: nodes.Param | None = None
    for p in params:
        if p.name in seen:
            raise SymcountError(f"parameter {p.name} listed twice", p.pos)
        seen.add(p.name)
        if p.default is not None:
            defaulted = defaulted or p
        elif defaulted is not None:
            raise SymcountError(f"parameter {p.name} without a default follows {defaulted.name}, which has one",
                                p.pos, hint="put the parameters without defaults first, as Python requires")


def choose_target(program: Program, network: str | None) -> str:
    names = list(program.networks)
    if network is not None:
        if network == "main" and program.toplevel and "main" not in program.networks:
            return "main"
        if network not in program.networks:
            raise SymcountError(
                f"no network named '{network}' (networks: {', '.join(names) or 'none'})",
                hint=did_you_mean(network, names))
        return network
    if len(names) == 1 and not program.toplevel:
        return names[0]
    if not names and program.toplevel:
        return "main"
    if not names and not program.toplevel:
        raise SymcountError("nothing to count: the description has no layers")
    listed = ", ".join(names + (["main (the top-level layers)"] if program.toplevel else []))
    raise SymcountError(f"the description holds several things to count; name one of: {listed}",
                        hint="use --network NAME, network=NAME or SOURCE#NAME")


# ---------------------------------------------------------------------------
# the expansion's size, before walking it


@dataclass(frozen=True)
class Size:
    """How much a walk expands: its layers and block calls, and whether it gets to the end.

    ``complete`` is False when the walk would stop at an error first; the counts are then the
    layers and calls before it. A count past its limit is only a lower bound (sizing stops there).
    """

    layers: int = 0
    calls: int = 0
    complete: bool = True

    def __add__(self, other: Size) -> Size:
        return Size(self.layers + other.layers, self.calls + other.calls, other.complete)

    def times(self, n: int) -> Size:
        return Size(self.layers * n, self.calls * n, True) if self.complete else self

    def over(self) -> bool:
        return self.layers > MAX_LAYERS or self.calls > MAX_BLOCK_CALLS


STOPPED = Size(0, 0, False)


class TooManyDistinctCalls(Exception):
    """Sizing met more than :data:`MAX_SIZED_CALLS` block calls with different values (not a
    SymcountError: sizing treats those as 'the walk stops here', and this must reach the top)."""

    def __init__(self, calls: list[nodes.Layer]) -> None:
        super().__init__()
        self.calls = calls


class Sizer:
    """How many layers (and block calls) a walk will expand to, worked out before walking it.

    Walking is the slow part (each layer is bound, shaped and counted), so a
    description that expands past :data:`MAX_LAYERS` is refused up front
    instead of after expanding the first 50,000 layers: ``repeat n`` is n
    times its body, and a block call's size is worked out once per block and
    argument values (a block's layers depend on nothing else: conditions
    see values, never shapes), so thirty levels of blocks that each call the
    one below twice are sized in thirty steps. Block calls are counted too,
    so the same tree of calls that make no layers is refused rather than walked.

    Only certain sizes refuse: the walk's own order of evaluation is followed
    (``let``, repeat counts, the branch an ``if`` takes, block arguments),
    and where the walk would stop at an error first (an undecidable
    condition, a bad argument, recursion) the size counts only what comes
    before it, so the walk still reports that error. A sum stops once it
    passes a limit, which keeps sizing cheap however large the expansion.
    """

    def __init__(self, program: Program, stack: list[str]) -> None:
        self.program = program
        self.stack = list(stack)
        self.memo: dict[tuple[Any, ...], Size] = {}
        #: the calls being sized, outermost first (for the error when there are too many distinct ones)
        self.calls: list[nodes.Layer] = []

    def body(self, body: nodes.Body, env: Env) -> Size:
        total = Size()
        for item in body.items:
            total = total + self.item(item, env)
            if not total.complete or total.over():
                return total
        return total

    def item(self, item: nodes.Item, env: Env) -> Size:
        try:
            if isinstance(item, nodes.Let):
                value = env.values[item.name] if item.name in env.values else evaluate(item.value, env)
                env.bind(item.name, value)
                return Size()
            if isinstance(item, nodes.Layer):
                return self.layer(item, env)
            if isinstance(item, nodes.Repeat):
                count = self.repeat_count(item, env)
                if count is None:
                    return STOPPED
                return self.body(item.body, env.child()).times(count) if count else Size()
            if isinstance(item, nodes.If):
                branch = item.then if truth(evaluate(item.condition, env), item.condition) else item.otherwise
                return self.body(branch, env.child()) if branch is not None else Size()
            if isinstance(item, nodes.Residual):
                return self.bodies([item.body, *([item.shortcut] if item.shortcut is not None else [])], env)
            if isinstance(item, nodes.Parallel):
                return self.bodies(list(item.branches), env)
        except SymcountError:
            return STOPPED
        return STOPPED

    def bodies(self, bodies: list[nodes.Body], env: Env) -> Size:
        total = Size()
        for body in bodies:
            total = total + self.body(body, env.child())
            if not total.complete or total.over():
                return total
        return total

    def repeat_count(self, item: nodes.Repeat, env: Env) -> int | None:
        """A numeric count, 1 for a symbolic one (the body is counted once), None if the walk refuses it."""
        count = evaluate(item.count, env)
        if isinstance(count, bool) or not isinstance(count, sympy.Basic):
            return None
        if is_number(count):
            if not count.is_integer or count < 0 or count > MAX_LAYERS:
                return None
            return int(count)
        return None if count.is_nonnegative is False else 1

    def layer(self, node: nodes.Layer, env: Env) -> Size:
        kind = node.kind
        if kind == "input":
            return Size()
        if kind == "moe":  # the router is not counted as an expanded layer; the experts' body is
            return self.body(node.body, env.child()) if node.body is not None else STOPPED
        if node.module is None and (kind in self.program.blocks or kind in self.program.networks):
            return self.call(node, env)[0]
        if node.body is not None or (lookup(kind) is None and wrapper_of(node) is None):
            return STOPPED
        return Size(1, 0, True)

    def call(self, node: nodes.Layer, env: Env) -> tuple[Size, nodes.Block | nodes.Network, Env]:
        """A block call's size, and the definition and environment its body runs in."""
        definition, def_env = self.program.blocks.get(node.kind) or self.program.networks[node.kind]
        if node.kind in self.stack or len(self.stack) >= MAX_CALL_DEPTH or node.body is not None:
            return STOPPED, definition, def_env
        bindings = bind_params(definition.params, node, env, def_env)
        key = (node.kind, *((k, type(v).__name__, v) for k, v in bindings.items()))
        size = self.memo.get(key)
        if size is None:
            if len(self.memo) >= MAX_SIZED_CALLS:
                raise TooManyDistinctCalls([*self.calls, node])
            self.stack.append(node.kind)
            self.calls.append(node)
            try:
                size = Size(0, 1, True) + self.body(definition.body, def_env.child(dict(bindings)))
            finally:
                self.stack.pop()
                self.calls.pop()
            self.memo[key] = size
        return size, definition, def_env.child(bindings)

    # -- where to refuse ----------------------------------------------------------
    def refuse(self, items: list[tuple[nodes.Item, Env]], calls: list[nodes.Layer], layers: bool) -> None:
        """Raise at the innermost statement whose expansion alone passes the limit.

        ``items`` is a sequence whose size passes it (a network's body, the
        top-level layers, or the body of a call in ``calls``); ``layers`` says
        which limit (else the block calls'). A statement that is too large on
        its own is looked into; where none is, the error points at the one
        that takes the running total past the limit.
        """
        limit, unit = (MAX_LAYERS, "layers") if layers else (MAX_BLOCK_CALLS, "block calls")
        running = 0
        for item, env in items:
            size = self.item(item, env)
            n = size.layers if layers else size.calls
            if n > limit:
                self.refuse_item(item, env, calls, layers)
            running += n
            if running > limit:
                raise self.error(f"the description expands to more than {limit:,} {unit}",
                                 item.pos, calls, f"{running:,} {unit} up to and including this statement")
            if not size.complete:
                return

    def refuse_item(self, item: nodes.Item, env: Env, calls: list[nodes.Layer], layers: bool) -> None:
        limit, unit = (MAX_LAYERS, "layers") if layers else (MAX_BLOCK_CALLS, "block calls")
        if isinstance(item, nodes.Repeat):
            count = self.repeat_count(item, env)
            inner = self.body(item.body, env.child())
            per = inner.layers if layers else inner.calls
            if per <= limit and count is not None and count > 1:
                raise self.error(f"repeat {count:,} of {per:,} {unit} expands to {count * per:,} {unit} "
                                 f"(limit {limit:,})", item.count.pos, calls,
                                 "a symbolic count (repeat N {...}) counts any number of copies at once")
            self.refuse(self.in_body(item.body, env), calls, layers)
        elif isinstance(item, nodes.If):
            branch = item.then if truth(evaluate(item.condition, env), item.condition) else item.otherwise
            if branch is not None:
                self.refuse(self.in_body(branch, env), calls, layers)
        elif isinstance(item, (nodes.Residual, nodes.Parallel)):
            bodies = [item.body, item.shortcut] if isinstance(item, nodes.Residual) else list(item.branches)
            for body in bodies:
                if body is not None:
                    self.refuse(self.in_body(body, env), calls, layers)
        elif isinstance(item, nodes.Layer) and item.kind == "moe" and item.body is not None:
            self.refuse(self.in_body(item.body, env), calls, layers)
        elif isinstance(item, nodes.Layer):
            _, definition, body_env = self.call(item, env)
            self.stack.append(item.kind)
            try:
                self.refuse_inside(definition.body, body_env, [*calls, item], layers)
                total = Size(0, 1, True)
                for statement, statement_env in self.in_body(definition.body, body_env):
                    total = total + self.item(statement, statement_env)
            finally:
                self.stack.pop()
            n = total.layers if layers else total.calls
            raise self.error(f"{item.kind}(...) expands to {n:,} {unit} (limit {limit:,})", item.pos, calls, None)

    def refuse_inside(self, body: nodes.Body, env: Env, calls: list[nodes.Layer], layers: bool) -> None:
        """Raise at a statement of a block's body that is too large on its own, if there is one."""
        limit = MAX_LAYERS if layers else MAX_BLOCK_CALLS
        for statement, statement_env in self.in_body(body, env):
            size = self.item(statement, statement_env)
            if (size.layers if layers else size.calls) > limit:
                self.refuse_item(statement, statement_env, calls, layers)
            if not size.complete:
                return

    @staticmethod
    def in_body(body: nodes.Body, env: Env) -> list[tuple[nodes.Item, Env]]:
        inner = env.child()
        return [(item, inner) for item in body.items]

    @staticmethod
    def error(message: str, pos: nodes.Pos, calls: list[nodes.Layer], hint: str | None) -> SymcountError:
        shown = [f"in {c.kind}(...) called at line {c.pos.line}" for c in reversed(calls)]
        if len(shown) > MAX_CALLS_SHOWN:
            shown = [*shown[:MAX_CALLS_SHOWN], "..."]
        return SymcountError(message, pos, hint="; ".join([*([hint] if hint else []), *shown]) or None)


def check_expansion_size(program: Program, items: Callable[[], list[tuple[nodes.Item, Env]]],
                         stack: list[str]) -> None:
    """Refuse, before walking, a description that certainly expands past the layer or block-call limit.

    ``items`` makes the statements to walk with fresh environments (a ``let``
    binds as it is sized, and the error is looked for in a second pass).
    """
    seen = set(program.env.seen)
    sizer = Sizer(program, stack)
    try:
        total = Size()
        for item, env in items():
            total = total + sizer.item(item, env)
            if total.over():
                sizer.refuse(items(), [], total.layers > MAX_LAYERS)
            if not total.complete:
                break
    except RecursionError:
        pass  # nested too deeply to size: the walk says so itself
    except TooManyDistinctCalls as err:
        first, *inner = err.calls
        what = f"{first.kind}(...)" if inner else "the description"
        chain = " -> ".join(f"{c.kind}(...) at line {c.pos.line}" for c in inner[-MAX_CALLS_SHOWN:])
        raise SymcountError(
            f"{what} makes more than {MAX_SIZED_CALLS:,} block calls with different argument values",
            first.pos, hint=f"blocks that call blocks with new values at every level multiply without end: "
                            f"{'... -> ' if len(inner) > MAX_CALLS_SHOWN else ''}{chain}"
            if inner else "call a block with the same values, or use repeat") from None
    finally:
        program.env.seen.clear()
        program.env.seen.update(seen)


def walk(program: Program, target: str, convention: str) -> Walker:
    walker = Walker(program, convention)
    if target == "main" and target not in program.networks:
        check_expansion_size(program, lambda: [(node, env.child()) for node, env in program.toplevel], [])
        root = Scope(used=walker.names)  # one scope: two top-level conv2d are conv2d and conv2d_1
        for node, env in program.toplevel:
            walker.first_layer = len(walker.layers)  # each top-level layer is a model of its own
            walker.run_layer(node, env.child(), None, root, ONE)
        walker.final_shape = None  # type: ignore[attr-defined]
        return walker
    definition, env = program.networks[target]
    param_env = env.child()
    bindings: dict[str, Value] = param_env.scopes[0]  # defaults see earlier parameters
    for p in definition.params:
        if p.name in env.values:
            bindings[p.name] = env.values[p.name]
        elif p.default is not None:
            bindings[p.name] = evaluate(p.default, param_env)
        else:
            bindings[p.name] = sym(p.name)
        env.seen.add(p.name)
    check_expansion_size(program, lambda: Sizer.in_body(definition.body, env.child(dict(bindings))), [target])
    walker.in_network = True
    walker.call_stack.append(target)
    final = walker.run_body(definition.body, env.child(bindings), None, Scope(used=walker.names), ONE)
    walker.final_shape = final  # type: ignore[attr-defined]
    return walker
