"""``symcount exam TEMPLATE``: exam sheets, solution sheets and Moodle quizzes (see :mod:`symcount.teaching.exam`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from symcount.cli.main import EXIT_OK, source_arg
from symcount.errors import SymcountError
from symcount.teaching.exam import FORMATS, generate, outputs


def cmd_exam(args: argparse.Namespace) -> int:
    exam = generate(source_arg(args.template), variants=args.variants, seed=args.seed)
    if args.stress:
        sys.stdout.write(exam.stress().text())
        if not args.output:
            return EXIT_OK
    files = outputs(exam, args.format)
    if args.output:
        directory = Path(args.output)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (directory / name).write_text(content, encoding="utf-8")
        except OSError as err:
            raise SymcountError(f"cannot write to {directory}: {err.strerror or err}") from None
        for name in files:
            sys.stdout.write(f"wrote {directory / name}\n")
        return EXIT_OK
    names = list(files)
    for i, name in enumerate(names):
        if len(names) > 1:
            sys.stdout.write(("\n" if i else "") + f"% ===== {name} =====\n")
        sys.stdout.write(files[name])
    return EXIT_OK


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    return value


def setup_exam(sub: Any) -> None:
    p = sub.add_parser("exam", help="draw exam variants from a template, with worked solutions")
    p.add_argument("template", help="a template .sc file (let X = choose(...), let question = \"...\")")
    p.add_argument("--variants", type=_count, default=10, help="how many variants (default 10)")
    p.add_argument("--seed", type=_count, default=0, help="random seed: the same seed gives the same exam")
    p.add_argument("--format", choices=FORMATS, default="latex",
                   help="latex (exam + solution sheets), markdown, or moodle (XML quiz)")
    p.add_argument("--stress", action="store_true",
                   help="report the spread of answers and warn about shared or guessable answers")
    p.add_argument("-o", "--output", metavar="DIR", help="write the files into DIR")
    p.set_defaults(func=cmd_exam)


SETUPS = [setup_exam]
