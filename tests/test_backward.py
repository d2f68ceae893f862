"""Backward FLOPs (engine/backward.py) against torch.utils.flop_counter.FlopCounterMode around loss.backward()."""

from __future__ import annotations

import needs
import pytest
import sympy
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from symcount.counting import count
from symcount.engine.backward import Backward, backward_of


def _torch_flops(model: nn.Module, x: torch.Tensor) -> tuple[int, int]:
    """(forward FLOPs, backward FLOPs) of one sample, the input not requiring grad."""
    with FlopCounterMode(display=False) as fwd:
        model(x)
    with FlopCounterMode(display=False) as both:
        model(x).sum().backward()
    return fwd.get_total_flops(), both.get_total_flops() - fwd.get_total_flops()


CASES = [
    ("input(C=12)\n linear(C_out=7)\n relu()\n linear(C_out=5)\n linear(C_out=3, bias=false)",
     lambda: nn.Sequential(nn.Linear(12, 7), nn.ReLU(), nn.Linear(7, 5), nn.Linear(5, 3, bias=False)), (1, 12)),
    ("input(L=9, C=4)\n conv1d(C_out=6, k=3, stride=2)\n conv1d(C_out=8, k=3, groups=2)",
     lambda: nn.Sequential(nn.Conv1d(4, 6, 3, stride=2), nn.Conv1d(6, 8, 3, groups=2)), (1, 4, 9)),
    ("input(H=11, W=10, C=4)\n conv2d(C_out=8, k=3, stride=2, padding=1, groups=2)\n relu()\n"
     " conv2d(C_out=6, k=3, groups=2)\n maxpool2d(k=2)\n flatten()\n linear(C_out=5)",
     lambda: nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2), nn.ReLU(),
                           nn.Conv2d(8, 6, 3, groups=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 5)),
     (1, 4, 11, 10)),
    ("input(H=6, W=6, C=3)\n conv2d(C_out=4, k=3, stride=2, bias=false)\n conv2d(C_out=4, k=1)",
     lambda: nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, bias=False), nn.Conv2d(4, 4, 1)), (1, 3, 6, 6)),
]


@pytest.mark.parametrize(("body", "make", "shape"), CASES)
def test_backward_equals_flop_counter(body: str, make: object, shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    model = make()  # type: ignore[operator]
    fwd, bwd = _torch_flops(model, torch.randn(*shape))
    result = backward_of(count(f"network n {{\n {body}\n}}"))
    assert result.complete
    assert result.forward == fwd
    # FlopCounterMode counts a grouped convolution's weight gradient as if it were dense (groups x the
    # products it does: its formula drops the groups); the products themselves equal the forward's
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d | nn.Conv2d | nn.Linear)]
    extra = sum((getattr(m, "groups", 1) - 1) * row.weight_grad for m, row in zip(convs, result.layers, strict=True))
    assert result.backward + extra == bwd
    assert result.layers[0].input_skipped and result.layers[0].input_grad == 0
    # weight and input gradients are each the forward's products again
    for row in result.layers:
        assert row.weight_grad == row.forward
        assert row.input_grad == (0 if row.input_skipped else row.forward)


def _attention_case(first: bool) -> tuple[int, int, Backward]:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pre = nn.Linear(8, 8)
            self.att = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if not first:
                x = self.pre(x)
            out: torch.Tensor = self.att(x, x, x, need_weights=False)[0]
            return out

    body = "input(L=5, C=8)\n" + ("" if first else " linear(C_out=8)\n") + " attention(d_model=8, heads=2)"
    with torch.device("meta"):
        model = Net()
        x = torch.randn(1, 5, 8)
    fwd, bwd = _torch_flops(model, x)
    return fwd, bwd, backward_of(count(f"network n {{\n {body}\n}}"))


