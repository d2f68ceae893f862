"""``symcount compute``: forward and training FLOPs per token beside the 2N / 6N rules
(:func:`symcount.teaching.memory.compute`)."""

from __future__ import annotations

import argparse
from typing import Any

from symcount.cli.argtypes import batch_value, parse_set, source_arg
from symcount.cli.options import add_common, add_output, add_report_format
from symcount.cli.output import EXIT_OK, exact, json_document, render_report, write_output
from symcount.cli.verbs import VERBS
from symcount.teaching.memory import Compute, compute
from symcount.teaching.training import Training, backward_dict, batch_dict

#: ``symcount/compute`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)
    p.add_argument("--batch", default=None, metavar="B",
                   help="also the FLOPs of a batch of B samples (B sequences of L tokens): a whole number or a symbol")
    add_report_format(p, VERBS["compute"].formats)
    add_output(p)


def run(args: argparse.Namespace) -> int:
    result = compute(source_arg(args.source, args.origin), values=parse_set(args.values), network=args.network,
                     convention=args.convention, batch=batch_value(args.batch) if args.batch is not None else None)
    if args.format == "json":
        write_output(json_document("compute", SCHEMA_VERSION, compute_dict(result)), args.output, [args.source])
    else:
        write_output(render_report(result, args.format, args.standalone), args.output, [args.source])
    return EXIT_OK


def compute_dict(result: Compute | Training) -> dict[str, Any]:
    """The report's numbers: MACs for L tokens, FLOPs per token, the 2N rule and what separates them;
    ``backward``: per-layer backward FLOPs and the training step of one sample (one sequence)."""
    if isinstance(result, Training):
        return {"network": result.network, "params": exact(result.params), "per": "sample",
                "backward": backward_dict(result.backward, exact),
                "batch": batch_dict(result.backward, result.batch, exact)}
    return {
        "network": result.network,
        "L": exact(result.L),
        "params": exact(result.params),
        "moe": result.moe,
        "macs": exact(result.macs),
        "forward": exact(result.forward),
        "rule": exact(result.rule),
        "difference": exact(result.difference),
        "context": exact(result.context),
        "no_macs": exact(result.no_macs),
        "biases": exact(result.biases),
        "tied": exact(result.tied),
        "training": exact(result.training),
        "training_rule": exact(6 * result.params),
        "per": "token",
        "backward": backward_dict(result.backward, exact) if result.backward is not None else None,
        "batch": _sequence_batch(result),
    }


def _sequence_batch(result: Compute) -> dict[str, Any] | None:
    """A batch of B sequences: from the derived backward pass when complete, else the 3 × forward rule."""
    if result.batch is None:
        return None
    if result.backward is not None and result.backward.complete:
        return batch_dict(result.backward, result.batch, exact)
    return {"batch": exact(result.batch), "forward": exact(result.batch * 2 * result.macs), "backward": None,
            "training": exact(result.batch * result.L * result.training), "rule": "3 x forward"}
