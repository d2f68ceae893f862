"""``symcount layers``: the layer catalog as a markdown reference (not a document verb: one format)."""

from __future__ import annotations

import argparse

from symcount.cli.output import EXIT_OK, write_output
from symcount.teaching.layers import layer_reference


def add_arguments(p: argparse.ArgumentParser) -> None:
    """No options: the reference is always the whole catalog in markdown."""


def run(args: argparse.Namespace) -> int:
    write_output(layer_reference(), None)
    return EXIT_OK
