"""The walk: go through a network's body, bind each layer's arguments, flow shapes, count.

Input is the syntax tree (never text); output is a :class:`~symcount.engine.results.Count`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod
from typing import Any

import sympy

from symcount.catalog.core import ANY, ONE, REQUIRED, Args, ArgSpec, LayerType, Tensor, all_spellings, lookup
from symcount.catalog.recurrent import MERGE_MODES
from symcount.catalog.shapes import Shape
from symcount.catalog.spellings import KERAS_INPUTS, KERAS_LAYERS, layer_framework, spelling_framework
from symcount.catalog.vision import merge_layer_hint
from symcount.catalog.wrappers import RECURRENT, Wrapper, is_keras_spelling, wrapper_of, wrapper_spellings
from symcount.engine.binding import (
    _KERAS_INPUT_IGNORED,
    _KERAS_INPUT_ORDER,
    _KERAS_LAYER_INPUT,
    _KERAS_SHAPE_ARGS,
    _PLACED_KEYWORDS,
    _arg_pos,
    _keras_tuple,
    bind_params,
    call_order,
    check_size,
    formula_bindings,
    input_shape,
    keras_dims,
    named_args,
    normalise,
    too_many_positional,
)
from symcount.engine.dims import _same_sizes, _written, fmt_dims, fmt_shape, shapes_equal
from symcount.engine.load import Program
from symcount.engine.results import BlockCall, LayerResult, Merge, TensorResult, totals_of
from symcount.engine.sizing import MAX_BLOCK_CALLS, MAX_CALL_DEPTH, MAX_CALLS_SHOWN, MAX_LAYERS, Sizer, check_expansion_size
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.symbols import is_number, sym
from symcount.language.syntax_errors import KEYWORDS
from symcount.language.values import Env, Value, check_expansion, describe, evaluate, is_none, truth

# ---------------------------------------------------------------------------

#: parallel(merge=...): the written names (Keras's merge layers' too) -> the merge
MERGES = {"concat": "concat", "concatenate": "concat", "add": "add", "sum": "add", "mul": "mul",
          "multiply": "mul", "max": "max", "maximum": "max", "mean": "mean", "average": "mean", "ave": "mean"}
MERGE_WORDS = {"add": "add", "mul": "multiply", "max": "take the maximum of", "mean": "average"}


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
    #: inside a repeat, labels are scoped per iteration (``3.block``, as the frameworks number
    #: a Sequential's children); automatic names keep counting in ``prefix``
    label_prefix: str | None = None

    def name(self, kind: str, label: str | None) -> str:
        """A label's name (the walker claims it), or the next free ``kind``, ``kind_1``, ..."""
        if label:
            return (self.label_prefix or self.prefix) + label
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

    def iteration(self, i: int) -> Scope:
        """Iteration ``i`` of an unlabelled repeat: the same scope, its labels under ``i.``."""
        return replace(self, label_prefix=f"{self.label_prefix or self.prefix}{i}.")


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
        #: every residual and parallel, as ranges of ``layers`` (inner ones first)
        self.merges: list[Merge] = []
        self.call_stack: list[str] = []
        self.expanded = 0
        self.calls = 0
        self.shared: list[str] = []
        #: the output shape of each labelled stream (``encoder: stream { input(...) ... }``) by dotted name
        self.streams: dict[str, Shape | None] = {}
        self.notes: list[str] = []
        self.in_network = False
        #: index in ``layers`` of the first layer of the network (or top-level layer) being walked
        self.first_layer = 0
        #: the shape the network outputs (None for top-level layers, each a model of its own)
        self.final_shape: Shape | None = None

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
        outer = scope
        if item.label:
            name = scope.name("repeat", item.label)
            self.claim_label(name, item)
            scope = scope.child(name)
        start = len(self.layers)
        if is_number(count):
            if not count.is_integer or count < 0:
                raise SymcountError(f"repeat count must be a whole number >= 0, got {describe(count)}", item.count.pos)
            n = int(count)
            if n > MAX_LAYERS:
                raise SymcountError(f"repeat {n} expands to too many layers (limit {MAX_LAYERS:,})",
                                    item.count.pos)
            for i in range(n):
                before = self.expanded
                inner = scope.child(f"{scope.prefix}{i}") if item.label else scope.iteration(i)
                shape = self.run_body(item.body, env.child(), shape, inner, multiplier)
                per_pass = self.expanded - before
                if i == 0 and self.expanded + per_pass * (n - 1) > MAX_LAYERS:
                    # refuse now rather than after expanding up to the limit (nested repeats)
                    raise SymcountError(
                        f"repeat {n} of {per_pass:,} layers expands to {per_pass * n:,} layers "
                        f"(limit {MAX_LAYERS:,})", item.count.pos,
                        hint="a symbolic count (repeat N {...}) counts any number of copies at once")
            self.close_construct(item, outer, start, shape)
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
        self.close_construct(item, outer, start, after)
        return after

    def open_construct(self, item: nodes.Residual | nodes.Parallel, kind: str, scope: Scope) -> Scope:
        """A labelled residual or parallel names a scope, as a block call does (``se.conv2d``)."""
        if not item.label:
            return scope
        name = scope.name(kind, item.label)
        self.claim_label(name, item)
        return scope.child(name)

    def close_construct(self, item: nodes.Repeat | nodes.Residual | nodes.Parallel, scope: Scope, start: int,
                        out: Shape | None) -> None:
        """A labelled construct folds like a block call (``--depth``)."""
        if not item.label:
            return
        name = (scope.label_prefix or scope.prefix) + item.label
        self.notes_for_block(name, start)
        layout = out.layout(self.convention) if out is not None else None
        kind = {nodes.Repeat: "repeat", nodes.Residual: "residual", nodes.Parallel: "parallel"}[type(item)]
        self.blocks.append(BlockCall(name, kind, layout, start, len(self.layers), item.pos))

    def run_residual(self, item: nodes.Residual, env: Env, shape: Shape | None, scope: Scope,
                     multiplier: sympy.Expr) -> Shape | None:
        start = len(self.layers)
        inner = self.open_construct(item, "residual", scope)
        main = self.run_body(item.body, env.child(), shape, inner, multiplier)
        end = len(self.layers)
        side = shape
        if item.shortcut is not None:
            side = self.run_body(item.shortcut, env.child(), shape, inner, multiplier)
        self.merges.append(Merge("residual", ((start, end), (end, len(self.layers))), main, multiplier, item.pos))
        if main is not None and side is not None and not shapes_equal(main, side):
            raise SymcountError(
                f"residual branches disagree: {fmt_shape(main, self.convention)} + "
                f"{fmt_shape(side, self.convention)}",
                item.pos,
                hint=self.reshaping_layer(start, end) + "project the shortcut (a 1x1 conv with the same stride)",
            )
        self.close_construct(item, scope, start, main)
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
            merge = self.merge_mode(evaluate(arg.value, env), arg.value.pos)
        if not item.branches:
            raise SymcountError("parallel needs at least one branch { ... }", item.pos)
        start = len(self.layers)
        inner = self.open_construct(item, "parallel", scope)
        outs: list[Shape | None] = []
        ranges: list[tuple[int, int]] = []
        for branch in item.branches:
            begin = len(self.layers)
            outs.append(self.run_body(branch, env.child(), shape, inner, multiplier))
            ranges.append((begin, len(self.layers)))
        if not outs or any(o is None for o in outs):
            return None
        shapes = [o for o in outs if o is not None]
        out = self.concatenated(shapes, item) if merge == "concat" else self.broadcast(shapes, merge, item)
        self.merges.append(Merge(merge, tuple(ranges), out, multiplier, item.pos))
        self.close_construct(item, scope, start, out)
        return out

    def merge_mode(self, value: Value, pos: nodes.Pos) -> str:
        """``merge=``: concat, or an element-wise add, mul, max or mean (Keras's names too)."""
        if not isinstance(value, str) or MERGES.get(value.lower()) is None:
            shown = f'"{value}"' if isinstance(value, str) else describe(value)
            raise SymcountError(f'unknown merge {shown} (valid: "concat", "add", "mul", "max", "mean")', pos,
                                hint=did_you_mean(value, list(MERGES)) if isinstance(value, str) else None)
        return MERGES[value.lower()]

    def concatenated(self, outs: list[Shape], item: nodes.Parallel) -> Shape:
        first = outs[0]
        for other in outs[1:]:
            if not _same_sizes(first.spatial, other.spatial):
                raise SymcountError(
                    f"parallel branches to concatenate differ in size: {fmt_shape(first, self.convention)} "
                    f"vs {fmt_shape(other, self.convention)}", item.pos)
        channels = [o.channels for o in outs]
        if any(c is None for c in channels):
            raise SymcountError("cannot concatenate token ids", item.pos)
        return Shape(first.spatial, sympy.Add(*channels), first.sequence)

    def broadcast(self, outs: list[Shape], merge: str, item: nodes.Parallel) -> Shape:
        """An element-wise merge broadcasts as the framework does: the printed shapes aligned on the
        right, each size equal or 1 (squeeze-and-excitation: (C, 1, 1) times (C, H, W))."""
        if any(o.channels is None for o in outs):
            raise SymcountError(f"cannot {MERGE_WORDS[merge]} token ids element-wise", item.pos,
                                hint="embed the tokens first")
        widest = max(outs, key=lambda o: o.rank)
        layouts = [o.layout(self.convention) for o in outs]
        rank = max(len(lay) for lay in layouts)
        result = [ONE] * rank
        for layout in layouts:
            padded = (ONE,) * (rank - len(layout)) + tuple(layout)
            for i, n in enumerate(padded):
                if _same_sizes((n,), (result[i],)) or n == ONE:
                    continue
                if result[i] == ONE:
                    result[i] = n
                    continue
                shown = " vs ".join(fmt_shape(o, self.convention) for o in outs)
                raise SymcountError(
                    f"parallel branches to {MERGE_WORDS[merge]} do not broadcast: {shown} "
                    f"(sizes {result[i]} and {n} at the same place)", item.pos,
                    hint="each size must be equal or 1, the shapes aligned on the right as the framework prints them")
        if widest.sequence or self.convention == "keras":
            return Shape(tuple(result[:-1]), result[-1], widest.sequence)
        return Shape(tuple(result[1:]), result[0], widest.sequence)

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
        if node.kind == "stream" and node.kind not in self.program.blocks:
            return self.run_stream(node, env, shape, scope, multiplier)
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
            if merge_layer_hint(node.kind):
                raise SymcountError(f"{node.kind} takes a list of tensors, not one input", node.pos,
                                    hint=merge_layer_hint(node.kind))
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
        self.notes_for_block(name, start)
        layout = out.layout(self.convention) if out is not None else None
        self.blocks.append(BlockCall(name, node.kind, layout, start, len(self.layers), node.pos))
        return out

    def claim_label(self, name: str, node: nodes.Layer | nodes.Repeat | nodes.Residual | nodes.Parallel) -> None:
        """A label names one layer or block call in its scope; a second use is an error."""
        if not node.label:
            return
        if name in self.names:
            raise SymcountError(f"label '{node.label}' used twice (an earlier layer here has that name)", node.pos,
                                hint="a label names one layer or construct in its scope")
        self.names.add(name)

    def resolve_label(self, label: str, name: str) -> LayerResult | None:
        """The labelled layer ``tied=label`` means from layer ``name``: innermost scope first."""
        parts = name.split(".")[:-1]
        while True:
            found = self.labels.get(".".join([*parts, label]))
            if found is not None or not parts:
                break
            parts.pop()
        # a label at a stream's top level (T5's shared embedding in the encoder) is seen after the stream
        return found or next((self.labels[f"{s}.{label}"] for s in self.streams if f"{s}.{label}" in self.labels),
                             None)

    def notes_for_block(self, name: str, start: int) -> None:
        """Remember which layers a block call produced (for --depth folding)."""
        for layer in self.layers[start:]:
            layer.depth = max(layer.depth, name.count(".") + 1)

    def bind_params(self, params: tuple[nodes.Param, ...], node: nodes.Layer, env: Env,
                    def_env: Env) -> dict[str, Value]:
        return bind_params(params, node, env, def_env)

    # -- mixture of experts --------------------------------------------------------
    def run_moe(self, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                multiplier: sympy.Expr) -> Shape | None:
        """``moe(experts, top_k, shared) { expert }``: every expert counts; top_k routed and the shared ones
        are active."""
        options: dict[str, Value] = {"experts": sympy.Integer(8), "top_k": sympy.Integer(2), "bias": False,
                                     "shared": sympy.Integer(0), "correction_bias": False}
        valid = "experts, top_k, bias, shared, correction_bias"
        for arg in node.args:
            if arg.name is None:
                raise SymcountError("moe takes named arguments (experts=, top_k=, bias=, shared=, correction_bias=)",
                                    arg.pos,
                                    hint="e.g. moe(experts=8, top_k=2) { ... }")
            key = _MOE_ALIASES.get(arg.name, arg.name)
            if key not in options:
                raise SymcountError(f"moe has no argument '{arg.name}' (valid: {valid})", arg.pos)
            options[key] = evaluate(arg.value, env)
        if node.body is None:
            raise SymcountError("moe needs a body: the expert, e.g. moe(experts=8) { gated_mlp(ff=14336) }",
                                node.pos)
        if shape is None or shape.channels is None:
            raise SymcountError("moe needs an input shape (its router reads d_model)", node.pos)
        if options["experts"] == 0 or options["top_k"] == 0:
            which = "experts" if options["experts"] == 0 else "top_k"
            raise SymcountError(f"moe has no routed experts ({which}=0)", self.moe_arg_pos(node, which),
                                hint="shared experts sit beside routed ones; a layer every token runs "
                                     "through is the expert itself, without moe")
        experts = check_size(options["experts"], node, "experts")
        top_k = check_size(options["top_k"], node, "top_k")
        shared = check_size(options["shared"], node, "shared", allow_zero=True)
        if is_number(experts) and is_number(top_k) and top_k > experts:
            raise SymcountError(f"top_k={top_k} is more than the {experts} experts", node.pos)
        router_entry = lookup("linear")
        assert router_entry is not None
        # the router's bias reads as every layer's bias= does: true, false or a symbol (bias=3 is refused)
        bias_arg = next((a for a in node.args if _MOE_ALIASES.get(a.name or "", a.name) == "bias"), None)
        bias = normalise(router_entry.arg("bias"), options["bias"], router_entry, bias_arg, shape)
        correction = self.moe_flag(node, "correction_bias", options["correction_bias"])
        name = scope.name("moe", node.label)
        inner = scope.child(name)
        router_env = env.child({"__moe_C_out": experts, "__moe_bias": bias})
        # The router is unlabelled (every moe has one, so a label would clash in the
        # second layer); it is named "router" after counting.
        router, _ = self.count_layer(
            router_entry,
            nodes.Layer("linear", (nodes.Arg("C_out", nodes.Name("__moe_C_out")),
                                 nodes.Arg("bias", nodes.Name("__moe_bias"))),
                      None, None, node.pos),
            router_env, shape, inner, multiplier)
        router.name = inner.prefix + "router"
        if correction:
            # DeepSeek-V3's e_score_correction_bias: one value per expert added to the routing scores
            # (load balancing), kept as a buffer, not learned by gradients
            # (Keras's convention has no buffers: state is a non-trainable weight, counted in the total)
            keras = self.convention == "keras"
            router.tensors.append(TensorResult("e_score_correction_bias", (experts,), experts,
                                               "non_trainable" if keras else "buffer"))
            if keras:
                router.non_trainable = router.non_trainable + multiplier * experts
                router.active = router.active + multiplier * experts
            else:
                router.buffers = router.buffers + multiplier * experts
            if "param" in router.formulas:  # the derivation shows it: one value per router output
                router.formulas = {**router.formulas, "stat": "C_out"}
            router.notes.append("e_score_correction_bias: one score bias per expert, not learned by gradients")
        self.layers.append(router)
        start = len(self.layers)
        out = self.run_body(node.body, env.child(), shape, inner.child(inner.prefix + "experts"),
                            multiplier * experts)
        if len(self.layers) == start:
            raise SymcountError("moe's body (the expert) has no layers", node.pos,
                                hint="e.g. moe(experts=8, top_k=2) { gated_mlp(ff=14336) }")
        self.check_expert_shape(node, shape, out, start)
        for layer in self.layers[start:]:
            layer.active = sympy.expand(layer.active / experts * top_k)
            # each token runs through top_k experts only: that is the compute
            if layer.macs is not sympy.nan:
                layer.macs = sympy.expand(layer.macs / experts * top_k)
            layer.notes.append(f"x {experts} routed experts, {top_k} active per token")
        if shared != 0:
            start = len(self.layers)
            self.run_body(node.body, env.child(), shape, inner.child(inner.prefix + "shared_experts"),
                          multiplier * shared)
            for layer in self.layers[start:]:
                layer.notes.append(f"x {shared} shared experts, every token runs through them")
        return out

    def run_stream(self, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
                   multiplier: sympy.Expr) -> Shape | None:
        """``encoder: stream { input(L=S); ... }``: a second sequence with its own input and length (an
        encoder-decoder's encoder), counted in place; the shape flowing in passes by unchanged, and
        ``attention(..., to=encoder)`` reads the stream's output."""
        example = "encoder: stream { input(L=S); ... }"
        if node.args:
            raise SymcountError("stream takes no arguments: its body starts with its own input(...)",
                                node.args[0].pos, hint=f"e.g. {example}")
        if not node.label:
            raise SymcountError("a stream needs a label: attention(..., to=label) reads it", node.pos,
                                hint=f"e.g. {example}")
        first = node.body.items[0] if node.body is not None and node.body.items else None
        if not isinstance(first, nodes.Layer) or first.kind != "input":
            raise SymcountError("a stream starts with its own input(...): the sequence it reads", node.pos,
                                hint=f"e.g. {example}")
        name = scope.name("stream", node.label)
        self.claim_label(name, node)
        assert node.body is not None
        out = self.run_body(node.body, env.child(), None, scope.child(name), multiplier)
        self.streams[name] = out
        return shape

    def stream_for(self, label: str, name: str, node: nodes.Layer) -> Shape:
        """The output of the stream ``to=label`` names from layer ``name``: innermost scope first."""
        parts = name.split(".")[:-1]
        while True:
            key = ".".join([*parts, label])
            if key in self.streams:
                found = self.streams[key]
                if found is None or found.channels is None or len(found.spatial) != 1:
                    raise SymcountError(f"to={label}: the stream's output is not a sequence of vectors "
                                        f"({fmt_shape(found, self.convention)})", node.pos)
                return found
            if key in self.labels or key in self.names:
                raise SymcountError(f"to={label}: '{label}' labels a layer, not a stream", node.pos,
                                    hint=f"cross-attention reads a second sequence: {label}: stream "
                                         "{ input(L=S); ... } before this layer")
            if not parts:
                raise SymcountError(f"to={label}: no earlier stream has that label", node.pos,
                                    hint=did_you_mean(label, [n.rsplit(".", 1)[-1] for n in self.streams])
                                    or f"a stream comes first: {label}: stream {{ input(L=S); ... }}")
            parts.pop()

    def moe_arg_pos(self, node: nodes.Layer, key: str) -> nodes.Pos:
        arg = next((a for a in node.args if _MOE_ALIASES.get(a.name or "", a.name) == key), None)
        return arg.value.pos if arg is not None else node.pos

    def moe_flag(self, node: nodes.Layer, key: str, value: Value) -> bool:
        if isinstance(value, bool):
            return value
        raise SymcountError(f"{key} must be true or false, not {describe(value)}", self.moe_arg_pos(node, key))

    def check_expert_shape(self, node: nodes.Layer, shape: Shape, out: Shape | None, start: int) -> None:
        if out is None or not shapes_equal(out, shape):
            raise SymcountError(
                f"moe's expert must keep the shape: {fmt_shape(shape, self.convention)} -> "
                f"{fmt_shape(out, self.convention)}", node.pos,
                hint=self.reshaping_layer(start, len(self.layers))
                + "each token's expert outputs are summed back into its d_model features")

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
        bound = self.bind_args(entry, node, env, shape, scope)
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

    def bind_args(self, entry: LayerType, node: nodes.Layer, env: Env, shape: Shape | None,
                  scope: Scope | None = None) -> tuple[dict[str, Any], set[str], dict[str, tuple[sympy.Expr, ...]]]:
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
                if spec.kind == ANY and spec.name not in raw:
                    raw[spec.name] = (None, arg)  # a meaningful None (Keras Normalization's axis=None)
                    continue
                raise SymcountError(f"{arg.name or spec.name} cannot be None", arg.value.pos,
                                    hint=f"leave {arg.name or spec.name} out for its default"
                                    if spec.default is not REQUIRED else f"{entry.name} needs a value for it")
            if spec.name in raw:
                raise SymcountError(f"argument {spec.name} given twice", arg.pos,
                                    hint=f"{arg.name} is another name for {spec.name}"
                                    if arg.name not in (None, spec.name) else None)
            if spec.name == "tied":
                raw[spec.name] = (_tied_label(arg.value), arg)
            elif spec.name == "to":
                if not isinstance(arg.value, nodes.Name):
                    raise SymcountError("to= takes the label of a stream", arg.value.pos)
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
        if values.get("to") is not None and scope is not None:
            self.read_stream(values, node, scope)
        if entry.derive is not None:
            entry.derive(values, shape)
        values["input_shape"] = shape
        return values, given, inferred

    def read_stream(self, values: dict[str, Any], node: nodes.Layer, scope: Scope) -> None:
        """Cross-attention: keys and values come from the stream, as wide as its features, as many as its
        positions (unless kdim=, vdim= or memory_len= say otherwise)."""
        memory = self.stream_for(values["to"], scope.prefix + "_", node)
        for name in ("kdim", "vdim"):
            if values.get(name) is None:
                values[name] = memory.channels
        if values.get("memory_len") is None:
            values["memory_len"] = prod(memory.spatial)

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


