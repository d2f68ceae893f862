"""Bare tensors of a model: a learned tensor of any shape, and a buffer of any shape.

PyTorch code keeps tensors that are not a layer's weights on the module itself: a learned one
as ``self.cls_token = nn.Parameter(torch.zeros(1, 1, d))`` (in ``parameters()``), a fixed one
as ``self.register_buffer("mask", torch.tril(torch.ones(n, n)))`` (in ``buffers()``, also with
``persistent=False``, which only keeps it out of ``state_dict``). Keras keeps the same with
``add_weight(shape, trainable=...)``. These two entries count such a tensor as torch and Keras do:
``parameter(shape=(1, 1, d))`` and ``buffer(shape=(n, n))``, named by ``name=`` as the framework
names it. Neither changes the values flowing through a network.
"""

from __future__ import annotations

import sympy

from symcount.catalog.common import _identity_shape, _zero_macs
from symcount.catalog.core import FLAG, REQUIRED, SIZES, STRING, TRAINABLE, Args, ArgSpec, LayerType, Tensor, register

_NO_TORCH = "a bare tensor of the module ({how}), not a torch.nn module"
_NO_KERAS = "a weight a custom layer makes with add_weight({how}), not a keras.layers class"
_NO_MACS = "no computation: a tensor kept by the model (0 MACs)"


def _shape(a: Args) -> tuple[sympy.Expr, ...]:
    return a.shape if isinstance(a.shape, tuple) else (a.shape,)


def _names(a: Args) -> str:
    """n for a vector, n_1*n_2*... for more sizes (each bound by :func:`_bindings`)."""
    shape = _shape(a)
    return "n" if len(shape) == 1 else "*".join(f"n_{i}" for i in range(1, len(shape) + 1))


def _bindings(a: Args, convention: str) -> dict[str, sympy.Expr]:
    shape = _shape(a)
    if len(shape) == 1:
        return {"n": shape[0]}
    return {f"n_{i}": n for i, n in enumerate(shape, start=1)}


def _symbols(what: str) -> dict[str, str]:
    ordinal = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    return {"n": f"the {what}'s size", **{f"n_{i}": f"the {what}'s {word} size" for i, word in enumerate(ordinal, 1)}}


def _shape_arg(what: str) -> ArgSpec:
    return ArgSpec("shape", SIZES, REQUIRED, ("size",), doc=f"the {what}'s sizes: a size or a tuple of sizes")


def _name_arg(default: str) -> ArgSpec:
    return ArgSpec("name", STRING, default, (), doc="the tensor's name, as the framework names it")


register(LayerType(
    name="parameter",
    aliases=("learned_tensor", "nn_parameter"),
    missing={"pytorch": _NO_TORCH.format(how="nn.Parameter(torch.zeros(...))"),
             "keras": _NO_KERAS.format(how="trainable=True")},
    description="A learned tensor of any shape (nn.Parameter): counted as parameters, the values flow past it.",
    args=(_shape_arg("tensor"), _name_arg("weight"), TRAINABLE),
    tensors=lambda a, c: [Tensor(a.name, _shape(a))],
    formulas=lambda a, c: {"param": _names(a)},
    bindings=_bindings,
    symbols=_symbols("tensor"),
    shape=_identity_shape,
    macs=_zero_macs,
    macs_unchecked=_NO_MACS,
))


def _buffer_caveats(a: Args, convention: str) -> list[str]:
    if convention == "pytorch" and a.persistent is False:
        return [f"{a.name} is not persistent: in buffers() and counted, but not saved in state_dict"]
    return []


register(LayerType(
    name="buffer",
    aliases=("register_buffer",),
    missing={"pytorch": _NO_TORCH.format(how="self.register_buffer(name, tensor)"),
             "keras": _NO_KERAS.format(how="trainable=False")},
    description="A fixed tensor of any shape (register_buffer): a buffer in PyTorch, a non-trainable weight in "
                "Keras.",
    args=(_shape_arg("buffer"), _name_arg("buffer"),
          ArgSpec("persistent", FLAG, True, (), doc="PyTorch: false keeps it out of state_dict (still a buffer)"),
          TRAINABLE),
    tensors=lambda a, c: [Tensor(a.name, _shape(a), role="stat")],
    formulas=lambda a, c: {"stat": _names(a)},
    bindings=_bindings,
    symbols=_symbols("buffer"),
    shape=_identity_shape,
    macs=_zero_macs,
    macs_unchecked=_NO_MACS,
    caveats=_buffer_caveats,
    zero_reason="no learned weights",
))
