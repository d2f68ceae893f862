"""Every argument of every framework class a catalog entry spells takes effect, or says why not.

For each ``torch.nn`` class and ``keras.layers`` class an entry spells, every argument of its
signature (``inspect.signature``) must be one of three things: modelled (an ``ArgSpec`` of the
entry), ignored on purpose (listed in the entry's ``ignored=``: it changes no count and no shape),
or unmodelled and refused (listed in ``unmodelled=``: its default is accepted, and a call that
passes another value gets a positioned error naming it). An argument that silently does nothing
would be a wrong answer. The options symcount does follow here (the channel axis of Keras's
normalisations, Embedding on ids of any rank, PyTorch's bias switch of its normalisations) are
proven against the real layers (Keras 3 on the torch backend, torch.nn).
"""

from __future__ import annotations

import inspect
import os

os.environ["KERAS_BACKEND"] = "torch"

from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy  # noqa: E402
import torch  # noqa: E402
from keras import layers as kl  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import symcount  # noqa: E402
from symcount import SymcountError  # noqa: E402
from symcount.catalog.core import CATALOG, LayerType, Spelling, Unmodelled  # noqa: E402
from symcount.catalog.wrappers import WRAPPERS, Wrapper  # noqa: E402
from symcount.cli.main import main  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SPELLINGS = [(entry, spelling) for entry in CATALOG.values() for spelling in entry.spellings]


def framework_class(spelling: Spelling) -> type:
    module: Any = nn if spelling.framework == "pytorch" else keras.layers
    cls = getattr(module, spelling.name)
    assert isinstance(cls, type), spelling
    return cls


