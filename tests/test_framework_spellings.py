"""Layers written as the frameworks spell them count as the frameworks do.

Exam questions quote framework code (``Dense(64, activation="relu")``,
``nn.Conv2d(3, 16, 3, 2, 1)``, ``GlobalAveragePooling2D()``): each call below is
valid symcount and valid Python, and is built with the real framework to
check symcount's count and output shape.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import pytest  # noqa: E402

from symcount.catalog import lookup  # noqa: E402

KERAS_NAMES = [
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool2D", "MaxPool2D", "MaxPooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool2D",
    "GlobalMaxPool2D", "GlobalMaxPooling2D", "AdaptiveAveragePooling2D", "AdaptiveMaxPooling2D",
]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_keras_layer_names_resolve(name: str) -> None:
    assert hasattr(keras.layers, name), f"{name} is not a Keras layer"
    assert lookup(name) is not None, f"symcount does not know Keras's {name}"
