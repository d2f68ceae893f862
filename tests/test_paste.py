"""Framework code pasted as it stands: module prefixes, Keras input declarations, Sequential.

Each accepted snippet is run twice: by symcount, and as Python with the real
``torch.nn`` / ``keras.layers`` in scope (the test execs its own text; symcount
never does), and the counts and output shapes must agree.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

from types import SimpleNamespace  # noqa: E402

import keras  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import symcount  # noqa: E402
from symcount import SymcountError  # noqa: E402
from symcount.catalog import lookup  # noqa: E402
from symcount.modules import KERAS_INPUTS, KERAS_LAYERS, TORCH_NN  # noqa: E402

_TF = SimpleNamespace(keras=keras)
#: What pasted Keras code may refer to: the module paths people import.
KERAS_SCOPE = {"keras": keras, "layers": keras.layers, "kl": keras.layers, "tf": _TF, "tensorflow": _TF,
               "models": keras.models, "Sequential": keras.Sequential,
               **{name: getattr(keras.layers, name) for name in dir(keras.layers) if not name.startswith("_")}}
TORCH_SCOPE = {"torch": torch, "nn": nn, **{name: getattr(nn, name) for name in dir(nn) if not name.startswith("_")}}


def error_of(source: str, **kw: object) -> SymcountError:
    with pytest.raises(SymcountError) as info:
        symcount.count(source, **kw)  # type: ignore[arg-type]
    return info.value


def torch_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------------ the name lists


def test_torch_names_are_torch_nn_classes_symcount_counts() -> None:
    for name in TORCH_NN:
        assert isinstance(getattr(nn, name, None), type) and issubclass(getattr(nn, name), nn.Module), name
        assert lookup(name) is not None, name
    # every torch.nn module symcount resolves is listed (a new alias is a new prefixed name)
    resolved = {n for n in dir(nn) if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
                and lookup(n) is not None}
    assert resolved == set(TORCH_NN)


def test_keras_names_are_keras_layers_symcount_counts() -> None:
    for name in KERAS_LAYERS:
        assert callable(getattr(keras.layers, name, None)), name  # keras.layers.Input is a function
        assert lookup(name) is not None or name in KERAS_INPUTS, name
    resolved = {n for n in dir(keras.layers) if isinstance(getattr(keras.layers, n), type) and lookup(n) is not None}
    # Keras's RNN wraps a cell; Attention and GroupQueryAttention are other layers than symcount's attention
    assert resolved - set(KERAS_LAYERS) == {"RNN", "Attention", "GroupQueryAttention"}


# ------------------------------------------------------------------ module prefixes

# (torch input shape without the batch or None, symcount input or None, the call as pasted)
TORCH_PREFIXED = [
    ((3, 32, 32), "H=32, W=32, C=3", "nn.Conv2d(3, 16, 3)"),
    ((3, 32, 32), "H=32, W=32, C=3", "torch.nn.Conv2d(3, 16, 3, 2, 1, bias=False)"),
    ((10,), "C=10", "torch.nn.Linear(10, 5)"),
    ((10,), "C=10", "nn.Linear(10, 5,)"),
    ((16, 4, 4), "H=4, W=4, C=16", "nn.BatchNorm2d(16)"),
    (None, "L=7, C=10", "nn.LSTM(10, 20, 2, batch_first=True)"),
    ((7,), None, "nn.Embedding(100, 16, padding_idx=0)"),
]


@pytest.mark.parametrize(("shape", "inp", "call"), TORCH_PREFIXED)
def test_prefixed_pytorch_calls_count_as_pytorch(shape: tuple[int, ...] | None, inp: str | None, call: str) -> None:
    module = eval(call, dict(TORCH_SCOPE))  # noqa: S307 - the test's own text
    alone = symcount.count(call)
    assert int(alone.total) == torch_params(module), call
    if inp is not None:
        result = symcount.count(f"network n {{ input({inp}); {call} }}")
        assert int(result.total) == torch_params(module), call
        if shape is not None:
            out = module(torch.zeros(1, *shape))
            assert tuple(int(n) for n in result.output_shape or ()) == tuple(out.shape[1:]), call


# (Keras input shape, symcount input, the call as pasted)
KERAS_PREFIXED = [
    ((784,), "C=784", "layers.Dense(64)"),
    ((784,), "C=784", "keras.layers.Dense(64, activation='relu')"),
    ((28, 28, 1), "H=28, W=28, C=1", "tf.keras.layers.Conv2D(32, 3)"),
    ((28, 28, 1), "H=28, W=28, C=1", "tensorflow.keras.layers.Conv2D(32, (3, 3), padding='same',)"),
    ((28, 28, 1), "H=28, W=28, C=1", "kl.MaxPooling2D((2, 2))"),
    ((10, 8), "L=10, C=8", "layers.LSTM(32)"),
    ((10, 8), "L=10, C=8", "layers.LSTM(32, 'tanh')"),
    ((8, 8, 16), "H=8, W=8, C=16", "layers.BatchNormalization()"),
]


@pytest.mark.parametrize(("shape", "inp", "call"), KERAS_PREFIXED)
def test_prefixed_keras_calls_count_as_keras(shape: tuple[int, ...], inp: str, call: str) -> None:
    layer = eval(call, dict(KERAS_SCOPE))  # noqa: S307 - the test's own text
    x = keras.Input(shape)
    model = keras.Model(x, layer(x))
    result = symcount.count(f"network n {{ input({inp}); {call} }}", convention="keras")
    assert int(result.total) == model.count_params(), call
    assert tuple(int(n) for n in result.output_shape or ()) == tuple(model.output_shape[1:]), call


def test_a_prefix_picks_its_frameworks_positional_order() -> None:
    # LSTM is spelt alike; nn.LSTM(10, 20) is PyTorch's (input, hidden), layers.LSTM(20, 'tanh') Keras's
    torch_lstm = torch_params(nn.LSTM(10, 20))
    assert int(symcount.count("nn.LSTM(10, 20)").total) == torch_lstm
    keras_count = symcount.count("network n { input(L=5, C=10); layers.LSTM(20, 'tanh') }", convention="keras")
    assert int(keras_count.total) == 4 * ((10 + 20) * 20 + 20)


def test_a_prefixed_layer_is_named_and_placed_without_its_prefix() -> None:
    result = symcount.count("network n {\n  input(C=4)\n  fc: torch.nn.Linear(4, 2)\n}")
    assert [layer.name for layer in result.layers] == ["fc"]
    assert (result.layers[0].pos.line, result.layers[0].pos.column) == (3, 16)


PREFIX_ERRORS = [
    ("foo.Conv2d(3, 16, 3)", 1, 1, "unknown module 'foo' before a layer name",
     "write the layer as nn.Conv2d, torch.nn.Linear, layers.Dense, keras.layers.Dense or tf.keras.layers.Conv2D, "
     "or without a prefix"),
    ("network n {\n  input(C=3)\n  torch.nn.modules.Linear(3, 4)\n}", 3, 3,
     "unknown module 'torch.nn.modules' before a layer name", "did you mean 'torch.nn'?"),
    ("network n { input(C=3)\n  nn.Dense(4) }", 2, 6, "Dense is a Keras layer, not a torch.nn one",
     "torch.nn calls it Linear"),
    ("layers.Conv2d(3, 16, 3)", 1, 8, "Conv2d is a PyTorch layer, not a keras.layers one",
     "keras.layers calls it Conv2D"),
    ("nn.Conv2x(3, 16, 3)", 1, 4, "unknown layer 'nn.Conv2x'", "did you mean 'Conv2d'?"),
    ("nn.conv2d(3, 16, 3)", 1, 4, "unknown layer 'nn.conv2d'", "did you mean 'Conv2d'?"),
    ("keras.Dense(4)", 1, 1, "Keras has no keras.Dense: its layers are in keras.layers", "write keras.layers.Dense"),
    ("nn . Conv2d(3, 16, 3)", 1, 4, "unexpected character '.'", None),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), PREFIX_ERRORS)
def test_prefix_errors(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint
