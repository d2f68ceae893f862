"""LMS quizzes: Moodle XML (numerical, multiple choice, Cloze), GIFT and Canvas QTI.

Moodle's importer (question/format/xml/format.php, qformat_xml) reads, per question: ``name/text``,
``questiontext`` with ``@format`` and ``text``, ``generalfeedback``, ``defaultgrade``, ``penalty``,
``idnumber``; per answer ``@fraction`` (percent), ``text``, ``feedback/text`` and, for numerical,
``tolerance``; a category is a ``question type="category"`` with ``category/text``. A Cloze
question's boxes are found in its question text by the multianswer regexes
(question/type/multianswer/questiontype.php), ported below. Every value an answer carries is
checked against ``symcount.count`` and the slip table computed here again for that variant.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import needs
import pytest

import symcount
from symcount import SymcountError
from symcount.cli.main import main as cli_main
from symcount.teaching.exam import Exam, generate
from symcount.teaching.exam_quantities import QUANTITY_ASKS, ask_quantity
from symcount.teaching.exam_templates import templates
from symcount.teaching.fairness import slip_table
from symcount.teaching.lms import MIN_DISTRACTORS, MOODLE_GRADES, build_quiz
from symcount.teaching.lms.gift import gift
from symcount.teaching.lms.moodle import moodle_xml
from symcount.teaching.lms.qti import qti_package

TEMPLATES = {t.stem: t for t in templates()}
PARAM_TEMPLATES = ["conv_with_bias", "conv_without_bias", "dense", "lstm", "batchnorm", "pooling"]


def recount(exam: Exam, values: dict) -> tuple[int, dict[int, str]]:
    """The answer and each slip's value -> slip id, counted again from the template."""
    template = exam.template
    result = symcount.count(Path(template.filename), values=values, convention=template.convention)
    if template.ask in QUANTITY_ASKS:  # the answers themselves are measured on torch in test_exam.py
        asked = ask_quantity(template, result, values)
        return int(asked.answer), {int(s.value): s.slip for s in asked.slips.values}
    if template.ask == "params":
        answer = int(result.total)
    else:
        answer = int(result.layers[-1].shape.spatial[-2])  # type: ignore[union-attr]
    slips = {int(s.value): s.slip for s in slip_table(result, template.ask).values}
    return answer, slips


