"""symcount: exact, symbolic parameter counts for neural-network layers.

``count`` is the core; ``derive``, ``compare``, ``check`` and ``memory`` live
in their own modules and are imported on first use, so ``import symcount``
stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from symcount.api import count
from symcount.engine.count import Count
from symcount.engine.results import LayerResult, TensorResult
from symcount.errors import SymcountError

__all__ = ["count", "derive", "compare", "check", "memory", "compute", "Count", "LayerResult", "TensorResult",
           "SymcountError"]
__version__ = "0.1.0"

#: public name -> module that defines it (imported lazily)
_LAZY = {
    "derive": "symcount.teaching.derivation",
    "Derivation": "symcount.teaching.derivation",
    "compare": "symcount.teaching.compare",
    "Comparison": "symcount.teaching.compare",
    "check": "symcount.teaching.check",
    "Verdict": "symcount.teaching.check",
    "memory": "symcount.teaching.memory",
    "Memory": "symcount.teaching.memory",
    "compute": "symcount.teaching.memory",
    "Compute": "symcount.teaching.memory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'symcount' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
