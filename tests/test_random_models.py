"""Whole random models: symcount against real ``torch.nn.Sequential`` and ``keras`` models.

A seeded generator (``random.Random``) builds random but valid sequential models
of a few families -- 1-D, 2-D and 3-D CNNs, MLPs, embedding + recurrent stacks,
attention / transformer encoder stacks -- for one framework at a time, as:

- the real model, built from the framework calls the generator writes (evaluated
  with ``torch.nn`` / ``keras.layers`` in scope), run on a random batch-1 input;
- a symcount description: the canonical language (``network n { input(...); ... }``)
  or, for some seeds, the framework code pasted as it is (``nn.Sequential(...)``,
  ``keras.Sequential([...])``).

Totals (trainable, non-trainable, buffers, ``count_params()``) must be equal, and
for every generated unit its parameters and its output shape (batch dimension
dropped; channels first under PyTorch, last under Keras); under PyTorch also its
MACs against ``FlopCounterMode`` (FLOPs = 2 x MACs; the transformer encoder layer
by its counted parts, as tests/test_macs.py does). Where the frameworks differ the
generator follows the framework: Keras has no ``ceil_mode`` and no stride with
dilation, PyTorch no ``padding="same"`` with a stride. A failure prints the seed
and the description.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import math  # noqa: E402
import random  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import symcount  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# --------------------------------------------------------------------------- torch helpers (the real side only)


class RNNOut(nn.Module):
    """A torch recurrent layer in a Sequential: its output sequence, or its last step (Keras's default)."""

    def __init__(self, rnn: nn.RNNBase, last: bool = False) -> None:
        super().__init__()
        self.rnn, self.last = rnn, last

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.rnn(x)[0]
        return out[:, -1, :] if self.last else out


class SelfAttn(nn.Module):
    """MultiheadAttention on one input, kept in train mode (dropout 0) so FlopCounterMode sees its matmuls."""

    def __init__(self, mha: nn.MultiheadAttention) -> None:
        super().__init__()
        self.mha = mha

    def train(self, mode: bool = True) -> SelfAttn:
        super().train(mode)
        self.mha.train(True)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mha(x, x, x, need_weights=True)[0]


class Separable(nn.Module):
    """PyTorch's separable convolution: a depthwise conv without bias, then a kernel-1 pointwise conv."""

    def __init__(self, c: int, m: int, c_out: int, k: Any, stride: Any, padding: Any, dilation: Any,
                 bias: bool) -> None:
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d}[len(k)]
        self.depthwise = conv(c, c * m, k, stride=stride, padding=padding, dilation=dilation, groups=c, bias=False)
        self.pointwise = conv(c * m, c_out, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


TORCH_SCOPE = {"nn": nn, "torch": torch, "RNNOut": RNNOut, "SelfAttn": SelfAttn, "Separable": Separable}
KERAS_SCOPE = {"layers": keras.layers, "keras": keras}


# --------------------------------------------------------------------------- the model description


@dataclass
class Unit:
    """One generated layer: symcount statements, the framework's calls, and (optional) the same pasted."""

    canon: list[str]  # symcount's own language, one statement per symcount layer
    calls: list[str]  # framework code building the real layer(s), evaluated in TORCH_SCOPE / KERAS_SCOPE
    paste: list[str] | None = None  # the unit as framework code symcount reads (None: as `calls`)
    frozen: bool = False
    encoder: bool = False  # torch TransformerEncoderLayer: MACs by its parts

    @property
    def pasted(self) -> list[str]:
        return self.calls if self.paste is None else self.paste


@dataclass
class Model:
    seed: int
    family: str
    framework: str  # "pytorch" or "keras"
    inputs: dict[str, int]  # symcount's input(): L, D, H, W, C
    units: list[Unit] = field(default_factory=list)
    tokens: int = 0  # vocabulary size when the input is token ids
    pasted: bool = False
    keras_input: str = "Input"  # how a pasted Keras model declares its input

    def input_shape(self) -> tuple[int, ...]:
        """The real input without the batch: channels first under torch (but (L, C) for a sequence)."""
        d = self.inputs
        spatial = [d[n] for n in ("D", "H", "W") if n in d]
        if "C" not in d:
            return (d["L"],)
        if self.framework == "keras":
            return tuple(d[n] for n in ("L", "D", "H", "W", "C") if n in d)
        if "L" in d and not self.channels_first_1d:
            return (d["L"], d["C"])
        return (d["C"], d["L"]) if "L" in d else (d["C"], *spatial)

    channels_first_1d: bool = False  # torch: a 1-D signal written input(L=..., C=...) for conv1d

    def text(self) -> str:
        dims = ", ".join(f"{name}={value}" for name, value in self.inputs.items())
        if not self.pasted:
            body = "\n".join(f"    {s}" for u in self.units for s in u.canon)
            return f"network n {{\n    input({dims})\n{body}\n}}"
        calls = [s for u in self.units for s in u.pasted]
        if self.framework == "pytorch":
            return "model = nn.Sequential(\n" + "".join(f"    {c},\n" for c in [f"input({dims})", *calls]) + ")"
        shape = self.input_shape()
        declared = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        if self.keras_input == "input_shape" and not calls[0].startswith("layers.Embedding"):
            first = calls[0]
            calls = [first[:-1] + ("" if first.endswith("()") else ", ") + f"input_shape={declared})", *calls[1:]]
        else:
            prefix = "keras" if self.keras_input == "keras.Input" else "layers"
            calls = [f"{prefix}.Input(shape={declared})", *calls]
        return "model = keras.Sequential([\n" + "".join(f"    {c},\n" for c in calls) + "])"

    def describe(self) -> str:
        return f"seed {self.seed} ({self.family}, {self.framework}{', pasted' if self.pasted else ''}):\n{self.text()}"


def fmt(value: Any) -> str:
    """A value in symcount's language."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


def py(value: Any) -> str:
    """A value as Python source."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def call(name: str, *args: Any, **kwargs: Any) -> str:
    parts = [py(a) for a in args] + [f"{k}={py(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def canon(name: str, **kwargs: Any) -> str:
    return f"{name}({', '.join(f'{k}={fmt(v)}' for k, v in kwargs.items())})"


def tup(rng: random.Random, values: list[int]) -> int | tuple[int, ...]:
    """An int when all entries agree (half the time), else the tuple: both spellings get exercised."""
    if len(set(values)) == 1 and rng.random() < 0.5:
        return values[0]
    return tuple(values)


# --------------------------------------------------------------------------- output-size rules (the generator's own)


def torch_window(n: int, k: int, s: int, p: int, dl: int = 1, ceil_mode: bool = False) -> int:
    span = n + 2 * p - dl * (k - 1) - 1
    if span < 0:
        return 0
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:  # a window starting in the right padding is dropped
        out -= 1
    return out


def keras_window(n: int, k: int, s: int, padding: str, dl: int = 1) -> int:
    if padding in ("same", "causal"):
        return math.ceil(n / s)
    span = n - dl * (k - 1) - 1
    return span // s + 1 if span >= 0 else 0


# --------------------------------------------------------------------------- the generator


class Gen:
    """Builds one model, tracking the shape the real framework will see after each unit."""

    def __init__(self, rng: random.Random, model: Model) -> None:
        self.rng, self.m = rng, model
        self.torch = model.framework == "pytorch"
        d = model.inputs
        self.sizes = [d[n] for n in ("L", "D", "H", "W") if n in d]
        self.c = d.get("C", 0)
        self.seq = "L" in d  # (L, C) features, or token ids when C is absent

    def add(self, unit: Unit) -> None:
        if unit.frozen and self.m.pasted and self.torch:
            unit.frozen = False  # torch code has no trainable= argument
        if unit.frozen:
            unit.canon = [s[:-1] + (", " if not s.endswith("()") else "") + "trainable=false)" for s in unit.canon]
            if self.m.pasted:
                unit.paste = [s[:-1] + (", " if not s.endswith("()") else "") + "trainable=False)" for s in unit.pasted]
        self.m.units.append(unit)

    def frozen(self) -> bool:
        return self.rng.random() < 0.15

    # -- convolutions -----------------------------------------------------------------------------------------

    def conv(self, d: int) -> bool:
        rng = self.rng
        for _ in range(20):
            groups = rng.choice([1, 1, 1, 2, 3]) if self.c % 2 == 0 or self.c % 3 == 0 else 1
            if self.c % groups:
                groups = 1
            c_out = groups * rng.randint(1, 12 // groups + 1)
            k = [rng.randint(1, 5 if d < 3 else 3) for _ in range(d)]
            bias = rng.random() < 0.7
            if self.torch:
                mode = rng.choice(["int", "int", "int", "same", "valid"])
                stride = [1] * d if mode == "same" else [rng.choice([1, 1, 2, 3]) for _ in range(d)]
                dilation = [rng.choice([1, 1, 2]) for _ in range(d)]
                pad = [rng.randint(0, 2) for _ in range(d)] if mode == "int" else [0] * d
                out = [n if mode == "same" else torch_window(n, kk, s, p, dl)
                       for n, kk, s, p, dl in zip(self.sizes, k, stride, pad, dilation, strict=True)]
                padding: Any = mode if mode != "int" else tup(rng, pad)
            else:
                mode = rng.choice(["valid", "same", *(["causal"] if d == 1 else [])])
                if rng.random() < 0.5:
                    stride, dilation = [rng.choice([1, 2, 3]) for _ in range(d)], [1] * d
                else:
                    stride, dilation = [1] * d, [rng.choice([1, 2]) for _ in range(d)]
                out = [keras_window(n, kk, s, mode, dl) for n, kk, s, dl in zip(self.sizes, k, stride, dilation,
                                                                                strict=True)]
                padding = mode
            if min(out) >= 1:
                break
        else:
            return False
        ks, ss, ds = tup(rng, k), tup(rng, stride), tup(rng, dilation)
        args: dict[str, Any] = {"C_out": c_out, "k": ks}
        if ss != 1 or rng.random() < 0.3:
            args["stride"] = ss
        if padding != 0 or rng.random() < 0.3:
            args["padding"] = padding
        if ds != 1 or rng.random() < 0.3:
            args["dilation"] = ds
        if groups > 1:
            args["groups"] = groups
        if not bias:
            args["bias"] = False
        if self.torch:
            tpad = padding if isinstance(padding, str) else tuple(pad)
            calls = [call(f"nn.Conv{d}d", self.c, c_out, tuple(k), stride=tuple(stride), padding=tpad,
                          dilation=tuple(dilation), groups=groups, bias=bias)]
        else:
            calls = [call(f"layers.Conv{d}D", c_out, tuple(k), strides=tuple(stride), padding=padding,
                          dilation_rate=tuple(dilation), groups=groups, use_bias=bias)]
        self.add(Unit([canon(f"conv{d}d", **args)], calls, frozen=self.frozen()))
        self.sizes, self.c = out, c_out
        return True

    def depthwise(self, d: int, separable: bool) -> bool:
        rng = self.rng
        for _ in range(20):
            m = rng.randint(1, 2)
            k = [rng.randint(1, 4) for _ in range(d)]
            bias = rng.random() < 0.6
            if self.torch:
                mode = rng.choice(["int", "int", "same", "valid"]) if separable else "int"
                stride = [1] * d if mode == "same" else [rng.choice([1, 1, 2]) for _ in range(d)]
                dilation = [rng.choice([1, 1, 2]) for _ in range(d)]
                pad = [rng.randint(0, 1) for _ in range(d)] if mode == "int" else [0] * d
                out = [n if mode == "same" else torch_window(n, kk, s, p, dl)
                       for n, kk, s, p, dl in zip(self.sizes, k, stride, pad, dilation, strict=True)]
                padding: Any = mode if mode != "int" else tup(rng, pad)
            else:
                mode = rng.choice(["valid", "same"])
                if rng.random() < 0.5:
                    stride, dilation = [rng.choice([1, 2]) for _ in range(d)], [1] * d
                else:
                    stride, dilation = [1] * d, [rng.choice([1, 2]) for _ in range(d)]
                out = [keras_window(n, kk, s, mode, dl) for n, kk, s, dl in zip(self.sizes, k, stride, dilation,
                                                                                strict=True)]
                padding = mode
            if min(out) >= 1:
                break
        else:
            return False
        c_out = rng.randint(1, 12) if separable else self.c * m
        args: dict[str, Any] = {"C_out": c_out} if separable else {}
        args.update({"k": tup(rng, k), "multiplier": m, "stride": tup(rng, stride), "padding": padding,
                     "dilation": tup(rng, dilation), "bias": bias})
        kind = f"{'separable' if separable else 'depthwise'}_conv{d}d"
        paste = None
        if self.torch:
            tpad = padding if isinstance(padding, str) else tuple(pad)
            if separable:
                calls = [call("Separable", self.c, m, c_out, tuple(k), tuple(stride), tpad, tuple(dilation), bias)]
                paste = [call(f"nn.Conv{d}d", self.c, self.c * m, tuple(k), stride=tuple(stride), padding=tpad,
                              dilation=tuple(dilation), groups=self.c, bias=False),
                         call(f"nn.Conv{d}d", self.c * m, c_out, 1, bias=bias)]
            else:
                calls = [call(f"nn.Conv{d}d", self.c, c_out, tuple(k), stride=tuple(stride), padding=tpad,
                              dilation=tuple(dilation), groups=self.c, bias=bias)]
        else:
            options = dict(strides=tuple(stride), padding=padding, depth_multiplier=m, dilation_rate=tuple(dilation),
                           use_bias=bias)
            calls = [call(f"layers.SeparableConv{d}D", c_out, tuple(k), **options) if separable
                     else call(f"layers.DepthwiseConv{d}D", tuple(k), **options)]
        self.add(Unit([canon(kind, **args)], calls, paste, frozen=self.frozen()))
        self.sizes, self.c = out, c_out
        return True

    def pool(self, d: int) -> bool:
        rng = self.rng
        kind = rng.choice(["max", "avg"])
        for _ in range(20):
            k = [rng.randint(1, 3) for _ in range(d)]
            given_stride = rng.random() < 0.5
            stride = [rng.randint(1, 3) for _ in range(d)] if given_stride else list(k)
            if self.torch:
                pad = [rng.randint(0, kk // 2) for kk in k]
                dilation = [rng.choice([1, 1, 2]) for _ in range(d)] if kind == "max" else [1] * d
                ceil_mode = rng.random() < 0.4
                out = [torch_window(n, kk, s, p, dl, ceil_mode)
                       for n, kk, s, p, dl in zip(self.sizes, k, stride, pad, dilation, strict=True)]
                if (kind, d) == ("avg", 3) and any(n < kk for n, kk in zip(self.sizes, k, strict=True)):
                    continue  # avg_pool3d refuses an input smaller than its window
            else:
                padding = rng.choice(["valid", "same"])
                out = [keras_window(n, kk, s, padding) for n, kk, s in zip(self.sizes, k, stride, strict=True)]
                if (kind, d) == ("avg", 3) and any(n < kk for n, kk in zip(self.sizes, k, strict=True)):
                    continue  # the torch backend's avg_pool3d refuses it, "same" padding or not
            if min(out) >= 1:
                break
        else:
            return False
        args: dict[str, Any] = {"k": tup(rng, k)}
        if given_stride:
            args["stride"] = tup(rng, stride)
        if self.torch:
            if any(pad):
                args["padding"] = tup(rng, pad)
            if kind == "max" and max(dilation) > 1:
                args["dilation"] = tup(rng, dilation)
            if ceil_mode:
                args["ceil_mode"] = True
            options: dict[str, Any] = {"stride": tuple(stride), "padding": tuple(pad), "ceil_mode": ceil_mode}
            if kind == "max":
                options["dilation"] = tuple(dilation)
            calls = [call(f"nn.{kind.capitalize()}Pool{d}d", tuple(k), **options)]
        else:
            if padding != "valid" or rng.random() < 0.3:
                args["padding"] = padding
            name = "MaxPooling" if kind == "max" else "AveragePooling"
            calls = [call(f"layers.{name}{d}D", tuple(k), strides=tuple(stride), padding=padding)]
        self.add(Unit([canon(f"{kind}pool{d}d", **args)], calls))
        self.sizes = out
        return True

    # -- element-wise and normalisation ----------------------------------------------------------------------

    def batchnorm(self, d: int) -> None:
        affine = self.rng.random() < 0.8
        if self.torch:
            cls = f"nn.BatchNorm{max(d, 1)}d"
            calls = [call(cls, self.c) if affine else call(cls, self.c, affine=False)]
            args = {} if affine else {"affine": False}
        else:
            calls = [call("layers.BatchNormalization") if affine
                     else call("layers.BatchNormalization", center=False, scale=False)]
            args = {} if affine else {"center": False, "scale": False}
        self.add(Unit([canon("batchnorm", **args)], calls, frozen=affine and self.frozen()))

    def activation(self) -> None:
        name = self.rng.choice(["relu", "relu", "gelu", "tanh", "sigmoid", "leaky_relu", "elu", "silu"])
        if self.torch:
            cls = {"relu": "ReLU", "gelu": "GELU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU",
                   "elu": "ELU", "silu": "SiLU"}[name]
            calls = [f"nn.{cls}()"]
        else:
            calls = [call("layers.Activation", name) if name not in ("relu", "leaky_relu", "elu")
                     else {"relu": "layers.ReLU()", "leaky_relu": "layers.LeakyReLU()", "elu": "layers.ELU()"}[name]]
        self.add(Unit([f"{name}()"], calls))

    def dropout(self, d: int) -> None:
        p = self.rng.choice([0.1, 0.25, 0.5])
        if self.torch:
            cls = "nn.Dropout" if d == 0 or self.rng.random() < 0.5 else f"nn.Dropout{d}d"
            calls = [call(cls, p)]
        else:
            cls = "layers.Dropout" if d == 0 or self.rng.random() < 0.5 else f"layers.SpatialDropout{d}D"
            calls = [call(cls, p)]
        self.add(Unit([canon("dropout", p=p)], calls))

    def layernorm(self) -> None:
        bias = self.rng.random() < 0.8
        if self.torch:
            calls = [call("nn.LayerNorm", self.c) if bias else call("nn.LayerNorm", self.c, bias=False)]
        else:
            calls = [call("layers.LayerNormalization") if bias else call("layers.LayerNormalization", center=False)]
        self.add(Unit([canon("layernorm") if bias else canon("layernorm", bias=False)], calls, frozen=self.frozen()))

    # -- heads -------------------------------------------------------------------------------------------------

    def flatten(self) -> None:
        self.add(Unit(["flatten()"], ["nn.Flatten()" if self.torch else "layers.Flatten()"]))
        self.c = self.c * math.prod(self.sizes)
        self.sizes, self.seq = [], False

    def global_pool(self, d: int) -> None:
        kind = self.rng.choice(["avg", "max"])
        if self.torch:
            pool = f"nn.Adaptive{kind.capitalize()}Pool{d}d(1)"
            unit = Unit([f"global_{kind}pool()"], [f"nn.Sequential({pool}, nn.Flatten())"], [pool, "nn.Flatten()"])
        else:
            unit = Unit([f"global_{kind}pool()"], [f"layers.Global{'Average' if kind == 'avg' else 'Max'}Pooling{d}D()"])
        self.add(unit)
        self.sizes, self.seq = [], False

    def dense(self, c_out: int | None = None) -> None:
        c_out = c_out or self.rng.randint(1, 24)
        bias = self.rng.random() < 0.8
        args: dict[str, Any] = {"C_out": c_out} if bias else {"C_out": c_out, "bias": False}
        calls = [call("nn.Linear", self.c, c_out, bias=bias) if self.torch else call("layers.Dense", c_out, use_bias=bias)]
        self.add(Unit([canon("linear", **args)], calls, frozen=self.frozen()))
        self.c = c_out

    # -- sequences ---------------------------------------------------------------------------------------------

    def embedding(self, vocab: int) -> None:
        dim = self.rng.randint(2, 16)
        calls = [call("nn.Embedding" if self.torch else "layers.Embedding", vocab, dim)]
        self.add(Unit([canon("embedding", V=vocab, dim=dim)], calls, frozen=self.frozen()))
        self.c = dim

    def recurrent(self, last: bool) -> None:
        """A recurrent stack; `last` drops the sequence (Keras's default, torch's out[:, -1])."""
        rng = self.rng
        kind = rng.choice(["lstm", "gru", "rnn"])
        hidden, layers = rng.randint(2, 10), rng.choice([1, 1, 2])
        bidirectional, bias = rng.random() < 0.4, rng.random() < 0.8
        args: dict[str, Any] = {"hidden": hidden}
        if layers > 1:
            args["layers"] = layers
        if bidirectional:
            args["bidirectional"] = True
        if not bias:
            args["bias"] = False
        paste: list[str] | None = None
        if self.torch:
            options: dict[str, Any] = {"num_layers": layers, "bias": bias, "batch_first": True,
                                       "bidirectional": bidirectional}
            width = hidden
            if kind == "lstm" and rng.random() < 0.3:
                options["proj_size"] = width = rng.randint(1, hidden - 1)
                args["proj"] = options["proj_size"]
            cls = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN"}[kind]
            rnn = call(cls, self.c, hidden, **options)
            calls = [f"RNNOut({rnn}, last={last})"]
            paste = [rnn]  # nn.LSTM in a Sequential is read as its output sequence
            if last:
                args["return_sequences"] = False
                self.m.pasted = False  # torch code cannot take the last step inside a Sequential
        else:
            cls = {"lstm": "layers.LSTM", "gru": "layers.GRU", "rnn": "layers.SimpleRNN"}[kind]
            options = {"use_bias": bias}
            if kind == "gru" and rng.random() < 0.4:
                options["reset_after"] = False
                args["reset_after"] = False
            if not last:
                args["return_sequences"] = True
            calls = []
            for i in range(layers):
                layer = call(cls, hidden, return_sequences=(not last) or i < layers - 1, **options)
                calls.append(f"layers.Bidirectional({layer})" if bidirectional else layer)
            width = hidden
            if (layers > 1 or bidirectional) and self.m.pasted:
                self.m.pasted = False  # one symcount layer, several Keras layers: pasted as the canonical form
        self.add(Unit([canon(kind, **args)], calls, paste, frozen=self.frozen()))
        self.c = width * (2 if bidirectional else 1)
        if last:
            self.sizes, self.seq = [], False

    def attention(self) -> None:
        rng = self.rng
        bias = rng.random() < 0.7
        if self.torch:
            heads = rng.choice([h for h in (1, 2, 3, 4) if self.c % h == 0])
            mha = call("nn.MultiheadAttention", self.c, heads, bias=bias, batch_first=True)
            args: dict[str, Any] = {"heads": heads}
            calls, paste = [f"SelfAttn({mha})"], [mha]
        else:
            heads, key_dim = rng.randint(1, 4), rng.randint(1, 8)
            value_dim = rng.choice([None, rng.randint(1, 8)])
            args = {"heads": heads, "key_dim": key_dim}
            options: dict[str, Any] = {"use_bias": bias}
            if value_dim is not None:
                args["value_dim"] = options["value_dim"] = value_dim
            calls, paste = [call("layers.MultiHeadAttention", heads, key_dim, **options)], None
            self.m.pasted = False  # a keras.Sequential cannot call MultiHeadAttention(query, value)
        if not bias:
            args["bias"] = False
        self.add(Unit([canon("attention", **args)], calls, paste, frozen=self.frozen()))

    def encoder_layer(self) -> None:
        rng = self.rng
        heads = rng.choice([h for h in (1, 2, 3, 4) if self.c % h == 0])
        ff, bias = rng.randint(4, 32), rng.random() < 0.8
        args: dict[str, Any] = {"heads": heads, "ff": ff}
        if not bias:
            args["bias"] = False
        calls = [call("nn.TransformerEncoderLayer", self.c, heads, dim_feedforward=ff, dropout=0.0,
                      batch_first=True, bias=bias)]
        self.add(Unit([canon("transformer_encoder_layer", **args)], calls, frozen=self.frozen(), encoder=True))


# --------------------------------------------------------------------------- families


def cnn(rng: random.Random, model: Model, d: int) -> None:
    if d == 1:
        name = "L" if model.framework == "keras" or rng.random() < 0.5 else "W"
        model.channels_first_1d = name == "L"
        model.inputs = {name: rng.randint(12, 64), "C": rng.randint(1, 4)}
    elif d == 2:
        model.inputs = {"H": rng.randint(6, 32), "W": rng.randint(6, 32), "C": rng.randint(1, 4)}
    else:
        model.inputs = {"D": rng.randint(3, 9), "H": rng.randint(3, 10), "W": rng.randint(3, 10), "C": rng.randint(1, 3)}
    g = Gen(rng, model)
    for _ in range(rng.randint(2, 6)):
        choice = rng.random()
        if choice < 0.4:
            g.conv(d)
        elif choice < 0.55 and d < 3:
            g.depthwise(d, separable=rng.random() < 0.5)
        elif choice < 0.7:
            g.pool(d)
        elif choice < 0.82:
            g.batchnorm(d)
        elif choice < 0.92:
            g.activation()
        else:
            g.dropout(d)
    if rng.random() < 0.5:
        g.flatten()
    else:
        g.global_pool(d)
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.3:
            g.batchnorm(0)
        g.dense()
        if rng.random() < 0.5:
            g.activation()
        if rng.random() < 0.3:
            g.dropout(0)
    g.dense(rng.randint(2, 10))
    first = model.units[0].canon[0]
    if model.channels_first_1d and not first.startswith(WINDOW_LAYERS):
        # input(L, C) is a sequence, (L, C), until a window layer reads it as a 1-D signal (C, L): a torch
        # model that starts element-wise on a (C, L) tensor is written input(W=..., C=...)
        model.inputs = {"W": model.inputs.pop("L"), "C": model.inputs["C"]}
        model.channels_first_1d = False


WINDOW_LAYERS = ("conv", "depthwise", "separable", "maxpool", "avgpool")


def mlp(rng: random.Random, model: Model) -> None:
    model.inputs = {"C": rng.randint(2, 100)}
    g = Gen(rng, model)
    for _ in range(rng.randint(1, 4)):
        g.dense(rng.randint(2, 64))
        for _ in range(rng.randint(0, 2)):
            [g.activation, lambda: g.batchnorm(0), g.layernorm, lambda: g.dropout(0)][rng.randint(0, 3)]()
    g.dense(rng.randint(1, 10))


def sequence(rng: random.Random, model: Model) -> None:
    model.tokens = rng.randint(5, 80)
    model.inputs = {"L": rng.randint(2, 12)}
    g = Gen(rng, model)
    g.embedding(model.tokens)
    if model.framework == "keras" and rng.random() < 0.3:  # a text CNN
        g.conv(1)
        g.global_pool(1)
        g.dense(rng.randint(1, 5))
        return
    last, n = rng.random() < 0.5, rng.randint(1, 2)
    for i in range(n):
        g.recurrent(last=last and i == n - 1)
    if g.seq and rng.random() < 0.5:
        g.dense()
    if g.seq:
        g.flatten()
    g.dense(rng.randint(1, 5))


def transformer(rng: random.Random, model: Model) -> None:
    torch_side = model.framework == "pytorch"
    model.inputs = {"L": rng.randint(2, 10), "C": rng.randint(2, 16)}
    g = Gen(rng, model)
    g.dense(rng.choice([4, 6, 8, 12]))
    for _ in range(rng.randint(1, 3)):
        if torch_side and rng.random() < 0.6:
            g.encoder_layer()
        else:
            g.attention()
            g.layernorm()
    if rng.random() < 0.5:
        g.global_pool(1) if not torch_side else g.flatten()
    elif torch_side:
        g.recurrent(last=False)
        g.flatten()
    else:
        g.global_pool(1)
    g.dense(rng.randint(1, 6))


FAMILIES: dict[str, Callable[[random.Random, Model], None]] = {
    "cnn1d": lambda rng, m: cnn(rng, m, 1),
    "cnn2d": lambda rng, m: cnn(rng, m, 2),
    "cnn3d": lambda rng, m: cnn(rng, m, 3),
    "mlp": mlp,
    "sequence": sequence,
    "transformer": transformer,
}
#: seeds per family and framework (2-D CNNs most: they have the most options); RANDOM_MODELS_SCALE=10 sweeps more
SEEDS = {family: n * int(os.environ.get("RANDOM_MODELS_SCALE", "1"))
         for family, n in {"cnn1d": 8, "cnn2d": 12, "cnn3d": 5, "mlp": 4, "sequence": 10, "transformer": 8}.items()}


def make_model(family: str, framework: str, seed: int) -> Model:
    rng = random.Random(f"{family}/{framework}/{seed}")
    model = Model(seed, family, framework, {}, pasted=rng.random() < 0.35,
                  keras_input=rng.choice(["Input", "keras.Input", "input_shape"]))
    FAMILIES[family](rng, model)
    return model


# --------------------------------------------------------------------------- the comparison


def symcount_units(model: Model) -> tuple[Any, list[list[Any]]]:
    """symcount's result, and its layers grouped by generated unit."""
    text = model.text()
    result = symcount.count(text, convention=model.framework)
    widths = [len(u.pasted if model.pasted else u.canon) for u in model.units]
    assert len(result.layers) == sum(widths), model.describe()
    groups, at = [], 0
    for w in widths:
        groups.append(result.layers[at:at + w])
        at += w
    return result, groups


def torch_macs(fn: Callable[[], Any]) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def encoder_macs(layer: nn.TransformerEncoderLayer, x: torch.Tensor) -> int:
    """Its counted parts (its own forward runs fused attention, which FlopCounterMode does not see on CPU)."""
    attn = layer.self_attn.train()
    hidden = torch.zeros(*x.shape[:-1], layer.linear1.out_features)
    macs = (torch_macs(lambda: attn(x, x, x, need_weights=True)) + torch_macs(lambda: layer.linear1(x))
            + torch_macs(lambda: layer.linear2(hidden)))
    attn.eval()
    return macs


def check_torch(model: Model) -> None:
    result, groups = symcount_units(model)
    where = model.describe()
    modules = [eval(u.calls[0], dict(TORCH_SCOPE)) for u in model.units]  # noqa: S307 - the generator's own code
    assert all(len(u.calls) == 1 for u in model.units)
    net = nn.Sequential(*modules).eval()
    for unit, module in zip(model.units, modules, strict=True):
        if unit.frozen:
            module.requires_grad_(False)
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in net.parameters() if not p.requires_grad)
    buffers = sum(b.numel() for n, b in net.named_buffers() if not n.endswith("num_batches_tracked"))
    assert (int(result.trainable), int(result.non_trainable), int(result.buffers)) == (trainable, frozen, buffers), \
        where
    assert int(result.total) == sum(p.numel() for p in net.parameters()), where
    shape = model.input_shape()
    x = torch.randint(0, model.tokens, (1, *shape)) if model.tokens else torch.randn(1, *shape)
    total_macs = 0
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False):
        for i, (unit, module, mine) in enumerate(zip(model.units, modules, groups, strict=True)):
            counted = (sum(int(layer.trainable + layer.non_trainable) for layer in mine),
                       sum(int(layer.buffers) for layer in mine))
            params = (sum(p.numel() for p in module.parameters()),
                      sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")))
            assert counted == params, f"unit {i} ({unit.canon}): parameters, buffers\n{where}"
            expected = encoder_macs(module, x) if unit.encoder else None
            y: list[torch.Tensor] = []
            macs = torch_macs(lambda m=module, x=x: y.append(m(x)))
            x = y[0]
            if expected is None:
                expected = macs
            got = sum(int(layer.macs) for layer in mine)
            assert got == expected, f"unit {i} ({unit.canon}): MACs {got} != FlopCounterMode's {expected}\n{where}"
            total_macs += expected
            out = tuple(int(n) for n in mine[-1].output_shape)
            assert out == tuple(x.shape[1:]), f"unit {i} ({unit.canon}): output shape\n{where}"
    assert int(result.macs) == total_macs, where
    assert int(result.flops) == 2 * total_macs, where


def check_keras(model: Model) -> None:
    result, groups = symcount_units(model)
    where = model.describe()
    keras.utils.set_random_seed(model.seed)
    inp = keras.Input(shape=model.input_shape(), dtype="int32" if model.tokens else "float32")
    x, built, outputs = inp, [], []
    for unit in model.units:
        layers = [eval(c, dict(KERAS_SCOPE)) for c in unit.calls]  # noqa: S307 - the generator's own code
        for layer in layers:
            x = layer(x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else layer(x)
        built.append(layers)
        outputs.append(x)
    net = keras.Model(inp, x)
    for unit, layers in zip(model.units, built, strict=True):
        if unit.frozen:
            for layer in layers:
                layer.trainable = False

    def size(w: Any) -> int:
        return int(np.prod(w.shape, dtype=np.int64))

    trainable = sum(size(w) for w in net.trainable_weights)
    frozen = sum(size(w) for w in net.non_trainable_weights)
    assert (int(result.trainable), int(result.non_trainable), int(result.buffers)) == (trainable, frozen, 0), where
    assert int(result.total) == net.count_params(), where
    for i, (unit, layers, mine, out) in enumerate(zip(model.units, built, groups, outputs, strict=True)):
        counted = (sum(int(layer.trainable) for layer in mine), sum(int(layer.non_trainable) for layer in mine))
        theirs = (sum(size(w) for layer in layers for w in layer.trainable_weights),
                  sum(size(w) for layer in layers for w in layer.non_trainable_weights))
        assert counted == theirs, f"unit {i} ({unit.canon}): trainable, non-trainable\n{where}"
        shape = tuple(int(n) for n in mine[-1].output_shape)
        assert shape == tuple(out.shape[1:]), f"unit {i} ({unit.canon}): output shape {shape}\n{where}"
    shape = (1, *model.input_shape())
    data = np.random.default_rng(model.seed)
    x_in = data.integers(0, model.tokens, shape) if model.tokens else data.standard_normal(shape).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = net(x_in)
    assert tuple(int(n) for n in result.output_shape) == tuple(y.shape[1:]), where


CASES = [pytest.param(family, framework, seed, id=f"{family}-{framework}-{seed}")
         for family, n in SEEDS.items() for framework in ("pytorch", "keras") for seed in range(n)]


@pytest.mark.parametrize(("family", "framework", "seed"), CASES)
def test_random_model_matches_framework(family: str, framework: str, seed: int) -> None:
    model = make_model(family, framework, seed)
    torch.manual_seed(seed)
    (check_torch if framework == "pytorch" else check_keras)(model)


def test_generator_covers_both_forms() -> None:
    """Both the canonical language and pasted framework code come up, for both frameworks."""
    models = [make_model(family, fw, seed) for family, fw, seed in (c.values for c in CASES)]
    forms = {(m.framework, m.pasted) for m in models}
    assert forms == {("pytorch", False), ("pytorch", True), ("keras", False), ("keras", True)}
