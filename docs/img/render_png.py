"""Render a page of a derivation's standalone LaTeX to a PNG cropped to its content.

    python docs/img/render_png.py derivations/conv_exam.sc docs/img/conv_exam.png
    python docs/img/render_png.py derivations/zoo/resnet50.sc docs/img/resnet50_summary.png
    python docs/img/render_png.py derivations/zoo/llm/llama.sc#llama3_8b docs/img/llama3_8b_layers.png --page 2

Runs ``pdflatex -halt-on-error`` and ``pdftoppm -png -r 120`` (the page is
first rendered as a grey map to find where the ink is, so the PNG has a
small even margin instead of an A4 page of white).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from symcount import derive

DPI = 120
MARGIN = 24  # pixels of white around the ink


def ink_box(pgm: bytes) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the non-white pixels of a binary PGM."""
    header, rest = pgm.split(b"\n", 1)
    assert header == b"P5"
    dims, rest = rest.split(b"\n", 1)
    width, height = map(int, dims.split())
    _, pixels = rest.split(b"\n", 1)
    rows = [pixels[y * width:(y + 1) * width] for y in range(height)]
    inked = [y for y, row in enumerate(rows) if min(row) < 200]
    # ignore the page number at the foot of the page
    body = [y for y in inked if y < height * 0.9]
    top, bottom = body[0], body[-1]
    columns = [x for x in range(width) if any(rows[y][x] < 200 for y in range(top, bottom + 1))]
    return columns[0], top, columns[-1], bottom


def main(source: str, target: str, page: int = 1) -> None:
    path, _, network = source.partition("#")
    latex = derive(Path(path), network=network or None).latex(standalone=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "page.tex").write_text(latex, encoding="utf-8")
        for _ in range(2):  # twice: longtable settles its column widths on the second run
            subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "page.tex"],
                           cwd=work, check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        "page.pdf", "grey"], cwd=work, check=True)
        left, top, right, bottom = ink_box((work / "grey.pgm").read_bytes())
        x, y = max(left - MARGIN, 0), max(top - MARGIN, 0)
        w, h = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), "page.pdf", "out"],
                       cwd=work, check=True)
        Path(target).write_bytes((work / "out.png").read_bytes())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[4]) if sys.argv[3:4] == ["--page"] else 1)
