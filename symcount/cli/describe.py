"""``symcount describe``: a source as symcount text, to keep and edit (not a document verb: one format).

For a Hugging Face ``config.json`` this is the description it becomes (the family's
block from the zoo and one network calling it with the config's sizes); a ``.sc`` file
or inline text is printed as symcount reads it.
"""

from __future__ import annotations

import argparse

from symcount import api
from symcount.cli.argtypes import source_arg
from symcount.cli.options import add_output, add_source
from symcount.cli.output import EXIT_OK, write_output


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source(p, help="a config.json, a .sc file or an inline description")
    add_output(p)


def run(args: argparse.Namespace) -> int:
    text, _, _ = api.read_source(source_arg(args.source))
    write_output(text if text.endswith("\n") else text + "\n", args.output)
    return EXIT_OK
