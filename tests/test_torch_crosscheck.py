"""symcount against real ``torch.nn`` modules, layer by layer.

Every catalog layer PyTorch has is built here in many seeded-random
configurations as the real module. For each one the trainable parameters,
the frozen (``requires_grad=False``) parameters and the buffers must equal
``symcount.count`` exactly, every tensor symcount lists must be in the
module's ``state_dict`` with the same shape (and nothing else may be), and the
output shape must be what a random tensor run through the module comes out
as (batch 1, channels first). Each configuration is its own test id, so a
failure names the seed that reproduces it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sympy
import torch
from torch import nn

import symcount
from symcount.catalog.core import CATALOG, lookup
from symcount.engine.activations import layer_values
from symcount.language.symbols import sym

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

Forward = Callable[[nn.Module, torch.Tensor], torch.Tensor]


def _plain(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return module(x)


@dataclass
class Case:
    """One configuration: the symcount call and the module that must agree with it."""

    kind: str
    args: dict[str, Any]
    inputs: dict[str, Any]  # sizes, or symbol names for symbolic shapes
    build: Callable[[], nn.Module]
    frozen: bool = False
    forward: Forward = _plain
    tokens: int = 0  # vocabulary size when the input is token ids
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        args = dict(self.args)
        if self.frozen:
            args["trainable"] = False
        call = ", ".join(f"{name}={fmt(value)}" for name, value in args.items())
        dims = ", ".join(f"{name}={value}" for name, value in self.inputs.items())
        if "stream" in self.extra:  # cross-attention: a second sequence (S, C) the layer reads with to=encoder
            length, width = self.extra["stream"]
            return (f"network n {{ encoder: stream {{ input(L={length}, C={width}) }}; input({dims}); "
                    f"{self.kind}({call}, to=encoder) }}")
        return f"network n {{ input({dims}); {self.kind}({call}) }}"

    def input_tensor(self, batch: int = 1) -> torch.Tensor:
        """Batch 1 (unless told), channels first for images, (L, C) for sequences, as PyTorch takes them."""
        d = self.inputs
        if self.tokens:
            return torch.randint(0, self.tokens, (batch, d["L"]))
        if "L" in d:
            if self.extra.get("channels_first"):
                return torch.randn(batch, d["C"], d["L"])
            return torch.randn(batch, d["L"], d["C"]) if "C" in d else torch.randn(batch, d["L"])
        spatial = [d[n] for n in ("D", "H", "W") if n in d]
        return torch.randn(batch, d["C"], *spatial)


def fmt(value: Any) -> str:
    """A Python value written in symcount's language."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


def tup(rng: random.Random, values: list[int]) -> int | tuple[int, ...]:
    """An int when all entries agree (half the time), else the tuple: both spellings get exercised."""
    if len(set(values)) == 1 and rng.random() < 0.5:
        return values[0]
    return tuple(values)


def spatial_inputs(rng: random.Random, sizes: list[int], channels: int, window: bool) -> tuple[dict[str, int], bool]:
    """symcount input() for 1-3 spatial sizes; 1-D inputs are written with W, or with L for window layers.

    A window layer (convolution, pooling) on input(L, C) is how a 1-D signal is
    written; PyTorch still takes the tensor channels first, (C, L), and the
    layer's output is printed that way. Returns the dims and whether L was used.
    """
    if len(sizes) == 1:
        name = rng.choice(["L", "W"]) if window else "W"
        return {name: sizes[0], "C": channels}, name == "L"
    names = ("H", "W") if len(sizes) == 2 else ("D", "H", "W")
    return {**dict(zip(names, sizes, strict=True)), "C": channels}, False


def _spatial_case(rng: random.Random, kind: str, args: dict[str, Any], sizes: list[int], channels: int,
                  build: Callable[[], nn.Module], frozen: bool = False) -> Case:
    window = CATALOG[kind].input_kind == "spatial"
    inputs, uses_l = spatial_inputs(rng, sizes, channels, window)
    return Case(kind, args, inputs, build, frozen=frozen, extra={"channels_first": uses_l})


# ---------------------------------------------------------------------------
# generators: one random configuration per call


def gen_conv(d: int) -> Callable[[random.Random], Case]:
    conv = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[d]

    def gen(rng: random.Random) -> Case:
        groups = rng.choice([1, 1, 1, 2, 3])
        c_in, c_out = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        k = [rng.randint(1, 4 if d < 3 else 3) for _ in range(d)]
        mode = rng.choice(["int", "int", "int", "same", "valid"])
        stride = [1] * d if mode == "same" else [rng.randint(1, 3) for _ in range(d)]
        dilation = [rng.randint(1, 2) for _ in range(d)]
        pad = [rng.randint(0, 2) for _ in range(d)] if mode == "int" else [0] * d
        sizes = []
        for kk, dl, p in zip(k, dilation, pad, strict=True):
            eff = dl * (kk - 1) + 1
            sizes.append(rng.randint(max(1, eff - 2 * p), eff + (6 if d < 3 else 3)))
        bias = rng.random() < 0.7
        padding: Any = mode if mode != "int" else tup(rng, pad)
        args = {"C_out": c_out, "k": tup(rng, k), "groups": groups, "bias": bias, "stride": tup(rng, stride),
                "padding": padding, "dilation": tup(rng, dilation)}
        torch_pad = padding if isinstance(padding, str) else tuple(pad)
        return _spatial_case(
            rng, f"conv{d}d", args, sizes, c_in,
            lambda: conv(c_in, c_out, tuple(k), stride=tuple(stride), padding=torch_pad,
                         dilation=tuple(dilation), groups=groups, bias=bias),
            frozen=rng.random() < 0.2)

    return gen


