"""Inverse questions: which values of named unknowns make a stated quantity true (``symcount solve``).

The unknowns are names the description leaves free or sets as network parameters or ``let``
bindings (``--unknown p=0..10``); each value of each range is tried, as an exact integer, by
counting the description with those values (:func:`symcount.counting.count`, as ``--set``
does). A requirement (``--require "output_size == 32"``) is parsed by symcount's expression
grammar and evaluated by :mod:`symcount.language.values` (never ``eval``), on these quantities:

* ``output_size``: the output's spatial sizes (H and W, or L); a requirement on it must hold
  for every dimension (a square image: H and W alike); ``output_size[0]`` is the first (H),
  ``output_size[1]`` the second (W);
* ``receptive_field``: the receptive field per dimension, indexed the same way;
* ``params``: the parameter count; ``macs``: the multiply-accumulates of one forward pass.

Each may name a labelled layer (``conv1.output_size == 112``), and the unknowns themselves
may appear (``s == 2 and output_size == 112``). Every valid solution in the ranges is listed,
each substituted back; a combination that makes no valid network (an output size below 1) is
not a solution and is counted as such.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy

from symcount.counting import Source, convert_values, count
from symcount.engine.count import Count
from symcount.engine.receptive import receptive_fields
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError, UnknownValueError, did_you_mean
from symcount.language import nodes
from symcount.language.parse import parse_expression
from symcount.language.values import Env, evaluate, truth
from symcount.render.printable import Printable
from symcount.render.report import Line, Report

if TYPE_CHECKING:
    from symcount.render.formats import Format

#: The quantities a requirement may state.
QUANTITIES = ("output_size", "params", "macs", "receptive_field")
#: The quantities with one value per spatial dimension.
PER_DIMENSION = ("output_size", "receptive_field")
COMPARISONS = ("==", "<=", "<", ">=", ">")
#: The most combinations of unknown values one solve tries (each is a complete count).
MAX_COMBINATIONS = 4096

_RANGE = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")
_REF = re.compile(r"\b(?:([A-Za-z_]\w*)\.)?(" + "|".join(QUANTITIES) + r")\b(?:\[(\d)\])?")


@dataclass(frozen=True)
class Unknown:
    """``--unknown NAME=LOW..HIGH``: every integer from LOW to HIGH, both included."""

    name: str
    low: int
    high: int

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)

    def __str__(self) -> str:
        return f"{self.name} = {self.low}..{self.high}"


def parse_unknown(text: str) -> Unknown:
    """``p=0..10`` as an :class:`Unknown` (a range with both bounds, low first)."""
    found = _RANGE.match(text)
    if found is None:
        raise SymcountError(f"--unknown expects NAME=LOW..HIGH with integer bounds, got '{text}'",
                            hint="e.g. --unknown p=0..10 (every integer from 0 to 10)")
    name, low, high = found.group(1), int(found.group(2)), int(found.group(3))
    if low > high:
        raise SymcountError(f"--unknown {name}: the range {low}..{high} is reversed (empty)",
                            hint=f"write the smaller bound first: {name}={high}..{low}")
    return Unknown(name, low, high)


@dataclass(frozen=True)
class Ref:
    """A quantity a requirement names: of the network (label None) or of a labelled layer."""

    quantity: str
    label: str | None
    index: int | None
    text: str
    pos: nodes.Pos

    @property
    def per_dimension(self) -> bool:
        return self.quantity in PER_DIMENSION and self.index is None


@dataclass(frozen=True)
class Requirement:
    """A parsed ``--require``: the expression, and the quantities it names (by the name they are parsed as)."""

    text: str
    tree: nodes.Expr
    refs: dict[str, Ref]


def parse_requirement(text: str, unknowns: list[Unknown]) -> Requirement:
    """Parse ``--require``: ``label.quantity`` and ``quantity[i]`` are read as plain names of the
    same length (so positions stay right), then the expression grammar reads the rest."""
    names = {u.name for u in unknowns}
    refs: dict[str, Ref] = {}
    pieces: list[str] = []
    last = 0
    for found in _REF.finditer(text):
        label, quantity, index = found.group(1), found.group(2), found.group(3)
        if label is not None and label in names:
            continue  # e.g. 'p.params': not a layer label; the grammar reports it
        name = (f"{label}_" if label else "") + quantity + (f"_{index}_" if index is not None else "")
        column = found.start() + 1
        refs[name] = Ref(quantity, label, None if index is None else int(index), found.group(0),
                         nodes.Pos(1, column, 1, column + len(name)))
        pieces += [text[last:found.start()], name]
        last = found.end()
    rewritten = "".join(pieces) + text[last:]
    try:
        tree = parse_expression(rewritten, "--require")
    except SymcountError as err:
        err.source = text.strip() if err.source is not None else None
        raise
    _check_names(tree, refs, names, text)
    if not (isinstance(tree, nodes.BinOp) and tree.op in (*COMPARISONS, "and", "or")):
        raise SymcountError("--require must be a comparison (==, <=, <, >=, >), e.g. 'output_size == 32'",
                            getattr(tree, "pos", nodes.NOWHERE), filename="--require", source=text)
    for ref in refs.values():
        if ref.index is not None and ref.quantity not in PER_DIMENSION:
            raise SymcountError(f"{ref.quantity} is one number: it has no [{ref.index}]", ref.pos,
                                filename="--require", source=text)
    return Requirement(text, tree, refs)


def _check_names(tree: nodes.Expr, refs: dict[str, Ref], unknowns: set[str], text: str) -> None:
    """Every name is a quantity or an unknown; every operator a comparison or and / or."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Name):
            if node.id not in refs and node.id not in unknowns:
                raise SymcountError(
                    f"unknown quantity '{node.id}' (a requirement states {', '.join(QUANTITIES)}, of the "
                    f"network or of a labelled layer, e.g. conv1.output_size, or an unknown)", node.pos,
                    filename="--require", source=text,
                    hint=did_you_mean(node.id, [*QUANTITIES, *unknowns]))
        elif isinstance(node, nodes.BinOp):
            if node.op == "!=":
                raise SymcountError("!= is not a requirement symcount solves for (==, <=, <, >=, >)", node.pos,
                                    filename="--require", source=text)
            stack += [node.left, node.right]
        elif isinstance(node, (nodes.UnaryOp,)):
            stack.append(node.operand)
        elif isinstance(node, nodes.Call):
            stack += list(node.args)


