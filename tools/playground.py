"""The playground's build step: Pyodide and the wheels it loads, put into the site by tools/site.py.

The playground page (docs/playground.md, docs/playground/*.js) runs symcount in the browser with
Pyodide, with nothing fetched from anywhere but the site itself. At build time this module

* builds symcount's own wheel from the checkout (``pip wheel --no-deps``), and gets the pure-Python
  wheels (``py3-none-any``) of its dependencies, lark, sympy and mpmath, at exactly the versions
  installed here (``pip download --no-deps --only-binary=:all:``; a wheel already in the folder is
  kept, so a second build is offline), into ``build/playground/wheels/`` (ignored by git);
* compiles them to bytecode with Pyodide's own Python in node (tools/playground_pyc.mjs): importing
  sympy from its sources costs the page about 8 s, from bytecode about 2 s. The compiled wheels, kept
  under the same names in ``build/playground/pyc/``, are what the site serves; each is compiled again
  only when its wheel or Pyodide changed;
* lists Pyodide's runtime files from ``node_modules/pyodide`` (``npm ci``, pinned by package-lock.json);
* writes ``manifest.json``: the wheels' file names (``pyodide.loadPackage`` resolves no dependencies
  for URLs, so all four are listed) and the size limit the page refuses above (the CLI's).

Anything missing stops the build with a message that says what and how to get it.
``python -m tools.playground`` builds the wheels alone and prints where they are.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from symcount.playground import MAX_TEXT_BYTES

ROOT = Path(__file__).resolve().parent.parent
PYODIDE = ROOT / "node_modules" / "pyodide"
#: What loadPyodide fetches: the module, the Emscripten runtime and its wasm, the standard library, the lock file.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
WHEELS = ROOT / "build" / "playground" / "wheels"
COMPILED = ROOT / "build" / "playground" / "pyc"
COMPILER = ROOT / "tools" / "playground_pyc.mjs"
#: symcount's dependencies, and theirs (sympy needs mpmath): all pure Python.
DEPENDENCIES = ("lark", "sympy", "mpmath")


class BuildError(Exception):
    """Something the playground needs is missing; the message says how to get it."""


def pyodide_files() -> dict[str, Path]:
    """Pyodide's runtime files by name, checked to be there."""
    missing = [name for name in PYODIDE_FILES if not (PYODIDE / name).is_file()]
    if missing:
        raise BuildError(f"Pyodide is not installed ({PYODIDE / missing[0]} is missing): run `npm ci` in {ROOT}")
    return {name: PYODIDE / name for name in PYODIDE_FILES}


def pyodide_python() -> str:
    """The Python version Pyodide runs (from its lock file), e.g. ``3.14.2``."""
    lock = json.loads(pyodide_files()["pyodide-lock.json"].read_text(encoding="utf-8"))
    return str(lock["info"]["python"])


def build_wheels(folder: Path = WHEELS) -> list[Path]:
    """symcount's wheel built from this checkout, then its dependencies' wheels, in loading order."""
    folder.mkdir(parents=True, exist_ok=True)
    wheels = [dependency_wheel(name, folder) for name in DEPENDENCIES]
    return [symcount_wheel(folder), *wheels]


def dependency_wheel(name: str, folder: Path) -> Path:
    """The pure-Python wheel of ``name`` at the installed version: kept from an earlier build, else downloaded."""
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(f"{name} is not installed: the playground vendors the installed version") from None
    stem = f"{name}-{version}-py3-none-any.whl"
    found = folder / stem
    if found.is_file():
        return found
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                           "--python-version", "3.14", "--platform", "any", "-d", str(folder), f"{name}=={version}"],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not found.is_file():
        raise BuildError(f"the wheel {stem} is missing and pip could not download it ({_last_line(done)}): "
                         f"put it in {folder} (pip download --no-deps {name}=={version})")
    return found


def symcount_wheel(folder: Path) -> Path:
    """symcount's own wheel, built from the checkout every time (its code is what the page runs)."""
    for old in folder.glob("symcount-*.whl"):
        old.unlink()
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *isolation,
                           "-w", str(folder), str(ROOT)], capture_output=True, text=True, timeout=300)
    built = sorted(folder.glob("symcount-*-py3-none-any.whl"))
    if done.returncode != 0 or len(built) != 1:
        raise BuildError(f"building symcount's wheel failed ({_last_line(done)}): try `pip wheel --no-deps .` in {ROOT}")
    return built[0]


def compile_wheels(wheels: list[Path], folder: Path = COMPILED) -> list[Path]:
    """The wheels as bytecode for this Pyodide, in ``folder`` under the same names; each is compiled again
    only when the wheel it was compiled from changed (symcount's, when its code did: hatchling's wheels
    are reproducible)."""
    pyodide_files()
    version = json.loads((PYODIDE / "package.json").read_text(encoding="utf-8"))["version"]
    stamp = folder / f"pyodide-{version}"
    if not stamp.is_file():  # another Pyodide: another Python's bytecode
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    todo = [w for w in wheels if _compiled_from(folder / w.name) != _digest(w)]
    if todo:
        _compile(todo, folder)
    stamp.touch()
    return [folder / w.name for w in wheels]


def _compile(wheels: list[Path], folder: Path) -> None:
    """Run tools/playground_pyc.mjs on copies of ``wheels`` in ``folder``, and note what each was made from."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not installed: the playground's wheels are compiled by Pyodide in node")
    pairs = [name for w in wheels for name in (f"source-{w.name}", w.name)]
    for wheel in wheels:
        shutil.copyfile(wheel, folder / f"source-{wheel.name}")
    try:
        done = subprocess.run([node, str(COMPILER), str(folder), *pairs], cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
    finally:
        for wheel in wheels:
            (folder / f"source-{wheel.name}").unlink()
    if done.returncode != 0:
        raise BuildError(f"compiling the wheels with Pyodide failed ({_last_line(done)}): run "
                         f"`node {COMPILER.relative_to(ROOT)} {folder} {' '.join(pairs)}` to see why")
    for wheel in wheels:
        (folder / f"{wheel.name}.from").write_text(_digest(wheel), encoding="utf-8")


def manifest(wheels: list[Path]) -> str:
    """What the page and its worker read first: the wheels to load, and the size limit."""
    return json.dumps({"wheels": [w.name for w in wheels], "max_bytes": MAX_TEXT_BYTES,
                       "python": pyodide_python()}, indent=1)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compiled_from(compiled: Path) -> str | None:
    """The digest of the wheel ``compiled`` was made from, None when it is not there."""
    stamp = compiled.with_name(compiled.name + ".from")
    return stamp.read_text(encoding="utf-8") if compiled.is_file() and stamp.is_file() else None


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return re.sub(r"\s+", " ", lines[-1]) if lines else f"exit status {done.returncode}"


if __name__ == "__main__":
    try:
        for wheel in compile_wheels(build_wheels()):
            print(wheel)
        print(f"Pyodide runs Python {pyodide_python()} ({PYODIDE})")
    except BuildError as err:
        sys.exit(f"playground: {err}")
