"""The CNN model zoo equals the frameworks exactly: trainable, non-trainable, buffers.

Every description in ``derivations/zoo/`` is counted by symcount and compared with
the real model: Keras Applications built with ``weights=None`` (KERAS_BACKEND=torch;
each built once per session) and reference ``torch.nn`` modules in torchvision's
layout (``reference_cnn``; built on the meta device, so no memory is allocated).
Per-layer output shapes are compared with a real forward pass.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import needs
import pytest
import reference_cnn as ref
import torch
from torch import nn

import symcount
from symcount.engine.count import Column, Count, summary_table
from symcount.engine.names import display_names

os.environ.setdefault("KERAS_BACKEND", "torch")

ZOO = Path(__file__).resolve().parent.parent / "derivations" / "zoo"


@dataclass(frozen=True)
class Counts:
    trainable: int
    non_trainable: int
    buffers: int

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


def symcount_counts(name: str, convention: str = "pytorch", **values: Any) -> Counts:
    result = symcount.count(ZOO / f"{name}.sc", convention=convention, values=values or None)
    return Counts(int(result.trainable), int(result.non_trainable), int(result.buffers))


# ---------------------------------------------------------------------------- torch


def torch_counts(model: nn.Module) -> Counts:
    """What PyTorch reports: parameters by requires_grad, buffers without num_batches_tracked."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    return Counts(trainable, frozen, buffers)


def on_meta(factory: Callable[[], nn.Module]) -> nn.Module:
    with torch.device("meta"):
        return factory().eval()


TORCH_MODELS: dict[str, tuple[Callable[[], nn.Module], int, int]] = {
    # zoo file: (reference module, torchvision's published parameters, buffers)
    "lenet5": (ref.LeNet5, 61_706, 0),
    "alexnet": (ref.AlexNet, 61_100_840, 0),
    "vgg16": (ref.VGG16, 138_357_544, 0),
    "resnet18": (ref.resnet18, 11_689_512, 9_600),
    "resnet50": (ref.resnet50, 25_557_032, 53_120),
    "mobilenet_v2": (ref.MobileNetV2, 3_504_872, 34_112),
    "densenet121": (ref.DenseNet121, 7_978_856, 83_648),
    "shufflenet_v2": (ref.ShuffleNetV2, 2_278_604, 16_180),
    "se_resnet50_block": (ref.se_resnet50_block, 83_472, 1_280),
}


@pytest.mark.parametrize("name", sorted(TORCH_MODELS))
def test_zoo_equals_torch_reference(name: str) -> None:
    factory, published, published_buffers = TORCH_MODELS[name]
    expected = torch_counts(on_meta(factory))
    # the reference module is faithful to torchvision's published numbers ...
    assert (expected.total, expected.buffers) == (published, published_buffers)
    # ... and the description equals it, category by category
    assert symcount_counts(name) == expected


#: zoo files whose labels name every tensor as the reference's state_dict does (torchvision's keys)
NAMED_AS_TORCHVISION = ("resnet18", "resnet50", "vgg16", "alexnet", "se_resnet50_block", "mobilenet_v2",
                        "densenet121", "shufflenet_v2")


def displayed_keys(result: Count) -> set[str]:
    """Every tensor's name as documents show it: the layer's displayed name (``layer1.0.conv1``, see
    ``display_names``) and the tensor's own (``weight``, ``num_batches_tracked``), joined as ``LayerResult.key``."""
    shown = display_names(result.layers, result.blocks)
    return {shown.get(layer.name, layer.name) + layer.key(tensor.name)[len(layer.name):]
            for layer in result.layers for tensor in layer.tensors}


@pytest.mark.parametrize("name", NAMED_AS_TORCHVISION)
def test_zoo_names_are_the_reference_state_dict_keys(name: str) -> None:
    """What a reader looks up in ``model.state_dict()`` is what the count table and derivation show:
    the same keys, buffers and ``num_batches_tracked`` included, none missing, none extra."""
    factory = TORCH_MODELS[name][0]
    expected = set(on_meta(factory).state_dict())
    result = symcount.count(ZOO / f"{name}.sc")
    got = displayed_keys(result)
    assert sorted(got - expected) == [] and sorted(expected - got) == []
    # the count table's rows are these modules: each key is a row's name and a tensor's
    rows = {row[Column.NAME] for row in summary_table(result).rows}
    assert all(key.rsplit(".", 1)[0] in rows for key in got)


