"""The playground in headless Chromium: time to the first count, and to a later count after typing.

The site is built (``mkdocs build``, as ``make docs``; or ``--site DIR`` reuses one), served from
127.0.0.1, and opened in a fresh Debian Chromium each run (Playwright with the system binary: an empty
cache, as a student's first visit). Measured:

* first count: from navigation to the convolution exam's derivation drawn by KaTeX (Pyodide, the
  standard library, the four wheels, importing sympy and symcount, the count and the rendering);
* later count: from typing a change to the new derivation drawn (the page's 400 ms pause included).

Targets (issue 21): first count under 15 s, later counts under 1 s.

    python bench/playground_bench.py            # print
    python bench/playground_bench.py --record   # and append a section to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import functools
import http.server
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import cpu_model  # noqa: E402  (the shared measuring helpers beside this file)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CONV_EXAM = (ROOT / "derivations" / "conv_exam.sc").read_text(encoding="utf-8")
TARGET_FIRST, TARGET_LATER = 15.0, 1.0
DRAWN = "tex => [...document.querySelectorAll('#pg-output .katex annotation')].some(n => n.textContent.includes(tex))"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        pass


def build_site(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                   cwd=ROOT, check=True)
    return out


def one_run(url: str) -> dict[str, float]:
    """A fresh browser: the first count, then three later ones (their median)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.wait_for_function(DRAWN, arg="295{,}168", timeout=120_000)
        marks = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('mark')
                                   .map(mark => [mark.name, mark.startTime]))""")
        first = marks["playground-shown"] / 1000
        later = []
        for c_out in (512, 64, 1024):
            started = time.monotonic()
            page.fill("#pg-input", CONV_EXAM.replace("C_out=256", f"C_out={c_out}"))
            page.wait_for_function(DRAWN, arg=f"{(9 * 128 + 1) * c_out:,}".replace(",", "{,}"), timeout=30_000)
            later.append(time.monotonic() - started)
        browser.close()
    return {"first": first, "ready": marks["playground-ready"] / 1000, "later": statistics.median(later)}


def measure(site: Path, repeat: int) -> dict[str, float]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/playground.html"
    load = os.getloadavg()[0]
    try:
        runs = [one_run(url) for _ in range(repeat)]
    finally:
        server.shutdown()
    best = {f"{key}_best": min(run[key] for run in runs) for key in runs[0]}
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]} | best | {"load": load}


def report(r: dict[str, float], repeat: int) -> str:
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    return "\n".join([
        f"## Playground: symcount in headless Chromium with Pyodide ({datetime.date.today().isoformat()})",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs (nproc), {platform.system()} {platform.release()}; "
        f"{chromium}, the site served from 127.0.0.1; load average {r['load']:.1f} at the start (other work "
        f"shares the machine). Median of {repeat} fresh browsers (empty cache); the site serves the wheels "
        "compiled to bytecode at build time (tools/playground.py).",
        "",
        "| | median | best | target (median) |",
        "|---|--:|--:|---|",
        f"| page opened -> Python and the wheels loaded, symcount imported | {r['ready']:.1f} s "
        f"| {r['ready_best']:.1f} s | |",
        f"| page opened -> first count drawn (`derivations/conv_exam.sc`) | {r['first']:.1f} s "
        f"| {r['first_best']:.1f} s | < {TARGET_FIRST:.0f} s: {verdict(r['first'] < TARGET_FIRST)} |",
        f"| typing a change -> its count drawn (400 ms pause included; median of 3 per browser) | {r['later']:.2f} s "
        f"| {r['later_best']:.2f} s | < {TARGET_LATER:.0f} s: {verdict(r['later'] < TARGET_LATER)} |",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--site", type=Path, help="a built site to serve (default: build one)")
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_site(Path(tmp) / "site")
        results = measure(site, args.repeat)
    text = report(results, args.repeat)
    print(text)
    if args.record:
        path = ROOT / "bench" / "RESULTS.md"
        previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
        path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0 if results["first"] < TARGET_FIRST and results["later"] < TARGET_LATER else 1


if __name__ == "__main__":
    sys.exit(main())
