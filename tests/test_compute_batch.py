"""compute --batch: the batch's forward, backward and training FLOPs against FlopCounterMode on a batch."""

from __future__ import annotations

import json
from pathlib import Path

import needs
import pytest

from symcount.cli.main import main as cli_main
from symcount.errors import SymcountError
from symcount.teaching.memory import compute


def _flop_counter(model: object, x: object) -> tuple[int, int]:
    """(forward, backward) FLOPs of the whole batch x, the input needing no gradient."""
    needs.module("torch")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  needs torch

    with FlopCounterMode(display=False) as fwd:
        model(x)  # type: ignore[operator]
    with FlopCounterMode(display=False) as both:
        model(x).sum().backward()  # type: ignore[operator]
    return fwd.get_total_flops(), both.get_total_flops() - fwd.get_total_flops()


def _json(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict:  # type: ignore[type-arg]
    assert cli_main(["compute", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_cnn_batch_equals_flop_counter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch = needs.module("torch")
    nn = torch.nn
    src = tmp_path / "cnn.sc"
    src.write_text("network cnn {\n input(H=12, W=12, C=3)\n conv2d(C_out=6, k=3, padding=1)\n relu()\n"
                   " conv2d(C_out=4, k=3, stride=2)\n flatten()\n linear(C_out=7)\n}\n", encoding="utf-8")
    model = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 4, 3, stride=2), nn.Flatten(),
                          nn.Linear(4 * 5 * 5, 7))
    fwd, bwd = _flop_counter(model, torch.ones(6, 3, 12, 12))
    doc = _json(capsys, [str(src), "--batch", "6"])
    assert doc["batch"] == {"batch": 6, "forward": fwd, "backward": bwd, "training": fwd + bwd}
    assert _json(capsys, [str(src)])["batch"] is None
    symbolic = _json(capsys, [str(src), "--batch", "B"])["batch"]
    assert symbolic["forward"] == f"{fwd // 6}*B"


def test_sequence_batch_equals_flop_counter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch = needs.module("torch")
    nn = torch.nn

    class Net(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.pre = nn.Linear(8, 8)
            self.att = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x: object) -> object:
            x = self.pre(x)
            return self.att(x, x, x, need_weights=False)[0]

    with torch.device("meta"):
        model = Net()
        x = torch.randn(3, 5, 8)
    fwd, bwd = _flop_counter(model, x)
    src = tmp_path / "seq.sc"
    src.write_text("network seq {\n input(L=5, C=8)\n linear(C_out=8)\n attention(d_model=8, heads=2)\n}\n",
                   encoding="utf-8")
    doc = _json(capsys, [str(src), "--batch", "3"])
    assert doc["per"] == "token"
    assert doc["batch"] == {"batch": 3, "forward": fwd, "backward": bwd, "training": fwd + bwd}


def test_bad_batch_and_not_derived_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "cnn.sc"
    src.write_text("network cnn {\n input(H=8, W=8, C=1)\n conv2d(C_out=2, k=3)\n}\n", encoding="utf-8")
    for bad in ("0", "-2", "1.5", "2x"):
        assert cli_main(["compute", str(src), "--batch", bad]) == 2
        assert "--batch" in capsys.readouterr().err
    with pytest.raises(SymcountError, match="not derived for"):
        compute("network n {\n input(C=4)\n bilinear(C_in2=3, C_out=2)\n}", batch=2)
