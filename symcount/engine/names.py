"""The names documents show: a layer's dotted name as a framework would write its module path.

The engine names every layer by the block calls it sits in (``layer1.bottleneck_1.conv_bn_2.conv2d``):
unique, stable, and what JSON, ``tied=`` labels and the cross-checks use. A reader of a count table or a
derivation expects PyTorch's module path instead (``layer1.1.conv2d_2``): a stage's run of blocks numbered
from 0, as ``nn.Sequential`` numbers its children, and a block's own unlabelled helper calls adding no
path segment. :func:`display_names` maps the one to the other; only the displayed text changes.

Labels are kept as written; the network's top-level calls keep their segments (VGG's ``stage_1``), since
a framework's top-level modules are the ones a description names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from symcount.engine.results import BlockCall, LayerResult

#: An unlabelled call of at most this many layers is a helper (``conv_bn``, ``bn_relu_conv``): flattened.
MAX_HELPER = 4


def _automatic(segment: str, kind: str) -> bool:
    """Whether a name segment is the walker's automatic ``kind`` / ``kind_N``, not a label."""
    return segment == kind or re.fullmatch(re.escape(kind) + r"_\d+", segment) is not None


def _parent(name: str, calls: dict[str, BlockCall]) -> str | None:
    """The innermost block call whose name is a dotted prefix of ``name``."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in calls:
            return prefix
    return None


def display_names(layers: Iterable[LayerResult], blocks: Iterable[BlockCall]) -> dict[str, str]:
    """Engine name -> displayed name, for every layer and block call (a name absent maps to itself):
    see :func:`_shown`; a helper call whose flattening would give two layers one name keeps its
    path segment (EfficientNet's two ``mbconv`` calls, each with an ``se`` inside)."""
    layers = list(layers)
    blocks = list(blocks)
    kept: set[str] = set()
    for _ in range(len(blocks) + 1):
        shown = _shown(layers, blocks, kept)
        seen: dict[str, str] = {}
        clashes: set[str] = set()
        for layer in layers:
            other = seen.setdefault(shown[layer.name], layer.name)
            if other != layer.name:
                clashes.update((other, layer.name))
        if not clashes:  # a flattened call has no name of its own: a folded row of it keeps the engine's
            parents = {b.name: _parent(b.name, {c.name: c for c in blocks}) for b in blocks}
            return {name: text for name, text in shown.items()
                    if not (name in parents and parents[name] is not None and text == shown[parents[name] or ""])}
        calls = {b.name: b for b in blocks}
        more = {c.name for c in blocks for name in clashes
                if name.startswith(c.name + ".") and shown[c.name] == shown.get(_parent(c.name, calls) or "")}
        if more <= kept:
            break
        kept |= more
    return {name: name for name in [*(layer.name for layer in layers), *(b.name for b in blocks)]}


def _shown(layers: list[LayerResult], blocks: list[BlockCall], kept: set[str]) -> dict[str, str]:
    """One pass of :func:`display_names`, the calls in ``kept`` never flattened.

    Inside a block call, two or more unlabelled sub-calls that hold all its layers (a ResNet
    stage's bottlenecks, a repeat's iterations) are numbered 0, 1, ..., as ``nn.Sequential``
    numbers its children; other unlabelled sub-calls of a few layers (a bottleneck's ``conv_bn``
    helpers) are flattened into their parent, whose automatic layer names are then numbered again
    in order (``conv2d``, ``conv2d_1``, ...).
    """
    calls = {call.name: call for call in blocks}
    children: dict[str | None, list[BlockCall]] = {}
    for call in calls.values():
        children.setdefault(_parent(call.name, calls), []).append(call)
    shown: dict[str, str] = {}
    flattened_into: set[str] = set()
    for call in sorted(calls.values(), key=lambda c: (c.name.count("."), c.start)):
        parent = _parent(call.name, calls)
        if parent is None:  # a top-level call: the description's own name for it
            shown[call.name] = call.name
            continue
        segment = call.name[len(parent) + 1:]
        if "." in segment or not _automatic(segment, call.kind) or call.name in kept:
            shown[call.name] = f"{shown[parent]}.{segment}"
            continue
        siblings = children[parent]
        whole = calls[parent]
        numbered = len(siblings) > 1 and all(
            "." not in s.name[len(parent) + 1:] and _automatic(s.name[len(parent) + 1:], s.kind)
            for s in siblings) \
            and sum(s.end - s.start for s in siblings) == whole.end - whole.start
        if numbered:
            index = sorted(siblings, key=lambda s: s.start).index(call)
            shown[call.name] = f"{shown[parent]}.{index}"
        elif call.end - call.start > MAX_HELPER:  # a whole layer of its own (T5's t5_layer): keeps its name
            shown[call.name] = f"{shown[parent]}.{segment}"
        else:
            shown[call.name] = shown[parent]
            flattened_into.add(shown[parent])
    counters: dict[tuple[str, str], int] = {}
    taken: set[str] = set(shown.values())
    for layer in layers:
        parent = _parent(layer.name, calls)
        if parent is None:
            shown[layer.name] = layer.name
            continue
        rest = layer.name[len(parent) + 1:]
        head = shown[parent]
        if head in flattened_into and "." not in rest and _automatic(rest, layer.kind):
            n = counters.get((head, layer.kind), 0)
            while (candidate := f"{head}.{layer.kind}" + (f"_{n}" if n else "")) in taken:
                n += 1
            counters[(head, layer.kind)] = n + 1
            rest = candidate[len(head) + 1:]
        name, n = f"{head}.{rest}", 0
        while name in taken and head in flattened_into:  # two helpers' labels meet in their parent
            n += 1
            name = f"{head}.{rest}_{n}"
        shown[layer.name] = name
        taken.add(name)
    return shown
