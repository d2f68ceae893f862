"""Backward FLOPs (engine/backward.py) against torch.utils.flop_counter.FlopCounterMode around loss.backward()."""

from __future__ import annotations

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
    result = backward_of(count("network n {\n input(L=6, C=4)\n lstm(hidden=5)\n layernorm()\n linear(C_out=2)\n}"))
    assert not result.complete
    assert any("lstm" in name for name in result.not_derived)
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
