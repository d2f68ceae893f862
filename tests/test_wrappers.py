"""Keras's wrapper layers, Bidirectional and TimeDistributed, against the real Keras 3 (torch backend).

Each snippet is pasted Keras code: symcount counts its text, and the test runs the
same text as Python with ``keras``/``layers`` in scope (symcount itself never
evaluates anything). Totals, trainable and non-trainable weights, each layer's
count and output shape must agree; MACs are checked against torch's
``FlopCounterMode`` running the Keras model (the torch backend runs torch ops).
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import warnings  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import symcount  # noqa: E402
from symcount import SymcountError  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

_TF = SimpleNamespace(keras=keras)
SCOPE = {"keras": keras, "layers": keras.layers, "tf": _TF,
         **{name: getattr(keras.layers, name) for name in dir(keras.layers) if not name.startswith("_")}}

#: The exam question: model.summary() of a bidirectional LSTM sentiment classifier.
EXAM = """model = keras.Sequential([
    keras.Input(shape=(200,)),
    layers.Embedding(10000, 128),
    layers.Bidirectional(layers.LSTM(64)),
    layers.Dense(1, activation="sigmoid"),
])"""

KERAS_MODELS = [
    EXAM,
    # stacked, concat (the default): the second layer reads 2 x 32 features
    """model = keras.Sequential([
    keras.Input(shape=(30, 16)),
    layers.Bidirectional(layers.LSTM(32, return_sequences=True)),
    layers.Bidirectional(layers.LSTM(16)),
    layers.Dense(3),
])""",
    # merge modes: sum, ave, mul keep H wide
    """model = keras.Sequential([
    keras.Input(shape=(20, 8)),
    layers.Bidirectional(layers.GRU(16, return_sequences=True), merge_mode="sum"),
    layers.Bidirectional(layers.LSTM(4), merge_mode="ave"),
    layers.Dense(1),
])""",
    """model = keras.Sequential([
    keras.Input(shape=(7, 3)),
    layers.Bidirectional(layers.GRU(8, reset_after=False, return_sequences=True), merge_mode="mul"),
    layers.Bidirectional(layers.SimpleRNN(5, use_bias=False)),
])""",
    # GRU's reset_after (two bias vectors, the Keras 3 default), merge_mode given by position
    """model = keras.Sequential([
    keras.Input(shape=(9, 6)),
    keras.layers.Bidirectional(keras.layers.GRU(10, return_sequences=True), "concat"),
    keras.layers.Bidirectional(keras.layers.GRU(7, reset_after=True)),
])""",
    # prefixes, bias off; trainable=False given to a wrapper's constructor leaves the wrapped weights
    # trainable in Keras 3 (it is not passed on), and symcount counts as Keras does
    """model = tf.keras.Sequential([
    tf.keras.Input(shape=(12, 5)),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(8, use_bias=False, return_sequences=True)),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(6), trainable=False),
    tf.keras.layers.Dense(2),
])""",
    # frozen wrapped layers (non-trainable), and trainable=False on TimeDistributed itself (not passed on)
    """model = keras.Sequential([
    keras.Input(shape=(5, 4)),
    layers.Bidirectional(layers.LSTM(6, trainable=False, return_sequences=True)),
    layers.TimeDistributed(layers.Dense(3, trainable=False)),
    layers.TimeDistributed(layers.Dense(2), trainable=False),
])""",
    # TimeDistributed: Dense on every step, and a CNN on every frame of a clip
    """model = keras.Sequential([
    keras.Input(shape=(10, 8)),
    layers.TimeDistributed(layers.Dense(5)),
    layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
    layers.TimeDistributed(layers.Dense(1)),
])""",
    """model = keras.Sequential([
    keras.Input(shape=(6, 32, 32, 3)),
    layers.TimeDistributed(layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")),
    layers.TimeDistributed(layers.MaxPooling2D(2)),
    layers.TimeDistributed(layers.Conv2D(8, (3, 3))),
    layers.TimeDistributed(layers.Flatten()),
    layers.LSTM(12),
    layers.Dense(1),
])""",
    # a wrapper inside a wrapper: a bidirectional LSTM over each row
    """model = keras.Sequential([
    keras.Input(shape=(3, 7, 5)),
    layers.TimeDistributed(layers.Bidirectional(layers.LSTM(4))),
])""",
]


def _keras_model(code: str) -> Any:
    scope = dict(SCOPE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, scope)  # noqa: S102 - the test's own text, run by the real Keras
    return scope["model"]


def _size(weights: list[Any]) -> int:
    return sum(int(np.prod(w.shape, dtype=np.int64)) for w in weights)


def _flops(model: Any) -> int:
    """The model's MACs x 2 as torch counts them, on a batch of one."""
    x = torch.zeros((1, *model.input_shape[1:]))
    with FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("code", KERAS_MODELS, ids=range(len(KERAS_MODELS)))
def test_wrapped_layers_match_keras(code: str) -> None:
    model = _keras_model(code)
    result = symcount.count(code, convention="keras")
    assert int(result.total) == model.count_params(), code
    assert int(result.trainable) == _size(model.trainable_weights), code
    assert int(result.non_trainable) == _size(model.non_trainable_weights), code
    assert len(result.layers) == len(model.layers)
    for mine, theirs in zip(result.layers, model.layers, strict=True):
        assert int(mine.total) == theirs.count_params(), (mine.name, code)
        assert tuple(int(n) for n in mine.output_shape) == tuple(theirs.output.shape[1:]), (mine.name, code)
        if mine.kind.startswith(("bidirectional", "time_distributed")):  # named after the wrapper, as Keras does
            assert mine.name.rsplit("_", 1)[0] in theirs.name, (mine.name, theirs.name)


#: Models whose MACs torch's FlopCounterMode sees in full (it counts matmuls and convolutions;
#: recurrent cells run as matmuls under the torch backend).
MAC_MODELS = [KERAS_MODELS[i] for i in (0, 1, 7, 8)]


@pytest.mark.parametrize("code", MAC_MODELS, ids=range(len(MAC_MODELS)))
def test_wrapped_layers_macs_match_torch_flop_counter(code: str) -> None:
    model = _keras_model(code)
    result = symcount.count(code, convention="keras")
    assert 2 * int(result.macs) == _flops(model), code


def test_the_exam_question() -> None:
    """Embedding(10000, 128) -> Bidirectional(LSTM(64)) -> Dense(1): 1,280,000 + 98,816 + 129."""
    result = symcount.count(EXAM, convention="keras")
    assert [int(layer.total) for layer in result.layers] == [1_280_000, 98_816, 129]
    assert result.total == 1_378_945
    assert result.layers[1].kind == "bidirectional(lstm)"
    assert result.layers[1].formulas["param"] == "2*4*((C_in + H)*H + b*H)"


@pytest.mark.parametrize(("kind", "cls"), [("LSTM", nn.LSTM), ("GRU", nn.GRU), ("SimpleRNN", nn.RNN)])
def test_pytorch_convention_is_a_bidirectional_torch_rnn(kind: str, cls: type[nn.Module]) -> None:
    """Under the PyTorch convention, Bidirectional(LSTM(64)) counts as nn.LSTM(C_in, 64, bidirectional=True);
    its output stays the Keras layer's (the last step of each direction), since the layers after it are
    Keras's and see that shape whatever the counting convention."""
    text = f"network n {{ input(L=20, C=128); Bidirectional({kind}(64)) }}"
    result = symcount.count(text, convention="pytorch")
    torch_rnn = cls(128, 64, bidirectional=True)
    assert int(result.total) == sum(p.numel() for p in torch_rnn.parameters())
    keras_layer = keras.layers.Bidirectional(getattr(keras.layers, kind)(64))
    out = keras_layer(np.zeros((1, 20, 128), dtype="float32"))
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:]) == (128,)
    canonical = symcount.count(f"network n {{ input(L=20, C=128); {kind.lower()}(hidden=64, bidirectional=true) }}",
                               convention="pytorch")
    assert canonical.total == result.total


