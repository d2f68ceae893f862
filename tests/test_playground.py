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
import subprocess
import threading
from collections.abc import Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
#: Whether KaTeX has drawn a formula whose TeX holds the argument.
DRAWN = "tex => [...document.querySelectorAll('#pg-output .katex annotation')].some(n => n.textContent.includes(tex))"
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


def test_a_symbolic_count_is_no_emphasis_in_the_table() -> None:
    """``8192*L**2`` in a markdown cell would be read as emphasis: its stars are escaped."""
    llama = (ROOT / "derivations" / "zoo" / "llm" / "llama.sc").read_text(encoding="utf-8")
    answer = json.loads(playground(llama, "llama3_8b"))
    assert "| 8192\\*L\\*\\*2 + 41943040\\*L |" in answer["markdown"]


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


TWO_NETWORKS = ("network small {\n    input(C=3)\n    linear(C_out=4)\n}\n"
                "network large {\n    input(C=300)\n    linear(C_out=400)\n}\n")


def test_a_text_with_several_networks_counts_the_one_chosen() -> None:
    first = json.loads(playground(TWO_NETWORKS))
    assert first["networks"] == ["small", "large"] and first["name"] == "small" and "| 16 |" in first["markdown"]
    chosen = json.loads(playground(TWO_NETWORKS, "large"))
    assert chosen["name"] == "large" and "| 120,400 |" in chosen["markdown"] and "120{,}400" in chosen["latex"]
    assert json.loads(playground(TWO_NETWORKS, "gone"))["name"] == "small"  # a choice the text no longer has
    assert json.loads(playground(CONV_EXAM))["networks"] == []


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


def pixels(png: bytes) -> list[tuple[int, int, int]]:
    """The RGB pixels of a screenshot, and checks that it is a real picture of some size."""
    image = needs.module("PIL.Image").open(io.BytesIO(png)).convert("RGB")
    assert image.width > 100 and image.height > 15, image.size
    data = image.tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]


def check_drawn(png: bytes, name: str) -> None:
    """A screenshot of a formula: some ink on a light background, neither blank nor one block of colour."""
    (SHOTS / name).write_bytes(png)
    rgb = pixels(png)
    ink = sum(1 for r, g, b in rgb if r + g + b < 300) / len(rgb)
    assert 0.005 < ink < 0.5, f"{name}: {ink:.1%} dark pixels"


#: The banner's red (docs/playground/playground.css .sc-banner): a screenshot with a block of it shows a failure.
BANNER_RED = (0xC6, 0x28, 0x28)


def check_no_banner(png: bytes, name: str) -> None:
    (SHOTS / name).write_bytes(png)
    rgb = pixels(png)
    assert sum(1 for pixel in rgb if pixel == BANNER_RED) < 100, f"{name} shows the error banner"


@pytest.fixture(scope="module")
def shots() -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


def test_the_playground_counts_in_chromium(browser: Any, served: str, shots: Path) -> None:
    with opened(browser, f"{served}/playground.html#example=dense_exam") as (page, errors):
        page.wait_for_selector("#pg-output .katex", timeout=90_000)  # the example the link asked for
        assert page.get_attribute('.sc-example[data-name="dense_exam"]', "aria-pressed") == "true"
        assert page.input_value("#pg-input") == (ROOT / "derivations" / "dense_exam.sc").read_text(encoding="utf-8")
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
        assert page.locator('#pg-output img, #pg-output script, #pg-output a[href^="javascript"]').count() == 0
        assert page.inner_text("#pg-output h3").startswith('<img src=x onerror="window.pwned=1"> **bold** `code` $')
        assert page.evaluate("() => window.pwned") is None

        page.fill("#pg-input", BROKEN)
        page.wait_for_selector("#pg-error:not([hidden])", timeout=30_000)
        assert page.inner_text("#pg-error") == cli_error(BROKEN)
        assert "<input>:3:21: conv2d has no argument 'kk'" in page.inner_text("#pg-error")
        check_no_banner(page.screenshot(), "playground-error.png")

        # several networks: the page offers the choice --network makes
        page.fill("#pg-input", TWO_NETWORKS)
        page.wait_for_selector("#pg-network-choice:not([hidden])")
        page.select_option("#pg-network", "large")
        page.wait_for_function(DRAWN, arg="120{,}400")

        # a link made by Copy link opens the playground on its text
        page.fill("#pg-input", "conv2d(C_in=3, C_out=5, k=1)")
        page.click("#pg-link")
        link = page.evaluate("() => location.href")
        assert link.endswith("#code=" + quote("conv2d(C_in=3, C_out=5, k=1)", safe="!*'()"))
        page.evaluate("() => { location.hash = '#example=lenet5'; }")
        page.wait_for_function("() => document.getElementById('pg-input').value.includes('lenet')")
        page.evaluate(f"() => {{ location.hash = {json.dumps(link.split('#')[1])}; }}")
        page.wait_for_function("() => document.getElementById('pg-input').value === 'conv2d(C_in=3, C_out=5, k=1)'")
        page.wait_for_function(DRAWN, arg="= 20")

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
        assert page.locator('a[href="../playground.html#example=conv_exam"]').count() == 1
        check_no_banner(page.screenshot(full_page=True), "gallery.png")
        check_drawn(page.locator(".arithmatex .katex-display").nth(1).screenshot(), "gallery-math.png")
        assert errors == []


# ---------------------------------------------------------------------------
# The build step's messages


def test_the_build_says_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tools import playground as build  # noqa: PLC0415 lazy: tools/ is not the package under test

    monkeypatch.setattr(build, "PYODIDE", tmp_path / "pyodide")
    with pytest.raises(build.BuildError, match=r"Pyodide is not installed .*pyodide\.mjs is missing\): run `npm ci`"):
        build.pyodide_files()
    with pytest.raises(build.BuildError, match="no-such-package is not installed"):
        build.dependency_wheel("no-such-package", tmp_path)


def test_opened_from_a_file_it_says_to_serve_it(browser: Any, built_site: Path) -> None:
    """From file:// no module script or worker runs: the page says how to serve it instead of loading forever."""
    page = browser.new_page()
    try:
        page.goto((built_site / "playground.html").as_uri())
        page.wait_for_selector("#pg-banner:not([hidden])", timeout=10_000)
        assert "python -m http.server -d site" in page.inner_text("#pg-banner")
        assert page.inner_text("#pg-status") == "Python cannot run from a file"
    finally:
        page.close()