def parameters(cls: type) -> list[inspect.Parameter]:
    """The class's own arguments: not self, not *args / **kwargs (Keras's base-layer options)."""
    return [p for p in inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def call(spelling: Spelling, argument: str, value: Any) -> str:
    prefix = "nn." if spelling.framework == "pytorch" else "layers."
    return f"{prefix}{spelling.name}({argument}={written(value)})"


def written(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


@pytest.mark.parametrize(("entry", "spelling"), SPELLINGS, ids=lambda x: getattr(x, "name", ""))
def test_every_framework_argument_is_modelled_ignored_or_refused(entry: LayerType, spelling: Spelling) -> None:
    unaccounted = [p.name for p in parameters(framework_class(spelling))
                   if entry.find_arg(p.name) is None and not entry.ignores(p.name)
                   and entry.unmodelled_option(p.name) is None]
    assert not unaccounted, (f"{spelling.framework} {spelling.name} ({entry.name}): model, ignore (it changes "
                             f"nothing) or refuse (unmodelled=) each of {unaccounted}")


UNMODELLED = [(entry, spelling, option) for entry, spelling in SPELLINGS
              for option in entry.unmodelled
              if option.name in {p.name for p in parameters(framework_class(spelling))}]


@pytest.mark.parametrize(("entry", "spelling", "option"), UNMODELLED,
                         ids=lambda x: getattr(x, "name", ""))
def test_an_unmodelled_option_is_refused_by_name_and_its_default_accepted(
        entry: LayerType, spelling: Spelling, option: Unmodelled) -> None:
    text = call(spelling, option.name, option.example)
    with pytest.raises(SymcountError) as info:
        symcount.count(text, convention=spelling.framework)
    err = info.value
    assert f"{option.name}={written(option.example)} is not modelled" in err.message, text
    assert (err.line, err.column) == (1, text.index("=") + 2), text  # at the value
    default = inspect.signature(framework_class(spelling).__init__).parameters[option.name].default
    value = sympy.Integer(default) if isinstance(default, int) and not isinstance(default, bool) else default
    assert option.accepts(value, None), f"{spelling.name}'s default {option.name}={default!r} must be accepted"


def test_every_unmodelled_option_is_some_framework_classs_argument() -> None:
    """An entry refuses only options its frameworks have (a misspelt name would refuse nothing)."""
    names = {(entry.name, option.name) for entry, _, option in UNMODELLED}
    stray = [(entry.name, option.name) for entry in CATALOG.values() for option in entry.unmodelled
             if (entry.name, option.name) not in names]
    assert not stray


def test_an_unmodelled_option_is_refused_in_python_code_too(tmp_path: Any) -> None:
    path = tmp_path / "model.py"
    path.write_text("import keras\nmodel = keras.Sequential([keras.Input(shape=(3, 32, 32)),\n"
                    "    keras.layers.Conv2D(16, 3, data_format='channels_first')])\n")
    with pytest.raises(SymcountError, match="data_format=\"channels_first\" is not modelled") as info:
        symcount.count(path)
    assert info.value.line == 3


# ---------------------------------------------------------------------------- against the real layers


def keras_model(shape: tuple[int, ...], layer: Any, dtype: str = "float32") -> keras.Model:
    inp = keras.Input(shape=shape, dtype=dtype)
    return keras.Model(inp, layer(inp))


@pytest.mark.parametrize("kind", ["BatchNormalization", "GroupNormalization", "RMSNormalization"])
@pytest.mark.parametrize("shape", [(5, 7, 4), (6, 4), (3, 5, 7, 4)])
def test_keras_normalisations_take_the_channel_axis_and_refuse_another(kind: str, shape: tuple[int, ...]) -> None:
    """axis=-1 or the channel axis's number count as Keras does; another axis sizes Keras's weights
    differently (proven) and is refused."""
    extra = "groups=2, " if kind == "GroupNormalization" else ""
    dims = dict(zip({2: "LC", 3: "HWC", 4: "DHWC"}[len(shape)], shape, strict=True))
    inputs = ", ".join(f"{name}={size}" for name, size in dims.items())
    for axis in (-1, len(shape)):
        model = keras_model(shape, getattr(kl, kind)(**({"groups": 2} if extra else {}), axis=axis))
        text = f"network n {{ input({inputs}); layers.{kind}({extra}axis={axis}) }}"
        result = symcount.count(text, convention="keras")
        assert result.total == model.count_params(), text
    other = keras_model(shape, getattr(kl, kind)(**({"groups": 1} if extra else {}), axis=1))
    assert other.count_params() != result.total  # the axis changes Keras's count: ignoring it would be wrong
    text = f"network n {{ input({inputs}); layers.{kind}({extra.replace('2', '1')}axis=1) }}"
    with pytest.raises(SymcountError, match="axis=1 is not modelled"):
        symcount.count(text, convention="keras")


@pytest.mark.parametrize("shape", [(7,), (7, 5), (3, 4, 5), (2, 3, 4, 5)])
def test_keras_embedding_keeps_every_axis_of_its_ids(shape: tuple[int, ...]) -> None:
    model = keras_model(shape, kl.Embedding(100, 8), dtype="int32")
    out = model(np.zeros((1, *shape), dtype="int32"))
    names = {1: "L", 2: "LC", 3: "HWC", 4: "DHWC"}[len(shape)]
    inputs = ", ".join(f"{name}={size}" for name, size in zip(names, shape, strict=True))
    result = symcount.count(f"network n {{ input({inputs}); layers.Embedding(100, 8) }}", convention="keras")
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:])
    assert result.total == model.count_params()


@pytest.mark.parametrize(("inputs", "ids"), [("L=7", (7,)), ("L=7, C=5", (7, 5)), ("C=3, H=4, W=5", (3, 4, 5))])
def test_torch_embedding_keeps_every_axis_of_its_ids(inputs: str, ids: tuple[int, ...]) -> None:
    out = nn.Embedding(100, 8)(torch.zeros((1, *ids), dtype=torch.long))
    result = symcount.count(f"network n {{ input({inputs}); nn.Embedding(100, 8) }}")
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:])


