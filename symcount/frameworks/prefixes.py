"""Framework module paths on pasted layer calls: ``nn.Conv2d``, ``keras.layers.Dense``.

Exam questions quote framework code, prefix and all. A prefix is accepted when
it is a module path the framework's own documentation uses and the name after
it is a class of that framework that symcount counts; anything else is an error
at the prefix or the name. The name lists are checked against the real
``torch.nn`` and ``keras.layers`` by ``tests/test_paste.py``.
"""

from __future__ import annotations

from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes

#: The module paths layers are called through, and the framework each is.
LAYER_MODULES = {
    "nn": "pytorch", "torch.nn": "pytorch",
    "layers": "keras", "keras.layers": "keras", "tf.keras.layers": "keras", "tensorflow.keras.layers": "keras",
    "kl": "keras",
}
#: Keras's top-level modules: ``keras.Input``, ``keras.Sequential``.
KERAS_TOP = ("keras", "tf.keras", "tensorflow.keras")
#: Where ``Sequential`` is found, and the framework each path is.
SEQUENTIAL_MODULES = {
    "nn": "pytorch", "torch.nn": "pytorch",
    **{top: "keras" for top in KERAS_TOP}, "models": "keras",
    **{f"{top}.models": "keras" for top in KERAS_TOP},
}

#: torch.nn classes symcount counts, spelt as torch spells them.
TORCH_NN = frozenset("""
AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d
AlphaDropout AvgPool1d AvgPool2d AvgPool3d BatchNorm1d BatchNorm2d BatchNorm3d Bilinear CELU
CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d ConstantPad3d Conv1d Conv2d Conv3d
ConvTranspose1d ConvTranspose2d ConvTranspose3d Dropout Dropout1d Dropout2d Dropout3d ELU Embedding
FeatureAlphaDropout Flatten GELU GRU GroupNorm Hardsigmoid Hardswish Hardtanh Identity InstanceNorm1d
InstanceNorm2d InstanceNorm3d LSTM LayerNorm LeakyReLU Linear LocalResponseNorm LogSoftmax MaxPool1d MaxPool2d
MaxPool3d Mish MultiheadAttention PReLU RMSNorm RNN ReLU ReLU6 ReflectionPad1d ReflectionPad2d ReflectionPad3d
ReplicationPad1d ReplicationPad2d ReplicationPad3d SELU SiLU Sigmoid Softmax Softplus Softsign Tanh
TransformerDecoderLayer TransformerEncoderLayer Upsample UpsamplingBilinear2d UpsamplingNearest2d
ZeroPad1d ZeroPad2d ZeroPad3d
""".split())

#: keras.layers classes symcount counts. Not here: ``RNN`` (Keras's wraps a cell), ``Attention``
#: and ``GroupQueryAttention`` (other layers than the multi-head attention symcount counts).
KERAS_LAYERS = frozenset("""
Activation AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D AdaptiveMaxPooling1D
AdaptiveMaxPooling2D AdaptiveMaxPooling3D AlphaDropout AveragePooling1D AveragePooling2D AveragePooling3D
AvgPool1D AvgPool2D AvgPool3D BatchNormalization Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D
Conv3DTranspose Convolution1D Convolution2D Convolution3D Dense DepthwiseConv1D DepthwiseConv2D Dropout ELU
Embedding Flatten GRU GaussianDropout GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D
GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization Identity LSTM LayerNormalization
LeakyReLU MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D MultiHeadAttention PReLU
RMSNormalization ReLU SeparableConv1D SeparableConv2D SimpleRNN Softmax SpatialDropout1D SpatialDropout2D
SpatialDropout3D UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D
Input InputLayer Bidirectional TimeDistributed
""".split())
#: Keras's wrappers: a layer that takes a layer (symcount.catalog.wrappers), not a catalog entry.
KERAS_WRAPPERS = ("Bidirectional", "TimeDistributed")

