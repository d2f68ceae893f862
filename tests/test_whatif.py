"""What-if comparisons: exact symbolic totals, differences, ratios and verdicts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import needs
import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.cli.main import main as cli_main
from symcount.language.symbols import sym
from symcount.teaching.compare import SWEEP_HINT, compare, parse_sweep, wrap_document
from tools.goldens import WHATIF

C, H, k, C_in, C_out, X = (sym(n) for n in ("C", "H", "k", "C_in", "C_out", "X"))


def net(name: str) -> Path:
    return WHATIF / name


def test_vgg_5x5_against_two_3x3_without_bias() -> None:
    c = compare(net("vgg_5x5_vs_two_3x3.sc#conv5x5"), net("vgg_5x5_vs_two_3x3.sc#two_conv3x3"),
                values={"bias": False})
    assert c.a.total == 25 * C**2
    assert c.b.total == 18 * C**2
    assert c.difference == 7 * C**2
    assert c.ratio == sympy.Rational(25, 18)
    assert c.verdict.kind == "dearer"
    assert c.verdict.analysis.constant == 1
    assert "for all C ≥ 1" in str(c.verdict)


def test_vgg_5x5_against_two_3x3_with_bias() -> None:
    c = compare(net("vgg_5x5_vs_two_3x3.sc#conv5x5"), net("vgg_5x5_vs_two_3x3.sc#two_conv3x3"),
                values={"bias": True})
    assert sympy.expand(c.a.total - (25 * C**2 + C)) == 0
    assert sympy.expand(c.b.total - (18 * C**2 + 2 * C)) == 0
    assert sympy.expand(c.difference - (7 * C**2 - C)) == 0
    assert sympy.simplify(c.ratio - (25 * C + 1) / (18 * C + 2)) == 0
    assert c.verdict.kind == "dearer"
    text = c.text()
    assert "(k × k × C_in + 1) × C_out = (5 × 5 × C + 1) × C = 25C² + C" in text
    assert "(3 × 3 × C + 1) × C = 9C² + C" in text
    assert r"(5 \times 5 \times C + 1) \times C" in c.latex()


def test_depthwise_separable_ratio_is_one_over_c_out_plus_one_over_k_squared() -> None:
    c = compare(net("separable_vs_standard.sc#separable"), net("separable_vs_standard.sc#standard"))
    assert c.ratio == 1 / C_out + 1 / k**2
    assert sympy.expand(c.a.total - (k**2 * C_in + C_in * C_out)) == 0
    assert sympy.expand(c.b.total - k**2 * C_in * C_out) == 0
    # the sign depends on C_out and k: at C_out = 1 or k = 1 the separable one is dearer
    verdict = c.verdict
    assert verdict.kind == "depends"
    assert verdict.analysis.depends_on == (C_out, k)
    cases = dict(verdict.analysis.cases)
    assert cases[(1, 3)] == 1 and cases[(64, 3)] == -1 and cases[(64, 1)] == 1
    for (c_out, kk), sign in cases.items():
        a = int(c.a.total.subs({C_out: c_out, k: kk, C_in: 5}))
        b = int(c.b.total.subs({C_out: c_out, k: kk, C_in: 5}))
        assert sign == (a > b) - (a < b)


def test_keras_separable_layer_gives_the_same_ratio() -> None:
    c = compare("separable_conv2d(bias=false)", "conv2d(bias=false)", convention="keras")
    assert c.ratio == 1 / C_out + 1 / k**2


def test_threshold_with_one_free_symbol() -> None:
    c = compare(net("separable_vs_standard.sc#separable"), net("separable_vs_standard.sc#standard"),
                values={"k": 3})
    segs = c.verdict.analysis.segments
    assert [(s.lo, s.hi, s.sign) for s in segs] == [(1, 1, 1), (2, None, -1)]
    c = compare("linear(C_in=C, C_out=C)", "linear(C_in=8, C_out=2*C)")
    assert [(s.lo, s.hi, s.sign) for s in c.verdict.analysis.segments] == [(1, 16, -1), (17, 17, 0),
                                                                             (18, None, 1)]
    assert str(c.verdict) == ("A is cheaper than B for C ≤ 16; A and B are equal at C = 17; "
                              "A is dearer than B for C ≥ 18.")
    for n in (16, 17, 18):
        a = int(symcount.count("linear(C_in=C, C_out=C)", values={"C": n}).total)
        b = int(symcount.count("linear(C_in=8, C_out=2*C)", values={"C": n}).total)
        assert (a > b) - (a < b) == {16: -1, 17: 0, 18: 1}[n]


def test_resnet_bottleneck_against_basic_block() -> None:
    c = compare(net("bottleneck_vs_basic.sc#bottleneck"), net("bottleneck_vs_basic.sc#basic"))
    assert c.a.total == 17 * C**2
    assert c.b.total == 18 * C**2
    assert c.difference == -(C**2)
    assert c.ratio == sympy.Rational(17, 18)
    assert c.verdict.kind == "cheaper"


def test_bias_on_against_off_for_a_whole_network_costs_one_bias_per_conv_channel() -> None:
    c = compare(net("bias_before_batchnorm.sc#small_vgg"), net("bias_before_batchnorm.sc#small_vgg"),
                a_values={"bias": True}, b_values={"bias": False})
    convs = [layer for layer in c.a.layers if layer.kind == "conv2d"]
    channels = sympy.Add(*[layer.args.C_out for layer in convs])
    assert c.difference == channels == 7 * C
    assert c.verdict.kind == "dearer"


def test_bias_on_against_off_matches_torch() -> None:
    torch = needs.module("torch")
    nn = torch.nn

    def vgg(width: int, bias: bool) -> int:
        layers = [nn.Conv2d(3, width, 3, padding=1, bias=bias), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(width, 2 * width, 3, padding=1, bias=bias), nn.BatchNorm2d(2 * width), nn.ReLU(),
                  nn.MaxPool2d(2), nn.Conv2d(2 * width, 4 * width, 3, padding=1, bias=bias),
                  nn.BatchNorm2d(4 * width), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                  nn.Linear(4 * width, 10)]
        return sum(p.numel() for p in nn.Sequential(*layers).parameters())

    c = compare(net("bias_before_batchnorm.sc#small_vgg"), net("bias_before_batchnorm.sc#small_vgg"),
                values={"C": 8}, a_values={"bias": True}, b_values={"bias": False})
    assert c.a.total == vgg(8, True)
    assert c.b.total == vgg(8, False)
    assert c.difference == vgg(8, True) - vgg(8, False)


def test_lstm_pytorch_against_keras_differs_by_4h_per_layer_and_direction() -> None:
    c = compare(net("lstm_pytorch_vs_keras.sc#one_layer"), net("lstm_pytorch_vs_keras.sc#one_layer"),
                convention=("pytorch", "keras"))
    assert c.difference == 4 * H
    assert c.a.convention == "pytorch" and c.b.convention == "keras"
    c = compare(net("lstm_pytorch_vs_keras.sc#stacked_bidirectional"),
                net("lstm_pytorch_vs_keras.sc#stacked_bidirectional"), convention=("pytorch", "keras"))
    assert c.difference == 4 * H * 2 * 2


def test_lstm_difference_matches_real_torch_and_keras() -> None:
    torch = needs.module("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = needs.module("keras")
    lstm = keras.layers.LSTM(16)
    lstm.build((None, 5, 10))
    keras_count = lstm.count_params()
    torch_count = sum(p.numel() for p in torch.nn.LSTM(10, 16).parameters())
    c = compare("lstm(C_in=10, hidden=16)", "lstm(C_in=10, hidden=16)", convention=("pytorch", "keras"))
    assert (c.a.total, c.b.total) == (torch_count, keras_count)
    assert c.difference == torch_count - keras_count == 4 * 16


def test_values_for_one_side_and_shared_values_a_side_lacks() -> None:
    c = compare("linear(C_in=C, C_out=D)", "linear(C_in=C, C_out=4)", values={"D": 8, "C": 2})
    assert (c.a.total, c.b.total) == (24, 12)
    with pytest.raises(SymcountError) as err:
        compare("linear(C_in=C, C_out=4)", "linear(C_in=C, C_out=4)", values={"Q": 3})
    assert "Q" in str(err.value) and "neither side" in str(err.value)
    with pytest.raises(SymcountError):
        compare("linear(C_in=C, C_out=4)", "linear(C_in=C, C_out=4)", a_values={"Q": 3})
    with pytest.raises(SymcountError):
        compare("linear", "linear", convention=("pytorch", "keras", "pytorch"))  # type: ignore[arg-type]


def test_equal_and_numeric_verdicts() -> None:
    c = compare("linear(C_in=C, C_out=C)", "linear(C_in=C, C_out=C)")
    assert c.verdict.kind == "equal" and c.difference == 0
    c = compare("linear(C_in=128, C_out=256)", "linear(C_in=128, C_out=256, bias=false)")
    assert c.difference == 256 and c.verdict.kind == "dearer"
    assert str(c.verdict) == "A is dearer than B by 256."


def test_sweep_recounts_each_value() -> None:
    name, values = parse_sweep("C=16..512")
    assert name == "C" and values == [16, 32, 64, 128, 256, 512]
    assert parse_sweep("C=1..7:3")[1] == [1, 4, 7]
    assert parse_sweep("k=3,5,7")[1] == [3, 5, 7]
    for bad in ("C", "C=0..4", "C=8..4", "C=a..b", "C=1..5:0"):
        with pytest.raises(SymcountError):
            parse_sweep(bad)
    c = compare(net("vgg_5x5_vs_two_3x3.sc#conv5x5"), net("vgg_5x5_vs_two_3x3.sc#two_conv3x3"),
                values={"bias": True})
    rows = c.sweep("C", values)
    for row in rows:
        direct = symcount.count(net("vgg_5x5_vs_two_3x3.sc#conv5x5"), values={"bias": True, "C": row.value})
        assert row.a == direct.total == 25 * row.value**2 + row.value
        assert row.difference == 7 * row.value**2 - row.value
    assert "1,834,496" in c.text()  # 7 * 512^2 - 512, digit-grouped
    with pytest.raises(SymcountError):
        c.sweep("Z", values)


def test_sweep_of_a_let_binding() -> None:
    c = compare("let W = 4; linear(C_in=W, C_out=W)", "linear(C_in=W, C_out=2)")
    rows = c.sweep("W", [sympy.Integer(3), sympy.Integer(5)])
    assert [(r.a, r.b) for r in rows] == [(12, 8), (30, 12)]


def test_cli_compare_and_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a = str(net("lstm_pytorch_vs_keras.sc#one_layer"))
    assert cli_main(["compare", a, a, "--a-convention", "pytorch", "--b-convention", "keras"]) == 0
    out = capsys.readouterr().out
    assert "A - B = 4H" in out
    assert cli_main(["compare", "linear(C_in=C, C_out=C)", "linear(C_in=C, C_out=C, bias=false)",
                     "--format", "markdown"]) == 0
    assert "$$" in capsys.readouterr().out
    assert cli_main(["compare", "linear(C_in=C, C_out=C)", "conv2d(C_in=C, C_out=C, k=0)"]) == 2
    assert "k must be positive" in capsys.readouterr().err
    assert cli_main(["compare", "linear(C_in=C, C_out=C)", "linear(C_in=C, C_out=C)", "--plot",
                     str(tmp_path / "x.png")]) == 2
    assert "--sweep" in capsys.readouterr().err


def test_plot_needs_matplotlib_or_draws(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "sweep.png"
    code = cli_main(["compare", "linear(C_in=C, C_out=C)", "linear(C_in=C, C_out=2*C)", "--sweep", "C=1..4:1",
                     "--plot", str(target)])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert code == 2
        assert "matplotlib" in capsys.readouterr().err
        assert not target.exists()
    else:
        assert code == 0 and target.stat().st_size > 0


def test_lazy_export() -> None:
    assert symcount.compare is compare
    assert symcount.Comparison.__name__ == "Comparison"


def test_latex_goldens_compile(tmp_path: Path) -> None:
    pdflatex = needs.tool("pdflatex")
    body = "\n".join(path.read_text(encoding="utf-8") for path in sorted(WHATIF.glob("*.tex")))
    (tmp_path / "whatif.tex").write_text(wrap_document(body), encoding="utf-8")
    run = subprocess.run([pdflatex, "-halt-on-error", "-interaction=nonstopmode", "whatif.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "whatif.pdf").stat().st_size > 0


def test_two_layers_without_parameters_are_equal() -> None:
    c = compare("maxpool2d(k=2)", "avgpool2d(k=3)")
    assert c.verdict.kind == "equal" and c.difference == 0
    assert str(c.verdict) == "A and B have the same count."
    assert c.ratio is sympy.nan


@pytest.mark.parametrize(("spec", "message"), [
    ("C=3,2,1", "--sweep C=3,2,1: values must be in increasing order (3 then 2)"),
    ("C=1,4,4", "--sweep C=1,4,4: values must be in increasing order (4 then 4)"),
])
def test_sweep_values_must_increase(spec: str, message: str) -> None:
    with pytest.raises(SymcountError) as info:
        parse_sweep(spec)
    assert info.value.message == message
    assert info.value.hint == SWEEP_HINT


def test_sweep_out_of_order_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["compare", "linear(C_in=C, C_out=C)", "linear(C_in=C, C_out=2*C)", "--sweep", "C=3,2,1"])
    assert code == 2
    assert "values must be in increasing order (3 then 2)" in capsys.readouterr().err


NARROW = "network a {\n    input(H=H, W=H, C=3)\n    conv2d(C_out=8, k=5)\n    flatten()\n    linear(C_out=10)\n}\n"
WIDE = NARROW.replace("k=5", "k=3")


def test_sweep_rows_where_a_layer_is_invalid_say_why(capsys: pytest.CaptureFixture[str]) -> None:
    """A 5×5 kernel on a 4×4 input: that row is invalid (with the reason), never a count or a verdict."""
    c = compare(NARROW, WIDE)
    rows = c.sweep("H", [sympy.Integer(v) for v in (4, 5)])
    assert rows[0].invalid is not None and "conv2d does not fit its input" in rows[0].invalid
    assert rows[0].difference is sympy.nan and rows[1].invalid is None and rows[1].a == 698
    text = c.text()
    line = next(ln for ln in text.splitlines() if ln.startswith("4 "))
    assert "invalid" in line and "does not fit" in line
    assert "At 1 of the 2 values of H a layer cannot be built (invalid): there is no count there, and the verdict " \
        "above does not hold there." in text
    assert cli_main(["compare", NARROW, WIDE, "--sweep", "H=4..5:1", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"invalid": null' in out and '"invalid": "line 3: conv2d does not fit' in out


def test_sweep_with_no_valid_value_is_the_layers_error() -> None:
    with pytest.raises(SymcountError, match="does not fit its input"):
        compare(NARROW, WIDE).sweep("H", [sympy.Integer(1), sympy.Integer(2)])


@pytest.mark.parametrize(("spec", "message"), [
    ("C=2*k", "--sweep C=2*k: '2*k' is an expression; sweep values are whole numbers written in digits"),
    ("C=1..2^9", "--sweep C=1..2^9: '2^9' is an expression; sweep values are whole numbers written in digits"),
    ("C=1..1000000000:1", "--sweep C=1..1000000000:1: 1,000,000,000 values; at most 200"),
    ("C=1..999999999999999999999999:1", "--sweep C=1..999999999999999999999999:1: '999999999999999999999999' "
                                        "has more than 18 digits"),
    ("C=8..4", "--sweep C=8..4: the range ends (4) before it starts (8)"),
])
def test_sweep_spec_messages_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(SymcountError) as info:
        parse_sweep(spec)
    assert info.value.message == message


def test_a_huge_sweep_list_is_refused_at_once_and_not_echoed_in_full() -> None:
    spec = "C=" + ",".join(str(v) for v in range(1, 3_000))
    with pytest.raises(SymcountError) as info:
        parse_sweep(spec)
    assert len(str(info.value)) < 300, str(info.value)[:300]
    assert "2,999 values; at most 200" in info.value.message
    with pytest.raises(SymcountError) as info:
        parse_sweep("C=1," + "7" * 10_000)
    assert len(str(info.value)) < 300
