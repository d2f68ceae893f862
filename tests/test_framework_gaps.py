"""Options one framework lacks: counted the other framework's way, and the output says so.

Each case is an option symcount accepts under a convention whose framework
does not have it. The test proves the gap is real (the real layer refuses the
option) and that symcount's layer carries a note naming it; the same layer
without the option carries no such note.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

from collections.abc import Callable  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from keras import layers as kl  # noqa: E402
from torch import nn  # noqa: E402

import symcount  # noqa: E402

GAPS: list[tuple[str, str, str, str, Callable[[], object]]] = [
    # (convention, with the option, without it, a word the note must contain, the real framework refusing it)
    ("pytorch", 'conv2d(C_in=3, C_out=4, k=3, padding="same", stride=2)', 'conv2d(C_in=3, C_out=4, k=3, padding="same")',
     "stride", lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    ("pytorch", 'conv_transpose2d(C_in=3, C_out=4, k=3, padding="same")', "conv_transpose2d(C_in=3, C_out=4, k=3)",
     '"same"', lambda: nn.ConvTranspose2d(3, 4, 3, padding="same")(torch.zeros(1, 3, 5, 5))),
    ("pytorch", 'conv1d(C_in=3, C_out=4, k=3, padding="causal")', 'conv1d(C_in=3, C_out=4, k=3, padding="same")',
     "causal", lambda: nn.Conv1d(3, 4, 3, padding="causal")),
    ("keras", "conv2d(C_in=3, C_out=4, k=3, padding=1)", 'conv2d(C_in=3, C_out=4, k=3, padding="same")',
     "pads only by name", lambda: kl.Conv2D(4, 3, padding=1)),
    ("keras", "depthwise_conv2d(C_in=3, k=3, padding=1)", 'depthwise_conv2d(C_in=3, k=3, padding="valid")',
     "DepthwiseConv2D", lambda: kl.DepthwiseConv2D(3, padding=1)),
    ("pytorch", 'separable_conv2d(C_in=3, C_out=4, k=3, padding="same", stride=2)', "separable_conv2d(C_in=3, C_out=4, k=3)",
     "stride", lambda: nn.Conv2d(3, 3, 3, stride=2, padding="same", groups=3)),
    ("keras", "conv_transpose2d(C_in=4, C_out=4, k=3, groups=2)", "conv_transpose2d(C_in=4, C_out=4, k=3)",
     "groups", lambda: kl.Conv2DTranspose(4, 3, groups=2)),
    ("pytorch", 'maxpool2d(k=3, padding="same")', "maxpool2d(k=3, padding=1)",
     '"same"', lambda: nn.MaxPool2d(3, padding="same")(torch.zeros(1, 1, 5, 5))),
    ("keras", "maxpool2d(k=3, ceil_mode=true)", "maxpool2d(k=3)",
     "ceil_mode", lambda: kl.MaxPooling2D(3, ceil_mode=True)),
    ("keras", "maxpool2d(k=3, dilation=2)", "maxpool2d(k=3)", "dilation", lambda: kl.MaxPooling2D(3, dilation_rate=2)),
    ("keras", "avgpool1d(k=3, padding=1)", 'avgpool1d(k=3, padding="valid")',
     "pads only by name", lambda: kl.AveragePooling1D(3, padding=1)(np.zeros((1, 5, 2), "float32"))),
    # PyTorch's BatchNorm drops the shift alone (bias=False), not the scale alone
    ("pytorch", "batchnorm(C=3, scale=false)", "batchnorm(C=3, center=false)",
     "affine", lambda: nn.BatchNorm2d(3, scale=False)),
    ("pytorch", "groupnorm(G=1, C=3, scale=false)", "groupnorm(G=1, C=3)", "affine", lambda: nn.GroupNorm(1, 3, scale=False)),
    ("keras", "batchnorm(C=3, track_running_stats=false)", "batchnorm(C=3)",
     "moving", lambda: kl.BatchNormalization(track_running_stats=False)),
    ("pytorch", "layernorm(C=3, scale=false)", "layernorm(C=3, bias=false)", "scale", lambda: nn.LayerNorm(3, scale=False)),
    ("pytorch", "network n { input(L=4, C=3); layernorm(axis=(1, 2)) }", "network n { input(L=4, C=3); layernorm() }",
     "axis", lambda: nn.LayerNorm(3, axis=(1, 2))),
    ("keras", "rmsnorm(C=3, affine=false)", "rmsnorm(C=3)", "scale", lambda: kl.RMSNormalization(elementwise_affine=False)),
    ("keras", "lstm(C_in=3, hidden=4, proj=2)", "lstm(C_in=3, hidden=4)", "proj", lambda: kl.LSTM(4, proj_size=2)),
    ("pytorch", "gru(C_in=3, hidden=4, reset_after=false)", "gru(C_in=3, hidden=4)",
     "reset_after", lambda: nn.GRU(3, 4, reset_after=False)),
    ("pytorch", "prelu(C=3, shared_axes=1)", "prelu(C=3)", "shared_axes", lambda: nn.PReLU(3, shared_axes=[1])),
    ("pytorch", "attention(d_model=8, heads=2, kv_heads=1)", "attention(d_model=8, heads=2)",
     "head", lambda: nn.MultiheadAttention(8, 2, kv_heads=1)),
    ("pytorch", "attention(d_model=8, heads=2, out_dim=5)", "attention(d_model=8, heads=2)",
     "output_shape", lambda: nn.MultiheadAttention(8, 2, output_shape=5)),
    ("keras", "attention(d_model=8, heads=2, add_bias_kv=true)", "attention(d_model=8, heads=2)",
     "add_bias_kv", lambda: kl.MultiHeadAttention(2, 4, add_bias_kv=True)),
    ("keras", "attention(d_model=8, heads=2, kv_heads=1, value_dim=3)", "attention(d_model=8, heads=2, kv_heads=1)",
     "value_dim", lambda: kl.GroupQueryAttention(4, 2, 1, value_dim=3)),
]


@pytest.mark.parametrize(("convention", "used", "unused", "word", "refuse"), GAPS, ids=[g[1] for g in GAPS])
def test_gap_is_real_and_said(convention: str, used: str, unused: str, word: str,
                              refuse: Callable[[], object]) -> None:
    with pytest.raises((TypeError, ValueError, RuntimeError, AttributeError)):
        refuse()
    [layer] = symcount.count(used, convention=convention).layers
    framework = "PyTorch" if convention == "pytorch" else "Keras"
    gap_notes = [n for n in layer.notes if n.startswith(f"{framework}'s")]
    assert gap_notes and any(word in n for n in gap_notes), layer.notes
    [plain] = symcount.count(unused, convention=convention).layers
    assert not [n for n in plain.notes if n.startswith(f"{framework}'s") and word in n], plain.notes


def test_keras_is_importable_here() -> None:
    """The refusals above come from the real Keras 3 on the torch backend."""
    assert keras.backend.backend() == "torch"


# (convention, text, column, message, the real framework refusing the same thing)
REFUSED: list[tuple[str, str, int, str, Callable[[], object]]] = [
    ("pytorch", "dropout(p=2)", 9, "p=2 is not a probability: it must be between 0 and 1", lambda: nn.Dropout(2)),
    ("pytorch", "dropout(p=-1)", 9, "p=-1 is not a probability: it must be between 0 and 1", lambda: nn.Dropout(-1)),
    ("keras", "Dropout(1.5)", 9, "p=1.5 is not a probability: it must be between 0 and 1", lambda: kl.Dropout(1.5)),
    ("keras", "Dropout(rate=-0.5)", 9, "p=-0.5 is not a probability: it must be between 0 and 1",
     lambda: kl.Dropout(-0.5)),
    ("pytorch", "conv_transpose2d(C_in=1, C_out=1, k=3, output_padding=5)", 40,
     "output_padding=5 must be smaller than either the stride (1) or the dilation (1) (PyTorch ConvTranspose refuses it)",
     lambda: nn.ConvTranspose2d(1, 1, 3, output_padding=5)(torch.zeros(1, 1, 8, 8))),
    # dimension by dimension: the width's stride 1 and dilation 1 do not allow 1
    ("pytorch", "conv_transpose2d(C_in=1, C_out=1, k=3, stride=(2, 1), output_padding=1)", 55,
     "output_padding=1 must be smaller than either the stride (1) or the dilation (1) (PyTorch ConvTranspose refuses it)",
     lambda: nn.ConvTranspose2d(1, 1, 3, stride=(2, 1), output_padding=1)(torch.zeros(1, 1, 8, 8))),
    # Keras wants it below the stride whatever the dilation
    ("keras", "conv_transpose2d(C_in=1, C_out=1, k=3, dilation=2, output_padding=1)", 52,
     "output_padding=1 must be smaller than the stride (1) (Keras Conv*DTranspose refuses it)",
     lambda: kl.Conv2DTranspose(1, 3, dilation_rate=2, output_padding=1)),
]


@pytest.mark.parametrize(("convention", "text", "column", "message", "refused"), REFUSED)
def test_refused_as_the_framework_refuses(convention: str, text: str, column: int, message: str,
                                          refused: Callable[[], object]) -> None:
    with pytest.raises((ValueError, RuntimeError)):
        refused()
    with pytest.raises(symcount.SymcountError) as info:
        symcount.count(text, convention=convention)
    assert (info.value.line, info.value.column, info.value.message) == (1, column, message)


@pytest.mark.parametrize(("convention", "text", "accepted"), [
    ("pytorch", "dropout(p=1)", lambda: nn.Dropout(1)),
    ("keras", "dropout(p=0)", lambda: kl.Dropout(0)),
    # PyTorch lets the dilation allow it; Keras does not (above)
    ("pytorch", "conv_transpose2d(C_in=1, C_out=1, k=3, dilation=2, output_padding=1)",
     lambda: nn.ConvTranspose2d(1, 1, 3, dilation=2, output_padding=1)(torch.zeros(1, 1, 8, 8))),
    ("keras", "conv_transpose2d(C_in=1, C_out=1, k=3, stride=2, output_padding=1)",
     lambda: kl.Conv2DTranspose(1, 3, strides=2, output_padding=1)),
])
def test_accepted_where_the_framework_accepts(convention: str, text: str, accepted: Callable[[], object]) -> None:
    accepted()
    symcount.count(text, convention=convention)


def test_symbolic_rates_and_paddings_stay_open() -> None:
    """Only a certain violation is refused: a symbol could be any value."""
    assert symcount.count("dropout(p=q)").total == 0
    assert symcount.count("conv_transpose2d(C_in=1, C_out=1, k=3, stride=s, output_padding=1)").total == 10
