"""The playground: symcount in the browser with Pyodide (docs/playground.md, tools/playground.py).

Three levels, fastest first:

* the Python entry point the page calls (:func:`symcount.playground.playground`): the documents, and
  the error exactly as the CLI prints it;
* a node smoke test (tests/node/playground_smoke.mjs): Pyodide from node_modules loads the wheels the
  build vendors (compiled to bytecode, as the site serves them) and counts one layer, without a browser;
* a real browser: Playwright drives Debian's Chromium (the system binary, never ``playwright install``)
  on the built site served from 127.0.0.1, types the convolution exam and waits for 295,168 and 294,912
  rendered by KaTeX, types a broken description and reads the positioned error, and checks its
  screenshots (math drawn, no error banner); the same for a gallery page.

Node, node_modules (``npm ci``), Playwright and Chromium are skipped on a workstation without them and
required in CI (tests/needs.py; .ci/run installs them).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import needs
import pytest

from symcount.cli.main import main
from symcount.counting import MAX_SOURCE_BYTES
from symcount.playground import MAX_TEXT_BYTES, playground

ROOT = Path(__file__).resolve().parent.parent
SMOKE = Path(__file__).parent / "node" / "playground_smoke.mjs"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CONV_EXAM = (ROOT / "derivations" / "conv_exam.sc").read_text(encoding="utf-8")
BROKEN = "network broken {\n    input(H=32, W=32, C=3)\n    conv2d(C_out=8, kk=3)\n}\n"
#: Markup in a title and a network name: the page must show it, not run it.
HOSTILE = ('# title: <img src=x onerror="window.pwned=1"> **bold** `code` $\\href{javascript:alert(1)}{x}$\n'
           "network n {\n    input(C=3)\n    linear(C_out=4)\n}\n")
#: Where the browser test leaves its screenshots, to look at after a run.
SHOTS = ROOT / "build" / "playground" / "screenshots"


def cli_error(text: str) -> str:
    """What ``symcount count TEXT`` prints on stderr."""
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["count", text]) == 2
    return err.getvalue().rstrip("\n")


# ---------------------------------------------------------------------------
# The Python entry point


def test_the_answer_holds_the_table_the_derivation_and_a_latex_document() -> None:
    answer = json.loads(playground(CONV_EXAM))
    assert answer["ok"] and answer["name"] == "conv_exam"
    markdown = answer["markdown"]
    assert "**network conv_exam (pytorch, with bias)**" in markdown and "| 295,168 |" in markdown
    assert "**network conv_exam (pytorch, without bias)**" in markdown and "| 294,912 |" in markdown
    assert "&= 295{,}168" in markdown and "= 294{,}912" in markdown
    assert answer["latex"].startswith("\\documentclass") and "295{,}168" in answer["latex"]


def test_model_code_is_counted_too() -> None:
    code = ("import torch.nn as nn\n\nclass MLP(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.body = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n")
    answer = json.loads(playground(code))
    assert answer["ok"] and "101,770" in answer["markdown"]


@pytest.mark.parametrize("text", [BROKEN, "conv2d(C_in=3, C_out=8, k=3", "network n {\n    input(C=3)\n    frobnicate()\n}"])
def test_an_error_is_the_one_the_cli_prints(text: str) -> None:
    answer = json.loads(playground(text))
    assert not answer["ok"]
    assert answer["error"] == cli_error(text)
    assert answer["error"].startswith("<input>:") and "^" in answer["error"]


def test_the_size_limit_is_the_clis_and_empty_text_is_explained() -> None:
    assert MAX_TEXT_BYTES == MAX_SOURCE_BYTES
    answer = json.loads(playground("#" * (MAX_TEXT_BYTES + 1)))
    assert not answer["ok"] and "too large" in answer["error"] and "1,048,576" in answer["error"]
    answer = json.loads(playground("  \n"))
    assert not answer["ok"] and "empty" in answer["error"]


# ---------------------------------------------------------------------------
# Pyodide in node


@pytest.fixture(scope="module")
def wheels() -> list[Path]:
    """The wheels the site serves, built (and compiled by Pyodide) as ``make docs`` builds them."""
    needs.tool("node")
    needs.installed(ROOT / "node_modules" / "pyodide" / "pyodide.mjs", "`npm ci` installs Pyodide; .ci/run runs it")
    from tools import playground as build  # noqa: PLC0415 lazy: only when node and Pyodide are there

    return build.compile_wheels(build.build_wheels())


def test_pyodide_in_node_counts_a_layer_with_the_vendored_wheels(wheels: list[Path]) -> None:
    assert [w.name.split("-")[0] for w in wheels] == ["symcount", "lark", "sympy", "mpmath"]
    assert all(w.name.endswith("-py3-none-any.whl") for w in wheels)
    done = subprocess.run([needs.tool("node"), str(SMOKE), *map(str, wheels)], cwd=ROOT, input="conv2d(C_in=128, C_out=256, k=3)",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    answer_line, timing_line = done.stdout.strip().splitlines()[-2:]
    answer = json.loads(answer_line)
    assert answer["ok"], answer
    assert "| 295,168 |" in answer["markdown"] and "&= 295{,}168" in answer["markdown"]
    assert json.loads(timing_line)["count_ms"] > 0


# ---------------------------------------------------------------------------
# A real browser


@pytest.fixture(scope="module")
def served(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on a free port of 127.0.0.1 (a web worker does not run from file://)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never ``playwright install``: the system binary)."""
    sync_api = needs.module("playwright.sync_api")
    needs.installed(CHROMIUM, ".ci/run installs Debian's chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def opened(browser: Any, url: str) -> Iterator[tuple[Any, list[str]]]:
    """A page at ``url`` and the errors its scripts raise (each a test failure)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(url)
        yield page, errors
    finally:
        page.close()


def math_shown(page: Any, scope: str) -> list[str]:
    """The TeX of every formula KaTeX has drawn in ``scope`` (from the MathML annotation it keeps)."""
    return list(page.eval_on_selector_all(
        f"{scope} .katex annotation", "nodes => nodes.map(node => node.textContent)"))


def pixels(png: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium's screenshots are)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(row)
        previous = row
    return width, height, [(r[x], r[x + 1], r[x + 2]) for r in rows for x in range(0, stride, channels)]


def check_drawn(png: bytes, name: str) -> None:
    """A screenshot of a formula: some ink on a light background, neither blank nor one block of colour."""
    (SHOTS / name).write_bytes(png)
    width, height, rgb = pixels(png)
    assert width > 100 and height > 15, (name, width, height)
    ink = sum(1 for r, g, b in rgb if r + g + b < 300) / len(rgb)
    assert 0.005 < ink < 0.5, f"{name}: {ink:.1%} dark pixels"


#: The banner's red (docs/playground/playground.css .sc-banner): a screenshot with a block of it shows a failure.
BANNER_RED = (0xC6, 0x28, 0x28)


def check_no_banner(png: bytes, name: str) -> None:
    (SHOTS / name).write_bytes(png)
    _, _, rgb = pixels(png)
    assert sum(1 for pixel in rgb if pixel == BANNER_RED) < 100, f"{name} shows the error banner"


@pytest.fixture(scope="module")
def shots() -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


def test_the_playground_counts_in_chromium(browser: Any, served: str, shots: Path) -> None:
    with opened(browser, f"{served}/playground.html#example=dense_exam") as (page, errors):
        page.wait_for_selector("#pg-output .katex", timeout=90_000)  # the example the link asked for
        page.fill("#pg-input", CONV_EXAM)
        page.wait_for_function("""() => [...document.querySelectorAll('#pg-output .katex annotation')]
                                  .some(node => node.textContent.includes('294{,}912'))""", timeout=30_000)
        shown = math_shown(page, "#pg-output")
        assert any("&= 295{,}168" in tex for tex in shown) and any("= 294{,}912" in tex for tex in shown), shown
        assert page.is_hidden("#pg-banner") and page.is_hidden("#pg-error")
        assert "295,168" in page.inner_text("#pg-output table >> nth=0")
        check_no_banner(page.screenshot(full_page=True), "playground.png")
        check_drawn(page.locator("#pg-output .sc-math-display").nth(1).screenshot(), "playground-math.png")

        with page.expect_download() as download:
            page.click("#pg-tex")
        assert download.value.suggested_filename == "conv_exam.tex"
        tex = Path(download.value.path()).read_text(encoding="utf-8")
        assert tex == json.loads(playground(CONV_EXAM))["latex"]

        # what a student types reaches the output as text, never as markup
        page.fill("#pg-input", HOSTILE)
        page.wait_for_function("() => document.querySelector('#pg-output').textContent.includes('img src')")
        assert page.locator("#pg-output img, #pg-output script").count() == 0
        assert page.inner_text("#pg-output h3").startswith('<img src=x onerror="window.pwned=1"> **bold** `code` $')
        assert page.evaluate("() => window.pwned") is None

        page.fill("#pg-input", BROKEN)
        page.wait_for_selector("#pg-error:not([hidden])", timeout=30_000)
        assert page.inner_text("#pg-error") == cli_error(BROKEN)
        assert "<input>:3:21: conv2d has no argument 'kk'" in page.inner_text("#pg-error")
        check_no_banner(page.screenshot(), "playground-error.png")

        page.evaluate(f"""() => {{ const input = document.getElementById('pg-input');
                          input.value = 'x'.repeat({MAX_TEXT_BYTES + 1}); input.dispatchEvent(new Event('input')); }}""")
        page.wait_for_function("() => document.getElementById('pg-error').textContent.includes('too large')")
        assert "the limit is 1,048,576 bytes" in page.inner_text("#pg-error")
        assert errors == []


def test_a_gallery_page_renders_its_derivation_in_chromium(browser: Any, served: str, shots: Path) -> None:
    with opened(browser, f"{served}/gallery/conv_exam.html") as (page, errors):
        page.wait_for_selector(".arithmatex .katex", timeout=30_000)
        shown = math_shown(page, ".md-content")
        assert any("295{,}168" in tex for tex in shown) and any("294{,}912" in tex for tex in shown), shown
        check_no_banner(page.screenshot(full_page=True), "gallery.png")
        check_drawn(page.locator(".arithmatex .katex-display").nth(1).screenshot(), "gallery-math.png")
        assert errors == []
