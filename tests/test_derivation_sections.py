"""derive --receptive-field and --backward: the rows' numbers against torch (input gradients, FlopCounterMode)."""

from __future__ import annotations

from pathlib import Path

import needs
import pytest

from symcount.cli.main import main as cli_main
from symcount.errors import SymcountError
from symcount.teaching.derivation import derive

SOURCE = """network stack {
  input(H=40, W=40, C=3)
  conv2d(C_out=6, k=3, padding=1)
  relu()
  conv2d(C_out=6, k=5, stride=2)
  avgpool2d(k=2)
  conv2d(C_out=4, k=3, dilation=3)
  flatten()
  linear(C_out=5)
}"""


def _torch_net() -> object:
    nn = needs.module("torch").nn
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 6, 5, stride=2), nn.AvgPool2d(2),
                         nn.Conv2d(6, 4, 3, dilation=3))


def _measured_field(net: object, channels: int = 3) -> int:
    torch = needs.module("torch")
    assert isinstance(net, torch.nn.Module)
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(1.0)
    x = torch.ones(1, channels, 96, 96, requires_grad=True)
    out = net(x)
    out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    assert x.grad is not None
    rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
    return int(rows.max() - rows.min() + 1)


def test_receptive_field_rows_end_at_the_measured_field() -> None:
    r = _measured_field(_torch_net())
    text = derive(SOURCE, receptive_field=True).text()
    convs = text.split("receptive field\n")
    assert len(convs) >= 5  # conv2d, conv2d_1, avgpool2d, conv2d_2, the network
    assert "r = r_in + (k - 1) × d × j_in" in text  # the dilated layer writes d; the others drop d = 1
    # the field before flatten is the measured one; after flatten every output sees the whole input
    assert f"= {r}\n" in text.split("conv2d_2: receptive field")[1].split("flatten")[0]
    assert "every position" in text.split("flatten: receptive field")[1] or "whole input" in text
    assert "receptive field = whole input" in text


def test_backward_rows_equal_flop_counter() -> None:
    torch = needs.module("torch")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  needs torch

    nn = torch.nn
    net = nn.Sequential(_torch_net(), nn.Flatten(), nn.Linear(4 * 3 * 3, 5))
    x = torch.ones(1, 3, 40, 40)
    with FlopCounterMode(display=False) as fwd:
        net(x)
    with FlopCounterMode(display=False) as both:
        net(x).sum().backward()
    forward, backward = fwd.get_total_flops(), both.get_total_flops() - fwd.get_total_flops()
    text = derive(SOURCE, backward=True).text()
    totals = text.split("Backward pass of the network")[1]
    assert f"= {forward:,}\n" in totals.split("backward FLOPs")[0]
    assert f"= {backward:,}\n" in totals.split("training step")[0]
    assert f"= {forward + backward:,}" in totals
    assert "skipped: the network's input needs no gradient" in text


def test_backward_refused_by_name_where_not_derived(tmp_path: Path) -> None:
    with pytest.raises(SymcountError, match=r"not derived for .*bilinear"):
        derive("network r {\n input(C=4)\n bilinear(C_in2=3, C_out=2)\n}", backward=True)
    # a recurrent layer's input gradient is not 2 x MACs: the row says what it is
    text = derive("network r {\n input(L=5, C=3)\n linear(C_out=3)\n lstm(H=4)\n}", backward=True).text()
    assert "the hidden state's at every step but the first" in text
    src = tmp_path / "s.sc"
    src.write_text(SOURCE + "\n", encoding="utf-8")
    assert cli_main(["derive", str(src), "--backward", "--format", "json"]) == 2
    assert cli_main(["derive", str(src), "--receptive-field", "--backward", "-o", str(tmp_path / "d.md"),
                     "--format", "markdown"]) == 0
    assert "receptive field" in (tmp_path / "d.md").read_text(encoding="utf-8")


def test_receptive_field_rows_through_residual_and_parallel() -> None:
    """A residual and a parallel (an empty shortcut, branches of different depth): every layer's row
    starts from its own input's field, and the network's field is the torch-measured one."""
    torch = needs.module("torch")
    nn = torch.nn
    source = ("network res {\n input(H=32, W=32, C=4)\n conv2d(C_out=4, k=3, padding=1)\n residual {\n"
              "  conv2d(C_out=4, k=3, padding=1)\n  relu()\n  conv2d(C_out=4, k=5, padding=2)\n }\n parallel {\n"
              "  branch { conv2d(C_out=2, k=1) }\n  branch { conv2d(C_out=2, k=3, padding=1); conv2d(C_out=2, k=3, padding=1) }\n"
              " }\n avgpool2d(k=2)\n}")

    class Net(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.c0 = nn.Conv2d(4, 4, 3, padding=1)
            self.main = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 5, padding=2))
            self.b1 = nn.Conv2d(4, 2, 1)
            self.b2 = nn.Sequential(nn.Conv2d(4, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1))
            self.pool = nn.AvgPool2d(2)

        def forward(self, x: object) -> object:
            x = self.c0(x)
            x = x + self.main(x)
            return self.pool(torch.cat([self.b1(x), self.b2(x)], 1))

    r = _measured_field(Net(), channels=4)
    text = derive(source, receptive_field=True).text()
    assert f"receptive field = {r} × {r}" in text
    assert "(the main path (conv2d_1 .. conv2d_2))" in text and "(branch 2 (conv2d_4 .. conv2d_5))" in text


def test_symbolic_receptive_field_rows() -> None:
    """Sizes left as symbols: the rows carry them (k, then 2k - 1, then 2k + 2s - 1 after a stride s)."""
    text = derive("network s {\n input(H=H, W=H, C=3)\n conv2d(C_out=8, k=k)\n conv2d(C_out=8, k=k, stride=s)\n"
                  " conv2d(C_out=8, k=3)\n}", receptive_field=True).text()
    assert "= 2k - 1\n" in text and "= 2k + 2s - 1\n" in text
    assert "receptive field = (2k + 2s - 1) × (2k + 2s - 1)" in text
