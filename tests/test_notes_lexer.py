"""The Pygments lexer (symcount.notes.lexer): the whole gallery lexes without an error token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import needs
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The gallery, the zoos and the exam templates (derivations/exams is a link to the templates).
GALLERY = sorted({p.resolve() for p in [*(ROOT / "derivations").rglob("*.sc"),
                                        *(ROOT / "symcount" / "teaching" / "exams").glob("*.sc"),
                                        *(ROOT / "symcount" / "frameworks" / "families").glob("*.sc")]})
DOC_BLOCKS = re.compile(r"^```(?:sc|symcount)[^\n]*\n(.*?)^```", re.S | re.M)


def lex(text: str) -> list[tuple[object, str]]:
    needs.module("pygments")
    from symcount.notes.lexer import SymcountLexer

    return list(SymcountLexer().get_tokens(text))


def errors(tokens: list[tuple[object, str]]) -> list[str]:
    from pygments.token import Error

    return [value for kind, value in tokens if kind in Error]


def test_the_gallery_is_large() -> None:
    assert len(GALLERY) >= 40, len(GALLERY)


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_gallery_file_lexes_without_error_tokens(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tokens = lex(text)
    assert "".join(value for _, value in tokens) == text if text.endswith("\n") else text + "\n"
    assert errors(tokens) == []


def test_documentation_examples_lex_without_error_tokens() -> None:
    blocks = [m.group(1) for page in sorted((ROOT / "docs").glob("*.md"))
              for m in DOC_BLOCKS.finditer(page.read_text(encoding="utf-8"))]
    assert len(blocks) >= 20
    bad = {block: errors(lex(block)) for block in blocks if errors(lex(block))}
    assert bad == {}


def test_the_lexer_names_the_language() -> None:
    from pygments.token import Comment, Keyword, Name, Number, Operator, String

    text = ('# title: An exam\nnetwork n(C=3) {\n  stem: nn.Conv2d(3, 16, 3, bias=false)\n'
            '  repeat 2 { linear(C_out=2**4, padding="same") }\n}\n')
    kinds = {value: kind for kind, value in lex(text) if value.strip()}
    assert kinds["# title: An exam"] in Comment.Special
    assert kinds["network"] in Keyword.Declaration and kinds["n"] in Name.Class
    assert kinds["stem"] in Name.Label and kinds["nn.Conv2d"] in Name.Function
    assert kinds["bias"] in Name.Attribute and kinds["false"] in Keyword.Constant
    assert kinds["repeat"] in Keyword and kinds["16"] in Number.Integer and kinds["**"] in Operator
    assert kinds['"same"'] in String


def test_an_index_label_is_a_label_and_a_list_still_holds_numbers() -> None:
    """Model code read from PyTorch is written with nn.Sequential's indices as labels (``0: conv2d(...)``)."""
    from pygments.token import Name, Number

    labelled = [(value, kind) for kind, value in lex("network n {\n    0: relu()\n  12 : relu()\n}\n") if value.strip()]
    assert ("0", Name.Label) in labelled and ("12", Name.Label) in labelled
    listed = {value: kind for kind, value in lex("let x = [1, 2]\n") if value.strip()}
    assert listed["1"] in Number.Integer


def test_the_installed_package_registers_the_lexer(installed: Path) -> None:
    """Pygments finds it through the entry point, by name and for a .sc file (as MkDocs and Jupyter do)."""
    needs.module("pygments")
    source = (ROOT / "derivations" / "conv_exam.sc").read_text(encoding="utf-8")
    code = ("import sys\n"
            "from pygments.lexers import get_lexer_by_name, guess_lexer_for_filename\n"
            "import symcount.notes.lexer as module\n"
            "guessed = guess_lexer_for_filename('conv_exam.sc', sys.stdin.read())\n"
            "print(type(get_lexer_by_name('symcount')).__name__, type(guessed).__name__, module.__file__)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=installed.parent,
                         env={**os.environ, "PYTHONPATH": str(installed)}, input=source, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    by_name, by_guess, location = run.stdout.split()
    assert by_name == by_guess == "SymcountLexer"  # not SuperCollider's, which claims *.sc too
    assert Path(location).is_relative_to(installed)
