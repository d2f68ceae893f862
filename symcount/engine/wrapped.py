"""Keras's wrappers in the walk: ``Bidirectional`` counted as the recurrent layer with both directions,
``TimeDistributed`` as its layer once, its MACs times the steps.

The functions take the walker first and are bound to :class:`~symcount.engine.walk.Walker` as its methods.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import sympy

from symcount.catalog.core import ONE, LayerType, all_spellings, lookup
from symcount.catalog.recurrent import MERGE_MODES
from symcount.catalog.shapes import Shape
from symcount.catalog.spellings import KERAS_LAYERS, layer_framework
from symcount.catalog.wrappers import RECURRENT, Wrapper, is_keras_spelling, wrapper_of, wrapper_spellings
from symcount.engine.binding import (
    _KERAS_LAYER_INPUT,
    call_order,
    named_args,
    too_many_positional,
)
from symcount.engine.dims import _written, fmt_shape
from symcount.engine.results import LayerResult
from symcount.engine.scope import Scope
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.values import Env, describe, evaluate, is_none

if TYPE_CHECKING:
    from symcount.engine.walk import Walker




# -- a wrapper: Bidirectional(LSTM(64)), TimeDistributed(Dense(10)) ----------------------
def count_wrapper(walker: Walker, wrapper: Wrapper, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
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
    node, shape = walker.keras_input_args(None, node, env, shape)
    nested = wrapper_of(inner) if inner.kind not in walker.program.blocks else None
    entry = lookup(inner.kind) if nested is None and inner.kind not in walker.program.blocks else None
    if nested is None and entry is None:
        if inner.kind in walker.program.blocks or inner.kind in walker.program.networks:
            raise SymcountError(f"{node.kind} wraps one layer, not the block {inner.kind}", inner.pos,
                                hint=f"wrap each layer of {inner.kind} on its own")
        raise SymcountError(f"unknown layer '{inner.kind}'", inner.pos,
                            hint=did_you_mean(inner.kind, [*all_spellings(), *wrapper_spellings()]))
    name_as = name_as or wrapper.name
    result, out = walker.count_wrapped(wrapper, node, inner, nested, entry, options, env, shape, scope, multiplier,
                                     name_as)
    if "trainable" in options:
        result.notes.append(f"Keras 3 does not pass {node.kind}(..., trainable=...) on to the layer it wraps: "
                            "its weights stay as they are (model.summary() agrees); write "
                            f"{inner.kind}(..., trainable=False) to freeze them")
    return result, out


def count_wrapped(walker: Walker, wrapper: Wrapper, node: nodes.Layer, inner: nodes.Layer, nested: Wrapper | None,
                  entry: LayerType | None, options: dict[str, nodes.Arg], env: Env, shape: Shape | None,
                  scope: Scope, multiplier: sympy.Expr, name_as: str) -> tuple[LayerResult, Shape | None]:
    if wrapper.name == "bidirectional":
        if nested is not None or entry is None or entry.name not in RECURRENT:
            raise SymcountError(f"{node.kind} wraps a recurrent layer (LSTM, GRU or SimpleRNN), not {inner.kind}",
                                inner.pos, hint="only a recurrent layer has a direction to reverse")
        counted = walker.bidirectional_call(node, inner, entry, options, env)
        result, out = walker.count_layer(entry, counted, env, shape, scope, multiplier, name_as)
        result.kind = f"bidirectional({result.kind})"
        result.pos = node.pos
        return result, out
    # time_distributed: the wrapped layer sees one step (the input without its first axis)
    steps: sympy.Expr = ONE
    step_shape = shape
    if shape is not None:
        if not shape.rank:
            raise SymcountError(f"{node.kind} needs an input with a time axis first, e.g. (L, C); the input "
                                f"here is {fmt_shape(shape, walker.convention)}", node.pos)
        if shape.channels is None:
            raise SymcountError(f"{node.kind} over token ids is not read", node.pos,
                                hint="embed the tokens first")
        steps, rest = shape.spatial[0], shape.spatial[1:]
        step_shape = Shape(rest, shape.channels, len(rest) == 1)
    if nested is not None:
        result, step_out = walker.count_wrapper(nested, inner, env, step_shape, scope, multiplier, name_as)
    else:
        assert entry is not None
        if inner.body is not None:
            raise SymcountError(f"{entry.name} takes no body", inner.pos)
        result, step_out = walker.count_layer(entry, inner, env, step_shape, scope, multiplier, name_as)
    result.kind = f"time_distributed({result.kind})"
    result.pos = node.pos
    if shape is None or step_out is None:
        return result, None
    out = Shape((steps, *step_out.spatial), step_out.channels, not step_out.rank)
    result.output_shape = out.layout(walker.convention)
    if result.macs is not sympy.nan:
        result.macs = result.macs * steps
    result.notes.append(f"the same weights at each of the {steps} steps")
    return result, out


def bidirectional_call(walker: Walker, node: nodes.Layer, inner: nodes.Layer, entry: LayerType, options: dict[str, nodes.Arg],
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