@pytest.mark.parametrize("module", [nn.BatchNorm2d(6, bias=False), nn.GroupNorm(3, 6, bias=False),
                                    nn.InstanceNorm2d(6, affine=True, bias=False),
                                    nn.BatchNorm2d(6, affine=False, bias=False)], ids=repr)
def test_torch_normalisations_bias_switch(module: nn.Module) -> None:
    kind = type(module).__name__
    args = {"BatchNorm2d": "6", "GroupNorm": "3, 6", "InstanceNorm2d": "6, affine=true"}[kind]
    if kind == "BatchNorm2d" and not module.affine:  # type: ignore[attr-defined]
        args += ", affine=false"
    result = symcount.count(f"network n {{ input(C=6, H=4, W=4); nn.{kind}({args}, bias=false) }}")
    assert result.trainable == sum(p.numel() for p in module.parameters())
    assert result.buffers == sum(b.numel() for b in module.buffers() if b.is_floating_point())  # no step counter


# ---------------------------------------------------------------------------- PyTorch forms PyTorch accepts


@pytest.mark.parametrize(("inputs", "ids", "call", "module"), [
    ("L=4, C=8", (4, 8), "nn.RMSNorm((4, 8))", nn.RMSNorm((4, 8))),
    ("L=4, C=8", (4, 8), "nn.LayerNorm((4, 8))", nn.LayerNorm((4, 8))),
    ("L=4, C=8", (4, 8), "nn.RMSNorm([8])", nn.RMSNorm([8])),
    ("C=3, H=16, W=32", (3, 16, 32), "nn.LayerNorm(32)", nn.LayerNorm(32)),
    ("C=3, H=16, W=32", (3, 16, 32), "nn.RMSNorm(32)", nn.RMSNorm(32)),
    ("C=3, H=16, W=32", (3, 16, 32), "nn.LayerNorm((16, 32), bias=False)", nn.LayerNorm((16, 32), bias=False)),
    ("C=32, H=16, W=32", (32, 16, 32), "nn.LayerNorm(32)", nn.LayerNorm(32)),
])
def test_torch_normalised_shapes_as_pytorch_takes_them(inputs: str, ids: tuple[int, ...], call: str,
                                                       module: nn.Module) -> None:
    out = module(torch.zeros((1, *ids)))
    result = symcount.count(f"network n {{ input({inputs}); {call} }}")
    assert result.total == sum(p.numel() for p in module.parameters()), call
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:]), call
    [layer] = result.layers
    assert [(t.name, tuple(int(n) for n in t.shape)) for t in layer.tensors if t.size] == \
        [(name, tuple(p.shape)) for name, p in module.named_parameters()], call


@pytest.mark.parametrize("call", ["nn.LayerNorm(16)", "nn.RMSNorm((3, 32))"])
def test_a_normalized_shape_that_is_not_the_last_sizes_is_refused(call: str) -> None:
    """PyTorch refuses these on a (3, 16, 32) input (normalized_shape must be the trailing sizes)."""
    text = f"network n {{ input(C=3, H=16, W=32); {call} }}"
    with pytest.raises(RuntimeError):
        eval(call, {"nn": nn})(torch.zeros(1, 3, 16, 32))  # the test runs torch itself; symcount never evals
    with pytest.raises(SymcountError) as info:
        symcount.count(text)
    start = text.index(call) + len(call.split("(")[0])  # at the argument, past the class name
    assert start < info.value.column <= start + len(call.split("(", 1)[1]), info.value
    assert "normalized_shape" in str(info.value)


@pytest.mark.parametrize("args", [(64, 8, 0.1, True, True), (64, 8, 0.0, False, True, True, 32, 16),
                                  (64, 8, 0.1, True, False, False, None, None, True)])