def gen_conv_transpose(d: int) -> Callable[[random.Random], Case]:
    conv = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[d]

    def gen(rng: random.Random) -> Case:
        groups = rng.choice([1, 1, 2])
        c_in, c_out = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        k = [rng.randint(1, 4 if d < 3 else 3) for _ in range(d)]
        stride = [rng.randint(1, 3) for _ in range(d)]
        dilation = [rng.randint(1, 2) for _ in range(d)]
        out_pad = [rng.randint(0, max(s, dl) - 1) for s, dl in zip(stride, dilation, strict=True)]
        sizes = [rng.randint(1, 5 if d < 3 else 3) for _ in range(d)]
        pad = []
        for n, kk, s, dl, op in zip(sizes, k, stride, dilation, out_pad, strict=True):
            room = (n - 1) * s + dl * (kk - 1) + op  # output = room - 2p + 1 >= 1
            pad.append(rng.randint(0, min(2, room // 2)))
        bias = rng.random() < 0.7
        args = {"C_out": c_out, "k": tup(rng, k), "groups": groups, "bias": bias, "stride": tup(rng, stride),
                "padding": tup(rng, pad), "dilation": tup(rng, dilation), "output_padding": tup(rng, out_pad)}
        return _spatial_case(
            rng, f"conv_transpose{d}d", args, sizes, c_in,
            lambda: conv(c_in, c_out, tuple(k), stride=tuple(stride), padding=tuple(pad),
                         output_padding=tuple(out_pad), groups=groups, bias=bias, dilation=tuple(dilation)),
            frozen=rng.random() < 0.2)

    return gen


def gen_depthwise(d: int) -> Callable[[random.Random], Case]:
    """PyTorch's depthwise convolution: Conv{1,2}d(C, C*m, k, groups=C), as the catalog's note says."""
    conv = {1: nn.Conv1d, 2: nn.Conv2d}[d]

    def gen(rng: random.Random) -> Case:
        c, m = rng.randint(1, 4), rng.randint(1, 3)
        k = [rng.randint(1, 4) for _ in range(d)]
        stride = [rng.randint(1, 2) for _ in range(d)]
        pad = [rng.randint(0, 1) for _ in range(d)]
        sizes = [rng.randint(kk, kk + 5) for kk in k]
        bias = rng.random() < 0.5
        args = {"k": tup(rng, k), "multiplier": m, "bias": bias, "stride": tup(rng, stride), "padding": tup(rng, pad)}
        return _spatial_case(
            rng, f"depthwise_conv{d}d", args, sizes, c,
            lambda: conv(c, c * m, tuple(k), stride=tuple(stride), padding=tuple(pad), groups=c, bias=bias),
            frozen=rng.random() < 0.2)

    return gen


class Separable(nn.Module):
    """PyTorch's separable convolution: a depthwise Conv{1,2}d without bias, then a pointwise (kernel 1) conv."""

    def __init__(self, c: int, m: int, c_out: int, k: tuple[int, ...], stride: tuple[int, ...],
                 padding: Any, bias: bool) -> None:
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d}[len(k)]
        self.depthwise = conv(c, c * m, k, stride=stride, padding=padding, groups=c, bias=False)
        self.pointwise = conv(c * m, c_out, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


def gen_separable(d: int) -> Callable[[random.Random], Case]:
    def gen(rng: random.Random) -> Case:
        c, m, c_out = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 5)
        k = [rng.randint(1, 4) for _ in range(d)]
        mode = rng.choice(["int", "same", "valid"])
        stride = [1] * d if mode == "same" else [rng.randint(1, 2) for _ in range(d)]
        pad = [rng.randint(0, 1) for _ in range(d)] if mode == "int" else [0] * d
        padding: Any = mode if mode != "int" else tup(rng, pad)
        sizes = [rng.randint(kk, kk + 5) for kk in k]
        bias = rng.random() < 0.5
        args = {"C_out": c_out, "k": tup(rng, k), "multiplier": m, "bias": bias, "stride": tup(rng, stride),
                "padding": padding}
        torch_pad = padding if isinstance(padding, str) else tuple(pad)
        return _spatial_case(rng, f"separable_conv{d}d", args, sizes, c,
                             lambda: Separable(c, m, c_out, tuple(k), tuple(stride), torch_pad, bias),
                             frozen=rng.random() < 0.2)

    return gen


def gen_linear(rng: random.Random) -> Case:
    c_in, c_out = rng.randint(1, 40), rng.randint(1, 40)
    bias = rng.random() < 0.7
    inputs = {"C": c_in} if rng.random() < 0.5 else {"L": rng.randint(1, 5), "C": c_in}
    return Case("linear", {"C_out": c_out, "bias": bias}, inputs, lambda: nn.Linear(c_in, c_out, bias=bias),
                frozen=rng.random() < 0.3)


def gen_bilinear(rng: random.Random) -> Case:
    """nn.Bilinear(in1, in2, out): the first input flows in, the second (in2 features) is given beside it."""
    c_in, c_in2, c_out = rng.randint(1, 8), rng.randint(1, 8), rng.randint(1, 8)
    bias = rng.random() < 0.7
    inputs = {"C": c_in} if rng.random() < 0.5 else {"L": rng.randint(1, 5), "C": c_in}

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return module(x, torch.randn(*x.shape[:-1], c_in2))

    names = ("in2_features", "out_features") if rng.random() < 0.5 else ("C_in2", "C_out")  # PyTorch's spelling too
    return Case("bilinear", {names[0]: c_in2, names[1]: c_out, "bias": bias}, inputs,
                lambda: nn.Bilinear(c_in, c_in2, c_out, bias=bias), frozen=rng.random() < 0.3, forward=forward)


def gen_pool(kind: str, d: int) -> Callable[[random.Random], Case]:
    cls = {("max", 1): nn.MaxPool1d, ("max", 2): nn.MaxPool2d, ("max", 3): nn.MaxPool3d,
           ("avg", 1): nn.AvgPool1d, ("avg", 2): nn.AvgPool2d, ("avg", 3): nn.AvgPool3d}[(kind, d)]

    def gen(rng: random.Random) -> Case:
        k = [rng.randint(1, 4) for _ in range(d)]
        given_stride = rng.random() < 0.6
        stride = [rng.randint(1, 3) for _ in range(d)] if given_stride else list(k)
        pad = [rng.randint(0, kk // 2) for kk in k]
        dilation = [rng.randint(1, 2) for _ in range(d)] if kind == "max" else [1] * d
        ceil_mode = rng.random() < 0.5
        sizes = []
        for kk, dl, p in zip(k, dilation, pad, strict=True):
            eff = dl * (kk - 1) + 1
            # PyTorch's avg_pool3d refuses an unpadded input smaller than the window
            smallest = kk if (kind, d) == ("avg", 3) else max(1, eff - 2 * p)
            sizes.append(rng.randint(smallest, eff + (7 if d < 3 else 4)))
        args: dict[str, Any] = {"k": tup(rng, k)}
        if given_stride:
            args["stride"] = tup(rng, stride)
        args.update({"padding": tup(rng, pad), "ceil_mode": ceil_mode})
        options: dict[str, Any] = {}
        if kind == "max":
            args["dilation"] = tup(rng, dilation)
            options["dilation"] = tuple(dilation)
        return _spatial_case(
            rng, f"{kind}pool{d}d", args, sizes, rng.randint(1, 3),
            lambda: cls(tuple(k), stride=tuple(stride), padding=tuple(pad), ceil_mode=ceil_mode, **options))

    return gen


def gen_adaptive(kind: str, d: int) -> Callable[[random.Random], Case]:
    cls = getattr(nn, f"Adaptive{kind.capitalize()}Pool{d}d")

    def gen(rng: random.Random) -> Case:
        out = [rng.randint(1, 4) for _ in range(d)]
        sizes = [rng.randint(1, 9) for _ in range(d)]
        return _spatial_case(rng, f"adaptive_{kind}pool{d}d", {"out": tup(rng, out)}, sizes, rng.randint(1, 4),
                             lambda: cls(tuple(out)))

    return gen


def gen_global(kind: str) -> Callable[[random.Random], Case]:
    """Global pooling is PyTorch's AdaptiveXPool(1) followed by flatten: one value per channel."""

    def gen(rng: random.Random) -> Case:
        d = rng.randint(1, 3)
        cls = getattr(nn, f"Adaptive{kind.capitalize()}Pool{d}d")
        sizes = [rng.randint(1, 6) for _ in range(d)]
        return _spatial_case(rng, f"global_{kind}pool", {}, sizes, rng.randint(1, 6),
                             lambda: nn.Sequential(cls(1), nn.Flatten()))

    return gen


def gen_batchnorm(rng: random.Random) -> Case:
    track = rng.random() < 0.75
    d = rng.randint(0 if track else 1, 3)  # without running statistics, eval() needs > 1 value per channel
    c = rng.randint(1, 16)
    affine = rng.random() < 0.8
    cls = {0: nn.BatchNorm1d, 1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[d]
    frozen = affine and rng.random() < 0.4
    args = {"affine": affine}
    if not track or rng.random() < 0.2:
        args["track_running_stats"] = track

    def build() -> nn.Module:
        return cls(c, affine=affine, track_running_stats=track)

    if d == 0:
        return Case("batchnorm", args, {"C": c}, build, frozen=frozen)
    sizes = [rng.randint(1 if track else 2, 4) for _ in range(d)]
    return _spatial_case(rng, "batchnorm", args, sizes, c, build, frozen=frozen)


def gen_layernorm(rng: random.Random) -> Case:
    c = rng.randint(1, 32)
    bias = rng.random() < 0.6
    affine = rng.random() < 0.8
    args: dict[str, Any] = {"bias": bias}
    if not affine or rng.random() < 0.2:
        args[rng.choice(["affine", "elementwise_affine"])] = affine
    inputs = {"C": c} if rng.random() < 0.3 else {"L": rng.randint(1, 5), "C": c}
    return Case("layernorm", args, inputs, lambda: nn.LayerNorm(c, elementwise_affine=affine, bias=bias),
                frozen=rng.random() < 0.3)


def gen_layernorm_shape(rng: random.Random) -> Case:
    """LayerNorm(normalized_shape=tuple): weight and bias of that shape, the input's last sizes (channels first)."""
    c = rng.randint(1, 6)
    if rng.random() < 0.3:
        inputs: dict[str, int] = {"L": rng.randint(1, 5), "C": c}
        layout = [inputs["L"], c]
    else:
        sizes = [rng.randint(1, 5) for _ in range(rng.randint(1, 3))]
        inputs, _ = spatial_inputs(rng, sizes, c, window=False)
        layout = [c, *sizes]
    # one size is symcount's C, the channels (PyTorch's last size only for a sequence): tuples here
    normalized = tuple(layout[-rng.randint(1 if "L" in inputs else 2, len(layout)):])
    bias, affine = rng.random() < 0.6, rng.random() < 0.8
    args: dict[str, Any] = {rng.choice(["C", "normalized_shape"]): normalized, "bias": bias}
    if not affine or rng.random() < 0.2:
        args["elementwise_affine"] = affine
    return Case("layernorm", args, inputs, lambda: nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias),
                frozen=rng.random() < 0.3)


def gen_groupnorm(rng: random.Random) -> Case:
    groups = rng.randint(1, 4)
    c = groups * rng.randint(1, 4)
    sizes = [rng.randint(2, 5) for _ in range(rng.randint(1, 2))]  # PyTorch wants > 1 value per group
    affine = rng.random() < 0.7
    return _spatial_case(rng, "groupnorm", {"G": groups, "affine": affine}, sizes, c,
                         lambda: nn.GroupNorm(groups, c, affine=affine), frozen=rng.random() < 0.3)


def gen_instancenorm(rng: random.Random) -> Case:
    d = rng.randint(1, 3)
    c = rng.randint(1, 8)
    affine = rng.random() < 0.6
    track = rng.random() < 0.4
    cls = getattr(nn, f"InstanceNorm{d}d")
    sizes = [rng.randint(2, 4) for _ in range(d)]
    return _spatial_case(rng, "instancenorm", {"affine": affine, "track_running_stats": track}, sizes, c,
                         lambda: cls(c, affine=affine, track_running_stats=track),
                         frozen=affine and rng.random() < 0.4)


def gen_rmsnorm(rng: random.Random) -> Case:
    c = rng.randint(1, 32)
    affine = rng.random() < 0.7
    args = {} if affine and rng.random() < 0.5 else {"elementwise_affine": affine}
    return Case("rmsnorm", args, {"L": rng.randint(1, 5), "C": c}, lambda: nn.RMSNorm(c, elementwise_affine=affine),
                frozen=rng.random() < 0.3)


def gen_embedding(rng: random.Random) -> Case:
    vocab, dim = rng.randint(2, 60), rng.randint(1, 16)
    return Case("embedding", {"V": vocab, "dim": dim}, {"L": rng.randint(1, 6)}, lambda: nn.Embedding(vocab, dim),
                tokens=vocab, frozen=rng.random() < 0.3)


def gen_rnn(kind: str) -> Callable[[random.Random], Case]:
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]

    def gen(rng: random.Random) -> Case:
        c_in, hidden = rng.randint(1, 8), rng.randint(2, 8)
        layers = rng.randint(1, 3)
        bidirectional = rng.random() < 0.5
        bias = rng.random() < 0.7
        return_sequences = rng.random() < 0.7
        args: dict[str, Any] = {"hidden": hidden, "layers": layers, "bidirectional": bidirectional, "bias": bias}
        options: dict[str, Any] = {}
        if kind == "lstm" and rng.random() < 0.5:
            proj = rng.randint(1, hidden - 1)
            args["proj"] = proj
            options["proj_size"] = proj
        args["return_sequences"] = return_sequences

        def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
            out = module(x)[0]
            return out if return_sequences else out[:, -1, :]

        return Case(kind, args, {"L": rng.randint(1, 5), "C": c_in},
                    lambda: cls(c_in, hidden, num_layers=layers, bias=bias, batch_first=True,
                                bidirectional=bidirectional, **options),
                    frozen=rng.random() < 0.2, forward=forward)

    return gen


def _self_attention(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return module(x, x, x, need_weights=False)[0]


def gen_attention(rng: random.Random) -> Case:
    heads = rng.randint(1, 4)
    d = heads * rng.randint(1, 4)
    bias = rng.random() < 0.6
    return Case("attention", {"heads": heads, "bias": bias}, {"L": rng.randint(1, 5), "C": d},
                lambda: nn.MultiheadAttention(d, heads, bias=bias, batch_first=True),
                frozen=rng.random() < 0.2, forward=_self_attention)


def gen_attention_options(rng: random.Random) -> Case:
    """MultiheadAttention with kdim/vdim (separate key and value inputs) and add_bias_kv."""
    heads = rng.randint(1, 4)
    d = heads * rng.randint(1, 4)
    kdim, vdim = rng.choice([d, rng.randint(1, 9)]), rng.choice([d, rng.randint(1, 9)])
    bias, bias_kv = rng.random() < 0.5, rng.random() < 0.5
    length, source = rng.randint(1, 5), rng.randint(1, 5)
    args: dict[str, Any] = {"heads": heads, "bias": bias, "kdim": kdim, "vdim": vdim, "add_bias_kv": bias_kv}

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        key, value = torch.randn(x.shape[0], source, kdim), torch.randn(x.shape[0], source, vdim)
        return module(x, key, value, need_weights=False)[0]

    return Case("attention", args, {"L": length, "C": d},
                lambda: nn.MultiheadAttention(d, heads, bias=bias, add_bias_kv=bias_kv, kdim=kdim, vdim=vdim,
                                              batch_first=True),
                frozen=rng.random() < 0.2, forward=forward, extra={"source_len": source})


def gen_grouped_attention(rng: random.Random) -> Case:
    """Attention with kv_heads or its own head size has no torch.nn module: Llama's attention from transformers."""
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaAttention

    kv_heads = rng.randint(1, 3)
    heads = kv_heads * rng.randint(1, 3)
    d, head_dim = heads * rng.randint(1, 3), 2 * rng.randint(1, 4)  # Llama's config: heads | d, even head size
    bias = rng.random() < 0.5
    config = LlamaConfig(hidden_size=d, num_attention_heads=heads, num_key_value_heads=kv_heads, head_dim=head_dim,
                         attention_bias=bias)
    config._attn_implementation = "eager"
    length = rng.randint(1, 5)

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        rotation = (torch.ones(1, length, head_dim), torch.zeros(1, length, head_dim))
        return module(x, position_embeddings=rotation, attention_mask=None)[0]

    return Case("attention", {"heads": heads, "kv_heads": kv_heads, "key_dim": head_dim, "bias": bias},
                {"L": length, "C": d}, lambda: LlamaAttention(config, layer_idx=0), frozen=rng.random() < 0.2,
                forward=forward)


def gen_projection_attention(rng: random.Random) -> Case:
    """Per-projection biases and QK-norm: Qwen2's attention (q, k, v biased, o not), Qwen3's (an RMSNorm over
    head_dim on each query and key head, all biases or none) and Whisper's (no bias on k only)."""
    from transformers import Qwen2Config, Qwen3Config, WhisperConfig
    from transformers.models.qwen2.modeling_qwen2 import Qwen2Attention
    from transformers.models.qwen3.modeling_qwen3 import Qwen3Attention
    from transformers.models.whisper.modeling_whisper import WhisperAttention

    kv_heads = rng.randint(1, 3)
    heads = kv_heads * rng.randint(1, 3)
    head_dim = 2 * rng.randint(1, 3)
    length = rng.randint(1, 5)
    family = rng.choice(["qwen2", "qwen3", "whisper"])
    if family == "whisper":
        d = heads * head_dim
        config = WhisperConfig(d_model=d, encoder_attention_heads=heads)
        config._attn_implementation = "eager"
        args: dict[str, Any] = {"heads": heads, "k_bias": False}  # Whisper's attention always has bias=True
        return Case("attention", args, {"L": length, "C": d},
                    lambda: WhisperAttention(d, heads, config=config), frozen=rng.random() < 0.2,
                    forward=lambda module, x: module(x)[0],
                    extra={"renamed": {"out_proj.weight": "o_proj.weight", "out_proj.bias": "o_proj.bias"}})
    d = heads * rng.randint(1, 3)
    if family == "qwen2":
        config = Qwen2Config(hidden_size=d, num_attention_heads=heads, num_key_value_heads=kv_heads, head_dim=head_dim)
        args = {"heads": heads, "kv_heads": kv_heads, "head_dim": head_dim, "bias": True, "o_bias": False}
        make = Qwen2Attention
    else:
        bias = rng.random() < 0.5
        config = Qwen3Config(hidden_size=d, num_attention_heads=heads, num_key_value_heads=kv_heads,
                             head_dim=head_dim, attention_bias=bias)
        args = {"heads": heads, "kv_heads": kv_heads, "head_dim": head_dim, "bias": bias, "qk_norm": "rmsnorm"}
        make = Qwen3Attention
    config._attn_implementation = "eager"

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        rotation = (torch.ones(1, length, head_dim), torch.zeros(1, length, head_dim))
        return module(x, position_embeddings=rotation, attention_mask=None)[0]

    return Case("attention", args, {"L": length, "C": d}, lambda: make(config, layer_idx=0),
                frozen=rng.random() < 0.2, forward=forward)


def gen_cross_attention(rng: random.Random) -> Case:
    """Encoder-decoder attention: Whisper's and T5's decoder cross-attention (keys and values from the
    encoder's output, S positions, written to=encoder) and T5's self-attention with a relative position bias
    (buckets x heads). (BART's, with all four biases, is MultiheadAttention's: in attention_options.)"""
    from transformers import T5Config, WhisperConfig
    from transformers.models.t5.modeling_t5 import T5Attention
    from transformers.models.whisper.modeling_whisper import WhisperAttention

    heads, head_dim = rng.randint(1, 3), rng.randint(1, 3)
    length, source = rng.randint(1, 5), rng.randint(1, 6)
    family = rng.choice(["whisper", "t5", "t5_cross"])
    if family == "whisper":
        d = heads * head_dim
        config = WhisperConfig(d_model=d)
        config._attn_implementation = "eager"
        args: dict[str, Any] = {"heads": heads, "k_bias": False}  # Whisper's k_proj has no bias

        def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
            return module(x, key_value_states=torch.randn(x.shape[0], source, d))[0]

        return Case("attention", args, {"L": length, "C": d},
                    lambda: WhisperAttention(d, heads, config=config, is_decoder=True, layer_idx=0),
                    frozen=rng.random() < 0.2, forward=forward,
                    extra={"renamed": {"out_proj.weight": "o_proj.weight", "out_proj.bias": "o_proj.bias"},
                           "stream": (source, d)})
    # an inner width h·d_kv other than d_model: at d_model = h·d_kv without a relative bias, symcount names the
    # tensors as MultiheadAttention does (in_proj_weight), a layout gen_attention checks
    d = rng.choice([n for n in range(1, 9) if n != heads * head_dim])
    buckets = rng.randint(4, 10) if family == "t5" else 0  # T5 halves the buckets, then halves them again
    config = T5Config(d_model=d, d_kv=head_dim, num_heads=heads, relative_attention_num_buckets=max(buckets, 1),
                      is_decoder=family == "t5_cross")
    config._attn_implementation = "eager"
    args = {"heads": heads, "head_dim": head_dim, "bias": False}
    renamed = {f"{p}.weight": f"{p}_proj.weight" for p in "qkvo"}
    if family == "t5":
        args["relative_buckets"] = buckets

        def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
            return module(x)[0]

        return Case("attention", args, {"L": length, "C": d},
                    lambda: T5Attention(config, has_relative_attention_bias=True, layer_idx=0),
                    frozen=rng.random() < 0.2, forward=forward, extra={"renamed": renamed})

    def cross(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return module(x, key_value_states=torch.randn(x.shape[0], source, d))[0]

    return Case("attention", args, {"L": length, "C": d}, lambda: T5Attention(config, layer_idx=0),
                frozen=rng.random() < 0.2, forward=cross, extra={"renamed": renamed, "stream": (source, d)})


def gen_latent_attention(rng: random.Random) -> Case:
    """DeepSeek-V3's multi-head latent attention, with and without the query latent and biases."""
    from transformers import DeepseekV3Config
    from transformers.models.deepseek_v3.modeling_deepseek_v3 import DeepseekV3Attention

    heads, d = rng.randint(1, 3), rng.randint(2, 12)
    rope, nope, v_dim = 2 * rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 4)
    q_rank = rng.choice([None, rng.randint(1, d)])
    kv_rank = rng.randint(1, d)
    bias = rng.random() < 0.4
    config = DeepseekV3Config(hidden_size=d, num_attention_heads=heads, num_key_value_heads=heads,
                              q_lora_rank=q_rank, kv_lora_rank=kv_rank, qk_rope_head_dim=rope,
                              qk_nope_head_dim=nope, v_head_dim=v_dim, attention_bias=bias)
    config._attn_implementation = "eager"
    length = rng.randint(1, 5)
    args: dict[str, Any] = {"heads": heads, "kv_lora_rank": kv_rank, "qk_rope_head_dim": rope,
                            "qk_nope_head_dim": nope, "v_head_dim": v_dim, "bias": bias}
    if q_rank is not None:
        args["q_lora_rank"] = q_rank

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        rotation = (torch.ones(1, length, rope), torch.zeros(1, length, rope))
        return module(x, position_embeddings=rotation, attention_mask=None)[0]

    return Case("latent_attention", args, {"L": length, "C": d}, lambda: DeepseekV3Attention(config, layer_idx=0),
                frozen=rng.random() < 0.2, forward=forward)


def gen_encoder_layer(rng: random.Random) -> Case:
    heads = rng.randint(1, 4)
    d = heads * rng.randint(1, 4)
    ff = rng.randint(1, 24)
    bias = rng.random() < 0.6
    return Case("transformer_encoder_layer", {"heads": heads, "ff": ff, "bias": bias},
                {"L": rng.randint(1, 5), "C": d},
                lambda: nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, batch_first=True,
                                                   bias=bias),
                frozen=rng.random() < 0.2)


def gen_decoder_layer(rng: random.Random) -> Case:
    """TransformerDecoderLayer: the target flows through; the memory (any length) is the second input."""
    heads = rng.randint(1, 4)
    d = heads * rng.randint(1, 4)
    ff = rng.randint(1, 24)
    bias = rng.random() < 0.6
    memory = rng.randint(1, 6)
    norm_first = rng.random() < 0.3
    args: dict[str, Any] = {"heads": heads, "ff": ff, "bias": bias}
    if rng.random() < 0.5:
        args["memory_len"] = memory
    if norm_first:
        args["norm_first"] = True  # accepted and ignored: it moves the norms, not their weights

    def forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return module(x, torch.randn(x.shape[0], memory, d))

    return Case("transformer_decoder_layer", args, {"L": rng.randint(1, 5), "C": d},
                lambda: nn.TransformerDecoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, batch_first=True,
                                                   bias=bias, norm_first=norm_first),
                frozen=rng.random() < 0.2, forward=forward, extra={"memory_len": memory})


def gen_gated_mlp(rng: random.Random) -> Case:
    """The catalog names Llama's MLP: the real module from transformers."""
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaMLP

    d, ff = 2 * rng.randint(1, 6), rng.randint(1, 24)  # Llama's config wants an even head size
    bias = rng.random() < 0.5
    config = LlamaConfig(hidden_size=d, intermediate_size=ff, mlp_bias=bias, num_attention_heads=1,
                         num_key_value_heads=1)
    return Case("gated_mlp", {"ff": ff, "bias": bias}, {"L": rng.randint(1, 4), "C": d}, lambda: LlamaMLP(config),
                frozen=rng.random() < 0.2)


def gen_prelu(rng: random.Random) -> Case:
    c = rng.randint(1, 8)
    per_channel = rng.random() < 0.6
    n = c if per_channel else 1
    args = {"C": n} if per_channel or rng.random() < 0.5 else {}
    sizes = [rng.randint(1, 4) for _ in range(rng.randint(1, 2))]
    return _spatial_case(rng, "prelu", args, sizes, c, lambda: nn.PReLU(num_parameters=n), frozen=rng.random() < 0.3)


_ACTIVATION_MODULES: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "relu6": nn.ReLU6, "gelu": nn.GELU, "silu": nn.SiLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
    "softmax": lambda: nn.Softmax(dim=1), "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "hardswish": nn.Hardswish,
    "mish": nn.Mish, "identity": nn.Identity, "dropout": lambda: nn.Dropout(0.25), "flatten": nn.Flatten,
    "selu": nn.SELU, "celu": nn.CELU, "softplus": nn.Softplus, "softsign": nn.Softsign, "hardsigmoid": nn.Hardsigmoid,
    "hardtanh": nn.Hardtanh, "log_softmax": lambda: nn.LogSoftmax(dim=1),
}


def gen_shape_only(kind: str) -> Callable[[random.Random], Case]:
    """Parameterless layers: zero everywhere, and flatten's shape on images and sequences."""

    def gen(rng: random.Random) -> Case:
        c = rng.randint(1, 6)
        frozen = rng.random() < 0.3  # every layer takes trainable=false, with nothing to freeze here
        if rng.random() < 0.3:
            return Case(kind, {}, {"L": rng.randint(1, 5), "C": c}, _ACTIVATION_MODULES[kind], frozen=frozen)
        sizes = [rng.randint(1, 5) for _ in range(rng.randint(1, 3))]
        return _spatial_case(rng, kind, {}, sizes, c, _ACTIVATION_MODULES[kind], frozen=frozen)

    return gen


def gen_lrn(rng: random.Random) -> Case:
    size = rng.randint(1, 6)
    sizes = [rng.randint(1, 5) for _ in range(2)]
    return _spatial_case(rng, "lrn", {"size": size}, sizes, rng.randint(1, 8), lambda: nn.LocalResponseNorm(size))


def gen_zero_pad(d: int) -> Callable[[random.Random], Case]:
    """ZeroPad{1,2,3}d: symmetric (an int, one per dimension) or PyTorch's (left, right, top, bottom, ...)."""
    cls = getattr(nn, f"ZeroPad{d}d")

    def gen(rng: random.Random) -> Case:
        sides = [rng.randint(0, 3) for _ in range(2 * d)]  # PyTorch's order: last dimension first
        if rng.random() < 0.5:
            per_dim = [rng.randint(0, 3) for _ in range(d)]
            p: Any = tup(rng, per_dim)
            sides = [n for v in reversed(per_dim) for n in (v, v)]
        else:
            p = tuple(sides)
        sizes = [rng.randint(1, 5) for _ in range(d)]
        return _spatial_case(rng, f"zero_pad{d}d", {"p": p}, sizes, rng.randint(1, 4), lambda: cls(tuple(sides)))

    return gen


#: PyTorch's padding modules beside ZeroPad: the largest side each allows for an input of size n
PAD_LIMITS: dict[str, Callable[[int], int]] = {
    "constant": lambda n: 3, "reflection": lambda n: n - 1, "replication": lambda n: 3, "circular": lambda n: n,
}


def gen_pad(kind: str, d: int) -> Callable[[random.Random], Case]:
    """{Constant,Reflection,Replication,Circular}Pad{1,2,3}d: an int, one per dimension, or PyTorch's 2d sides."""
    cls = getattr(nn, f"{kind.capitalize()}Pad{d}d")

    def gen(rng: random.Random) -> Case:
        sizes = [rng.randint(1, 5) for _ in range(d)]
        top = [min(3, PAD_LIMITS[kind](n)) for n in reversed(sizes)]  # PyTorch's order: last dimension first
        style = rng.choice(["int", "per_dim", "sides"])
        if style == "int":
            v = rng.randint(0, min(top))
            p: Any = v
            sides = [v] * (2 * d)
        elif style == "per_dim":
            per_dim = [rng.randint(0, t) for t in reversed(top)]
            p = tup(rng, per_dim)
            sides = [n for v in reversed(per_dim) for n in (v, v)]
        else:
            sides = [rng.randint(0, t) for t in top for _ in range(2)]
            p = tuple(sides)
        args: dict[str, Any] = {rng.choice(["p", "padding"]): p}
        options: dict[str, Any] = {}
        if kind == "constant":
            args["value"] = options["value"] = rng.choice([0, 1, -2.5])
        return _spatial_case(rng, f"{kind}_pad{d}d", args, sizes, rng.randint(1, 4),
                             lambda: cls(tuple(sides), **options), frozen=rng.random() < 0.2)

    return gen


@pytest.mark.parametrize(("kind", "limit"), [("reflection", "less than"), ("circular", "at most")])
def test_pad_refused_where_torch_refuses(kind: str, limit: str) -> None:
    """ReflectionPad wants each side below the input size, CircularPad at most the input size."""
    n = 3
    allowed = PAD_LIMITS[kind](n)
    cls = getattr(nn, f"{kind.capitalize()}Pad1d")
    assert cls(allowed)(torch.zeros(1, 2, n)).shape[-1] == n + 2 * allowed
    result = symcount.count(f"network n {{ input(L={n}, C=2); {kind}_pad1d({allowed}) }}")
    assert tuple(result.output_shape) == (2, n + 2 * allowed)
    with pytest.raises(RuntimeError):
        cls(allowed + 1)(torch.zeros(1, 2, n))
    with pytest.raises(symcount.SymcountError, match=limit):
        symcount.count(f"network n {{ input(L={n}, C=2); {kind}_pad1d({allowed + 1}) }}")


def gen_upsample(rng: random.Random) -> Case:
    d = rng.randint(1, 3)
    scale = [rng.randint(1, 3) for _ in range(d)]
    sizes = [rng.randint(1, 4) for _ in range(d)]
    return _spatial_case(rng, "upsample", {"scale": tup(rng, scale)}, sizes, rng.randint(1, 3),
                         lambda: nn.Upsample(scale_factor=tuple(float(s) for s in scale), mode="nearest"))


def gen_upsample_size(rng: random.Random) -> Case:
    """Upsample(size=...) is the output size; a fractional scale_factor is floored."""
    d = rng.randint(1, 3)
    sizes = [rng.randint(1, 4) for _ in range(d)]
    if rng.random() < 0.5:
        out = [rng.randint(1, 9) for _ in range(d)]
        return _spatial_case(rng, "upsample", {"size": tup(rng, out)}, sizes, rng.randint(1, 3),
                             lambda: nn.Upsample(size=tuple(out), mode="nearest"))
    scale = rng.choice([0.5, 1.5, 2.5])
    sizes = [max(n, 2) for n in sizes]  # 0.5 of 1 would be an empty output
    return _spatial_case(rng, "upsample", {"scale_factor": scale}, sizes, rng.randint(1, 3),
                         lambda: nn.Upsample(scale_factor=scale, mode="nearest"))


def gen_upsampling(rng: random.Random) -> Case:
    """Keras's UpSampling (size = a repeat factor) is PyTorch's Upsample(scale_factor=size)."""
    d = rng.randint(1, 3)
    factor = [rng.randint(1, 3) for _ in range(d)]
    sizes = [rng.randint(1, 4) for _ in range(d)]
    return _spatial_case(rng, "upsampling", {"size": tup(rng, factor)}, sizes, rng.randint(1, 3),
                         lambda: nn.Upsample(scale_factor=tuple(float(f) for f in factor), mode="nearest"))


def gen_channel_shuffle(rng: random.Random) -> Case:
    groups = rng.randint(1, 4)
    c = groups * rng.randint(1, 4)
    sizes = [rng.randint(1, 5) for _ in range(2)]
    return _spatial_case(rng, "channel_shuffle", {"groups": groups}, sizes, c, lambda: nn.ChannelShuffle(groups))


def gen_space_to_depth(rng: random.Random) -> Case:
    block = rng.randint(1, 3)
    sizes = [block * rng.randint(1, 3) for _ in range(2)]
    args = {"block": block} if block != 2 or rng.random() < 0.5 else {}
    return _spatial_case(rng, "space_to_depth", args, sizes, rng.randint(1, 4), lambda: nn.PixelUnshuffle(block))


def gen_unflatten(rng: random.Random) -> Case:
    """A flat (N,) tensor as (n), (C, L), (C, H, W) or (C, D, H, W), one size sometimes -1."""
    sizes: list[int] = [rng.randint(1, 4) for _ in range(rng.randint(1, 4))]
    total = 1
    for n in sizes:
        total *= n
    written = list(sizes)
    if rng.random() < 0.4:
        written[rng.randrange(len(written))] = -1
    shape = tuple(written)
    return Case("unflatten", {"dim": 1, "unflattened_size": shape}, {"C": total}, lambda: nn.Unflatten(1, shape))


GENERATORS: dict[str, tuple[Callable[[random.Random], Case], int]] = {}
for _d in (1, 2, 3):
    GENERATORS[f"conv{_d}d"] = (gen_conv(_d), 14)
    GENERATORS[f"conv_transpose{_d}d"] = (gen_conv_transpose(_d), 12)
    for _kind in ("max", "avg"):
        GENERATORS[f"{_kind}pool{_d}d"] = (gen_pool(_kind, _d), 12)
        GENERATORS[f"adaptive_{_kind}pool{_d}d"] = (gen_adaptive(_kind, _d), 3)
GENERATORS.update({
    "depthwise_conv1d": (gen_depthwise(1), 6),
    "depthwise_conv2d": (gen_depthwise(2), 6),
    "separable_conv1d": (gen_separable(1), 6),
    "separable_conv2d": (gen_separable(2), 6),
    "linear": (gen_linear, 10),
    "bilinear": (gen_bilinear, 8),
    "global_avgpool": (gen_global("avg"), 4),
    "global_maxpool": (gen_global("max"), 4),
    "batchnorm": (gen_batchnorm, 12),
    "layernorm": (gen_layernorm, 8),
    "layernorm_shape": (gen_layernorm_shape, 10),
    "groupnorm": (gen_groupnorm, 6),
    "instancenorm": (gen_instancenorm, 6),
    "rmsnorm": (gen_rmsnorm, 4),
    "embedding": (gen_embedding, 5),
    "rnn": (gen_rnn("rnn"), 8),
    "lstm": (gen_rnn("lstm"), 12),
    "gru": (gen_rnn("gru"), 8),
    "attention": (gen_attention, 8),
    "grouped_attention": (gen_grouped_attention, 6),
    "attention_options": (gen_attention_options, 8),
    "projection_attention": (gen_projection_attention, 9),
    "cross_attention": (gen_cross_attention, 10),
    "latent_attention": (gen_latent_attention, 8),
    "transformer_encoder_layer": (gen_encoder_layer, 6),
    "transformer_decoder_layer": (gen_decoder_layer, 8),
    "gated_mlp": (gen_gated_mlp, 4),
    "prelu": (gen_prelu, 6),
    "lrn": (gen_lrn, 2),
    "zero_pad1d": (gen_zero_pad(1), 3),
    "zero_pad2d": (gen_zero_pad(2), 4),
    "zero_pad3d": (gen_zero_pad(3), 3),
    **{f"{kind}_pad{d}d": (gen_pad(kind, d), 4) for kind in PAD_LIMITS for d in (1, 2, 3)},
    "upsample": (gen_upsample, 5),
    "upsample_size": (gen_upsample_size, 6),
    "upsampling": (gen_upsampling, 4),
    "channel_shuffle": (gen_channel_shuffle, 4),
    "space_to_depth": (gen_space_to_depth, 4),
    "unflatten": (gen_unflatten, 6),
})
for _kind in _ACTIVATION_MODULES:
    GENERATORS[_kind] = (gen_shape_only(_kind), 4 if _kind == "flatten" else 2)

#: Catalog layers PyTorch has no module for (checked against Keras, or by formula only): the entries say why.
NOT_IN_PYTORCH = {name: entry.missing["pytorch"] for name, entry in CATALOG.items() if "pytorch" in entry.missing}

PARAMS = [pytest.param(kind, seed, id=f"{kind}-{seed}") for kind, (_, n) in GENERATORS.items() for seed in range(n)]


def _torch_counts(module: nn.Module) -> tuple[int, int, int]:
    """(trainable, frozen, buffers) as PyTorch reports them; num_batches_tracked is a counter, not a statistic."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    buffers = sum(b.numel() for name, b in module.named_buffers() if not name.endswith("num_batches_tracked"))
    return trainable, frozen, buffers


@pytest.mark.parametrize(("kind", "seed"), PARAMS)
def test_layer_matches_torch(kind: str, seed: int) -> None:
    case = GENERATORS[kind][0](random.Random(f"{kind}/{seed}"))
    torch.manual_seed(seed)
    module = case.build().eval()
    if case.frozen:
        for p in module.parameters():
            p.requires_grad_(False)
    text = case.text()
    result = symcount.count(text)
    trainable, frozen, buffers = _torch_counts(module)
    assert (result.trainable, result.non_trainable, result.buffers) == (trainable, frozen, buffers), text
    assert result.total == sum(p.numel() for p in module.parameters()), text
    [layer] = result.layers
    assert layer.kind == case.kind
    listed = {t.name: tuple(int(n) for n in t.shape) for t in layer.tensors}
    renamed = case.extra.get("renamed", {})  # transformers' families name a projection differently
    actual = {renamed.get(name, name): tuple(t.shape) for name, t in module.state_dict().items()}
    assert listed == actual, text
    with torch.no_grad():
        out = case.forward(module, case.input_tensor())
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:]), text
    with torch.no_grad():  # a batch of 3: the activation volume is what the batched output holds
        batched = case.forward(module, case.input_tensor(batch=3))
    assert layer_values(layer, 3) == batched.numel(), text


def test_every_pytorch_layer_is_cross_checked() -> None:
    """A catalog entry PyTorch has must have a generator here (or a reason it has no module)."""
    missing = [name for name, entry in CATALOG.items()
               if "pytorch" in entry.frameworks and name not in GENERATORS and name not in NOT_IN_PYTORCH]
    assert not missing, f"no PyTorch cross-check for: {missing}"


def test_resnet18_buffers() -> None:
    """torchvision's ResNet-18 built from torch.nn: 11,689,512 parameters and 9,600 buffers."""
    text = RESNET18
    result = symcount.count(text)
    model = _resnet18()
    trainable, frozen, buffers = _torch_counts(model)
    assert (result.trainable, result.non_trainable, result.buffers) == (trainable, frozen, buffers)
    assert (trainable, buffers) == (11_689_512, 9_600)
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    assert tuple(result.output_shape) == tuple(out.shape[1:])


RESNET18 = """
block basic(C, stride=1) {
    residual {
        conv2d(C_out=C, k=3, stride=stride, padding=1, bias=false)
        batchnorm()
        relu()
        conv2d(C_out=C, k=3, padding=1, bias=false)
        batchnorm()
    } shortcut {
        if stride != 1 {
            conv2d(C_out=C, k=1, stride=stride, bias=false)
            batchnorm()
        }
    }
    relu()
}
network resnet18 {
    input(H=224, W=224, C=3)
    conv2d(C_out=64, k=7, stride=2, padding=3, bias=false)
    batchnorm()
    relu()
    maxpool2d(k=3, stride=2, padding=1)
    basic(64); basic(64)
    basic(128, stride=2); basic(128)
    basic(256, stride=2); basic(256)
    basic(512, stride=2); basic(512)
    global_avgpool()
    linear(C_out=1000)
}
"""


class _Basic(nn.Module):
    """torchvision's BasicBlock, written out with torch.nn (torchvision is not a dependency)."""

    def __init__(self, c_in: int, c: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.downsample = (nn.Sequential(nn.Conv2d(c_in, c, 1, stride, bias=False), nn.BatchNorm2d(c))
                           if stride != 1 or c_in != c else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.downsample(x))


def _resnet18() -> nn.Module:
    layers: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                               nn.MaxPool2d(3, 2, 1)]
    c_in = 64
    for c, stride in ((64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)):
        layers.append(_Basic(c_in, c, stride))
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers).eval()


