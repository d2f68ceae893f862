"""The layer catalog: one entry per layer kind, registered by the module of its family.

Importing the package registers every family in a fixed order (the order of the
layer reference); :func:`lookup` and :data:`CATALOG` then see them all.
"""

# The families register in the order imported here (the layer reference lists them so): not sorted.
from symcount.catalog import conv, pooling, norm, embedding, recurrent, attention, activations, resizing, vision  # noqa: F401, I001
from symcount.catalog import tensors  # noqa: F401, I001
from symcount.catalog.core import CATALOG, ArgSpec, Args, LayerType, Tensor, all_spellings, lookup, register

__all__ = ["CATALOG", "ArgSpec", "Args", "LayerType", "Tensor", "all_spellings", "lookup", "register"]
