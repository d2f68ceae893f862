"""``make demo``: count every description of the gallery in one process.

One ``symcount count`` per file used to start a process each (27 of them, over
20 s on a quiet machine): the import and the parser start-up are paid once here,
so the whole gallery costs about what one count of ResNet-50 does
(``bench/run.py`` measures the ratio). Each file is counted exactly as
``symcount count FILE`` counts it (``--depth 0`` for the zoo), through the same
command-line entry point, and a failure stops the demo with its exit status.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIVATE = "To run symcount yourself, activate the environment first:  . .venv/bin/activate   then:  symcount --help"


def gallery(root: Path = ROOT) -> list[tuple[Path, list[str]]]:
    """The descriptions the demo counts, each with its extra ``symcount count`` options."""
    exams = [(path, []) for path in sorted((root / "derivations").glob("*.sc"))]
    zoo = [(path, ["--depth", "0"]) for path in sorted((root / "derivations" / "zoo").glob("*.sc"))]
    return exams + zoo


def main() -> int:
    from symcount.cli.main import main as symcount_main

    os.chdir(ROOT)  # the file names in the headings and in any error are the repository's
    for path, options in gallery():
        shown = path.relative_to(ROOT).as_posix()
        print(f"== {shown}" + (" (blocks folded: --depth 0)" if options else ""), flush=True)
        status = symcount_main(["count", shown, *options])
        if status != 0:
            return status
    print(f"\n{ACTIVATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
