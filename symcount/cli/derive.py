"""``symcount derive``: the step-by-step derivation as LaTeX, markdown, text or JSON.

A thin layer over :func:`symcount.teaching.derivation.derive`.
"""

from __future__ import annotations

import argparse
from typing import Any

from symcount.cli.argtypes import parse_set, source_arg
from symcount.cli.options import (
    add_convention,
    add_format,
    add_from,
    add_network,
    add_output,
    add_set,
    add_source,
    add_standalone,
)
from symcount.cli.output import EXIT_OK, exact, json_document, render_as, write_output
from symcount.cli.verbs import VERBS, add_subparser
from symcount.engine.count import count_dict
from symcount.errors import SymcountError
from symcount.teaching.derivation import Derivation, derive

#: ``symcount/derive`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source(p)
    add_from(p)
    add_set(p)
    add_convention(p, choices=["pytorch", "keras", "both"], default=None,
                   help="whose counting rules; both = the two, one below the other (default: the file's "
                        "'# convention:' line, else pytorch)")
    add_network(p, help="which network to derive when the source holds several")
    p.add_argument("--bias", choices=["both", "true", "false"], default=None,
                   help="give every layer a bias (true), none (false) or show both "
                        "(default: the file's '# bias:' line, else as written)")
    add_format(p, VERBS["derive"].formats, "latex")
    add_standalone(p, help="a complete LaTeX document (article, amsmath) that pdflatex compiles")
    add_output(p)
    p.add_argument("--mul", choices=["times", "cdot"], default="times", help="multiplication sign")
    p.add_argument("--kernel-style", choices=["repeat", "power"], default="repeat",
                   help="k x k (repeat) or k^2 (power)")
    p.add_argument("--digit-separator", default="{,}", metavar="TEX",
                   help="LaTeX thousands separator (default: {,} as in 295{,}168)")
    p.add_argument("--title", help="the document's heading (default: the file's '# title:' line or its name)")
    p.add_argument("--receptive-field", action="store_true",
                   help="add the receptive field and jump, layer by layer (r = r_in + (k - 1)*d*j_in, j = j_in*s)")
    p.add_argument("--backward", action="store_true",
                   help="add the backward pass layer by layer (input and weight gradients, bias additions) and "
                        "the training step beside 3 x forward")
    p.add_argument("--shapes", action=argparse.BooleanOptionalAction, default=True,
                   help="show the working of each output size that a layer changes, e.g. "
                        "H_out = floor((H + 2p - k)/s) + 1 (default: on; --no-shapes for parameters only)")


def setup_derive(sub: Any) -> None:
    """The ``derive`` sub-parser on ``sub``: how ``tools/goldens.py`` reads ``#! derive`` lines."""
    parser = add_subparser(sub, VERBS["derive"])
    add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.standalone and args.format != "latex":
        raise SymcountError("--standalone makes a LaTeX document; use it with --format latex")
    if args.format == "json" and (args.receptive_field or args.backward):
        raise SymcountError(f"{'--receptive-field' if args.receptive_field else '--backward'} adds sections to the "
                            "document; the JSON has no sections",
                            hint="count --receptive-field --format json, compute --format json (key backward)")
    refuse_typography_without_effect(args)
    derivation = derive(
        source_arg(args.source, args.origin),
        values=parse_set(args.values),
        convention=args.convention,
        network=args.network,
        bias=args.bias,
        mul=args.mul,
        kernel_style=args.kernel_style,
        digit_separator=args.digit_separator,
        title=args.title,
        shapes=args.shapes,
        receptive_field=args.receptive_field,
        backward=args.backward,
    )
    if args.format == "json":
        write_output(json_document("derive", SCHEMA_VERSION, derivation_dict(derivation)), args.output, [args.source])
    else:
        write_output(render_as(derivation, args.format, args.standalone), args.output, [args.source])
    return EXIT_OK


def refuse_typography_without_effect(args: argparse.Namespace) -> None:
    """A typography option the format does not show is refused, not ignored: the digit separator is
    LaTeX's (latex, markdown; text groups with ','), and JSON has no formulas to typeset."""
    given = [(option, value) for option, value, default in (
        ("--digit-separator", args.digit_separator, "{,}"), ("--mul", args.mul, "times"),
        ("--kernel-style", args.kernel_style, "repeat")) if value != default]
    for option, value in given:
        if args.format == "json" or (args.format == "text" and option == "--digit-separator"):
            raise SymcountError(f"{option} {value[:40]} changes how formulas are typeset; the {args.format} "
                                "format does not show it",
                                hint="use it with --format latex or markdown" if option == "--digit-separator"
                                else "use it with --format latex, markdown or text")


def derivation_dict(derivation: Derivation) -> dict[str, Any]:
    """The derivation's data: its title and statement, and the count of each variant (one, or
    two side by side), each variant's count in the ``symcount/count`` form."""
    document = derivation.document
    return {
        "title": document.title,
        "intro": list(document.intro),
        "conventions": document.conventions,
        "total": exact(derivation.total),
        "variants": [
            {"label": v.label, "convention": v.convention, "bias": v.bias, "count": count_dict(v.count)}
            for v in derivation.variants
        ],
    }