class _Text(HTMLParser):
    """The text of an HTML fragment (and whether it parsed without stray end tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("img", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("img", "br"):
            return
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_words(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    assert not parser.open, f"unclosed {parser.open}"
    return "".join(parser.parts)


def check_header(q: ET.Element, variant_id: str) -> None:
    assert (q.findtext("name/text") or "").endswith(f"({variant_id})")
    assert q.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
    html_words(q.findtext("questiontext/text") or "")
    solution = q.findtext("generalfeedback/text") or ""
    assert solution.startswith("<p>Answer: ") and r"\(" in solution and r"\)" in solution
    html_words(solution)
    assert q.findtext("idnumber") == variant_id


def quiz_root(exam: Exam, kind: str, credit: int = 0) -> ET.Element:
    root = ET.fromstring(moodle_xml(build_quiz(exam, kind, credit)))
    assert root.tag == "quiz"
    category = root.find("question")
    assert category is not None and category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/symcount/{exam.template.name}"
    return root


@pytest.mark.parametrize("name", [*PARAM_TEMPLATES, "output_shape", "activation_memory", "receptive_field", "padding",
                                  "stride"])
@pytest.mark.parametrize("credit", [0, 25])
def test_moodle_numerical_answers_are_the_count_and_each_slip(name: str, credit: int) -> None:
    exam = generate(TEMPLATES[name], variants=4, seed=7)
    root = quiz_root(exam, "numerical", credit)
    questions = root.findall("question[@type='numerical']")
    assert len(questions) == len(exam.variants)
    for q, v in zip(questions, exam.variants, strict=True):
        check_header(q, v.id)
        answer, slips = recount(exam, v.values)
        answers = q.findall("answer")
        *valued, other = answers
        assert other.findtext("text") == "*" and other.get("fraction") == "0"
        assert "solution" in (other.findtext("feedback/text") or "")
        for a in answers:
            assert a.findtext("tolerance") == "0"
            assert a.find("feedback").get("format") == "html"  # type: ignore[union-attr]
            html_words(a.findtext("feedback/text") or "")
        assert valued[0].get("fraction") == "100" and int(valued[0].findtext("text") or "") == answer
        assert {int(a.findtext("text") or "") for a in valued[1:]} == set(slips)
        for a in valued[1:]:
            assert a.get("fraction") == str(credit)
            value = int(a.findtext("text") or "")
            feedback = html.unescape(a.findtext("feedback/text") or "")
            title = next(s.title for s in v.slips if int(s.value) == value)
            assert title.removeprefix("the ").split()[-1].replace("k^d", r"k^{d}") in feedback, feedback
            assert slips[value] in {s.slip for s in v.slips if int(s.value) == value}


@pytest.mark.parametrize("name", ["conv_with_bias", "conv_without_bias", "dense", "lstm", "activation_memory",
                                  "receptive_field"])
def test_moodle_multichoice_distractors_are_the_slips(name: str) -> None:
    exam = generate(TEMPLATES[name], variants=4, seed=3)
    root = quiz_root(exam, "multichoice")
    for q, v in zip(root.findall("question[@type='multichoice']"), exam.variants, strict=True):
        check_header(q, v.id)
        assert q.findtext("single") == "true" and q.findtext("shuffleanswers") == "true"
        answer, slips = recount(exam, v.values)
        choices = {int(re.sub(r"\D", "", html_words(a.findtext("text") or ""))): a for a in q.findall("answer")}
        assert set(choices) == {answer, *slips} and len(slips) >= MIN_DISTRACTORS
        assert choices[answer].get("fraction") == "100"
        assert all(choices[s].get("fraction") == "0" for s in slips)
        assert all(a.get("format") == "html" and a.findtext("feedback/text") for a in choices.values())


@pytest.mark.parametrize("name", ["batchnorm", "pooling", "output_shape"])
def test_multichoice_refuses_variants_without_enough_slips(name: str) -> None:
    exam = generate(TEMPLATES[name], variants=3, seed=1)
    with pytest.raises(SymcountError, match="needs 2 wrong choices, each a slip's value") as err:
        build_quiz(exam, "multichoice")
    assert err.value.filename == str(TEMPLATES[name])


def test_slip_credit_must_be_a_moodle_grade() -> None:
    exam = generate(TEMPLATES["dense"], variants=2, seed=1)
    with pytest.raises(SymcountError, match="not a grade Moodle offers"):
        build_quiz(exam, "numerical", 33)
    assert 100 not in MOODLE_GRADES


# ------------------------------------------------------------------------------------- Cloze

# question/type/multianswer/questiontype.php, as PCRE there and re here.
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\|&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL = f"^({_NUMBER})(:{_NUMBER})?$"
_BOX = re.compile(r"\{([0-9]*):(NUMERICAL|NM):(" + _ALTERNATIVE + "(~" + _ALTERNATIVE + r")*)\}", re.S)


def cloze_boxes(text: str) -> list[list[tuple[float, str, str, str | None]]]:
    """Each box's answers as Moodle extracts them: (fraction, answer, feedback, tolerance)."""
    boxes = []
    for match in _BOX.finditer(text):
        remaining, answers = match.group(3), []
        while remaining:
            alt = re.match("~?" + _ALTERNATIVE, remaining, re.S)
            assert alt is not None, remaining
            fraction = 1.0 if alt.group(1) == "=" else float(alt.group(2) or 0) / 100
            feedback = html.unescape(alt.group(5) or "").replace(r"\}", "}").replace(r"\#", "#")
            number = re.match(_NUMERICAL, alt.group(3))
            value = number.group(1) if number else alt.group(3)
            answers.append((fraction, value, feedback, number.group(6) if number else None))
            remaining = remaining[alt.end():]
        boxes.append(answers)
    return boxes


