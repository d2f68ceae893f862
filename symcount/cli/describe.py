"""``symcount describe``: the description a source is read as (Python model code becomes one).

Not a document verb: the output is symcount's own language, which ``count``, ``derive`` and the
other verbs read back unchanged.
"""

from __future__ import annotations

import argparse

from symcount import api
from symcount.cli.argtypes import source_arg
from symcount.cli.options import add_from, add_network, add_output, add_source
from symcount.cli.output import EXIT_OK, write_output


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source(p, help="a .py file of model code (optionally path#Model), a .sc file, or inline text")
    add_from(p)
    add_network(p, help="which model of the file (a class or a variable name)")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    write_output(api.describe(source_arg(args.source, args.origin), network=args.network), args.output)
    return EXIT_OK