def test_resnet50_conv_bias_adds_one_bias_per_conv() -> None:
    """conv_bias=true is torchvision + one bias vector per convolution (the Keras layout)."""
    model = on_meta(ref.resnet50)
    conv_biases = sum(m.out_channels for m in model.modules() if isinstance(m, nn.Conv2d))
    with_bias = symcount_counts("resnet50", conv_bias=True)
    assert with_bias.trainable == torch_counts(model).trainable + conv_biases
    assert conv_biases == 26_560


# shapes: leaf modules that symcount also lists, in execution order
SHAPE_MODULES = (nn.Conv2d, nn.BatchNorm2d, nn.Linear, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)
SHAPE_KINDS = ("conv2d", "depthwise_conv2d", "batchnorm", "linear", "maxpool2d", "avgpool2d", "adaptive_avgpool2d")


def torch_shapes(model: nn.Module, size: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    seen: list[tuple[str, tuple[int, ...]]] = []

    def hook(module: nn.Module, args: Any, output: torch.Tensor) -> None:
        seen.append((type(module).__name__, tuple(output.shape[1:])))

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, SHAPE_MODULES)]
    with torch.no_grad():
        model(torch.zeros(1, *size, device="meta"))
    for handle in handles:
        handle.remove()
    return seen


@pytest.mark.parametrize(("name", "factory", "size"), [
    ("lenet5", ref.LeNet5, (1, 32, 32)),
    ("alexnet", ref.AlexNet, (3, 224, 224)),
    ("vgg16", ref.VGG16, (3, 224, 224)),
    ("resnet18", ref.resnet18, (3, 224, 224)),
    ("resnet50", ref.resnet50, (3, 224, 224)),
    ("mobilenet_v2", ref.MobileNetV2, (3, 224, 224)),
    ("densenet121", ref.DenseNet121, (3, 224, 224)),
])
def test_zoo_layer_shapes_equal_torch_forward(name: str, factory: Callable[[], nn.Module],
                                              size: tuple[int, ...]) -> None:
    model = on_meta(factory)
    expected = torch_shapes(model, size)
    result = symcount.count(ZOO / f"{name}.sc")
    # torchvision's DenseNet and MobileNetV2 pool with a function, not a module
    kinds = SHAPE_KINDS if any(isinstance(m, nn.AdaptiveAvgPool2d) for m in model.modules()) \
        else tuple(k for k in SHAPE_KINDS if k != "adaptive_avgpool2d")
    got = [(layer.name, tuple(int(d) for d in layer.output_shape))
           for layer in result.layers if layer.kind in kinds and layer.output_shape is not None]
    assert len(got) == len(expected)
    for (layer_name, shape), (module, torch_shape) in zip(got, expected, strict=True):
        assert shape == torch_shape, f"{layer_name} vs {module}"
    classes = 10 if name == "lenet5" else 1000
    assert tuple(int(d) for d in result.output_shape) == (classes,)


# ---------------------------------------------------------------------------- keras


@dataclass(frozen=True)
class KerasModel:
    counts: Counts
    count_params: int
    shapes: list[tuple[str, tuple[int, ...]]]


KERAS_SHAPE_LAYERS = ("Conv2D", "DepthwiseConv2D", "BatchNormalization", "Dense", "MaxPooling2D")


