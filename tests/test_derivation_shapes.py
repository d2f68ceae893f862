"""The output-size working of derivations (``H_out = ⌊(H + 2p − k)/s⌋ + 1``).

Each size row must land on the engine's output size (the row's formula is the
rule of the branch that computed it, in :mod:`symcount.catalog.shapes`), for many
random layers under both conventions, and on what real torch modules output.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import sympy
from needs import module

import symcount
from symcount.cli.main import main
from symcount.language.symbols import sym
from symcount.render import formula as F
from symcount.render.formula import Equal, Sym
from symcount.teaching.derivation import Derivation, derive

DIMENSIONS = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def size_rows(d: Derivation, title: str, column: int = 0) -> list:
    section = next(s for s in d.document.sections if s.title == title)
    rows = section.columns[min(column, len(section.columns) - 1)].rows
    return [r for r in rows if isinstance(r.lhs, Equal) or (isinstance(r.lhs, Sym) and r.lhs.name.endswith("_out"))]


def dimensions(row) -> list[str]:
    sides = row.lhs.sides if isinstance(row.lhs, Equal) else (row.lhs,)
    return [s.name.removesuffix("_out") for s in sides]


def shown_sizes(d: Derivation, layer, column: int = 0) -> dict[str, sympy.Expr]:
    """Each dimension's result as the derivation shows it, checked against its substituted line."""
    out = {}
    for row in size_rows(d, layer.name, column):
        result = F.evaluate(row.steps[-1].node)
        if len(row.steps) > 1 and not isinstance(result, sympy.Piecewise):
            assert sympy.expand(F.evaluate(row.steps[1].node) - result) == 0, F.text(row.steps[1].node)
        for name in dimensions(row):
            out[name] = result
    return out


def assert_matches_engine(text: str, convention: str) -> Derivation:
    d = derive(text, convention=convention)
    result = symcount.count(text, convention=convention)
    titles = {s.title for s in d.document.sections}
    for layer in result.layers:
        if layer.shape is None or layer.input_shape is None or not layer.shape.spatial:
            continue
        if layer.shape.spatial != layer.input_shape.spatial:
            assert layer.name in titles, (layer.name, text)
        if layer.name not in titles:
            continue
        shown = shown_sizes(d, layer)
        if not shown:
            continue
        names = DIMENSIONS[layer.shape.rank]
        assert set(shown) == set(names), (shown, text)
        for name, value in zip(names, layer.shape.spatial, strict=True):
            assert sympy.expand(shown[name] - value) == 0, (layer.name, name, shown[name], value, text)
    return d


