"""``symcount check SOURCE --answer ANSWER``: the marker's verdict (:mod:`symcount.teaching.check`).

Exit status: 0 the answer is right, 1 it is wrong, 2 bad input, so a script marking a batch of
answers can tell them apart without reading the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from symcount.cli.argtypes import batch_value, parse_set, source_arg
from symcount.cli.options import (
    SOURCE_HELP,
    add_convention,
    add_format,
    add_from,
    add_network,
    add_output,
    add_set,
    add_standalone,
)
from symcount.cli.output import (
    EXIT_OK,
    EXIT_WRONG,
    exact,
    json_document,
    refuse_overwrite,
    render_as,
    write_output,
    write_text,
)
from symcount.cli.verbs import VERBS
from symcount.engine.activations import DTYPE_BYTES
from symcount.errors import SymcountError
from symcount.teaching.check import QUANTITIES, Verdict, check
from symcount.teaching.check_quantity import QUANTITY_KINDS, QuantityVerdict, check_quantity
from symcount.teaching.marking import mark, read_key

#: ``symcount/check`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", help=SOURCE_HELP + " (not with --answers)")
    add_from(p)
    p.add_argument("--answer", help="a number or a formula in the layer's names, e.g. "
                   "'(k*k*C_in + 1)*C_out'")
    p.add_argument("--answers", metavar="CSV", help="mark a class: student,variant,answer rows, against --key; "
                   "writes CSV-marked.csv (expected, verdict, slip) and prints the summary")
    p.add_argument("--key", metavar="JSON", help="the NAME-key.json that symcount exam wrote (with --answers)")
    add_set(p)
    add_convention(p)
    add_network(p, help="which network when the source holds several")
    p.add_argument("--quantity", choices=[*QUANTITIES, "params", *QUANTITY_KINDS], default="total",
                   help="what the question asks for (default: total parameters, as the framework reports it; "
                        "params is the same)")
    p.add_argument("--batch", default=None, metavar="B",
                   help="batch size for activations, MACs and FLOPs: a whole number or a symbol (default: 1)")
    p.add_argument("--layer", metavar="NAME", default=None,
                   help="receptive_field or output_size at this labelled layer's output (default: the network's)")
    p.add_argument("--dtype", choices=list(DTYPE_BYTES), default=None,
                   help="bytes a value for --quantity activation_bytes (default: fp32, as CS231n counts)")
    add_format(p, VERBS["check"].formats, "text")
    add_standalone(p, help="latex: a complete document")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    if args.answers or args.key:
        return run_batch(args)
    if args.source is None or args.answer is None:
        raise SymcountError("check needs a SOURCE and --answer (or --answers CSV --key JSON to mark a class)")
    if args.quantity in QUANTITY_KINDS:
        return run_quantity(args)
    if args.batch is not None or args.dtype is not None or args.layer is not None:
        option = "--batch" if args.batch is not None else "--dtype" if args.dtype is not None else "--layer"
        raise SymcountError(f"{option} does not change a parameter count",
                            hint="--quantity activations, activation_bytes, macs or *_flops take --batch; "
                                 "receptive_field and output_size take --layer")
    quantity = "total" if args.quantity == "params" else args.quantity
    verdict = check(source_arg(args.source, args.origin), args.answer, values=parse_set(args.values),
                    convention=args.convention, network=args.network, quantity=quantity)
    if args.format == "json":
        write_output(json_document("check", SCHEMA_VERSION, verdict_dict(verdict)), args.output, [args.source])
    else:
        write_output(render_as(verdict, args.format, args.standalone), args.output, [args.source])
    return EXIT_OK if verdict.correct else EXIT_WRONG


def run_quantity(args: argparse.Namespace) -> int:
    """An answer on activations, receptive field, output size, MACs or FLOPs (:mod:`symcount.teaching.check_quantity`)."""
    verdict = check_quantity(source_arg(args.source, args.origin), args.answer, args.quantity,
                             values=parse_set(args.values), convention=args.convention, network=args.network,
                             batch=batch_value(args.batch) if args.batch is not None else None, dtype=args.dtype,
                             layer=args.layer)
    if args.format == "json":
        write_output(json_document("check", SCHEMA_VERSION, quantity_verdict_dict(verdict)), args.output,
                     [args.source])
    else:
        write_output(render_as(verdict, args.format, args.standalone), args.output, [args.source])
    return EXIT_OK if verdict.correct else EXIT_WRONG


def quantity_verdict_dict(verdict: QuantityVerdict) -> dict[str, Any]:
    """The verdict on a quantity: right or wrong, both values (a list per dimension for receptive_field and
    output_size), the slips found and the value each slip gives."""
    def values(v: tuple[Any, ...]) -> Any:
        return exact(list(v)) if verdict.quantity in ("receptive_field", "output_size") else exact(v[0])

    return {
        "network": verdict.network,
        "quantity": verdict.quantity,
        "batch": exact(verdict.batch),
        "dtype": verdict.dtype,
        "answer_text": verdict.answer_text,
        "correct": verdict.correct,
        "expected": values(verdict.expected),
        "answer": values(verdict.answer),
        "difference": values(verdict.difference),
        "mistake": verdict.mistake,
        "mistakes": verdict.mistakes,
        "slip_value": values(verdict.slips[0][1]) if verdict.slips else None,
        "slips_not_searched": None,  # a wrong quantity is always matched against every slip
        "explanation": verdict.explanation,
    }


def run_batch(args: argparse.Namespace) -> int:
    """Mark a class (:mod:`symcount.teaching.marking`): exit 0 when the file is marked, 2 on bad input."""
    if not (args.answers and args.key) or args.source or args.answer:
        raise SymcountError("marking a class takes --answers CSV and --key JSON, and no SOURCE or --answer")
    if args.format == "json":
        raise SymcountError("--answers writes the marked CSV and a text, markdown or LaTeX summary, not JSON")
    given = [option for option, value, default in (
        ("--set", args.values, None), ("--convention", args.convention, None), ("--network", args.network, None),
        ("--quantity", args.quantity, "total"), ("--batch", args.batch, None), ("--layer", args.layer, None),
        ("--dtype", args.dtype, None), ("--from", args.origin, None)) if value != default]
    if given:  # the key holds each variant's question and answer: these would change nothing
        raise SymcountError(f"{given[0]} has no effect when marking a class: the key holds each variant's "
                            "question, values and answer", hint="leave it out; the exam's template decides them")
    answers = Path(args.answers)
    marking = mark(answers, read_key(Path(args.key)))
    marked = answers.with_name(answers.stem + "-marked.csv")
    refuse_overwrite(marked, [args.answers, args.key])
    try:
        marked.write_text(marking.csv(), encoding="utf-8")
    except OSError as err:
        raise SymcountError(f"cannot write {marked}: {err.strerror or err}") from None
    write_output(render_as(marking, args.format, args.standalone), args.output,
                 [args.answers, args.key, str(marked)])
    write_text(sys.stderr, f"wrote {marked}\n")
    return EXIT_OK


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
        "slips_not_searched": verdict.unsearched,
        "explanation": verdict.explanation,
    }


def _slip_layer(verdict: Verdict) -> str | None:
    """The layer the first slip was found in (None: right, unexplained, or in every layer)."""
    if not verdict.matches or verdict.matches[0].layer is None:
        return None
    return verdict.matches[0].layer.name
