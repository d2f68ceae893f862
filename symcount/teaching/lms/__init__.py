"""Quizzes for learning management systems: Moodle XML, GIFT and Canvas QTI from one question model.

:func:`build_quiz` turns drawn exam variants into format-neutral questions. Each
answer box (a :class:`Blank`) holds the correct value and, as further answers,
the value each applicable slip gives (:mod:`symcount.teaching.fairness`), with
the slip's advice as feedback: the wrong answers a student actually gives, never
random numbers. The writers (:mod:`.moodle`, :mod:`.gift`, :mod:`.qti`) only
lay the model out in their syntax with their escaper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import sympy

from symcount.errors import SymcountError, did_you_mean
from symcount.render.escape import html_text
from symcount.render.latex import latex_name
from symcount.render.style import Style
from symcount.render.unicode import unicode_value
from symcount.teaching.exam import Exam
from symcount.teaching.exam_quantities import QUANTITY_ASKS
from symcount.teaching.exam_solutions import _ordered
from symcount.teaching.exam_templates import Variant
from symcount.teaching.fairness import SlipValue, slip_table
from symcount.teaching.slips import SLIPS

QUESTION_TYPES = ("numerical", "multichoice", "cloze")
#: The grades Moodle offers for an answer (percent); an imported fraction off this list is refused.
MOODLE_GRADES = (0, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90)
#: A multiple-choice question needs this many wrong choices, each a slip's value.
MIN_DISTRACTORS = 2
CORRECT_FEEDBACK = "Correct."
OTHER_FEEDBACK = "Not what symcount counts, nor a classic slip: compare your working with the solution."
_ADVICE = {slip.id: slip.advice for slip in SLIPS}


@dataclass(frozen=True)
class Choice:
    """One answer in a box: its value, its credit (percent) and its feedback (plain text)."""

    value: int
    credit: int
    feedback: str
    slip: str | None = None


@dataclass(frozen=True)
class Blank:
    """One answer box: what it asks (plain text; empty for a one-box question), its correct value
    and every answer it recognises (the correct one first, then the slips')."""

    label: str
    answer: int
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Question:
    """One variant as a quiz question, format-neutral."""

    name: str
    variant: str
    kind: str
    text: str
    blanks: tuple[Blank, ...]
    #: the worked solution: (label, LaTeX math) rows, set as ``\\( ... \\)`` by the writers
    solution: tuple[tuple[str, str], ...]
    answer_text: str
    catch_all: str = OTHER_FEEDBACK


@dataclass(frozen=True)
class Quiz:
    """The questions of one template: one question group, a variant drawn per student."""

    title: str
    name: str
    code: str
    kind: str
    questions: tuple[Question, ...]


def slip_feedback(slip: SlipValue) -> str:
    """What a student who gave this slip's value is told: the slip, where, and the advice."""
    where = f" (in {slip.layer})" if slip.layer else " (in every layer where it applies)"
    title = "The" + slip.title[3:] if slip.title.startswith("the ") else slip.title
    return f"{title}{where}: {_ADVICE.get(slip.slip, '')}."


def _choices(answer: int, slips: Sequence[tuple[SlipValue, int]], credit: int) -> tuple[Choice, ...]:
    """The correct answer, then each slip's value once (a value equal to the answer or to an earlier
    slip's is left out: it would mark a slip right or name two slips)."""
    out = [Choice(answer, 100, CORRECT_FEEDBACK)]
    for slip, value in slips:
        if all(c.value != value for c in out):
            out.append(Choice(value, credit, slip_feedback(slip), slip.slip))
    return tuple(out)


def _check_credit(credit: int) -> None:
    if credit not in MOODLE_GRADES:
        raise SymcountError(f"--slip-credit {credit} is not a grade Moodle offers",
                            hint="one of " + ", ".join(str(g) for g in MOODLE_GRADES) + " (percent)")


def build_quiz(exam: Exam, kind: str = "numerical", slip_credit: int = 0) -> Quiz:
    """The exam's variants as quiz questions of one kind (see :data:`QUESTION_TYPES`)."""
    if kind not in QUESTION_TYPES:
        raise SymcountError(f"unknown question type '{kind}' (valid: {', '.join(QUESTION_TYPES)})",
                            hint=did_you_mean(kind, QUESTION_TYPES))
    _check_credit(slip_credit)
    if kind == "cloze" and exam.template.ask in QUANTITY_ASKS:
        raise SymcountError(f"a Cloze question walks the network's output sizes and parameters, layer by layer; "
                            f"ask = \"{exam.template.ask}\" asks one number",
                            filename=exam.template.filename, source=exam.template.text,
                            hint="use --question-type numerical (or multichoice)")
    style = Style("latex")
    questions = []
    for v in exam.variants:
        if kind == "cloze":
            try:
                blanks = _cloze_blanks(exam, v, slip_credit)
            except SymcountError as err:
                raise err.located(exam.template.filename, exam.template.text) from None
        else:
            blanks = (Blank("", int(v.answer), _choices(int(v.answer), [(s, int(s.value)) for s in v.slips],
                                                         slip_credit)),)
        questions.append(Question(f"{exam.template.title} ({v.id})", v.id, kind, v.question, blanks,
                                  tuple(exam.solution_lines(v, style)), unicode_value(v.answer)))
    try:
        if kind == "multichoice":
            _check_distractors(questions)
    except SymcountError as err:
        raise err.located(exam.template.filename, exam.template.text) from None
    t = exam.template
    return Quiz(t.title, t.name, t.code, kind, tuple(questions))


def _check_distractors(questions: Sequence[Question]) -> None:
    """Every multiple-choice question needs :data:`MIN_DISTRACTORS` slip values: symcount never
    makes up a wrong choice."""
    short = [(q.variant, len(q.blanks[0].choices) - 1) for q in questions
             if len(q.blanks[0].choices) - 1 < MIN_DISTRACTORS]
    if short:
        which = ", ".join(f"{vid} ({n} slip{'s' if n != 1 else ''})" for vid, n in short[:5])
        raise SymcountError(
            f"a multiple-choice question needs {MIN_DISTRACTORS} wrong choices, each a slip's value, and "
            f"{len(short)} variant{'s' if len(short) != 1 else ''} {'have' if len(short) != 1 else 'has'} "
            f"fewer: {which}",
            hint="use --question-type numerical (the slips become feedback), or a template whose layers "
                 "have more classic slips")


_DIMENSIONS = {"channels_last": ("height", "width", "channels"), "channels_first": ("channels", "height", "width")}


def _cloze_blanks(exam: Exam, v: Variant, credit: int) -> tuple[Blank, ...]:
    """Per layer, its output size (one box per dimension) then its parameters; then the total when
    more than one layer has parameters. The parameter boxes carry the slips of that layer."""
    result = v.count
    if not any(layer.shape is not None for layer in result.layers):
        raise SymcountError("a Cloze question asks each layer's output size, so the template needs an "
                            "input(...) for shapes to flow through",
                            hint="add input(H=..., W=..., C=...) or use --question-type numerical")
    slips = slip_table(result, "params").values
    total = int(sympy.expand(result.total))
    blanks: list[Blank] = []
    with_params = [layer for layer in result.layers if layer.total != 0]
    for layer in result.layers:
        if layer.shape is not None:
            dims = _ordered(layer.shape, exam.template, result.convention)
            names = _dimension_names(exam, layer.shape.sequence, len(dims), result.convention)
            for name, size in zip(names, dims, strict=True):
                blanks.append(Blank(f"{layer.name}: output {name}", int(size), _choices(int(size), [], credit)))
        own = int(layer.total)
        mine = [(s, int(s.value) - total + own) for s in slips if s.layer == layer.name]
        blanks.append(Blank(f"{layer.name}: parameters", own, _choices(own, mine, credit)))
    if len(with_params) > 1:
        blanks.append(Blank("total parameters", total, _choices(total, [(s, int(s.value)) for s in slips], credit)))
    return tuple(blanks)


def _dimension_names(exam: Exam, sequence: bool, rank: int, convention: str) -> tuple[str, ...]:
    if rank == 3 and not sequence:
        layout = exam.template.layout or ("channels_first" if convention == "pytorch" else "channels_last")
        return _DIMENSIONS[layout]
    return tuple(f"size {i + 1}" for i in range(rank)) if rank > 1 else ("size",)


# ------------------------------------------------------------------------------------- math in text

#: ``k^d``, ``C_in``, ``C_in/g``: the names in a slip's words, set as math
_MATH_WORD = re.compile(r"k\^d|\b[A-Za-z]+_[A-Za-z]+\b")


def html_with_math(text: str, math: str = "mathjax") -> str:
    """Plain words as HTML, the formula names in them (``k^d``, ``C_in``) as math (:func:`inline_math`)."""
    out, last = [], 0
    for match in _MATH_WORD.finditer(text):
        out.append(html_text(text[last:match.start()]))
        word = match.group(0)
        out.append(inline_math("k^{d}" if word == "k^d" else latex_name(word), math))
        last = match.end()
    out.append(html_text(text[last:]))
    return "".join(out)


def solution_html(question: Question, math: str = "mathjax") -> str:
    """The worked solution as HTML: the answer, then one paragraph per row with its math."""
    rows = "".join(f"<p>{html_text(label)}: {inline_math(latex, math)}</p>" for label, latex in question.solution)
    return f"<p>Answer: {html_text(question.answer_text)}</p>{rows}"


def inline_math(latex: str, math: str = "mathjax") -> str:
    r"""LaTeX math for an LMS: ``\( ... \)`` for MathJax (Moodle, and Canvas with its MathJax
    rendering), or Canvas's equation image (``math="canvas"``) as its rich-content editor writes it."""
    if math == "canvas":
        attr = html_text(latex).replace('"', "&quot;")
        return (f'<img class="equation_image" title="{attr}" src="/equation_images/{quote(latex, safe="")}?scale=1" '
                f'alt="LaTeX: {attr}" data-equation-content="{attr}" data-ignore-a11y-check="" />')
    return rf"\({html_text(latex)}\)"
