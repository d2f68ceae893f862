"""``symcount exam TEMPLATE``: exam sheets, solution sheets, Moodle quizzes, or the variants as JSON.

See :mod:`symcount.teaching.exam`. The LaTeX it writes is always complete
documents (an exam sheet and a solution sheet), so ``--standalone`` is accepted
for the one spelling every verb shares and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from symcount.cli.argtypes import source_arg, whole_number
from symcount.cli.options import add_format, add_from, add_output, add_standalone
from symcount.cli.output import EXIT_OK, exact, json_document, refuse_overwrite, write_text
from symcount.cli.verbs import VERBS
from symcount.errors import SymcountError
from symcount.render.escape import latex_comment
from symcount.teaching.exam import DEFAULT_VARIANTS, Exam, assign_roster, generate, outputs, read_roster
from symcount.teaching.lms import MOODLE_GRADES, QUESTION_TYPES
from symcount.teaching.lms.files import LMS_FORMATS, lms_files

#: ``symcount/exam`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("template", help="a template .sc file (let X = choose(...), let question = \"...\")")
    add_from(p)
    p.add_argument("--variants", type=whole_number, default=None,
                   help=f"how many variants (default {DEFAULT_VARIANTS}, or as many fair ones as the template has)")
    p.add_argument("--seed", type=whole_number, default=0, help="random seed: the same seed gives the same exam")
    add_format(p, VERBS["exam"].formats, "latex",
               help="latex (exam + solution sheets), markdown, moodle (XML quiz), gift (Moodle's text quiz), "
                    "qti (Canvas .zip, with -o), text, or json (the variants)")
    p.add_argument("--question-type", choices=QUESTION_TYPES, default=None,
                   help="moodle, gift, qti: numerical (default; each slip's value answered with its feedback), "
                        "multichoice (the wrong choices are the slips' values) or cloze (moodle: each layer's "
                        "output size, then its parameters)")
    p.add_argument("--slip-credit", type=whole_number, default=None, metavar="PERCENT",
                   help="moodle, gift, qti: the credit for a slip's value (default 0; one of Moodle's grades: "
                        + ", ".join(str(g) for g in MOODLE_GRADES) + ")")
    add_standalone(p, help="latex: accepted everywhere; the exam and solution sheets are always complete documents")
    p.add_argument("--roster", metavar="CSV",
                   help="one student's name per row: a sheet per student, each drawn a variant reproducibly, "
                        "and an answers CSV to fill in")
    p.add_argument("--allow-shared-answers", action="store_true",
                   help="let two variants have the same answer (by default each variant's answer is its own)")
    p.add_argument("--stress", action="store_true",
                   help="report the spread of answers and warn about shared or guessable answers")
    add_output(p, metavar="DIR", help="write the files into DIR")


def files_of(exam: Exam, fmt: str, question_type: str | None = None,
             slip_credit: int | None = None) -> dict[str, str | bytes]:
    """File name -> content: the exam module's formats, the LMS quizzes, plus text and JSON."""
    name = exam.template.name
    if fmt in LMS_FORMATS:
        return lms_files(exam, fmt, question_type, slip_credit)
    if question_type is not None or slip_credit is not None:
        option = "--question-type" if question_type is not None else "--slip-credit"
        raise SymcountError(f"{option} applies to the quiz formats ({', '.join(LMS_FORMATS)}), not to {fmt}")
    if fmt == "text":
        return {f"{name}.txt": exam.text()}
    if fmt == "json":
        return {f"{name}.json": json_document("exam", SCHEMA_VERSION, exam_dict(exam))}
    return dict(outputs(exam, fmt))


def exam_dict(exam: Exam) -> dict[str, Any]:
    """The exam's data: the template's setting and each variant's values, question and answer."""
    template = exam.template
    return {
        "title": template.title,
        "template": template.name,
        "seed": exam.seed,
        "ask": template.ask,
        "convention": template.convention,
        "network": template.network,
        "variants": [
            {"number": v.number, "id": v.id, "question": v.question, "values": exact(v.values),
             "answer": exact(v.answer)}
            for v in exam.variants
        ],
    }


def run(args: argparse.Namespace) -> int:
    exam = generate(source_arg(args.template, args.origin), variants=args.variants, seed=args.seed,
                    shared_answers=args.allow_shared_answers)
    if args.roster:
        assign_roster(exam, read_roster(Path(args.roster)))
    if exam.shortfall:
        write_text(sys.stderr, f"{exam.template.filename}: note: {exam.shortfall}: wrote "
                               f"{len(exam.variants)}\n")
    if args.stress:
        write_text(sys.stdout, exam.stress().text())
        if not args.output:
            return EXIT_OK
    files = files_of(exam, args.format, args.question_type, args.slip_credit)
    if args.output:
        directory = Path(args.output)
        if directory.exists() and not directory.is_dir():
            raise SymcountError("is not a directory: exam -o names the folder its files go into",
                                filename=str(directory), hint="give a folder name (it is made if missing)")
        for name in files:
            refuse_overwrite(directory / name, [args.template, args.roster])
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                if isinstance(content, bytes):
                    (directory / name).write_bytes(content)
                else:
                    (directory / name).write_text(content, encoding="utf-8")
        except OSError as err:
            raise SymcountError(f"cannot write to {directory}: {err.strerror or err}") from None
        for name in files:
            write_text(sys.stdout, f"wrote {directory / name}\n")
        return EXIT_OK
    names = list(files)
    packages = [name for name in names if isinstance(files[name], bytes)]
    if packages:
        raise SymcountError(f"{packages[0]} is a package (a .zip): write it with -o DIR")
    for i, name in enumerate(names):
        if len(names) > 1:
            write_text(sys.stdout, ("\n" if i else "") + f"% ===== {latex_comment(name)} =====\n")
        content = files[name]
        assert isinstance(content, str)
        write_text(sys.stdout, content)
    return EXIT_OK
