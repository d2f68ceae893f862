"""Sizing before walking: how many layers a description expands to, refused early when it is too many."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sympy

from symcount.catalog.core import lookup
from symcount.catalog.wrappers import wrapper_of
from symcount.engine.binding import bind_params
from symcount.engine.load import Program
from symcount.errors import SymcountError
from symcount.language import nodes
from symcount.language.symbols import is_number
from symcount.language.values import Env, evaluate, truth

#: Most layers one description may expand to (a guard against repeat 10^9): ResNet-152
#: has ~500 and GPT-3 ~1,200; 10,000 layers still count in about a second.
MAX_LAYERS = 50_000
#: The layer limit in force and why (a derivation writes out every layer, so it sets a lower one):
#: a context variable, so a derive and a count running side by side each keep their own.
_LIMIT: ContextVar[tuple[int, str | None]] = ContextVar("layer_limit", default=(MAX_LAYERS, None))


def layer_limit() -> int:
    """Most layers the current walk may expand to (MAX_LAYERS unless a caller asked for fewer)."""
    return _LIMIT.get()[0]


def limit_hint() -> str | None:
    """Why the current limit is lower than MAX_LAYERS, for the refusal's hint (None: it is not)."""
    return _LIMIT.get()[1]


@contextmanager
def limited_layers(limit: int, why: str) -> Iterator[None]:
    """Walk with at most ``limit`` layers (refused before walking when sizing can tell, as ever)."""
    token = _LIMIT.set((min(limit, MAX_LAYERS), why))
    try:
        yield
    finally:
        _LIMIT.reset(token)


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
        return self.layers > layer_limit() or self.calls > MAX_BLOCK_CALLS


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
        limit, unit = (layer_limit(), "layers") if layers else (MAX_BLOCK_CALLS, "block calls")
        running = 0
        for item, env in items:
            size = self.item(item, env)
            n = size.layers if layers else size.calls
            if n > limit:
                self.refuse_item(item, env, calls, layers)
            running += n
            if running > limit:
                raise self.error(f"the description expands to more than {limit:,} {unit}",
                                 item.pos, calls, "; ".join(filter(None, [
                                     f"{running:,} {unit} up to and including this statement",
                                     limit_hint() if layers else None])))
            if not size.complete:
                return

    def refuse_item(self, item: nodes.Item, env: Env, calls: list[nodes.Layer], layers: bool) -> None:
        limit, unit = (layer_limit(), "layers") if layers else (MAX_BLOCK_CALLS, "block calls")
        if isinstance(item, nodes.Repeat):
            count = self.repeat_count(item, env)
            inner = self.body(item.body, env.child())
            per = inner.layers if layers else inner.calls
            if per <= limit and count is not None and count > 1:
                raise self.error(f"repeat {count:,} of {per:,} {unit} expands to {count * per:,} {unit} "
                                 f"(limit {limit:,})", item.count.pos, calls,
                                 (limit_hint() if layers else None)
                                 or "a symbolic count (repeat N {...}) counts any number of copies at once")
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
        limit = layer_limit() if layers else MAX_BLOCK_CALLS
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
    seen, bound = set(program.env.seen), dict(program.env.bound)
    sizer = Sizer(program, stack)
    try:
        total = Size()
        for item, env in items():
            total = total + sizer.item(item, env)
            if total.over():
                sizer.refuse(items(), [], total.layers > layer_limit())
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
        program.env.bound.clear()
        program.env.bound.update(bound)
