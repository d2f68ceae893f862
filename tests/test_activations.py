"""Activation memory (symcount.engine.activations): CS231n's VGG-16 table, the docs page, the
values a real PyTorch forward pass holds, and the options of ``count`` and ``memory``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import needs
import pytest
import sympy

import symcount
from symcount.cli.main import main
from symcount.engine.activations import activations_of
from symcount.engine.count import count_dict
from symcount.language.symbols import sym

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "activations.md"
ZOO = ROOT / "derivations" / "zoo"
FENCE = re.compile(r"^```sc\n(.*?)^```", re.S | re.M)
DIRECTIVE = re.compile(r"^#:\s*(\w+)\s*=\s*(.+?)\s*$", re.M)

#: CS231n lecture 9, "VGG-16: memory and parameters": the output volume of each row of the slide
#: (INPUT, CONV3-64 x2, POOL2, ..., FC 1000), as the slide writes them (H, W, C).
SLIDE_ROWS = [(224, 224, 3), (224, 224, 64), (224, 224, 64), (112, 112, 64), (112, 112, 128), (112, 112, 128),
              (56, 56, 128), (56, 56, 256), (56, 56, 256), (56, 56, 256), (28, 28, 256), (28, 28, 512),
              (28, 28, 512), (28, 28, 512), (14, 14, 512), (14, 14, 512), (14, 14, 512), (14, 14, 512),
              (7, 7, 512), (1, 1, 4096), (1, 1, 4096), (1, 1, 1000)]


def page_examples() -> list[tuple[str, dict[str, str]]]:
    text = PAGE.read_text(encoding="utf-8")
    return [(m.group(1), dict(DIRECTIVE.findall(m.group(1)))) for m in FENCE.finditer(text)]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_cs231n_vgg16_rows_and_total() -> None:
    [(source, _)] = page_examples()
    result = symcount.count(source)
    acts = activations_of(result)
    stored = [acts.input, *(lv.values for lv in acts.layers if lv.stored)]
    assert stored == [h * w * c for h, w, c in SLIDE_ROWS]
    assert acts.total == sum(h * w * c for h, w, c in SLIDE_ROWS) == 15_237_608
    assert acts.bytes == 4 * acts.total and result.total == 138_357_544


@pytest.mark.parametrize("index", range(len(page_examples())))
def test_page_examples_count_to_what_the_page_says(index: int) -> None:
    source, expect = page_examples()[index]
    data = count_dict(symcount.count(source))
    assert expect, "say what the example counts to"
    for key, value in expect.items():
        assert data[key] == number(value), key


def test_page_table_is_what_count_gives() -> None:
    """The table between the markers: each row's values and parameters, from the count."""
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("<!-- table:vgg16 -->")[1].split("<!-- end:vgg16 -->")[0]
    rows = [[cell.strip().strip("*") for cell in line.strip("|").split("|")]
            for line in table.strip().splitlines()[2:]]
    [(source, _)] = page_examples()
    result = symcount.count(source)
    acts = activations_of(result)
    layers = [(lv.values, layer.total) for lv, layer in zip(acts.layers, result.layers, strict=True) if lv.stored]
    expected = [(acts.input, 0), *layers, (acts.total, result.total)]
    assert [(number(r[2]), number(r[3])) for r in rows] == expected


def test_page_says_where_the_slide_differs() -> None:
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    total = activations_of(symcount.count(page_examples()[0][0])).total
    for figure in (f"{int(total):,}", f"{24_000_000 - int(total):,}", f"{4 * int(total):,}", f"{8 * int(total):,}"):
        assert figure in text, figure
    torchvision = activations_of(symcount.count(ZOO / "vgg16.sc"))
    assert f"{int(torchvision.total):,}" in text and f"{int(torchvision.total - total):,}" in text


def stored_by_torch(model: object, x: object) -> int:
    """Values a real forward pass holds: the input and each distinct tensor a module outputs
    (an in-place ReLU or an eval-mode Dropout gives back the tensor it was given)."""
    torch = needs.module("torch")
    outputs: list[object] = []
    leaves = [m for m in model.modules() if not list(m.children())]  # type: ignore[attr-defined]
    handles = [m.register_forward_hook(lambda _m, _a, out: outputs.append(out)) for m in leaves]
    with torch.no_grad():
        model(x)  # type: ignore[operator]
    for h in handles:
        h.remove()
    seen = {x.data_ptr(): x.numel()}  # type: ignore[attr-defined]
    for out in outputs:
        seen.setdefault(out.data_ptr(), out.numel())  # type: ignore[attr-defined]
    return sum(seen.values())


