"""``symcount count`` from the command line: formats, options, exit codes.

Expected numbers come from the Python API (``symcount.count``), which the
framework cross-checks prove; these tests prove the CLI reports the same
thing in every format.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import symcount
from symcount.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
LENET = ROOT / "derivations" / "lenet5.sc"

REQUIRED = ["network", "convention", "total", "trainable", "non_trainable", "buffers", "layers"]
LAYER_REQUIRED = ["name", "kind", "output_shape", "total", "trainable", "non_trainable", "buffers", "tensors"]

TWO_NETWORKS = """
network small {
    input(C=8)
    linear(C_out=4)
}
network bn {
    input(H=8, W=8, C=3)
    conv2d(C_out=16, k=3, bias=false)
    batchnorm()
    relu()
}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def as_json_value(value: sympy.Expr) -> int | str:
    """How the JSON must carry a count: an int when it is one, else its text."""
    return int(value) if value.is_Integer else str(value)


def count_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, "count", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ------------------------------------------------------------------ formats


def test_text_table_matches_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    result = symcount.count(LENET)
    code, out, err = run(capsys, "count", str(LENET))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "network lenet5 (pytorch)"
    header = next(line for line in lines if line.startswith("#"))
    for column in ("name", "kind", "output shape", "trainable", "non-trainable", "buffers"):
        assert column in header
    for i, layer in enumerate(result.layers):
        row = next(line for line in lines if line.startswith(f"{i}  {layer.name} "))
        cells = row.split()
        assert cells[2] == layer.kind
        assert f"({', '.join(str(d) for d in layer.output_shape)})" in row
        assert f"{int(layer.trainable):,}" in cells
    assert f"total params          {int(result.total):,}" in lines
    assert f"trainable params      {int(result.trainable):,}" in lines


def test_json_has_the_documented_keys_and_types(capsys: pytest.CaptureFixture[str]) -> None:
    result = symcount.count(LENET)
    data = count_json(capsys, str(LENET))
    assert list(data)[: len(REQUIRED) - 1] == REQUIRED[:-1] and "layers" in data
    assert data["network"] == "lenet5" and data["convention"] == "pytorch"
    for key in ("total", "trainable", "non_trainable", "buffers"):
        assert type(data[key]) is int
        assert data[key] == as_json_value(getattr(result, key))
    assert len(data["layers"]) == len(result.layers)
    for row, layer in zip(data["layers"], result.layers, strict=True):
        assert set(LAYER_REQUIRED) <= set(row)
        assert (row["name"], row["kind"]) == (layer.name, layer.kind)
        assert row["output_shape"] == [int(d) for d in layer.output_shape]
        for key in ("total", "trainable", "non_trainable", "buffers"):
            assert row[key] == as_json_value(getattr(layer, key))
        assert [t["name"] for t in row["tensors"]] == [t.name for t in layer.tensors]
        for t_json, tensor in zip(row["tensors"], layer.tensors, strict=True):
            assert t_json["shape"] == [as_json_value(d) for d in tensor.shape]
            assert t_json["size"] == as_json_value(tensor.size)


def test_json_symbolic_values_are_strings(capsys: pytest.CaptureFixture[str]) -> None:
    data = count_json(capsys, "conv2d(bias=b)")
    assert data["network"] == "main"
    assert isinstance(data["total"], str)
    parsed = sympy.sympify(data["total"])  # our own output, not user text
    k, c_in, c_out, b = sympy.symbols("k C_in C_out b")
    assert sympy.expand(parsed - (k**2 * c_in + b) * c_out) == 0
    assert data["non_trainable"] == 0 and type(data["non_trainable"]) is int
    weight = data["layers"][0]["tensors"][0]
    assert weight["name"] == "weight" and weight["shape"] == ["C_out", "C_in", "k", "k"]


def test_json_big_integers_stay_exact_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    data = count_json(capsys, "linear(C_in=2, C_out=10^30)")
    assert data["total"] == 3 * 10**30 and type(data["total"]) is int


