"""The walk: go through a network's body, bind each layer's arguments, flow shapes, count.

Input is the syntax tree (never text); output is a :class:`~symcount.engine.results.Count`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sympy

from symcount.catalog.core import ANY, ONE, REQUIRED, SIZES, Args, ArgSpec, LayerType, Tensor, all_spellings, lookup
from symcount.catalog.shapes import Shape
from symcount.catalog.spellings import KERAS_INPUTS, layer_framework, spelling_framework
from symcount.catalog.vision import merge_layer_hint
from symcount.catalog.wrappers import wrapper_of, wrapper_spellings
from symcount.engine import binding, experts, merges, wrapped
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
from symcount.engine.dims import _same_sizes, fmt_dims, fmt_shape, shapes_equal
from symcount.engine.load import Program
from symcount.engine.results import BlockCall, LayerResult, Merge, TensorResult, totals_of
from symcount.engine.scope import Scope
from symcount.engine.sizing import (
    MAX_BLOCK_CALLS,
    MAX_CALL_DEPTH,
    MAX_CALLS_SHOWN,
    Sizer,
    check_expansion_size,
    layer_limit,
    limit_hint,
)
from symcount.errors import SymcountError, did_you_mean, shorten
from symcount.language import budget, nodes
from symcount.language.symbols import is_number, sym
from symcount.language.syntax_errors import KEYWORDS
from symcount.language.values import Env, Value, check_expansion, describe, evaluate, is_none, truth

# ---------------------------------------------------------------------------

class Walker:
    """Expands one network (or the top-level layers) into counted layers."""

    # the walk of merges, experts and streams, and Keras's wrappers: methods defined in their own modules
    run_residual = merges.run_residual
    reshaping_layer = merges.reshaping_layer
    run_parallel = merges.run_parallel
    merge_mode = merges.merge_mode
    concatenated = merges.concatenated
    broadcast = merges.broadcast
    run_moe = experts.run_moe
    run_stream = experts.run_stream
    stream_for = experts.stream_for
    moe_arg_pos = experts.moe_arg_pos
    moe_flag = experts.moe_flag
    check_expert_shape = experts.check_expert_shape
    read_stream = experts.read_stream
    count_wrapper = wrapped.count_wrapper
    count_wrapped = wrapped.count_wrapped
    bidirectional_call = wrapped.bidirectional_call

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
        #: each symbolic output size (a layer's spatial size in terms of the free sizes): the network can
        #: be built only where every one is >= 1 (a kernel no larger than its padded input)
        self.sizes_to_fit: dict[sympy.Expr, None] = {}
        self.in_network = False
        #: index in ``layers`` of the first layer of the network (or top-level layer) being walked
        self.first_layer = 0
        #: the shape the network outputs (None for top-level layers, each a model of its own)
        self.final_shape: Shape | None = None
        #: a network with several outputs (parallel(merge="outputs")): their shapes, and where they are given
        self.outputs: list[Shape] = []
        self.outputs_at: nodes.Pos | None = None

    # -- items ---------------------------------------------------------------------
    def run_body(self, body: nodes.Body, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
        for item in body.items:
            shape = self.run_item(item, env, shape, scope, multiplier)
        return shape

    def run_item(self, item: nodes.Item, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
        if self.outputs_at is not None:
            raise SymcountError(f'the network\'s outputs are given at line {self.outputs_at.line} (parallel(merge='
                                '"outputs")): nothing can follow them', item.pos)
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
            if n > layer_limit():
                raise SymcountError(f"repeat {n} expands to too many layers (limit {layer_limit():,})",
                                    item.count.pos, hint=limit_hint())
            for i in range(n):
                before = self.expanded
                inner = scope.child(f"{scope.prefix}{i}") if item.label else scope.iteration(i)
                shape = self.run_body(item.body, env.child(), shape, inner, multiplier)
                per_pass = self.expanded - before
                if i == 0 and self.expanded + per_pass * (n - 1) > layer_limit():
                    # refuse now rather than after expanding up to the limit (nested repeats)
                    raise SymcountError(
                        f"repeat {n} of {per_pass:,} layers expands to {per_pass * n:,} layers "
                        f"(limit {layer_limit():,})", item.count.pos,
                        hint=limit_hint() or "a symbolic count (repeat N {...}) counts any number of copies at once")
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
            if self.expanded > layer_limit():
                raise SymcountError(f"the description expands to more than {layer_limit():,} layers", node.pos,
                                    hint=limit_hint())
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
        if self.expanded > layer_limit():
            raise SymcountError(f"the description expands to more than {layer_limit():,} layers", node.pos,
                                hint=limit_hint())
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
        if values.get("shared") is not None:
            results, notes = self.shared_results(entry, tensors, values["shared"], name, node)
        else:
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
            trainable=_times(m, trainable),
            non_trainable=_times(m, non_trainable),
            buffers=_times(m, buffers),
            macs=_times(m, macs) if macs is not None else sympy.nan,
            tensors=results,
            active=_times(m, trainable if non_trainable == 0 else trainable + non_trainable),
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

    def shape_rules(self, entry: LayerType, node: nodes.Layer) -> str:
        """Whose class decides the output shape: a framework's spelling (``layers.LSTM``, ``nn.LSTM``)
        behaves as that framework's class does whatever the counting convention (Keras's LSTM returns
        the last step unless told, PyTorch's every step); symcount's own names follow the convention."""
        written_for = spelling_framework(node.kind, layer_framework(node.module))
        return written_for if written_for is not None and written_for in entry.frameworks else self.convention

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
        out = entry.shape(args, shape, self.shape_rules(entry, node))
        for n in out.spatial:
            if is_number(n) and n < 1:
                raise SymcountError(
                    f"{entry.name} does not fit its input {fmt_shape(shape, self.convention)}: the output "
                    f"would have size {n}", node.pos,
                    hint="the kernel is larger than the padded input")
            if not is_number(n) and not n.is_Symbol and n.free_symbols:
                self.sizes_to_fit[n] = None
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
                if entry.find_arg(name) is None and accept_unmodelled(entry, name, arg, env, shape):
                    continue  # data_format="channels_last", ...: the default of an option not modelled
                spec = entry.arg(name)
            else:
                if arg.name == "shared":
                    raw["shared"] = (_tied_label(arg.value), arg)
                    continue
                if arg.name == "tied" and entry.find_arg("tied") is None:
                    raise SymcountError(f"{entry.name} cannot be tied to another layer", arg.pos)
                found = entry.find_arg(arg.name)
                if found is None and entry.ignores(arg.name):
                    continue  # a framework option that changes no count or shape (eps, dropout, ...)
                if found is None and accept_unmodelled(entry, arg.name, arg, env, shape):
                    continue  # the default of a framework option not modelled
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
        if "shared" in raw:
            values["shared"] = raw["shared"][0]
        if values.get("to") is not None and scope is not None:
            self.read_stream(values, node, scope)
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
        if spec.kind == SIZES and _same_sizes((given,), shape.layout("pytorch")[-1:]):
            return  # PyTorch's normalized_shape: the input's last size (W of an image), checked by the entry
        if budget.simplify(given - shape.channels).is_zero is False:
            raise SymcountError(
                f"{entry.name}: {spec.name}={given} but the input has {shape.channels} channels "
                f"{fmt_shape(shape, self.convention)}", arg.pos,
                hint=f"PyTorch's normalized_shape is the channels or the input's last size(s), here "
                f"{shape.layout('pytorch')[-1]}" if spec.kind == SIZES
                else f"leave {spec.name} out: it is inferred from the input")

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

    def shared_results(self, entry: LayerType, tensors: list[Tensor], label: str, name: str,
                       node: nodes.Layer) -> tuple[list[TensorResult], list[str]]:
        """``shared=label``: the same layer object applied again (Keras's shared layers, a module called
        twice): every tensor is the labelled layer's, counted once there; the shapes must be the same."""
        target = self.resolve_label(label, name)
        if target is None:
            raise SymcountError(f"shared={label}: no earlier layer has that label", node.pos,
                                hint=did_you_mean(label, [n.rsplit(".", 1)[-1] for n in self.labels]))
        if target.kind != entry.name:
            raise SymcountError(f"shared={label}: {target.name} is a {target.kind}, not a {entry.name}", node.pos)
        theirs = {t.name: t.shape for t in target.tensors}
        results = []
        for tensor in tensors:
            if tensor.present == 0:
                continue
            if tensor.name not in theirs or not _same_sizes(tensor.shape, theirs[tensor.name]):
                raise SymcountError(f"shared={label}: {tensor.name} is {fmt_dims(tensor.shape)} here, but "
                                    f"{fmt_dims(theirs.get(tensor.name, ()))} in {target.name}", node.pos,
                                    hint="a shared layer has the same arguments and the same input channels")
            results.append(TensorResult(tensor.name, tensor.shape, tensor.size, "not counted",
                                        target.key(tensor.name)))
        return results, [f"the same layer as {target.name}, applied again: its weights are counted once, there"]

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
        return weight, target.key(other.name)