@pytest.mark.parametrize("first", [True, False])
def test_attention_backward_equals_flop_counter(first: bool) -> None:
    fwd, bwd, result = _attention_case(first)
    assert result.complete
    assert (result.forward, result.backward) == (fwd, bwd)
    att = result.layers[-1]
    assert att.input_skipped is first


def test_uncovered_layers_are_named() -> None:
    result = backward_of(count("network n {\n input(C=4)\n bilinear(C_in2=3, C_out=2)\n layernorm()\n"
                               " linear(C_out=2)\n}"))
    assert not result.complete
    assert any("bilinear" in name for name in result.not_derived)
    assert any("layernorm" in name for name in result.no_macs)


def test_symbolic_and_bias_gradient() -> None:
    result = backward_of(count("network n {\n input(H=H, W=H, C=3)\n conv2d(C_out=4, k=3)\n conv2d(C_out=C, k=3)\n}"))
    H, C = sympy.symbols("H C", positive=True, integer=True)
    second = result.layers[1]
    assert sympy.simplify(second.input_grad - second.forward) == 0
    assert sympy.simplify(second.bias_grad - C * (H - 4) ** 2) == 0


def test_cli_compute_of_a_cnn(capsys: pytest.CaptureFixture[str]) -> None:
    from symcount.cli.main import main  # noqa: PLC0415  lazy: the CLI is tested here only

    source = "network n {\n input(H=8, W=8, C=3)\n conv2d(C_out=4, k=3)\n relu()\n conv2d(C_out=2, k=3)\n lstm(hidden=3)\n}"
    assert main(["compute", source]) == 0
    assert "backward not derived for: lstm (lstm)" in capsys.readouterr().out
    assert main(["compute", source.replace(" lstm(hidden=3)\n", ""), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"per": "sample"' in out and '"input_skipped": true' in out


def test_docs_training_page_is_what_compute_prints(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import re  # noqa: PLC0415  lazy: this test only
    from pathlib import Path  # noqa: PLC0415  lazy: this test only

    from symcount.cli.main import main  # noqa: PLC0415  lazy: the CLI is tested here only

    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "training.md").read_text(encoding="utf-8")
    match = re.search(r"```console\n\$ symcount (.+?)\n```\n\n```text\n(.*?)\n```", page, re.S)
    assert match
    monkeypatch.chdir(root)
    assert main(match.group(1).split()) == 0
    assert capsys.readouterr().out.rstrip("\n") == match.group(2)


def test_branches_reading_the_input_are_not_guessed() -> None:
    source = ("network n {\n input(H=6, W=6, C=3)\n parallel {\n  branch { conv2d(C_out=2, k=1) }\n"
              "  branch { conv2d(C_out=2, k=1) }\n }\n conv2d(C_out=2, k=1)\n}")
    result = backward_of(count(source))
    assert not result.complete and "branches" in result.not_derived[-1]
    resnet_like = backward_of(count("network n {\n input(H=6, W=6, C=3)\n conv2d(C_out=4, k=3, padding=1)\n"
                                    " residual {\n  conv2d(C_out=4, k=3, padding=1)\n }\n}"))
    assert resnet_like.complete and resnet_like.first == "conv2d"


# ------------------------------------------------------------------ transposed, depthwise, separable, recurrent


class _Recurrent(nn.Module):
    """A recurrent layer's output sequence (torch returns it with the final state)."""

    def __init__(self, layer: nn.Module, before: nn.Module | None) -> None:
        super().__init__()
        self.before = before
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.before is not None:
            x = self.before(x)
        out: torch.Tensor = self.layer(x)[0]
        return out


CONVS = [
    ("input(H=7, W=7, C=3)\n conv2d(C_out=4, k=1)\n conv_transpose2d(C_out=6, k=3, stride=2)",
     lambda: nn.Sequential(nn.Conv2d(3, 4, 1), nn.ConvTranspose2d(4, 6, 3, stride=2)), (1, 3, 7, 7), 0),
    ("input(H=6, W=6, C=4)\n conv_transpose2d(C_out=2, k=3, padding=1)",
     lambda: nn.ConvTranspose2d(4, 2, 3, padding=1), (1, 4, 6, 6), 0),
    ("input(H=7, W=7, C=3)\n conv2d(C_out=4, k=1)\n depthwise_conv2d(k=3, multiplier=2)",
     lambda: nn.Sequential(nn.Conv2d(3, 4, 1), nn.Conv2d(4, 8, 3, groups=4)), (1, 3, 7, 7), 4),
    ("input(H=7, W=7, C=3)\n separable_conv2d(C_out=5, k=3, multiplier=2)",
     lambda: nn.Sequential(nn.Conv2d(3, 6, 3, groups=3, bias=False), nn.Conv2d(6, 5, 1)), (1, 3, 7, 7), 3),
    ("input(H=7, W=7, C=3)\n conv2d(C_out=4, k=1)\n separable_conv2d(C_out=5, k=3)",
     lambda: nn.Sequential(nn.Conv2d(3, 4, 1), nn.Conv2d(4, 4, 3, groups=4, bias=False), nn.Conv2d(4, 5, 1)),
     (1, 3, 7, 7), 4),
]


@pytest.mark.parametrize(("body", "make", "shape", "groups"), CONVS)
def test_more_convolutions_equal_flop_counter(body: str, make: object, shape: tuple[int, ...], groups: int) -> None:
    torch.manual_seed(0)
    model = make()  # type: ignore[operator]
    fwd, bwd = _torch_flops(model, torch.ones(*shape))
    result = backward_of(count(f"network n {{\n {body}\n}}"))
    assert result.complete, result.not_derived
    assert result.forward == fwd
    # the grouped (depthwise) product's weight gradient: FlopCounterMode counts it dense, groups x
    grouped = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.groups > 1]
    extra = 0
    for m in grouped:
        with FlopCounterMode(display=False) as f:
            m(torch.ones(1, m.in_channels, 7, 7))
        extra += (m.groups - 1) * f.get_total_flops()
    assert result.backward + extra == bwd


RECURRENT = [
    ("lstm(hidden=5)", lambda: nn.LSTM(4, 5, batch_first=True), False),
    ("gru(hidden=5)", lambda: nn.GRU(4, 5, batch_first=True), False),
    ("rnn(hidden=5)", lambda: nn.RNN(4, 5, batch_first=True), False),
    ("gru(hidden=5, layers=2, bidirectional=true)",
     lambda: nn.GRU(4, 5, batch_first=True, num_layers=2, bidirectional=True), False),
    ("lstm(hidden=3, layers=2)", lambda: nn.LSTM(4, 3, batch_first=True, num_layers=2), True),
    ("rnn(hidden=5, bias=false)", lambda: nn.RNN(4, 5, batch_first=True, bias=False), True),
]


@pytest.mark.parametrize(("layer", "make", "after_linear"), RECURRENT)
def test_recurrent_backward_equals_flop_counter(layer: str, make: object, after_linear: bool) -> None:
    """On the meta device: on CPU torch runs LSTM as one fused kernel FlopCounterMode counts as 0."""
    with torch.device("meta"):
        model = _Recurrent(make(), nn.Linear(4, 4) if after_linear else None)  # type: ignore[operator]
        x = torch.ones(1, 6, 4)
    fwd, bwd = _torch_flops(model, x)
    body = "input(L=6, C=4)\n" + (" linear(C_out=4)\n" if after_linear else "") + f" {layer}"
    result = backward_of(count(f"network n {{\n {body}\n}}"))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd, bwd)
    recurrent = result.layers[-1]
    assert recurrent.input_skipped is not after_linear
    # an input that requires grad: torch adds exactly what the first layer skipped
    with torch.device("meta"):
        x = torch.ones(1, 6, 4, requires_grad=True)
    with FlopCounterMode(display=False) as both:
        model(x).sum().backward()
    assert both.get_total_flops() - fwd == result.backward + sum(row.skipped for row in result.layers)


