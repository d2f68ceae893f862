"""Layers written as the frameworks spell them count as the frameworks do.

Exam questions quote framework code (``Dense(64, activation="relu")``,
``nn.Conv2d(3, 16, 3, 2, 1)``, ``GlobalAveragePooling2D()``): each call below is
valid symcount and valid Python, and is built with the real framework to
check symcount's count and output shape.
"""

from __future__ import annotations

import os
from dataclasses import replace

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import pytest  # noqa: E402

import symcount  # noqa: E402
from symcount.catalog.core import CATALOG, FRAMEWORKS, keras_layer, lookup, register  # noqa: E402

KERAS_NAMES = [
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool2D", "MaxPool2D", "MaxPooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool2D",
    "GlobalMaxPool2D", "GlobalMaxPooling2D", "AdaptiveAveragePooling2D", "AdaptiveMaxPooling2D",
]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_keras_layer_names_resolve(name: str) -> None:
    assert hasattr(keras.layers, name), f"{name} is not a Keras layer"
    assert lookup(name) is not None, f"symcount does not know Keras's {name}"


# (symcount input, torch input shape without the batch, the call as PyTorch code)
TORCH_CALLS = [
    ("H=32, W=32, C=3", (3, 32, 32), "Conv2d(3, 16, 3, 2, 1)"),
    ("H=32, W=32, C=3", (3, 32, 32), "Conv2d(3, 16, 3, 1, 1, 1, 1, False)"),
    ("H=9, W=9, C=4", (4, 9, 9), "Conv2d(4, 8, 3, 1, 0, 1, 2)"),
    ("H=8, W=8, C=16", (16, 8, 8), "ConvTranspose2d(16, 8, 3, 2, 1, 1)"),
    ("L=20, C=4", (4, 20), "Conv1d(4, 6, 5, 2, 2, padding_mode='zeros')"),
    ("H=9, W=9, C=4", (4, 9, 9), "MaxPool2d(3, 2, 1)"),
    ("H=7, W=7, C=4", (4, 7, 7), "MaxPool2d(2, 2, 0, 1, False, True)"),
    ("H=8, W=8, C=4", (4, 8, 8), "AvgPool2d(3, 2, 0, True)"),
    ("H=4, W=4, C=16", (16, 4, 4), "BatchNorm2d(16, 1e-3, 0.01)"),
    ("H=4, W=4, C=16", (16, 4, 4), "BatchNorm2d(16, eps=1e-5, momentum=0.1, affine=False)"),
    ("L=5, C=64", (5, 64), "LayerNorm(64, 1e-6)"),
    ("H=4, W=4, C=16", (16, 4, 4), "GroupNorm(4, 16, 1e-5, False)"),
    ("C=20", (20,), "Linear(20, 5, False)"),
    ("L=7, C=10", None, "LSTM(10, 20, 2, True, True, 0.0, True)"),
    ("L=7, C=10", None, "GRU(10, 20, 1, False)"),
    ("L=7, C=10", None, "RNN(10, 20, 2, 'relu', False)"),
    ("L=7, C=10", None, "LSTM(10, 20, batch_first=True, dropout=0.0)"),
    ("L=7, C=64", None, "MultiheadAttention(64, 8, 0.1, False)"),
    ("L=7, C=64", None, "TransformerEncoderLayer(64, 4, 128, 0.1, batch_first=True)"),
    ("L=7", None, "Embedding(100, 16, 0)"),
]


@pytest.mark.parametrize(("inp", "shape", "call"), TORCH_CALLS)
def test_pytorch_code_counts_as_pytorch(inp: str, shape: tuple[int, ...] | None, call: str) -> None:
    import torch
    from torch import nn

    module = eval(call, {name: getattr(nn, name) for name in dir(nn)})  # noqa: S307 - the test's own text
    result = symcount.count(f"network n {{ input({inp}); {call} }}", convention="pytorch")
    assert int(result.total) == sum(p.numel() for p in module.parameters()), call
    assert int(result.buffers) == sum(b.numel() for n, b in module.named_buffers()
                                      if not n.endswith("num_batches_tracked")), call
    if shape is not None:
        out = module(torch.zeros(1, *shape))
        assert tuple(int(n) for n in result.output_shape or ()) == tuple(out.shape[1:]), call