def accept_unmodelled(entry: LayerType, written: str, arg: nodes.Arg, env: Env, shape: Shape | None) -> bool:
    """True for a framework option symcount does not model written with a value that changes nothing;
    any other value of it is refused by name, at the value (False: the name is no such option)."""
    option = entry.unmodelled_option(written)
    if option is None:
        return False
    value = None if is_none(arg.value) else evaluate(arg.value, env)
    if option.accepts(value, shape):
        return True
    accepted = " or ".join(_written(v) for v in option.accepted)
    if option.channel_axis and shape is not None and shape.channels is not None:
        accepted += f" or {len(shape.layout('keras'))} (the channel axis here)"
    raise SymcountError(f"{entry.name}: {written}={shorten(_written(value))} is not modelled: {option.why}",
                        arg.value.pos, hint=f"leave {written} out, or give {accepted}")


def _written(value: Any) -> str:
    """A value as a call writes it (None, "text", true, 3)."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def _tied_label(value: nodes.Expr) -> str:
    """``tied=emb``, or a layer inside a labelled block call: ``tied="transformer.wte"``."""
    if isinstance(value, nodes.Name):
        return value.id
    if isinstance(value, nodes.Str) and all(part.isidentifier() or part.isdigit() for part in value.value.split(".")):
        return value.value
    raise SymcountError("tied= takes the label of another layer (a block's layer as a string: "
                        'tied="block_label.layer_label")', value.pos)


def _times(m: sympy.Expr, value: sympy.Expr) -> sympy.Expr:
    """``m × value``, with no sympy product built for the usual ``m = 1`` (5,000 layers: 25,000 fewer)."""
    return value if m == 1 else m * value


def walk(program: Program, target: str, convention: str) -> Walker:
    walker = Walker(program, convention)
    token = binding.SIZES_TO_FIT.set(walker.sizes_to_fit)  # widths like C - 4 must be >= 1 too
    try:
        return _walk(walker, program, target)
    finally:
        binding.SIZES_TO_FIT.reset(token)


def _walk(walker: Walker, program: Program, target: str) -> Walker:
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