@pytest.mark.parametrize("name", ["conv_with_bias", "pooling", "output_shape"])
def test_moodle_cloze_asks_each_layer_size_then_parameters(name: str) -> None:
    torch = needs.module("torch")
    exam = generate(TEMPLATES[name], variants=3, seed=5)
    root = quiz_root(exam, "cloze")
    for q, v in zip(root.findall("question[@type='cloze']"), exam.variants, strict=True):
        assert q.findtext("idnumber") == v.id
        text = q.findtext("questiontext/text") or ""
        boxes = cloze_boxes(text)
        values = {k: int(x) for k, x in v.values.items()}
        result = symcount.count(Path(exam.template.filename), values=v.values, convention="pytorch")
        layer = result.layers[-1]
        expected_sizes: tuple[int, ...]
        if layer.kind == "conv2d":
            module = torch.nn.Conv2d(values["C_in"], values["C_out"], values["k"], stride=values.get("s", 1),
                                     padding=values.get("p", 0))
            out = module(torch.zeros(1, values["C_in"], values["H"], values["H"]))
            expected_sizes = (out.shape[2], out.shape[3], out.shape[1])  # height × width × channels, as asked
        else:
            module = torch.nn.MaxPool2d(values["k"])
            out = module(torch.zeros(1, values["C"], values["H"], values["H"]))
            expected_sizes = (out.shape[1], out.shape[2], out.shape[3])  # the question writes no layout
        params = sum(p.numel() for p in module.parameters())
        assert len(boxes) == 4
        for box, size in zip(boxes[:3], expected_sizes, strict=True):
            assert box[0][:2] == (1.0, str(size)) and box[0][3] == "0"
            assert box[-1][1] == "*"
        assert boxes[3][0][:2] == (1.0, str(params))
        slips = {int(s.value): s for s in slip_table(result, "params").values}
        assert {int(a[1]) for a in boxes[3][1:-1]} == set(slips)
        for fraction, value, feedback, tolerance in boxes[3][1:-1]:
            assert fraction == 0 and tolerance == "0"
            assert slips[int(value)].title.split()[-1].replace("k^d", "k^{d}") in feedback
        assert "{" not in html_words(re.sub(_BOX, "", text))


def test_cloze_needs_shapes() -> None:
    with pytest.raises(SymcountError, match="input"):
        build_quiz(generate(TEMPLATES["dense"], variants=1, seed=1), "cloze")


# ------------------------------------------------------------------------------------- hostile text

#: A string literal holds anything but its quote and a newline: XML and HTML markup, a Cloze box,
#: GIFT's special characters, control characters and code points XML 1.0 forbids.
HOSTILE = ("</text>]]><evil a='1'>&amp; {1:NUMERICAL:=5} ~ = # { } : \\ <b>bold</b> "
           "\x01\x0b\ufffe \\(x\\) $$y$$")


def hostile_template(tmp_path: Path) -> Path:
    text = TEMPLATES["conv_with_bias"].read_text()
    text = text.replace('let title = "Convolution with bias"', f'let title = "{HOSTILE}"')
    text = text.replace('let question = "', f'let question = "{HOSTILE} ')
    path = tmp_path / "hostile.sc"
    path.write_text(text)
    return path


@pytest.mark.parametrize("kind", ["numerical", "multichoice", "cloze"])
def test_hostile_text_stays_inert_in_moodle(kind: str, tmp_path: Path) -> None:
    exam = generate(hostile_template(tmp_path), variants=2, seed=2)
    assert "<evil" in exam.variants[0].question and "\x01" in exam.variants[0].question
    root = ET.fromstring(moodle_xml(build_quiz(exam, kind)))  # well-formed despite the control characters
    for q in root.findall("question")[1:]:
        text = q.findtext("questiontext/text") or ""
        words = html_words(text if kind != "cloze" else re.sub(_BOX, "", text))
        assert "<evil a='1'>" in words and "<b>bold</b>" in words and "\x01" not in words
        if kind == "cloze":
            assert len(cloze_boxes(text)) == 4  # the {1:NUMERICAL:=5} typed in the question is no box
        assert "<evil" in (q.findtext("name/text") or "")


def test_cli_writes_moodle_kinds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = str(TEMPLATES["conv_with_bias"])
    assert cli_main(["exam", template, "--variants", "3", "--format", "moodle", "--question-type", "cloze",
                     "--slip-credit", "10", "-o", str(tmp_path)]) == 0
    root = ET.fromstring((tmp_path / "conv_with_bias-moodle.xml").read_text())
    assert len(root.findall("question[@type='cloze']")) == 3
    assert "%10%" in (root.findtext("question[@type='cloze']/questiontext/text") or "")
    assert (tmp_path / "conv_with_bias-key.json").exists()
    assert cli_main(["exam", template, "--format", "latex", "--question-type", "multichoice"]) == 2
    assert "--question-type applies to the quiz formats" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- GIFT

_GIFT_ESCAPES = {"\\\\": "\\", "\\:": ":", "\\#": "#", "\\=": "=", "\\{": "{", "\\}": "}", "\\~": "~", "\\n": "\n"}


