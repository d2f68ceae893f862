"""The documentation site builds (``mkdocs build --strict``) and works offline.

The site is built once into a temporary folder, as ``make docs`` builds it: the pages exist, every
page loads KaTeX and its fonts from the site itself (no CDN, no Google Fonts), the generated layer
reference has a section for every catalog entry, the CLI reference every verb, and the gallery's
derivations are rendered by the symcount Markdown extension (295{,}168 for the convolution exam).
Needs mkdocs (the docs extra) and node_modules (``npm ci``, which .ci/run runs): skipped on a
workstation without them, a failure in CI.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from symcount.catalog.core import CATALOG
from symcount.cli.verbs import VERBS

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["index", "getting-started", "playground", "language", "layers", "conventions", "derivation", "gallery/index",
         "zoo", "llm", "teaching", "notes", "frameworks", "activations", "json", "cli"]
#: Where a page would fetch from the network: a CDN or Google's fonts.
REMOTE = re.compile(r"fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|cdnjs\.|polyfill\.io", re.I)
RESOURCE = re.compile(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The site, built once per session by tests/conftest.py (the playground's browser test serves it too)."""
    return built_site


def page(site: Path, name: str) -> str:
    return (site / f"{name}.html").read_text(encoding="utf-8")


def test_the_pages_exist(site: Path) -> None:
    for name in PAGES:
        assert (site / f"{name}.html").is_file(), name
    for sc in sorted((ROOT / "derivations").glob("*.sc")):
        assert (site / "gallery" / f"{sc.stem}.html").is_file(), sc.name


def test_katex_and_everything_else_is_local(site: Path) -> None:
    for name in ("katex/katex.min.css", "katex/katex.min.js", "katex/contrib/auto-render.min.js"):
        assert (site / name).is_file(), name
    css = (site / "katex" / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts, "katex.min.css names no fonts"
    for font in fonts:
        assert (site / "katex" / font).is_file(), font
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not REMOTE.search(text), f"{path.relative_to(site)} fetches from {REMOTE.search(text)}"
        for url in RESOURCE.findall(text):
            assert not re.match(r"(https?:)?//", url), f"{path.relative_to(site)} loads {url}"
        if path.name != "404.html":
            assert 'katex/katex.min.js"' in text and 'katex/contrib/auto-render.min.js"' in text, path


def test_the_layer_reference_lists_every_catalog_entry(site: Path) -> None:
    text = page(site, "layers")
    for name in CATALOG:
        assert f'id="{name}"' in text, f"no section for {name}"
        assert f'href="#{name}"' in text, f"{name} is not in the index"
    # each section derives a worked example: the formula's math reaches KaTeX
    section = text[text.index('id="conv2d"'):text.index('id="conv_transpose2d"')]
    assert "torch.nn.Conv2d" in section and "keras.layers.Conv2D" in section
    assert '<div class="arithmatex">' in section and "C_{\\text{in}}" in html.unescape(section)


def test_the_cli_reference_lists_every_verb(site: Path) -> None:
    text = page(site, "cli")
    for verb in VERBS:
        assert f'id="{verb}"' in text, verb
        assert f"usage: symcount {verb}" in text, verb


def test_the_gallery_renders_the_derivations(site: Path) -> None:
    text = html.unescape(page(site, "gallery/conv_exam"))
    assert "295{,}168" in text and "294{,}912" in text
    assert '<div class="arithmatex">\\[' in text  # left whole for KaTeX's auto-render
    assert "```symcount" not in text  # every block ran


def test_the_docs_examples_are_highlighted_as_symcount(site: Path) -> None:
    """The ```sc examples are read by the symcount lexer (mkdocs.yml maps sc to it; Pygments's own sc is
    SuperCollider, which would call `conv2d` a name and `#:` an error)."""
    for name in ("language", "gallery/conv_exam"):
        text = page(site, name)
        assert '<span class="kd">network</span>' in text and '<span class="nf">conv2d</span>' in text, name
        assert 'class="err"' not in text, name
