"""The choice space of an exam template: how many combinations of its ``choose()`` values meet the requires.

Drawing at random can only give up after thousands of rejected draws (and a ``choose`` of 3,000
values costs milliseconds a draw), so an impossible ``require`` used to take tens of seconds to
be reported, and never by position. A template whose choices are whole lets of constant values
(``let C = choose(16, 32, 64)``: every template in the gallery) has a finite space that can be
gone through: each require is checked over the combinations of the choices it depends on (a
require that none meets is refused at its ``file:line:col`` at once), and when the whole space is
small enough the number of valid combinations is known exactly, so a request for more variants
than exist is refused before drawing, and drawing stops once every valid combination was seen.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from symcount.errors import SymcountError
from symcount.language import nodes
from symcount.language.values import Env, Value, evaluate, truth

#: Most combinations of choices that are checked one by one (each evaluates the lets and requires).
MAX_COMBINATIONS = 5_000
#: Longest require a message quotes.
MAX_QUOTED = 60


@dataclass(frozen=True)
class ChoiceSpace:
    """The choices (each drawn let's values, in order) and how many combinations meet every require
    (``valid`` None: too many combinations to go through, or a require that cannot be decided)."""

    options: dict[str, tuple[Value, ...]]
    combinations: int
    valid: int | None


def names_in(expr: Any) -> set[str]:
    """Every name an expression reads."""
    if isinstance(expr, nodes.Name):
        return {expr.id}
    found: set[str] = set()
    if is_dataclass(expr) and not isinstance(expr, type):
        for f in fields(expr):
            value = getattr(expr, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if is_dataclass(item):
                    found |= names_in(item)
    return found


def _choice_options(value: nodes.Expr) -> tuple[Value, ...] | None:
    """The values of ``choose(v1, v2, ...)`` with constant arguments, or None for any other let."""
    if not (isinstance(value, nodes.Call) and value.func == "choose") or not value.args:
        return None
    if any(names_in(a) or isinstance(a, (nodes.Call, nodes.LayerCall)) for a in value.args):
        return None
    return tuple(evaluate(a, Env()) for a in value.args)


def _lets(tree: nodes.Program, text_lets: frozenset[str]) -> list[nodes.Let | nodes.Require]:
    return [s for s in tree.statements
            if (isinstance(s, nodes.Let) and s.name not in text_lets) or isinstance(s, nodes.Require)]


def _depends(statements: Sequence[nodes.Let | nodes.Require], drawn: set[str]) -> dict[int, set[str]]:
    """For each require (by index), the drawn lets it depends on, through the lets it reads."""
    reaches: dict[str, set[str]] = {}
    found: dict[int, set[str]] = {}
    for i, s in enumerate(statements):
        if isinstance(s, nodes.Let):
            reaches[s.name] = {s.name} if s.name in drawn else \
                set().union(*(reaches.get(n, set()) for n in names_in(s.value)))
        else:
            found[i] = set().union(*(reaches.get(n, set()) for n in names_in(s.condition)))
    return found


def _needed(statements: Sequence[nodes.Let | nodes.Require], checked: set[int]) -> set[str]:
    """The lets the ``checked`` requires read, directly or through other lets."""
    requires = [s for i, s in enumerate(statements) if i in checked and isinstance(s, nodes.Require)]
    needed: set[str] = set().union(*(names_in(r.condition) for r in requires))
    for s in reversed(statements):
        if isinstance(s, nodes.Let) and s.name in needed:
            needed |= names_in(s.value)
    return needed


def _holding(statements: Sequence[nodes.Let | nodes.Require], options: Mapping[str, tuple[Value, ...]],
             over: Sequence[str], checked: set[int]) -> Iterator[bool]:
    """Whether the ``checked`` requires all hold, for each combination of the lets in ``over``
    (the other drawn lets take their first value: the requires checked do not read them). Only the
    lets those requires read are evaluated: each combination costs what its requires do."""
    needed = _needed(statements, checked)
    steps = [s for i, s in enumerate(statements) if (isinstance(s, nodes.Let) and s.name in needed) or i in checked]
    for combo in itertools.product(*(options[n] for n in over)):
        chosen = dict(zip(over, combo, strict=True))
        env = Env()
        ok = True
        for s in steps:
            if isinstance(s, nodes.Let):
                value = chosen.get(s.name, options[s.name][0]) if s.name in options else evaluate(s.value, env)
                env = env.child({s.name: value})
            elif not truth(evaluate(s.condition, env), s.condition):
                ok = False
                break
        yield ok


def _tally(statements: Sequence[nodes.Let | nodes.Require], options: Mapping[str, tuple[Value, ...]],
           checked: set[int]) -> tuple[dict[int, int], int]:
    """Over every combination of the choices: how many each require holds for, and how many meet all."""
    steps = [(i, s) for i, s in enumerate(statements)
             if (isinstance(s, nodes.Let) and s.name in _needed(statements, checked)) or i in checked]
    names = sorted(options)
    hits = dict.fromkeys(checked, 0)
    valid = 0
    for combo in itertools.product(*(options[n] for n in names)):
        chosen = dict(zip(names, combo, strict=True))
        env = Env()
        every = True
        for i, s in steps:
            if isinstance(s, nodes.Let):
                env = env.child({s.name: chosen[s.name] if s.name in chosen else evaluate(s.value, env)})
            elif truth(evaluate(s.condition, env), s.condition):
                hits[i] += 1
            else:
                every = False
        valid += every
    return hits, valid


def quoted(text: str, pos: nodes.Pos) -> str:
    """The source text at ``pos`` (one line, bounded)."""
    lines = text.split("\n")
    if not 1 <= pos.line <= len(lines):
        return "require"
    part = " ".join(lines[pos.line - 1][pos.column - 1:].split("#")[0].split())
    return part if len(part) <= MAX_QUOTED else part[:MAX_QUOTED - 3] + "..."


def choice_space(tree: nodes.Program, text: str, text_lets: frozenset[str]) -> ChoiceSpace | None:
    """The template's choice space, after refusing a require that no combination meets.

    None when a ``choose`` is not a whole let of constant values, or a let or require cannot be
    evaluated without drawing (then drawing finds out, as before).
    """
    statements = _lets(tree, text_lets)
    options: dict[str, tuple[Value, ...]] = {}
    impossible: SymcountError | None = None
    try:
        for s in statements:
            if isinstance(s, nodes.Let) and "choose" in _calls(s.value):
                found = _choice_options(s.value)
                if found is None:
                    return None
                options[s.name] = found
        combinations = math.prod(len(v) for v in options.values())
        checked = {i for i, s in enumerate(statements) if isinstance(s, nodes.Require)}
        whole = combinations <= MAX_COMBINATIONS  # one pass over every combination tells it all
        hits, valid = _tally(statements, options, checked) if whole else ({}, None)
        for i, drawn in _depends(statements, set(options)).items():
            over = sorted(drawn)
            size = math.prod(len(options[n]) for n in over)
            if (hits.get(i) == 0 if whole else
                    size <= MAX_COMBINATIONS and not any(_holding(statements, options, over, {i}))):
                what = f"the {size:,} combinations of {', '.join(over)}" if over else "the values it reads"
                impossible = _refusal(f"'{quoted(text, statements[i].pos)}' holds for none of {what}",
                                      statements[i].pos)
                break
    except SymcountError:
        return None  # a value or a require that only a draw can decide: drawing reports it
    if impossible is not None:
        raise impossible
    if valid == 0:
        first = statements[min(checked)]
        raise _refusal(f"no combination of the choices meets every require (each holds for some; "
                       f"{combinations:,} combinations)", first.pos)
    return ChoiceSpace(options, combinations, valid)


def valid_combinations(space: ChoiceSpace, tree: nodes.Program, text_lets: frozenset[str]) -> list[tuple[int, ...]]:
    """The combinations that meet every require, as indices into each drawn let's values (in the
    order the lets are drawn): what drawing falls back to when random draws keep missing them."""
    statements = _lets(tree, text_lets)
    names = [s.name for s in statements if isinstance(s, nodes.Let) and s.name in space.options]
    checked = {i for i, s in enumerate(statements) if isinstance(s, nodes.Require)}
    indices = itertools.product(*(range(len(space.options[n])) for n in names))
    return [combo for combo, ok in zip(indices, _holding(statements, space.options, names, checked), strict=True)
            if ok]


class Scripted:
    """Stands in for ``random.Random`` in a draw: each ``randrange`` returns the next given index."""

    def __init__(self, indices: Sequence[int]) -> None:
        self.indices = list(indices)

    def randrange(self, n: int) -> int:
        return self.indices.pop(0) % n


def _refusal(message: str, pos: nodes.Pos) -> SymcountError:
    return SymcountError(f"{message}: no variant can be drawn", pos,
                         hint="offer more values in choose(...) or relax the require statements")


def _calls(expr: Any) -> set[str]:
    """Every function an expression calls."""
    found: set[str] = set()
    if isinstance(expr, nodes.Call):
        found.add(expr.func)
    if is_dataclass(expr) and not isinstance(expr, type):
        for f in fields(expr):
            value = getattr(expr, f.name)
            for item in value if isinstance(value, tuple) else (value,):
                if is_dataclass(item):
                    found |= _calls(item)
    return found
