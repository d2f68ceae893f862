"""The files one LMS format writes: the quiz, and the key that ``symcount check --answers`` reads."""

from __future__ import annotations

from symcount.errors import SymcountError
from symcount.teaching.exam import Exam, answers_template, key_json
from symcount.teaching.lms import build_quiz
from symcount.teaching.lms.gift import gift
from symcount.teaching.lms.moodle import moodle_xml
from symcount.teaching.lms.qti import qti_package

LMS_FORMATS = ("moodle", "gift", "qti")
#: the question types each format can hold
TYPES_OF = {"moodle": ("numerical", "multichoice", "cloze"), "gift": ("numerical", "multichoice"),
            "qti": ("numerical", "multichoice")}


def lms_files(exam: Exam, fmt: str, kind: str | None = None, slip_credit: int | None = None) -> dict[str, str | bytes]:
    """File name -> content (text, or bytes for a package) for ``moodle``, ``gift``, ``qti``."""
    kind = kind or "numerical"
    if kind not in TYPES_OF[fmt]:
        raise SymcountError(f"--format {fmt} has no {kind} questions (it has {', '.join(TYPES_OF[fmt])})")
    quiz = build_quiz(exam, kind, slip_credit or 0)
    name = exam.template.name
    files: dict[str, str | bytes] = {}
    if fmt == "moodle":
        files[f"{name}-moodle.xml"] = moodle_xml(quiz)
    elif fmt == "gift":
        files[f"{name}.gift"] = gift(quiz)
    else:
        files[f"{name}-qti.zip"] = qti_package(quiz)
    files[f"{name}-key.json"] = key_json(exam)
    if exam.roster:
        files[f"{name}-answers.csv"] = answers_template(exam)
    return files
