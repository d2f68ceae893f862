"""``symcount solve SOURCE --unknown p=0..10 --require "output_size == 32"``: inverse questions
(:mod:`symcount.teaching.solve`).

Exit status: 0 with solutions, 1 with none, 2 bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from symcount.cli.argtypes import parse_set, source_arg
from symcount.cli.options import add_common, add_format, add_output, add_standalone
from symcount.cli.output import EXIT_OK, EXIT_WRONG, exact, json_document, render_as, write_output
from symcount.cli.verbs import VERBS
from symcount.errors import SymcountError
from symcount.teaching.solve import MAX_COMBINATIONS, Solve, parse_unknown, solve

#: ``symcount/solve`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)
    p.add_argument("--unknown", dest="unknowns", action="append", metavar="NAME=LOW..HIGH",
                   help="a name to solve for and every integer it may take, e.g. p=0..10 (repeatable; "
                        f"at most {MAX_COMBINATIONS:,} combinations)")
    p.add_argument("--require", dest="requirements", action="append", metavar="CONDITION",
                   help="what must hold, e.g. 'output_size == 32', 'conv1.output_size[0] == 112', "
                        "'params <= 100000', 'receptive_field >= 7' (repeatable: all must hold)")
    add_format(p, VERBS["solve"].formats, "text")
    add_standalone(p, help="latex: a complete document")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    if not args.unknowns:
        raise SymcountError("solve needs an unknown: --unknown NAME=LOW..HIGH", hint="e.g. --unknown p=0..10")
    if not args.requirements:
        raise SymcountError("solve needs a requirement: --require CONDITION", hint="e.g. --require 'output_size == 32'")
    requirement = " and ".join(f"({r.strip()})" if len(args.requirements) > 1 else r.strip()
                               for r in args.requirements)
    result = solve(source_arg(args.source, args.origin), [parse_unknown(u) for u in args.unknowns], requirement,
                   values=parse_set(args.values), convention=args.convention, network=args.network)
    if args.format == "json":
        write_output(json_document("solve", SCHEMA_VERSION, solve_dict(result)), args.output)
    else:
        write_output(render_as(result, args.format, args.standalone), args.output)
    return EXIT_OK if result.solutions else EXIT_WRONG


def solve_dict(result: Solve) -> dict[str, Any]:
    """The question and every solution, with the quantities it gives when substituted back."""
    return {
        "network": result.network,
        "require": result.requirement,
        "unknowns": [{"name": u.name, "from": u.low, "to": u.high} for u in result.unknowns],
        "combinations": result.tried,
        "invalid": result.invalid,
        "solutions": [dict(s.values) for s in result.solutions],
        "substituted": [exact(s.quantities) for s in result.solutions],
        "symbolic": exact(result.symbolic),
        "notes": result.notes,
    }