#: Keras's input declarations (``keras.Input(shape=...)``): they set the input shape, like ``input(...)``.
KERAS_INPUTS = ("Input", "InputLayer")

_NAMES = {"pytorch": TORCH_NN, "keras": KERAS_LAYERS}
_SHOWN = {"pytorch": "torch.nn", "keras": "keras.layers"}


def _examples() -> str:
    return "nn.Conv2d, torch.nn.Linear, layers.Dense, keras.layers.Dense or tf.keras.layers.Conv2D"


def qualified_layer(module: str, name: str, module_pos: nodes.Pos, name_pos: nodes.Pos) -> str:
    """The framework of ``module.name`` (a layer call), or a SymcountError saying what is wrong."""
    if name == "Sequential":
        raise SymcountError("Sequential(...) stands on its own at the top level: it is the whole model",
                            name_pos, hint="nested Sequential models are not read; list their layers instead")
    if module in KERAS_TOP and name in KERAS_INPUTS:
        return "keras"
    framework = LAYER_MODULES.get(module)
    if module in KERAS_TOP:
        raise SymcountError(f"Keras has no {module}.{name}: its layers are in {module}.layers", module_pos,
                            hint=f"write {module}.layers.{name}")
    if framework is None:
        known = [*LAYER_MODULES, *KERAS_TOP]
        guess = did_you_mean(module, known)
        raise SymcountError(f"unknown module '{module}' before a layer name", module_pos,
                            hint=guess or f"write the layer as {_examples()}, or without a prefix")
    if name in _NAMES[framework]:
        return framework
    other = "keras" if framework == "pytorch" else "pytorch"
    if name in _NAMES[other]:
        from symcount.catalog.core import lookup  # noqa: PLC0415  cycle: language -> frameworks -> catalog -> language (packages)

        entry = lookup(name)
        same = sorted(n for n in _NAMES[framework] if entry is not None and lookup(n) is entry)
        same.sort(key=lambda n: n.lower() != name.lower())
        whose = "Keras" if other == "keras" else "PyTorch"
        raise SymcountError(f"{name} is a {whose} layer, not a {_SHOWN[framework]} one", name_pos,
                            hint=f"{_SHOWN[framework]} calls it {same[0]}" if same
                            else f"write it as {_SHOWN[other]}.{name}")
    raise SymcountError(f"unknown layer '{module}.{name}'", name_pos,
                        hint=did_you_mean(name, _NAMES[framework]) or
                        f"symcount counts these {_SHOWN[framework]} layers: see docs/layers.md")


def sequential_framework(module: str, module_pos: nodes.Pos, form: str, items: tuple[nodes.Layer, ...],
                         pos: nodes.Pos) -> str | None:
    """The framework of ``module.Sequential(...)`` (None without a prefix), checking how its layers are given.

    Keras takes a list (``Sequential([Dense(64), ...])``), PyTorch the layers themselves
    (``nn.Sequential(nn.Linear(784, 64), ...)``); without a prefix either form is read.
    """
    if not module:
        return None
    framework = SEQUENTIAL_MODULES.get(module)
    if framework is None:
        raise SymcountError(f"unknown module '{module}' before Sequential", module_pos,
                            hint=did_you_mean(module, SEQUENTIAL_MODULES)
                            or "write nn.Sequential(...), keras.Sequential([...]) or Sequential(...)")
    if framework == "pytorch" and form == "list":
        raise SymcountError(f"{module}.Sequential takes the layers themselves, not a list", pos,
                            hint=f"write {module}.Sequential({module}.Linear(...), {module}.ReLU(), ...)")
    if framework == "keras" and form == "args" and items:
        raise SymcountError(f"{module}.Sequential takes a list of layers", pos,
                            hint=f"write {module}.Sequential([...]), the layers in square brackets")
    return framework


def layer_framework(module: str | None) -> str | None:
    """The framework a checked module prefix belongs to (None without a prefix)."""
    if module is None:
        return None
    return "keras" if module in KERAS_TOP else LAYER_MODULES.get(module)
