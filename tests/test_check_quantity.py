"""check --quantity beyond parameters: every answer and every slip computed from real torch networks.

The network below is built twice: as a symcount description and as a torch ``nn.Sequential``.
Right answers are measured on torch (output numels through hooks, output sizes, the receptive field from
the input gradient of one output position, FlopCounterMode around ``loss.backward()``); each slip's answer
is the same measurement on a torch network with the slip made (no padding, no stride, batch 1...).
"""

from __future__ import annotations

import json
from typing import Any

import needs
import pytest

from symcount.cli.main import main as cli_main
from symcount.errors import SymcountError
from symcount.teaching.check import check
from symcount.teaching.check_quantity import QUANTITY_SLIPS, check_quantity

SOURCE = """network small {
  input(H=24, W=24, C=3)
  conv2d(C_out=8, k=3, padding=1)
  relu()
  conv2d(C_out=8, k=3, stride=2)
  relu()
  avgpool2d(k=2)
  conv2d(C_out=4, k=3, dilation=2, padding=2)
}"""


def _net(padding: bool = True, stride: bool = True, dilation: bool = True) -> Any:
    nn = needs.module("torch").nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1 if padding else 0), nn.ReLU(inplace=True),
        nn.Conv2d(8, 8, 3, stride=2 if stride else 1), nn.ReLU(inplace=True),
        nn.AvgPool2d(2, stride=2 if stride else 1),  # average pooling passes every gradient (max pooling: one)
        nn.Conv2d(8, 4, 3, dilation=2 if dilation else 1, padding=2 if padding else 0))


def _x(batch: int = 1) -> Any:
    torch = needs.module("torch")
    return torch.ones(batch, 3, 24, 24)


def _stored_values(net: Any, batch: int, in_place: bool = True) -> int:
    """The input and every output that is a new tensor (an in-place ReLU's is not), measured with hooks."""
    nn = needs.module("torch").nn
    seen: list[int] = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append(0 if in_place and isinstance(m, nn.ReLU)
                                                                   else o.numel())) for m in net]
    x = _x(batch)
    net(x)
    for h in hooks:
        h.remove()
    return x.numel() + sum(seen)


def _out_size(net: Any) -> tuple[int, int]:
    shape = net(_x()).shape
    return int(shape[2]), int(shape[3])


def _measured_field(net: Any) -> int:
    """Extent of the nonzero input gradient of the centre output position (weights all ones)."""
    torch = needs.module("torch")
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(1.0)
    x = torch.ones(1, 3, 64, 64, requires_grad=True)
    out = net(x)
    out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    assert x.grad is not None
    rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
    return int(rows.max() - rows.min() + 1)


def _flops(net: Any, batch: int, input_grad: bool = False) -> tuple[int, int]:
    """(forward, backward) FLOPs from FlopCounterMode around loss.backward()."""
    torch = needs.module("torch")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  needs torch

    x = _x(batch).requires_grad_(input_grad)
    with FlopCounterMode(display=False) as fwd:
        net(x)
    with FlopCounterMode(display=False) as both:
        net(x).sum().backward()
    del torch
    return fwd.get_total_flops(), both.get_total_flops() - fwd.get_total_flops()


def _bias_additions(net: Any, batch: int) -> int:
    """One addition per bias value and output position: the bias gradients' sums."""
    nn = needs.module("torch").nn
    total = 0
    x = _x(batch)
    for m in net:
        x = m(x)
        if isinstance(m, nn.Conv2d) and m.bias is not None:
            total += x.numel()
    return total


def _mistake(answer: object, quantity: str, **kw: Any) -> str | None:
    v = check_quantity(SOURCE, answer, quantity, **kw)  # type: ignore[arg-type]
    assert not v.correct, f"{answer} is the right {quantity}"
    return v.mistake


# ---------------------------------------------------------------------------------- activations


