"""Batch marking: a class's answers against an exam's key, every verdict and slip right, errors at line:col."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from synthetic_class import CONV, LSTM, synthetic_class

import symcount
from symcount import SymcountError
from symcount.cli.main import main as cli_main
from symcount.teaching.exam import generate, key_json
from symcount.teaching.exam_templates import templates
from symcount.teaching.marking import mark, mark_text, read_key

TEMPLATES = {t.stem: t for t in templates()}


def _key(tmp_path: Path, name: str, **kw: object) -> Path:
    exam = generate(TEMPLATES[name], **kw)  # type: ignore[arg-type]
    path = tmp_path / f"{name}-key.json"
    path.write_text(key_json(exam), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "formulas", "size"), [("conv_with_bias", CONV, 1000), ("lstm", LSTM, 200)])
def test_a_synthetic_class_is_marked_with_every_verdict_right(tmp_path: Path, name: str,
                                                              formulas: dict, size: int) -> None:
    exam = generate(TEMPLATES[name], variants=30 if name == "conv_with_bias" else 10, seed=5)
    text, expected = synthetic_class(exam, formulas, size)
    key = _key(tmp_path, name, variants=len(exam.variants), seed=5)
    marking = mark_text(text, read_key(key))
    got = [(m.verdict, m.slip or "") for m in marking.marks]
    assert got == expected
    assert {slip for _, slip in expected} == {*formulas} | {""}  # every slip is in the class
    # the slip named is the one symcount check names for the same answer (a sample: check recounts)
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {v.id: v for v in exam.variants}
    for row, (verdict, slip) in list(zip(rows, expected, strict=True))[:40]:
        if verdict == "blank":
            continue
        v = by_id[row["variant"]]
        answer = row["answer"]
        number = int(answer.replace(",", "").replace(" ", "")) if answer.replace(",", "").replace(" ", "").isdigit() \
            else answer
        verdict_of = symcount.check(TEMPLATES[name], number, values=v.values, convention=exam.template.convention)
        assert verdict_of.correct == (verdict == "right") and (verdict_of.mistake or "") == slip


def test_the_cli_writes_the_marked_csv_and_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exam = generate(TEMPLATES["conv_with_bias"], seed=5)
    text, expected = synthetic_class(exam, CONV, 80)
    answers = tmp_path / "answers.csv"
    answers.write_text(text, encoding="utf-8")
    key = _key(tmp_path, "conv_with_bias", seed=5)
    for fmt in ("text", "markdown", "latex"):
        assert cli_main(["check", "--answers", str(answers), "--key", str(key), "--format", fmt]) == 0
        out = capsys.readouterr().out
        right = sum(v == "right" for v, _ in expected)
        assert "80 answers to conv" in out and f"{right} right" in out
        assert "bias forgotten" in out and "hardest first" in out
    marked = list(csv.DictReader(io.StringIO((tmp_path / "answers-marked.csv").read_text())))
    assert list(marked[0]) == ["student", "variant", "answer", "expected", "verdict", "slip"]
    assert [(r["verdict"], r["slip"]) for r in marked] == expected
    assert all(int(r["expected"]) == int(next(v.answer for v in exam.variants if v.id == r["variant"]))
               for r in marked)


def test_the_latex_summary_compiles(tmp_path: Path) -> None:
    from latex_tools import compile_latex  # noqa: PLC0415  lazy: pdflatex only here

    exam = generate(TEMPLATES["lstm"], seed=1)
    text, _ = synthetic_class(exam, LSTM, 60)
    marking = mark_text(text, read_key(_key(tmp_path, "lstm", seed=1)))
    _, log = compile_latex(marking.latex(standalone=True), tmp_path, "summary")
    assert "Overfull" not in log


@pytest.mark.parametrize(("csv_text", "where", "message"), [
    ("student,answer\nAda,12\n", "answers.csv:1:15:", "missing column 'variant'"),
    ("student,variant,answer\nAda,{id},12x\n", "answers.csv:2:", "not a number or a formula"),
    ("student,variant,answer\nAda,{id},12\nBob,{id},\"3,4,5\"\n", "answers.csv:3:", "not a number or a formula"),
    ("student,variant,answer\nAda,CWB9-ZZZZ,12\n", "answers.csv:2:5:", "unknown variant 'CWB9-ZZZZ'"),
    ("student,variant,answer\nAda,DEN1-6QRT,12\n", "answers.csv:2:5:", "not from this key's template"),
    ("student,variant,answer,answer_2\nAda,{id},12,13\n", "answers.csv:1:24:", "one answer per variant"),
    ("student,variant,answer\nAda,{id}\n", "answers.csv:2:", "2 columns where the header has 3"),
])
def test_bad_input_names_the_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str], csv_text: str,
                                             where: str, message: str) -> None:
    key = _key(tmp_path, "conv_with_bias", seed=1)
    first = read_key(key).variants
    answers = tmp_path / "answers.csv"
    answers.write_text(csv_text.replace("{id}", next(iter(first))), encoding="utf-8")
    assert cli_main(["check", "--answers", str(answers), "--key", str(key)]) == 2
    err = capsys.readouterr().err
    assert where in err and message in err and "^" in err and "Traceback" not in err
    with pytest.raises(SymcountError):
        mark(answers, read_key(key))


def test_a_bad_answer_points_into_the_field(tmp_path: Path) -> None:
    key = read_key(_key(tmp_path, "dense", seed=1))
    variant = next(iter(key.variants))
    with pytest.raises(SymcountError) as err:
        mark_text(f"student,variant,answer\nAda,{variant},(64 + 1) * Q\n", key, "answers.csv")
    assert err.value.line == 2 and err.value.column == len(f"Ada,{variant},(64 + 1) * ") + 1
    assert "Q" in err.value.message


def test_the_key_file_must_be_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text("student,variant,answer\n", encoding="utf-8")
    bad = tmp_path / "key.json"
    bad.write_text('{"schema": "symcount/exam"}', encoding="utf-8")
    assert cli_main(["check", "--answers", str(answers), "--key", str(bad)]) == 2
    assert "not an exam key file" in capsys.readouterr().err
    bad.write_text("{\n  oops", encoding="utf-8")
    assert cli_main(["check", "--answers", str(answers), "--key", str(bad)]) == 2
    assert "key.json:2:3: the key is not JSON" in capsys.readouterr().err
    assert cli_main(["check", "--answers", str(answers)]) == 2
    assert cli_main(["check", "linear(C_in=2, C_out=3)"]) == 2
