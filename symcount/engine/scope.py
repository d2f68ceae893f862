"""Where layer names are made while walking: a dotted prefix and a counter per kind."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


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