class _Windows(nn.Module):
    """Swin's window attention by hand: the H x W map cut into w x w windows, multi-head attention in each."""

    def __init__(self, channels: int, heads: int, w: int, first: bool) -> None:
        super().__init__()
        self.w = w
        self.pre = None if first else nn.Linear(channels, channels)
        self.att = nn.MultiheadAttention(channels, heads, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (1, H, W, C)
        if self.pre is not None:
            x = self.pre(x)
        _, H, W, C = x.shape
        w = self.w
        windows = x.reshape(H // w, w, W // w, w, C).permute(0, 2, 1, 3, 4).reshape(-1, w * w, C)
        out: torch.Tensor = self.att(windows, windows, windows, need_weights=False)[0]
        return out


@pytest.mark.parametrize("first", [True, False])
def test_window_attention_equals_flop_counter(first: bool) -> None:
    with torch.device("meta"):
        model = _Windows(8, 2, 4, first)
        x = torch.ones(1, 8, 12, 8)
    fwd, bwd = _torch_flops(model, x)
    body = "input(H=8, W=12, C=8)\n" + ("" if first else " linear(C_out=8)\n") + " attention(d_model=8, heads=2, window=4)"
    result = backward_of(count(f"network n {{\n {body}\n}}"))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd, bwd)
    assert result.layers[-1].input_skipped is first
    assert result.layers[-1].bias_grad == 4 * 8 * 8 * 12  # q, k, v and output biases at every position


class _Cross(nn.Module):
    """Queries from the main path (after a linear layer or not), keys and values from a memory stream
    (after its own linear layer or not)."""

    def __init__(self, main_weights: bool, stream_weights: bool) -> None:
        super().__init__()
        self.pre = nn.Linear(8, 8) if main_weights else None
        self.mem = nn.Linear(6, 6) if stream_weights else None
        self.att = nn.MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=True)

    def forward(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        if self.pre is not None:
            x = self.pre(x)
        if self.mem is not None:
            m = self.mem(m)
        out: torch.Tensor = self.att(x, m, m, need_weights=False)[0]
        return out


@pytest.mark.parametrize("main_weights", [True, False])
@pytest.mark.parametrize("stream_weights", [True, False])
def test_cross_attention_equals_flop_counter(main_weights: bool, stream_weights: bool) -> None:
    with torch.device("meta"):
        model = _Cross(main_weights, stream_weights)
        x, m = torch.ones(1, 5, 8), torch.ones(1, 7, 6)
    with FlopCounterMode(display=False) as fwd:
        model(x, m)
    with FlopCounterMode(display=False) as both:
        model(x, m).sum().backward()
    source = ("network n {\n memory: stream {\n  input(L=7, C=6)\n" + ("  linear(C_out=6)\n" if stream_weights else "")
              + " }\n input(L=5, C=8)\n" + (" linear(C_out=8)\n" if main_weights else "")
              + " attention(d_model=8, heads=2, to=memory)\n}")
    result = backward_of(count(source))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd.get_total_flops(),
                                                  both.get_total_flops() - fwd.get_total_flops())
    cross = result.layers[-1]
    assert cross.input_skipped is not (main_weights and stream_weights)
    # q and output biases at the 5 query positions, k and v biases at the 7 memory positions
    assert cross.bias_grad == 8 * 5 + 8 * 5 + (8 + 8) * 7


