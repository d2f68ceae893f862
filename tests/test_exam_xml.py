"""The exam's own Moodle XML (``Exam.moodle()``, ``--format moodle`` of the API) is well-formed
whatever a template's text holds: the characters XML 1.0 forbids go through the one filter the LMS
writers use (:func:`symcount.render.escape.xml_safe`), never a second copy."""

from __future__ import annotations

import ast
import inspect
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import symcount.render.escape
from symcount.render.escape import xml_safe
from symcount.teaching import exam as exam_module
from symcount.teaching.exam import generate

#: control characters XML 1.0 forbids, and a non-character, in a title and a question
FORBIDDEN = "\x01\x08\x0b\x0c\x1f\ufffe"


@pytest.mark.parametrize("field", ["title", "question"])
def test_a_control_character_in_a_template_leaves_the_moodle_file_well_formed(tmp_path: Path, field: str) -> None:
    text = Path("derivations/exams/dense.sc").read_text()
    line = next(line for line in text.splitlines() if line.startswith(f"let {field} = \""))
    text = text.replace(line, line.replace('= "', f'= "bad{FORBIDDEN}text ', 1))
    path = tmp_path / "t.sc"
    path.write_text(text)
    exam = generate(path, variants=2, seed=1)
    document = exam.moodle()
    root = ET.fromstring(document)  # expat refuses a control character: not well-formed
    assert not any(ch in document for ch in FORBIDDEN)
    words = " ".join(root.itertext())
    assert "badtext" in words


def test_xml_safe_keeps_what_xml_allows() -> None:
    assert xml_safe("a\tb\nc\rd é 𝑥 \ud7ff") == "a\tb\nc\rd é 𝑥 \ud7ff"
    assert xml_safe("".join(map(chr, range(32)))) == "\t\n\r"


def test_there_is_one_xml_filter() -> None:
    """No module but render/escape.py defines a pattern of XML's forbidden characters."""
    root = Path(symcount.render.escape.__file__).parent.parent
    for path in root.rglob("*.py"):
        if path.name == "escape.py" and path.parent.name == "render":
            continue
        tree = ast.parse(path.read_text())
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert "xml_safe" not in names, path
        assert "\\ud7ff" not in path.read_text() and "\ud7ff" not in path.read_text(), path
    assert "xml_safe(" in inspect.getsource(exam_module.Exam.moodle)
