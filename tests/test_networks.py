"""The network language: blocks, repeat, if, residual, parallel, labels and tied weights.

Counts are checked against real ``torch.nn`` modules built the same way (small
ones), and symbolic results against the same description with numbers put in.
"""

from __future__ import annotations

import random
import time

import pytest
import sympy
import torch
from torch import nn

import symcount
from symcount import SymcountError
from symcount.catalog.shapes import conv_out
from symcount.engine.dims import same_size
from symcount.language.symbols import sym

ISSUE_EXAMPLE = """
block conv_bn(C_out, k=3, stride=1, bias=false) {
    conv2d(C_out=C_out, k=k, stride=stride, padding="same", bias=bias)
    batchnorm()
}

block bottleneck(C, stride=1, project=false) {
    residual {                        # output = branch + shortcut; shapes must agree
        conv_bn(C_out=C, k=1); relu()
        conv_bn(C_out=C, k=3, stride=stride); relu()
        conv_bn(C_out=4*C, k=1)
    } shortcut {                      # optional; identity when absent or empty
        if project { conv_bn(C_out=4*C, k=1, stride=stride) }
    }
    relu()
}

network resnet50 {
    input(H=224, W=224, C=3)
    conv_bn(C_out=64, k=7, stride=2); relu()
    maxpool2d(k=3, stride=2, padding=1)
    bottleneck(C=64, project=true)    # the first block of a stage projects
    repeat 2 { bottleneck(C=64) }     # the rest do not
}

network plain(C) {                    # a network with a parameter: totals come out as polynomials in C
    input(H=H, W=W, C=C)
    conv2d(C_out=C, k=3); conv2d(C_out=C, k=3)
}

network plain64 { plain(C=64) }
"""


def params(module: nn.Module) -> tuple[int, int]:
    """(parameters, buffers) as PyTorch reports them; shared tensors once."""
    p = sum(t.numel() for t in module.parameters())
    b = sum(t.numel() for n, t in module.named_buffers() if not n.endswith("num_batches_tracked"))
    return p, b