def test_activations_right_and_each_slip() -> None:
    net = _net()
    right = _stored_values(net, 4)
    assert check_quantity(SOURCE, right, "activations", batch=4).correct
    assert check_quantity(SOURCE, f"{right // 4}*B", "activations", batch=needs.module("sympy").Symbol("B")).correct
    assert _mistake(_stored_values(net, 1), "activations", batch=4) == "forgot_batch"
    assert _mistake(4 * right, "activations", batch=4) == "bytes_as_values"
    assert _mistake(right - 4 * 3 * 24 * 24, "activations", batch=4) == "forgot_input"
    assert _mistake(_stored_values(net, 4, in_place=False), "activations", batch=4) == "in_place_counted"
    assert _mistake(2 * right, "activations", batch=4) == "doubled_for_backward"
    params = sum(p.numel() for p in net.parameters())
    assert _mistake(right + params, "activations", batch=4) == "params_added"


def test_activation_bytes_and_dtype() -> None:
    values = _stored_values(_net(), 3)
    assert check_quantity(SOURCE, 4 * values, "activation_bytes", batch=3).correct
    assert check_quantity(SOURCE, 2 * values, "activation_bytes", batch=3, dtype="fp16").correct
    assert _mistake(values, "activation_bytes", batch=3) == "values_as_bytes"
    assert _mistake(2 * values, "activation_bytes", batch=3) == "wrong_dtype"


# ---------------------------------------------------------------------------------- receptive field


def test_receptive_field_right_and_each_slip() -> None:
    r = _measured_field(_net())
    assert check_quantity(SOURCE, r, "receptive_field").correct
    assert check_quantity(SOURCE, f"{r}x{r}", "receptive_field").correct
    assert check_quantity(SOURCE, f"({r}, {r})", "receptive_field").correct
    assert _mistake(r - 1, "receptive_field") == "rf_off_by_one"
    assert _mistake(r + 1, "receptive_field") == "rf_off_by_one"
    # the field the stack would have with every stride 1, measured: the strides ignored
    assert _mistake(_measured_field(_net(stride=False)), "receptive_field") == "rf_stride_ignored"
    assert _mistake(_measured_field(_net(dilation=False)), "receptive_field") == "dilation_ignored"
    # kernel sizes added instead of k - 1: one jump more per window layer (jumps 1, 1, 2, 4: earlier strides)
    assert _mistake(r - 1 + (1 + 1 + 2 + 4), "receptive_field") == "rf_kernels_added"
    # each layer's growth (k_eff - 1) times the jump *after* its own stride: 2*1 + 2*2 + 1*4 + 4*4
    assert _mistake(1 + 2 * 1 + 2 * 2 + 1 * 4 + 4 * 4, "receptive_field") == "rf_own_stride"


def test_receptive_field_across_flatten_is_refused() -> None:
    with pytest.raises(SymcountError, match="whole input"):
        check_quantity("network n {\n input(H=8, W=8, C=1)\n conv2d(C_out=2, k=3)\n flatten()\n linear(C_out=3)\n}",
                       9, "receptive_field")


# ---------------------------------------------------------------------------------- output size


def test_output_size_right_and_each_slip() -> None:
    h, w = _out_size(_net())
    assert check_quantity(SOURCE, f"{h}x{w}", "output_size").correct
    assert check_quantity(SOURCE, h, "output_size").correct
    assert _mistake(_out_size(_net(padding=False))[0], "output_size") == "padding_forgotten"
    assert _mistake(_out_size(_net(stride=False))[0], "output_size") == "stride_ignored"
    assert _mistake(_out_size(_net(dilation=False))[0], "output_size") in ("dilation_ignored",)


