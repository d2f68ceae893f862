"""``symcount describe``: the description a source is read as, to keep and edit.

Python model code and a Hugging Face ``config.json`` become a description (for a config:
the family's block and one network calling it with the config's sizes); a ``.sc`` file or
inline text is printed as symcount reads it. Not a document verb: the output is symcount's
own language, which ``count``, ``derive`` and the other verbs read back unchanged.
"""

from __future__ import annotations

import argparse

from symcount import api
from symcount.cli.argtypes import source_arg
from symcount.cli.options import add_from, add_network, add_output, add_source
from symcount.cli.output import EXIT_OK, write_output


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source(p, help="a .py file of model code (optionally path#Model), a config.json, a .sc file, or inline text")
    add_from(p)
    add_network(p, help="which model of the file (a class or a variable name)")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    text = api.describe(source_arg(args.source, args.origin), network=args.network)
    write_output(text if text.endswith("\n") else text + "\n", args.output, [args.source])
    return EXIT_OK
