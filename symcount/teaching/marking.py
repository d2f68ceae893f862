"""Batch marking: a whole class's answers against an exam's key file, with the slips counted.

``symcount exam`` writes ``NAME-key.json``: each variant's ID, answer, the names an
answer may use and the value each applicable slip gives. The exam only draws fair
variants (:mod:`symcount.teaching.fairness`), so a wrong value names at most one
slip, and marking is a lookup: no recount, thousands of answers a second.

The answers are a CSV with a header: ``student,variant,answer`` (other columns are
kept as they are). An answer is a number (``33024``, ``33,024``, ``33 024``) or a
formula in numbers and the question's names (``(3*3*16 + 1)*32``), read by
symcount's own grammar, never eval. Every error names the CSV's line and column.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from symcount.counting import read_user_file
from symcount.errors import SymcountError
from symcount.language.nodes import Pos
from symcount.render.blocks import small_table
from symcount.render.escape import csv_cell
from symcount.render.formats import Format
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.teaching.check import read_answer

KEY_SCHEMA = "symcount/exam-key"
REQUIRED = ("student", "variant", "answer")
VERDICTS = ("right", "wrong", "blank")


# ------------------------------------------------------------------------------------- the key


@dataclass(frozen=True)
class KeyVariant:
    id: str
    answer: sympy.Integer
    names: dict[str, sympy.Integer]
    #: wrong value -> (slip id, slip title)
    slips: dict[sympy.Integer, tuple[str, str]]


@dataclass(frozen=True)
class Key:
    filename: str
    template: str
    title: str
    code: str
    variants: dict[str, KeyVariant]
    slip_titles: dict[str, str]


def read_key(path: Path) -> Key:
    """The key file ``symcount exam`` wrote; anything else is an error naming the file."""
    name = str(path)
    text = read_user_file(path, "keys").removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SymcountError(f"the key is not JSON: {err.msg}", Pos(err.lineno, err.colno), filename=name,
                            source=text) from None
    if not isinstance(data, dict) or data.get("schema") != KEY_SCHEMA:
        raise SymcountError("not an exam key file (no \"schema\": \"symcount/exam-key\")", filename=name,
                            hint="give the NAME-key.json that symcount exam wrote beside the sheets")
    try:
        variants = {}
        titles: dict[str, str] = {}
        for v in data["variants"]:
            slips = {}
            for s in v["slips"]:
                slips[sympy.Integer(s["value"])] = (s["slip"], s["title"])
                titles[s["slip"]] = s["title"]
            variants[v["id"]] = KeyVariant(v["id"], sympy.Integer(v["answer"]),
                                           {k: sympy.Integer(x) for k, x in v["names"].items()}, slips)
        return Key(name, data["template"], data["title"], data["code"], variants, titles)
    except (KeyError, TypeError, ValueError) as err:
        raise SymcountError(f"the key file is damaged ({type(err).__name__}: {err})", filename=name) from None


# ------------------------------------------------------------------------------------- the CSV


def _fields(line: str) -> list[tuple[str, int]]:
    """A CSV line's fields with the (1-based) column each starts at; quotes as csv reads them."""
    starts, column, quoted = [1], 0, False
    for column, char in enumerate(line, start=1):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(column + 1)
    values = next(csv.reader([line]), [""])
    if len(values) != len(starts):  # a stray quote: fall back to the reader's own split
        starts = starts[:len(values)] + [column] * max(0, len(values) - len(starts))
    # a quoted field's text starts after its quote
    starts = [c + 1 if line[c - 1:c] == '"' else c for c in starts]
    return list(zip(values, starts, strict=True))


@dataclass(frozen=True)
class Mark:
    """One marked answer: the row as given, then what the marker adds."""

    row: list[str]
    student: str
    variant: str
    answer: str
    expected: sympy.Integer
    verdict: str
    slip: str | None