#: moe's arguments as the frameworks' configurations name them
_MOE_ALIASES = {"num_experts": "experts", "num_local_experts": "experts", "n_routed_experts": "experts",
                "experts_per_token": "top_k", "num_experts_per_tok": "top_k", "router_bias": "bias",
                "n_shared_experts": "shared", "shared_experts": "shared",
                "e_score_correction_bias": "correction_bias"}


def _tied_label(value: nodes.Expr) -> str:
    """``tied=emb``, or a layer inside a labelled block call: ``tied="transformer.wte"``."""
    if isinstance(value, nodes.Name):
        return value.id
    if isinstance(value, nodes.Str) and all(part.isidentifier() for part in value.value.split(".")):
        return value.value
    raise SymcountError("tied= takes the label of another layer (a block's layer as a string: "
                        'tied="block_label.layer_label")', value.pos)


def walk(program: Program, target: str, convention: str) -> Walker:
    walker = Walker(program, convention)
    if target == "main" and target not in program.networks:
        check_expansion_size(program, lambda: [(node, env.child()) for node, env in program.toplevel], [])
        root = Scope(used=walker.names)  # one scope: two top-level conv2d are conv2d and conv2d_1
        for node, env in program.toplevel:
            walker.first_layer = len(walker.layers)  # each top-level layer is a model of its own
            walker.run_layer(node, env.child(), None, root, ONE)
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
    walker.final_shape = final
    return walker