class _PatchMerging(nn.Module):
    """Swin's patch merging by hand: the 2 x 2 neighbours concatenated, a layer norm, a 4C -> 2C reduction."""

    def __init__(self, channels: int, first: bool) -> None:
        super().__init__()
        self.pre = None if first else nn.Linear(channels, channels)
        self.norm = nn.LayerNorm(4 * channels)
        self.reduction = nn.Linear(4 * channels, 2 * channels, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (1, H, W, C)
        if self.pre is not None:
            x = self.pre(x)
        merged = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        out: torch.Tensor = self.reduction(self.norm(merged))
        return out


@pytest.mark.parametrize("first", [True, False])
def test_patch_merging_equals_flop_counter(first: bool) -> None:
    fwd, bwd = _torch_flops(_PatchMerging(6, first), torch.ones(1, 8, 8, 6))
    body = "input(H=8, W=8, C=6)\n" + ("" if first else " linear(C_out=6)\n") + " patch_merging()"
    result = backward_of(count(f"network n {{\n {body}\n}}"))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd, bwd)
    assert not result.layers[-1].input_skipped  # the norm's weights need the reduction's input gradient


def test_swin_t_backward_equals_transformers_under_flop_counter() -> None:
    """The zoo's Swin-T (window attention, patch merging, 1000 classes) against transformers' Swin built
    from its default config on the meta device: forward and backward FLOPs of one image."""
    transformers = needs.module("transformers")
    from pathlib import Path  # noqa: PLC0415  lazy: this test only

    with torch.device("meta"):
        model = transformers.SwinForImageClassification(transformers.SwinConfig(num_labels=1000))
        x = torch.randn(1, 3, 224, 224)
    with FlopCounterMode(display=False) as fwd:
        model(pixel_values=x)
    with FlopCounterMode(display=False) as both:
        model(pixel_values=x).logits.sum().backward()
    zoo = Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "swin_t.sc"
    result = backward_of(count(zoo))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd.get_total_flops(),
                                                  both.get_total_flops() - fwd.get_total_flops())