# (symcount input, Keras input shape, the call as Keras code)
KERAS_CALLS = [
    ("C=784", (784,), "Dense(64, activation='relu')"),
    ("C=784", (784,), "Dense(10, 'softmax', False)"),
    ("H=28, W=28, C=1", (28, 28, 1), "Conv2D(32, (3, 3), activation='relu')"),
    ("H=32, W=32, C=3", (32, 32, 3), "Conv2D(16, 3, 2, 'same')"),
    ("H=32, W=32, C=3", (32, 32, 3), "Conv2D(8, 3, 1, 'valid', 'channels_last', 1, 1, 'relu', False)"),
    ("L=100, C=7", (100, 7), "Conv1D(32, 5, activation='relu', kernel_initializer='he_normal')"),
    ("H=8, W=8, C=4", (8, 8, 4), "Conv2DTranspose(8, 3, 2, 'same')"),
    ("H=8, W=8, C=4", (8, 8, 4), "DepthwiseConv2D(3, 1, 'same', 2)"),
    ("H=8, W=8, C=4", (8, 8, 4), "SeparableConv2D(16, 3, activation='relu')"),
    ("H=9, W=9, C=4", (9, 9, 4), "MaxPooling2D((2, 2))"),
    ("H=9, W=9, C=4", (9, 9, 4), "MaxPooling2D(3, 2)"),
    ("H=9, W=9, C=4", (9, 9, 4), "AveragePooling2D(2, 1, 'same')"),
    ("H=8, W=8, C=4", (8, 8, 4), "GlobalAveragePooling2D()"),
    ("H=8, W=8, C=16", (8, 8, 16), "BatchNormalization(-1, 0.9, 1e-3)"),
    ("H=8, W=8, C=16", (8, 8, 16), "BatchNormalization(momentum=0.9, epsilon=1e-5)"),
    ("L=10, C=16", (10, 16), "LayerNormalization(epsilon=1e-6)"),
    ("L=10, C=16", (10, 16), "GroupNormalization(4, -1, 1e-3, False)"),
    ("L=10, C=8", (10, 8), "SimpleRNN(32, activation='tanh')"),
    ("L=10, C=8", (10, 8), "LSTM(32)"),
    ("L=10, C=8", (10, 8), "LSTM(32, dropout=0.2, recurrent_dropout=0.2, return_sequences=True)"),
    ("L=10, C=8", (10, 8), "GRU(16, 'tanh', 'sigmoid', False)"),
    ("L=10", (10,), "Embedding(1000, 64)"),
    ("L=10, C=16", (10, 16), "MultiHeadAttention(2, 8)"),
    ("L=10, C=16", (10, 16), "MultiHeadAttention(4, 8, 6, 0.1, False)"),
]


