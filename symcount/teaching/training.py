"""Training compute of any network: per-layer backward FLOPs and a training step, beside the 6N rule.

The numbers come from :mod:`symcount.engine.backward` (one sample); this module
lays them out as a short derivation: a line per layer (forward, input gradient,
weight gradient, bias-gradient additions), the totals, a training step =
forward + backward for one sample and for a batch of B, and the rule of thumb
training ≈ 3 × forward (6N for a language model) with what separates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from symcount.engine.backward import Backward, backward_of
from symcount.engine.count import Count
from symcount.render.formats import Format
from symcount.render.numbers import text_value
from symcount.render.printable import Printable
from symcount.render.report import Line, Report

B = sympy.Symbol("B", positive=True, integer=True)


def _row_detail(row: Any) -> str:
    skipped = " (skipped: the network's input needs no gradient)" if row.input_skipped else ""
    return (f"forward {text_value(row.forward)}, input gradient {text_value(row.input_grad)}{skipped}, "
            f"weight gradient {text_value(row.weight_grad)}, bias gradient {text_value(row.bias_grad)} additions")


def backward_lines(b: Backward, per: str = "sample", scale: sympy.Expr = sympy.S.One) -> list[Line]:
    """The backward section: per-layer lines, totals, training step, the 3 × forward rule (÷ ``scale``)."""
    def v(e: sympy.Expr) -> sympy.Expr:
        return sympy.expand(e / scale)
    lines = [Line(f"{row.name} ({row.kind})", "forward + backward", "", v(row.forward + row.backward),
                  detail=_row_detail(row), rule_above=i == 0) for i, row in enumerate(b.layers)]
    if not b.complete:
        lines.append(Line("backward not derived for: " + ", ".join(b.not_derived), rule_above=True))
        return lines
    lines += [
        Line(f"forward FLOPs per {per}", "2 × MACs", r"2 \times \mathrm{MACs}", v(b.forward), rule_above=True),
        Line("  input gradients", "2 × MACs, first layer skipped", "", v(b.input_grad)),
        Line("  weight gradients", "2 × MACs", "", v(b.weight_grad)),
        Line(f"backward FLOPs per {per}", "input + weight gradients", "", v(b.backward)),
        Line(f"training step per {per}", "forward + backward", r"\text{forward} + \text{backward}",
             v(b.training), rule_above=True),
        Line("rule of thumb", "3 × forward (6N)", r"3 \times \text{forward}", v(3 * b.forward)),
        Line("  first layer's input gradient", "− skipped", "", v(b.training - 3 * b.forward)),
        Line("bias gradients (additions)", "C_out × output positions", "", v(b.bias_grad), rule_above=True),
    ]
    return lines


def backward_notes(b: Backward) -> list[str]:
    notes = [
        "backward: every product of the forward is done twice more, once for the gradient of the layer's "
        "input and once for that of its weights (2 × MACs FLOPs each); attention's scores and weighted "
        "values have no weights, both their gradients count as input gradients",
        f"the network's input needs no gradient: {b.first or 'the first layer'} skips its input gradient, as "
        "torch does for an input that does not require grad",
        "bias gradients are sums (C_out × output positions additions a sample), not counted as FLOPs, as in "
        "torch.utils.flop_counter.FlopCounterMode",
        "layers without multiply-accumulates (activations, pooling, norms, look-ups) count 0 FLOPs, as in "
        "FlopCounterMode" + (": " + ", ".join(b.no_macs) if b.no_macs else ""),
        "FlopCounterMode counts a grouped convolution's weight gradient as groups × its products",
    ]
    return notes


@dataclass(frozen=True, repr=False)
class Training(Printable):
    """Training compute of a network that does not read a sequence: per sample and for a batch of B."""

    network: str
    params: sympy.Expr
    backward: Backward
    #: ``--batch``: a number or a symbol (None: the batch is the symbol B, per sample above it)
    batch: sympy.Expr | None = None

    def report(self) -> Report:
        lines = backward_lines(self.backward)
        if self.backward.complete:
            batch = B if self.batch is None else self.batch
            lines += batch_lines(self.backward, batch, "a batch of " + ("B" if self.batch is None
                                                                       else text_value(self.batch)))
        return Report(f"training compute of {self.network} per sample", [
            f"N = {text_value(self.params)} parameters"], lines, "assumptions", backward_notes(self.backward))

    def _render(self, fmt: Format) -> str:
        return fmt.report(self.report())

    def _title(self) -> str | None:
        return f"Training compute of {self.network}"

    def _question(self, fmt: Format) -> str | None:
        return fmt.style.escape(f"How many FLOPs does one training step of {self.network} take per sample, "
                                "forward and backward?")

    def _summary(self) -> str:
        return f"{self.network!r}, training={self.backward.training}"


def batch_lines(b: Backward, batch: sympy.Expr, what: str) -> list[Line]:
    """Forward, backward and the training step of one sample (one sequence) times the batch."""
    return [
        Line(f"forward FLOPs for {what}", "B × forward", "", sympy.expand(batch * b.forward), rule_above=True),
        Line(f"backward FLOPs for {what}", "B × backward", "", sympy.expand(batch * b.backward)),
        Line(f"training step for {what}", "B × (forward + backward)", "", sympy.expand(batch * b.training)),
    ]


def training_of(result: Count, batch: sympy.Expr | None = None) -> Training:
    return Training(result.network, result.active, backward_of(result), batch)


def backward_dict(b: Backward, exact: Any) -> dict[str, Any]:
    """JSON: per-layer rows and totals of one sample (``exact`` turns sympy into JSON values)."""
    return {
        "layers": [{"name": r.name, "kind": r.kind, "forward": exact(r.forward), "input_grad": exact(r.input_grad),
                    "weight_grad": exact(r.weight_grad), "bias_grad": exact(r.bias_grad),
                    "input_skipped": r.input_skipped} for r in b.layers],
        "not_derived": b.not_derived,
        "no_macs": b.no_macs,
        "forward": exact(b.forward) if b.complete else None,
        "input_grad": exact(b.input_grad) if b.complete else None,
        "weight_grad": exact(b.weight_grad) if b.complete else None,
        "bias_grad": exact(b.bias_grad) if b.complete else None,
        "backward": exact(b.backward) if b.complete else None,
        "training": exact(b.training) if b.complete else None,
    }


def batch_dict(b: Backward, batch: sympy.Expr | None, exact: Any) -> dict[str, Any] | None:
    """JSON: the forward, backward and training FLOPs of a batch (None: no --batch, or not derived)."""
    if batch is None or not b.complete:
        return None
    return {"batch": exact(batch), "forward": exact(sympy.expand(batch * b.forward)),
            "backward": exact(sympy.expand(batch * b.backward)), "training": exact(sympy.expand(batch * b.training))}
