"""Messages point at the mistake and stay short, whatever the user wrote.

An exam question's undefined ``{placeholder}`` is refused at its place in the file; a SOURCE that is
a path that exists is read as a file (``/dev/null`` is not the text "/dev/null", an empty file is an
empty description); and a value a message echoes is cut to a bounded length around an ellipsis,
never printed back whole.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import symcount
from symcount.cli.main import main
from symcount.errors import MAX_ECHO, MAX_MESSAGE, SymcountError, shorten


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------- exam placeholders


@pytest.mark.parametrize(("question", "name", "hint"), [
    ("A layer with {C_in} inputs and {Cout} outputs?", "Cout", "did you mean 'C_out'?"),
    ("How many parameters for {width}?", "width", "define it with let"),
    ("Is it {question}?", "question", "define it with let"),  # the text lets are no values
])
def test_an_undefined_placeholder_is_refused_at_its_place(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                          question: str, name: str, hint: str) -> None:
    lines = ["# a template", "let C_in = choose(3, 4)", "let C_out = choose(5, 6)",
             f'let question = "{question}"', "linear(C_in=C_in, C_out=C_out)"]
    path = tmp_path / "t.sc"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "exam", str(path))
    column = lines[3].index("{" + name + "}") + 1
    assert code == 2 and not out
    assert err.startswith(f"{path}:4:{column}: the question mentions {{{name}}}, which the template does not define")
    assert "^" * (len(name) + 2) in err and hint in err


def test_the_shipped_exam_templates_define_their_placeholders(capsys: pytest.CaptureFixture[str]) -> None:
    for path in sorted(Path("derivations/exams").glob("*.sc")):
        assert run(capsys, "exam", str(path), "--variants", "1", "--format", "text")[0] == 0, path


# ---------------------------------------------------------------------------- a SOURCE that exists is a file


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="a POSIX device")
def test_dev_null_is_a_device_not_the_text_dev_null(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "count", "/dev/null")
    assert code == 2 and not out
    assert err.startswith("/dev/null: not a regular file (a device)"), err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a POSIX pipe")
def test_a_pipe_given_as_source_is_refused_not_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "count", str(fifo))
    assert code == 2 and "not a regular file (a pipe)" in err


@pytest.mark.parametrize("text", ["", "  \n\n\t"])
def test_an_empty_file_is_an_empty_description(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty"  # no .sc suffix: found by existing, not by its name
    path.write_text(text)
    code, out, err = run(capsys, "count", str(path))
    assert code == 2 and not out
    assert err.startswith(f"{path}: empty description"), err
    with pytest.raises(SymcountError, match="empty description"):
        symcount.count(path)


# ---------------------------------------------------------------------------- bounded echoes


def test_shorten_keeps_the_start_and_end_around_an_ellipsis() -> None:
    value = "a" * 5000 + "MIDDLE" + "z" * 5000
    short = shorten(value)
    assert len(short) == MAX_ECHO and "…" in short and short.startswith("aaa") and short.endswith("zzz")
    assert shorten("short") == "short"


@pytest.mark.parametrize("argv", [
    ["count", "relu()", "--set", "x" * 10_000],
    ["compare", "linear(C_in=C, C_out=4)", "linear(C_in=C, C_out=5)", "--sweep", "C=" + ",".join(["x"] * 5000)],
    ["exam", "derivations/exams/dense.sc", "--variants", "9" * 10_000 + "x"],
])
def test_a_10000_character_value_is_echoed_shortened(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv) if argv[0] != "exam" else _argparse(capsys, argv)
    assert code == 2
    assert "…" in err
    assert len(err) < 2 * MAX_ECHO + 600, err[:500]  # the value cut where it stands, the words kept


def _argparse(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """argparse reports a bad --variants itself, exiting 2."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_every_message_and_hint_is_bounded() -> None:
    err = SymcountError("bad value " + "v" * 10_000 + " here", hint="try " + "h" * 10_000)
    assert err.message == "bad value " + shorten("v" * 10_000) + " here"
    assert err.hint == "try " + shorten("h" * 10_000)
    spaced = SymcountError("values " + "x " * 5000 + "end")
    assert len(spaced.message) == MAX_MESSAGE and spaced.message.endswith("end") and "…" in spaced.message
