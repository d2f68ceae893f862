"""The sources of the golden files in ``derivations/`` and how each is rendered.

Golden files are compared (and, with ``--update-goldens``, rewritten) by one
mechanism: the ``golden`` pytest fixture of ``tests/conftest.py``. ``make
goldens`` runs ``pytest -m golden --update-goldens``. This module only finds
the descriptions that have goldens and renders what their goldens should hold;
it lives outside the package because it reads the repository tree.

Derivations (``tests/test_goldens.py``): each description in ``derivations/``
(the exam gallery) gets two files next to it: ``NAME.tex``, the standalone
LaTeX document (it compiles with pdflatex as it is), and ``NAME.md``, the
markdown with ``$$`` math.

* every ``derivations/*.sc`` is derived once with no extra options (its own
  ``# convention:`` / ``# bias:`` lines apply, as they do for ``symcount derive``);
* a ``#! derive FLAGS`` line (any number) replaces that default with one
  derivation per line, ``FLAGS`` being ``symcount derive`` options
  (``--network``, ``--set``, ``--convention``, ``--bias``, ``--mul``, ...);
* files in subfolders of ``derivations/`` (``zoo/``, ``whatif/``, ``exams/``) join
  only with such a line: a ``#! derive`` line is how a file opts in.

Comparisons (``derivations/whatif/``): each ``#! compare ARGS`` line of a
description is one ``symcount compare ARGS`` (``@`` standing for the file
itself); ``NAME.txt``, ``NAME.md`` and ``NAME.tex`` hold what it prints in each
format, the comparisons of one file joined by a blank line.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shlex
from pathlib import Path

from symcount.cli.derive import setup_derive
from symcount.cli.main import main as cli_main
from symcount.cli.main import parse_set
from symcount.render.derivation_latex import wrap_standalone
from symcount.teaching.derivation import Derivation, derive

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "derivations"
WHATIF = GALLERY / "whatif"
DIRECTIVE = "#! derive"
COMPARE_DIRECTIVE = "#! compare "
SUFFIXES = {"latex": ".tex", "markdown": ".md"}
COMPARE_SUFFIXES = {"text": ".txt", "markdown": ".md", "latex": ".tex"}
_OPTIONS = ("values", "convention", "network", "bias", "mul", "kernel_style", "digit_separator", "title",
            "shapes")


# ---------------------------------------------------------------------------- derivations

def derive_lines(path: Path) -> list[list[str]]:
    """The flags of each ``#! derive`` line of a description."""
    flags = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() == DIRECTIVE or line.startswith(DIRECTIVE + " "):
            flags.append(shlex.split(line[len(DIRECTIVE):]))
    return flags


def golden_sources(gallery: Path = GALLERY) -> list[Path]:
    """Every description with goldens: the gallery, plus opted-in files below it."""
    found = []
    for path in sorted(gallery.rglob("*.sc")):
        inside = path.relative_to(gallery).parts
        if len(inside) > 1 and not derive_lines(path):
            continue
        found.append(path)
    return found


def _derive_parser() -> argparse.ArgumentParser:
    """``symcount derive``'s own options, so a ``#! derive`` line means what it means on the command line."""
    parser = argparse.ArgumentParser(prog="#! derive", add_help=False)
    setup_derive(parser.add_subparsers(dest="command"))
    return parser


def _derivations(path: Path) -> list[Derivation]:
    parser = _derive_parser()
    out = []
    for flags in derive_lines(path) or [[]]:
        args = parser.parse_args(["derive", str(path), *flags])
        options = {name: getattr(args, name) for name in _OPTIONS}
        options["values"] = parse_set(options["values"])
        out.append(derive(path, **options))
    return out


def render(path: Path) -> dict[str, str]:
    """The golden texts of one description, by format (``latex`` is standalone)."""
    derivations = _derivations(path)
    latex = "\n".join(d.latex() for d in derivations)
    markdown = "\n".join(d.markdown() for d in derivations)
    return {"latex": wrap_standalone(derivations[0].document.title, latex), "markdown": markdown}


def golden_path(source: Path, fmt: str) -> Path:
    return source.with_suffix(SUFFIXES[fmt])


# ---------------------------------------------------------------------------- comparisons

def compare_commands(path: Path) -> list[list[str]]:
    """The ``#! compare ...`` lines of a description, ``@`` standing for the file itself."""
    commands = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(COMPARE_DIRECTIVE):
            args = shlex.split(line[len(COMPARE_DIRECTIVE):])
            commands.append([str(path) + a[1:] if a.startswith("@") else a for a in args])
    return commands


def run_cli(argv: list[str]) -> str:
    """What ``symcount ARGV`` prints on stdout; a non-zero exit is an error in the golden's source."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(argv)
    if code != 0:
        raise RuntimeError(f"symcount {shlex.join(argv)} exited with {code}")
    return out.getvalue()


def render_compare(path: Path, fmt: str) -> str:
    """What ``symcount compare`` prints for every comparison in the file, in one format."""
    return "\n".join(run_cli(["compare", *args, "--format", fmt]) for args in compare_commands(path))


def compare_goldens(directory: Path = WHATIF) -> list[tuple[Path, str, Path]]:
    """(description, format, golden output) for every comparison file."""
    out = []
    for source in sorted(directory.glob("*.sc")):
        for fmt, suffix in COMPARE_SUFFIXES.items():
            out.append((source, fmt, source.with_suffix(suffix)))
    return out