WINDOW_KINDS = [kind for kind in GENERATORS
                if kind in CATALOG and CATALOG[kind].input_kind == "spatial" and "adaptive" not in kind]
SYMBOLIC_PARAMS = [pytest.param(kind, seed, id=f"{kind}-{seed}") for kind in WINDOW_KINDS for seed in range(3)]


@pytest.mark.parametrize(("kind", "seed"), SYMBOLIC_PARAMS)
def test_symbolic_output_size_matches_torch(kind: str, seed: int) -> None:
    """The output-size rule kept symbolic (floor, ceil_mode's Piecewise) gives torch's size once numbers go in."""
    case = GENERATORS[kind][0](random.Random(f"{kind}/{seed}"))
    sizes = {name: value for name, value in case.inputs.items() if name != "C"}
    symbolic = Case(case.kind, case.args, {**{n: f"n_{n}" for n in sizes}, "C": case.inputs["C"]}, case.build)
    result = symcount.count(symbolic.text())
    numbers = {sym(f"n_{n}"): v for n, v in sizes.items()}
    assert all(not sympy.sympify(n).is_number for n in result.output_shape[1:]), "sizes should stay symbolic"
    got = tuple(sympy.sympify(n).subs(numbers) for n in result.output_shape)
    with torch.no_grad():
        out = case.forward(case.build().eval(), case.input_tensor())
    assert got == tuple(out.shape[1:]), symbolic.text()


