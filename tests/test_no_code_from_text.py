"""User text never reaches eval, exec, sympify or parse_expr: no call to them anywhere in the package.

The language parses text with its own grammar (``language.parse``) and builds sympy objects
from the syntax tree; numbers become sympy objects through ``language.symbols.as_sympy``,
which refuses text. A call to any of these, even on a value that looks safe today, is one
refactor away from evaluating a user's string, so the test reads every module's syntax tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symcount"
#: Python's builtins that run text as code.
BUILTINS = {"eval", "exec", "compile", "__import__"}
#: sympy's functions that parse text (``sympy.sympify``, ``sympy.parsing...parse_expr``, ``sympy.S``).
SYMPY = {"sympify", "parse_expr"}


def _called_name(call: ast.Call) -> str | None:
    """The evaluator a call names, or None (``re.compile`` and a reader's own ``self.eval`` are not)."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in BUILTINS | SYMPY:
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.attr in SYMPY or (func.value.id == "sympy" and func.attr == "S"):
            return f"{func.value.id}.{func.attr}"
    return None


def test_no_module_calls_a_text_evaluator() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and _called_name(node) is not None:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {_called_name(node)}(...)")
    assert not found, "\n".join(found)