def test_output_size_single_layer_slips() -> None:
    torch = needs.module("torch")
    strided = "network n {\n input(H=32, W=32, C=3)\n conv2d(C_out=4, k=5, stride=2, padding=2)\n}"
    out = torch.nn.Conv2d(3, 4, 5, stride=2, padding=2)(torch.ones(1, 3, 32, 32)).shape[2]
    assert check_quantity(strided, out, "output_size").correct
    assert _mistake_of(strided, "31/2 + 1", "output_size") == "floor_forgotten"
    plain = "network n {\n input(H=32, W=32, C=3)\n conv2d(C_out=4, k=5, padding=2)\n}"
    conv = torch.nn.Conv2d(3, 4, 5, padding=2)
    assert check_quantity(plain, conv(torch.ones(1, 3, 32, 32)).shape[2], "output_size").correct
    assert _mistake_of(plain, conv(torch.ones(1, 3, 32, 32)).shape[2] - 1, "output_size") == "plus_one_forgotten"
    # one side padded: the size torch gives for an input padded by p on one side only
    one_side = torch.nn.Conv2d(3, 4, 5)(torch.ones(1, 3, 32 + 2, 32 + 2)).shape[2]
    assert _mistake_of(plain, one_side, "output_size") == "padding_one_side"


def _mistake_of(source: str, answer: object, quantity: str) -> str | None:
    v = check_quantity(source, answer, quantity)  # type: ignore[arg-type]
    assert not v.correct
    return v.mistake


# ---------------------------------------------------------------------------------- MACs and FLOPs


