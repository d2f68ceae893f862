"""```symcount VERB``` blocks in Markdown notes: ``symcount render`` (in place, -o, --check) and
the Python-Markdown extension (what MkDocs runs), with errors located in the notes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import needs
import pytest

import symcount
from symcount import SymcountError
from symcount.cli.blocks import BEGIN, END, render_document, update_document
from symcount.cli.main import main

NOTES = """# Week 3

How many parameters does it have, with and without bias?

```symcount derive --bias both --title "A 3 × 3 convolution"
conv2d(C_in=128, C_out=256, k=3)
```

The description alone, highlighted:

```symcount
conv2d(C_in=3, C_out=8, k=3)
```

Two designs:

```symcount compare --format text
conv2d(C_in=C, C_out=C, k=5)
---
conv2d(C_in=C, C_out=C, k=3); conv2d(C_in=C, C_out=C, k=3)
```

````markdown
```symcount derive
an example of the syntax, not a block
```
````
"""


def derivation_markdown() -> str:
    return symcount.derive("conv2d(C_in=128, C_out=256, k=3)", bias="both", title="A 3 × 3 convolution").markdown()


def test_render_replaces_each_block_with_its_output() -> None:
    out = render_document(NOTES, "notes.md")
    assert derivation_markdown().strip() in out
    assert "```symcount derive --bias both" not in out
    assert "```symcount\nconv2d(C_in=3, C_out=8, k=3)\n```" in out  # a bare fence is code
    comparison = symcount.compare("conv2d(C_in=C, C_out=C, k=5)",
                                  "conv2d(C_in=C, C_out=C, k=3); conv2d(C_in=C, C_out=C, k=3)")
    assert f"```text\n{comparison.text().strip()}\n```" in out  # text output fenced, not read as Markdown
    assert "```symcount derive\nan example of the syntax, not a block\n```" in out  # inside a longer fence
    assert out.startswith("# Week 3\n") and out.endswith("````\n")


def test_update_keeps_the_blocks_and_is_idempotent() -> None:
    once = update_document(NOTES, "notes.md")
    assert once.count(BEGIN) == once.count(END) == 2
    assert "```symcount derive --bias both" in once and derivation_markdown().strip() in once
    assert update_document(once, "notes.md") == once
    # a render of the updated notes shows each output once
    assert render_document(once, "notes.md").count("295{,}168") == render_document(NOTES, "notes.md").count("295{,}168")


def test_render_check_catches_stale_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert main(["render", str(notes), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["render", str(notes)]) == 0
    assert main(["render", str(notes), "--check"]) == 0
    # the teacher changes the layer: the kept output no longer matches
    notes.write_text(notes.read_text(encoding="utf-8").replace("C_out=256", "C_out=512"), encoding="utf-8")
    assert main(["render", str(notes), "--check"]) == 1
    assert main(["render", str(notes)]) == 0
    assert "589{,}824" in notes.read_text(encoding="utf-8")  # 3 × 3 × 128 × 512, computed afresh
    # -o: a rendered copy, and --check of it
    out = tmp_path / "out.md"
    assert main(["render", str(notes), "-o", str(out), "--check"]) == 1
    assert "missing" in capsys.readouterr().err
    assert main(["render", str(notes), "-o", str(out)]) == 0
    assert main(["render", str(notes), "-o", str(out), "--check"]) == 0
    assert BEGIN not in out.read_text(encoding="utf-8")


def test_the_installed_command_checks_notes_for_ci(installed: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(installed)}
    script = str(installed / "bin" / "symcount")
    check = subprocess.run([script, "render", "--check", "notes.md"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=120)
    assert check.returncode == 1 and "notes.md: stale; run: symcount render notes.md" in check.stderr
    assert subprocess.run([script, "render", "notes.md"], cwd=tmp_path, env=env, timeout=120).returncode == 0
    again = subprocess.run([script, "render", "--check", "notes.md"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 0, again.stderr


BAD = [
    # (block, line, column, message): the error at its place in the notes
    ("```symcount derive\nnetwork n {\n    conv2d(C_in=3, C_out=8, k=3, stride=0.5x)\n}\n```", 4, 44,
     "missing ',' between arguments"),
    ("```symcount derive --bais both\nlinear(C_in=3, C_out=4)\n```", 2, 1, "unrecognized arguments: --bais both"),
    ("```symcount frobnicate\nlinear(C_in=3, C_out=4)\n```", 2, 1, "unknown verb 'frobnicate' in a symcount block"),
    ("```symcount compare\nlinear(C_in=3, C_out=4)\n---\nlinear(C_in=3, C_oot=4)\n```", 5, 16,
     "linear has no argument 'C_oot'"),
    ("```symcount derive -o x.md\nlinear(C_in=3, C_out=4)\n```", 2, 1, "-o/--output has no place in a block"),
    ("```symcount derive\n\n```", 2, 1, "the description is empty"),
]


@pytest.mark.parametrize(("block", "line", "column", "message"), BAD, ids=[b[3][:30] for b in BAD])
def test_a_bad_block_is_an_error_at_its_line(block: str, line: int, column: int, message: str) -> None:
    with pytest.raises(SymcountError) as info:
        render_document(f"# Notes\n{block}\n", "notes.md")
    err = info.value
    assert (err.filename, err.line, err.column) == ("notes.md", line, column)
    assert err.message.startswith(message)
    assert str(err).startswith(f"notes.md:{line}:{column}: {message}")


def test_the_command_reports_a_bad_block_without_a_traceback(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n```symcount count\nlinear(C_in=3, C_oot=4)\n```\n", encoding="utf-8")
    assert main(["render", str(notes), "-o", str(tmp_path / "out.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{notes}:4:16: linear has no argument 'C_oot'") and "^^^^^" in err
    assert "Traceback" not in err and not (tmp_path / "out.md").exists()


# ------------------------------------------------------------------------------------ the Markdown extension


def markdown_html(text: str, extensions: list[object]) -> str:
    markdown = needs.module("markdown")
    needs.module("pymdownx")
    return str(markdown.markdown(text, extensions=extensions,
                                 extension_configs={"pymdownx.arithmatex": {"generic": True}}))


@pytest.mark.parametrize("first", [True, False], ids=["listed-first", "listed-after-superfences"])
def test_the_extension_runs_before_superfences(first: bool) -> None:
    from symcount.notes.markdown_ext import SymcountExtension

    site = ["pymdownx.arithmatex", "pymdownx.superfences", "pymdownx.highlight"]
    html = markdown_html(NOTES, [SymcountExtension(), *site] if first else [*site, SymcountExtension()])
    assert "<h2" in html and "A 3 × 3 convolution" in html
    assert r"295{,}168" in html and 'class="arithmatex"' in html  # the math kept whole for KaTeX
    assert "symcount derive --bias both" not in html
    # the bare fence stays code (highlighted into spans where the lexer is installed: compare the text)
    assert "conv2d(C_in=3, C_out=8, k=3)" in re.sub(r"<[^>]+>", "", html)


def test_without_the_extension_the_block_is_code() -> None:
    html = markdown_html(NOTES, ["pymdownx.superfences"])
    assert "295{,}168" not in html


def test_the_extension_stops_the_build_at_the_block_line() -> None:
    from symcount.notes.markdown_ext import SymcountExtension

    with pytest.raises(SymcountError) as info:
        markdown_html("# Notes\n\ntext\n\n```symcount count\nlinear(C_in=3, C_oot=4)\n```\n",
                      [SymcountExtension(filename="week3.md"), "pymdownx.superfences"])
    assert str(info.value).startswith("week3.md:6:16: linear has no argument 'C_oot'")


def test_the_installed_extension_is_found_by_name(installed: Path) -> None:
    needs.module("markdown")
    code = ("import markdown, sys\n"
            "print(markdown.markdown(sys.stdin.read(), extensions=['symcount', 'fenced_code']))\n")
    run = subprocess.run([sys.executable, "-c", code], input="```symcount count --format markdown\nlinear(C_in=128, "
                         "C_out=256)\n```\n", env={**os.environ, "PYTHONPATH": str(installed)}, cwd=installed.parent,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "33,024" in run.stdout and "```symcount" not in run.stdout