def test_markdown_and_latex_tables(capsys: pytest.CaptureFixture[str]) -> None:
    result = symcount.count(LENET)
    second = result.layers[2]
    code, out, _ = run(capsys, "count", str(LENET), "--format", "markdown")
    assert code == 0
    assert f"| 2 | `{second.name}` | {second.kind} | (16, 10, 10) | {int(second.trainable):,} |" in out
    assert f"- total params: **{int(result.total):,}**" in out
    code, out, _ = run(capsys, "count", str(LENET), "--format", "latex")
    assert code == 0
    assert "\\toprule" in out and "\\bottomrule" in out
    assert f"{int(result.total):,}".replace(",", "{,}") in out
    assert second.name.replace("_", "\\_") in out


def test_keras_convention_lays_out_channels_last_and_counts_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    pytorch = count_json(capsys, "--convention", "pytorch", "--network", "bn", TWO_NETWORKS)
    keras = count_json(capsys, "--convention", "keras", "--network", "bn", TWO_NETWORKS)
    assert pytorch["convention"] == "pytorch" and keras["convention"] == "keras"
    assert pytorch["layers"][0]["output_shape"] == [16, 6, 6]
    assert keras["layers"][0]["output_shape"] == [6, 6, 16]
    # batch norm: 2C trainable; its 2C running statistics are buffers (PyTorch) or non-trainable (Keras)
    assert pytorch["buffers"] == 32 and pytorch["non_trainable"] == 0
    assert keras["buffers"] == 0 and keras["non_trainable"] == 32
    assert pytorch["trainable"] == keras["trainable"] == 16 * 3 * 9 + 32


# ------------------------------------------------------------------ options


def test_set_values_fill_symbols_and_override_lets(capsys: pytest.CaptureFixture[str]) -> None:
    data = count_json(capsys, "conv2d(C_in=C, C_out=2*C, k=3)", "--set", "C=64")
    assert data["total"] == (9 * 64 + 1) * 128
    data = count_json(capsys, "conv2d(C_in=C, C_out=2*C, k=3)", "--set", "C=2^6")
    assert data["total"] == (9 * 64 + 1) * 128
    data = count_json(capsys, "let C = 8\nlinear(C_in=C, C_out=C)", "--set", "C=4")
    assert data["total"] == 4 * 4 + 4
    data = count_json(capsys, "conv2d(bias=b)", "--set", "b=0", "--set", "k=3", "--set", "C_in=128",
                      "--set", "C_out=256")
    assert data["total"] == 294_912


def test_network_option_and_source_fragment_agree(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "two.sc"
    path.write_text(TWO_NETWORKS, encoding="utf-8")
    by_option = count_json(capsys, str(path), "--network", "small")
    by_fragment = count_json(capsys, f"{path}#small")
    assert by_option == by_fragment
    assert by_option["network"] == "small" and by_option["total"] == 8 * 4 + 4
    assert by_option["total"] == as_json_value(symcount.count(path, network="small").total)
    code, _, err = run(capsys, "count", str(path))
    assert code == 2 and "name one of: small, bn" in err


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "lenet.json"
    code, out, _ = run(capsys, "count", str(LENET), "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == int(symcount.count(LENET).total)


def test_layers_command_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "layers")
    assert code == 0
    for name in ("conv2d", "linear", "batchnorm", "lstm", "attention", "embedding"):
        assert f"`{name}`" in out


# ------------------------------------------------------------------ exit codes and the entry point


def test_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "count", "linear(C_in=3, C_out=4)")[0] == 0
    code, out, err = run(capsys, "count", "linear(C_in=3, C_out=0)")
    assert code == 2 and out == "" and err.startswith("<input>:1:22: C_out must be positive, not 0\n")
    with pytest.raises(SystemExit) as usage:
        main(["count", "relu()", "--convention", "tensorflow"])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as missing:
        main([])
    assert missing.value.code == 2


def test_python_dash_m_symcount(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "symcount", "count", "conv2d(C_in=128, C_out=256, k=3)",
                         "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total"] == 295_168
    bad = subprocess.run([sys.executable, "-m", "symcount", "count", "conv2d(C_in=128 C_out=256, k=3)"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("<input>:1:17: missing ',' between arguments\n")
    assert "Traceback" not in bad.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"symcount {symcount.__version__}\n"
    assert symcount.__version__ == "0.1.0"