LENET5 = """
network lenet5 {
    input(H=32, W=32, C=1)
    conv2d(C_out=6, k=5); avgpool2d(k=2)
    conv2d(C_out=16, k=5); avgpool2d(k=2)
    flatten()
    linear(C_out=120); linear(C_out=84); linear(C_out=10)
}
"""


def test_lenet5_layer_by_layer() -> None:
    """The issue's LeNet-5 as a torch Sequential: every layer's parameters and output shape, and 61,706 in all."""
    model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.AvgPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10))
    result = symcount.count(LENET5)
    x = torch.randn(1, 1, 32, 32)
    assert len(result.layers) == len(model)
    for mine, module in zip(result.layers, model, strict=True):
        x = module(x)
        assert mine.total == sum(p.numel() for p in module.parameters()), mine.name
        assert tuple(mine.output_shape) == tuple(x.shape[1:]), mine.name
    assert result.total == sum(p.numel() for p in model.parameters()) == 61_706


#: (torch.nn class name, its keyword arguments, the input): symcount must take the module as PyTorch spells it.
TORCH_SPELLINGS: list[tuple[str, dict[str, Any], dict[str, int]]] = [
    ("Dropout1d", {"p": 0.2}, {"L": 4, "C": 6}),
    ("Dropout3d", {"p": 0.2}, {"D": 2, "H": 3, "W": 4, "C": 5}),
    ("AlphaDropout", {"p": 0.2}, {"C": 6}),
    ("ZeroPad1d", {"padding": (1, 2)}, {"L": 4, "C": 5}),
    ("ZeroPad2d", {"padding": (1, 2, 0, 3)}, {"H": 3, "W": 4, "C": 5}),
    ("ZeroPad3d", {"padding": 1}, {"D": 2, "H": 3, "W": 4, "C": 5}),
    ("ReflectionPad1d", {"padding": (3, 1)}, {"L": 4, "C": 5}),
    ("ReflectionPad2d", {"padding": (1, 2, 0, 2)}, {"H": 3, "W": 4, "C": 5}),
    ("ReplicationPad2d", {"padding": 4}, {"H": 3, "W": 4, "C": 5}),
    ("ReplicationPad3d", {"padding": (1, 0, 2, 1, 0, 3)}, {"D": 2, "H": 3, "W": 4, "C": 5}),
    ("ConstantPad1d", {"padding": 2, "value": 3.5}, {"L": 4, "C": 5}),
    ("ConstantPad2d", {"padding": (1, 2, 3, 0), "value": 0.0}, {"H": 3, "W": 4, "C": 5}),
    ("CircularPad2d", {"padding": (3, 0, 1, 2)}, {"H": 3, "W": 4, "C": 5}),
    ("SELU", {}, {"H": 3, "W": 4, "C": 5}),
    ("Hardtanh", {}, {"H": 3, "W": 4, "C": 5}),
    ("LogSoftmax", {"dim": 1}, {"H": 3, "W": 4, "C": 5}),
    # the arguments people write, including options that change no count (accepted and ignored)
    ("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1,
                "groups": 1, "bias": True, "padding_mode": "reflect"}, {"H": 9, "W": 8, "C": 3}),
    ("ConvTranspose2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1,
                         "output_padding": 1, "groups": 2, "bias": False, "dilation": 2}, {"H": 4, "W": 5, "C": 4}),
    ("Linear", {"in_features": 10, "out_features": 5, "bias": False}, {"C": 10}),
    ("BatchNorm2d", {"num_features": 8, "eps": 1e-3, "momentum": 0.01, "affine": False, "track_running_stats": True},
     {"H": 3, "W": 4, "C": 8}),
    ("BatchNorm1d", {"num_features": 8, "eps": 1e-5, "momentum": 0.1}, {"C": 8}),
    ("LayerNorm", {"normalized_shape": 8, "eps": 1e-6, "elementwise_affine": True, "bias": False}, {"L": 3, "C": 8}),
    ("LayerNorm", {"normalized_shape": (3, 8), "eps": 1e-6}, {"L": 3, "C": 8}),
    ("LayerNorm", {"normalized_shape": (2, 3, 4), "bias": False}, {"H": 3, "W": 4, "C": 2}),
    ("GroupNorm", {"num_groups": 2, "num_channels": 8, "eps": 1e-5, "affine": True}, {"H": 3, "W": 4, "C": 8}),
    ("InstanceNorm2d", {"num_features": 8, "eps": 1e-5, "momentum": 0.1, "affine": True,
                        "track_running_stats": True}, {"H": 3, "W": 4, "C": 8}),
    ("LSTM", {"input_size": 4, "hidden_size": 8, "num_layers": 2, "batch_first": True, "dropout": 0.1,
              "bidirectional": True, "bias": True, "proj_size": 3}, {"L": 5, "C": 4}),
    ("GRU", {"input_size": 4, "hidden_size": 6, "batch_first": True, "bias": False}, {"L": 5, "C": 4}),
    ("RNN", {"input_size": 4, "hidden_size": 6, "nonlinearity": "relu", "batch_first": True}, {"L": 5, "C": 4}),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "ceil_mode": True,
                   "return_indices": False}, {"H": 8, "W": 7, "C": 2}),
    ("AvgPool2d", {"kernel_size": 2, "stride": 2, "ceil_mode": True, "count_include_pad": False,
                   "divisor_override": 3}, {"H": 7, "W": 7, "C": 2}),
    ("AdaptiveAvgPool2d", {"output_size": (2, 3)}, {"H": 7, "W": 7, "C": 2}),
    ("Dropout", {"p": 0.3, "inplace": False}, {"C": 6}),
    ("ReLU", {"inplace": True}, {"C": 6}),
    ("LeakyReLU", {"negative_slope": 0.1, "inplace": True}, {"C": 6}),
    ("GELU", {"approximate": "tanh"}, {"C": 6}),
    ("Hardtanh", {"min_val": -2.0, "max_val": 2.0}, {"C": 6}),
    ("Softplus", {"beta": 2.0, "threshold": 10.0}, {"C": 6}),
    ("PReLU", {"num_parameters": 6, "init": 0.1}, {"H": 3, "W": 4, "C": 6}),
    ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.1,
                                 "activation": "gelu", "layer_norm_eps": 1e-6, "batch_first": True,
                                 "norm_first": True, "bias": False}, {"L": 5, "C": 8}),
    ("Upsample", {"scale_factor": 2, "mode": "nearest"}, {"H": 3, "W": 4, "C": 6}),
    ("Upsample", {"size": (7, 9), "mode": "bilinear", "align_corners": False}, {"H": 3, "W": 4, "C": 6}),
]


@pytest.mark.parametrize(("name", "kwargs", "inputs"), TORCH_SPELLINGS, ids=[s[0] for s in TORCH_SPELLINGS])
def test_torch_spelling_matches_torch(name: str, kwargs: dict[str, Any], inputs: dict[str, int]) -> None:
    """The module written with PyTorch's class name and argument names counts and shapes like the real module."""
    module = getattr(nn, name)(**kwargs).eval()
    entry = lookup(name)
    assert entry is not None, f"symcount does not know {name}"
    window = entry.input_kind == "spatial"  # a window layer takes a 1-D signal channels first
    forward: Forward = (lambda m, x: m(x)[0]) if isinstance(module, nn.RNNBase) else _plain  # batch_first
    case = Case(name, kwargs, inputs, lambda: module, forward=forward,
                extra={"channels_first": "L" in inputs and window})
    result = symcount.count(case.text())
    assert (result.trainable, result.non_trainable, result.buffers) == _torch_counts(module), case.text()
    with torch.no_grad():
        out = case.forward(module, case.input_tensor())
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:]), case.text()
