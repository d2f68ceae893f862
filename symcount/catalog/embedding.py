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
    Unmodelled,
    _keras_weight_options,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape

# -- embedding -------------------------------------------------------------------------

def _embedding_shape(a: Args, s: Shape, convention: str) -> Shape:
    """One vector per token id, every axis of the ids kept: ids of shape (L,) give (L, d), and the
    network's input of shape (A, B) (Keras ``Input(shape=(A, B))``, a PyTorch (N, A, B) tensor) gives
    (A, B, d), as both frameworks do. A flat input of n values (Keras ``Input(shape=(n,))``) is n ids.
    On features a layer made, (L, C), the table is a position embedding: one d-vector per position
    (Whisper's embed_positions added in a residual)."""
    if s.channels is None:
        return Shape(s.spatial, a.dim, True)
    if s.declared or not s.spatial:
        return Shape(s.layout(convention), a.dim, True)
    return Shape(s.spatial, a.dim, True)


register(LayerType(
    name="embedding",
    ignored=("padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse", "mask_zero",
             "_weight", "weights", "lora_alpha", *_keras_weight_options("embeddings")),
    unmodelled=(Unmodelled("_freeze", (False,), "a frozen embedding's weight is not trainable: write "
                           "trainable=false", True),
                Unmodelled("lora_rank", (None,), "LoRA adds two low-rank weights symcount does not count", 4),
                Unmodelled("quantization_config", (None,), "a quantized layer keeps other weights (and scales) "
                           "than the float layer symcount counts", "int8")),
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
    shape=_embedding_shape,
    macs=_zero_macs,
    macs_doc="0 (a table look-up)",
))