@pytest.mark.parametrize(("inp", "shape", "call"), KERAS_CALLS)
def test_keras_code_counts_as_keras(inp: str, shape: tuple[int, ...], call: str) -> None:
    layer = eval(call, {name: getattr(keras.layers, name) for name in dir(keras.layers)})  # noqa: S307
    x = keras.Input(shape)
    y = layer(x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else layer(x)
    model = keras.Model(x, y)
    result = symcount.count(f"network n {{ input({inp}); {call} }}", convention="keras")
    assert int(result.total) == model.count_params(), call
    assert int(result.trainable) == sum(int(w.numpy().size) for w in model.trainable_weights), call
    assert tuple(int(n) for n in result.output_shape or ()) == tuple(model.output_shape[1:]), call


def test_a_framework_spelling_takes_that_frameworks_order_and_the_catalog_name_its_own() -> None:
    # Keras Dense(64) is 64 units; the catalog's linear(64) is 64 inputs
    assert symcount.count("network n { input(C=784); Dense(64) }").total == 785 * 64
    assert symcount.count("linear(64, 10)").total == 65 * 10
    # LSTM is spelt alike: read from the call, the same under both conventions
    for convention, vectors in (("keras", 1), ("pytorch", 2)):
        one_layer = 4 * ((8 + 32) * 32 + vectors * 32)
        assert symcount.count("network n { input(L=10, C=8); LSTM(32) }", convention=convention).total == one_layer
        assert symcount.count("LSTM(8, 32)", convention=convention).total == one_layer
        assert symcount.count("network n { input(L=10, C=8); LSTM(32, 'tanh') }",
                              convention=convention).total == one_layer


def test_every_framework_order_names_arguments_the_layer_has_or_ignores() -> None:
    from symcount.catalog.spellings import FRAMEWORK_ORDERS

    for spelling, orders in FRAMEWORK_ORDERS.items():
        entry = lookup(spelling)
        assert entry is not None, spelling
        for order in orders.values():
            for name in order:
                assert entry.find_arg(name) is not None or entry.ignores(name) \
                    or entry.unmodelled_option(name) is not None, (spelling, name)
                if entry.find_arg(name) is not None:
                    assert not entry.ignores(name), (spelling, name)


def test_a_framework_spells_a_layer_or_says_why_it_lacks_it() -> None:
    """An entry counted under one framework only says why the other lacks it, and is not spelt there."""
    for entry in CATALOG.values():
        spelt = {s.framework for s in entry.spellings}
        assert not spelt & set(entry.missing), entry.name
        for framework in FRAMEWORKS:
            assert framework in entry.frameworks or entry.missing.get(framework, "").strip(), (entry.name, framework)
    lrn = CATALOG["lrn"]
    with pytest.raises(ValueError, match="say why keras lacks it"):
        register(replace(lrn, name="lrn_without_a_reason", missing={}))
    with pytest.raises(ValueError, match="which lacks it"):
        register(replace(lrn, name="lrn_spelt_in_keras", spellings=(keras_layer("LocalResponseNormalization"),)))
    assert "lrn_without_a_reason" not in CATALOG and "lrn_spelt_in_keras" not in CATALOG


def test_registered_aliases_are_the_spellings_then_symcounts_own_names() -> None:
    conv = CATALOG["conv_transpose2d"]
    assert conv.aliases == ("ConvTranspose2d", "Conv2DTranspose", "convtranspose2d", "deconv2d")
    assert CATALOG["lstm"].aliases == ("LSTM",)  # spelt alike in both frameworks: listed once


def test_bias_variants_find_a_positional_bias_in_the_frameworks_order() -> None:
    # PyTorch Conv2d's 8th positional argument is the bias; LSTM's 4th
    d = symcount.derive("Conv2d(3, 16, 3, 1, 1, 1, 1, False)", bias="both")
    assert [int(c.total) for c in d.counts] == [27 * 16 + 16, 27 * 16]
    d = symcount.derive("LSTM(10, 20, 1, True)", bias=False, convention="both")
    assert [int(c.total) for c in d.counts] == [4 * 30 * 20, 4 * 30 * 20]


@pytest.mark.parametrize(("source", "convention", "noted"), [
    ("network n { input(L=10, C=8); layers.LSTM(32) }", "pytorch", True),       # one bias vector vs two
    ("network n { input(H=8, W=8, C=3); BatchNormalization() }", "pytorch", True),  # moving statistics
    ("network n { input(H=8, W=8, C=3); nn.BatchNorm2d(3) }", "keras", True),
    ("network n { input(H=8, W=8, C=3); Conv2D(16, 3); Dense(4) }", "pytorch", False),  # counts agree
    ("network n { input(H=8, W=8, C=3); nn.BatchNorm2d(3) }", "pytorch", False),  # its own convention
    ("network n { input(L=10, C=8); lstm(hidden=32) }", "keras", False),          # the catalog's own name
])
def test_one_frameworks_code_counted_under_the_other_convention_says_so(source: str, convention: str,
                                                                       noted: bool) -> None:
    result = symcount.count(source, convention=convention)
    notes = [n for layer in result.layers for n in layer.notes if "code counted under" in n]
    assert bool(notes) == noted, notes
    if noted:
        other = "keras" if convention == "pytorch" else "pytorch"
        assert f"--convention {other}" in notes[0]
        # and the note is right: the other convention's count differs
        assert symcount.count(source, convention=other).total != result.total
