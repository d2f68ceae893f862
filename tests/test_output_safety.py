"""Where output goes: never over an input, never a UnicodeEncodeError on a narrow stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from symcount.cli.main import main
from symcount.cli.output import printable

ROOT = Path(__file__).resolve().parent.parent
NET = "conv2d(C_in=3, C_out=16, k=3)\n"


def _cli(args: list[str], cwd: Path, encoding: str = "cp1252") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "symcount", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("verb", ["count", "derive", "memory", "describe", "check"])
@pytest.mark.parametrize("spelling", ["net.sc", "./net.sc", "link.sc", "net.sc#main"])
def test_output_onto_an_input_is_refused(tmp_path: Path, verb: str, spelling: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "net.sc"
    text = "network main {\n  input(H=8, W=8, C=3)\n  " + NET + "}\n"
    source.write_text(text, encoding="utf-8")
    (tmp_path / "link.sc").symlink_to(source)
    extra = ["--answer", "448"] if verb == "check" else []
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        code = main([verb, spelling, *extra, "-o", str(source)])
    finally:
        os.chdir(cwd)
    assert code == 2
    err = capsys.readouterr().err
    assert "is an input" in err and "overwrite" in err
    assert source.read_text(encoding="utf-8") == text


def test_compare_output_onto_either_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.sc", tmp_path / "b.sc"
    a.write_text(NET, encoding="utf-8")
    b.write_text("conv2d(C_in=3, C_out=8, k=3)\n", encoding="utf-8")
    for target in (a, b):
        assert main(["compare", str(a), str(b), "-o", str(target)]) == 2
        assert "is an input" in capsys.readouterr().err
    assert a.read_text(encoding="utf-8") == NET
    assert main(["compare", str(a), str(b), "-o", str(tmp_path / "out.txt")]) == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_output_next_to_an_input_is_written_as_utf8(tmp_path: Path) -> None:
    source = tmp_path / "net.sc"
    source.write_text(NET, encoding="utf-8")
    out = tmp_path / "net.txt"
    assert main(["check", str(source), "--answer", "400", "-o", str(out)]) == 1
    assert "448" in out.read_text(encoding="utf-8")


def test_narrow_stdout_degrades_without_a_traceback(tmp_path: Path) -> None:
    wide = _cli(["check", NET.strip(), "--answer", "400"], tmp_path, encoding="utf-8")
    narrow = _cli(["check", NET.strip(), "--answer", "400"], tmp_path)
    assert wide.returncode == narrow.returncode == 1, narrow.stderr
    assert b"Traceback" not in narrow.stderr and narrow.stderr == b""
    assert narrow.stdout.decode("cp1252") == printable(wide.stdout.decode("utf-8"), "cp1252")
    assert "448" in narrow.stdout.decode("cp1252")
    for args in (["derive", NET.strip()], ["memory", NET.strip()], ["count", NET.strip()],
                 ["compare", NET.strip(), "conv2d(C_in=3, C_out=8, k=3)"]):
        result = _cli(args, tmp_path, encoding="ascii")
        assert result.returncode == 0 and b"Traceback" not in result.stderr, (args, result.stderr)
        result.stdout.decode("ascii")


def test_narrow_stderr_degrades_without_a_traceback(tmp_path: Path) -> None:
    bad = _cli(["count", "conv2d(C_in=3 C_out=16, k=3) # × −"], tmp_path, encoding="ascii")
    assert bad.returncode == 2
    assert b"Traceback" not in bad.stderr
    assert bad.stderr.decode("ascii").startswith("<input>:1:15:")


def test_printable_keeps_what_encodes_and_narrows_the_rest() -> None:
    assert printable("2 × 3 − 1 ≥ k²", "utf-8") == "2 × 3 − 1 ≥ k²"
    assert printable("2 × 3 − 1 ≥ k²", "ascii") == "2 x 3 - 1 >= k^2"
    assert printable("2 × 3 − 1 ≥ k² ∑", "cp1252") == "2 × 3 - 1 >= k² ?"
