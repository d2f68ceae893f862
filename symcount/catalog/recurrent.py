"""Recurrent layers: Elman RNN, LSTM (with projections) and GRU, both frameworks' bias layouts."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from symcount.catalog.common import bias_arg, positions, size
from symcount.catalog.core import (
    _KERNEL_OPTIONS,
    COUNT,
    FLAG,
    ONE,
    SIZE,
    STRING,
    TRAINABLE,
    ZERO,
    Args,
    ArgSpec,
    FormulaRule,
    LayerType,
    MacRule,
    Tensor,
    TensorRule,
    Unmodelled,
    _keras_weight_options,
    keras_layer,
    register,
    torch_nn,
)
from symcount.catalog.shapes import Shape
from symcount.errors import SymcountError
from symcount.language.symbols import as_sympy


def _rnn_caveats(kind: str) -> Callable[[Args, str], list[str]]:
    def caveats(a: Args, convention: str) -> list[str]:
        if kind == "lstm" and convention == "keras" and a.get("proj", ZERO) != 0:
            return ["Keras's LSTM has no projection (proj): PyTorch's LSTM(proj_size) layout is counted"]
        if kind == "gru" and convention == "pytorch" and not a.reset_after:
            return ["PyTorch's GRU always resets after the matmul with two bias vectors: "
                    "reset_after=false is Keras's"]
        if convention == "pytorch" and a.get("merge", "concat") != "concat":
            return [f"PyTorch's bidirectional RNN always concatenates the two directions: merge=\"{a.merge}\" "
                    "is Keras's (Bidirectional's merge_mode)"]
        return []

    return caveats


# -- recurrent -------------------------------------------------------------------------

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_RNN_OPTIONS = ("batch_first", "dropout", "recurrent_dropout", "nonlinearity", "activation", "recurrent_activation",
                "unroll", "stateful", "go_backwards", "unit_forget_bias", "seed", *_KERNEL_OPTIONS[1:],
                *_keras_weight_options("recurrent"))


def _rnn_args(kind: str) -> tuple[ArgSpec, ...]:
    args = [
        size("C_in", "input_size", infer="channels", doc="input features"),
        size("hidden", "hidden_size", "units", symbol="H", doc="hidden size"),
        ArgSpec("layers", SIZE, ONE, ("num_layers",), symbol="n", doc="stacked layers"),
        ArgSpec("bidirectional", FLAG, False, (), doc="run both directions"),
        bias_arg(),
    ]
    if kind == "lstm":
        args.append(ArgSpec("proj", COUNT, ZERO, ("proj_size",), symbol="P",
                            doc="LSTM projection size (PyTorch only: Keras has none, so proj > 0 counts PyTorch's layout)"))
    if kind == "gru":
        args.append(ArgSpec("reset_after", FLAG, True, (), doc="Keras GRU reset_after"))
    args.append(ArgSpec("return_sequences", FLAG, None, (),
                        doc="output every step (default: yes in PyTorch, only the last step in Keras)"))
    args.append(ArgSpec("merge", STRING, "concat", ("merge_mode",),
                        doc='how the two directions combine: "concat" (2H wide), "sum", "mul" or "ave" (H wide; '
                            "Keras's Bidirectional merge_mode)"))
    args.append(TRAINABLE)
    return tuple(args)


#: Keras's Bidirectional merge modes that return one output (None returns two).
MERGE_MODES = ("concat", "sum", "mul", "ave")


def _rnn_validate(a: Args) -> tuple[str, str] | None:
    if a.merge not in MERGE_MODES:
        return "merge", f'unknown merge mode "{a.merge}" (valid: {", ".join(MERGE_MODES)})'
    if a.merge != "concat" and not a.bidirectional:
        return "merge", f'merge="{a.merge}" combines two directions: it needs bidirectional=true'
    proj = a.get("proj", ZERO)
    if proj != 0 and as_sympy(proj - a.hidden).is_nonnegative:
        return "proj", (f"proj_size={proj} must be smaller than hidden_size={a.hidden}: a projection makes the "
                        f"hidden state smaller (PyTorch refuses proj_size >= hidden_size)")
    return None


def _rnn_width(a: Args) -> sympy.Expr:
    """How wide one layer's output is: both directions side by side unless they are merged into one."""
    P = a.get("proj", ZERO)
    out_size = P if P != 0 else a.hidden
    return out_size * (2 if a.bidirectional and a.merge == "concat" else 1)


def _pytorch_only_lstm(a: Args, convention: str) -> bool:
    """Keras's LSTM has no projection: with proj > 0 the layer is PyTorch's LSTM(proj_size) in both conventions."""
    return convention == "keras" and a.get("proj", ZERO) != 0


def _rnn_bias_vectors(kind: str, a: Args, convention: str) -> int:
    """How many bias vectors (of G*H) one layer-direction carries."""
    if convention == "pytorch" or _pytorch_only_lstm(a, convention):
        return 2
    if kind == "gru" and a.reset_after:
        return 2
    return 1


#: Most stacked layers one rnn/lstm/gru may have (PyTorch models use a handful).
MAX_RNN_LAYERS = 1_000


