"""Residual and parallel branches: how the walk joins them (identity, concatenation, broadcasting element-wise merges).

The functions take the walker first and are bound to :class:`~symcount.engine.walk.Walker` as its methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from symcount.catalog.core import ONE
from symcount.catalog.shapes import Shape
from symcount.engine.dims import _same_sizes, fmt_shape, shapes_equal
from symcount.engine.results import Merge
from symcount.engine.scope import Scope
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.values import Env, Value, describe, evaluate

if TYPE_CHECKING:
    from symcount.engine.walk import Walker


#: parallel(merge=...): the written names (Keras's merge layers' too) -> the merge
MERGES = {"concat": "concat", "concatenate": "concat", "add": "add", "sum": "add", "mul": "mul",
          "multiply": "mul", "max": "max", "maximum": "max", "mean": "mean", "average": "mean", "ave": "mean",
          "outputs": "outputs"}

MERGE_WORDS = {"add": "add", "mul": "multiply", "max": "take the maximum of", "mean": "average"}



def run_residual(walker: Walker, item: nodes.Residual, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
    start = len(walker.layers)
    inner = walker.open_construct(item, "residual", scope)
    main = walker.run_body(item.body, env.child(), shape, inner, multiplier)
    end = len(walker.layers)
    side = shape
    if item.shortcut is not None:
        side = walker.run_body(item.shortcut, env.child(), shape, inner, multiplier)
    walker.merges.append(Merge("residual", ((start, end), (end, len(walker.layers))), main, multiplier, item.pos))
    if main is not None and side is not None and not shapes_equal(main, side):
        raise SymcountError(
            f"residual branches disagree: {fmt_shape(main, walker.convention)} + "
            f"{fmt_shape(side, walker.convention)}",
            item.pos,
            hint=walker.reshaping_layer(start, end) + "project the shortcut (a 1x1 conv with the same stride)",
        )
    walker.close_construct(item, scope, start, main)
    return main


def reshaping_layer(walker: Walker, start: int, end: int) -> str:
    """Which layer of a branch last changed the shape (for the residual mismatch hint)."""
    for layer in reversed(walker.layers[start:end]):
        if layer.shape is not None and layer.input_shape is not None \
                and not shapes_equal(layer.shape, layer.input_shape):
            return (f"{layer.name} (line {layer.pos.line}) makes {fmt_shape(layer.input_shape, walker.convention)}"
                    f" into {fmt_shape(layer.shape, walker.convention)}; ")
    return ""


def run_parallel(walker: Walker, item: nodes.Parallel, env: Env, shape: Shape | None, scope: Scope,
                 multiplier: sympy.Expr) -> Shape | None:
    merge = "concat"
    for arg in item.args:
        if arg.name not in ("merge", None):
            raise SymcountError(f"parallel takes only merge=, not {arg.name}", arg.pos)
        merge = walker.merge_mode(evaluate(arg.value, env), arg.value.pos)
    if not item.branches:
        raise SymcountError("parallel needs at least one branch { ... }", item.pos)
    if merge == "outputs":
        return run_outputs(walker, item, env, shape, scope, multiplier)
    start = len(walker.layers)
    inner = walker.open_construct(item, "parallel", scope)
    outs: list[Shape | None] = []
    ranges: list[tuple[int, int]] = []
    for branch in item.branches:
        begin = len(walker.layers)
        outs.append(walker.run_body(branch, env.child(), shape, inner, multiplier))
        ranges.append((begin, len(walker.layers)))
    if not outs or any(o is None for o in outs):
        return None
    shapes = [o for o in outs if o is not None]
    out = walker.concatenated(shapes, item) if merge == "concat" else walker.broadcast(shapes, merge, item)
    walker.merges.append(Merge(merge, tuple(ranges), out, multiplier, item.pos))
    walker.close_construct(item, scope, start, out)
    return out


def run_outputs(walker: Walker, item: nodes.Parallel, env: Env, shape: Shape | None, scope: Scope,
                multiplier: sympy.Expr) -> Shape | None:
    """``parallel(merge="outputs")``: a model with several outputs (``keras.Model(x, [a, b])``), each
    branch one of them. Nothing is joined, so the network ends here; its outputs are kept in order."""
    if multiplier != ONE or walker.outputs_at is not None:
        raise SymcountError('parallel(merge="outputs") stands once, in the network itself (not repeated)',
                            item.pos)
    inner = walker.open_construct(item, "parallel", scope)
    start = len(walker.layers)
    outs = [walker.run_body(branch, env.child(), shape, inner, multiplier) for branch in item.branches]
    walker.outputs = [o for o in outs if o is not None] if all(o is not None for o in outs) else []
    walker.outputs_at = item.pos
    walker.close_construct(item, scope, start, None)
    if walker.outputs:
        shown = ", ".join(fmt_shape(o, walker.convention) for o in walker.outputs)
        walker.notes.append(f"{len(walker.outputs)} outputs: {shown}")
    return None


def merge_mode(walker: Walker, value: Value, pos: nodes.Pos) -> str:
    """``merge=``: concat, an element-wise add, mul, max or mean (Keras's names too), or the outputs."""
    if not isinstance(value, str) or MERGES.get(value.lower()) is None:
        shown = f'"{value}"' if isinstance(value, str) else describe(value)
        raise SymcountError(f'unknown merge {shown} (valid: "concat", "add", "mul", "max", "mean", "outputs")',
                            pos, hint=did_you_mean(value, list(MERGES)) if isinstance(value, str) else None)
    return MERGES[value.lower()]


def concatenated(walker: Walker, outs: list[Shape], item: nodes.Parallel) -> Shape:
    first = outs[0]
    for other in outs[1:]:
        if not _same_sizes(first.spatial, other.spatial):
            raise SymcountError(
                f"parallel branches to concatenate differ in size: {fmt_shape(first, walker.convention)} "
                f"vs {fmt_shape(other, walker.convention)}", item.pos)
    channels = [o.channels for o in outs]
    if any(c is None for c in channels):
        raise SymcountError("cannot concatenate token ids", item.pos)
    return Shape(first.spatial, sympy.Add(*channels), first.sequence)


def broadcast(walker: Walker, outs: list[Shape], merge: str, item: nodes.Parallel) -> Shape:
    """An element-wise merge broadcasts as the framework does: the printed shapes aligned on the
    right, each size equal or 1 (squeeze-and-excitation: (C, 1, 1) times (C, H, W))."""
    if any(o.channels is None for o in outs):
        raise SymcountError(f"cannot {MERGE_WORDS[merge]} token ids element-wise", item.pos,
                            hint="embed the tokens first")
    widest = max(outs, key=lambda o: o.rank)
    layouts = [o.layout(walker.convention) for o in outs]
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
            shown = " vs ".join(fmt_shape(o, walker.convention) for o in outs)
            raise SymcountError(
                f"parallel branches to {MERGE_WORDS[merge]} do not broadcast: {shown} "
                f"(sizes {result[i]} and {n} at the same place)", item.pos,
                hint="each size must be equal or 1, the shapes aligned on the right as the framework prints them")
    if widest.sequence or walker.convention == "keras":
        return Shape(tuple(result[:-1]), result[-1], widest.sequence)
    return Shape(tuple(result[1:]), result[0], widest.sequence)
