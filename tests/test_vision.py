"""Vision-model parts against the real modules: element-wise merges with broadcasting
(squeeze-and-excitation), labels scoped per repeat iteration and on constructs, the learned
class token and position embedding (transformers' ViTEmbeddings), Swin's patch merging
(transformers' SwinPatchMerging, MACs under FlopCounterMode), and the positioned errors of
shapes that do not fit.
"""

from __future__ import annotations

import os

import needs
import pytest

import symcount
from symcount import SymcountError

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = needs.module("torch")
nn = torch.nn


def error_of(text: str, **kw: object) -> SymcountError:
    with pytest.raises(SymcountError) as info:
        symcount.count(text, **kw)  # type: ignore[arg-type]
    return info.value


def torch_counts(module: object) -> tuple[int, int, int]:
    params = list(module.parameters())  # type: ignore[attr-defined]
    buffers = [b for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")]  # type: ignore[attr-defined]
    return (sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params if not p.requires_grad),
            sum(b.numel() for b in buffers))


# ------------------------------------------------------------------ squeeze-and-excitation

SE = """
network se(C=64, r=4) {
    input(H=7, W=9, C=C)
    se: parallel(merge="mul") {
        branch { }
        branch {
            adaptive_avgpool2d(out=1)
            fc1: conv2d(C_out=C//r, k=1); relu()
            fc2: conv2d(C_out=C, k=1); sigmoid()
        }
    }
}
"""


class SqueezeExcitation(nn.Module):  # type: ignore[misc]
    """torchvision's SqueezeExcitation, as EfficientNet and MobileNetV3 use it."""

    def __init__(self, c: int, squeeze: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(self.avgpool(x)))))


