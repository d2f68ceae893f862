"""MACs cross-checked with ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs = 2 x MACs).

Each configuration is built as a real ``torch.nn`` module (on the meta device:
shapes and FLOPs without memory), run once under FlopCounterMode, and compared
with ``Count.macs`` and the layer's ``.macs``. Configurations are seeded random
(strides, padding, dilation, groups, non-square kernels, output padding).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import reference_cnn as ref
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import symcount

ZOO = Path(__file__).resolve().parent.parent / "derivations" / "zoo"


def torch_macs(module: nn.Module, *inputs: torch.Tensor, **kwargs: object) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        module(*inputs, **kwargs)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def tup(values: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, values)) + ")"


def one_layer(text: str) -> tuple[int, int]:
    """(the network's MACs, its one layer's MACs), both as ints."""
    result = symcount.count(text)
    assert len(result.layers) == 1
    assert result.flops == 2 * result.macs
    return int(result.macs), int(result.layers[0].macs)


INPUT_DIMS = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def input_line(sizes: tuple[int, ...], channels: int) -> str:
    dims = ", ".join(f"{n}={s}" for n, s in zip(INPUT_DIMS[len(sizes)], sizes, strict=True))
    return f"input({dims}, C={channels})"


# ---------------------------------------------------------------------------- linear


@pytest.mark.parametrize("seed", range(12))
def test_linear_macs(seed: int) -> None:
    rng = random.Random(seed)
    c_in, c_out, bias = rng.randint(1, 300), rng.randint(1, 300), rng.random() < 0.5
    length = rng.choice([None, rng.randint(1, 64)])
    layer = nn.Linear(c_in, c_out, bias=bias, device="meta")
    x = torch.zeros((1, c_in) if length is None else (1, length, c_in), device="meta")
    expected = torch_macs(layer, x)
    shape = f"input(C={c_in})" if length is None else f"input(L={length}, C={c_in})"
    got = one_layer(f"network n {{ {shape}; linear(C_out={c_out}, bias={str(bias).lower()}) }}")
    assert got == (expected, expected)


# ---------------------------------------------------------------------------- convolutions


@dataclass(frozen=True)
class Conv:
    """One random convolution: its module arguments and its input size."""

    c_in: int
    c_out: int
    k: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    sizes: tuple[int, ...]
    output_padding: tuple[int, ...] | None = None

    def out_sizes(self) -> list[int]:
        rows = zip(self.sizes, self.k, self.stride, self.padding, self.dilation, strict=True)
        if self.output_padding is None:
            return [(n + 2 * p - dl * (k - 1) - 1) // s + 1 for n, k, s, p, dl in rows]
        return [(n - 1) * s - 2 * p + dl * (k - 1) + op + 1
                for (n, k, s, p, dl), op in zip(rows, self.output_padding, strict=True)]

    def module(self) -> nn.Module:
        d = len(self.k)
        kwargs = dict(kernel_size=self.k, stride=self.stride, padding=self.padding, dilation=self.dilation,
                      groups=self.groups, bias=self.bias, device="meta")
        if self.output_padding is not None:
            cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[d]
            return cls(self.c_in, self.c_out, output_padding=self.output_padding, **kwargs)
        return {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[d](self.c_in, self.c_out, **kwargs)

    def description(self) -> str:
        d = len(self.k)
        kind = f"conv{d}d" if self.output_padding is None else f"conv_transpose{d}d"
        extra = "" if self.output_padding is None else f", output_padding={tup(self.output_padding)}"
        return (f"network n {{ {input_line(self.sizes, self.c_in)}; {kind}(C_out={self.c_out}, k={tup(self.k)}, "
                f"stride={tup(self.stride)}, padding={tup(self.padding)}, dilation={tup(self.dilation)}, "
                f"groups={self.groups}, bias={str(self.bias).lower()}{extra}) }}")


def random_conv(rng: random.Random, d: int, transpose: bool) -> Conv:
    """A random valid convolution (its output at least 1 wide in every dimension)."""
    while True:
        groups = rng.choice([1, 1, 2, 3, 4])
        stride = tuple(rng.randint(1, 3) for _ in range(d))
        dilation = tuple(rng.randint(1, 2) for _ in range(d))
        conv = Conv(
            c_in=groups * rng.randint(1, 4), c_out=groups * rng.randint(1, 4),
            k=tuple(rng.randint(1, 4) for _ in range(d)), stride=stride,
            padding=tuple(rng.randint(0, 2) for _ in range(d)), dilation=dilation, groups=groups,
            bias=rng.random() < 0.5, sizes=tuple(rng.randint(4, 14 if d < 3 else 7) for _ in range(d)),
            output_padding=tuple(rng.randint(0, max(s, dl) - 1) for s, dl in zip(stride, dilation, strict=True))
            if transpose else None,
        )
        if min(conv.out_sizes()) >= 1:
            return conv


@pytest.mark.parametrize("transpose", [False, True], ids=["conv", "conv_transpose"])
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_conv_macs(d: int, seed: int, transpose: bool) -> None:
    """conv: k^d C_in/g C_out per output position; transposed: k^d C_in C_out/g per input position."""
    conv = random_conv(random.Random(1000 * d + seed + (500 if transpose else 0)), d, transpose)
    module = conv.module()
    x = torch.zeros(1, conv.c_in, *conv.sizes, device="meta")
    expected = torch_macs(module, x)
    text = conv.description()
    result = symcount.count(text)
    assert (int(result.macs), int(result.layers[0].macs)) == (expected, expected), text
    assert tuple(int(n) for n in result.output_shape) == tuple(module(x).shape[1:]), text


@pytest.mark.parametrize("seed", range(6))
def test_depthwise_and_separable_1d_macs_equal_their_torch_forms(seed: int) -> None:
    """Keras's DepthwiseConv1D / SeparableConv1D as PyTorch writes them: Conv1d(groups=C), then a kernel-1 Conv1d."""
    rng = random.Random(seed)
    c, m, c_out, k = rng.randint(1, 8), rng.randint(1, 3), rng.randint(1, 9), rng.randint(1, 5)
    stride, pad, length = rng.randint(1, 3), rng.randint(0, 2), rng.randint(k, 40)
    x = torch.zeros(1, c, length, device="meta")
    depthwise = nn.Conv1d(c, c * m, k, stride=stride, padding=pad, groups=c, bias=False, device="meta")
    options = f"k={k}, multiplier={m}, stride={stride}, padding={pad}"
    got = one_layer(f"network n {{ input(L={length}, C={c}); depthwise_conv1d({options}) }}")
    assert got == (torch_macs(depthwise, x),) * 2
    separable = nn.Sequential(depthwise, nn.Conv1d(c * m, c_out, 1, device="meta"))
    got = one_layer(f"network n {{ input(L={length}, C={c}); separable_conv1d(C_out={c_out}, {options}) }}")
    assert got == (torch_macs(separable, x),) * 2