@dataclass(frozen=True)
class Solution:
    """One combination of values that meets the requirement, and the quantities it gives."""

    values: dict[str, int]
    quantities: dict[str, Any]


@dataclass(repr=False)
class Solve(Printable):
    """The answer to an inverse question: every solution in the ranges, each substituted back."""

    network: str
    unknowns: list[Unknown]
    requirement: str
    solutions: list[Solution]
    tried: int
    invalid: int
    invalid_reason: str | None
    #: each quantity the requirement names, in the unknowns (None: not derivable symbolically)
    symbolic: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def report(self) -> Report:
        names = ", ".join(u.name for u in self.unknowns)
        intro = [f"requirement: {self.requirement}",
                 "unknowns: " + "; ".join(str(u) for u in self.unknowns) + f" ({self.tried:,} combinations tried)"]
        for text, value in self.symbolic.items():
            if value is not None:
                intro.append(f"{text} in terms of {names}: {_shown(value)}")
        lines = [Line(_assignment(s.values), "; ".join(f"{k} = {_shown(v)}" for k, v in s.quantities.items()),
                      value=None, gloss="meets the requirement") for s in self.solutions]
        if not self.solutions:
            lines.append(Line("no solution", value=None,
                              gloss=f"no combination in the ranges meets {self.requirement}"))
        notes = list(self.notes)
        if len(self.solutions) > 1 and len(self.unknowns) == 1:
            name = self.unknowns[0].name
            chosen = [s.values[name] for s in self.solutions]
            notes.insert(0, f"{len(chosen)} solutions: the smallest {name} = {min(chosen)}, "
                            f"the largest {name} = {max(chosen)}")
        if self.invalid:
            notes.append(f"{self.invalid:,} combinations make no valid network and are not solutions "
                         f"(the first: {self.invalid_reason})")
        notes.append("every combination in the ranges was counted exactly and the requirement evaluated on it; "
                     "output_size and receptive_field hold for every spatial dimension unless indexed")
        return Report(f"solve {self.network} for {names}", intro, lines, "notes", notes)

    def _render(self, fmt: Format) -> str:
        return fmt.report(self.report())

    def _title(self) -> str:
        return f"Solving {self.network}"

    def _summary(self) -> str:
        return f"{len(self.solutions)} solutions of {self.requirement}"


