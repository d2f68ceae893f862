"""Options that several verbs share, declared once (as httpie's ``cli/definition.py`` does).

A verb module calls these from its ``add_arguments``; the help texts and
defaults live here so that ``--set`` or ``--format`` read the same in every
verb's ``--help``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from symcount.errors import SymcountError

CONVENTIONS = ("pytorch", "keras")
SOURCE_HELP = "a .sc file (optionally path#network), a .py file of model code, or an inline description"
#: What ``--from`` says a pasted SOURCE is.
ORIGINS = ("description", "python")
#: The old spelling of ``--format latex --standalone`` (memory and compute), kept as an alias.
LATEX_STANDALONE = "latex-standalone"


def add_source(parser: argparse.ArgumentParser, name: str = "source", help: str = SOURCE_HELP) -> None:
    parser.add_argument(name, help=help)


def add_from(parser: argparse.ArgumentParser) -> None:
    """``--from python``: the pasted SOURCE is model code (files are told apart by their ending)."""
    parser.add_argument("--from", dest="origin", choices=ORIGINS, default=None,
                        help="what a pasted SOURCE is: python (model code, read without running it) or a "
                             "description (default: python when it has import, class or def lines)")


def add_set(parser: argparse.ArgumentParser, help: str = "give a symbol or let a value (repeatable)") -> None:
    parser.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE", help=help)


def add_convention(parser: argparse.ArgumentParser, choices: Sequence[str] = CONVENTIONS,
                   default: str | None = None,
                   help: str | None = "whose counting rules (default: the file's '# convention:' line, else pytorch)",
                   ) -> None:
    parser.add_argument("--convention", choices=list(choices), default=default, help=help)


def add_network(parser: argparse.ArgumentParser,
                help: str = "which network to count when the source holds several") -> None:
    parser.add_argument("--network", help=help)


def add_common(parser: argparse.ArgumentParser) -> None:
    """SOURCE, ``--set``, ``--convention`` and ``--network``: what every counting verb reads."""
    add_source(parser)
    add_from(parser)
    add_set(parser)
    add_convention(parser)
    add_network(parser)


def add_format(parser: argparse.ArgumentParser, formats: Sequence[str], default: str,
               help: str | None = None) -> None:
    parser.add_argument("--format", choices=list(formats), default=default, help=help)


def add_standalone(parser: argparse.ArgumentParser,
                   help: str = "latex: a complete document that pdflatex compiles") -> None:
    parser.add_argument("--standalone", action="store_true", help=help)


def add_report_format(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """``--format`` and ``--standalone`` of a report verb (memory, compute); ``latex-standalone``
    is the older spelling of ``--format latex --standalone``, kept as an alias."""
    add_format(parser, formats, "text", help=f"{LATEX_STANDALONE} is the same as --format latex --standalone")
    add_standalone(parser)


def add_output(parser: argparse.ArgumentParser, help: str = "write to a file instead of stdout",
               metavar: str | None = None) -> None:
    parser.add_argument("-o", "--output", metavar=metavar, help=help)


def format_of(parser: argparse.ArgumentParser) -> tuple[str, ...]:
    """The ``--format`` choices a parser offers (empty when it has no ``--format``): what the
    verb table's promise is checked against."""
    for action in parser._actions:
        if "--format" in action.option_strings:
            return tuple(str(c) for c in action.choices or ())
    return ()


def has_option(parser: argparse.ArgumentParser, option: str) -> bool:
    return any(option in action.option_strings for action in parser._actions)


def refuse_options_without_effect(args: argparse.Namespace) -> None:
    """Options every verb shares that would take no effect in this combination, refused before the
    verb runs (main and the notes' blocks both call it): ``--standalone`` makes a LaTeX document, so
    it needs ``--format latex`` (exam's sheets are always whole documents, as its help says); an
    empty ``--network`` names none, where it read as the default."""
    fmt = getattr(args, "format", None)
    if getattr(args, "standalone", False) and args.command != "exam" and fmt not in ("latex", LATEX_STANDALONE):
        raise SymcountError("--standalone makes a LaTeX document; use it with --format latex")
    for option in ("network", "a_network", "b_network"):
        name = getattr(args, option, None)
        if name is not None and not name.strip():
            raise SymcountError(f"--{option.replace('_', '-')} needs a network's name",
                                hint="leave it out to count the source's only (or last) network")
