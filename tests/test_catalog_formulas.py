"""Every catalog entry's textbook formula equals the sum of its tensor sizes.

A derivation shows ``entry.formulas(...)``; the counts come from
``entry.tensors(...)``. The two are written separately in the catalog, so this
test proves them equal, symbolically, for every entry and both conventions:
with all arguments left as symbols, with a symbolic bias ``b``, and with many
seeded-random arguments inside a network (so inferred channels and
shape-dependent weights such as Keras's PReLU are covered). The formula is
parsed by symcount's own grammar and evaluated in an environment holding
exactly ``formula_bindings``: a formula naming anything else fails.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import sympy

import symcount
from symcount.catalog.core import BIAS, CATALOG, COUNT, FLAG, KERNEL, PADDING, REQUIRED, SHAPE, SIZE, LayerType
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError
from symcount.language.parse import parse_expression
from symcount.language.values import Env, evaluate

CONVENTIONS = ("pytorch", "keras")
#: Arguments that must be numbers (the number of stacked RNN layers decides which tensors exist).
NUMERIC_ONLY = {"layers"}
RANDOM_CASES = 30
#: Where the sum of a role's tensors is counted, per convention (no layer here is frozen).
ROLE_CATEGORIES = {
    ("param", "pytorch"): "trainable", ("param", "keras"): "trainable",
    ("stat", "pytorch"): "buffer", ("stat", "keras"): "non_trainable",
}


def role_sum(layer: LayerResult, role: str, convention: str) -> sympy.Expr:
    category = ROLE_CATEGORIES[(role, convention)]
    return sympy.Add(*[t.size for t in layer.tensors if t.category == category])


def check_layer(layer: LayerResult, convention: str, text: str) -> None:
    """formula(role) == sum of that role's tensor sizes, using only the layer's bindings."""
    parts = {key: f for key, f in layer.formulas.items() if key.startswith("part:")}
    assert set(layer.formulas) - set(parts) <= {"param", "stat"}, (text, layer.formulas)
    bindings = dict(layer.bindings)
    if parts:  # named factors (part:<label>|<module>: words): each the module's tensors, together the params
        found = []
        for key, part in parts.items():
            module = key.partition("|")[2].partition(":")[0]
            value = evaluate(parse_expression(part), Env([bindings]))
            tensors = sympy.Add(*[t.size for t in layer.tensors if t.name.startswith(module + ".")
                                  and t.category == ROLE_CATEGORIES[("param", convention)]])
            assert module and sympy.simplify(value - tensors) == 0, f"{text}: {key} = {value} != {tensors}"
            found.append(value)
        assert sympy.simplify(sympy.Add(*found) - role_sum(layer, "param", convention)) == 0, text
    for role in ("param", "stat"):
        actual = role_sum(layer, role, convention)
        if role not in layer.formulas:
            assert actual == 0, f"{text}: {role} tensors {actual} but no {role} formula"
            continue
        env = Env([bindings])
        value = evaluate(parse_expression(layer.formulas[role]), env)
        unknown = env.seen - set(bindings)
        assert not unknown, f"{text}: formula {layer.formulas[role]!r} names {unknown}, not in the bindings"
        assert sympy.simplify(value - actual) == 0, f"{text} [{convention}] {role}: {layer.formulas[role]} = {value} != {actual}"
    if not layer.formulas:
        assert layer.total == 0 and layer.buffers == 0, f"{text}: no formula, but {layer.total} + {layer.buffers}"
    # nothing counted outside the two roles (a counter such as num_batches_tracked is listed, never counted)
    counted = sum((role_sum(layer, r, convention) for r in ("param", "stat")), sympy.Integer(0))
    assert sympy.simplify(layer.total + layer.buffers - counted) == 0, text


# ---------------------------------------------------------------------------
# symbolic: every argument left to its symbol (top-level layers have no shape)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", list(CATALOG))
def test_symbolic_formula_equals_tensors(name: str, convention: str) -> None:
    texts = [f"{name}()"]
    for spec in CATALOG[name].args:
        if spec.kind == BIAS:
            texts.append(f"{name}({spec.name}=b)")
        elif spec.kind == SIZE and spec.default is not REQUIRED and spec.name not in NUMERIC_ONLY:
            texts.append(f"{name}({spec.name}={spec.formula_name})")  # groups=g, multiplier=m, ...
    for text in texts:
        [layer] = symcount.count(text, convention=convention).layers
        check_layer(layer, convention, text)


# ---------------------------------------------------------------------------
# random: numbers (and now and then the bias symbol) inside a network

_SIZES = (1, 2, 3, 4, 6, 12)


def _value(rng: random.Random, entry: LayerType, spec: Any, dims: int) -> str | None:
    """A random value for one argument, written in the language; None leaves it to its default."""
    if spec.name in ("trainable", "tied") or rng.random() < 0.25:
        return None
    if spec.kind == SIZE:
        if spec.infer == "channels":
            return None
        if spec.name == "layers":
            return str(rng.randint(1, 3))
        return str(rng.choice(_SIZES))
    if spec.kind == COUNT:
        return str(rng.randint(0, 3))
    if spec.kind == BIAS:
        return rng.choice(["true", "false", "b"])
    if spec.kind == FLAG:
        return rng.choice(["true", "false"])
    if spec.kind in (KERNEL, SHAPE):
        top = 2 if spec.name in ("output_padding",) else 3
        low = 0 if spec.name in ("output_padding", "p") else 1
        values = [rng.randint(low, top) for _ in range(max(dims, 1))]
        return str(values[0]) if rng.random() < 0.5 or dims <= 1 else "(" + ", ".join(map(str, values)) + ")"
    if spec.kind == PADDING:
        return rng.choice(['"same"', '"valid"', "0", "1"])
    if spec.name == "shared_axes" and dims:
        return str(rng.randint(1, dims + 1))
    if entry.name == "permute" and spec.name == "order":  # Keras's Permute: an order of the axes 1..n
        axes = list(range(1, dims + 2))
        rng.shuffle(axes)
        return "(" + ", ".join(map(str, axes)) + ",)"
    if entry.name == "reshape" and spec.name == "target_shape":
        return rng.choice(["(-1,)", "(1, -1)"])
    if entry.name == "unflatten":  # PyTorch's Unflatten: dim 1 into sizes that fit any input
        return "1" if spec.name == "dim" else rng.choice(["(-1,)", "(1, -1)", "(-1, 1, 1)"])
    return None


def _input(rng: random.Random, entry: LayerType) -> tuple[str, int]:
    """An input() that suits the layer, and how many spatial dimensions it has."""
    c = rng.choice(_SIZES)
    if entry.name == "embedding":
        return f"input(L={rng.randint(1, 9)})", 1
    if entry.input_kind == "sequence":
        return f"input(L={rng.randint(1, 9)}, C={c})", 1
    d = entry.dims if entry.dims else rng.randint(0, 3)
    if d == 0:
        return f"input(C={c})", 0
    names = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}[d]
    sizes = ", ".join(f"{n}={rng.randint(12, 20)}" for n in names)
    return f"input({sizes}, C={c})", d


def random_description(rng: random.Random, entry: LayerType) -> str:
    inp, dims = _input(rng, entry)
    args = [(spec.name, _value(rng, entry, spec, dims)) for spec in entry.args]
    call = ", ".join(f"{name}={value}" for name, value in args if value is not None)
    return f"network n {{ {inp}; {entry.name}({call}) }}"


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", list(CATALOG))
def test_random_formula_equals_tensors(name: str, convention: str) -> None:
    """Random arguments; a draw the layer refuses (groups not dividing, a kernel too big) is redrawn."""
    rng = random.Random(f"{name}/{convention}")
    checked = 0
    for _ in range(RANDOM_CASES * 20):
        text = random_description(rng, CATALOG[name])
        try:
            result = symcount.count(text, convention=convention)
        except SymcountError:
            continue
        [layer] = result.layers
        check_layer(layer, convention, text)
        checked += 1
        if checked == RANDOM_CASES:
            break
    assert checked == RANDOM_CASES, f"only {checked} valid random descriptions for {name}"
