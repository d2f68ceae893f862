"""Compile a pure-Python wheel to bytecode for Pyodide, run *inside* Pyodide by tools/playground_pyc.mjs.

Importing sympy from its sources costs the page about 8 s of compiling; its bytecode loads in a
fraction of that. Bytecode is tied to one Python version, so it is made by the Python that will read
it: Pyodide's own (run in node at build time). Each ``.py`` of the wheel becomes a sourceless ``.pyc``
beside it (how Pyodide ships its own packages), the packages' own test suites (``*/tests/``, never
imported, a third of sympy) are left out, other files are copied as they are, and RECORD keeps only the
files still there (the loader does not check hashes).

Only the standard library: this file is not part of the symcount package.
"""

from __future__ import annotations

import importlib.util
import marshal
import warnings
import zipfile


def pyc(source: bytes, name: str) -> bytes:
    """The bytecode file of one module (unchecked-hash flags: nothing to compare with at import)."""
    with warnings.catch_warnings():  # sympy's own SyntaxWarnings are not ours to report
        warnings.simplefilter("ignore")
        code = compile(source, name, "exec", dont_inherit=True)
    header = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def compile_wheel(source: str, target: str) -> None:
    """``target``: the wheel ``source`` with its modules as bytecode."""
    with zipfile.ZipFile(source) as wheel, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        kept: list[str] = []
        record = ""
        for info in wheel.infolist():
            name = info.filename
            if "/tests/" in name:
                continue
            data = wheel.read(info)
            if name.endswith(".py"):
                name, data = name + "c", pyc(data, name)
            if name.endswith(".dist-info/RECORD"):
                record = name
                continue
            out.writestr(name, data)
            kept.append(name)
        out.writestr(record, "".join(f"{name},,\n" for name in [*kept, record]))

