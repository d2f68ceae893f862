"""Every math block symcount writes in markdown renders in KaTeX and in MathJax 3.

The gallery's markdown goldens and ``derive --format markdown`` on every
``derivations/*.sc`` (with its defaults, ``--bias both`` and ``--convention
both``) are cut into their ``$$`` blocks and ``$...$`` spans, and all of them go
to one node process (tests/node/mathcheck.js) that renders each with KaTeX's
``renderToString`` (``throwOnError``; the rendered text may not show a literal
``[t]`` or ``[b]``, which KaTeX prints for an optional alignment argument) and
with MathJax 3 (``mathjax-full``, without the ``noerrors`` and ``noundefined``
packages, so an error shows as ``merror``). The npm packages come from the
committed package.json and package-lock.json (``npm ci`` into the ignored
node_modules, run here when it is missing).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import needs
import pytest

from tools import goldens

ROOT = goldens.ROOT
CHECKER = Path(__file__).parent / "node" / "mathcheck.js"
VARIANTS = {"defaults": [], "bias both": ["--bias", "both"], "convention both": ["--convention", "both"]}
_DISPLAY = re.compile(r"\$\$\n(.*?)\n\$\$", re.S)
_INLINE = re.compile(r"(?<![\$\\])\$(?!\$)([^$\n]+?)(?<!\\)\$")


def math_blocks(markdown: str) -> list[str]:
    """The display blocks and the inline spans of a markdown text (code spans left out)."""
    blocks = _DISPLAY.findall(markdown)
    prose = re.sub(r"`[^`\n]*`", "", _DISPLAY.sub("", markdown))
    return blocks + _INLINE.findall(prose)


@pytest.fixture(scope="module")
def render_math() -> object:
    node = needs.tool("node")
    if not all((ROOT / "node_modules" / name).is_dir() for name in ("katex", "mathjax-full")):
        subprocess.run([needs.tool("npm"), "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True,
                       capture_output=True)

    def run(blocks: list[str]) -> list[str | None]:
        done = subprocess.run([node, str(CHECKER)], cwd=ROOT, input=json.dumps(blocks), capture_output=True,
                              text=True, check=True)
        result: list[str | None] = json.loads(done.stdout)
        return result
    return run


def _sources() -> dict[str, str]:
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(goldens.GALLERY.rglob("*.md"))}
    for source in sorted(goldens.GALLERY.glob("*.sc")):
        for name, flags in VARIANTS.items():
            texts[f"derive {source.name} ({name})"] = goldens.run_cli(
                ["derive", str(source), "--format", "markdown", *flags])
    return texts


def test_checker_sees_the_failures(render_math) -> None:  # type: ignore[no-untyped-def]
    bad = [r"\begin{array}{@{}l@{}} a \end{array}", r"\begin{aligned}[t] a &= b \end{aligned}", r"\foo"]
    assert all(render_math(bad)), "the checker passes math KaTeX cannot render"
    assert render_math([r"\begin{aligned} P &= \tfrac{a}{b} \end{aligned}"]) == [None]


def test_every_markdown_math_block_renders(render_math) -> None:  # type: ignore[no-untyped-def]
    where: list[tuple[str, str]] = [(name, block) for name, text in _sources().items() for block in math_blocks(text)]
    assert len(where) > 300
    problems = [f"{name}: {problem}\n{block}" for (name, block), problem in zip(where, render_math([b for _, b in where]),
                                                                                strict=True) if problem]
    assert not problems, f"{len(problems)} of {len(where)} math blocks fail:\n\n" + "\n\n".join(problems[:10])
