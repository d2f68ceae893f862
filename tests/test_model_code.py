"""Model code read from Python (``symcount count model.py``) against the real frameworks.

Each file in ``tests/model_code/`` is real model code of the kind tutorials and courses use. The
same file is run with real PyTorch or Keras (``KERAS_BACKEND=torch``) in a subprocess, and
symcount's count, read without running anything, must equal it exactly: total, trainable,
non-trainable, buffers, and the output shape where symcount followed the shapes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import needs
import pytest

import symcount
from symcount.counting import describe

HERE = Path(__file__).parent
CODE = HERE / "model_code"

#: (file, the model: a variable the file binds or a class built with its defaults)
TORCH = [
    ("torch_mnist.py", "Net"),
    ("torch_cifar10_tutorial.py", "net"),
    ("torch_dcgan.py", "netG"),
    ("torch_dcgan.py", "netD"),
    ("torch_word_language_model.py", "model"),
    ("torch_vae.py", "model"),
    ("torch_transformer_scratch.py", "TinyGPT"),
]
KERAS = [
    ("keras_mnist_convnet.py", "model"),
    ("keras_model_add.py", "model"),
    ("keras_functional_branches.py", "model"),
    ("keras_subclassed.py", "model"),
]


@cache
def truth(framework: str) -> dict[str, Any]:
    """Every file of one framework run once, in one subprocess."""
    needs.module("torch")
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        needs.module("keras")
    cases = TORCH if framework == "pytorch" else KERAS
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(HERE.parent))
    targets = [f"{CODE / file}#{name}" for file, name in cases]
    done = subprocess.run([sys.executable, str(HERE / "model_code_truth.py"), framework, *targets],
                          capture_output=True, text=True, env=env, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _check(framework: str, file: str, name: str) -> None:
    expected = truth(framework)[f"{CODE / file}#{name}"]
    convention = "keras" if framework == "keras" else "pytorch"
    result = symcount.count(CODE / file, network=name, convention=convention)
    got = {"total": result.total, "trainable": result.trainable, "non_trainable": result.non_trainable,
           "buffers": result.buffers}
    assert got == {k: expected[k] for k in got}
    if expected["output_shape"] is not None:
        assert list(result.output_shape or ()) == expected["output_shape"]


@pytest.mark.parametrize(("file", "name"), TORCH, ids=[f"{f}#{n}" for f, n in TORCH])
def test_torch_code_counts_as_torch(file: str, name: str) -> None:
    _check("pytorch", file, name)


@pytest.mark.parametrize(("file", "name"), KERAS, ids=[f"{f}#{n}" for f, n in KERAS])
def test_keras_code_counts_as_keras(file: str, name: str) -> None:
    _check("keras", file, name)


def test_the_mnist_example_is_the_issue_number() -> None:
    """The issue's first complaint: PyTorch's MNIST example, 1,199,882 parameters."""
    assert symcount.count(CODE / "torch_mnist.py").total == 1_199_882


def test_the_description_reads_back() -> None:
    """``describe`` prints a description that counts to the same numbers."""
    text = describe(CODE / "torch_transformer_scratch.py")
    assert "tied=tok_emb" in text
    assert symcount.count(text).total == symcount.count(CODE / "torch_transformer_scratch.py").total


def test_default_model_is_the_module_level_one() -> None:
    """Without --network, the file's ``model`` (or its last model built at the top level) is counted."""
    assert symcount.count(CODE / "torch_dcgan.py").network == "netD"
    assert symcount.count(CODE / "torch_word_language_model.py").network == "model"


def test_forward_is_not_followed_and_says_so() -> None:
    result = symcount.count(CODE / "torch_mnist.py")
    assert any("shapes were not followed" in note for note in result.notes)
