"""``symcount render``: the ```` ```symcount VERB ```` blocks of a Markdown file, run.

``symcount render notes.md`` keeps each block and writes its output after it, between
``<!-- symcount:begin -->`` and ``<!-- symcount:end -->`` (in place: the notes stay their own
source); ``-o out.md`` writes a copy with the blocks replaced by their output (for Quarto,
Jupyter Book, pandoc or any Markdown tool; ``-o -`` prints it); ``--check`` writes nothing and
exits 1 when the file it would write differs, so a course repository's CI catches numbers that
went stale. How blocks are read: :mod:`symcount.cli.blocks`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symcount.cli.blocks import render_document, update_document
from symcount.cli.output import EXIT_OK, write_output, write_text
from symcount.counting import read_user_file
from symcount.errors import SymcountError

#: ``--check`` found a file that is not what rendering would write.
EXIT_STALE = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("notes", metavar="NOTES.md", help="a Markdown file with ```symcount VERB ...``` blocks")
    p.add_argument("-o", "--output", metavar="OUT.md",
                   help="write a copy with each block replaced by its output ('-' prints it); "
                        "default: keep the blocks and update the output after each, in place")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the file that would be written is stale or missing")


def run(args: argparse.Namespace) -> int:
    source = read(args.notes)
    assert source is not None  # read raises for a missing NOTES.md
    if args.output:
        rendered, target = render_document(source, args.notes), args.output
    else:
        rendered, target = update_document(source, args.notes), args.notes
    if args.check:
        if target == "-":
            raise SymcountError("--check compares a file: give -o OUT.md, or none to check NOTES.md in place")
        current = read(target, missing_ok=True)
        if current != rendered:
            again = f"symcount render {args.notes}" + (f" -o {args.output}" if args.output else "")
            state = "missing" if current is None else "stale"
            write_text(sys.stderr, f"{target}: {state}; run: {again}\n")
            return EXIT_STALE
        return EXIT_OK
    write_output(rendered, None if target == "-" else target, [] if target == args.notes else [args.notes])
    return EXIT_OK


def read(path: str, missing_ok: bool = False) -> str | None:
    """The notes (or the file ``--check`` compares), read as every user file is: a regular file of at
    most 1 MiB (a FIFO or /dev/zero would hang), UTF-8; None for a missing one if ``missing_ok``."""
    if missing_ok and not Path(path).exists():
        return None
    return read_user_file(Path(path), "notes")