@pytest.fixture(scope="module")
def keras_models() -> Callable[[str], KerasModel]:
    """Build each Keras Application once, keep only its numbers (VGG16 holds 550 MB)."""
    keras = needs.module("keras")
    cache: dict[str, KerasModel] = {}

    def build(name: str) -> KerasModel:
        if name not in cache:
            model = getattr(keras.applications, name)(weights=None)
            trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
            frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
            shapes = [(type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers
                      if type(layer).__name__ in KERAS_SHAPE_LAYERS]
            cache[name] = KerasModel(Counts(trainable, frozen, 0), model.count_params(), shapes)
            del model
            keras.backend.clear_session()
        return cache[name]

    return build


@pytest.mark.parametrize(("name", "application", "values", "published"), [
    ("vgg16", "VGG16", {}, 138_357_544),
    ("resnet50", "ResNet50", {"conv_bias": True}, 25_636_712),
    ("mobilenet_v2", "MobileNetV2", {}, 3_538_984),
    ("densenet121", "DenseNet121", {}, 8_062_504),
    ("efficientnet_b0", "EfficientNetB0", {}, 5_330_571),
    ("mobilenet_v3_small", "MobileNetV3Small", {}, 2_554_968),
    ("convnext_tiny", "ConvNeXtTiny", {}, 28_589_128),
])
def test_zoo_equals_keras_applications(keras_models: Callable[[str], KerasModel], name: str, application: str,
                                       values: dict[str, Any], published: int) -> None:
    keras_model = keras_models(application)
    assert keras_model.count_params == keras_model.counts.total == published
    got = symcount_counts(name, "keras", **values)
    assert got == keras_model.counts
    result = symcount.count(ZOO / f"{name}.sc", convention="keras", values=values or None)
    assert int(result.total) == keras_model.count_params


def test_resnet50_keras_is_torchvision_plus_biases_plus_statistics(keras_models: Callable[[str], KerasModel]) -> None:
    """Keras = torchvision + 26,560 conv biases + 53,120 running statistics."""
    keras_total = keras_models("ResNet50").count_params
    torchvision = torch_counts(on_meta(ref.resnet50))
    model = on_meta(ref.resnet50)
    conv_biases = sum(m.out_channels for m in model.modules() if isinstance(m, nn.Conv2d))
    assert keras_total == torchvision.total + conv_biases + torchvision.buffers
    pytorch_side = symcount.count(ZOO / "resnet50.sc")
    keras_side = symcount.count(ZOO / "resnet50.sc", convention="keras", values={"conv_bias": True})
    assert keras_side.total - pytorch_side.total == conv_biases + pytorch_side.buffers


@pytest.mark.parametrize(("name", "application"), [("vgg16", "VGG16"), ("mobilenet_v2", "MobileNetV2"),
                                                    ("densenet121", "DenseNet121"), ("efficientnet_b0", "EfficientNetB0")])
def test_zoo_layer_shapes_equal_keras(keras_models: Callable[[str], KerasModel], name: str,
                                      application: str) -> None:
    expected = keras_models(application).shapes
    result = symcount.count(ZOO / f"{name}.sc", convention="keras")
    kinds = ("conv2d", "depthwise_conv2d", "batchnorm", "linear", "maxpool2d")
    got = [(layer.name, tuple(int(d) for d in layer.output_shape)) for layer in result.layers if layer.kind in kinds]
    assert len(got) == len(expected)
    for (layer_name, shape), (keras_layer, keras_shape) in zip(got, expected, strict=True):
        assert shape == keras_shape, f"{layer_name} vs {keras_layer}"


# ---------------------------------------------------------------------------- docs/zoo.md


def test_docs_zoo_table_states_the_counts() -> None:
    """Every row of the table in docs/zoo.md is what symcount counts for that file."""
    page = (ZOO.parent.parent / "docs" / "zoo.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `(\w+)\.sc` \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|$", page, re.M)
    assert {row[0] for row in rows} == {p.stem for p in ZOO.glob("*.sc")}
    for name, params, buffers, keras_total, macs in rows:
        torch_side = symcount.count(ZOO / f"{name}.sc")
        keras_side = symcount.count(ZOO / f"{name}.sc", convention="keras",
                                    values={"conv_bias": True} if name == "resnet50" else None)
        stated = [int(x.replace(",", "")) for x in (params, buffers, keras_total, macs)]
        assert stated == [torch_side.total, torch_side.buffers, keras_side.total, torch_side.macs], name