@dataclass(repr=False)
class Marking(Printable):
    """A class marked: each answer's verdict, and the summary a teacher reads."""

    key: Key
    header: list[str]
    marks: list[Mark] = field(default_factory=list)

    def csv(self) -> str:
        """The answers as given, with ``expected,verdict,slip`` added."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([csv_cell(cell) for cell in [*self.header, "expected", "verdict", "slip"]])
        for m in self.marks:
            writer.writerow([csv_cell(cell) for cell in [*m.row, str(int(m.expected)), m.verdict, m.slip or ""]])
        return buffer.getvalue()

    # -- the summary ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {verdict: sum(m.verdict == verdict for m in self.marks) for verdict in VERDICTS}

    def slip_counts(self) -> list[tuple[str, int]]:
        """How many answers each slip explains (most first), then the unexplained wrong ones."""
        counted: dict[str, int] = {}
        for m in self.marks:
            if m.verdict == "wrong":
                counted[m.slip or ""] = counted.get(m.slip or "", 0) + 1
        return sorted(counted.items(), key=lambda kv: (kv[0] == "", -kv[1], kv[0]))

    def hardest(self) -> list[tuple[str, int, int]]:
        """(variant, answers, right) for each variant answered, the lowest share right first."""
        per: dict[str, list[int]] = {}
        for m in self.marks:
            tally = per.setdefault(m.variant, [0, 0])
            tally[0] += 1
            tally[1] += m.verdict == "right"
        return sorted(((v, n, r) for v, (n, r) in per.items()), key=lambda t: (t[2] / t[1], -t[1], t[0]))

    def _title(self) -> str | None:
        return f"Marking: {self.key.title}"

    def _summary(self) -> str:
        return f"{len(self.marks)} answers, {self.counts()}"

    def _render(self, fmt: Format) -> str:
        style = fmt.style
        total = len(self.marks)
        counts = self.counts()

        sign = r"\%" if style.name == "latex" else "%"

        def share(n: int, of: int) -> str:
            return f"{round(100 * n / of)}{sign}" if of else "–"

        out = [f"{total} answers to {style.escape(self.key.template)}: {counts['right']} right "
               f"({share(counts['right'], total)}), {counts['wrong']} wrong, {counts['blank']} blank.", ""]
        slips = self.slip_counts()
        if slips:
            rows = [[style.escape(self.key.slip_titles.get(s, s)) if s else "no known slip",
                     str(n), share(n, counts["wrong"])] for s, n in slips]
            out += [self._heading("The slips made", style),
                    small_table(["slip", "answers", "of the wrong"], rows, style, "lrr")]
        rows = [[self._code(v, style), str(n), str(r), share(r, n)] for v, n, r in self.hardest()]
        out += [self._heading("Variants, hardest first", style),
                small_table(["variant", "answers", "right", "share right"], rows, style, "lrrr")]
        return "\n".join(out)

    @staticmethod
    def _heading(text: str, style: Style) -> str:
        if style.name == "markdown":
            return f"## {text}\n"
        if style.name == "latex":
            return rf"\subsection*{{{text}}}" + "\n"
        return f"{text}:\n"

    @staticmethod
    def _code(variant: str, style: Style) -> str:
        if style.name == "markdown":
            return f"`{variant}`"
        if style.name == "latex":
            return rf"\texttt{{{style.escape(variant)}}}"
        return variant


def mark(answers: Path, key: Key) -> Marking:
    """Mark every answer in the CSV at ``answers`` against ``key`` (see the module docstring)."""
    name = str(answers)
    text = read_user_file(answers, "answers").removeprefix("\ufeff")
    return mark_text(text, key, name)


def mark_text(text: str, key: Key, filename: str = "<answers>") -> Marking:
    lines = text.split("\n")

    def error(message: str, line: int, column: int, width: int = 1, hint: str | None = None) -> SymcountError:
        return SymcountError(message, Pos(line, column, line, column + max(1, width)), filename=filename,
                             source=text, hint=hint)

    number = next((i for i, line in enumerate(lines, 1) if line.strip()), 0)
    if not number:
        raise SymcountError("the answers file is empty (it needs a header: student,variant,answer)", filename=filename)
    header = _fields(lines[number - 1].rstrip("\r"))
    names = [h.strip().lower() for h, _ in header]
    for required in REQUIRED:
        if required not in names:
            end = len(lines[number - 1].rstrip("\r")) + 1
            raise error(f"missing column '{required}' (the header has: {', '.join(names)})", number, end,
                        hint="the header must name student, variant and answer")
    for (h, column), low in zip(header, names, strict=True):
        if low.startswith("answer_"):
            raise error(f"column '{h}': this key has one answer per variant", number, column, len(h),
                        hint="remove the column or mark it against the key of its own question")
    where = {n: names.index(n) for n in REQUIRED}
    marking = Marking(key, [h for h, _ in header])
    for line_number in range(number + 1, len(lines) + 1):
        line = lines[line_number - 1].rstrip("\r")
        if not line.strip():
            continue
        fields = _fields(line)
        if len(fields) != len(header):
            raise error(f"{len(fields)} columns where the header has {len(header)}", line_number,
                        fields[-1][1] if len(fields) > len(header) else len(line) + 1)
        marking.marks.append(_mark_row(fields, where, key, functools.partial(_at_line, error, line_number)))
    return marking


def _at_line(error: Callable[..., SymcountError], line: int, message: str, column: int, width: int = 1,
             hint: str | None = None) -> SymcountError:
    return error(message, line, column, width, hint)


def _mark_row(fields: list[tuple[str, int]], where: Mapping[str, int], key: Key,
              error: Callable[..., SymcountError]) -> Mark:
    student = fields[where["student"]][0].strip()
    variant_text, variant_column = fields[where["variant"]]
    variant_id = variant_text.strip()
    answer_text, answer_column = fields[where["answer"]]
    variant = key.variants.get(variant_id) or key.variants.get(variant_id.upper())
    if variant is None:
        message, hint = _unknown_variant(variant_id, key)
        raise error(message, variant_column, max(1, len(variant_text)), hint)
    row = [value for value, _ in fields]
    if not answer_text.strip():
        return Mark(row, student, variant.id, "", variant.answer, "blank", None)
    try:
        value = read_answer(answer_text, variant.names, set(variant.names))
    except SymcountError as err:
        inside = max(0, err.column - 1)
        if not err.column:  # a name the question does not have: point at it
            unknown = next((m for m in re.finditer(r"[A-Za-z_]\w*", answer_text.strip())
                            if m.group() not in variant.names), None)
            inside = unknown.start() if unknown else 0
        column = answer_column + len(answer_text) - len(answer_text.lstrip()) + inside
        raise error(f"the answer is not a number or a formula: {err.message}", column,
                    max(1, len(answer_text.strip()) - inside), err.hint) from None
    value = sympy.expand(value)
    if value == variant.answer:
        return Mark(row, student, variant.id, answer_text, variant.answer, "right", None)
    slip = variant.slips.get(value) if isinstance(value, sympy.Integer) else None
    return Mark(row, student, variant.id, answer_text, variant.answer, "wrong", slip[0] if slip else None)


def _unknown_variant(variant: str, key: Key) -> tuple[str, str]:
    ids = list(key.variants)
    span = f"{ids[0]} … {ids[-1]}" if len(ids) > 1 else ids[0] if ids else "none"
    if not variant:
        return "no variant ID", f"each answer needs the variant ID printed on its sheet ({span})"
    if not variant.upper().startswith(key.code):
        return (f"variant '{variant}' is not from this key's template: the key is for "
                f"'{key.template}' (variants {span})", "is the key file from another template?")
    return (f"unknown variant '{variant}': the key for '{key.template}' has {span}",
            "is the key from another seed, or the ID mistyped?")