def test_canonical_spellings_count_as_the_keras_ones() -> None:
    keras_text = 'network n { input(L=20, C=8); Bidirectional(GRU(16, return_sequences=True), merge_mode="sum"); ' \
                 "TimeDistributed(Dense(3)) }"
    canonical = 'network n { input(L=20, C=8); bidirectional(gru(hidden=16, return_sequences=true), merge="sum"); ' \
                "time_distributed(linear(C_out=3)) }"
    inline = 'network n { input(L=20, C=8); gru(hidden=16, return_sequences=true, bidirectional=true, merge="sum"); ' \
             "linear(C_out=3) }"
    a, b, c = (symcount.count(t, convention="keras") for t in (keras_text, canonical, inline))
    assert a.total == b.total == c.total
    assert a.output_shape == b.output_shape == c.output_shape == (20, 3)
    assert a.macs == b.macs == c.macs


def test_symbolic_wrapped_counts() -> None:
    result = symcount.count("network n { input(L=T, C=C); Bidirectional(LSTM(H)) }", convention="keras")
    assert result.layers[0].formulas["param"] == "2*4*((C_in + H)*H + b*H)"
    assert str(result.total) == str(symcount.count("lstm(C_in=C, hidden=H, bidirectional=true)",
                                                   convention="keras").total)


def test_merge_is_keras_only_and_says_so_under_pytorch() -> None:
    result = symcount.count('network n { input(L=5, C=4); Bidirectional(LSTM(3), merge_mode="sum") }')
    assert any("always concatenates" in note for layer in result.layers for note in layer.notes)


def test_stacked_merged_layers_read_h_features() -> None:
    """Stacked layers in one call with merge="sum": each later layer reads H features, as stacked Keras
    Bidirectional(merge_mode="sum") layers do."""
    code = """model = keras.Sequential([
    keras.Input(shape=(6, 4)),
    layers.Bidirectional(layers.LSTM(5, return_sequences=True), merge_mode="sum"),
    layers.Bidirectional(layers.LSTM(5, return_sequences=True), merge_mode="sum"),
])"""
    model = _keras_model(code)
    one = symcount.count('network n { input(L=6, C=4); lstm(hidden=5, layers=2, bidirectional=true, merge="sum", '
                         "return_sequences=true) }", convention="keras")
    assert int(one.total) == model.count_params()
    assert tuple(one.output_shape) == tuple(model.output_shape[1:])


def test_wrapper_errors_are_refused_like_keras() -> None:
    """What symcount refuses, Keras refuses too (or returns two outputs, merge_mode=None)."""
    with pytest.raises(ValueError):
        keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode="add")
    with pytest.raises((ValueError, TypeError, AttributeError)):
        keras.layers.Bidirectional(keras.layers.Dense(3))
    two = keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode=None)(keras.Input((5, 4)))
    assert isinstance(two, (list, tuple)) and len(two) == 2
    for text in ('Bidirectional(LSTM(3), merge_mode="add")', "Bidirectional(Dense(3))",
                 "Bidirectional(LSTM(3), merge_mode=None)"):
        with pytest.raises(SymcountError):
            symcount.count(f"network n {{ input(L=5, C=4); {text} }}", convention="keras")