def _assignment(values: dict[str, int]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return " × ".join(str(v) if isinstance(v, int) or getattr(v, "is_Atom", False) else f"({v})"
                          for v in value)
    return str(value)


def solve(source: Source, unknowns: list[Unknown], requirement: str, *, values: dict[str, Any] | None = None,
          convention: str | None = None, network: str | None = None,
          max_combinations: int = MAX_COMBINATIONS) -> Solve:
    """Every combination of the unknowns' values that meets the requirement."""
    if not unknowns:
        raise SymcountError("solve needs an unknown: --unknown NAME=LOW..HIGH", hint="e.g. --unknown p=0..10")
    seen: set[str] = set()
    for u in unknowns:
        if u.name in seen:
            raise SymcountError(f"--unknown {u.name} is given twice")
        if values and u.name in values:
            raise SymcountError(f"{u.name} is both --set and --unknown")
        seen.add(u.name)
    combinations = 1
    for u in unknowns:
        combinations *= len(u.values)
    if combinations > max_combinations:
        raise SymcountError(f"{combinations:,} combinations of the unknowns; the limit is {max_combinations:,}",
                            hint="narrow the ranges")
    required = parse_requirement(requirement, unknowns)
    fixed = convert_values(values)
    symbolic_count = _symbolic(source, fixed, unknowns, convention, network)
    solutions: list[Solution] = []
    invalid, reason, first_error = 0, None, None
    for combo in itertools.product(*(u.values for u in unknowns)):
        chosen = {u.name: v for u, v in zip(unknowns, combo, strict=True)}
        try:
            result = count(source, values={**fixed, **{k: sympy.Integer(v) for k, v in chosen.items()}},
                           convention=convention, network=network)
        except UnknownValueError:
            raise
        except SymcountError as err:
            invalid += 1
            if reason is None:
                reason, first_error = f"{_assignment(chosen)}: {err.args[0]}", err
            continue
        quantities = _quantities(result, required)
        if _holds(required, quantities, chosen):
            solutions.append(Solution(chosen, {ref.text: quantities[name] for name, ref in required.refs.items()}))
    if invalid == combinations and first_error is not None:
        raise first_error
    name = symbolic_count.network if symbolic_count is not None else _network_name(source, network)
    symbolic: dict[str, Any] = {}
    if symbolic_count is not None:
        for ref in required.refs.values():
            try:
                symbolic[ref.text] = _quantity(symbolic_count, ref)
            except SymcountError:
                symbolic[ref.text] = None
    notes = _same_padding(symbolic_count, required, unknowns) if symbolic_count is not None else []
    return Solve(name, unknowns, requirement.strip(), solutions, combinations, invalid, reason, symbolic, notes)


def _network_name(source: Source, network: str | None) -> str:
    if network:
        return network
    return Path(str(source)).stem if isinstance(source, Path) else "network"


def _symbolic(source: Source, fixed: dict[str, Any], unknowns: list[Unknown], convention: str | None,
              network: str | None) -> Count | None:
    """The count with the unknowns left as symbols (None: it needs them as numbers); an unknown
    the description does not have is refused here, with the names it has."""
    try:
        result = count(source, values=fixed, convention=convention, network=network)
    except UnknownValueError:
        raise
    except SymcountError:
        return None
    for u in unknowns:
        if u.name not in result.settable:
            known = sorted(result.settable)
            raise UnknownValueError(u.name, f"--unknown {u.name}: no such name in the description "
                                    f"(names that can be set: {', '.join(known) or 'none'})",
                                    hint=did_you_mean(u.name, known))
    return result


def _layer(result: Count, ref: Ref) -> LayerResult:
    found = [layer for layer in result.layers
             if ref.label in (layer.label, layer.name) or layer.name.endswith(f".{ref.label}")]
    if not found:
        raise SymcountError(f"no layer named '{ref.label}'", ref.pos,
                            hint="label a layer (name: conv2d(...)) or use a name from count's table")
    return found[-1]


def _quantity(result: Count, ref: Ref) -> Any:
    """A quantity's value: a number, or a tuple with one value per spatial dimension."""
    layer = _layer(result, ref) if ref.label is not None else None
    value: Any
    if ref.quantity == "params":
        value = layer.total if layer is not None else result.total
    elif ref.quantity == "macs":
        value = layer.macs if layer is not None else result.macs
    elif ref.quantity == "receptive_field":
        value = tuple(receptive_fields(result).at(ref.label, ref.pos).r)
    else:
        target = layer if layer is not None else (result.layers[-1] if result.layers else None)
        shape = target.shape if target is not None else None
        if shape is None:
            raise SymcountError("output_size: the output's size is not known", ref.pos,
                                hint="start the network with input(H=..., W=..., C=...)")
        if not shape.spatial:
            raise SymcountError("output_size: the output has no positions (a vector); ask for params or macs",
                                ref.pos)
        value = tuple(shape.spatial)
    if ref.index is not None:
        if ref.index >= len(value):
            raise SymcountError(f"{ref.quantity} has {len(value)} dimensions: no [{ref.index}]", ref.pos)
        return value[ref.index]
    return value


def _quantities(result: Count, required: Requirement) -> dict[str, Any]:
    out = {}
    for name, ref in required.refs.items():
        try:
            out[name] = _quantity(result, ref)
        except SymcountError as err:
            raise err.located("--require", required.text) from None
    return out


def _holds(required: Requirement, quantities: dict[str, Any], chosen: dict[str, int]) -> bool:
    """The requirement on these values, for every spatial dimension a per-dimension quantity has."""
    ranks = {len(v) for name, v in quantities.items() if required.refs[name].per_dimension}
    for d in range(max(ranks, default=1)):
        bound: dict[str, Any] = {k: sympy.Integer(v) for k, v in chosen.items()}
        for name, value in quantities.items():
            bound[name] = value[min(d, len(value) - 1)] if required.refs[name].per_dimension else value
        try:
            if not truth(evaluate(required.tree, Env([bound])), required.tree):
                return False
        except SymcountError as err:
            raise err.located("--require", required.text) from None
    return True


def _same_padding(result: Count, required: Requirement, unknowns: list[Unknown]) -> list[str]:
    """The classic rule, where a requirement on the output size has a padding unknown at stride 1."""
    if not any(ref.quantity == "output_size" for ref in required.refs.values()):
        return []
    names = {u.name for u in unknowns}
    notes = []
    for layer in result.layers:
        padding = layer.bindings.get("padding")
        if not isinstance(padding, tuple) or not any(isinstance(p, sympy.Basic) and {str(x) for x in p.free_symbols} & names
                                                     for p in padding):
            continue
        stride, dilation = layer.bindings.get("stride"), layer.bindings.get("dilation", (1,))
        k = layer.bindings.get("k")
        if stride and all(s == 1 for s in stride) and all(d == 1 for d in dilation) and isinstance(k, (int, sympy.Integer)):
            half = sympy.Rational(int(k) - 1, 2)
            rule = (f"'same' padding in {layer.name}: at stride 1, n + 2p - k + 1 = n gives p = (k - 1)/2, "
                    f"an integer only for odd k; here k = {k}: p = {half}")
            notes.append(rule if half.is_Integer else rule + ", not an integer: no padding keeps the size")
    return notes