@pytest.mark.parametrize(("c", "r"), [(64, 4), (24, 6), (16, 16)])
def test_squeeze_excitation_equals_torch(c: int, r: int) -> None:
    result = symcount.count(SE, values={"C": c, "r": r})
    module = SqueezeExcitation(c, c // r)
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(module)
    names = {f"{layer.name.removeprefix('se.')}.{t.name}": tuple(int(n) for n in t.shape)
             for layer in result.layers for t in layer.tensors}
    assert names == {name: tuple(t.shape) for name, t in module.state_dict().items()}
    out = module(torch.zeros(1, c, 7, 9))
    assert tuple(int(n) for n in result.layers[-1].output_shape) == (c, 1, 1)
    assert symcount.count(SE + "\n", values={"C": c, "r": r}).layers[0].input_shape is not None
    assert tuple(out.shape[1:]) == (c, 7, 9)


@pytest.mark.parametrize(("merge", "op"), [("mul", torch.mul), ("add", torch.add), ("max", torch.maximum),
                                           ("mean", lambda a, b: (a + b) / 2)])
@pytest.mark.parametrize(("convention", "left", "right"), [
    ("pytorch", (5, 4, 3), (5, 1, 1)), ("pytorch", (5, 4, 3), (1, 4, 3)), ("pytorch", (5, 1, 3), (5, 4, 1)),
    ("keras", (4, 3, 5), (1, 1, 5)), ("keras", (4, 3, 5), (5,)),
])
def test_element_wise_merges_broadcast_as_the_framework(merge: str, op: object, convention: str,
                                                         left: tuple[int, ...], right: tuple[int, ...]) -> None:
    """The merged shape is torch's broadcast of the two printed shapes, under either layout."""
    def reach(shape: tuple[int, ...]) -> str:
        # a branch that makes a shape from (C=5, H=4, W=3): pooling to 1 where the shape has a 1
        if len(shape) == 1:
            return "global_avgpool()"
        h, w = (shape[1], shape[2]) if convention == "pytorch" else (shape[0], shape[1])
        return f"adaptive_avgpool2d(out=({h}, {w}))"

    text = (f'network n {{ input(H=4, W=3, C=5); parallel(merge="{merge}") {{ branch {{ {reach(left)} }} '
            f"branch {{ {reach(right)} }} }}; identity() }}")
    result = symcount.count(text, convention=convention)
    expected = op(torch.zeros(left), torch.zeros(right))  # type: ignore[operator]
    assert tuple(int(n) for n in result.layers[-1].output_shape) == tuple(expected.shape)


def test_shapes_that_do_not_broadcast_are_a_positioned_error() -> None:
    text = ('network n {\n    input(H=4, W=4, C=8)\n    parallel(merge="mul") {\n'
            "        branch { }\n        branch { conv2d(C_out=4, k=1) }\n    }\n}")
    err = error_of(text)
    assert (err.pos.line, err.pos.column) == (3, 5)
    assert "do not broadcast" in err.message and "(8, 4, 4) vs (4, 4, 4)" in err.message
    with pytest.raises(RuntimeError):
        torch.zeros(8, 4, 4) * torch.zeros(4, 4, 4)


def test_unknown_merge_names_the_valid_ones() -> None:
    err = error_of('network n { input(C=4); parallel(merge="mult") { branch { } } }')
    assert err.pos.column == 40 and "unknown merge" in err.message and "mul" in (err.hint or "")


def test_keras_merge_names_are_accepted() -> None:
    for written in ("multiply", "average", "maximum", "concatenate", "sum"):
        symcount.count(f'network n {{ input(C=4); parallel(merge="{written}") {{ branch {{ }} branch {{ }} }} }}')


# ------------------------------------------------------------------ labels

def test_labels_in_a_repeat_are_scoped_per_iteration() -> None:
    text = """network n {
        input(H=8, W=8, C=4)
        features: repeat 3 { block: conv2d(C_out=4, k=3, padding=1); relu() }
        repeat 2 { a: relu() }
    }"""
    names = [layer.name for layer in symcount.count(text).layers]
    assert names == ["features.0.block", "features.0.relu", "features.1.block", "features.1.relu",
                     "features.2.block", "features.2.relu", "0.a", "1.a"]


def test_labels_before_parallel_and_residual_name_a_scope() -> None:
    text = """network n {
        input(H=8, W=8, C=4)
        skip: residual { conv2d(C_out=4, k=1) } shortcut { identity() }
        se: parallel(merge="add") { branch { relu() } branch { fc: conv2d(C_out=4, k=1) } }
    }"""
    names = [layer.name for layer in symcount.count(text).layers]
    assert names == ["skip.conv2d", "skip.identity", "se.relu", "se.fc"]


def test_a_label_used_twice_in_one_scope_is_still_an_error() -> None:
    err = error_of("network n {\n  input(C=4)\n  a: relu()\n  a: residual { relu() }\n}")
    assert (err.pos.line, "used twice") == (4, "used twice") and "label 'a'" in err.message


# ------------------------------------------------------------------ learned tensors

VIT_EMBEDDINGS = """
network embeddings(H=32, P=8, d=48) {
    input(H=H, W=H, C=3)
    patch_embeddings.projection: conv2d(C_out=d, k=P, stride=P)
    to_sequence()
    class_token()
    pos_embedding()
}
"""


def test_class_token_and_position_embedding_equal_transformers_vit() -> None:
    transformers = needs.module("transformers")
    from transformers.models.vit.modeling_vit import ViTEmbeddings  # noqa: PLC0415  lazy: optional dependency

    config = transformers.ViTConfig(image_size=32, patch_size=8, hidden_size=48, num_channels=3)
    module = ViTEmbeddings(config)
    text = VIT_EMBEDDINGS.replace("patch_embeddings.projection: ", "")
    result = symcount.count(text)
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(module)
    shapes = {t.name: tuple(int(n) for n in t.shape) for layer in result.layers for t in layer.tensors}
    assert shapes["class_token"] == tuple(module.cls_token.shape) == (1, 1, 48)
    assert shapes["pos_embedding"] == tuple(module.position_embeddings.shape) == (1, 17, 48)
    out = module(torch.zeros(1, 3, 32, 32))
    assert tuple(int(n) for n in result.layers[-1].output_shape) == tuple(out.shape[1:])


def test_class_token_on_a_feature_map_is_a_positioned_error() -> None:
    err = error_of("network n {\n  input(H=4, W=4, C=8)\n  class_token()\n}")
    assert (err.pos.line, err.pos.column) == (3, 3)
    assert "needs a sequence" in err.message and "to_sequence()" in (err.hint or "")


def test_layer_scale_is_one_gamma_per_channel() -> None:
    result = symcount.count("network n { input(H=7, W=7, C=96); layer_scale() }", convention="keras")
    assert result.trainable == 96 and result.layers[0].tensors[0].name == "gamma"


# ------------------------------------------------------------------ shape operations

def test_patch_merging_equals_transformers_swin() -> None:
    needs.module("transformers")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  lazy: optional dependency
    from transformers.models.swin.modeling_swin import SwinPatchMerging  # noqa: PLC0415  lazy: optional dependency

    module = SwinPatchMerging(12)
    result = symcount.count("network n { input(H=8, W=6, C=12); patch_merging() }")
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(module)
    [layer] = result.layers
    assert {t.name: tuple(int(n) for n in t.shape) for t in layer.tensors} == \
        {name: tuple(t.shape) for name, t in module.state_dict().items()}
    with FlopCounterMode(display=False) as counter:
        out = module(torch.zeros(1, 8 * 6, 12), (8, 6))
    assert layer.macs == counter.get_total_flops() // 2
    assert tuple(out.shape[1:]) == (4 * 3, 24)
    assert tuple(int(n) for n in layer.output_shape) == (24, 4, 3)


@pytest.mark.parametrize(("text", "column", "message"), [
    ("network n {\n  input(H=4, W=4, C=6)\n  channel_split(4)\n}", 3, "does not divide the 6 channels"),
    ("network n {\n  input(H=4, W=4, C=6)\n  channel_shuffle(4)\n}", 3, "do not divide the 6 channels"),
    ("network n {\n  input(H=7, W=8, C=6)\n  patch_merging()\n}", 3, "needs even sizes: 7 is odd"),
    ("network n {\n  input(H=6, W=6, C=2)\n  space_to_depth(4)\n}", 3, "does not divide the size 6"),
    ("network n {\n  input(H=14, W=12, C=8)\n  attention(heads=2, window=7)\n}", 3,
     "window=7 does not divide the feature map's size 12"),
    ("network n {\n  input(L=49, C=8)\n  attention(heads=2, window=7)\n}", 3, "2-D feature map"),
])
def test_shape_operations_that_do_not_fit_are_positioned_errors(text: str, column: int, message: str) -> None:
    err = error_of(text)
    assert (err.pos.line, err.pos.column) == (3, column)
    assert message in err.message


def test_shufflenet_unit_splits_and_shuffles() -> None:
    """A ShuffleNetV2 unit (stride 1): half the channels pass, half go through the branch, then a shuffle."""
    text = """network unit {
        input(H=28, W=28, C=116)
        parallel {
            branch { channel_split(2) }
            branch {
                channel_split(2)
                conv2d(C_out=58, k=1, bias=false); batchnorm(); relu()
                depthwise_conv2d(k=3, padding=1, bias=false); batchnorm()
                conv2d(C_out=58, k=1, bias=false); batchnorm(); relu()
            }
        }
        channel_shuffle(2)
    }"""
    result = symcount.count(text)
    branch = nn.Sequential(nn.Conv2d(58, 58, 1, bias=False), nn.BatchNorm2d(58), nn.ReLU(),
                           nn.Conv2d(58, 58, 3, padding=1, groups=58, bias=False), nn.BatchNorm2d(58),
                           nn.Conv2d(58, 58, 1, bias=False), nn.BatchNorm2d(58), nn.ReLU())
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(branch)
    assert tuple(int(n) for n in result.layers[-1].output_shape) == (116, 28, 28)


def test_merge_layers_say_how_to_write_a_merge() -> None:
    for text in ("network n {\n  input(C=4)\n  layers.Multiply()\n}", "network n {\n  input(C=4)\n  Multiply()\n}"):
        err = error_of(text)
        assert err.pos.line == 3 and 'parallel(merge="mul")' in (err.hint or "")


# ------------------------------------------------------------------ Swin's window attention

SWIN_BLOCK = """
network n {
    input(H=H, W=W, C=C)
    residual { layernorm(); attention(heads=h, window=w) }
    residual { layernorm(); linear(C_out=4*C); gelu(); linear(C_out=C) }
}"""


@pytest.mark.parametrize(("H", "W", "C", "h", "w", "shift"), [
    (4, 4, 8, 2, 2, 0), (4, 6, 8, 2, 2, 1), (6, 9, 12, 3, 3, 1), (14, 14, 6, 1, 7, 3),
])
def test_swin_block_equals_transformers_swin_layer(H: int, W: int, C: int, h: int, w: int, shift: int) -> None:
    """transformers' SwinLayer (window attention with a relative position bias, shifted or not) against a
    symcount block: parameters, buffers, every tensor's shape, and MACs under FlopCounterMode.

    The MAC rule, derived: the H·W = L positions are cut into L/w^2 windows of w^2 positions; each window
    runs h heads of attention over its own w^2 queries and w^2 keys, so the scores are
    (L/w^2) · h · w^2 · w^2 · d_k = L · w^2 · h · d_k multiplications, and the weighted sum of the values as
    many with d_v: the global rule with the key count S = w^2 in place of L. The projections are per position
    (4 · L · d_model^2), the cyclic shift and its mask are additions (none), the bias table is a gather (none).
    SwinLayer runs eager attention (two matmuls per window and head), which FlopCounterMode counts.
    """
    transformers = needs.module("transformers")
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  lazy: optional dependency
    from transformers.models.swin.modeling_swin import SwinLayer  # noqa: PLC0415  lazy: optional dependency

    config = transformers.SwinConfig(embed_dim=C, window_size=w, qkv_bias=True)
    config._attn_implementation = "eager"
    module = SwinLayer(config, dim=C, input_resolution=(H, W), num_heads=h, shift_size=shift)
    result = symcount.count(SWIN_BLOCK, values={"H": H, "W": W, "C": C, "h": h, "w": w})
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(module)
    attention = next(layer for layer in result.layers if layer.kind == "attention")
    assert {t.name: tuple(int(n) for n in t.shape) for t in attention.tensors} == \
        {name: tuple(t.shape) for name, t in module.attention.named_parameters()} | \
        {name: tuple(t.shape) for name, t in module.attention.named_buffers()}
    assert int(attention.total) == (2 * w - 1) ** 2 * h + 4 * C * C + 4 * C
    assert int(attention.buffers) == w ** 4
    with FlopCounterMode(display=False) as counter:
        out, *_ = module(torch.randn(1, H * W, C), (H, W), always_partition=True)
    assert result.macs == counter.get_total_flops() // 2
    assert int(attention.macs) == 4 * H * W * C * C + 2 * (H * W // w ** 2) * h * w ** 2 * w ** 2 * (C // h)
    assert tuple(out.shape) == (1, H * W, C)
    assert tuple(int(n) for n in result.layers[-1].output_shape) == (C, H, W)


def test_swin_t_equals_transformers() -> None:
    """derivations/zoo/swin_t.sc against SwinForImageClassification (Swin-T, 1,000 labels) on the meta device:
    the relative position bias tables are parameters, their index buffers (49 x 49 each) buffers."""
    transformers = needs.module("transformers")
    from pathlib import Path  # noqa: PLC0415  lazy: only this test reads the zoo

    config = transformers.SwinConfig(image_size=224, patch_size=4, embed_dim=96, depths=[2, 2, 6, 2],
                                     num_heads=[3, 6, 12, 24], window_size=7, num_labels=1000)
    with torch.device("meta"):
        model = transformers.SwinForImageClassification(config)
    result = symcount.count(Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "swin_t.sc")
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(model)
    assert result.total == sum(p.numel() for p in model.parameters()) == 28_288_354
    assert result.buffers == sum(b.numel() for b in model.buffers()) == 28_812
    tables = [int(t.size) for layer in result.layers for t in layer.tensors
              if t.name.endswith("relative_position_bias_table")]
    assert tables == [p.numel() for n, p in model.named_parameters() if n.endswith("relative_position_bias_table")]


# ------------------------------------------------------------------ the zoo: ViT-B/16

def test_vit_b16_equals_transformers() -> None:
    """derivations/zoo/vit_b16.sc against ViTForImageClassification (ViT-B/16, 1,000 labels) on the meta device."""
    transformers = needs.module("transformers")
    from pathlib import Path  # noqa: PLC0415  lazy: only this test reads the zoo

    config = transformers.ViTConfig(image_size=224, patch_size=16, hidden_size=768, num_hidden_layers=12,
                                    num_attention_heads=12, intermediate_size=3072, num_labels=1000)
    with torch.device("meta"):
        model = transformers.ViTForImageClassification(config)
    result = symcount.count(Path(__file__).resolve().parent.parent / "derivations" / "zoo" / "vit_b16.sc")
    assert (result.trainable, result.non_trainable, result.buffers) == torch_counts(model)
    assert result.total == sum(p.numel() for p in model.parameters()) == 86_567_656
    tokens = [layer for layer in result.layers if layer.kind in ("class_token", "pos_embedding")]
    assert [int(layer.total) for layer in tokens] == [model.vit.embeddings.cls_token.numel(),
                                                       model.vit.embeddings.position_embeddings.numel()]
