"""Mixtures of experts and second streams: the walk of ``moe(...) { ... }`` (routed and shared experts, the
router) and of ``name: stream { ... }`` with the cross-attention that reads it.

The functions take the walker first and are bound to :class:`~symcount.engine.walk.Walker` as its methods.
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any

import sympy

from symcount.catalog.core import lookup
from symcount.catalog.shapes import Shape
from symcount.engine.binding import (
    check_size,
    normalise,
)
from symcount.engine.dims import fmt_shape, shapes_equal
from symcount.engine.results import TensorResult
from symcount.engine.scope import Scope
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.symbols import is_number
from symcount.language.values import Env, Value, describe, evaluate

if TYPE_CHECKING:
    from symcount.engine.walk import Walker


#: moe's arguments as the frameworks' configurations name them
_MOE_ALIASES = {"num_experts": "experts", "num_local_experts": "experts", "n_routed_experts": "experts",
                "experts_per_token": "top_k", "num_experts_per_tok": "top_k", "router_bias": "bias",
                "n_shared_experts": "shared", "shared_experts": "shared",
                "e_score_correction_bias": "correction_bias"}



# -- mixture of experts --------------------------------------------------------
def run_moe(walker: Walker, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
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
        raise SymcountError(f"moe has no routed experts ({which}=0)", walker.moe_arg_pos(node, which),
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
    correction = walker.moe_flag(node, "correction_bias", options["correction_bias"])
    name = scope.name("moe", node.label)
    inner = scope.child(name)
    router_env = env.child({"__moe_C_out": experts, "__moe_bias": bias})
    # The router is unlabelled (every moe has one, so a label would clash in the
    # second layer); it is named "router" after counting.
    router, _ = walker.count_layer(
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
        keras = walker.convention == "keras"
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
    walker.layers.append(router)
    start = len(walker.layers)
    out = walker.run_body(node.body, env.child(), shape, inner.child(inner.prefix + "experts"),
                        multiplier * experts)
    if len(walker.layers) == start:
        raise SymcountError("moe's body (the expert) has no layers", node.pos,
                            hint="e.g. moe(experts=8, top_k=2) { gated_mlp(ff=14336) }")
    walker.check_expert_shape(node, shape, out, start)
    for layer in walker.layers[start:]:
        layer.active = sympy.expand(layer.active / experts * top_k)
        # each token runs through top_k experts only: that is the compute
        if layer.macs is not sympy.nan:
            layer.macs = sympy.expand(layer.macs / experts * top_k)
        layer.notes.append(f"x {experts} routed experts, {top_k} active per token")
    if shared != 0:
        start = len(walker.layers)
        walker.run_body(node.body, env.child(), shape, inner.child(inner.prefix + "shared_experts"),
                      multiplier * shared)
        for layer in walker.layers[start:]:
            layer.notes.append(f"x {shared} shared experts, every token runs through them")
    return out


def run_stream(walker: Walker, node: nodes.Layer, env: Env, shape: Shape | None, scope: Scope,
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
    walker.claim_label(name, node)
    assert node.body is not None
    out = walker.run_body(node.body, env.child(), None, scope.child(name), multiplier)
    walker.streams[name] = out
    return shape


def stream_for(walker: Walker, label: str, name: str, node: nodes.Layer) -> Shape:
    """The output of the stream ``to=label`` names from layer ``name``: innermost scope first."""
    parts = name.split(".")[:-1]
    while True:
        key = ".".join([*parts, label])
        if key in walker.streams:
            found = walker.streams[key]
            if found is None or found.channels is None or len(found.spatial) != 1:
                raise SymcountError(f"to={label}: the stream's output is not a sequence of vectors "
                                    f"({fmt_shape(found, walker.convention)})", node.pos)
            return found
        if key in walker.labels or key in walker.names:
            raise SymcountError(f"to={label}: '{label}' labels a layer, not a stream", node.pos,
                                hint=f"cross-attention reads a second sequence: {label}: stream "
                                     "{ input(L=S); ... } before this layer")
        if not parts:
            raise SymcountError(f"to={label}: no earlier stream has that label", node.pos,
                                hint=did_you_mean(label, [n.rsplit(".", 1)[-1] for n in walker.streams])
                                or f"a stream comes first: {label}: stream {{ input(L=S); ... }}")
        parts.pop()


def moe_arg_pos(walker: Walker, node: nodes.Layer, key: str) -> nodes.Pos:
    arg = next((a for a in node.args if _MOE_ALIASES.get(a.name or "", a.name) == key), None)
    return arg.value.pos if arg is not None else node.pos


def moe_flag(walker: Walker, node: nodes.Layer, key: str, value: Value) -> bool:
    if isinstance(value, bool):
        return value
    raise SymcountError(f"{key} must be true or false, not {describe(value)}", walker.moe_arg_pos(node, key))


def check_expert_shape(walker: Walker, node: nodes.Layer, shape: Shape, out: Shape | None, start: int) -> None:
    if out is None or not shapes_equal(out, shape):
        raise SymcountError(
            f"moe's expert must keep the shape: {fmt_shape(shape, walker.convention)} -> "
            f"{fmt_shape(out, walker.convention)}", node.pos,
            hint=walker.reshaping_layer(start, len(walker.layers))
            + "each token's expert outputs are summed back into its d_model features")


def read_stream(walker: Walker, values: dict[str, Any], node: nodes.Layer, scope: Scope) -> None:
    """Cross-attention: keys and values come from the stream, as wide as its features, as many as its
    positions (unless kdim=, vdim= or memory_len= say otherwise)."""
    memory = walker.stream_for(values["to"], scope.prefix + "_", node)
    for name in ("kdim", "vdim"):
        if values.get(name) is None:
            values[name] = memory.channels
    if values.get("memory_len") is None:
        values["memory_len"] = prod(memory.spatial)
