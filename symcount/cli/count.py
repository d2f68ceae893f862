"""``symcount count``: the per-layer summary table (text, markdown, LaTeX) or its JSON.

Imports only what the table needs (:mod:`symcount.engine.count`,
:mod:`symcount.render.table`): this is the verb whose start-up time matters most.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sympy

from symcount import api
from symcount.cli.argtypes import batch_value, parse_set, source_arg
from symcount.cli.options import add_common, add_format, add_output, add_standalone
from symcount.cli.output import EXIT_OK, json_document, write_output
from symcount.cli.verbs import VERBS
from symcount.engine.activations import ACTIVATION_DTYPE, DTYPE_BYTES, activations_of
from symcount.engine.count import count_dict, summary_table
from symcount.engine.receptive import receptive_fields
from symcount.errors import SymcountError
from symcount.render.printable import standalone_document
from symcount.render.table import Column, Table, latex_table, markdown_table, text_table

#: ``symcount/count`` JSON: the keys of :func:`symcount.engine.count.count_dict`.
SCHEMA_VERSION = 1
#: ``symcount/stored`` JSON: a safetensors header's tensors by module (and a config's cross-check).
STORED_SCHEMA_VERSION = 1
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
    p.add_argument("--activations", action="store_true",
                   help="also show each layer's output volume for the batch, and the values a forward pass stores")
    p.add_argument("--receptive-field", action="store_true",
                   help="also show each layer's receptive field, jump and start (positions of the input it sees)")
    p.add_argument("--batch", default=None, metavar="B",
                   help="batch size for --activations and the JSON: a whole number or a symbol (default: 1)")
    p.add_argument("--dtype", choices=list(DTYPE_BYTES), default=None,
                   help=f"bytes per activation value (default: {ACTIVATION_DTYPE}, as CS231n counts them)")
    p.add_argument("--config", default=None, metavar="CONFIG.JSON",
                   help="with a .safetensors file: cross-check its tensors against this config.json's count "
                        "(default: a config.json beside the file)")
    add_standalone(p)
    add_output(p)


def run(args: argparse.Namespace) -> int:
    if args.depth is not None and args.depth < 0:
        raise SymcountError(f"--depth must be 0 or more, not {args.depth}")
    if args.standalone and args.format != "latex":
        raise SymcountError("--standalone makes a LaTeX document; use it with --format latex")
    source = source_arg(args.source, args.origin)
    if api.is_stored(source):
        return _run_stored(args, Path(source))
    if args.config is not None:
        raise SymcountError("--config cross-checks a .safetensors file; this source is not one",
                            hint="give the config.json itself as the source to count it")
    variants = api.file_variants(source, args.convention, args.bias)
    if args.format == "json" and len(variants) > 1:
        raise SymcountError("the file asks for several counts ('# convention: both' or '# bias: both'); "
                            "JSON holds one", hint="choose one with --convention or --bias",
                            filename=str(source) if isinstance(source, Path) else None)
    if args.format != "json" and not args.activations and (args.batch is not None or args.dtype is not None):
        option = "--batch" if args.batch is not None else "--dtype"
        raise SymcountError(f"{option} changes only the activations: add --activations (or --format json)")
    batch = batch_value(args.batch) if args.batch is not None else 1
    dtype = args.dtype or ACTIVATION_DTYPE
    outputs, titles = [], []
    for convention, bias in variants:
        result = api.count(source, values=parse_set(args.values), convention=convention, network=args.network,
                           bias=bias)
        if args.format == "json":
            write_output(json_document("count", SCHEMA_VERSION, count_dict(result, depth=args.depth, batch=batch,
                                                                            dtype=dtype)), args.output, [args.source])
            return EXIT_OK
        acts = activations_of(result, batch, dtype) if args.activations else None
        fields = receptive_fields(result) if args.receptive_field else None
        table = summary_table(result, depth=args.depth, flops=args.flops, activations=acts, fields=fields)
        shown = "" if bias is None else ", with bias" if bias else ", without bias"
        titles.append(f"network {result.network} ({result.convention}{shown})")
        outputs.append(TABLE_WRITERS[args.format](table, titles[-1]))
    text = "\n".join(outputs)
    write_output(standalone_document("latex", titles[0], text) if args.standalone else text, args.output,
                 [args.source])
    return EXIT_OK


def _run_stored(args: argparse.Namespace, path: Path) -> int:
    """A safetensors header: its stored tensors by module, and the cross-check with a config."""
    for option, given in (("--depth", args.depth is not None), ("--flops", args.flops),
                          ("--bias", args.bias is not None), ("--activations", args.activations),
                          ("--receptive-field", args.receptive_field), ("--batch", args.batch is not None),
                          ("--dtype", args.dtype is not None), ("--set", bool(args.values)),
                          ("--convention", args.convention is not None), ("--network", args.network is not None)):
        if given:
            raise SymcountError(f"{option} is about layers; a safetensors header has stored tensors only",
                                filename=str(path), hint="count the config.json for layers")
    if args.standalone and args.format != "latex":
        raise SymcountError("--standalone makes a LaTeX document; use it with --format latex")
    result = api.count_stored(path, Path(args.config) if args.config is not None else None)
    if args.format == "json":
        write_output(json_document("stored", STORED_SCHEMA_VERSION, stored_dict(result)), args.output)
        return EXIT_OK
    title = f"tensors stored in {path.name}"
    text = TABLE_WRITERS[args.format](stored_table(result), title)
    write_output(standalone_document("latex", title, text) if args.standalone else text, args.output)
    return EXIT_OK


def stored_table(result: api.StoredCount) -> Table:
    """One row per module: its tensors and the values they hold; totals; the cross-check in notes."""
    header = result.header
    rows = [{Column.INDEX: i, Column.NAME: module or "(top level)", Column.TENSORS: sympy.Integer(n),
             Column.ELEMENTS: sympy.Integer(elements)}
            for i, (module, n, elements) in enumerate(header.by_module(), start=1)]
    totals: list[tuple[str, object]] = [("tensors stored", sympy.Integer(len(header.tensors))),
                                        ("values stored", sympy.Integer(header.total))]
    notes = [f"read from the header only ({len(header.files)} file{'s' if len(header.files) != 1 else ''}); "
             f"no weights were read"]
    if result.counted is not None:
        counted = result.counted.trainable + result.counted.non_trainable
        totals.append((f"parameters counted from {Path(result.config or '').name}", counted))
        agree = not result.differences
        notes.append(f"cross-checked with {result.config} ({result.counted.network}): "
                     + ("every stored tensor matches a counted one" if agree else
                        f"{len(result.differences)} tensor(s) differ:"))
        notes += [f"  {name}: {why}" for name, why in result.differences]
        notes += result.notes
    return Table([Column.INDEX, Column.NAME, Column.TENSORS, Column.ELEMENTS], rows, totals, notes)


def stored_dict(result: api.StoredCount) -> dict[str, object]:
    header = result.header
    data: dict[str, object] = {
        "file": header.filename,
        "files": header.files,
        "metadata": header.metadata,
        "tensors": len(header.tensors),
        "total": header.total,
        "modules": [{"module": module, "tensors": n, "elements": elements}
                    for module, n, elements in header.by_module()],
    }
    if result.counted is not None:
        data["cross_check"] = {
            "config": result.config,
            "network": result.counted.network,
            "counted": int(result.counted.trainable + result.counted.non_trainable),
            "differences": [{"tensor": name, "why": why} for name, why in result.differences],
            "notes": result.notes,
        }
    return data
