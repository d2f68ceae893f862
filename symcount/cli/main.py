"""The command line: a thin argparse layer over the Python API.

Every command prints its result on stdout and exits 0; bad input prints
``file:line:col: message`` with the source line and a caret on stderr and
exits 2. No traceback reaches the user.

The verbs come from the table in :mod:`symcount.cli.verbs`; only the module of
the verb being run is imported (the others get a sub-parser with their help
line, enough for ``symcount --help`` and for argparse to name the choices).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection, Sequence

import symcount
from symcount.cli.argtypes import parse_set
from symcount.cli.options import refuse_options_without_effect
from symcount.cli.output import EXIT_BAD_INPUT, EXIT_OK, write_text
from symcount.cli.verbs import VERBS, add_subparser, add_verb
from symcount.errors import SymcountError

#: ``tools/goldens.py`` reads ``--set`` pairs through ``symcount.cli.main.parse_set``.
__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "build_parser", "main", "parse_set", "verb_in"]


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every verb, or one whose verbs outside ``load`` are stubs (a help line, no
    options): their modules are not imported."""
    parser = argparse.ArgumentParser(
        prog="symcount",
        description="Exact, symbolic parameter counts for neural-network layers.",
    )
    parser.add_argument("--version", action="version", version=f"symcount {symcount.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for verb in VERBS.values():
        if load is None or verb.name in load:
            add_verb(sub, verb)
        else:
            add_subparser(sub, verb)
    return parser


def verb_in(argv: Sequence[str]) -> str | None:
    """The verb of a command line: its first word that is not an option (the top-level
    options, ``--version`` and ``--help``, take no value). None when there is none."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    verb = verb_in(words)
    parser = build_parser(load=[verb] if verb else [])
    args = parser.parse_args(words)
    try:
        refuse_options_without_effect(args)
        return int(args.func(args))
    except SymcountError as err:
        write_text(sys.stderr, f"{err}\n")
        return EXIT_BAD_INPUT
    except RecursionError:
        write_text(sys.stderr, "<input>: description nested too deeply\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
