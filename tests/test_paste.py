"""Framework code pasted as it stands: module prefixes, Keras input declarations, Sequential.

Each accepted snippet is run twice: by symcount, and as Python with the real
``torch.nn`` / ``keras.layers`` in scope (the test execs its own text; symcount
never does), and the counts and output shapes must agree.
"""

from __future__ import annotations

import inspect
import os
import warnings

os.environ["KERAS_BACKEND"] = "torch"

from types import SimpleNamespace  # noqa: E402

import keras  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import symcount  # noqa: E402
from symcount import SymcountError  # noqa: E402
from symcount.catalog.core import CATALOG, Spelling, lookup  # noqa: E402
from symcount.catalog.spellings import KERAS_INPUTS, KERAS_LAYERS, TORCH_NN  # noqa: E402
from symcount.catalog.wrappers import KERAS_WRAPPERS  # noqa: E402

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
        assert lookup(name) is not None or name in KERAS_INPUTS or name in KERAS_WRAPPERS, name
    resolved = {n for n in dir(keras.layers) if isinstance(getattr(keras.layers, n), type) and lookup(n) is not None}
    # the rest are other layers that share a name with an entry (Keras's RNN wraps a cell): the entries say why
    homonyms = {name.removeprefix("keras.layers.") for entry in CATALOG.values() for name in entry.homonyms
                if name.startswith("keras.layers.")}
    assert resolved - set(KERAS_LAYERS) == homonyms == {"RNN", "Attention", "GroupQueryAttention"}


def _positional_parameters(cls: type) -> list[str]:
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
            if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


#: Known disagreements, kept apart so the rest stay checked (strict: fixing one fails until it is removed here).
ORDER_BUGS = {
}


@pytest.mark.parametrize("spelling", [
    pytest.param(s, marks=pytest.mark.xfail(reason=ORDER_BUGS[s.name], strict=True)) if s.name in ORDER_BUGS else s
    for entry in CATALOG.values() for s in entry.spellings if s.order is not None],
    ids=lambda s: f"{s.framework}-{s.name}")
def test_a_spellings_positional_order_is_its_frameworks_signature(spelling: Spelling) -> None:
    """Each position of an entry's order means the argument the real class takes there (PyTorch's
    RNN, LSTM and GRU take ``*args``: their orders are checked by counting, in test_framework_spellings)."""
    entry = lookup(spelling.name)
    assert entry is not None
    cls = getattr(nn if spelling.framework == "pytorch" else keras.layers, spelling.name)
    theirs = _positional_parameters(cls)
    assert spelling.order is not None
    for ours, their in zip(spelling.order, theirs, strict=False):
        spec = entry.find_arg(ours)
        if spec is None:
            if entry.unmodelled_option(ours) is not None:  # refused unless at its default
                assert ours == their, (ours, their)
                continue
            assert entry.ignores(ours) and entry.ignores(their), (ours, their)
        else:
            assert entry.find_arg(their) is spec, (ours, their)


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
    # PyTorch's own positional orders: Upsample(size, scale_factor), TransformerDecoderLayer(..., dropout, ...)
    ((3, 4, 4), "H=4, W=4, C=3", "nn.Upsample(12)"),
    ((3, 4, 4), "H=4, W=4, C=3", "nn.Upsample(None, 2)"),
    ((3, 4, 4), "H=4, W=4, C=3", "nn.UpsamplingNearest2d((6, 9))"),
    (None, "L=5, C=8", "nn.TransformerDecoderLayer(8, 2, 16, 0.1)"),
    # None is the framework's default, not a symbol named None
    ((3, 8, 8), "H=8, W=8, C=3", "nn.MaxPool2d(2, None)"),
    ((3, 4, 4), "H=4, W=4, C=3", "nn.Upsample(size=None, scale_factor=2)"),
    (None, "L=3, C=8", "nn.MultiheadAttention(8, 2, kdim=None, vdim=None)"),
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
    # the 1-D depthwise and separable convolutions take Keras's order as the 2-D ones do
    ((20, 4), "L=20, C=4", "layers.SeparableConv1D(8, 3)"),
    ((20, 4), "L=20, C=4", "layers.SeparableConv1D(8, 3, 2, 'same')"),
    ((20, 4), "L=20, C=4", "layers.DepthwiseConv1D(3, 2, depth_multiplier=2)"),
    # None is the framework's default, not a symbol named None
    ((8, 8, 2), "H=8, W=8, C=2", "layers.MaxPooling2D(2, strides=None)"),
    ((5, 8), "L=5, C=8", "layers.MultiHeadAttention(2, 4, value_dim=None)"),
    ((3, 3, 2), "H=3, W=3, C=2", "layers.PReLU(shared_axes=None)"),
]