def _rnn_tensors(kind: str) -> TensorRule:
    gates = _GATES[kind]

    def tensors(a: Args, convention: str) -> list[Tensor]:
        H = a.hidden
        P = a.get("proj", ZERO)
        out_size = P if P != 0 else H
        directions = 2 if a.bidirectional else 1
        layers = int(a.layers) if a.layers.is_number else None
        if layers is None:
            raise SymcountError("the number of stacked RNN layers must be a number")
        if layers > MAX_RNN_LAYERS:  # each stacked layer is listed tensor by tensor
            raise SymcountError(f"{kind} with {layers:,} stacked layers (the limit is {MAX_RNN_LAYERS:,})")
        result: list[Tensor] = []
        for layer in range(layers):
            c_in = a.C_in if layer == 0 else _rnn_width(a)
            for direction in range(directions):
                if convention == "keras" and not _pytorch_only_lstm(a, convention):
                    side = "forward" if direction == 0 else "backward"
                    prefix = f"{side}_{kind}_{layer}/" if (directions > 1 or layers > 1) else ""
                    result.append(Tensor(f"{prefix}kernel", (c_in, gates * H)))
                    result.append(Tensor(f"{prefix}recurrent_kernel", (H, gates * H)))
                    vectors = _rnn_bias_vectors(kind, a, convention)
                    bias_shape = (sympy.Integer(vectors), gates * H) if vectors == 2 else (gates * H,)
                    result.append(Tensor(f"{prefix}bias", bias_shape, present=a.bias))
                else:
                    sfx = f"_l{layer}" + ("_reverse" if direction else "")
                    result.append(Tensor(f"weight_ih{sfx}", (gates * H, c_in)))
                    result.append(Tensor(f"weight_hh{sfx}", (gates * H, out_size)))
                    result.append(Tensor(f"bias_ih{sfx}", (gates * H,), present=a.bias))
                    result.append(Tensor(f"bias_hh{sfx}", (gates * H,), present=a.bias))
                    if P != 0:
                        result.append(Tensor(f"weight_hr{sfx}", (P, H)))
        return result

    return tensors


def _rnn_formulas(kind: str) -> FormulaRule:
    gates = _GATES[kind]

    def formulas(a: Args, convention: str) -> dict[str, str]:
        vectors = _rnn_bias_vectors(kind, a, convention)
        bias = "b*H" if vectors == 1 else "2*b*H"
        proj = a.get("proj", ZERO) != 0
        recur = "P" if proj else "H"
        g = f"{gates}*" if gates != 1 else ""
        one = f"{g}((C_in + {recur})*H + {bias})" + (" + P*H" if proj else "")
        directions = "2*" if a.bidirectional else ""
        first = f"{directions}({one})" if directions and proj else f"{directions}{one}"
        if a.layers == 1:
            return {"param": first}
        width = f"2*{recur}" if a.bidirectional and a.merge == "concat" else recur
        later = f"{g}(({width} + {recur})*H + {bias})" + (" + P*H" if proj else "")
        later = f"{directions}({later})" if proj else f"{directions}{later}"  # (n - 1) multiplies P*H too
        return {"param": f"{first} + (n - 1)*{later}"}

    return formulas


def _rnn_shape(a: Args, s: Shape, convention: str) -> Shape:
    width = _rnn_width(a)
    every_step = a.return_sequences if a.return_sequences is not None else convention == "pytorch"
    if every_step:  # PyTorch's RNNs always return every step; Keras's only the last unless told
        return Shape(s.spatial, width, True)
    return Shape((), width, False)


def _rnn_macs(kind: str) -> MacRule:
    gates = _GATES[kind]

    def macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
        H = a.hidden
        P = a.get("proj", ZERO)
        out_size = P if P != 0 else H
        d = 2 if a.bidirectional else 1
        per_step = d * gates * H * (a.C_in + out_size) + d * P * H
        per_step += (a.layers - 1) * d * (gates * H * (_rnn_width(a) + out_size) + P * H)
        return per_step * positions(i)

    return macs


# the frameworks' positional orders: PyTorch's LSTM(10, 20) is (input_size, hidden_size), Keras's LSTM(20) units
_TORCH_RNN = ("C_in", "hidden", "layers", "bias", "batch_first", "dropout", "bidirectional")
_KERAS_GATED = ("hidden", "activation", "recurrent_activation", "bias")
_SPELLINGS = {
    "rnn": (torch_nn("RNN", ("C_in", "hidden", "layers", "nonlinearity", "bias", "batch_first", "dropout",
                             "bidirectional")),
            keras_layer("SimpleRNN", ("hidden", "activation", "bias"))),
    "lstm": (torch_nn("LSTM", (*_TORCH_RNN, "proj")), keras_layer("LSTM", _KERAS_GATED)),
    "gru": (torch_nn("GRU", _TORCH_RNN), keras_layer("GRU", _KERAS_GATED)),
}

for _kind, _desc in (("rnn", "Elman RNN: one tanh gate"), ("lstm", "LSTM: input, forget, cell and output gates"),
                     ("gru", "GRU: reset, update and new gates")):
    register(LayerType(
        name=_kind,
        ignored=(*_RNN_OPTIONS, "use_cudnn"),
        unmodelled=(Unmodelled("return_state", (False,), "the layer would output its states as well, a list "
                               "symcount does not follow", True),),
        spellings=_SPELLINGS[_kind],
        aliases=("simplernn",) if _kind == "rnn" else (),
        homonyms={"keras.layers.RNN": "Keras's RNN wraps a cell; its Elman RNN is SimpleRNN"} if _kind == "rnn" else {},
        description=f"{_desc}; PyTorch keeps two bias vectors per gate set, Keras one.",
        args=_rnn_args(_kind),
        tensors=_rnn_tensors(_kind),
        formulas=_rnn_formulas(_kind),
        shape=_rnn_shape,
        macs=_rnn_macs(_kind),
        macs_doc="per step: gates · H · (C_in + H) per layer and direction, times L",
        input_kind="sequence",
        caveats=_rnn_caveats(_kind),
        validate=_rnn_validate,
    ))
