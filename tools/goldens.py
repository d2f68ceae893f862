"""Golden derivations: ``python -m tools.goldens`` rewrites every ``.tex`` and ``.md``.

Each description in ``derivations/`` (the exam gallery) gets two files next
to it: ``NAME.tex``, the standalone LaTeX document (it compiles with pdflatex
as it is), and ``NAME.md``, the markdown with ``$$`` math. Tests compare them
byte for byte, so a change in a formula or in the typography shows up as a
diff to review, and ``make goldens`` (this module) accepts it.

Which files and how:

* every ``derivations/*.sc`` is derived once with no extra options (its own
  ``# convention:`` / ``# bias:`` lines apply, as they do for ``symcount derive``);
* a ``#! derive FLAGS`` line (any number) replaces that default with one
  derivation per line, ``FLAGS`` being ``symcount derive`` options
  (``--network``, ``--set``, ``--convention``, ``--bias``, ``--mul``, ...);
* files in subfolders of ``derivations/`` (``zoo/``, ``whatif/``, ``exams/``: other
  tools own them) join only with such a line: a ``#! derive`` line is how a file opts in.

``python -m tools.goldens --check`` only reports stale or missing goldens.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "derivations"
#: Folders of derivations/ that other tools own (zoo, whatif, exams, ...): their files,
#: like those of any subfolder, join only with a ``#! derive`` line.
OPT_IN_ONLY = ("zoo", "whatif", "exams")
DIRECTIVE = "#! derive"
SUFFIXES = {"latex": ".tex", "markdown": ".md"}
_OPTIONS = ("values", "convention", "network", "bias", "mul", "kernel_style", "digit_separator", "title",
            "shapes")


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


def _derivations(path: Path) -> list[Any]:
    from symcount.cli.derive import setup_derive
    from symcount.cli.main import parse_set
    from symcount.teaching.derivation import derive

    parser = argparse.ArgumentParser(prog="#! derive", add_help=False)
    setup_derive(parser.add_subparsers(dest="command"))
    out = []
    for flags in derive_lines(path) or [[]]:
        args = parser.parse_args(["derive", str(path), *flags])
        options = {name: getattr(args, name) for name in _OPTIONS}
        options["values"] = parse_set(options["values"])
        out.append(derive(path, **options))
    return out


def render(path: Path) -> dict[str, str]:
    """The golden texts of one description, by format (``latex`` is standalone)."""
    from symcount.render.derivation_latex import wrap_standalone

    derivations = _derivations(path)
    latex = "\n".join(d.latex() for d in derivations)
    markdown = "\n".join(d.markdown() for d in derivations)
    return {"latex": wrap_standalone(derivations[0].document.title, latex), "markdown": markdown}


def golden_path(source: Path, fmt: str) -> Path:
    return source.with_suffix(SUFFIXES[fmt])


def main(argv: Sequence[str] | None = None, write: Callable[[str], Any] = sys.stdout.write) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.goldens",
                                     description="Regenerate (or --check) the golden derivations.")
    parser.add_argument("--check", action="store_true", help="only report stale or missing goldens")
    args = parser.parse_args(argv)
    stale = []
    for source in golden_sources():
        for fmt, text in render(source).items():
            target = golden_path(source, fmt)
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == text:
                continue
            stale.append(str(target.relative_to(ROOT)))
            if not args.check:
                target.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "updated"
    write(f"{verb}: {', '.join(stale)}\n" if stale else "goldens up to date\n")
    return 1 if stale and args.check else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
