"""``symcount count``: the per-layer summary table (text, markdown, LaTeX) or its JSON.

Imports only what the table needs (:mod:`symcount.engine.count`,
:mod:`symcount.render.table`): this is the verb whose start-up time matters most.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from symcount import api
from symcount.cli.argtypes import parse_set, source_arg
from symcount.cli.options import add_common, add_format, add_output
from symcount.cli.output import EXIT_OK, json_document, write_output
from symcount.cli.verbs import VERBS
from symcount.engine.count import count_dict, summary_table
from symcount.errors import SymcountError
from symcount.render.table import latex_table, markdown_table, text_table

#: ``symcount/count`` JSON: the keys of :func:`symcount.engine.count.count_dict`.
SCHEMA_VERSION = 1
TABLE_WRITERS = {"text": text_table, "markdown": markdown_table, "latex": latex_table}


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)
    add_format(p, VERBS["count"].formats, "text")
    p.add_argument("--depth", type=int, default=None,
                   help="fold block calls nested deeper than N levels into one row each (0: top-level blocks)")
    p.add_argument("--flops", action="store_true", help="also show FLOPs = 2 x MACs per layer and in total")
    p.add_argument("--bias", choices=["both", "true", "false"], default=None,
                   help="give every layer a bias (true), none (false) or count both (default: the file's "
                        "'# bias:' line, else as written)")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    if args.depth is not None and args.depth < 0:
        raise SymcountError(f"--depth must be 0 or more, not {args.depth}")
    source = source_arg(args.source)
    variants = api.file_variants(source, args.convention, args.bias)
    if args.format == "json" and len(variants) > 1:
        raise SymcountError("the file asks for several counts ('# convention: both' or '# bias: both'); "
                            "JSON holds one", hint="choose one with --convention or --bias",
                            filename=str(source) if isinstance(source, Path) else None)
    outputs = []
    for convention, bias in variants:
        result = api.count(source, values=parse_set(args.values), convention=convention, network=args.network,
                           bias=bias)
        if args.format == "json":
            write_output(json_document("count", SCHEMA_VERSION, count_dict(result, depth=args.depth)),
                         args.output)
            return EXIT_OK
        table = summary_table(result, depth=args.depth, flops=args.flops)
        shown = "" if bias is None else ", with bias" if bias else ", without bias"
        outputs.append(TABLE_WRITERS[args.format](table, f"network {result.network} ({result.convention}{shown})"))
    write_output("\n".join(outputs), args.output)
    return EXIT_OK