def test_depthwise_and_separable_macs_equal_their_torch_forms() -> None:
    x = torch.zeros(1, 8, 15, 15, device="meta")
    depthwise = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=8, bias=False, device="meta")
    got = one_layer("network n { input(H=15, W=15, C=8); depthwise_conv2d(k=3, multiplier=2, stride=2, padding=1) }")
    assert got[0] == torch_macs(depthwise, x)
    separable = nn.Sequential(depthwise, nn.Conv2d(16, 5, 1, device="meta"))
    got = one_layer("network n { input(H=15, W=15, C=8); "
                    "separable_conv2d(C_out=5, k=3, multiplier=2, stride=2, padding=1) }")
    assert got[0] == torch_macs(separable, x)


# ---------------------------------------------------------------------------- attention


@pytest.mark.parametrize("seed", range(8))
def test_multihead_attention_macs(seed: int) -> None:
    """Projections plus the two L x L products; need_weights=True in train mode (the counted path)."""
    rng = random.Random(seed)
    heads = rng.randint(1, 6)
    d_model = heads * rng.randint(1, 12)
    length = rng.randint(1, 40)
    bias = rng.random() < 0.5
    mha = nn.MultiheadAttention(d_model, heads, bias=bias, dropout=0.0, batch_first=True, device="meta").train()
    x = torch.zeros(1, length, d_model, device="meta")
    expected = torch_macs(mha, x, x, x, need_weights=True)
    got = one_layer(f"network n {{ input(L={length}, C={d_model}); "
                    f"attention(heads={heads}, bias={str(bias).lower()}) }}")
    assert got == (expected, expected)


def test_bias_adds_and_parameterless_layers_are_not_macs() -> None:
    x = torch.zeros(1, 4, 8, 8, device="meta")
    module = nn.Sequential(nn.Conv2d(4, 6, 3, bias=True), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(), nn.LayerNorm(6)).to("meta").eval()
    result = symcount.count("network n { input(H=8, W=8, C=4); conv2d(C_out=6, k=3); batchnorm(); relu(); "
                            "maxpool2d(k=2); adaptive_avgpool2d(out=1); flatten(); dropout(); layernorm() }")
    assert int(result.macs) == torch_macs(module, x) == 9 * 4 * 6 * 36
    assert [int(layer.macs) for layer in result.layers[1:]] == [0] * 7


# ---------------------------------------------------------------------------- whole models


@pytest.mark.parametrize(("name", "factory"), [("resnet18", ref.resnet18), ("mobilenet_v2", ref.MobileNetV2),
                                               ("alexnet", ref.AlexNet), ("densenet121", ref.DenseNet121),
                                               ("shufflenet_v2", ref.ShuffleNetV2)])