def test_macs_and_flops_against_flop_counter() -> None:
    fwd, _ = _flops(_net(), 3)
    assert check_quantity(SOURCE, fwd // 2, "macs", batch=3).correct
    assert check_quantity(SOURCE, fwd, "flops", batch=3).correct
    assert _mistake(fwd, "macs", batch=3) == "flops_as_macs"
    assert _mistake(fwd // 2, "flops", batch=3) == "macs_as_flops"
    assert _mistake(_flops(_net(), 1)[0] // 2, "macs", batch=3) == "forgot_batch"
    assert _mistake(fwd // 2 + _bias_additions(_net(), 3), "macs", batch=3) == "bias_added"


def test_backward_and_training_flops_against_flop_counter() -> None:
    net = _net()
    fwd, bwd = _flops(net, 2)
    assert check_quantity(SOURCE, bwd, "backward_flops", batch=2).correct
    assert check_quantity(SOURCE, fwd + bwd, "training_flops", batch=2).correct
    bias = _bias_additions(net, 2)
    assert _mistake(bwd + bias, "backward_flops", batch=2) == "bias_grad_counted"
    _, with_input = _flops(net, 2, input_grad=True)
    assert _mistake(with_input, "backward_flops", batch=2) == "first_input_grad_counted"
    assert _mistake(_flops(net, 1)[1], "backward_flops", batch=2) == "forgot_batch"
    assert _mistake(fwd, "backward_flops", batch=2) == "forward_as_backward"
    assert _mistake(fwd + bwd, "backward_flops", batch=2) == "forward_included"
    assert _mistake(fwd, "training_flops", batch=2) == "forward_only"
    assert _mistake(2 * fwd, "training_flops", batch=2) == "two_x_forward"
    assert _mistake(fwd + bwd + bias, "training_flops", batch=2) == "bias_grad_counted"


def test_every_slip_is_exercised_here() -> None:
    """A slip added to the table without a test here fails this one."""
    with open(__file__, encoding="utf-8") as f:
        text = f.read()
    assert [s for s in QUANTITY_SLIPS if f'== "{s}"' not in text] == []


def test_one_gradient_and_one_position() -> None:
    """The input gradients alone: FlopCounterMode with the weights frozen (only input gradients are
    computed; the first layer's is skipped); MACs at one output position: the weights' numel."""
    torch = needs.module("torch")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  needs torch

    one = "network n {\n input(H=9, W=9, C=2)\n conv2d(C_out=3, k=3)\n conv2d(C_out=4, k=3)\n}"
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.Conv2d(3, 4, 3))
    x = torch.ones(1, 2, 9, 9)
    with FlopCounterMode(display=False) as fwd:
        net(x)
    with FlopCounterMode(display=False) as both:
        net(x).sum().backward()
    assert check_quantity(one, both.get_total_flops() - fwd.get_total_flops(), "backward_flops").correct
    net[0].weight.requires_grad_(False)
    net[0].bias.requires_grad_(False)
    net[1].weight.requires_grad_(False)
    x.requires_grad_(False)
    out = net(x)
    with FlopCounterMode(display=False) as inputs_only:
        out = net[1](net[0](x).requires_grad_(True))
        out.sum().backward()
    input_grads = inputs_only.get_total_flops() - fwd.get_total_flops()
    assert _mistake_of_backward(one, input_grads) == "one_gradient"
    per_position = sum(m.weight.numel() for m in net)
    assert check_quantity(one, per_position, "macs").mistake == "one_position"


def _mistake_of_backward(source: str, answer: int) -> str | None:
    v = check_quantity(source, answer, "backward_flops")
    assert not v.correct
    return v.mistake


# ---------------------------------------------------------------------------------- the command


def test_cli_exit_statuses_and_json(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "small.sc"
    src.write_text(SOURCE + "\n", encoding="utf-8")
    r = _measured_field(_net())
    assert cli_main(["check", str(src), "--quantity", "receptive_field", "--answer", str(r)]) == 0
    capsys.readouterr()
    assert cli_main(["check", str(src), "--quantity", "receptive_field", "--answer", str(r - 1),
                     "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["mistake"] == "rf_off_by_one" and doc["expected"] == [r, r] and doc["correct"] is False
    assert cli_main(["check", str(src), "--quantity", "receptive_field", "--answer", "7", "--batch", "4"]) == 2
    assert "--batch does not change" in capsys.readouterr().err
    assert cli_main(["check", str(src), "--quantity", "activations", "--answer", "7", "--batch", "0"]) == 2
    assert cli_main(["check", str(src), "--quantity", "macs", "--answer", "7", "--dtype", "fp16"]) == 2
    assert cli_main(["check", str(src), "--quantity", "params", "--batch", "2", "--answer", "7"]) == 2
    params = sum(p.numel() for p in _net().parameters())
    assert cli_main(["check", str(src), "--quantity", "params", "--answer", str(params)]) == 0
    capsys.readouterr()
    values = _stored_values(_net(), 8)
    assert cli_main(["check", str(src), "--quantity", "activation_bytes", "--batch", "8", "--answer",
                     str(values)]) == 1
    out = capsys.readouterr().out
    assert "values given for bytes" in out and f"{4 * values:,}" in out


# ---------------------------------------------------------------------------------- published questions


def test_three_3x3_against_one_7x7() -> None:
    """CS231n / the VGG paper: three stacked 3x3 convolutions (stride 1) see 7x7, as one 7x7 does, with
    fewer parameters (27 C^2 against 49 C^2 without bias); with the middle one at stride 2 they see 9x9.
    Each field is measured on torch as well."""
    torch = needs.module("torch")
    nn = torch.nn
    c = 16
    three = f"network three {{\n input(H=32, W=32, C={c})\n" + f" conv2d(C_out={c}, k=3, bias=false)\n" * 3 + "}"
    one = f"network one {{\n input(H=32, W=32, C={c})\n conv2d(C_out={c}, k=7, bias=false)\n}}"
    strided = (f"network s {{\n input(H=32, W=32, C={c})\n conv2d(C_out={c}, k=3)\n conv2d(C_out={c}, k=3, stride=2)\n"
               f" conv2d(C_out={c}, k=3)\n}}")
    stacks = {
        three: nn.Sequential(*[nn.Conv2d(c, c, 3, bias=False) for _ in range(3)]),
        one: nn.Conv2d(c, c, 7, bias=False),
        strided: nn.Sequential(nn.Conv2d(c, c, 3), nn.Conv2d(c, c, 3, stride=2), nn.Conv2d(c, c, 3)),
    }
    fields = {}
    for source, net in stacks.items():
        with torch.no_grad():
            for p in net.parameters():
                p.fill_(1.0)
        x = torch.ones(1, c, 32, 32, requires_grad=True)
        out = net(x)
        out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
        assert x.grad is not None
        rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
        fields[source] = int(rows.max() - rows.min() + 1)
        assert check_quantity(source, fields[source], "receptive_field").correct
        assert check(source, sum(p.numel() for p in net.parameters())).correct
    assert fields[three] == fields[one] == 7 and fields[strided] == 9
    assert _mistake_of(strided, 7, "receptive_field") == "rf_stride_ignored"
    assert check(three, 27 * c * c).correct and check(one, 49 * c * c).correct  # 27 C^2 against 49 C^2


def test_at_a_labelled_layer(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """--layer: the receptive field and output size at a labelled layer's output, measured on the torch
    network cut there; refused for the other quantities, for a name the network has not, and after flatten."""
    torch = needs.module("torch")
    nn = torch.nn
    source = ("network lab {\n input(H=32, W=32, C=3)\n c1: conv2d(C_out=8, k=3)\n"
              " c2: conv2d(C_out=8, k=3, stride=2)\n c3: conv2d(C_out=8, k=3)\n flatten()\n linear(C_out=10)\n}")
    layers = [nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3, stride=2), nn.Conv2d(8, 8, 3)]
    for n, label in enumerate(("c1", "c2", "c3"), start=1):
        prefix = nn.Sequential(*layers[:n])
        with torch.no_grad():
            for p in prefix.parameters():
                p.fill_(1.0)
        x = torch.ones(1, 3, 32, 32, requires_grad=True)
        out = prefix(x)
        out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
        assert x.grad is not None
        rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
        assert check_quantity(source, int(rows.max() - rows.min() + 1), "receptive_field", layer=label).correct
        assert check_quantity(source, f"{out.shape[2]}x{out.shape[3]}", "output_size", layer=label).correct
    with pytest.raises(SymcountError, match="no layer named 'c9'"):
        check_quantity(source, 5, "receptive_field", layer="c9")
    with pytest.raises(SymcountError, match="not the macs"):
        check_quantity(source, 5, "macs", layer="c2")
    with pytest.raises(SymcountError, match="after flatten"):
        check_quantity(source, 5, "receptive_field")
    src = tmp_path / "lab.sc"
    src.write_text(source + "\n", encoding="utf-8")
    assert cli_main(["check", str(src), "--quantity", "receptive_field", "--layer", "c2", "--answer", "5"]) == 0
    assert cli_main(["check", str(src), "--layer", "c2", "--answer", "5"]) == 2
    assert "--layer does not change a parameter count" in capsys.readouterr().err


def test_d2l_convolution_cost_and_memory_symbolically() -> None:
    """d2l.ai 7.3 exercises: the cost of a convolution (c_i x h x w input, c_o filters of k x k, stride 1,
    no padding) and its memory, answered as formulas; every value also checked against torch at sizes."""
    torch = needs.module("torch")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  needs torch

    src = "network d2l {\n input(H=H, W=W, C=c_i)\n conv2d(C_out=c_o, k=k)\n}"
    macs = "c_i*c_o*k*k*(H - k + 1)*(W - k + 1)"
    assert check_quantity(src, macs, "macs").correct
    assert check_quantity(src, "c_i*c_o*k*k", "macs").mistake == "one_position"
    memory = "B*(c_i*H*W + c_o*(H - k + 1)*(W - k + 1))"
    B = needs.module("sympy").Symbol("B")
    assert check_quantity(src, memory, "activations", batch=B).correct
    assert check_quantity(src, "c_i*H*W + c_o*(H - k + 1)*(W - k + 1)", "activations", batch=B).mistake \
        == "forgot_batch"
    # the same formulas at sizes, against torch
    c_i, c_o, k, H, W = 3, 5, 3, 9, 11
    conv = torch.nn.Conv2d(c_i, c_o, k)
    x = torch.ones(2, c_i, H, W)
    with FlopCounterMode(display=False) as f:
        out = conv(x)
    values = {"c_i": c_i, "c_o": c_o, "k": k, "H": H, "W": W}
    assert check_quantity(src, f.get_total_flops() // 2, "macs", values=values, batch=2).correct
    assert check_quantity(src, x.numel() + out.numel(), "activations", values=values, batch=2).correct
