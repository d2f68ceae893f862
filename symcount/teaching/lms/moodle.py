"""Moodle XML (``question/format/xml``): numerical, multiple-choice and Cloze questions.

The structure is the one Moodle's importer reads (``qformat_xml``): a category
question first, then per question its ``name/text``, ``questiontext`` (HTML),
``generalfeedback`` (the worked solution with ``\\( ... \\)`` math for the
MathJax filter), ``idnumber`` (the variant ID) and its answers, each with
``fraction`` (percent), ``text``, ``feedback`` and, for numerical answers,
``tolerance``. A numerical question ends with the ``*`` answer (any other
value) whose feedback sends the student to the solution. Cloze questions
embed their answer boxes in the question text with the multianswer syntax
(``{1:NUMERICAL:=62:0#Correct.~%0%61:0#...~*#...}``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from symcount.render.escape import html_text, xml_safe
from symcount.teaching.lms import Choice, Question, Quiz, html_with_math, solution_html


def moodle_xml(quiz: Quiz) -> str:
    """The quiz as a Moodle XML file, its questions in the category ``symcount/<template>``."""
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    _text(ET.SubElement(category, "category"), f"$course$/symcount/{quiz.name}")
    _text(ET.SubElement(category, "info", format="html"), f"<p>{html_text(quiz.title)}</p>")
    for question in quiz.questions:
        {"numerical": _numerical, "multichoice": _multichoice, "cloze": _cloze}[question.kind](root, question)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent: ET.Element, text: str) -> ET.Element:
    ET.SubElement(parent, "text").text = xml_safe(text)
    return parent


def _header(root: ET.Element, question: Question, qtype: str, text: str) -> ET.Element:
    q = ET.SubElement(root, "question", type=qtype)
    _text(ET.SubElement(q, "name"), question.name)
    _text(ET.SubElement(q, "questiontext", format="html"), text)
    _text(ET.SubElement(q, "generalfeedback", format="html"), solution_html(question))
    ET.SubElement(q, "defaultgrade").text = "1"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = question.variant
    return q


def _feedback(choice: Choice) -> str:
    return f"<p>{html_with_math(choice.feedback)}</p>"


def _numerical(root: ET.Element, question: Question) -> None:
    q = _header(root, question, "numerical", f"<p>{html_text(question.text)}</p>")
    for choice in question.blanks[0].choices:
        answer = ET.SubElement(q, "answer", fraction=str(choice.credit), format="moodle_auto_format")
        ET.SubElement(answer, "text").text = str(choice.value)
        ET.SubElement(answer, "tolerance").text = "0"
        _text(ET.SubElement(answer, "feedback", format="html"), _feedback(choice))
    other = ET.SubElement(q, "answer", fraction="0", format="moodle_auto_format")
    ET.SubElement(other, "text").text = "*"
    ET.SubElement(other, "tolerance").text = "0"
    _text(ET.SubElement(other, "feedback", format="html"), f"<p>{html_text(question.catch_all)}</p>")
    ET.SubElement(q, "unitgradingtype").text = "0"
    ET.SubElement(q, "unitpenalty").text = "0"
    ET.SubElement(q, "showunits").text = "3"
    ET.SubElement(q, "unitsleft").text = "0"


def _multichoice(root: ET.Element, question: Question) -> None:
    q = _header(root, question, "multichoice", f"<p>{html_text(question.text)}</p>")
    ET.SubElement(q, "single").text = "true"
    ET.SubElement(q, "shuffleanswers").text = "true"
    ET.SubElement(q, "answernumbering").text = "abc"
    ET.SubElement(q, "showstandardinstruction").text = "0"
    for field in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(ET.SubElement(q, field, format="html"), "")
    for choice in sorted(question.blanks[0].choices, key=lambda c: c.value):
        answer = ET.SubElement(q, "answer", fraction=str(choice.credit), format="html")
        _text(answer, f"<p>{choice.value:,}</p>")
        _text(ET.SubElement(answer, "feedback", format="html"), _feedback(choice))


# ------------------------------------------------------------------------------------- Cloze


def cloze_feedback(text: str) -> str:
    """Feedback inside an embedded answer: Moodle ends it at ``~`` or ``}`` and decodes one level of
    HTML entities before storing it as HTML, so it is escaped twice and those characters become
    entities (``{`` too, so no ``{1:NUMERICAL:...}`` can start inside it)."""
    return html_text(html_with_math(text)).translate({ord("~"): "&#126;", ord("}"): "&#125;", ord("{"): "&#123;"})


def cloze_text(text: str) -> str:
    """Question text around the boxes: HTML with ``{`` and ``}`` as entities (a ``{1:NM:=5}`` typed
    into a template stays text, never becomes a box)."""
    return html_text(text).translate({ord("}"): "&#125;", ord("{"): "&#123;"})


def _embedded(question: Question, index: int) -> str:
    blank = question.blanks[index]
    parts = [("=" if c.credit == 100 else f"%{c.credit}%") + f"{c.value}:0#{cloze_feedback(c.feedback)}"
             for c in blank.choices]
    parts.append("*#" + cloze_feedback(question.catch_all))
    return "{1:NUMERICAL:" + "~".join(parts) + "}"


def _cloze(root: ET.Element, question: Question) -> None:
    rows = "".join(f"<tr><td>{cloze_text(blank.label)}</td><td>{_embedded(question, i)}</td></tr>"
                   for i, blank in enumerate(question.blanks))
    text = (f"<p>{cloze_text(question.text)}</p><p>Work through the network: each layer's output size, "
            f"then its parameters.</p><table>{rows}</table>")
    q = ET.SubElement(root, "question", type="cloze")
    _text(ET.SubElement(q, "name"), question.name)
    _text(ET.SubElement(q, "questiontext", format="html"), text)
    _text(ET.SubElement(q, "generalfeedback", format="html"), solution_html(question))
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = question.variant