def _split(text: str, marks: str) -> list[tuple[str, str]]:
    """Split at unescaped marks: [(mark before the piece, piece)], the first piece's mark ''."""
    pieces, mark, current, i = [], "", [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if text[i] in marks:
            pieces.append((mark, "".join(current)))
            mark, current = text[i], []
        else:
            current.append(text[i])
        i += 1
    pieces.append((mark, "".join(current)))
    return pieces


def gift_unescape(text: str) -> str:
    return re.sub(r"\\.", lambda m: _GIFT_ESCAPES.get(m.group(0), m.group(0)), text).strip()


def read_gift(text: str) -> tuple[str, list[dict]]:
    """A small GIFT reader (the subset Moodle's qformat_gift reads that symcount writes): the category,
    then per question its name, text, kind, answers (credit, value, feedback) and general feedback."""
    body = "\n".join(line for line in text.split("\n") if not line.startswith("//"))
    category = re.search(r"^\$CATEGORY: (.*)$", body, re.M)
    assert category is not None
    questions = []
    for block in re.split(r"\n\s*\n", body[category.end():].strip()):
        name = re.match(r"::((?:\\.|[^:\\])*)::(\[html\])?", block)
        assert name is not None and name.group(2) == "[html]", block[:80]
        rest = block[name.end():]
        opening = next(i for i, (m, _) in enumerate(_split(rest, "{")) if m == "{")
        parts = _split(rest, "{")
        question_text, answers_text = parts[opening - 1][1], "{".join(p for _, p in parts[opening:])
        closing = _split(answers_text, "}")
        assert len(closing) == 2 and closing[1][1].strip() == "", "one unescaped } ends the answers"
        inner = closing[0][1]
        general = ""
        if "####" in inner:
            inner, general = inner.split("####", 1)
        numerical = inner.startswith("#")
        answers = []
        for mark, piece in _split(inner[1:] if numerical else inner, "=~"):
            if not mark:
                assert piece.strip() == ""
                continue
            weight = re.match(r"%(-?\d+)%", piece)
            credit = int(weight.group(1)) if weight else (100 if mark == "=" else 0)
            piece = piece[weight.end():] if weight else piece
            value, *feedback = [p for _, p in _split(piece, "#")]
            answers.append((credit, gift_unescape(value), gift_unescape("#".join(feedback))))
        questions.append({"name": gift_unescape(name.group(1)), "text": gift_unescape(question_text),
                          "kind": "numerical" if numerical else "multichoice", "answers": answers,
                          "general": gift_unescape(general)})
    return category.group(1), questions


@pytest.mark.parametrize("kind", ["numerical", "multichoice"])
@pytest.mark.parametrize("name", ["conv_with_bias", "conv_without_bias", "dense", "lstm", "batchnorm"])
def test_gift_parses_back_with_the_counts_and_slips(kind: str, name: str) -> None:
    exam = generate(TEMPLATES[name], variants=3, seed=4)
    if kind == "multichoice" and name == "batchnorm":
        with pytest.raises(SymcountError, match="wrong choices"):
            build_quiz(exam, kind)
        return
    category, questions = read_gift(gift(build_quiz(exam, kind, 20)))
    assert category == f"$course$/symcount/{name}"
    assert len(questions) == len(exam.variants)
    for q, v in zip(questions, exam.variants, strict=True):
        assert q["kind"] == kind and q["name"].endswith(f"({v.id})")
        assert html_words(q["text"]) == v.question
        answer, slips = recount(exam, v.values)
        if kind == "numerical":
            values = {int(value.removesuffix(":0")): (credit, fb) for credit, value, fb in q["answers"]}
            assert all(value.endswith(":0") for _, value, _ in q["answers"])
        else:
            values = {int(re.sub(r"\D", "", html_words(value))): (credit, fb) for credit, value, fb in q["answers"]}
        assert set(values) == {answer, *slips}
        assert values[answer] == (100, "<p>Correct.</p>")
        for value, slip in slips.items():
            credit, feedback = values[value]
            assert credit == 20 and html_words(feedback).endswith(".")
            assert slip in {s.slip for s in v.slips if int(s.value) == value}
        assert q["general"].startswith("<p>Answer: ") and r"\(" in q["general"]
        html_words(q["general"])


def test_gift_escapes_hostile_text(tmp_path: Path) -> None:
    exam = generate(hostile_template(tmp_path), variants=2, seed=2)
    for kind in ("numerical", "multichoice"):
        text = gift(build_quiz(exam, kind))
        _, questions = read_gift(text)
        assert len(questions) == 2
        for q, v in zip(questions, exam.variants, strict=True):
            assert html.unescape(q["text"]) == "<p>" + v.question.replace("\x01", "").replace("\x0b", "")\
                .replace("\ufffe", "") + "</p>"
            assert q["name"].startswith(HOSTILE.split("\\x01")[0][:20])
    with pytest.raises(SymcountError, match="no Cloze"):
        gift(build_quiz(generate(TEMPLATES["conv_with_bias"], variants=1), "cloze"))


# ------------------------------------------------------------------------------------- Canvas QTI


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_paths(element: ET.Element, prefix: str = "") -> set[str]:
    """Every element's path from the root, namespaces dropped, with its attribute names."""
    here = f"{prefix}/{_local(element.tag)}"
    paths = {here + "".join(f"[@{_local(a)}]" for a in sorted(element.attrib))}
    for child in element:
        paths |= element_paths(child, here)
    return paths


def unzip(data: bytes) -> dict[str, ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        return {name: ET.fromstring(package.read(name)) for name in package.namelist() if not name.endswith("/")}


def qti_parts(files: dict[str, ET.Element]) -> tuple[ET.Element, ET.Element, ET.Element]:
    """(manifest, assessment, Canvas meta), checked: the manifest names the assessment and the meta file."""
    manifest = files["imsmanifest.xml"]
    resources = [r for r in manifest.iter() if _local(r.tag) == "resource"]
    qti = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
    assert len(qti) == 1
    href = next(f.get("href") for f in qti[0] if _local(f.tag) == "file")
    meta_ref = next(d.get("identifierref") for d in qti[0] if _local(d.tag) == "dependency")
    meta = next(r for r in resources if r.get("identifier") == meta_ref)
    assert {href, meta.get("href")} | {"imsmanifest.xml"} == set(files)
    return manifest, files[str(href)], files[str(meta.get("href"))]


def text2qti_package(exam: Exam, kind: str) -> bytes:
    """What text2qti writes for the same questions (one group, pick 1; its numerical questions take
    one exact answer, its multiple-choice ones a feedback per choice)."""
    t2q = needs.module("text2qti.quiz")
    qti = needs.module("text2qti.qti")
    config = needs.module("text2qti.config").Config()
    lines = [f"Quiz title: {exam.template.title}", "Quiz description: symcount", "", "GROUP", "pick: 1",
             "points per question: 1", ""]
    for n, v in enumerate(exam.variants, start=1):
        answer, slips = recount(exam, v.values)
        lines += [f"{n}.  {v.question}", "... The working: $1 + 1 = 2$"]
        if kind == "numerical":
            lines += [f"=   {answer} +- 0", ""]
        else:
            for i, value in enumerate(sorted({answer, *slips})):
                lines += [f"{'*' if value == answer else ''}{'abcdefgh'[i]}) {value:,}", "... Feedback.", ""]
    lines.append("END_GROUP")
    return qti.QTI(t2q.Quiz("\n".join(lines), config=config, source_name="<symcount>")).zip_bytes()


def _items(assessment: ET.Element) -> list[ET.Element]:
    return [e for e in assessment.iter() if _local(e.tag) == "item"]


@pytest.mark.parametrize("kind", ["numerical", "multichoice"])
@pytest.mark.parametrize("name", ["conv_with_bias", "dense", "lstm"])
def test_qti_package_structure_and_answers(kind: str, name: str) -> None:
    exam = generate(TEMPLATES[name], variants=3, seed=6)
    _, assessment, meta = qti_parts(unzip(qti_package(build_quiz(exam, kind, 10))))
    assert _local(assessment.tag) == "questestinterop" and _local(meta.tag) == "quiz"
    groups = [s for s in assessment.iter() if _local(s.tag) == "section" and s.get("ident") != "root_section"]
    assert len(groups) == 1  # one group per template, every variant in it, one drawn per student
    assert [e.text for e in groups[0].iter() if _local(e.tag) == "selection_number"] == ["1"]
    items = _items(groups[0])
    assert len(items) == len(exam.variants)
    for item, v in zip(items, exam.variants, strict=True):
        labels = {f[0].text: f[1].text for f in item.iter() if _local(f.tag) == "qtimetadatafield"}
        assert labels["question_type"] == ("numerical_question" if kind == "numerical" else "multiple_choice_question")
        feedback_ids = {f.get("ident") for f in item if _local(f.tag) == "itemfeedback"}
        assert "general_fb" in feedback_ids
        general = next(f for f in item if f.get("ident") == "general_fb")
        assert "Answer: " in "".join(general.itertext()) and "equation_image" in "".join(general.itertext())
        answer, slips = recount(exam, v.values)
        scored: dict[int, str] = {}
        shown: dict[int, str] = {}
        labels_of = {lab.get("ident"): "".join(lab.itertext()) for lab in item.iter()
                     if _local(lab.tag) == "response_label"}
        for condition in (c for c in item.iter() if _local(c.tag) == "respcondition"):
            equal = [e.text for e in condition.iter() if _local(e.tag) == "varequal"]
            if not equal:
                continue
            value = int(equal[0] or "") if kind == "numerical" else int(re.sub(r"\D", "", html_words(
                labels_of[equal[0]])))
            score = [e.text for e in condition if _local(e.tag) == "setvar"]
            scored[value] = score[0] if score else "0"
            link = next(e.get("linkrefid") for e in condition if _local(e.tag) == "displayfeedback")
            assert link in feedback_ids
            shown[value] = "".join(next(f for f in item if f.get("ident") == link).itertext())
        assert set(scored) == {answer, *slips}
        assert scored[answer] == "100" and all(scored[s] == "10" for s in slips)
        for value, slip in slips.items():
            assert html_words(shown[value]).strip().endswith(".") and slip in {s.slip for s in v.slips}


@pytest.mark.parametrize("kind", ["numerical", "multichoice"])
def test_qti_matches_text2qti_element_by_element(kind: str) -> None:
    exam = generate(TEMPLATES["conv_with_bias"], variants=3, seed=8)
    theirs = qti_parts(unzip(text2qti_package(exam, kind)))
    other = qti_parts(unzip(text2qti_package(exam, "multichoice" if kind == "numerical" else "numerical")))
    ours = qti_parts(unzip(qti_package(build_quiz(exam, kind))))
    # The manifest and the assessment down to the items: every element symcount writes, text2qti writes.
    for mine, their in zip(ours, theirs, strict=True):
        assert element_paths(mine) - element_paths(their) - {p for p in element_paths(mine) if "/item" in p} \
            <= set(), sorted(element_paths(mine) - element_paths(their))
    # An item: everything text2qti writes for that kind, and nothing it would not write for some item
    # (a numerical item's per-answer feedback is laid out as text2qti lays out a choice's).
    mine_items = set().union(*(element_paths(i) for i in _items(ours[1])))
    their_items = set().union(*(element_paths(i) for i in _items(theirs[1])))
    any_items = their_items | set().union(*(element_paths(i) for i in _items(other[1])))
    assert their_items <= mine_items, sorted(their_items - mine_items)
    assert mine_items <= any_items, sorted(mine_items - any_items)


def test_qti_hostile_text_and_determinism(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exam = generate(hostile_template(tmp_path), variants=2, seed=2)
    _, assessment, _ = qti_parts(unzip(qti_package(build_quiz(exam, "multichoice"))))
    texts = [html_words(m.text or "") for m in assessment.iter() if _local(m.tag) == "mattext"]
    assert any("<evil a='1'>" in t and "<b>bold</b>" in t for t in texts)
    template = str(TEMPLATES["dense"])
    for out in ("a", "b"):
        assert cli_main(["exam", template, "--format", "qti", "--variants", "3", "-o", str(tmp_path / out)]) == 0
    assert (tmp_path / "a/dense-qti.zip").read_bytes() == (tmp_path / "b/dense-qti.zip").read_bytes()
    assert cli_main(["exam", template, "--format", "qti"]) == 2
    assert "write it with -o DIR" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["activation_memory", "receptive_field", "padding", "stride"])
def test_cloze_is_refused_for_one_number_questions(name: str) -> None:
    exam = generate(TEMPLATES[name], variants=2, seed=1)
    with pytest.raises(SymcountError, match="walks the network's output sizes") as err:
        build_quiz(exam, "cloze")
    assert err.value.filename == str(TEMPLATES[name])
