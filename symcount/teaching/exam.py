"""Exam generation: many variants of one question, each with its worked solution.

A template is a ``.sc`` description whose sizes are drawn:
``let C_in = choose(64, 128, 256)``. String lets say what to ask:
``let question = "... {C_in} ..."`` (``{name}`` is replaced by the drawn or
computed value), ``let ask = "params"`` (or ``trainable``,
``non_trainable``, ``output_height``, ``output_width``, ``output_channels``,
``output_length``, ``output_size``; ``activations``, ``receptive_field`` and the inverse
``padding`` and ``stride``: :mod:`symcount.teaching.exam_quantities`), and optionally ``let title = "..."`` and
``let convention = "keras"``. ``require EXPR`` statements filter the draws,
and a draw whose sizes do not fit a layer is rejected (symcount counts it and
says no) before any question is written.

``choose`` is a function of a preprocessing pass only: top-level lets are
evaluated in order with :class:`symcount.language.values.Env`'s ``functions=`` hook
bound to a seeded ``random.Random``, and the drawn values are handed to
:func:`symcount.count` as ``values`` (which override the lets). The same seed
gives the same draws, and every output is a pure function of the draws, so
the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symcount.counting import (
    Source,
    count,
    read_user_file,
)
from symcount.engine.count import Count
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.symbols import is_number
from symcount.language.values import Value, describe
from symcount.render.blocks import labelled_lines
from symcount.render.derivation_latex import wrap_standalone
from symcount.render.escape import csv_cell, html_text, latex_text, markdown_text, xml_safe
from symcount.render.formats import Format
from symcount.render.latex import latex_name, latex_value
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.render.unicode import unicode_value
from symcount.teaching.check import answer_names
from symcount.teaching.exam_choices import ChoiceSpace, Scripted, choice_space, valid_combinations
from symcount.teaching.exam_quantities import QUANTITY_ASKS, ask_quantity, network_values, output_lets, quantity_solution
from symcount.teaching.exam_solutions import output_solution, output_value, params_solution
from symcount.teaching.exam_templates import _PLACEHOLDER, _TEXT_LETS, Template, Variant, draw, load_template, variant_id
from symcount.teaching.fairness import slip_table

FORMATS = ("latex", "markdown", "moodle")
#: Draws tried per requested variant before giving up.
ATTEMPTS_PER_VARIANT = 200
#: Give up after this many draws in a row that add no variant (duplicates or rejected), or ten
#: times the variants found so far if more: the choices are exhausted or the requires impossible.
STALL_DRAWS = 4_000
MAX_VARIANTS = 1000
#: Draws in a row without a new variant after which drawing goes through the remaining valid
#: combinations of the choices in a random order (when they are known), instead of hoping to hit them.
STALL_BEFORE_LISTING = 200
#: How many variants ``exam`` draws when it is not told: fewer when the template has fewer fair ones.
DEFAULT_VARIANTS = 10


@dataclass(repr=False)
class Exam(Printable):
    """Variants of one template; ``.latex()``, ``.solutions_latex()``, ``.markdown()``, ``.moodle()``."""

    template: Template
    seed: int
    variants: list[Variant] = field(default_factory=list)
    #: why fewer than the default number of variants were drawn (None: as many as asked)
    shortfall: str | None = None
    #: (student, variant) pairs when the sheets are drawn for a roster (:func:`assign_roster`)
    roster: list[tuple[str, Variant]] = field(default_factory=list)

    # -- the answer and its working ------------------------------------------------------
    def solution_lines(self, variant: Variant, style: Style) -> list[tuple[str, str]]:
        """(label, math) rows of the worked solution."""
        if self.template.ask in QUANTITY_ASKS:
            return quantity_solution(self.template, variant, style)
        if self.template.ask.startswith("output"):
            return output_solution(self.template, variant, style)
        return params_solution(self.template, variant, style)

    # -- renderings ----------------------------------------------------------------------------
    def _render(self, fmt: Format) -> str:
        """The exam in one format: a text listing, the markdown sheet with solutions, or the LaTeX
        exam sheet (the questions only; :meth:`solutions_latex` is the other sheet)."""
        writers = {"text": self._text, "markdown": self._markdown, "latex": self._questions_latex}
        return writers[fmt.name]()

    def _title(self) -> str | None:
        return f"{self.template.title}: Questions"

    def _summary(self) -> str:
        return f"{self.template.name!r}, seed={self.seed}, variants={len(self.variants)}"

    def latex(self, standalone: bool = True) -> str:
        """The sheets to hand out (a complete document unless ``standalone=False``): one page per
        variant, or per student of the roster, with its variant ID, a name box, the question, room
        for the working and an answer box. No seed: that is on the teacher's copies only."""
        if not standalone:
            return super().latex(False)
        pages: list[tuple[str | None, Variant]] = [*self.roster] or [(None, v) for v in self.variants]
        body = r"\pagestyle{empty}" + "\n" + "\n\\newpage\n".join(self._student_page(n, v) for n, v in pages)
        return wrap_standalone(None, body)

    def _student_page(self, student: str | None, variant: Variant) -> str:
        name = latex_text(student) if student else ""
        return "\n".join([
            rf"{{\large\bfseries {latex_text(self.template.title)}}}\hfill Variant \texttt{{{variant.id}}}\par",
            r"\medskip",
            _box(rf"\textbf{{Name:}} {name}", "1.2cm"),
            r"\bigskip",
            latex_text(variant.question) + r"\par",
            r"\bigskip",
            _box(r"\textbf{Working:}", "12cm"),
            r"\medskip",
            _box(r"\textbf{Answer:}", "1.6cm"),
            "",
        ])

    def _questions_latex(self) -> str:
        items = [rf"\item \texttt{{{v.id}}}: {latex_text(v.question)}" for v in self.variants]
        return r"\begin{enumerate}" + "\n" + "\n".join(items) + "\n" + r"\end{enumerate}" + "\n"

    def _students_of(self, variant: Variant) -> list[str]:
        return [name for name, v in self.roster if v is variant]

    def solutions_latex(self) -> str:
        """The teacher's solution sheet, keyed by variant ID: each question again, its answer, the
        working and what each slip would give; the seed in the footer."""
        style = Style("latex")
        parts = []
        for v in self.variants:
            students = self._students_of(v)
            who = ("Students: " + ", ".join(latex_text(n) for n in students) + ".\n\n") if students else ""
            slips = ""
            if v.slips:
                slips = "\n\nThe slips give: " + "; ".join(
                    f"{_slip_title_latex(s.title)} ${latex_value(s.value)}$" for s in v.slips) + "."
            parts.append(
                rf"\subsection*{{Variant \texttt{{{v.id}}}}}" + "\n" + who
                + latex_text(v.question) + "\n\n"
                + rf"\textbf{{Answer:}} ${latex_value(v.answer)}$" + "\n"
                + labelled_lines(self.solution_lines(v, style), style) + slips + "\n"
            )
        return _teacher_document(self, "Solutions", "\n".join(parts))

    def review_latex(self) -> str:
        """The one-page review sheet: every variant's values, answer and each applicable slip's value."""
        header = r"Variant & Values & Answer & What each slip gives \\"
        chunks = [self.variants[i:i + _REVIEW_ROWS] for i in range(0, len(self.variants), _REVIEW_ROWS)]
        tables = []
        for chunk in chunks:
            rows = []
            for v in chunk:
                values = ", ".join(f"${latex_name(k)} = {latex_value(x)}$" for k, x in v.values.items()
                                   if isinstance(x, sympy.Basic))
                slips = "; ".join(f"{_slip_title_latex(s.title)} ${latex_value(s.value)}$" for s in v.slips) \
                    or "none apply"
                rows.append(rf"\texttt{{{v.id}}} & {values} & ${latex_value(v.answer)}$ & {slips} \\")
            tables.append("\n".join([
                r"{\footnotesize",
                r"\begin{tabularx}{\linewidth}{@{}l>{\raggedright\arraybackslash}p{3.4cm}r"
                r">{\raggedright\arraybackslash}X@{}}",
                r"\toprule", header, r"\midrule", *rows, r"\bottomrule", r"\end{tabularx}}", ""]))
        note = (rf"{len(self.variants)} variants; {_question_kind(self.template)}"
                + ("" if self.template.shared_answers else "; each answer is its own")
                + ", and no slip gives the answer or another slip's value.\n\n")
        return _teacher_document(self, "Review", note + "\n".join(tables), r"\usepackage{tabularx}")

    def _markdown(self) -> str:
        style = Style("markdown")
        out = [f"# {markdown_text(self.template.title)}", "", f"Seed {self.seed}; {len(self.variants)} variants.", "",
               "## Questions", ""]
        out += [f"{v.number}. `{v.id}`: {markdown_text(v.question)}" for v in self.variants]
        out += ["", "## Solutions", ""]
        for v in self.variants:
            out.append(f"### Question {v.number} (`{v.id}`)")
            out.append("")
            out.append(f"**Answer:** {unicode_value(v.answer)}")
            out.append("")
            out += [labelled_lines(self.solution_lines(v, style), style), ""]
        return "\n".join(out)

    def _text(self) -> str:
        style = Style("text")
        out = [self.template.title, ""]
        for v in self.variants:
            out.append(f"{v.number}. [{v.id}] {v.question}")
            out.append(f"   answer: {unicode_value(v.answer)}")
            out += [f"   {label}: {math}" for label, math in self.solution_lines(v, style)]
        return "\n".join(out) + "\n"

    def moodle(self) -> str:
        """Moodle XML: one numerical question per variant, the working as general feedback."""
        quiz = ET.Element("quiz")
        category = ET.SubElement(quiz, "question", type="category")
        ET.SubElement(ET.SubElement(category, "category"), "text").text = \
            f"$course$/symcount/{self.template.name}"
        style = Style("latex")
        for v in self.variants:
            q = ET.SubElement(quiz, "question", type="numerical")
            ET.SubElement(ET.SubElement(q, "name"), "text").text = f"{self.template.title} {v.number}"
            qt = ET.SubElement(q, "questiontext", format="html")
            ET.SubElement(qt, "text").text = f"<p>{html_text(v.question)}</p>"
            rows = self.solution_lines(v, style)
            working = "".join(rf"<p>{html_text(label)}: \({math}\)</p>" for label, math in rows)
            fb = ET.SubElement(q, "generalfeedback", format="html")
            ET.SubElement(fb, "text").text = f"<p>Answer: {html_text(unicode_value(v.answer))}</p>{working}"
            ET.SubElement(q, "defaultgrade").text = "1"
            ET.SubElement(q, "penalty").text = "0.3333333"
            ET.SubElement(q, "hidden").text = "0"
            answer = ET.SubElement(q, "answer", fraction="100", format="moodle_auto_format")
            ET.SubElement(answer, "text").text = str(int(v.answer))
            ET.SubElement(answer, "tolerance").text = "0"
            ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = "<p>Correct.</p>"
            ET.SubElement(q, "unitgradingtype").text = "0"
            ET.SubElement(q, "unitpenalty").text = "0"
            ET.SubElement(q, "showunits").text = "3"
            ET.SubElement(q, "unitsleft").text = "0"
        ET.indent(quiz)
        # ElementTree escapes markup but writes control characters as they are: XML 1.0 forbids them
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_safe(ET.tostring(quiz, encoding="unicode")) + "\n"

    def stress(self) -> StressReport:
        return stress_report(self)


