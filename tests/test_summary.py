"""The summary table of ``symcount count``: rows, folding, FLOPs, symbolic cells, tied weights, goldens.

Golden outputs live in ``tests/goldens/count/``; regenerate them with
``make goldens`` (or ``pytest tests/test_summary.py -m golden --update-goldens``) and review the diff.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import needs
import pytest
import sympy

import symcount
from symcount.cli.main import main
from symcount.engine.count import Column, count_dict, fold, summary_table
from symcount.engine.names import display_names
from symcount.language.symbols import sym

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "derivations" / "zoo"
GOLDENS = Path(__file__).resolve().parent / "goldens" / "count"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["count", *argv]) == 0
    return capsys.readouterr().out


# ---------------------------------------------------------------------------- rows and folding


def test_rows_are_the_layers_with_dotted_names() -> None:
    result = symcount.count(ZOO / "resnet18.sc")
    table = summary_table(result)
    names = [row[Column.NAME] for row in table.rows]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"]
    # torchvision's module paths: a stage's blocks numbered from 0, the labels as written
    assert "layer1.0.conv1" in names and "layer2.0.downsample.0" in names
    assert "layer2.1.bn2" in names
    assert result.layers[4].name == "layer1.basic.conv1"  # the engine's name (JSON, tied=) is unchanged
    assert [row[Column.INDEX] for row in table.rows] == list(range(len(result.layers)))
    assert sum(row[Column.TRAINABLE] for row in table.rows) == result.trainable
    assert dict(table.totals)["buffers"] == result.buffers == 9_600


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "mobilenet_v2", "vgg16"])
@pytest.mark.parametrize("depth", [0, 1, 2])
def test_folded_rows_keep_the_totals(name: str, depth: int) -> None:
    result = symcount.count(ZOO / f"{name}.sc")
    rows = fold(result.layers, depth, result.blocks)
    assert len(rows) <= len(result.layers)
    for attr in ("trainable", "non_trainable", "buffers", "macs"):
        assert sum(getattr(r, attr) for r in rows) == getattr(result, attr)
    assert all(r.name.count(".") <= depth for r in rows)


def test_depth_zero_folds_each_top_level_block_call() -> None:
    result = symcount.count(ZOO / "resnet50.sc")
    rows = {r.name: r for r in fold(result.layers, 0, result.blocks)}
    assert list(rows)[:4] == ["conv1", "bn1", "relu", "maxpool"]
    layer3 = rows["layer3"]
    assert layer3.kind == "stage" and layer3.output_shape == (1024, 14, 14)
    inside = [x for x in result.layers if x.name.startswith("layer3.")]
    assert layer3.trainable == sum(x.trainable for x in inside)
    assert layer3.buffers == sum(x.buffers for x in inside)
    assert {t.name for t in layer3.tensors} >= {"bottleneck.conv1.weight", "bottleneck_5.bn3.bias"}
    one = {r.name: r for r in fold(result.layers, 1, result.blocks)}
    assert one["layer3.bottleneck_5"].kind == "bottleneck"
    assert fold(result.layers, 10, result.blocks) == result.layers


def test_folded_block_ending_in_a_concatenation_shows_the_block_output() -> None:
    text = """
    block inception(a, b) { parallel { branch { conv2d(C_out=a, k=1) } branch { conv2d(C_out=b, k=1) } } }
    network n { input(H=8, W=8, C=4); inception(a=3, b=5); relu() }
    """
    result = symcount.count(text)
    rows = fold(result.layers, 0, result.blocks)
    assert [(r.name, r.kind, r.output_shape) for r in rows] == [
        ("inception", "inception", (8, 8, 8)), ("relu", "relu", (8, 8, 8))]
    assert result.layers[1].output_shape == (5, 8, 8)  # the last layer alone is one branch


def test_cli_depth_and_json_agree(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run_cli(capsys, str(ZOO / "resnet50.sc"), "--depth", "0", "--format", "json"))
    text = run_cli(capsys, str(ZOO / "resnet50.sc"), "--depth", "0")
    names = [layer["name"] for layer in data["layers"]]
    assert names == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten",
                     "fc"]
    assert sum(layer["trainable"] for layer in data["layers"]) == data["trainable"] == 25_557_032
    for layer in data["layers"]:
        assert f"{layer['trainable']:,}" in text and layer["name"] in text


def test_negative_depth_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(ZOO / "resnet18.sc"), "--depth", "-1"]) == 2
    assert "--depth" in capsys.readouterr().err


# ---------------------------------------------------------------------------- FLOPs, symbols, tied weights


def test_flops_column_is_twice_the_macs_and_says_so() -> None:
    result = symcount.count(ZOO / "alexnet.sc")
    table = summary_table(result, flops=True)
    assert Column.FLOPS in table.columns
    assert all(row[Column.FLOPS] == 2 * row[Column.MACS] for row in table.rows)
    assert dict(table.totals)["FLOPs"] == 2 * result.macs
    assert any("FLOPs = 2 x MACs" in note for note in table.notes)
    assert Column.FLOPS not in summary_table(result).columns


def test_symbolic_network_shows_polynomials_and_set_gives_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    text = "network plain(C) {\n input(H=32, W=32, C=C)\n conv2d(C_out=C, k=3); conv2d(C_out=C, k=3)\n}"
    C = sym("C")
    result = symcount.count(text)
    table = summary_table(result)
    assert sympy.expand(table.rows[0][Column.TRAINABLE] - (9 * C**2 + C)) == 0
    assert sympy.expand(dict(table.totals)["total params"] - 2 * (9 * C**2 + C)) == 0
    out = run_cli(capsys, text)
    assert "9*C**2 + C" in out and "(C, 30, 30)" in out
    out = run_cli(capsys, text, "--set", "C=64")
    assert "73,856" in out and "(64, 30, 30)" in out
    data = json.loads(run_cli(capsys, text, "--format", "json"))
    assert data["total"] == "18*C**2 + 2*C"


def test_tied_weight_is_marked_and_counted_once() -> None:
    text = """network lm {
        input(L=8)
        wte: embedding(V=50, dim=16)
        head: linear(C_out=50, bias=false, tied=wte)
    }"""
    result = symcount.count(text)
    table = summary_table(result)
    kinds = [row[Column.KIND] for row in table.rows]
    assert kinds == ["embedding", "linear (tied)"]
    assert dict(table.totals)["total params"] == 50 * 16
    assert "shared: head.weight is wte.weight (one tensor, counted once at wte)" in table.notes
    data = count_dict(result)
    assert data["layers"][1]["tensors"][0]["shared_with"] == "wte.weight"
    assert data["layers"][1]["total"] == 0


def test_a_note_many_layers_share_is_given_once() -> None:
    result = symcount.count(ZOO / "mobilenet_v2.sc")
    notes = [n for n in summary_table(result).notes if "groups=C_in" in n]
    assert len(notes) == 1 and "and 16 more" in notes[0]


# ---------------------------------------------------------------------------- goldens

GOLDEN_CASES: dict[str, list[str]] = {
    "resnet18.txt": [str(ZOO / "resnet18.sc")],
    "resnet50_depth1_flops.txt": [str(ZOO / "resnet50.sc"), "--depth", "1", "--flops"],
    "resnet50_keras_depth0.md": [str(ZOO / "resnet50.sc"), "--convention", "keras", "--set", "conv_bias=true",
                                 "--depth", "0", "--format", "markdown"],
    "mobilenet_v2_keras_depth1.txt": [str(ZOO / "mobilenet_v2.sc"), "--convention", "keras", "--depth", "1"],
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_count_goldens(name: str, capsys: pytest.CaptureFixture[str], golden: Callable[[Path, str], None],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    argv = [str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else a for a in GOLDEN_CASES[name]]
    golden(GOLDENS / name, run_cli(capsys, *argv))


def test_latex_table_compiles_with_symbolic_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Symbolic counts go in math mode; pdflatex takes the table as it is."""
    needs.tool("pdflatex")
    plain = run_cli(capsys, "network plain(C) { input(H=H, W=W, C=C); conv2d(C_out=C, k=3) }", "--format", "latex",
                    "--flops")
    assert "$9 \\times C^{2} + C$" in plain
    zoo = run_cli(capsys, str(ZOO / "resnet50.sc"), "--depth", "0", "--format", "latex")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage{booktabs}\\usepackage{longtable}\\usepackage[landscape]{geometry}"
        "\\begin{document}\n"
        f"{plain}\n\n{zoo}\n\\end{{document}}\n", encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


