"""Receptive field, jump and start (symcount.engine.receptive): the classic examples, and a brute-force
measurement with real torch networks (weights set to ones, the gradient of one output position with respect
to the input: its nonzero extent is the receptive field) on random stacks with stride, padding, dilation,
pooling, transposed convolutions, residual and parallel paths."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import needs
import pytest
import sympy

import symcount
from symcount.engine.receptive import Field, field_text, receptive_fields
from symcount.errors import SymcountError

Spec = list[tuple[Any, ...]]


def three_convs(middle_stride: int) -> str:
    return (f"network stack {{ input(H=32, W=32, C=C)\n conv2d(C_out=C, k=3, padding=1, bias=false)\n"
            f" conv2d(C_out=C, k=3, stride={middle_stride}, padding=1, bias=false)\n"
            f" conv2d(C_out=C, k=3, padding=1, bias=false) }}")


def test_three_3x3_see_7x7_with_27_not_49_c_squared_weights() -> None:
    stacked = symcount.count(three_convs(1))
    single = symcount.count("network one { input(H=32, W=32, C=C)\n conv2d(C_out=C, k=7, padding=3, bias=false) }")
    C = sympy.Symbol("C", positive=True, integer=True)
    assert receptive_fields(stacked).final.r == receptive_fields(single).final.r == (7, 7)
    assert sympy.expand(stacked.total - 27 * C**2) == 0 and sympy.expand(single.total - 49 * C**2) == 0


def test_middle_stride_2_sees_9x9() -> None:
    rf = receptive_fields(symcount.count(three_convs(2)))
    assert [lf.field.r for lf in rf.layers] == [(3, 3), (5, 5), (9, 9)]
    assert [lf.field.j for lf in rf.layers] == [(1, 1), (2, 2), (2, 2)]


def test_symbolic_sizes() -> None:
    rf = receptive_fields(symcount.count(
        "network s { input(H=H, W=W, C=3)\n conv2d(C_out=8, k=k, padding=p)\n conv2d(C_out=8, k=k, stride=s, dilation=d) }"))
    k, s, d, p = (sympy.Symbol(n, positive=True, integer=True) for n in "ksdp")
    f = rf.final
    assert sympy.expand(f.r[0] - (1 + (k - 1) + d * (k - 1))) == 0 and f.j[0] == s
    assert sympy.expand(f.start[0] - ((k - 1) / 2 - p + (k - 1) * d / 2)) == 0  # type: ignore[operator]


def test_flatten_then_linear_sees_the_whole_input_and_asking_is_a_positioned_error() -> None:
    rf = receptive_fields(symcount.count(
        "network f { input(H=8, W=8, C=1)\n conv2d(C_out=2, k=3)\n flatten()\n linear(C_out=10) }"))
    assert rf.final.is_whole and rf.layers[0].field.r == (3, 3)
    with pytest.raises(SymcountError) as err:
        rf.at()
    assert err.value.pos is not None and err.value.pos.line == 3 and "whole input" in str(err.value)


def test_residual_says_which_path() -> None:
    rf = receptive_fields(symcount.count(
        "network r { input(H=16, W=16, C=4)\n residual { conv2d(C_out=4, k=3, padding=1)\n"
        " conv2d(C_out=4, k=3, padding=1) }\n conv2d(C_out=4, k=1) }"))
    [join] = rf.merges
    assert join.field.r == (5, 5) and join.path.startswith("the main path")
    assert rf.final.r == (5, 5)


# -- brute force against torch ---------------------------------------------------------------------------

def random_layer(rng: random.Random, transposed: bool) -> tuple[Any, ...]:
    kind = rng.choice(["conv", "conv", "pool", "tconv"] if transposed else ["conv", "conv", "pool"])
    k = rng.randint(1, 4)
    if kind == "pool":
        k = max(k, 2)
        return ("pool", k, rng.randint(1, k), rng.randint(0, k // 2))
    s, d = rng.randint(1, 3), rng.randint(1, 2)
    if kind == "tconv":
        return ("tconv", k, s, rng.randint(0, (k - 1) * d // 2), d)
    return ("conv", k, s, rng.randint(0, 2), d)


def same_conv(rng: random.Random) -> tuple[Any, ...]:
    k, d = rng.choice([1, 3, 5]), rng.randint(1, 2)
    return ("conv", k, 1, d * (k - 1) // 2, d)


def random_stack(rng: random.Random, transposed: bool) -> Spec:
    spec: Spec = []
    for _ in range(rng.randint(2, 5)):
        roll = rng.random()
        if roll < 0.15:
            spec.append(("res", [same_conv(rng) for _ in range(rng.randint(0, 2))],
                         [same_conv(rng)] if rng.random() < 0.3 else []))
        elif roll < 0.3:
            spec.append(("par", [[same_conv(rng) for _ in range(rng.randint(1, 2))] for _ in range(rng.randint(2, 3))]))
        else:
            spec.append(random_layer(rng, transposed))
    return spec


def sc_body(spec: Spec) -> str:
    lines = []
    for item in spec:
        if item[0] == "conv":
            lines.append(f"conv1d(C_out=2, k={item[1]}, stride={item[2]}, padding={item[3]}, dilation={item[4]}, bias=false)")
        elif item[0] == "tconv":
            lines.append(f"conv_transpose1d(C_out=2, k={item[1]}, stride={item[2]}, padding={item[3]}, "
                         f"dilation={item[4]}, bias=false)")
        elif item[0] == "pool":
            lines.append(f"maxpool1d(k={item[1]}, stride={item[2]}, padding={item[3]})")
        elif item[0] == "res":
            shortcut = f" shortcut {{\n{sc_body(item[2])}\n}}" if item[2] else ""
            lines.append(f"residual {{\n{sc_body(item[1])}\n}}{shortcut}")
        else:
            branches = "\n".join(f"branch {{\n{sc_body(b)}\nconv1d(C_out=2, k=1, bias=false)\n}}" for b in item[1])
            lines.append(f'parallel(merge="concat") {{\n{branches}\n}}\nconv1d(C_out=2, k=1, bias=false)')
    return "\n".join(lines)


def torch_forward(torch: Any, spec: Spec, x: Any) -> Any:
    F = torch.nn.functional  # noqa: N806
    for item in spec:
        c = x.shape[1]
        if item[0] == "conv":
            x = F.conv1d(x, torch.ones(2, c, item[1], dtype=x.dtype), stride=item[2], padding=item[3], dilation=item[4])
        elif item[0] == "tconv":
            x = F.conv_transpose1d(x, torch.ones(c, 2, item[1], dtype=x.dtype), stride=item[2], padding=item[3],
                                   dilation=item[4])
        elif item[0] == "pool":  # average pooling sees the same window as max pooling, and passes every gradient
            x = F.avg_pool1d(x, item[1], item[2], item[3])
        elif item[0] == "res":
            x = torch_forward(torch, item[1], x) + torch_forward(torch, item[2], x)
        else:
            outs = [F.conv1d(torch_forward(torch, b, x), torch.ones(2, 2, 1, dtype=x.dtype)) for b in item[1]]
            x = torch.cat(outs, dim=1)
            x = F.conv1d(x, torch.ones(2, x.shape[1], 1, dtype=x.dtype))
    return x


def measured_extents(torch: Any, spec: Spec, n: int) -> list[tuple[int, int] | None]:
    """For every output position, the first and last input position whose gradient is nonzero."""
    x = torch.ones(1, 2, n, dtype=torch.float64)
    # every output position's gradient at once: the rows of the Jacobian of the summed channels
    jac = torch.autograd.functional.jacobian(lambda t: torch_forward(torch, spec, t)[0].sum(0), x, vectorize=True)
    extents: list[tuple[int, int] | None] = []
    for row in jac:
        hit = (row[0].abs().sum(0) > 0).nonzero().flatten().tolist()
        extents.append((hit[0], hit[-1]) if hit else None)
    return extents


def check_stack(torch: Any, spec: Spec, n: int = 96) -> Field | None:
    source = f"network rand {{ input(L=L, C=2)\n{sc_body(spec)}\n}}"
    try:
        result = symcount.count(source, values={"L": n})
    except SymcountError:
        return None  # the stack shrank the input to nothing: not a network
    if any(d <= 0 for d in (result.output_shape or (1,))[1:]):
        return None
    f = receptive_fields(result).final
    r, j, start = int(f.r[0]), f.j[0], f.start[0]
    extents = measured_extents(torch, spec, n)
    assert len(extents) == result.output_shape[1]  # type: ignore[index]
    widths = []
    for o, extent in enumerate(extents):
        if start is not None:
            lo, hi = start + o * j - sympy.Rational(r - 1, 2), start + o * j + sympy.Rational(r - 1, 2)
            if lo >= 0 and hi <= n - 1:  # the whole field inside the input: no padding cuts it
                assert extent == (lo, hi), (o, spec)
        if extent is not None and extent[0] > 0 and extent[1] < n - 1:
            widths.append(extent[1] - extent[0] + 1)
    assert widths and max(widths) == r, spec
    return f


@pytest.mark.parametrize("seed", range(16))
def test_random_stacks_against_torch_gradients(seed: int) -> None:
    torch = needs.module("torch")
    rng = random.Random(seed)
    checked = 0
    while checked < 3:
        if check_stack(torch, random_stack(rng, transposed=seed % 4 == 3)) is not None:
            checked += 1


# -- docs/receptive.md -----------------------------------------------------------------------------------

PAGE = Path(__file__).resolve().parent.parent / "docs" / "receptive.md"


def page_examples() -> list[tuple[str, dict[str, str]]]:
    text = PAGE.read_text(encoding="utf-8")
    return [(m.group(1), dict(re.findall(r"^#:\s*(\w+)\s*=\s*(.+?)\s*$", m.group(1), re.M)))
            for m in re.finditer(r"^```sc\n(.*?)^```", text, re.S | re.M)]


@pytest.mark.parametrize("index", range(len(page_examples())))
def test_page_examples_see_what_the_page_says(index: int) -> None:
    source, expect = page_examples()[index]
    result = symcount.count(source)
    assert "receptive_field" in expect
    assert field_text(receptive_fields(result).final) == expect["receptive_field"]
    if "total" in expect:
        assert sympy.expand(result.total - parse_sym(expect["total"])) == 0


def parse_sym(text: str) -> sympy.Expr:
    names = {n: sympy.Symbol(n, positive=True, integer=True) for n in re.findall(r"[A-Za-z_]\w*", text)}
    return sympy.sympify(text, locals=names)


def test_the_zoo_numbers_on_the_page() -> None:
    zoo = Path(__file__).resolve().parent.parent / "derivations" / "zoo"
    vgg = receptive_fields(symcount.count((zoo / "vgg16.sc").read_text(encoding="utf-8")))
    last_pool = [lf for lf in vgg.layers if lf.kind == "maxpool2d"][-1].field
    assert (last_pool.r, last_pool.j) == ((212, 212), (32, 32))
    resnet = receptive_fields(symcount.count((zoo / "resnet18.sc").read_text(encoding="utf-8")))
    before_pool = next(i for i, lf in enumerate(resnet.layers) if lf.kind == "adaptive_avgpool2d")
    assert resnet.of_row("", (0, before_pool)).r == (435, 435)  # type: ignore[union-attr]
    assert "435" in PAGE.read_text(encoding="utf-8") and "212" in PAGE.read_text(encoding="utf-8")
    assert resnet.final.is_whole
