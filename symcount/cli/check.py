"""``symcount check SOURCE --answer ANSWER``: the marker's verdict (:mod:`symcount.teaching.check`).

Exit status: 0 the answer is right, 1 it is wrong, 2 bad input, so a script marking a batch of
answers can tell them apart without reading the output.
"""

from __future__ import annotations

import argparse
from typing import Any

from symcount.cli.argtypes import parse_set, source_arg
from symcount.cli.options import add_convention, add_format, add_network, add_output, add_set, add_source, add_standalone
from symcount.cli.output import EXIT_OK, EXIT_WRONG, exact, json_document, render_as, write_output
from symcount.cli.verbs import VERBS
from symcount.teaching.check import QUANTITIES, Verdict, check

#: ``symcount/check`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source(p)
    p.add_argument("--answer", required=True, help="a number or a formula in the layer's names, e.g. "
                   "'(k*k*C_in + 1)*C_out'")
    add_set(p)
    add_convention(p)
    add_network(p, help="which network when the source holds several")
    p.add_argument("--quantity", choices=list(QUANTITIES), default="total",
                   help="what the question asks for (default: total, as the framework reports it)")
    add_format(p, VERBS["check"].formats, "text")
    add_standalone(p, help="latex: a complete document")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    verdict = check(source_arg(args.source), args.answer, values=parse_set(args.values),
                    convention=args.convention, network=args.network, quantity=args.quantity)
    if args.format == "json":
        write_output(json_document("check", SCHEMA_VERSION, verdict_dict(verdict)), args.output)
    else:
        write_output(render_as(verdict, args.format, args.standalone), args.output)
    return EXIT_OK if verdict.correct else EXIT_WRONG


def verdict_dict(verdict: Verdict) -> dict[str, Any]:
    """The verdict's data: right or wrong, both values, the difference and the slips found."""
    return {
        "network": verdict.count.network,
        "convention": verdict.count.convention,
        "quantity": verdict.quantity,
        "answer_text": verdict.answer_text,
        "correct": verdict.correct,
        "expected": exact(verdict.expected),
        "answer": exact(verdict.answer),
        "difference": exact(verdict.difference),
        "counterexample": exact(verdict.counterexample),
        "agrees_when": None if verdict.agrees_when is None else [str(eq) for eq in verdict.agrees_when],
        "mistake": verdict.mistake,
        "mistakes": verdict.mistakes,
        "layer": _slip_layer(verdict),
        "explanation": verdict.explanation,
    }


def _slip_layer(verdict: Verdict) -> str | None:
    """The layer the first slip was found in (None: right, unexplained, or in every layer)."""
    if not verdict.matches or verdict.matches[0].layer is None:
        return None
    return verdict.matches[0].layer.name