def test_vgg16_stored_values_equal_a_torch_forward_pass() -> None:
    torch = needs.module("torch")
    import reference_cnn as ref  # noqa: PLC0415  lazy: needs torch

    model = ref.VGG16().eval()
    x = torch.randn(2, 3, 224, 224)
    acts = activations_of(symcount.count(ZOO / "vgg16.sc"), batch=2)
    assert acts.total == stored_by_torch(model, x)


def test_residual_in_place_and_concat_against_torch() -> None:
    """A residual added in place (out += x) stores nothing more; a concatenation stores its result."""
    torch = needs.module("torch")
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.relu = nn.ReLU(inplace=True)
            self.a = nn.Conv2d(4, 2, 1)
            self.b = nn.Conv2d(4, 3, 3, padding=1)
            self.pool = nn.MaxPool2d(2)

        def forward(self, x: object) -> object:
            out = self.conv(x)
            out += x
            out = self.relu(out)
            cat = torch.cat([self.a(out), self.b(out)], 1)
            return self.pool(cat) + 0 * cat.sum()  # the concatenation is kept alive

    source = """network n { input(H=6, W=6, C=4)
        residual { conv2d(C_out=4, k=3, padding=1) }
        relu()
        parallel { branch { conv2d(C_out=2, k=1) } branch { conv2d(C_out=3, k=3, padding=1) } }
        maxpool2d(k=2) }"""
    acts = activations_of(symcount.count(source), batch=5)
    x = torch.randn(5, 4, 6, 6)
    model = Net().eval()
    concat = 5 * 5 * 6 * 6
    assert acts.total == stored_by_torch(model, x) + concat


def test_batch_symbol_and_dtype() -> None:
    result = symcount.count(ZOO / "resnet18.sc")
    b = sym("B")
    per_image = activations_of(result).total
    assert activations_of(result, b).total == b * per_image
    assert activations_of(result, 8, "bf16").bytes == 16 * per_image
    with pytest.raises(symcount.SymcountError, match="whole number of at least 1"):
        activations_of(result, 0)


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_count_activations_column_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    vgg = str(ZOO / "vgg16.sc")
    status, out, _ = run(capsys, ["count", vgg, "--activations", "--batch", "64"])
    assert status == 0 and "activations" in out and f"{64 * 15_262_696:,}" in out and "fp32" in out
    status, out, _ = run(capsys, ["count", vgg, "--format", "json", "--batch", "B", "--dtype", "bf16"])
    data = json.loads(out)
    assert data["activations_total"] == "15262696*B" and data["activation_bytes_total"] == "30525392*B"
    assert data["layers"][0]["activations"] == "3211264*B"
    for argv, message in ((["--batch", "0", "--activations"], "--batch must be a whole number"),
                          (["--batch", "4"], "add --activations"),
                          (["--dtype", "fp16"], "add --activations")):
        status, _, err = run(capsys, ["count", vgg, *argv])
        assert status == 2 and message in err


def test_memory_batch_takes_effect(capsys: pytest.CaptureFixture[str]) -> None:
    vgg = str(ZOO / "vgg16.sc")
    one = json.loads(run(capsys, ["memory", vgg, "--format", "json"])[1])
    many = json.loads(run(capsys, ["memory", vgg, "--format", "json", "--batch", "64", "--training", "sgd",
                                   "--dtype", "fp32"])[1])
    assert one["activations"]["values"] == 15_262_696
    assert many["activations"]["values"] == 64 * 15_262_696
    assert many["activation_bytes"] == 2 * 4 * 64 * 15_262_696
    assert many["total_with_activations"] == many["total"] + many["activation_bytes"]
    status, _, err = run(capsys, ["memory", "linear(C_in=4, C_out=2)", "--batch", "8"])
    assert status == 2 and "no input shape" in err
    assert sympy.Integer(one["total_with_activations"]) > one["total"]