#: Review rows per table (a table does not break across pages).
_REVIEW_ROWS = 30


def _box(label: str, height: str) -> str:
    """A framed box the full width of the text (its frame included), ``label`` at its top."""
    return (r"\noindent\fbox{\parbox[t][" + height + r"][t]{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}"
            + "{" + label + "}}\\par")


def _slip_title_latex(title: str) -> str:
    """A slip's name in LaTeX text (``k^d`` as math), without the leading article."""
    title = title.removeprefix("the ")
    parts = re.split(r"(k\^d|\b[A-Za-z]+_[A-Za-z]+\b)", title)
    return "".join((f"${latex_name(part)}$" if "_" in part else "$k^d$") if i % 2 else latex_text(part)
                   for i, part in enumerate(parts)) + ":"


def _question_kind(template: Template) -> str:
    return f"ask: {latex_text(template.ask.replace('_', ' '))}, {template.convention} convention"


def _teacher_document(exam: Exam, part: str, body: str, packages: str = "") -> str:
    """A teacher's copy: the seed and template in its footer, never on a student's sheet."""
    footer = (r"\makeatletter" + "\n"
              + r"\def\@oddfoot{\footnotesize Teacher's copy: " + latex_text(exam.template.name)
              + rf", seed {exam.seed}\hfil\thepage}}" + "\n" + r"\makeatother" + "\n")
    document = wrap_standalone(f"{exam.template.title}: {part}", footer + body)
    return document.replace("\\begin{document}", packages + "\n\\begin{document}", 1) if packages else document


