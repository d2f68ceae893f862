"""Run model code with the real framework and print its counts as JSON (a subprocess of the tests).

``python tests/model_code_truth.py pytorch FILE#MODEL ...`` (or ``keras``): each file is run with
:func:`runpy.run_path` (not as ``__main__``, so no training starts); MODEL names a variable the file
binds or a class built with its default arguments. ``FILE#MODEL#3,32,32`` also runs a PyTorch model's
forward on a batch of one input of that shape (in eval mode, under ``FlopCounterMode``): its output
shape without the batch, and its MACs (FLOPs / 2). torchvision, absent from the test extra, is a stub.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import types
from typing import Any


def _stub_torchvision() -> None:
    for name in ("torchvision", "torchvision.datasets", "torchvision.transforms"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["torchvision"].datasets = sys.modules["torchvision.datasets"]  # type: ignore[attr-defined]
    sys.modules["torchvision"].transforms = sys.modules["torchvision.transforms"]  # type: ignore[attr-defined]


def _stub_tensorflow() -> None:
    """``from tensorflow import keras`` as Keras 3 itself (tensorflow is not in the test extra)."""
    import keras  # noqa: PLC0415  lazy: only in the Keras subprocess

    tf = types.ModuleType("tensorflow")
    tf.keras = keras  # type: ignore[attr-defined]
    sys.modules.setdefault("tensorflow", tf)
    sys.modules.setdefault("tensorflow.keras", keras)
    sys.modules.setdefault("tensorflow.keras.layers", keras.layers)


def _model(path: str, name: str) -> Any:
    names = runpy.run_path(path, run_name="model_code")
    value = names[name]
    return value() if isinstance(value, type) else value


def torch_counts(path: str, name: str, shape: str = "") -> dict[str, Any]:
    import torch  # noqa: PLC0415  lazy: only in the PyTorch subprocess
    from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415  lazy: as above

    model = _model(path, name)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    out: dict[str, Any] = {"total": trainable + frozen, "trainable": trainable, "non_trainable": frozen,
                           "buffers": buffers, "output_shape": None, "macs": None,
                           # every module's name, and whether it is a leaf with weights of its own
                           "modules": {name: not any(True for _ in m.children())
                                       and any(True for _ in m.parameters(recurse=False))
                                       for name, m in model.named_modules() if name}}
    if shape:
        model.eval()
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            output = model(torch.zeros(1, *(int(n) for n in shape.split(","))))
        if isinstance(output, (tuple, list)):  # several outputs: each one's shape
            out["outputs"] = [list(o.shape[1:]) for o in output]
        else:
            out["output_shape"] = list(output.shape[1:])
        out["macs"] = counter.get_total_flops() // 2
    return out


def keras_counts(path: str, name: str) -> dict[str, Any]:
    import numpy as np  # noqa: PLC0415  lazy: only in the Keras subprocess

    model = _model(path, name)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    frozen = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    outputs: list[list[int]] = []
    try:
        shape: list[Any] | None = list(model.output_shape[1:])
        if isinstance(model.output_shape, list):  # several outputs: each one's shape
            outputs, shape = [list(s[1:]) for s in model.output_shape], None
    except (AttributeError, ValueError):
        shape = None
    return {"total": int(model.count_params()), "trainable": trainable, "non_trainable": frozen, "buffers": 0,
            "output_shape": shape, "outputs": outputs}


def main() -> None:
    framework, *targets = sys.argv[1:]
    if framework == "pytorch":
        _stub_torchvision()
    else:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        _stub_tensorflow()
    out = {}
    for target in targets:
        path, _, rest = target.partition("#")
        name, _, shape = rest.partition("#")
        out[target] = torch_counts(path, name, shape) if framework == "pytorch" else keras_counts(path, name)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