def test_multihead_attention_takes_all_of_torchs_positional_arguments(args: tuple[Any, ...]) -> None:
    module = nn.MultiheadAttention(*args)
    call = "nn.MultiheadAttention(" + ", ".join(written(a) for a in args) + ")"
    result = symcount.count(call)
    assert result.total == sum(p.numel() for p in module.parameters()), call
    [layer] = result.layers
    assert sorted((t.name, tuple(int(n) for n in t.shape)) for t in layer.tensors if t.size) == \
        sorted((name, tuple(p.shape)) for name, p in module.named_parameters()), call


@pytest.mark.parametrize("options", [{}, {"add_zero_attn": True}, {"add_bias_kv": True},
                                     {"add_bias_kv": True, "add_zero_attn": True}], ids=str)
def test_multihead_attention_macs_count_its_extra_keys(options: dict[str, bool]) -> None:
    """add_zero_attn adds no weight but a key to attend to: FlopCounterMode counts it, so does symcount."""
    module = nn.MultiheadAttention(64, 8, batch_first=True, **options)
    x = torch.zeros(1, 10, 64)
    with FlopCounterMode(display=False) as counter:
        module(x, x, x)
    args = "".join(f", {name}={written(value)}" for name, value in options.items())
    result = symcount.count(f"network n {{ input(L=10, C=64); nn.MultiheadAttention(64, 8, batch_first=true{args}) }}")
    assert result.macs == counter.get_total_flops() // 2
    assert result.total == sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("wrapper", list(WRAPPERS.values()), ids=lambda w: w.name)
def test_every_keras_wrapper_argument_is_read_ignored_or_refused(wrapper: Wrapper) -> None:
    """Bidirectional and TimeDistributed: each argument is in the wrapper's order (read, or refused
    there by name as backward_layer is) or ignored on purpose."""
    cls = getattr(keras.layers, wrapper.keras.name)
    unaccounted = [p.name for p in parameters(cls) if p.name not in (*wrapper.order, *wrapper.ignored)]
    assert not unaccounted, (wrapper.name, unaccounted)


def test_an_unmodelled_option_exits_2_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["count", "--convention", "keras", 'layers.MaxPooling2D(2, data_format="channels_first")'])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith('<input>:1:36: maxpool2d: data_format="channels_first" is not modelled')


@pytest.mark.parametrize("call", ["nn.Flatten(1, -1)", "nn.Flatten(1)", "nn.Flatten(start_dim=1, end_dim=-1)"])
def test_flatten_takes_torchs_positional_defaults(call: str) -> None:
    out = eval(call, {"nn": nn})(torch.zeros(1, 3, 4, 4))  # the test runs torch itself; symcount never evals
    result = symcount.count(f"network n {{ input(C=3, H=4, W=4); {call} }}")
    assert tuple(int(n) for n in result.output_shape) == tuple(out.shape[1:]), call


@pytest.mark.parametrize(("entry", "spelling"), [(e, s) for e, s in SPELLINGS if s.order is None],
                         ids=lambda x: getattr(x, "name", ""))
def test_a_spelling_without_an_order_takes_its_classs_positional_arguments_in_the_catalogs_order(
        entry: LayerType, spelling: Spelling) -> None:
    """Without an order of its own a spelling reads positional arguments in the catalog's order: that
    must be the real class's, or ``GlobalAveragePooling2D("channels_first")`` would set keepdims."""
    ours = [spec.name for spec in entry.args if spec.name not in ("trainable", "tied")]
    theirs = [p.name for p in parameters(framework_class(spelling)) if p.kind == p.POSITIONAL_OR_KEYWORD]
    for index, name in enumerate(theirs):
        if name in ("device", "dtype", "name", "inplace") and index >= len(ours):
            continue  # no count: a call may write them by name
        spec = entry.find_arg(name)
        assert index < len(ours) and spec is not None and spec.name == ours[index], \
            f"{spelling.name}: position {index} is {name}, the catalog's order has {ours[index:index + 1]}"
