"""``make demo``: the gallery counted in one process (tools/demo.py), each file as ``symcount count`` counts it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import symcount
from symcount.api import file_variants
from tools import demo

ROOT = Path(__file__).resolve().parent.parent


def test_demo_counts_every_description_of_the_gallery() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = demo.main()
    assert status == 0
    text = out.getvalue()
    sections = re.split(r"^== ", text, flags=re.M)[1:]
    files = demo.gallery()
    assert len(sections) == len(files) >= 20
    for section, (path, _) in zip(sections, files, strict=True):
        name = path.relative_to(ROOT).as_posix()
        assert section.startswith(name), (section[:80], name)
        # a file whose settings ask for both conventions or both bias choices prints a table for each
        for convention, bias in file_variants(path, None, None):
            total = symcount.count(path, convention=convention, bias=bias).total
            if total.is_Integer:
                assert f"{int(total):,}" in section, (name, convention, bias)


def test_demo_ends_by_saying_how_to_run_symcount() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        demo.main()
    assert out.getvalue().rstrip().endswith(demo.ACTIVATE)
    assert ". .venv/bin/activate" in demo.ACTIVATE
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start"):readme.index("## Framework code")]
    assert ". .venv/bin/activate" in quick_start
    assert re.search(r"```\nmake demo\nmake test\n```", quick_start), "the Quick start is two commands"
