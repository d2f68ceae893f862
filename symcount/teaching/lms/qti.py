"""Canvas QTI 1.2: a content package (``.zip``) that Canvas's quiz import reads.

The package holds ``imsmanifest.xml`` (IMS content packaging, one
``imsqti_xmlv1p2`` resource), the assessment (``<id>/<id>.xml``) and Canvas's
quiz settings (``<id>/assessment_meta.xml``), laid out as ``text2qti`` lays them.
The assessment has one section per template holding every variant, with
``selection_number`` 1: Canvas draws one variant per student ("pick 1 of N").
Items are ``numerical_question`` (the correct value scores 100; each slip's
value shows its own feedback, scoring ``--slip-credit``) or
``multiple_choice_question`` (the slips' values are the wrong choices), with
feedback per answer and the worked solution as the general feedback. Math is
Canvas's equation image (``<img class="equation_image" ...>``, as Canvas's
rich-content editor writes it), which every Canvas renders.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile

from symcount.errors import SymcountError
from symcount.render.escape import html_text, xml_safe
from symcount.teaching.lms import Choice, Question, Quiz, html_with_math, solution_html

_QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
_CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMAS = {
    _CP: f"{_CP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    _QTI: f"{_QTI} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd",
    _CANVAS: f"{_CANVAS} https://canvas.instructure.com/xsd/cccv1p0.xsd",
}
#: every file in the package gets this date, so the same seed gives the same bytes
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _ident(*parts: str) -> str:
    return "symcount_" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def qti_package(quiz: Quiz) -> bytes:
    """The quiz as a Canvas QTI 1.2 ``.zip``."""
    if quiz.kind == "cloze":
        raise SymcountError("Canvas QTI has no Cloze questions here: use --format moodle for --question-type cloze")
    ident = _ident(quiz.name, *(q.variant for q in quiz.questions))
    files = {
        "imsmanifest.xml": manifest(quiz, ident),
        f"{ident}/{ident}.xml": assessment(quiz, ident),
        f"{ident}/assessment_meta.xml": assessment_meta(quiz, ident),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in files.items():
            package.writestr(zipfile.ZipInfo(name, _ZIP_DATE), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _root(tag: str, namespace: str, **attrs: str) -> ET.Element:
    """A document element with its namespace and where its schema is, as Canvas's exports write it."""
    return ET.Element(tag, {**attrs, "xmlns": namespace, "xmlns:xsi": _XSI, "xsi:schemaLocation": _SCHEMAS[namespace]})


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def manifest(quiz: Quiz, ident: str) -> str:
    root = _root("manifest", _CP, identifier=f"{ident}_manifest")
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    resource = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(resource, "file", href=f"{ident}/{ident}.xml")
    _sub(resource, "dependency", identifierref=f"{ident}_meta")
    meta = _sub(resources, "resource", identifier=f"{ident}_meta",
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{ident}/assessment_meta.xml")
    _sub(meta, "file", href=f"{ident}/assessment_meta.xml")
    return _xml(root)


def assessment_meta(quiz: Quiz, ident: str) -> str:
    root = _root("quiz", _CANVAS, identifier=ident)
    _sub(root, "title", quiz.title)
    _sub(root, "description", "<p>Written by symcount: one variant per student.</p>")
    _sub(root, "shuffle_answers", "true" if quiz.kind == "multichoice" else "false")
    _sub(root, "quiz_type", "assignment")
    _sub(root, "points_possible", "1.0")
    _sub(root, "allowed_attempts", "1")
    _sub(root, "show_correct_answers", "true")
    _sub(root, "available", "false")
    return _xml(root)


def assessment(quiz: Quiz, ident: str) -> str:
    root = _root("questestinterop", _QTI)
    test = _sub(root, "assessment", ident=ident, title=quiz.title)
    meta = _sub(_sub(test, "qtimetadata"), "qtimetadatafield")
    _sub(meta, "fieldlabel", "cc_maxattempts")
    _sub(meta, "fieldentry", "1")
    root_section = _sub(test, "section", ident="root_section")
    group = _sub(root_section, "section", ident=f"{ident}_group", title=quiz.title)
    selection = _sub(_sub(group, "selection_ordering"), "selection")
    _sub(selection, "selection_number", "1")
    _sub(_sub(selection, "selection_extension"), "points_per_item", "1")
    for question in quiz.questions:
        _item(group, question)
    return _xml(root)


def _metadata(item: ET.Element, fields: dict[str, str]) -> None:
    block = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = _sub(block, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _html(parent: ET.Element, text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype="text/html")


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    _html(_sub(_sub(item, "itemfeedback", ident=ident), "flow_mat"), text)


def _condition(processing: ET.Element, cont: str) -> tuple[ET.Element, ET.Element]:
    condition = _sub(processing, "respcondition", **{"continue": cont})
    return condition, _sub(condition, "conditionvar")


def _choice_id(question: Question, choice: Choice) -> str:
    return _ident(question.variant, str(choice.value))


def _item(group: ET.Element, question: Question) -> None:
    item = _sub(group, "item", ident=_ident(question.variant), title=question.name)
    choices = question.blanks[0].choices
    numerical = question.kind == "numerical"
    _metadata(item, {
        "question_type": "numerical_question" if numerical else "multiple_choice_question",
        "points_possible": "1",
        "original_answer_ids": ",".join(_choice_id(question, c) for c in choices),
        "assessment_question_identifierref": _ident(question.variant, "ref"),
    })
    presentation = _sub(item, "presentation")
    _html(presentation, f"<p>{html_text(question.text)}</p>")
    if numerical:
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    else:
        response = _sub(presentation, "response_lid", ident="response1", rcardinality="Single")
        render = _sub(response, "render_choice")
        for choice in sorted(choices, key=lambda c: c.value):
            _html(_sub(render, "response_label", ident=_choice_id(question, choice)), f"<p>{choice.value:,}</p>")
    processing = _sub(item, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    condition, var = _condition(processing, "Yes")
    _sub(var, "other")
    _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    for choice in choices:
        condition, var = _condition(processing, "Yes" if choice.credit < 100 else "No")
        if numerical:  # exactly this value: Canvas reads an answer as a value or a range
            either = _sub(var, "or")
            _sub(either, "varequal", f"{choice.value}", respident="response1")
            both = _sub(either, "and")
            _sub(both, "vargte", f"{choice.value}", respident="response1")
            _sub(both, "varlte", f"{choice.value}", respident="response1")
        else:
            _sub(var, "varequal", _choice_id(question, choice), respident="response1")
        if choice.credit:
            _sub(condition, "setvar", str(choice.credit), action="Set", varname="SCORE")
        _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=f"{_choice_id(question, choice)}_fb")
    _feedback(item, "general_fb", solution_html(question, math="canvas"))
    for choice in choices:
        _feedback(item, f"{_choice_id(question, choice)}_fb", f"<p>{html_with_math(choice.feedback, 'canvas')}</p>")