def random_layer(rng: random.Random, convention: str) -> str:
    k, s = rng.randint(1, 5), rng.randint(1, 3)
    pad = rng.choice([0, 0, 1, 2, '"same"', '"valid"'])
    d = rng.choice([1, 1, 1, 2])
    kind = rng.choice(["conv2d", "maxpool2d", "avgpool2d", "conv_transpose2d", "depthwise_conv2d",
                       "separable_conv2d", "zero_pad2d", "upsample", "upsampling", "adaptive_avgpool2d",
                       "conv2d_rect"])
    if kind == "conv2d":
        return f"conv2d(C_out={rng.randint(1, 8)}, k={k}, stride={s}, padding={pad}, dilation={d})"
    if kind == "conv2d_rect":
        return f"conv2d(C_out=4, k=({k}, {rng.randint(1, 5)}), stride=({s}, {rng.randint(1, 3)}), padding=(1, 0))"
    if kind in ("maxpool2d", "avgpool2d"):
        ceil = rng.choice(["true", "false"]) if pad not in ('"same"', '"valid"') else "false"
        p = pad if pad in ('"same"', '"valid"') else min(int(pad), k // 2)
        return f"{kind}(k={k}, stride={s}, padding={p}, ceil_mode={ceil})"
    if kind == "conv_transpose2d":
        if pad in ('"same"', '"valid"'):
            op = rng.choice(["", f", output_padding={rng.randint(0, s - 1)}"])
        else:
            op = f", output_padding={rng.randint(0, max(s, d) - 1)}"
        return f"conv_transpose2d(C_out=3, k={k}, stride={s}, padding={pad}, dilation={d}{op})"
    if kind in ("depthwise_conv2d", "separable_conv2d"):
        out = ", C_out=6" if kind == "separable_conv2d" else ""
        return f"{kind}(k={k}, stride={s}, padding={pad}{out})"
    if kind == "zero_pad2d":
        return rng.choice(["zero_pad2d(p=1)", "zero_pad2d(p=((1, 2), (0, 3)))", "zero_pad2d(p=(2, 1))"])
    if kind == "upsample":
        return rng.choice(["upsample(scale=2)", "upsample(size=(40, 30))"])
    if kind == "upsampling":
        return "upsampling(size=(2, 3))"
    return "adaptive_avgpool2d(out=(3, 2))"


@pytest.mark.parametrize("seed", range(60))
def test_size_rows_match_the_engine_for_random_layers(seed: int) -> None:
    rng = random.Random(seed)
    convention = rng.choice(["pytorch", "keras"])
    checked = 0
    for _ in range(20):
        lines = [random_layer(rng, convention) for _ in range(rng.randint(1, 4))]
        if convention == "keras" and any(x.startswith("upsample(") for x in lines):
            continue
        body = "\n ".join(lines)
        text = f"network n {{\n input(H={rng.randint(12, 40)}, W={rng.randint(12, 40)}, C=3)\n {body}\n}}"
        try:
            symcount.count(text, convention=convention)
        except symcount.SymcountError:
            continue  # a kernel larger than its input, groups that do not divide, ...
        assert_matches_engine(text, convention)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("dims", [1, 3])
def test_one_and_three_dimensional_layers(dims: int) -> None:
    shape = "L=50" if dims == 1 else "D=9, H=20, W=20"
    k = "k=4" if dims == 1 else "k=(3, 5, 5)"
    text = (f"network n {{ input({shape}, C=2); conv{dims}d(C_out=4, {k}, stride=2, padding=1); "
            f"maxpool{dims}d(k=2); conv_transpose{dims}d(C_out=2, k=3, stride=2) }}")
    for convention in ("pytorch", "keras"):
        d = assert_matches_engine(text, convention)
    if dims == 3:  # D differs from H and W, which share one line
        assert [dimensions(r) for r in size_rows(d, "conv3d")] == [["D"], ["H", "W"]]
        assert "k_d" in d.text()


def test_cs231n_conv_and_pooling() -> None:
    d = derive(Path(__file__).resolve().parent.parent / "derivations" / "output_volume.sc")
    tex, text = re.sub(" +", " ", d.latex()), d.text()
    assert (r"H_{\text{out}} = W_{\text{out}} &= \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1 \\"
            r" &= \left\lfloor \frac{32 + 2 \times 2 - 5}{1} \right\rfloor + 1 \\ &= 32") in tex.replace("\n", "")
    assert "⌊(32 + 2 × 2 - 5)/1⌋ + 1" in text and "= 10 × 32 × 32   (channels first)" in text
    assert "⌊(32 - 3)/2⌋ + 1" in text and "⌊29/2⌋ + 1" in text and "= 10 × 15 × 15" in text
    assert "760" in text
    keras = derive("network n { input(H=32, W=32, C=3); conv2d(C_out=10, k=5, padding=2) }",
                   convention="keras").text()
    assert "= 32 × 32 × 10   (channels last)" in keras


@pytest.mark.parametrize(("text", "convention", "fragments"), [
    # Keras "same" with a stride: ceil(n/s)
    ("conv2d(C_out=4, k=3, stride=2, padding=\"same\")", "keras",
     ["H_out = W_out = ⌈H/s⌉ = ⌈15/2⌉ = 8", "Keras's \"same\" padding"]),
    # PyTorch's transposed rule, with output_padding
    ("conv_transpose2d(C_out=4, k=3, stride=2, padding=1, output_padding=1)", "pytorch",
     ["= (H - 1) × s - 2p + k + p_out", "= (15 - 1) × 2 - 2 × 1 + 3 + 1", "= 30", "p_out is output_padding"]),
    # Keras's "same" transposed: n·s
    ("conv_transpose2d(C_out=4, k=3, stride=2, padding=\"same\")", "keras", ["H_out = W_out = H × s = 15 × 2 = 30"]),
    # ceil_mode keeps the partial window ...
    ("maxpool2d(k=2, stride=2, ceil_mode=true)", "pytorch", ["⌈(H - k)/s⌉ + 1", "⌈13/2⌉ + 1", "= 8", "ceil_mode"]),
    # ... unless it would start in the padding
    ("maxpool2d(k=2, stride=2, padding=1, ceil_mode=true)", "pytorch",
     ["⌈(H + 2p - k)/s⌉", "⌈(15 + 2 × 1 - 2)/2⌉", "= 8", "so it is dropped"]),
    # dilation: PyTorch's full rule
    ("conv2d(C_out=4, k=3, dilation=2)", "pytorch", ["⌊[H - d × (k - 1) - 1]/s⌋ + 1", "= 11"]),
    ("zero_pad2d(p=((1, 2), (0, 3)))", "pytorch", ["H_out = H + p_before + p_after = 15 + 1 + 2 = 18",
                                                  "W_out = W + p_before + p_after = 15 + 0 + 3 = 18"]),
    ("upsample(scale=2)", "pytorch", ["H_out = W_out = H × f = 15 × 2 = 30", "f is the upsampling factor"]),
    ("adaptive_avgpool2d(out=7)", "pytorch", ["H_out = W_out = 7   (given: output_size)"]),
])
def test_framework_rules(text: str, convention: str, fragments: list[str]) -> None:
    source = f"network n {{ input(H=15, W=15, C=3); {text} }}"
    d = assert_matches_engine(source, convention)
    shown = d.text()
    for fragment in fragments:
        assert fragment in shown, (fragment, shown)


def test_layers_that_keep_the_size_get_no_line() -> None:
    text = ("network n { input(H=16, W=16, C=8); conv2d(C_out=8, k=3, padding=\"same\"); batchnorm(); relu(); "
            "dropout(0.5); zero_pad2d(p=0) }")
    d = derive(text)
    assert "_out" not in d.text().replace("C_out", "")
    # a window that keeps the size is still worked out: why padding 1 keeps 16 × 16
    kept = derive("network n { input(H=16, W=16, C=8); conv2d(C_out=8, k=3, padding=1) }").text()
    assert "H_out = W_out = ⌊(H + 2p - k)/s⌋ + 1" in kept and "⌊(16 + 2 × 1 - 3)/1⌋ + 1" in kept


def test_single_layers_without_an_input_are_unchanged() -> None:
    text = "conv2d(C_in=128, C_out=256, k=3)\nmaxpool2d(k=2)"
    assert derive(text).latex() == derive(text, shapes=False).latex()
    assert "out}}" not in derive(text).latex().replace(r"C_{\text{out}}", "")


def test_no_shapes_leaves_only_the_parameters() -> None:
    text = "network n { input(H=32, W=32, C=3); conv2d(C_out=10, k=5, padding=2); maxpool2d(k=2) }"
    on, off = derive(text).text(), derive(text, shapes=False).text()
    assert "H_out" in on and "H_out" not in off
    assert "maxpool2d: 0 (no weights" in off


def test_symbolic_sizes_stay_symbolic() -> None:
    d = assert_matches_engine("network n { input(H=H, W=W, C=3); conv2d(C_out=8, k=3, stride=2, padding=1) }",
                              "pytorch")
    rows = size_rows(d, "conv2d")
    assert [dimensions(r) for r in rows] == [["H"], ["W"]]
    assert F.text(rows[0].steps[1].node) == "⌊(H + 2 × 1 - 3)/2⌋ + 1"
    assert F.evaluate(rows[0].steps[-1].node) == sympy.floor((sym("H") - 1) / 2) + 1


def test_both_conventions_side_by_side_show_each_rule() -> None:
    d = derive('network n { input(H=15, W=15, C=3); conv_transpose2d(C_out=4, k=3, stride=2) }',
               convention="both")
    py, keras = (F.text(size_rows(d, "conv_transpose2d", i)[0].steps[0].node) for i in (0, 1))
    assert py == "(H - 1) × s + k"  # PyTorch: padding 0
    assert keras == "(H - 1) × s + max(k, s)"  # Keras: its "valid", no output_padding given


def test_cli_flag(capsys: pytest.CaptureFixture[str]) -> None:
    text = "network n { input(H=32, W=32, C=3); conv2d(C_out=10, k=5, padding=2) }"
    assert main(["derive", text, "--format", "text"]) == 0
    assert "H_out = W_out" in capsys.readouterr().out
    assert main(["derive", text, "--format", "text", "--no-shapes"]) == 0
    assert "H_out" not in capsys.readouterr().out


@pytest.mark.parametrize("seed", range(12))
def test_size_rows_match_torch(seed: int) -> None:
    torch = module("torch")
    nn = torch.nn
    rng = random.Random(seed)
    h, w = rng.randint(10, 30), rng.randint(10, 30)
    k, s, p = rng.randint(1, 4), rng.randint(1, 3), rng.randint(0, 1)
    choice = seed % 4
    if choice == 0:
        d_ = rng.randint(1, 2)
        call, layer = (f"conv2d(C_out=4, k={k}, stride={s}, padding={p}, dilation={d_})",
                       nn.Conv2d(3, 4, k, s, p, dilation=d_))
    elif choice == 1:
        p = min(p, k // 2)
        ceil = bool(rng.getrandbits(1))
        call, layer = (f"maxpool2d(k={k}, stride={s}, padding={p}, ceil_mode={str(ceil).lower()})",
                       nn.MaxPool2d(k, s, p, ceil_mode=ceil))
    elif choice == 2:
        op = rng.randint(0, s - 1)
        call, layer = (f"conv_transpose2d(C_out=4, k={k}, stride={s}, padding={p}, output_padding={op})",
                       nn.ConvTranspose2d(3, 4, k, s, p, output_padding=op))
    else:
        p = min(p, k // 2)
        call, layer = (f"avgpool2d(k={k}, stride={s}, padding={p}, ceil_mode=true)",
                       nn.AvgPool2d(k, s, p, ceil_mode=True))
    text = f"network n {{ input(H={h}, W={w}, C=3); {call} }}"
    d = assert_matches_engine(text, "pytorch")
    out = layer(torch.zeros(1, 3, h, w)).shape
    shown = shown_sizes(d, symcount.count(text).layers[0])
    assert (shown["H"], shown["W"]) == (out[2], out[3]), (call, h, w)


def test_rows_every_variant_shares_are_shown_once() -> None:
    """--bias both / --convention both: the output-size working (and what reads the same in every
    variant) stands once, above or below the variants, not repeated in each column."""
    gallery = Path(__file__).resolve().parent.parent / "derivations"
    both = symcount.derive(gallery / "output_volume.sc", bias="both")
    conv = both.document.sections[0]
    assert [type(r.lhs).__name__ for r in conv.shared] == ["Equal", "Label", "Sym"]  # H_out = W_out, output, C_in
    assert [c.label for c in conv.columns] == ["with bias", "without bias"]
    assert all(len(c.rows) == 1 for c in conv.columns)  # only the counts differ
    text = both.text()
    assert text.count("⌊(32 + 2 × 2 - 5)/1⌋ + 1") == 1 and text.count("(from the input shape)") == 1
    layouts = symcount.derive(gallery / "output_volume.sc", convention="both")
    conv = layouts.document.sections[0]
    assert len(conv.shared) == 1 and [len(c.rows) for c in conv.columns] == [1, 1]  # the layouts differ
    assert [r.lhs for r in conv.after][1:] == [F.Label("params")]  # the count is the same: once
    text = layouts.text()
    assert text.count("= 760") == 1 and "10 × 32 × 32" in text and "32 × 32 × 10" in text
    latex = layouts.latex()
    assert latex.count(r"\textit{in every variant}") == 2 and latex.count("= 760") == 1
    lstm = symcount.derive("lstm(C_in=128, hidden=256)", convention="both").document.sections[0]
    assert lstm.shared == () and lstm.after == ()  # nothing shared: the columns as they were