@pytest.mark.parametrize(("shape", "inp", "call"), KERAS_PREFIXED)
def test_prefixed_keras_calls_count_as_keras(shape: tuple[int, ...], inp: str, call: str) -> None:
    layer = eval(call, dict(KERAS_SCOPE))  # noqa: S307 - the test's own text
    x = keras.Input(shape)
    model = keras.Model(x, layer(x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else layer(x))
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


# ------------------------------------------------------------------ Keras input declarations


def keras_sequential(calls: list[str]) -> keras.Sequential:
    """The real Keras model of the pasted layer calls, as keras.Sequential([...]) builds it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras 3 warns about input_shape= on a layer; it still uses it
        return keras.Sequential([eval(call, dict(KERAS_SCOPE)) for call in calls])  # noqa: S307


# (the layers as pasted; for Keras 2's input_length, the shape Keras 3 must be built with)
KERAS_DECLARED = [
    (["Dense(64, input_shape=(784,))", "Dense(10, activation='softmax')"], None),
    (["Dense(64, activation='relu', input_dim=784)", "Dense(10)"], None),
    (["Conv2D(32, (3,3), activation='relu', input_shape=(28, 28, 1))", "MaxPooling2D((2, 2))", "Flatten()",
      "Dense(10, activation='softmax')"], None),
    (["layers.Conv1D(16, 5, input_shape=(100, 7))", "layers.GlobalMaxPooling1D()"], None),
    (["Conv3D(4, 3, input_shape=(8, 8, 8, 1))"], None),
    (["LSTM(32, input_shape=(None, 8))", "Dense(1)"], None),
    (["Embedding(10000, 64, input_length=200)", "LSTM(32)", "Dense(1, activation='sigmoid')"], (None, 200)),
    (["Input(shape=(28, 28, 1))", "Conv2D(32, 3)", "Flatten()", "Dense(10)"], None),
    (["keras.Input(shape=(784,), batch_size=32, name='pixels')", "layers.Dense(64)"], None),
    (["tf.keras.Input((10, 8))", "layers.SimpleRNN(16)"], None),
    (["keras.layers.InputLayer(input_shape=(28, 28, 1))", "keras.layers.Conv2D(8, 3)"], None),
    (["InputLayer(shape=(32, 32, 3))", "Conv2D(8, 3, strides=2, padding='same')"], None),
    (["Input(batch_shape=(None, 16))", "Dense(4)"], None),
    (["Input(shape=(200,), dtype='int32')", "Embedding(1000, 16)", "GlobalAveragePooling1D()"], None),
    (["Input(shape=(28, 28, 1))", "Conv2D(8, 3, input_shape=(28, 28, 1))"], None),
]


@pytest.mark.parametrize(("calls", "build"), KERAS_DECLARED, ids=lambda v: str(v))
def test_keras_input_declarations_count_as_keras(calls: list[str], build: tuple[int | None, ...] | None) -> None:
    model = keras_sequential(calls)
    if build is not None:
        model.build(build)  # Keras 3 keeps input_length only as a warning: build with the length it meant
    body = "\n".join(f"    {call}" for call in calls)
    result = symcount.count(f"network n {{\n{body}\n}}", convention="keras")
    assert int(result.total) == model.count_params(), calls
    want = tuple(model.output_shape[1:])
    got = tuple(None if str(n) in ("L", "H", "W", "D") else int(n) for n in result.output_shape or ())
    assert got == want, calls


def test_a_top_level_layer_takes_its_own_input_declaration() -> None:
    assert symcount.count("Dense(64, input_dim=784)\nDense(10, input_shape=(64,))").total == 785 * 64 + 65 * 10


def test_the_input_shape_written_channels_last_maps_onto_input() -> None:
    # a size left open (None) stays a symbol: LSTM's count does not depend on it, its output is per sequence
    result = symcount.count("network n { Input(shape=(None, 8)); layers.LSTM(4, return_sequences=True) }",
                            convention="keras")
    assert int(result.total) == 4 * ((8 + 4) * 4 + 4)
    assert [str(n) for n in result.output_shape or ()] == ["L", "4"]
    torch_result = symcount.count("network n { Input(shape=(28, 28, 1)); nn.Conv2d(1, 4, 3) }")
    assert tuple(int(n) for n in torch_result.output_shape or ()) == (4, 26, 26)


DECLARATION_ERRORS = [
    ("network n {\n  Embedding(100, 8)\n  Dense(10, input_shape=(5,))\n}", 3, 13,
     "input_shape= on a later layer: Keras reads it only on the first layer",
     "move it to the first layer, or start the network with input(...)"),
    ("network n {\n  Dense(64, input_dim=3)\n  Dense(10, input_dim=64)\n}", 3, 13,
     "input_dim= on a later layer: Keras reads it only on the first layer", None),
    ("network n {\n  input(C=6)\n  Dense(10, input_shape=(5,))\n}", 3, 13,
     "input_shape= says the input is (5,), but it is (6,)",
     "keep one of them: input(...) or the layer's input_shape"),
    ("network n { Dense(3, input_shape=784) }", 1, 34, "input_shape takes a tuple of sizes, e.g. (28, 28, 1) or (784,)",
     None),
    ("network n { Dense(3, input_shape=(1, 2, 3, 4, 5)) }", 1, 35,
     "input_shape has 5 sizes; symcount reads (C,), (L, C), (H, W, C) or (D, H, W, C)", None),
    ("network n { Dense(3, input_shape=(0,)) }", 1, 35, "input_shape C must be positive, not 0", None),
    ("network n { Dense(3, input_dim=4, input_shape=(4,)) }", 1, 35, "input_shape goes alone: it already gives every size",
     None),
    ("network n {\n  Dense(3, input_dim=4)\n  Input(shape=(3,))\n}", 3, 3,
     "Input(...) after layers: it would replace the shape flowing in", "Input(...) comes once, first in the model"),
    ("network n {\n  input(C=4)\n  keras.Input(shape=(4,))\n}", 3, 9,
     "Input(...) after layers: it would replace the shape flowing in", None),
    ("network n { Input(name='x') }", 1, 13, "Input needs its shape, e.g. Input(shape=(28, 28, 1))", None),
    ("network n { Input(shap=(3,)) }", 1, 19, "Input has no argument 'shap' (valid: shape, batch_shape, batch_size, "
     "dtype, name, sparse, ragged, optional, tensor, input_tensor)", "did you mean 'shape'?"),
    ("network n { Input((3,), shape=(3,)) }", 1, 25, "Input: the shape is given twice", None),
    ("network n { InputLayer(input_shape=(3, 4), batch_shape=(2, 3, 4)) }", 1, 44,
     "InputLayer: the shape is given twice", None),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), DECLARATION_ERRORS)
def test_input_declaration_errors(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text, convention="keras")
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


# ------------------------------------------------------------------ Sequential models as pasted

KERAS_MODELS = [
    """model = Sequential([ Dense(64, input_shape=(784,)), Dense(10) ])""",
    """model = keras.Sequential([
    layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
    layers.MaxPooling2D((2, 2)),
    layers.Conv2D(64, (3, 3), activation='relu'),
    layers.MaxPooling2D((2, 2)),
    layers.Flatten(),
    layers.Dense(64, activation='relu'),
    layers.Dense(10, activation='softmax'),
])""",
    """model = tf.keras.models.Sequential([
    tf.keras.layers.Input(shape=(32, 32, 3)),
    tf.keras.layers.Conv2D(16, [3, 3], strides=[2, 2], padding='same', use_bias=False),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(10),
])""",
    """clf = keras.models.Sequential([
    keras.Input((200,), dtype='int32'),
    keras.layers.Embedding(20000, 128),
    keras.layers.LSTM(64, return_sequences=True),
    keras.layers.LSTM(32),
    keras.layers.Dense(1, activation='sigmoid'),
])""",
    """net = Sequential([Dense(32, activation='relu', input_dim=100), Dense(1, activation='sigmoid'),])""",
]


@pytest.mark.parametrize("code", KERAS_MODELS)
def test_keras_sequential_counts_as_keras(code: str) -> None:
    scope = dict(KERAS_SCOPE)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, scope)  # noqa: S102 - the test's own text, run by the real Keras
    name = code.split("=", 1)[0].strip()
    model = scope[name]
    result = symcount.count(code, convention="keras")
    assert result.network == name
    assert int(result.total) == model.count_params()
    assert int(result.trainable) == sum(int(w.numpy().size) for w in model.trainable_weights)
    assert tuple(int(n) for n in result.output_shape or ()) == tuple(model.output_shape[1:])


# (the code as pasted, torch input shape without the batch or None)
TORCH_MODELS = [
    ("model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))", None),
    ("""net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3),
    torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Flatten(),
    torch.nn.Linear(32 * 13 * 13, 10),
)""", None),
    ("""model = nn.Sequential(
    nn.Conv2d(3, 16, kernel_size=[3, 3], padding=1, bias=False),
    nn.BatchNorm2d(16),
    nn.ReLU(inplace=True),
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(),
    nn.Linear(16, 10),
)""", None),
    ("nn.Sequential(nn.Embedding(1000, 32), nn.LSTM(32, 64, batch_first=True))", None),
]


@pytest.mark.parametrize(("code", "shape"), TORCH_MODELS)
def test_torch_sequential_counts_as_torch(code: str, shape: tuple[int, ...] | None) -> None:
    scope = dict(TORCH_SCOPE)
    assigned = "=" in code.split("(", 1)[0]
    exec(code if assigned else f"model = {code}", scope)  # noqa: S102 - the test's own text, run by torch
    name = code.split("=", 1)[0].strip() if assigned else "model"
    model = scope[name]
    result = symcount.count(code)
    assert result.network == (name if assigned else "main")
    assert int(result.total) == torch_params(model)
    assert int(result.buffers) == sum(b.numel() for n, b in model.named_buffers() if "num_batches" not in n)


def test_sequential_with_an_input_lets_shapes_flow() -> None:
    code = "model = nn.Sequential(input(H=28, W=28, C=1), nn.Conv2d(1, 8, 3), nn.Flatten())"
    result = symcount.count(code)
    assert tuple(int(n) for n in result.output_shape or ()) == (8 * 26 * 26,)
    assert symcount.count("Sequential()").total == 0


SEQUENTIAL_ERRORS = [
    ("model = nn.Sequential([nn.Linear(3, 4)])", 1, 9, "nn.Sequential takes the layers themselves, not a list",
     "write nn.Sequential(nn.Linear(...), nn.ReLU(), ...)"),
    ("model = keras.Sequential(layers.Dense(3))", 1, 9, "keras.Sequential takes a list of layers",
     "write keras.Sequential([...]), the layers in square brackets"),
    ("foo.Sequential([Dense(3)])", 1, 1, "unknown module 'foo' before Sequential", None),
    ("nn.Sequential(nn.Linear(3, 4), layers.Dense(3))", 1, 39, "layers.Dense in a PyTorch Sequential",
     "one model is built with one framework"),
    ("network n {\n  input(C=3)\n  nn.Sequential(nn.Linear(3, 4))\n}", 3, 3,
     "Sequential(...) stands on its own at the top level: it is the whole model", None),
    ("network n { Sequential([Dense(3)]) }", 1, 13, "'Sequential' cannot stand on its own here", None),
    ("nn.Sequential(nn.Sequential(nn.Linear(3, 4)))", 1, 18,
     "Sequential(...) stands on its own at the top level: it is the whole model",
     "nested Sequential models are not read; list their layers instead"),
    ("nn.Sequential(nn.Sequential())", 1, 18,
     "Sequential(...) stands on its own at the top level: it is the whole model",
     "nested Sequential models are not read; list their layers instead"),
    ("Dense(64, activation=tf.nn.relu, input_dim=3)", 1, 24, "unexpected character '.'",
     "a module path only leads to a layer call (layers.LSTM(64)); a value such as tf.nn.relu cannot carry one"),
    ("width = 3", 1, 9, "only a Sequential(...) model is assigned with '='", "to name a value, write let NAME = value"),
    ("model = Sequential([Dense(3, input_dim=2) Dense(4)])", 1, 43, "missing ',' between items", None),
    ("model = Sequential([Dense(3, input_dim=2), Dense(4)]", 1, 19, "'(' is never closed", None),
    ("conv2d(C_in=3, C_out=4, k=[3 3])", 1, 30, "missing ',' between items", "expected ',' or ']', found '3'"),
    ("conv2d(C_in=3, C_out=4, k=[3, 3)", 1, 32, "unexpected ')'; expected ',' or ']'", None),
    ("Sequential([Dense(3, input_dim=2)])\nSequential([Dense(3, input_dim=2)])", 2, 1, "'main' is defined twice", None),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), SEQUENTIAL_ERRORS)
def test_sequential_errors(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text, convention="keras")
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint
