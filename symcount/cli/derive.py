"""``symcount derive``: the step-by-step derivation as LaTeX, markdown or text.

Discovered by :mod:`symcount.cli.main` through ``SETUPS``; a thin layer over
:func:`symcount.teaching.derivation.derive`.
"""

from __future__ import annotations

import argparse
from typing import Any

from symcount.errors import SymcountError


def cmd_derive(args: argparse.Namespace) -> int:
    from symcount.cli.main import EXIT_OK, parse_set, render_as, source_arg, write_output  # noqa: PLC0415  cycle: cli.main -> cli.derive -> cli.main (__import__ in _optional_setups)
    from symcount.teaching.derivation import derive  # noqa: PLC0415  lazy: start-up

    if args.standalone and args.format != "latex":
        raise SymcountError("--standalone makes a LaTeX document; use it with --format latex")
    derivation = derive(
        source_arg(args.source),
        values=parse_set(args.values),
        convention=args.convention,
        network=args.network,
        bias=args.bias,
        mul=args.mul,
        kernel_style=args.kernel_style,
        digit_separator=args.digit_separator,
        title=args.title,
        shapes=args.shapes,
    )
    write_output(render_as(derivation, args.format, args.standalone), args.output)
    return EXIT_OK


def setup_derive(sub: Any) -> None:
    p = sub.add_parser(
        "derive",
        help="step-by-step derivation (LaTeX, markdown or text), like an exam answer",
        description="Derive the parameter count layer by layer: the textbook formula, the values put in, "
                    "the exact result.",
    )
    p.add_argument("source", help="a .sc file (optionally path#network) or an inline description")
    p.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE",
                   help="give a symbol or let a value (repeatable)")
    p.add_argument("--convention", choices=["pytorch", "keras", "both"], default=None,
                   help="whose counting rules; both = side by side (default: the file's "
                        "'# convention:' line, else pytorch)")
    p.add_argument("--network", help="which network to derive when the source holds several")
    p.add_argument("--bias", choices=["both", "true", "false"], default=None,
                   help="give every layer a bias (true), none (false) or show both side by side "
                        "(default: the file's '# bias:' line, else as written)")
    p.add_argument("--format", choices=["latex", "markdown", "text"], default="latex")
    p.add_argument("--standalone", action="store_true",
                   help="a complete LaTeX document (article, amsmath) that pdflatex compiles")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")
    p.add_argument("--mul", choices=["times", "cdot"], default="times", help="multiplication sign")
    p.add_argument("--kernel-style", choices=["repeat", "power"], default="repeat",
                   help="k x k (repeat) or k^2 (power)")
    p.add_argument("--digit-separator", default="{,}", metavar="TEX",
                   help="LaTeX thousands separator (default: {,} as in 295{,}168)")
    p.add_argument("--title", help="the document's heading (default: the file's '# title:' line or its name)")
    p.add_argument("--shapes", action=argparse.BooleanOptionalAction, default=True,
                   help="show the working of each output size that a layer changes, e.g. "
                        "H_out = floor((H + 2p - k)/s) + 1 (default: on; --no-shapes for parameters only)")
    p.set_defaults(func=cmd_derive)


SETUPS = [setup_derive]
