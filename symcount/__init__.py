"""symcount: exact, symbolic parameter counts for neural-network layers."""

from symcount.api import count
from symcount.engine import Count, LayerResult, TensorResult
from symcount.errors import SymcountError

__all__ = ["count", "Count", "LayerResult", "TensorResult", "SymcountError"]
__version__ = "0.1.0"
