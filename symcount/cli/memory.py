"""``symcount memory``: bytes for weights, gradients, optimizer state and the KV cache
(:func:`symcount.teaching.memory.memory`)."""

from __future__ import annotations

import argparse
from typing import Any

from symcount.cli.argtypes import batch_value, parse_set, source_arg
from symcount.cli.options import add_common, add_output, add_report_format
from symcount.cli.output import EXIT_OK, exact, json_document, render_report, write_output
from symcount.cli.verbs import VERBS
from symcount.teaching.memory import DTYPE_BYTES, TRAININGS, Memory, memory

#: ``symcount/memory`` JSON (docs/json.md): :meth:`Memory.as_dict` and the parts.
SCHEMA_VERSION = 1
DTYPES = list(DTYPE_BYTES)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)
    p.add_argument("--dtype", choices=DTYPES, default="bf16", help="storage type of the weights (default: bf16)")
    p.add_argument("--training", choices=list(TRAININGS), default="none",
                   help="none: inference; sgd or adam: add gradients and optimizer state (default: none)")
    p.add_argument("--kv-cache", type=int, metavar="L", help="add the key/value cache of L tokens")
    p.add_argument("--batch", default=None, metavar="B",
                   help="examples in a batch: the activations and the KV cache (a number or a symbol; default: 1)")
    p.add_argument("--activation-dtype", choices=DTYPES, default="fp32",
                   help="type of the activations (default: fp32, as CS231n counts them)")
    p.add_argument("--kv-dtype", choices=DTYPES,
                   help="type of the KV cache (default: the weights' type; bf16 for int8/int4 weights)")
    add_report_format(p, VERBS["memory"].formats)
    add_output(p)


def run(args: argparse.Namespace) -> int:
    result = memory(source_arg(args.source, args.origin), dtype=args.dtype, training=args.training,
                    values=parse_set(args.values), network=args.network, convention=args.convention,
                    kv_cache=args.kv_cache, batch=batch_value(args.batch) if args.batch is not None else 1,
                    kv_dtype=args.kv_dtype,
                    activation_dtype=args.activation_dtype)
    if args.format == "json":
        write_output(json_document("memory", SCHEMA_VERSION, memory_dict(result)), args.output, [args.source])
    else:
        write_output(render_report(result, args.format, args.standalone), args.output, [args.source])
    return EXIT_OK


def memory_dict(result: Memory) -> dict[str, Any]:
    """:meth:`Memory.as_dict` (its keys unchanged), the parts it adds up and the KV cache."""
    kv = result.kv
    return {
        **result.as_dict(),
        "parts": [{"name": p.name, "symbol": p.symbol, "per_param": exact(p.per_param), "bytes": exact(p.bytes)}
                  for p in result.parts],
        "kv": None if kv is None else {"per_token": exact(kv.per_token), "tokens": exact(kv.tokens),
                                       "batch": exact(kv.batch), "dtype": kv.dtype, "values": exact(kv.values)},
    }
