"""User text in markdown documents is shown as text: no raw HTML, no code span, no emphasis from a title or a question."""

from __future__ import annotations

from pathlib import Path

import pytest

from symcount.cli.main import main

HOSTILE = "T <script>alert(1)</script> <b>bold</b> `tick` *em* _u_"
RAW = ("<script>", "</script>", "<b>", "</b>", "`tick`", "*em*", "_u_")


def _markdown(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main([*argv, "--format", "markdown"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out


def _assert_shown_as_text(markdown: str) -> None:
    for raw in RAW:
        assert raw not in markdown, (raw, markdown[:400])
    assert r"\<script\>" in markdown and r"\`tick\`" in markdown


def test_exam_title_and_question_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "exam.sc"
    template.write_text(f'let title = "{HOSTILE}"\nlet question = "{HOSTILE} with {{C_out}} filters"\nlet ask = "params"\n'
                        "let C_out = choose(16, 32, 64)\nlet C_in = choose(3, 16, 32)\nlet k = choose(3, 5)\n"
                        "network layer {\n    input(H=32, W=32, C=C_in)\n    conv2d(C_out=C_out, k=k)\n}\n",
                        encoding="utf-8")
    out = _markdown(["exam", str(template), "--variants", "2", "--allow-shared-answers"], capsys)
    first_line = next(line for line in out.splitlines() if line.startswith("# "))
    _assert_shown_as_text(first_line)
    questions = [line for line in out.splitlines() if line[:1].isdigit() and " filters" in line]
    assert questions
    for line in questions:
        _assert_shown_as_text(line)


def test_derivation_title_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "net.sc"
    source.write_text(f"# title: {HOSTILE}\nnetwork net {{\n    input(H=8, W=8, C=3)\n    conv2d(C_out=4, k=3)\n}}\n",
                      encoding="utf-8")
    out = _markdown(["derive", str(source)], capsys)
    _assert_shown_as_text(out.splitlines()[0])
    out = _markdown(["derive", str(source), "--title", HOSTILE], capsys)
    _assert_shown_as_text(out.splitlines()[0])