# ------------------------------------------------------------------------------------- generation


def _question_text(template: Template, lets: Mapping[str, Value]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lets:
            raise SymcountError(f"the question mentions {{{name}}}, which the template does not define",
                                hint=did_you_mean(name, list(lets)))
        value = lets[name]
        if isinstance(value, sympy.Basic) and is_number(value) and value.is_Integer:
            return str(int(value))
        return unicode_value(value) if isinstance(value, sympy.Basic) else describe(value)

    return _PLACEHOLDER.sub(fill, template.question)


def answer_of(template: Template, result: Count) -> sympy.Expr:
    if template.ask == "params":
        return sympy.expand(result.total)
    if template.ask == "trainable":
        return sympy.expand(result.trainable)
    if template.ask == "non_trainable":
        return sympy.expand(result.non_trainable)
    return sympy.expand(output_value(result, template.ask))


def generate(source: Source, variants: int | None = None, seed: int = 0, shared_answers: bool = False) -> Exam:
    """Draw distinct, valid and fair variants of a template with a seeded generator.

    A variant is fair when no slip gives its correct answer and no two slips give the same wrong
    value (:mod:`symcount.teaching.fairness`), and, unless ``shared_answers`` (or the template's
    ``let shared_answers = "allowed"``), when no other variant has its answer. ``variants=None``
    asks for up to :data:`DEFAULT_VARIANTS`: a template with fewer fair variants gives them all and
    says so in :attr:`Exam.shortfall`; a number asked for that cannot be met is an error saying how
    many can.
    """
    template = load_template(source)
    wanted = DEFAULT_VARIANTS if variants is None else variants
    if not 1 <= wanted <= MAX_VARIANTS:
        raise SymcountError(f"--variants must be between 1 and {MAX_VARIANTS}, not {wanted}")
    shared = shared_answers or template.shared_answers
    try:
        space = choice_space(template.tree, template.text, frozenset(_TEXT_LETS))
    except SymcountError as err:
        raise err.located(template.filename, template.text) from None
    if space is not None and space.valid is not None and variants is not None and wanted > space.valid:
        raise SymcountError(f"only {_valid_of(space)}; {wanted} variants were asked for",
                            filename=template.filename, source=template.text,
                            hint=f"ask for --variants {space.valid} or fewer, offer more values in choose(...) "
                                 "or relax the require statements")
    valid_seen = 0
    rng = random.Random(seed)
    remaining: list[tuple[int, ...]] | None = None  # the valid combinations, once random draws stall
    exam = Exam(template, seed)
    seen: set[tuple[tuple[str, str], ...]] = set()
    answers: set[sympy.Expr] = set()
    rejected: dict[str, int] = {}
    since_last = 0
    for _ in range(wanted * ATTEMPTS_PER_VARIANT):
        if len(exam.variants) == wanted or since_last > max(STALL_DRAWS, 10 * len(exam.variants)):
            break
        if space is not None and valid_seen == space.valid:  # every valid combination was drawn
            break
        since_last += 1
        if space is not None and space.valid is not None and since_last > STALL_BEFORE_LISTING and remaining is None:
            remaining = valid_combinations(space, template.tree, frozenset(_TEXT_LETS))
            rng.shuffle(remaining)
        if remaining == []:  # pragma: no cover - every valid combination was seen (the check above ends first)
            break
        try:
            chosen, lets, ok = draw(template, rng if remaining is None else Scripted(remaining.pop()))
        except SymcountError as err:
            raise err.located(template.filename, template.text) from None
        key = tuple(sorted((k, sympy.srepr(v) if isinstance(v, sympy.Basic) else repr(v)) for k, v in chosen.items()))
        if key in seen:
            continue
        seen.add(key)
        if not ok:
            rejected["require"] = rejected.get("require", 0) + 1
            continue
        valid_seen += 1
        try:
            result = count(template.text, values=network_values(template, chosen), convention=template.convention,
                           network=template.network)
            asked = ask_quantity(template, result, chosen) if template.ask in QUANTITY_ASKS else None
            answer = asked.answer if asked is not None else answer_of(template, result)
        except SymcountError as err:
            rejected[err.message] = rejected.get(err.message, 0) + 1
            continue
        if answer.free_symbols:
            free = ", ".join(sorted(s.name for s in answer.free_symbols))
            raise SymcountError(f"the answer still depends on {free}: draw it with choose() or give it a let",
                                filename=template.filename, source=template.text)
        if not shared and answer in answers:
            rejected["the answer of another variant"] = rejected.get("the answer of another variant", 0) + 1
            continue
        slips = asked.slips if asked is not None else slip_table(result, template.ask)
        if slips.unfair is not None:
            rejected[slips.unfair] = rejected.get(slips.unfair, 0) + 1
            continue
        question = _question_text(template, {**output_lets(result), **lets})
        since_last = 0
        answers.add(answer)
        number = len(exam.variants) + 1
        exam.variants.append(Variant(number, chosen, lets, result, answer, question,
                                     variant_id(template, seed, number), slips.values))
    if len(exam.variants) < wanted:
        why = "; ".join(f"{n} × {m}" for m, n in sorted(rejected.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        if space is not None and space.valid is not None:
            why = f"{why}; {_valid_of(space)}" if why else _valid_of(space)
        found = len(exam.variants)
        message = (f"only {found} distinct, valid and fair variant{'s' if found != 1 else ''} could be drawn; "
                   f"{wanted} were asked for" + (f" (rejected: {why})" if why else ""))
        if variants is None and found:
            exam.shortfall = (f"the template has only {found} distinct, valid and fair variant"
                              f"{'s' if found != 1 else ''} (the default is {DEFAULT_VARIANTS})"
                              + (f"; rejected: {why}" if why else ""))
        else:
            raise SymcountError(message, filename=template.filename, source=template.text,
                                hint=f"ask for --variants {found} or fewer, offer more values in choose(...) "
                                     "or relax the require statements" if found else
                                     "offer more values in choose(...) or relax the require statements")
    return exam


def _valid_of(space: ChoiceSpace) -> str:
    """How many combinations of the choices meet the requires, in words."""
    return (f"{space.valid:,} of the {space.combinations:,} combination{'s' if space.combinations != 1 else ''} "
            "of the choices meet the requires")


# ------------------------------------------------------------------------------------- stress


@dataclass
class StressReport:
    answers: list[sympy.Expr]
    duplicates: list[tuple[list[int], sympy.Expr]]
    guessable: list[tuple[int, str]]

    def text(self) -> str:
        numbers = sorted({int(a) for a in self.answers})
        out = [f"{len(self.answers)} variants, {len(numbers)} distinct answers"]
        if numbers:
            out.append(f"answers range from {unicode_value(sympy.Integer(numbers[0]))} "
                       f"to {unicode_value(sympy.Integer(numbers[-1]))}")
        for which, answer in self.duplicates:
            listed = ", ".join(str(n) for n in which)
            out.append(f"warning: variants {listed} share the answer {unicode_value(answer)}")
        for n, how in self.guessable:
            out.append(f"warning: variant {n}'s answer can be guessed from the question's numbers: {how}")
        return "\n".join(out) + "\n"


def _numbers_in(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", text)]


def _guess(answer: int, numbers: Sequence[int]) -> str | None:
    """The answer as one of the numbers, or a product of two or three of them."""
    distinct = sorted(set(numbers))
    if answer in distinct:
        return f"{answer:,} appears in the question"
    for r in (2, 3):
        for combo in itertools.combinations_with_replacement(distinct, r):
            product = 1
            for n in combo:
                product *= n
            if product == answer and all(n > 1 for n in combo):
                return " × ".join(str(n) for n in combo) + f" = {answer:,}"
    return None


def stress_report(exam: Exam) -> StressReport:
    answers = [v.answer for v in exam.variants]
    by_answer: dict[sympy.Expr, list[int]] = {}
    for v in exam.variants:
        by_answer.setdefault(v.answer, []).append(v.number)
    duplicates = [(which, a) for a, which in sorted(by_answer.items(), key=lambda kv: kv[1][0]) if len(which) > 1]
    guessable = []
    for v in exam.variants:
        how = _guess(int(v.answer), _numbers_in(v.question))
        if how is not None:
            guessable.append((v.number, how))
    return StressReport(answers, duplicates, guessable)


# ------------------------------------------------------------------------------------- files


def outputs(exam: Exam, fmt: str) -> dict[str, str]:
    """File name -> content for one format; the key file that marking reads goes with each."""
    name = exam.template.name
    if fmt == "latex":
        files = {f"{name}-exam.tex": exam.latex(), f"{name}-solutions.tex": exam.solutions_latex(),
                 f"{name}-review.tex": exam.review_latex()}
    elif fmt == "markdown":
        files = {f"{name}.md": exam.markdown()}
    elif fmt == "moodle":
        files = {f"{name}-moodle.xml": exam.moodle()}
    else:
        raise SymcountError(f"unknown format '{fmt}' (valid: {', '.join(FORMATS)})", hint=did_you_mean(fmt, FORMATS))
    files[f"{name}-key.json"] = key_json(exam)
    if exam.roster:
        files[f"{name}-answers.csv"] = answers_template(exam)
    return files


KEY_SCHEMA = "symcount/exam-key"
KEY_VERSION = 1


def _exact(value: Value) -> int | str:
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    return str(value)


def key_json(exam: Exam) -> str:
    """The key file: each variant's ID, values, answer, the names an answer may use and what each
    slip gives. Marking reads it back without counting again."""
    variants = []
    for v in exam.variants:
        names = {k: _exact(x) for k, x in answer_names(v.count, v.values).items()
                 if isinstance(x, sympy.Basic) and x.is_Integer}
        variants.append({
            "id": v.id,
            "number": v.number,
            "question": v.question,
            "values": {k: _exact(x) for k, x in v.values.items()},
            "names": names,
            "answer": _exact(v.answer),
            "slips": [{"slip": s.slip, "title": s.title, "layer": s.layer, "value": _exact(s.value)} for s in v.slips],
        })
    data: dict[str, Any] = {
        "template": exam.template.name, "title": exam.template.title, "code": exam.template.code,
        "seed": exam.seed, "ask": exam.template.ask, "convention": exam.template.convention,
        "students": [{"student": n, "variant": v.id} for n, v in exam.roster],
        "variants": variants, "schema": KEY_SCHEMA, "version": KEY_VERSION,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def answers_template(exam: Exam) -> str:
    """``student,variant,answer`` with each student's variant and the answer to fill in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "variant", "answer"])
    for name, v in exam.roster:
        writer.writerow([csv_cell(name), v.id, ""])
    return buffer.getvalue()


def read_roster(path: Path) -> list[str]:
    """The students' names: the first column of each row (a ``name`` or ``student`` header is
    skipped, blank rows too); a name twice is an error at its line."""
    text = read_user_file(path, "rosters").removeprefix("\ufeff")
    names: list[str] = []
    lines: dict[str, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        name = row[0].strip() if row else ""
        if not name or (number == 1 and name.lower() in ("name", "student", "students", "names")):
            continue
        if name in lines:
            raise SymcountError(f"'{name}' is on the roster twice (first on line {lines[name]})",
                                nodes.Pos(number, 1, number, len(name) + 1), filename=str(path), source=text)
        lines[name] = number
        names.append(name)
    if not names:
        raise SymcountError("the roster has no names (one name per row)", filename=str(path))
    return names


def assign_roster(exam: Exam, names: Sequence[str]) -> None:
    """Give each student a variant, reproducibly (the seed and the roster decide): the variants are
    dealt in shuffled rounds, so each is used about equally often and neighbours differ."""
    rng = random.Random(f"{exam.seed}/roster/{exam.template.name}")
    order: list[Variant] = []
    exam.roster = []
    for name in names:
        if not order:
            order = list(exam.variants)
            rng.shuffle(order)
        exam.roster.append((name, order.pop()))
