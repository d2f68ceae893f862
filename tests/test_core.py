"""The language and the counts the issue fixes, end to end through symcount.count."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.language.symbols import sym

ROOT = Path(__file__).resolve().parent.parent

LANGUAGE_EXAMPLE = """
# a comment
conv2d(C_in=128, C_out=256, k=3)
conv2d(C_in=128, C_out=256, k=3, bias=false)
conv2d
conv2d(bias=b)
conv2d(C_in=C, C_out=2*C, k=(3, 5), groups=g)
let C = 64

network lenet5 {
    input(H=32, W=32, C=1)
    conv2d(C_out=6, k=5)
    avgpool2d(k=2)
    conv2d(C_out=16, k=5)
    avgpool2d(k=2)
    flatten()
    linear(C_out=120)
    linear(C_out=84)
    linear(C_out=10)
}
"""

k, C_in, C_out, b, C, g = (sym(n) for n in ("k", "C_in", "C_out", "b", "C", "g"))


def total(text: str, **kw: object) -> sympy.Expr:
    return symcount.count(text, **kw).total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("conv2d(C_in=128, C_out=256, k=3)", 295_168),
        ("conv2d(C_in=128, C_out=256, k=3, bias=false)", 294_912),
        ("linear(C_in=128, C_out=256)", 33_024),
        ("linear(C_in=128, C_out=256, bias=false)", 32_768),
        ("Dense(in_features=128, units=256, use_bias=False)", 32_768),
        ("conv1d(C_in=7, C_out=32, k=5)", 1_152),
        ("Conv1D(in_channels=7, filters=32, kernel_size=5)", 1_152),
        ("linear(C_in=2, C_out=10^30)", 3 * 10**30),
    ],
)
def test_exam_numbers(text: str, expected: int) -> None:
    result = symcount.count(text)
    assert result.total == expected
    assert result.trainable == expected
    assert result.non_trainable == 0 and result.buffers == 0


def test_symbolic_layers() -> None:
    assert sympy.expand(total("conv2d") - (k**2 * C_in + 1) * C_out) == 0
    assert sympy.expand(total("conv2d(bias=b)") - (k**2 * C_in + b) * C_out) == 0
    got = total("conv2d(C_in=C, C_out=2*C, k=(3, 5), groups=g)")
    assert sympy.simplify(got - (15 * C / g + 1) * 2 * C) == 0


def test_language_example_needs_a_name_and_counts_lenet() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count(LANGUAGE_EXAMPLE)
    assert "lenet5" in str(err.value) and "main" in str(err.value)
    lenet = symcount.count(LANGUAGE_EXAMPLE, network="lenet5")
    assert lenet.total == 61_706
    main = symcount.count(LANGUAGE_EXAMPLE, network="main")
    expected = 295_168 + 294_912 + (k**2 * C_in + 1) * C_out + (k**2 * C_in + b) * C_out + (15 * C / g + 1) * 2 * C
    assert sympy.simplify(main.total - expected) == 0


def test_lenet_shapes_and_inference() -> None:
    result = symcount.count(Path(ROOT / "derivations" / "lenet5.sc"))
    assert result.network == "lenet5"
    shapes = [layer.output_shape for layer in result.layers]
    assert shapes[0] == (6, 28, 28) and shapes[3] == (16, 5, 5) and shapes[4] == (400,)
    assert result.layers[5].inferred["C_in"] == (16, 5, 5)
    keras = symcount.count(Path(ROOT / "derivations" / "lenet5.sc"), convention="keras")
    assert keras.layers[0].output_shape == (28, 28, 6)
    assert keras.total == 61_706


def test_path_with_network_suffix() -> None:
    result = symcount.count(Path(str(ROOT / "derivations" / "lenet5.sc") + "#lenet5"))
    assert result.total == 61_706


def test_values_override_lets_and_fill_symbols() -> None:
    text = "let C = 64\nconv2d(C_in=C, C_out=C, k=3, bias=false)"
    assert total(text) == 9 * 64 * 64
    assert total(text, values={"C": 32}) == 9 * 32 * 32
    assert total("conv2d(bias=b)", values={"b": 0, "k": 3, "C_in": 1, "C_out": 2}) == 18
    assert total("conv2d(C_in=C, C_out=C, k=3)", values={"C": "2*8"}) == (9 * 16 + 1) * 16


def test_unknown_set_name_lists_symbols() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("conv2d(C_in=C, C_out=C, k=3)", values={"D": 3})
    assert "D" in str(err.value) and "C" in err.value.message


def test_batchnorm_conventions() -> None:
    torch_style = symcount.count("batchnorm(C=64)")
    assert (torch_style.total, torch_style.trainable, torch_style.buffers) == (128, 128, 128)
    keras_style = symcount.count("batchnorm(C=64)", convention="keras")
    counts = (keras_style.total, keras_style.trainable, keras_style.non_trainable, keras_style.buffers)
    assert counts == (256, 128, 128, 0)


def test_frozen_layer_is_non_trainable() -> None:
    result = symcount.count("linear(C_in=10, C_out=5, trainable=false)")
    assert (result.trainable, result.non_trainable, result.total) == (0, 55, 55)


def test_tensors_answer_weights_and_biases() -> None:
    layer = symcount.count("conv2d(C_in=128, C_out=256, k=3)").layers[0]
    sizes = {t.name: int(t.size) for t in layer.tensors}
    assert sizes == {"weight": 294_912, "bias": 256}
    assert layer.tensors[0].shape == (256, 128, 3, 3)


def test_sequence_and_token_inputs() -> None:
    text = "network t { input(L=512); embedding(V=1000, dim=64); lstm(hidden=32) }"
    result = symcount.count(text)
    assert result.layers[0].output_shape == (512, 64)
    assert result.layers[1].total == 4 * (32 * (64 + 32) + 2 * 32)
    assert result.layers[1].output_shape == (512, 32)


def test_statements_separated_by_semicolons() -> None:
    result = symcount.count("relu(); linear(C_in=3, C_out=4); dropout(0.5)")
    assert result.total == 16
    assert [layer.name for layer in result.layers] == ["relu", "linear", "dropout"]