def test_zoo_model_macs_layer_by_layer(name: str, factory: Callable[[], nn.Module]) -> None:
    with torch.device("meta"):
        model = factory().eval()
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.zeros(1, 3, 224, 224, device="meta"))
    counts = counter.get_flop_counts()
    root = type(model).__name__
    per_module = [sum(counts.get(f"{root}.{n}", {}).values()) // 2 for n, m in model.named_modules()
                  if isinstance(m, (nn.Conv2d, nn.Linear))]
    result = symcount.count(ZOO / f"{name}.sc")
    per_layer = [int(layer.macs) for layer in result.layers
                 if layer.kind in ("conv2d", "depthwise_conv2d", "linear")]
    assert per_layer == per_module
    assert int(result.macs) == counter.get_total_flops() // 2 == sum(per_module)


def test_se_resnet50_block_macs() -> None:
    """Squeeze-and-excitation's 1x1 convolutions run on (C, 1, 1); the multiply is no MAC, as FlopCounterMode says."""
    with torch.device("meta"):
        model = ref.se_resnet50_block().eval()
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.zeros(1, 64, 56, 56, device="meta"))
    result = symcount.count(ZOO / "se_resnet50_block.sc")
    assert int(result.macs) == counter.get_total_flops() // 2
    se = [int(layer.macs) for layer in result.layers if layer.name.startswith("se.") and layer.kind == "conv2d"]
    assert se == [256 * 16, 16 * 256]


# ---------------------------------------------------------------------------- recurrent and encoder layers


RNN_CASES = [(kind, layers, bi, proj) for kind in ("rnn", "gru", "lstm") for layers in (1, 2) for bi in (False, True)
             for proj in ((0, 3) if kind == "lstm" else (0,))]


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize(("kind", "layers", "bidirectional", "proj"), RNN_CASES)
def test_recurrent_macs(kind: str, layers: int, bidirectional: bool, proj: int) -> None:
    """Per step: gates x H x (input + hidden) per layer and direction (oneDNN off: its fused LSTM is not counted)."""
    length, c_in, hidden = 7, 5, 6
    cls = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind]
    extra = {"proj_size": proj} if proj else {}
    module = cls(c_in, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True, **extra)
    with torch.backends.mkldnn.flags(enabled=False):
        expected = torch_macs(module, torch.zeros(1, length, c_in))
    options = f", proj={proj}" if proj else ""
    got = one_layer(f"network n {{ input(L={length}, C={c_in}); {kind}(hidden={hidden}, layers={layers}, "
                    f"bidirectional={str(bidirectional).lower()}{options}) }}")
    assert got == (expected, expected)


def test_transformer_encoder_layer_macs_are_its_parts() -> None:
    """The layer's own forward uses fused attention (not counted on CPU): sum its counted parts instead."""
    length, d_model, heads, ff = 9, 32, 4, 64
    layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout=0.0, batch_first=True).train()
    x = torch.zeros(1, length, d_model)
    expected = (torch_macs(layer.self_attn, x, x, x, need_weights=True) + torch_macs(layer.linear1, x)
                + torch_macs(layer.linear2, torch.zeros(1, length, ff)))
    got = one_layer(f"network n {{ input(L={length}, C={d_model}); "
                    f"transformer_encoder_layer(heads={heads}, ff={ff}) }}")
    assert got == (expected, expected)


@pytest.mark.parametrize("seed", range(4))
def test_transformer_decoder_layer_macs_are_its_parts(seed: int) -> None:
    """Self-attention on the target, cross-attention to the memory (S positions), the feed-forward."""
    rng = random.Random(seed)
    heads = rng.randint(1, 4)
    length, memory, d_model, ff = rng.randint(1, 12), rng.randint(1, 12), heads * rng.randint(1, 8), rng.randint(1, 64)
    layer = nn.TransformerDecoderLayer(d_model, heads, ff, dropout=0.0, batch_first=True).train()
    x, mem = torch.zeros(1, length, d_model), torch.zeros(1, memory, d_model)
    expected = (torch_macs(layer.self_attn, x, x, x, need_weights=True)
                + torch_macs(layer.multihead_attn, x, mem, mem, need_weights=True)
                + torch_macs(layer.linear1, x) + torch_macs(layer.linear2, torch.zeros(1, length, ff)))
    got = one_layer(f"network n {{ input(L={length}, C={d_model}); "
                    f"transformer_decoder_layer(heads={heads}, ff={ff}, memory_len={memory}) }}")
    assert got == (expected, expected)
    if memory == length or seed == 0:  # memory_len left out: the memory is as long as the target
        same = (torch_macs(layer.self_attn, x, x, x, need_weights=True)
                + torch_macs(layer.multihead_attn, x, x, x, need_weights=True)
                + torch_macs(layer.linear1, x) + torch_macs(layer.linear2, torch.zeros(1, length, ff)))
        got = one_layer(f"network n {{ input(L={length}, C={d_model}); "
                        f"transformer_decoder_layer(heads={heads}, ff={ff}) }}")
        assert got == (same, same)