def conv_bn(cin: int, cout: int, k: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, k, stride, padding=k // 2, bias=False), nn.BatchNorm2d(cout)]


def bottleneck(cin: int, c: int, project: bool) -> list[nn.Module]:
    layers = [*conv_bn(cin, c, 1), *conv_bn(c, c, 3), *conv_bn(c, 4 * c, 1)]
    return layers + (conv_bn(cin, 4 * c, 1) if project else [])


# ---------------------------------------------------------------------------- blocks


def test_issue_example_counts_as_written() -> None:
    result = symcount.count(ISSUE_EXAMPLE, network="resnet50")
    stem = nn.Sequential(*conv_bn(3, 64, 7, 2), *bottleneck(64, 64, True),
                         *bottleneck(256, 64, False), *bottleneck(256, 64, False))
    assert (int(result.total), int(result.buffers)) == params(stem)
    assert result.output_shape == (256, 56, 56)
    names = [layer.name for layer in result.layers]
    assert names[:3] == ["conv_bn.conv2d", "conv_bn.batchnorm", "relu"]
    # the projection of the first bottleneck is there, the later ones have none
    assert "bottleneck.conv_bn_3.conv2d" in names and "bottleneck_1.conv_bn_3.conv2d" not in names


def test_network_parameter_counts_as_polynomial() -> None:
    C = sym("C")
    plain = symcount.count(ISSUE_EXAMPLE, network="plain")
    assert sympy.expand(plain.total - 2 * (9 * C**2 + C)) == 0
    with_value = symcount.count(ISSUE_EXAMPLE, network="plain", values={"C": 64})
    called = symcount.count(ISSUE_EXAMPLE, network="plain64")
    torch_side = params(nn.Sequential(nn.Conv2d(64, 64, 3), nn.Conv2d(64, 64, 3)))[0]
    assert with_value.total == called.total == plain.total.subs(C, 64) == torch_side
    assert called.layers[0].name == "plain.conv2d"
    assert called.layers[1].output_shape == (64, sym("H") - 4, sym("W") - 4)


def test_blocks_calling_blocks_take_defaults_and_keywords() -> None:
    text = """
    block unit(C, k=3) { conv2d(C_out=C, k=k, padding=k//2, bias=false); batchnorm() }
    block pair(C) { unit(C=C); unit(C=2*C, k=5) }
    block quad(C) { pair(C=C); pair(C=4*C) }
    network n { input(H=16, W=16, C=3); quad(C=8) }
    """
    result = symcount.count(text)
    chans = [(3, 8, 3), (8, 16, 5), (16, 32, 3), (32, 64, 5)]
    ref = nn.Sequential(*[m for cin, cout, k in chans for m in (nn.Conv2d(cin, cout, k, bias=False),
                                                                 nn.BatchNorm2d(cout))])
    assert (int(result.total), int(result.buffers)) == params(ref)
    assert result.layers[-1].name == "quad.pair_1.unit_1.batchnorm"


@pytest.mark.parametrize("text", [
    "block a(C) { a(C=C) }\nnetwork n { input(C=4); a(C=4) }",
    "block a(C) { b(C=C) }\nblock b(C) { linear(C_out=C); a(C=C) }\nnetwork n { input(C=4); a(C=4) }",
    "network n { input(C=4); n() }",
])
def test_recursion_is_an_error_not_a_hang(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert time.perf_counter() - start < 5.0  # a hang, not a speed test: speed is the benchmark's
    assert "recursive" in err.value.message
    assert err.value.line > 0


def test_unknown_block_parameter_lists_the_valid_ones() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("block b(C, k=3) { linear(C_out=C) }\nnetwork n { input(C=4); b(C=4, kk=3) }")
    assert "kk" in err.value.message and "C, k" in err.value.message
    assert (err.value.line, err.value.column) == (2, 32)


# ---------------------------------------------------------------------------- repeat and if


def test_symbolic_repeat_multiplies_counts() -> None:
    N = sym("N")
    text = """
    block layer(C) { conv2d(C_out=C, k=3, padding=1); batchnorm(); relu() }
    network deep(N) { input(H=8, W=8, C=16); repeat N { layer(C=16) }; flatten(); linear(C_out=10) }
    """
    symbolic = symcount.count(text)
    unit = params(nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)))
    head = 16 * 8 * 8 * 10 + 10
    assert sympy.expand(symbolic.total - (N * unit[0] + head)) == 0
    assert sympy.expand(symbolic.buffers - N * unit[1]) == 0
    for n in (0, 1, 5):
        concrete = symcount.count(text, values={"N": n})
        assert concrete.total == symbolic.total.subs(N, n)
        assert concrete.macs == symbolic.macs.subs(N, n)
        assert len([x for x in concrete.layers if x.kind == "conv2d"]) == n


def test_repeat_count_is_an_expression() -> None:
    text = "let depth = 3\nnetwork n { input(C=4); repeat 2*depth - 1 { linear(C_out=4) } }"
    assert symcount.count(text).total == 5 * 20


def test_symbolic_repeat_that_changes_the_shape_is_an_error() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("network n(N) {\n  input(C=4)\n  repeat N { linear(C_out=8) }\n}")
    assert err.value.line == 3 and "shape" in err.value.message


def test_negative_repeat_is_an_error() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("network n { input(C=4); repeat 1 - 3 { linear(C_out=4) } }")
    assert err.value.column == 32


def test_if_else_on_block_parameters() -> None:
    text = """
    block head(C, kind="linear", bias=true) {
        if kind == "linear" { linear(C_out=C, bias=bias) }
        else if kind == "conv" { conv2d(C_out=C, k=1, bias=bias) }
        else { identity() }
    }
    network a { input(C=8); head(C=4) }
    network b { input(H=2, W=2, C=8); head(C=4, kind="conv", bias=false) }
    network c { input(C=8); head(C=4, kind="none") }
    """
    assert symcount.count(text, network="a").total == params(nn.Linear(8, 4))[0]
    assert symcount.count(text, network="b").total == params(nn.Conv2d(8, 4, 1, bias=False))[0]
    assert symcount.count(text, network="c").total == 0
    assert [x.kind for x in symcount.count(text, network="c").layers] == ["identity"]


def test_if_on_a_free_symbol_is_an_error() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("network n(p) {\n  input(C=4)\n  if p > 2 { linear(C_out=4) }\n}")
    assert err.value.line == 3 and "free symbols" in err.value.message


# ---------------------------------------------------------------------------- residual and parallel


