"""The embedding table: V x d weights, looked up (0 MACs)."""

from __future__ import annotations

from symcount.catalog.common import _zero_macs, size
from symcount.catalog.core import (
    ANY,
    TRAINABLE,
    Args,
    ArgSpec,
    LayerType,
    Tensor,
    _keras_weight_options,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape

# -- embedding -------------------------------------------------------------------------

def _embedding_shape(a: Args, s: Shape) -> Shape:
    """One vector per token id; a flat input of n values (Keras ``Input(shape=(n,))``) is n ids."""
    if s.channels is not None and not s.spatial:
        return Shape((s.channels,), a.dim, True)
    return Shape(s.spatial, a.dim, True)


register(LayerType(
    name="embedding",
    ignored=("padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse", "mask_zero",
             *_keras_weight_options("embeddings")),
    spellings=(torch_nn("Embedding", ("V", "dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq",
                                      "sparse")),
               keras_layer("Embedding", ("V", "dim"))),
    aliases=("embed",),
    description="Embedding table: one learned vector of size dim for each of V tokens.",
    args=(size("V", "num_embeddings", "input_dim", "vocab_size", doc="vocabulary size"),
          size("dim", "embedding_dim", "output_dim", "d_model", symbol="d", doc="vector size"),
          TRAINABLE,
          ArgSpec("tied", ANY, None, (), doc="label of a layer whose weight this one shares")),
    tensors=lambda a, c: [Tensor("embeddings" if c == "keras" else "weight", (a.V, a.dim))],
    formulas=lambda a, c: {"param": "V*d"},
    shape=lambda a, s, c: _embedding_shape(a, s),
    macs=_zero_macs,
    macs_doc="0 (a table look-up)",
))