#: ResNet-50's bottleneck written without labels, its convolutions and norms in ``conv_bn`` helpers
UNLABELLED_BOTTLENECKS = """
block conv_bn(C_out, k=3, stride=1) { conv2d(C_out=C_out, k=k, stride=stride, padding="same", bias=false); batchnorm() }
block bottleneck(C, stride=1, project=false) {
    residual {
        conv_bn(C_out=C, k=1); relu(); conv_bn(C_out=C, k=3, stride=stride); relu(); conv_bn(C_out=4*C, k=1)
    } shortcut { if project { conv_bn(C_out=4*C, k=1, stride=stride) } }
    relu()
}
block stage(C, n, stride=1) { bottleneck(C=C, stride=stride, project=true); repeat n - 1 { bottleneck(C=C) } }
network unlabelled { input(H=56, W=56, C=64); layer1: stage(C=64, n=3); layer4: stage(C=128, n=3, stride=2) }
"""


def test_helper_calls_add_no_path_segment_and_names_stay_unique() -> None:
    """Unlabelled conv_bn helpers are flattened into their bottleneck (layer1.0.conv2d_3, not
    layer1.bottleneck.conv_bn_3.conv2d); EfficientNet's two squeeze-excite ``se`` labels keep their
    calls apart; every zoo network's displayed names are unique."""
    result = symcount.count(UNLABELLED_BOTTLENECKS)
    shown = display_names(result.layers, result.blocks)
    assert shown["layer1.bottleneck_1.conv_bn_2.conv2d"] == "layer1.1.conv2d_2"
    assert shown["layer1.bottleneck.conv_bn_3.conv2d"] == "layer1.0.conv2d_3"
    assert shown["layer4.bottleneck_2.relu_2"] == "layer4.2.relu_2"
    assert shown["layer1.bottleneck"] == "layer1.0" and "layer1.bottleneck.conv_bn" not in shown
    for path in sorted(ZOO.glob("*.sc")):
        result = symcount.count(path)
        names = [display_names(result.layers, result.blocks).get(layer.name, layer.name) for layer in result.layers]
        assert len(set(names)) == len(names), path