def test_residual_shape_mismatch_points_at_the_residual() -> None:
    text = """network n {
    input(H=8, W=8, C=4)
    residual {
        conv2d(C_out=8, k=3, padding=1)
    }
}"""
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert (err.value.line, err.value.column) == (3, 5)
    assert "(8, 8, 8)" in err.value.message and "(4, 8, 8)" in err.value.message
    assert err.value.hint is not None and "project" in err.value.hint
    assert "conv2d (line 4) makes (4, 8, 8) into (8, 8, 8)" in err.value.hint


def test_residual_stride_mismatch_is_caught_and_projection_fixes_it() -> None:
    body = "conv2d(C_out=4, k=3, stride=2, padding=1)"
    with pytest.raises(SymcountError):
        symcount.count(f"network n {{ input(H=8, W=8, C=4); residual {{ {body} }} }}")
    fixed = symcount.count(f"network n {{ input(H=8, W=8, C=4); residual {{ {body} }} shortcut "
                           "{ conv2d(C_out=4, k=1, stride=2) } }")
    ref = params(nn.Sequential(nn.Conv2d(4, 4, 3, 2, 1), nn.Conv2d(4, 4, 1, 2)))
    assert int(fixed.total) == ref[0] and fixed.output_shape == (4, 4, 4)


def test_residual_shapes_are_checked_symbolically() -> None:
    ok = symcount.count("network n(C) { input(H=H, W=W, C=C); residual { conv2d(C_out=C, k=3, padding=1) } }")
    assert ok.output_shape == (sym("C"), sym("H"), sym("W"))
    with pytest.raises(SymcountError):
        symcount.count("network n(C) { input(H=H, W=W, C=C); residual { conv2d(C_out=C, k=3) } }")