def test_bart_backward_equals_transformers_under_flop_counter() -> None:
    """An encoder-decoder (the zoo's BART block: the encoder a stream inside a block, cross-attention
    to it) against transformers' BartModel with eager attention, a tiny config: equal FLOPs both ways."""
    transformers = needs.module("transformers")
    from pathlib import Path  # noqa: PLC0415  lazy: this test only

    config = transformers.BartConfig(d_model=16, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
                                     decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                                     vocab_size=100, max_position_embeddings=64, attn_implementation="eager")
    model = transformers.BartModel(config)
    source, target = torch.zeros(1, 9, dtype=torch.long), torch.zeros(1, 7, dtype=torch.long)
    with FlopCounterMode(display=False) as fwd:
        model(input_ids=source, decoder_input_ids=target)
    with FlopCounterMode(display=False) as both:
        model(input_ids=source, decoder_input_ids=target).last_hidden_state.sum().backward()
    zoo = (Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "llm" / "bart.sc").read_text()
    text = zoo + "\nnetwork tiny {\n    bart(n_layers=2, d_model=16, heads=2, ff=32, V=100, n_positions=64)\n}\n"
    result = backward_of(count(text, network="tiny", values={"L": 7, "S": 9}))
    assert result.complete, result.not_derived
    assert (result.forward, result.backward) == (fwd.get_total_flops(),
                                                  both.get_total_flops() - fwd.get_total_flops())


def test_cross_attention_inside_a_block_keeps_each_path_apart() -> None:
    """Inside a block a stream's layers are named block.stream.layer: still the stream's own path."""
    with torch.device("meta"):
        model = _Cross(False, True)
        x, m = torch.ones(1, 5, 8), torch.ones(1, 7, 6)
    with FlopCounterMode(display=False) as fwd:
        model(x, m)
    with FlopCounterMode(display=False) as both:
        model(x, m).sum().backward()
    source = ("block pair() {\n memory: stream {\n  input(L=7, C=6)\n  linear(C_out=6)\n }\n input(L=5, C=8)\n"
              " attention(d_model=8, heads=2, to=memory)\n}\nnetwork n {\n pair()\n}")
    result = backward_of(count(source, network="n"))
    assert result.layers[0].name.endswith("memory.linear")
    assert (result.forward, result.backward) == (fwd.get_total_flops(),
                                                  both.get_total_flops() - fwd.get_total_flops())
