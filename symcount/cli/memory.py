"""``symcount memory`` and ``symcount compute``: the LLM questions on the command line.

Auto-discovered by :mod:`symcount.cli.main` through ``SETUPS``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from symcount.cli.main import EXIT_OK, add_common, parse_set, render_as, source_arg, write_output


def _render(report: Any, fmt: str) -> str:
    if fmt == "latex-standalone":
        return render_as(report, "latex", standalone=True)
    return render_as(report, fmt)


def cmd_memory(args: argparse.Namespace) -> int:
    from symcount.teaching.memory import memory  # noqa: PLC0415  lazy: start-up

    result = memory(source_arg(args.source), dtype=args.dtype, training=args.training,
                    values=parse_set(args.values), network=args.network, convention=args.convention,
                    kv_cache=args.kv_cache, batch=args.batch, kv_dtype=args.kv_dtype)
    if args.format == "json":
        write_output(json.dumps(result.as_dict(), indent=2) + "\n", args.output)
    else:
        write_output(_render(result, args.format), args.output)
    return EXIT_OK


def cmd_compute(args: argparse.Namespace) -> int:
    from symcount.teaching.memory import compute  # noqa: PLC0415  lazy: start-up

    result = compute(source_arg(args.source), values=parse_set(args.values), network=args.network,
                     convention=args.convention)
    write_output(_render(result, args.format), args.output)
    return EXIT_OK


FORMATS = ["text", "markdown", "latex", "latex-standalone"]


def setup_memory(sub: Any) -> None:
    p = sub.add_parser("memory", help="bytes for weights, gradients and optimizer state")
    add_common(p)
    p.add_argument("--dtype", choices=["fp32", "bf16", "fp16", "int8", "int4"], default="bf16",
                   help="storage type of the weights (default: bf16)")
    p.add_argument("--training", choices=["none", "sgd", "adam"], default="none",
                   help="none: inference; sgd or adam: add gradients and optimizer state (default: none)")
    p.add_argument("--kv-cache", type=int, metavar="L", help="add the key/value cache of L tokens")
    p.add_argument("--batch", type=int, default=1, help="sequences in the KV cache (default: 1)")
    p.add_argument("--kv-dtype", choices=["fp32", "bf16", "fp16", "int8", "int4"],
                   help="type of the KV cache (default: the weights' type; bf16 for int8/int4 weights)")
    p.add_argument("--format", choices=[*FORMATS, "json"], default="text")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")
    p.set_defaults(func=cmd_memory)


def setup_compute(sub: Any) -> None:
    p = sub.add_parser("compute", help="forward and training FLOPs per token beside the 2N / 6N rules")
    add_common(p)
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")
    p.set_defaults(func=cmd_compute)


SETUPS = [setup_memory, setup_compute]