class Inception(nn.Module):
    """GoogLeNet's inception (3a) module: four branches concatenated along channels."""

    def __init__(self) -> None:
        super().__init__()
        self.b1 = nn.Conv2d(192, 64, 1)
        self.b2 = nn.Sequential(nn.Conv2d(192, 96, 1), nn.ReLU(), nn.Conv2d(96, 128, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(192, 16, 1), nn.ReLU(), nn.Conv2d(16, 32, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(192, 32, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], dim=1)


def test_parallel_concat_is_inception() -> None:
    text = """
    network inception_3a {
        input(H=28, W=28, C=192)
        parallel {
            branch { conv2d(C_out=64, k=1) }
            branch { conv2d(C_out=96, k=1); relu(); conv2d(C_out=128, k=3, padding=1) }
            branch { conv2d(C_out=16, k=1); relu(); conv2d(C_out=32, k=5, padding=2) }
            branch { maxpool2d(k=3, stride=1, padding=1); conv2d(C_out=32, k=1) }
        }
    }"""
    result = symcount.count(text)
    module = Inception()
    assert int(result.total) == params(module)[0]
    out = module(torch.zeros(1, 192, 28, 28))
    assert result.output_shape == tuple(out.shape[1:]) == (256, 28, 28)


def test_parallel_empty_branch_is_identity_densenet_style() -> None:
    text = """
    block dense_layer(growth) { batchnorm(); relu(); conv2d(C_out=growth, k=3, padding=1, bias=false) }
    network n {
        input(H=8, W=8, C=16)
        repeat 3 { parallel { branch { } branch { dense_layer(growth=12) } } }
    }"""
    result = symcount.count(text)
    ref = [m for c in (16, 28, 40) for m in (nn.BatchNorm2d(c), nn.Conv2d(c, 12, 3, bias=False))]
    assert (int(result.total), int(result.buffers)) == params(nn.Sequential(*ref))
    assert result.output_shape == (52, 8, 8)


def test_parallel_concat_size_mismatch_is_an_error() -> None:
    text = "network n {\n input(H=8, W=8, C=4)\n parallel { branch { maxpool2d(k=2) } branch { } }\n}"
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert err.value.line == 3 and "size" in err.value.message


def test_parallel_add_sums_bert_embeddings() -> None:
    text = """
    network bert_embeddings {
        input(L=512)
        parallel(merge="add") {
            branch { word: embedding(V=30522, dim=768) }
            branch { position: embedding(V=512, dim=768) }
            branch { token_type: embedding(V=2, dim=768) }
        }
        layernorm()
    }"""
    result = symcount.count(text)
    ref = nn.ModuleList([nn.Embedding(30522, 768), nn.Embedding(512, 768), nn.Embedding(2, 768), nn.LayerNorm(768)])
    assert int(result.total) == params(ref)[0]
    assert result.output_shape == (512, 768)
    assert [x.name for x in result.layers][:3] == ["word", "position", "token_type"]


def test_parallel_add_mismatch_is_an_error() -> None:
    text = 'network n {\n input(C=4)\n parallel(merge="add") { branch { linear(C_out=4) } branch { linear(C_out=5) } }\n}'
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert err.value.line == 3


# ---------------------------------------------------------------------------- labels and tied weights


class TiedLM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wte = nn.Embedding(100, 32)
        self.head = nn.Linear(32, 100, bias=False)
        self.head.weight = self.wte.weight


def test_tied_head_is_counted_once() -> None:
    text = """
    network lm {
        input(L=16)
        wte: embedding(V=100, dim=32)
        layernorm()
        head: linear(C_out=100, bias=false, tied=wte)
    }"""
    result = symcount.count(text)
    assert int(result.total) == params(TiedLM())[0] + 64
    head = result.layers[-1]
    assert head.total == 0 and head.tensors[0].category == "not counted"
    assert head.tensors[0].shared_with == "wte.weight"
    assert result.shared == ["head.weight = wte.weight"]
    assert head.macs == 16 * 32 * 100  # shared weights still compute


def test_tied_transposed_autoencoder() -> None:
    """A decoder reusing the encoder's (8, 16) weight as (16, 8): allowed, counted once."""
    text = "network ae { input(C=16); enc: linear(C_out=8, bias=false); linear(C_out=16, bias=false, tied=enc) }"
    result = symcount.count(text)
    assert result.total == 16 * 8
    assert result.layers[1].output_shape == (16,)


def test_tied_shape_mismatch_is_an_error() -> None:
    text = "network lm {\n input(L=16)\n wte: embedding(V=100, dim=32)\n linear(C_out=99, tied=wte)\n}"
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert err.value.line == 4 and "(99, 32)" in err.value.message and "(100, 32)" in err.value.message


def test_tied_unknown_label_suggests_one() -> None:
    text = "network lm {\n input(L=16)\n wte: embedding(V=100, dim=32)\n linear(C_out=100, tied=wt)\n}"
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert err.value.line == 4 and err.value.hint is not None and "wte" in err.value.hint


def test_labels_are_scoped_to_their_block_call() -> None:
    text = """
    block basic(C) { conv1: conv2d(C_out=C, k=3, padding=1); bn1: batchnorm() }
    network n { input(H=4, W=4, C=8); layer1: basic(C=8); layer2: basic(C=8) }
    """
    names = [x.name for x in symcount.count(text).layers]
    assert names == ["layer1.conv1", "layer1.bn1", "layer2.conv1", "layer2.bn1"]


def test_tied_inside_a_block_finds_the_nearest_label() -> None:
    text = """
    block ae(C, H) { enc: linear(C_out=H, bias=false); relu(); dec: linear(C_out=C, bias=false, tied=enc) }
    network n { input(C=16); ae(C=16, H=8); ae(C=16, H=4) }
    """
    result = symcount.count(text)
    assert result.total == 16 * 8 + 16 * 4
    assert result.shared == ["ae.dec.weight = ae.enc.weight", "ae_1.dec.weight = ae_1.enc.weight"]


def test_same_label_twice_in_one_scope_is_an_error() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("network n {\n input(C=4)\n a: linear(C_out=4)\n a: linear(C_out=4)\n}")
    assert err.value.line == 4 and "twice" in err.value.message
    with pytest.raises(SymcountError) as err:
        symcount.count("block b() { linear(C_out=4) }\nnetwork n {\n input(C=4)\n x: b()\n x: b()\n}")
    assert err.value.line == 5


def test_written_channels_that_disagree_with_the_flow_are_an_error() -> None:
    with pytest.raises(SymcountError) as err:
        symcount.count("network n {\n input(H=8, W=8, C=4)\n conv2d(C_in=5, C_out=4, k=3)\n}")
    assert (err.value.line, err.value.column) == (3, 9) and "4 channels" in err.value.message
    same = symcount.count("network n { input(H=8, W=8, C=4); conv2d(C_in=4, C_out=4, k=3) }")
    assert same.total == 148


def test_else_and_shortcut_may_start_a_line() -> None:
    text = """network n {
    input(H=4, W=4, C=2)
    residual {
        conv2d(C_out=4, k=1)
    }
    shortcut {
        conv2d(C_out=4, k=1, bias=false)
    }
    if false { relu() }

    else { tanh() }
}"""
    result = symcount.count(text)
    assert [x.kind for x in result.layers] == ["conv2d", "conv2d", "tanh"]
    assert result.total == 12 + 8


def test_newline_rule_stays_linear_on_hostile_input() -> None:
    start = time.perf_counter()
    for tail in ("else { relu() } }", "relu() }"):
        text = "network n { input(C=4)\n if true { relu() }" + "\n " * 300_000 + tail
        symcount.count(text)
    assert time.perf_counter() - start < 5.0  # quadratic scanning would take hours


def test_parameter_defaults_see_earlier_parameters() -> None:
    block = symcount.count("block b(C, D=2*C) { linear(C_out=D) }\nnetwork n { input(C=4); b(C=3) }")
    assert block.total == params(nn.Linear(4, 6))[0]
    text = "network n(C=3, D=2*C) { input(C=4); linear(C_out=D) }"
    assert symcount.count(text).total == params(nn.Linear(4, 6))[0]
    assert symcount.count(text, values={"C": 5}).total == params(nn.Linear(4, 10))[0]
    assert symcount.count(text, values={"D": 7}).total == params(nn.Linear(4, 7))[0]


def test_error_inside_a_block_says_which_call_got_there() -> None:
    text = """block unit(C) {
    conv2d(C_out=C, k=5)
}
block pair(C) { unit(C=C); unit(C=C) }
network n {
    input(H=6, W=6, C=3)
    pair(C=4)
}"""
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert (err.value.line, err.value.column) == (2, 5)
    assert err.value.hint is not None
    assert err.value.hint.endswith("in unit(...) called at line 4; in pair(...) called at line 7")


def test_symbolic_residual_sizes_equal_up_to_floor_identities() -> None:
    """floor((H - 1)/2) + 1 (3x3, stride 2, pad 1) is ceiling(H/2) (1x1, stride 2, "same") for every H."""
    text = """network n(H) {{
    input(H=H, W=H, C=4)
    residual {{ conv2d(C_out=8, k=3, stride=2, padding=1); conv2d(C_out=8, k=3, stride=2, padding=1) }}
    shortcut {{ {} }}
}}"""
    ok = symcount.count(text.format('conv2d(C_out=8, k=1, stride=4, padding="same")'))
    assert ok.output_shape[0] == 8
    with pytest.raises(SymcountError) as err:
        symcount.count(text.format("avgpool2d(k=4); conv2d(C_out=8, k=1)"))  # floor(H/4): differs for H = 1, 2, 3 (mod 4)
    assert err.value.line == 3


@pytest.mark.parametrize("seed", range(40))
def test_same_size_agrees_with_brute_force(seed: int) -> None:
    """same_size's periodic proof never says equal when some H differs, nor unequal when none does."""
    rng = random.Random(seed)
    H = sym("H")
    a: sympy.Expr = H
    b: sympy.Expr = H
    for _ in range(rng.randint(1, 3)):
        k, s = rng.choice([1, 3, 5]), rng.randint(1, 3)
        # b mostly takes the same step written the other way ("same" vs (k-1)/2), sometimes another step
        a = conv_out(a, k, s, rng.choice(["same", (k - 1) // 2]))
        if rng.random() < 0.8:
            b = conv_out(b, k, s, rng.choice(["same", (k - 1) // 2]))
        else:
            b = conv_out(b, rng.randint(1, 4), rng.randint(1, 3), rng.randint(0, 2))
    brute = all(a.subs(H, n) == b.subs(H, n) for n in range(1, 200))
    assert same_size(a, b) == brute, (a, b)


def test_layer_names_are_unique() -> None:
    top = symcount.count("conv2d(C_in=3, C_out=4, k=3); conv2d(C_in=3, C_out=4, k=3); relu()")
    assert [x.name for x in top.layers] == ["conv2d", "conv2d_1", "relu"]
    text = "network n { input(C=4); linear_1: linear(C_out=4); linear(C_out=4); linear(C_out=4) }"
    assert [x.name for x in symcount.count(text).layers] == ["linear_1", "linear", "linear_2"]
    with pytest.raises(SymcountError) as err:
        symcount.count("network n { input(C=4); linear(C_out=4); linear: linear(C_out=4) }")
    assert err.value.column == 50  # the labelled layer
