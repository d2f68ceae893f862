"""The layer catalog: every layer type defined once, in one entry.

An entry says everything symcount knows about a layer: its arguments (with
defaults, aliases and the symbol that stands for each in formulas), its
parameter tensors as each framework names and shapes them, the textbook
formula a derivation shows, its output-shape rule, its multiply-accumulate
count, and a one-line description. Adding a layer is one ``register(...)``
call; the docs' layer reference is generated from these entries.

The catalog knows nothing about LaTeX or printing: formulas are written in
symcount's own expression language (parsed by the grammar, never by sympy),
in the order a person writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symcount.catalog.shapes import Shape, conv_out, conv_transpose_out, given_out, pad_out, pool_out, scale_out
from symcount.errors import SymcountError
from symcount.language import nodes
from symcount.language.symbols import is_number
from symcount.language.values import describe

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)


class Required:
    """Marks an argument without a default: absent, it becomes a symbol."""

    def __repr__(self) -> str:
        return "required"


REQUIRED = Required()

#: Argument kinds, checked and normalised by the engine.
SIZE = "size"  # a positive integer (or a symbol)
COUNT = "count"  # a non-negative integer
BIAS = "bias"  # true / false / an expression (b): the bias indicator
FLAG = "flag"  # true / false
KERNEL = "kernel"  # int or tuple, one per spatial dimension
PADDING = "padding"  # int, tuple, "same" or "valid"
STRING = "string"
NUMBER = "number"  # any exact number (dropout rate, scale factor)
SHAPE = "shape"  # int or tuple of ints (adaptive pooling output)
SIZES = "sizes"  # a size, or a tuple of sizes (LayerNorm's normalized_shape); a 1-tuple is the size
ANY = "any"


@dataclass(frozen=True)
class ArgSpec:
    """One argument of a layer.

    ``symbol`` is the name the argument has in formulas (``hidden`` is ``H``);
    ``infer`` names where a missing value comes from (``"channels"`` of the
    input); ``structural`` arguments (groups, multiplier) are put into the
    general formula line when they are 1, so ``/groups`` disappears there.
    """

    name: str
    kind: str = SIZE
    default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    symbol: str | None = None
    infer: str | None = None
    structural: bool = False
    doc: str = ""

    @property
    def formula_name(self) -> str:
        return self.symbol or self.name


class Args:
    """The bound arguments of one layer call, normalised (kernels are tuples)."""

    def __init__(self, values: Mapping[str, Any], dims: int = 0, convention: str = "pytorch") -> None:
        self._values = dict(values)
        self.dims = dims
        #: the framework counted as: a few checks are the framework's own (output_padding)
        self.convention = convention

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def items(self) -> Any:
        return self._values.items()


@dataclass(frozen=True)
class Tensor:
    """One tensor of a layer, with its shape and how it counts.

    ``role`` is ``"param"`` (learned), ``"stat"`` (running statistics: a buffer
    in PyTorch, a non-trainable weight in Keras) or ``"counter"`` (an integer
    step counter such as ``num_batches_tracked``: listed, never counted).
    ``present`` multiplies the size: 1, 0, or the bias symbol b.
    """

    name: str
    shape: tuple[sympy.Expr, ...]
    role: str = "param"
    present: sympy.Expr = ONE
    shared_with: str | None = None

    @property
    def size(self) -> sympy.Expr:
        result: sympy.Expr = self.present
        for n in self.shape:
            result = result * n
        return result


TensorRule = Callable[[Args, str], list[Tensor]]
FormulaRule = Callable[[Args, str], dict[str, str]]
ShapeRule = Callable[[Args, Shape, str], Shape]
MacRule = Callable[[Args, Shape, Shape], sympy.Expr]


@dataclass(frozen=True)
class LayerType:
    """A catalog entry. See the module docstring."""

    name: str
    description: str
    args: tuple[ArgSpec, ...]
    tensors: TensorRule
    formulas: FormulaRule
    shape: ShapeRule
    macs: MacRule
    aliases: tuple[str, ...] = ()
    dims: int = 0
    frameworks: tuple[str, ...] = ("pytorch", "keras")
    zero_reason: str = "no weights"
    macs_doc: str = "0"
    input_kind: str = "any"  # "spatial", "sequence", "tokens", "vector", "any"
    notes: Mapping[str, str] = field(default_factory=dict)
    #: fills arguments whose default depends on others (pool stride = k)
    derive: Callable[[dict[str, Any], Shape | None], None] | None = None
    #: returns (argument, message) when the arguments cannot go together
    validate: Callable[[Args], tuple[str, str] | None] | None = None
    #: extra names the formulas use (k_h, k_w), beyond the arguments' symbols
    bindings: Callable[[Args, str], dict[str, sympy.Expr]] | None = None
    #: what such an extra name stands for, in words (a derivation's "where" line)
    symbols: Mapping[str, str] = field(default_factory=dict)
    #: notes for the options one framework lacks, said only when a call uses them
    caveats: Callable[[Args, str], list[str]] | None = None
    #: framework arguments that change no count or shape (eps, dropout, initializers): accepted, not used
    ignored: tuple[str, ...] = ()

    def arg(self, name: str) -> ArgSpec:
        for spec in self.args:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def ignores(self, written: str) -> bool:
        """Whether a written argument is a framework option that changes no count or shape."""
        lowered = written.lower()
        return any(lowered == name.lower() for name in (*self.ignored, *IGNORED_EVERYWHERE))

    def find_arg(self, written: str) -> ArgSpec | None:
        """The argument a written name means: canonical, symbol or alias."""
        for spec in self.args:
            if written == spec.name or written == spec.symbol or written in spec.aliases:
                return spec
        lowered = written.lower()
        for spec in self.args:
            names = (spec.name, spec.symbol or spec.name, *spec.aliases)
            if lowered in (n.lower() for n in names):
                return spec
        return None


#: Arguments every framework layer takes that never change a count or a shape.
IGNORED_EVERYWHERE = ("name", "dtype", "device", "inplace")


def _keras_weight_options(*weights: str) -> tuple[str, ...]:
    """Keras's initializer, regularizer and constraint arguments of the named weights."""
    return tuple(f"{w}_{kind}" for w in weights for kind in ("initializer", "regularizer", "constraint"))


_KERNEL_OPTIONS = ("activation", "data_format", "activity_regularizer", *_keras_weight_options("kernel", "bias"))
_NORM_OPTIONS = ("eps", "epsilon", *_keras_weight_options("beta", "gamma"))

CATALOG: dict[str, LayerType] = {}
_ALIASES: dict[str, str] = {}


def register(entry: LayerType) -> LayerType:
    """Add an entry; its name and aliases (any case) resolve to it.

    Every layer takes ``trainable=false`` (the issue's promise), so an entry
    that does not list it gets it here: for a layer without weights it changes nothing.
    """
    if entry.name in CATALOG:
        raise ValueError(f"layer {entry.name!r} defined twice")
    if all(spec.name != "trainable" for spec in entry.args):
        entry = replace(entry, args=(*entry.args, TRAINABLE))
    CATALOG[entry.name] = entry
    for alias in (entry.name, *entry.aliases):
        _ALIASES[alias.lower()] = entry.name
    return entry


def lookup(name: str) -> LayerType | None:
    """The entry for a written layer name (canonical or any alias, any case)."""
    canonical = _ALIASES.get(name.lower())
    return CATALOG[canonical] if canonical else None


def known_names() -> list[str]:
    return sorted(CATALOG)


def all_spellings() -> list[str]:
    spellings = set(CATALOG)
    for entry in CATALOG.values():
        spellings.update(entry.aliases)
    return sorted(spellings)


# ---------------------------------------------------------------------------
# small helpers shared by the entries


def prod(values: Any) -> sympy.Expr:
    result: sympy.Expr = ONE
    for v in values:
        result = result * v
    return result


def positions(shape: Shape) -> sympy.Expr:
    """How many places a per-position operation runs at (product of spatial sizes)."""
    return prod(shape.spatial)


def kernel_formula(a: Args) -> str:
    """``k*k`` for a square kernel, ``k_h*k_w`` otherwise (the textbook way)."""
    k = a.k
    if all(x == k[0] or sympy.simplify(x - k[0]) == 0 for x in k):
        return "*".join(["k"] * len(k))
    return "*".join(_kernel_names(len(k)))


def _kernel_names(d: int) -> list[str]:
    return {1: ["k"], 2: ["k_h", "k_w"], 3: ["k_d", "k_h", "k_w"]}[d]


def kernel_bindings(a: Args) -> dict[str, sympy.Expr]:
    """Formula names for the kernel sizes: ``k`` and ``k_h``, ``k_w`` (``k_d``)."""
    names = _kernel_names(len(a.k))
    out = {"k": a.k[0]}
    out.update(dict(zip(names, a.k, strict=True)))
    return out


def norm_pad(a: Args, name: str = "padding") -> Any:
    return a.get(name)


def bias_terms(a: Args) -> sympy.Expr:
    return a.bias


def one_if(flag: bool) -> sympy.Expr:
    return ONE if flag else ZERO


# ---------------------------------------------------------------------------
# argument factories


def size(name: str, *aliases: str, symbol: str | None = None, infer: str | None = None,
         default: Any = REQUIRED, doc: str = "") -> ArgSpec:
    return ArgSpec(name, SIZE, default, aliases, symbol, infer, doc=doc)


def bias_arg(default: bool = True) -> ArgSpec:
    return ArgSpec("bias", BIAS, default, ("use_bias",), "b", doc="learn an additive bias")


TRAINABLE = ArgSpec("trainable", FLAG, True, (), doc="false freezes the layer")


def conv_args(d: int, transpose: bool = False) -> tuple[ArgSpec, ...]:
    base = (
        size("C_in", "in_channels", infer="channels", doc="input channels"),
        size("C_out", "out_channels", "filters", doc="output channels"),
        ArgSpec("k", KERNEL, REQUIRED, ("kernel_size",), doc="kernel size (int or tuple)"),
        ArgSpec("groups", SIZE, ONE, (), symbol="g", structural=True, doc="channel groups"),
        bias_arg(),
        ArgSpec("stride", KERNEL, ONE, ("strides",), doc="stride"),
        ArgSpec("padding", PADDING, ZERO, (),
                doc='int, tuple, "same" or "valid" ("causal" for conv1d, as Keras Conv1D)'),
        ArgSpec("dilation", KERNEL, ONE, ("dilation_rate",), doc="dilation"),
    )
    if transpose:
        base += (ArgSpec("output_padding", KERNEL, None, (),
                         doc="extra output size (none given: 0 in PyTorch, Keras's own default)"),)
    return base


def _conv_tensors(d: int, transpose: bool) -> TensorRule:
    def tensors(a: Args, convention: str) -> list[Tensor]:
        k = tuple(a.k)
        if convention == "keras":
            kernel = (*k, a.C_out / a.groups, a.C_in) if transpose else (*k, a.C_in / a.groups, a.C_out)
            return [Tensor("kernel", kernel), Tensor("bias", (a.C_out,), present=a.bias)]
        weight = (a.C_in, a.C_out / a.groups, *k) if transpose else (a.C_out, a.C_in / a.groups, *k)
        return [Tensor("weight", weight), Tensor("bias", (a.C_out,), present=a.bias)]

    return tensors


def divides(d: sympy.Expr, n: sympy.Expr) -> bool | None:
    """Whether d divides n: True/False for numbers, None when symbols decide.

    ``cancel`` (polynomial gcd) decides ``(2*C + 2)/(C + 1)``; ``simplify`` would
    too, but its first call costs ~0.3 s of imports and it is slow on large input.
    """
    q = n / d
    if q.free_symbols and q.is_rational_function():
        q = sympy.cancel(q)
    if q.free_symbols:
        return None
    return bool(q.is_integer)


def _check_groups(a: Args) -> tuple[str, str] | None:
    for name in ("C_in", "C_out"):
        if divides(a.groups, getattr(a, name)) is False:
            return "groups", f"groups={a.groups} does not divide {name}={getattr(a, name)}"
    return None


def _no_causal(layer: str) -> Callable[[Args], tuple[str, str] | None]:
    """Keras pads "causal" only in 1-D convolutions (Conv1D): anywhere else it is refused, as Keras does."""
    def check(a: Args) -> tuple[str, str] | None:
        if a.get("padding") == "causal":
            return "padding", f'padding="causal" is only for conv1d (Keras Conv1D), not {layer}'
        return None

    return check


def _certain(relation: Any) -> bool:
    """Whether a comparison of sizes is certainly true (symbols leave it open)."""
    return relation is sympy.true


def _check_output_padding(a: Args) -> tuple[str, str] | None:
    """Each framework's rule for a transposed convolution's output_padding, as it refuses it.

    PyTorch: smaller than the stride or the dilation, dimension by dimension
    ("output padding must be smaller than either stride or dilation"); Keras:
    strictly less than the stride.
    """
    if a.get("output_padding") is None:
        return None
    for op, s, d in zip(a.output_padding, a.stride, a.dilation, strict=False):
        if a.convention == "keras":
            if _certain(sympy.Ge(op, s)):
                return "output_padding", (f"output_padding={op} must be smaller than the stride ({s}) "
                                          "(Keras Conv*DTranspose refuses it)")
        elif _certain(sympy.Ge(op, s)) and _certain(sympy.Ge(op, d)):
            return "output_padding", (f"output_padding={op} must be smaller than either the stride ({s}) "
                                      f"or the dilation ({d}) (PyTorch ConvTranspose refuses it)")
    return None


def _conv_validate(d: int, transpose: bool, layer: str) -> Callable[[Args], tuple[str, str] | None]:
    causal = None if d == 1 and not transpose else _no_causal(layer)

    def check(a: Args) -> tuple[str, str] | None:
        return ((causal(a) if causal is not None else None) or _check_groups(a)
                or (_check_output_padding(a) if transpose else None))

    return check


def _conv_formulas(a: Args, convention: str) -> dict[str, str]:
    return {"param": f"({kernel_formula(a)}*C_in/g + b)*C_out"}


def _conv_shape(d: int) -> ShapeRule:
    def shape(a: Args, s: Shape, convention: str) -> Shape:
        pads = a.padding if isinstance(a.padding, str) else a.padding
        out = tuple(
            conv_out(n, k, st, pads if isinstance(pads, str) else pads[i], dl)
            for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
        )
        return Shape(out, a.C_out)

    return shape


def _conv_transpose_shape(a: Args, s: Shape, convention: str) -> Shape:
    """Keras pads only by name: under its convention the default padding 0 is its "valid"."""
    pads = a.padding
    if convention == "keras" and not isinstance(pads, str) and all(p == 0 for p in pads):
        pads = "valid"
    extra = a.output_padding if a.output_padding is not None else (None,) * len(a.k)
    out = tuple(
        conv_transpose_out(n, k, st, pads if isinstance(pads, str) else pads[i], op, dl)
        for i, (n, k, st, op, dl) in enumerate(zip(s.spatial, a.k, a.stride, extra, a.dilation, strict=True))
    )
    return Shape(out, a.C_out)


def _conv_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return prod(a.k) * a.C_in / a.groups * a.C_out * positions(o)


def _conv_transpose_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return prod(a.k) * a.C_in * a.C_out / a.groups * positions(i)


# -- framework gaps: an option one framework lacks is counted the other's way, and said so

def _numbers_above_one(values: Any) -> bool:
    """Some entry is a number above 1 (a symbol may be 1, so it does not count)."""
    return any(is_number(v) and v > 1 for v in values)


def _numeric_padding(a: Args) -> bool:
    return not isinstance(a.padding, str) and any(not is_number(p) or p != 0 for p in a.padding)


def _conv_caveats(d: int, transpose: bool, keras_name: str | None = None) -> Callable[[Args, str], list[str]]:
    layer = f"ConvTranspose{d}d" if transpose else f"Conv{d}d"
    keras_layer = keras_name or (f"Conv{d}DTranspose" if transpose else f"Conv{d}D")

    def caveats(a: Args, convention: str) -> list[str]:
        out = []
        if convention == "pytorch" and a.padding == "causal":
            out.append(f"PyTorch's {layer} takes no \"causal\" padding: Keras's rule is used "
                       "(dilation*(k - 1) zeros on the left, output ceil(n/stride))")
        elif convention == "pytorch" and isinstance(a.padding, str) and transpose:
            out.append(f"PyTorch's {layer} takes no \"{a.padding}\" padding: Keras's output-size rule is used")
        elif convention == "pytorch" and a.padding == "same" and _numbers_above_one(a.stride):
            out.append(f"PyTorch's {layer} refuses padding=\"same\" with stride > 1: "
                       "Keras's output size ceil(n/stride) is used")
        if convention == "keras" and _numeric_padding(a):
            out.append(f"Keras's {keras_layer} pads only by name (\"same\"/\"valid\"): "
                       "the numeric padding follows PyTorch's rule")
        if convention == "keras" and transpose and not (is_number(a.groups) and a.groups == 1):
            out.append(f"Keras's {keras_layer} has no groups: the grouped kernel is PyTorch's layout")
        return out

    return caveats


def _pool_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and isinstance(a.padding, str):
        out.append(f"PyTorch's pooling takes no \"{a.padding}\" padding: Keras's output-size rule is used")
    if convention == "keras":
        if _numeric_padding(a):
            out.append("Keras's pooling pads only by name (\"same\"/\"valid\"): "
                       "the numeric padding follows PyTorch's rule")
        if a.ceil_mode:
            out.append("Keras's pooling has no ceil_mode: PyTorch's rule is used")
        if _numbers_above_one(a.dilation):
            out.append("Keras's pooling has no dilation: PyTorch's rule is used")
    return out


def _center_scale_caveats(layer: str) -> Callable[[Args, str], list[str]]:
    def caveats(a: Args, convention: str) -> list[str]:
        out = []
        if convention == "pytorch" and a.affine and (not a.get("center", True) or not a.scale):
            out.append(f"PyTorch's {layer} learns both scale and shift or neither (affine): "
                       "the scale or shift alone is Keras's center/scale")
        if convention == "keras" and a.get("track_running_stats") is False:
            out.append("Keras's BatchNormalization always keeps its moving mean and variance: they are counted")
        return out

    return caveats


def _layernorm_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and a.affine and not a.scale:
        out.append("PyTorch's LayerNorm cannot drop the scale alone (elementwise_affine drops both): "
                   "scale=false is Keras's")
    if convention == "pytorch" and _keras_axes(a) is not None:
        out.append("PyTorch's LayerNorm has no axis (it normalises the last sizes, normalized_shape): "
                   "the sizes of Keras's axes (channels last) are counted")
    return out


def _rmsnorm_caveats(a: Args, convention: str) -> list[str]:
    if convention == "keras" and not a.affine:
        return ["Keras's RMSNormalization always learns its scale: it is counted"]
    return []


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


def _prelu_caveats(a: Args, convention: str) -> list[str]:
    if convention == "pytorch" and a.get("shared_axes") is not None:
        return ["PyTorch's PReLU has no shared_axes: it learns C slopes (num_parameters)"]
    return []


def _attention_caveats(a: Args, convention: str) -> list[str]:
    out = []
    if convention == "pytorch" and not _same(a.out_dim, a.d_model):
        out.append("PyTorch's MultiheadAttention outputs embed_dim features: "
                   "Keras's output_shape projection is counted")
    if convention == "keras" and a.add_bias_kv:
        out.append("Keras's MultiHeadAttention has no add_bias_kv: PyTorch's bias_k and bias_v are counted")
    return out + _attention_layout_caveats(a, convention)


def _attention_layout_caveats(a: Args, convention: str) -> list[str]:
    if convention == "pytorch" and not _attention_standard(a):
        return ["PyTorch's MultiheadAttention has head size d_model/heads and one key/value head per head: "
                "separate q/k/v/o projections (as in Llama) are counted"]
    if (convention == "keras" and sympy.simplify(a.kv_heads - a.heads) != 0
            and sympy.simplify(a.value_dim - a.key_dim) != 0):
        return ["Keras's GroupQueryAttention has one head size for keys and values: value_dim follows the formula"]
    return []


for _d in (1, 2, 3):
    register(LayerType(
        name=f"conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS),
        aliases=(f"Conv{_d}d", f"Conv{_d}D", f"Convolution{_d}D"),
        description=f"{_d}-D convolution: each output channel is a k^{_d} window over the input channels "
                    "of its group, plus a bias.",
        args=(*conv_args(_d), TRAINABLE),
        tensors=_conv_tensors(_d, False),
        formulas=_conv_formulas,
        shape=_conv_shape(_d),
        macs=_conv_macs,
        dims=_d,
        macs_doc="k^d · C_in/groups · C_out · output positions",
        input_kind="spatial",
        validate=_conv_validate(_d, False, f"conv{_d}d"),
        bindings=lambda a, c: kernel_bindings(a),
        caveats=_conv_caveats(_d, False),
    ))
    register(LayerType(
        name=f"conv_transpose{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS),
        aliases=(f"ConvTranspose{_d}d", f"Conv{_d}DTranspose", f"convtranspose{_d}d", f"deconv{_d}d"),
        description=f"{_d}-D transposed convolution: the gradient of a convolution, upsampling by the stride.",
        args=(*conv_args(_d, transpose=True), TRAINABLE),
        tensors=_conv_tensors(_d, True),
        formulas=_conv_formulas,
        shape=_conv_transpose_shape,
        macs=_conv_transpose_macs,
        dims=_d,
        macs_doc="k^d · C_in · C_out/groups · input positions",
        input_kind="spatial",
        validate=_conv_validate(_d, True, f"conv_transpose{_d}d"),
        bindings=lambda a, c: kernel_bindings(a),
        caveats=_conv_caveats(_d, True),
    ))


# -- depthwise and separable (Keras) -------------------------------------------

_DW_ARGS = (
    size("C_in", "in_channels", infer="channels", doc="input channels"),
    ArgSpec("k", KERNEL, REQUIRED, ("kernel_size",), doc="kernel size"),
    ArgSpec("multiplier", SIZE, ONE, ("depth_multiplier",), symbol="m", structural=True,
            doc="outputs per input channel"),
    bias_arg(),
    ArgSpec("stride", KERNEL, ONE, ("strides",)),
    ArgSpec("padding", PADDING, ZERO, ()),
    ArgSpec("dilation", KERNEL, ONE, ("dilation_rate",)),
)


def _dw_shape(a: Args, s: Shape, convention: str) -> Shape:
    out = tuple(
        conv_out(n, k, st, a.padding if isinstance(a.padding, str) else a.padding[i], dl)
        for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
    )
    return Shape(out, a.C_in * a.multiplier)


def _dw_tensors(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":  # Keras 3 names DepthwiseConv2D's weight "kernel"
        return [Tensor("kernel", (*a.k, a.C_in, a.multiplier)),
                Tensor("bias", (a.C_in * a.multiplier,), present=a.bias)]
    return [Tensor("weight", (a.C_in * a.multiplier, ONE, *a.k)),
            Tensor("bias", (a.C_in * a.multiplier,), present=a.bias)]


_WINDOW = {1: "length-k", 2: "k x k"}
_POINTWISE = {1: "kernel-1", 2: "1 x 1"}
_K = {1: "k", 2: "k^2"}

for _d in (1, 2):
    register(LayerType(
        name=f"depthwise_conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS, *_keras_weight_options("depthwise")),
        aliases=(f"DepthwiseConv{_d}D", f"depthwiseconv{_d}d", f"dwconv{_d}d"),
        description=f"Depthwise {_d}-D convolution: one {_WINDOW[_d]} filter per input channel (times the multiplier).",
        args=(*_DW_ARGS, TRAINABLE),
        tensors=_dw_tensors,
        formulas=lambda a, c: {"param": f"({kernel_formula(a)} + b)*C_in*m"},
        shape=_dw_shape,
        macs=lambda a, i, o: prod(a.k) * a.C_in * a.multiplier * positions(o),
        dims=_d,
        macs_doc=f"{_K[_d]} · C_in · multiplier · output positions",
        input_kind="spatial",
        bindings=lambda a, c: kernel_bindings(a),
        notes={"pytorch": f"PyTorch writes it as Conv{_d}d(C_in, C_in*multiplier, k, groups=C_in)"},
        validate=_no_causal(f"depthwise_conv{_d}d"),
        caveats=_conv_caveats(_d, False, f"DepthwiseConv{_d}D"),
    ))


def _sep_tensors(a: Args, convention: str) -> list[Tensor]:
    mid = a.C_in * a.multiplier
    if convention == "keras":
        return [Tensor("depthwise_kernel", (*a.k, a.C_in, a.multiplier)),
                Tensor("pointwise_kernel", (*(ONE,) * len(a.k), mid, a.C_out)),
                Tensor("bias", (a.C_out,), present=a.bias)]
    return [Tensor("depthwise.weight", (mid, ONE, *a.k)),
            Tensor("pointwise.weight", (a.C_out, mid, *(ONE,) * len(a.k))),
            Tensor("pointwise.bias", (a.C_out,), present=a.bias)]


def _sep_shape(a: Args, s: Shape, convention: str) -> Shape:
    return _dw_shape(a, s, convention).with_channels(a.C_out)


for _d in (1, 2):
    register(LayerType(
        name=f"separable_conv{_d}d",
        ignored=("padding_mode", *_KERNEL_OPTIONS, *_keras_weight_options("depthwise", "pointwise")),
        aliases=(f"SeparableConv{_d}D", f"separableconv{_d}d", f"sepconv{_d}d"),
        description=f"Depthwise-separable {_d}-D convolution: a depthwise {_WINDOW[_d]} filter per channel, "
                    f"then a {_POINTWISE[_d]} pointwise conv.",
        args=(_DW_ARGS[0], size("C_out", "out_channels", "filters"), *_DW_ARGS[1:], TRAINABLE),
        tensors=_sep_tensors,
        formulas=lambda a, c: {"param": f"{kernel_formula(a)}*C_in*m + (C_in*m + b)*C_out"},
        shape=_sep_shape,
        macs=lambda a, i, o: (prod(a.k) * a.C_in * a.multiplier + a.C_in * a.multiplier * a.C_out) * positions(o),
        dims=_d,
        macs_doc=f"({_K[_d]} · C_in · multiplier + C_in · multiplier · C_out) · output positions",
        input_kind="spatial",
        bindings=lambda a, c: kernel_bindings(a),
        notes={"pytorch": f"PyTorch writes it as a depthwise Conv{_d}d (no bias) followed by a "
                          f"{_POINTWISE[_d].replace(' x ', 'x')} Conv{_d}d"},
        validate=_no_causal(f"separable_conv{_d}d"),
        caveats=_conv_caveats(_d, False, f"SeparableConv{_d}D"),
    ))


# -- linear ----------------------------------------------------------------------

register(LayerType(
    name="linear",
    ignored=_KERNEL_OPTIONS,
    aliases=("Linear", "Dense", "fc", "fully_connected"),
    description="Fully connected layer: every output is a weighted sum of all inputs plus a bias.",
    args=(
        size("C_in", "in_features", infer="channels", doc="input features"),
        size("C_out", "out_features", "units", doc="output features"),
        bias_arg(),
        TRAINABLE,
        ArgSpec("tied", ANY, None, (), doc="label of a layer whose weight this one shares"),
    ),
    tensors=lambda a, c: (
        [Tensor("kernel", (a.C_in, a.C_out)), Tensor("bias", (a.C_out,), present=a.bias)]
        if c == "keras"
        else [Tensor("weight", (a.C_out, a.C_in)), Tensor("bias", (a.C_out,), present=a.bias)]
    ),
    formulas=lambda a, c: {"param": "(C_in + b)*C_out"},
    shape=lambda a, s, c: Shape(s.spatial, a.C_out, s.sequence),
    macs=lambda a, i, o: a.C_in * a.C_out * positions(o),
    macs_doc="C_in · C_out · positions",
))


register(LayerType(
    name="bilinear",
    ignored=_KERNEL_OPTIONS,
    aliases=("Bilinear",),
    description="PyTorch's Bilinear: each output is x1ᵀ·W_k·x2 of two inputs, plus a bias (the second input "
                "is not drawn in the network).",
    args=(
        size("C_in", "in1_features", infer="channels", doc="features of the first input (the one flowing in)"),
        size("C_in2", "in2_features", doc="features of the second input"),
        size("C_out", "out_features", doc="output features"),
        bias_arg(),
        TRAINABLE,
    ),
    tensors=lambda a, c: [Tensor("weight", (a.C_out, a.C_in, a.C_in2)), Tensor("bias", (a.C_out,), present=a.bias)],
    formulas=lambda a, c: {"param": "(C_in*C_in2 + b)*C_out"},
    shape=lambda a, s, c: Shape(s.spatial, a.C_out, s.sequence),
    macs=lambda a, i, o: a.C_in * a.C_in2 * a.C_out * positions(o),
    macs_doc="C_in · C_in2 · C_out · positions (torch's FlopCounterMode does not count bilinear)",
    frameworks=("pytorch",),
))


# -- pooling ---------------------------------------------------------------------

def _pool_args() -> tuple[ArgSpec, ...]:
    return (
        ArgSpec("k", KERNEL, REQUIRED, ("kernel_size", "pool_size"), doc="window size"),
        ArgSpec("stride", KERNEL, None, ("strides",), doc="stride (default: the window size)"),
        ArgSpec("padding", PADDING, ZERO, (), doc='int, tuple, "same" or "valid"'),
        ArgSpec("ceil_mode", FLAG, False, (), doc="PyTorch's ceil_mode"),
        ArgSpec("dilation", KERNEL, ONE, (), doc="dilation (max pooling)"),
    )


def _pool_defaults(values: dict[str, Any], shape: Shape | None) -> None:
    if values.get("stride") is None:
        values["stride"] = values["k"]


def _pool_shape(a: Args, s: Shape, convention: str) -> Shape:
    out = tuple(
        pool_out(n, k, st, a.padding if isinstance(a.padding, str) else a.padding[i], a.ceil_mode, dl)
        for i, (n, k, st, dl) in enumerate(zip(s.spatial, a.k, a.stride, a.dilation, strict=True))
    )
    return Shape(out, s.channels)


def _no_tensors(a: Args, convention: str) -> list[Tensor]:
    return []


def _no_formulas(a: Args, convention: str) -> dict[str, str]:
    return {}


def _zero_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    return ZERO


for _d in (1, 2, 3):
    for _kind, _word in (("max", "maximum"), ("avg", "average")):
        register(LayerType(
            name=f"{_kind}pool{_d}d",
            aliases=(f"{_kind.capitalize()}Pool{_d}d", f"{_kind.capitalize()}Pooling{_d}D",
                     f"{_kind}pooling{_d}d", *((f"AveragePooling{_d}D",) if _kind == "avg" else ())),
            description=f"{_d}-D {_word} pooling over k^{_d} windows.",
            args=_pool_args(),
            tensors=_no_tensors,
            formulas=_no_formulas,
            shape=_pool_shape,
            macs=_zero_macs,
            dims=_d,
            zero_reason=f"no weights: pooling takes the {_word} of each window",
            input_kind="spatial",
            derive=_pool_defaults,
            validate=_no_causal(f"{_kind}pool{_d}d"),
            ignored=("return_indices", "data_format", "count_include_pad", "divisor_override"),
            caveats=_pool_caveats,
        ))

for _kind, _word in (("avg", "average"), ("max", "maximum")):
    register(LayerType(
        name=f"global_{_kind}pool",
        aliases=(f"Global{_kind.capitalize()}Pooling2D", f"Global{_kind.capitalize()}Pooling1D",
                 f"Global{_kind.capitalize()}Pooling3D", f"global{_kind}pool",
                 *(f"Global{_kind.capitalize()}Pool{_d}D" for _d in (1, 2, 3)),
                 *(f"GlobalAveragePooling{_d}D" for _d in (1, 2, 3) if _kind == "avg")),
        description=f"Global {_word} pooling: one value per channel.",
        args=(),
        tensors=_no_tensors,
        formulas=_no_formulas,
        shape=lambda a, s, c: Shape((), s.channels, False),
        macs=_zero_macs,
        zero_reason=f"no weights: takes the {_word} over all positions",
    ))
    for _d in (1, 2, 3):
        register(LayerType(
            name=f"adaptive_{_kind}pool{_d}d",
            aliases=(f"Adaptive{_kind.capitalize()}Pool{_d}d", f"adaptive{_kind}pool{_d}d",
                     f"Adaptive{'Average' if _kind == 'avg' else 'Max'}Pooling{_d}D"),
            description=f"Adaptive {_d}-D {_word} pooling to a fixed output size.",
            args=(ArgSpec("out", SHAPE, REQUIRED, ("output_size",), doc="output size (int or tuple)"),),
            tensors=_no_tensors,
            formulas=_no_formulas,
            shape=lambda a, s, c: Shape(tuple(given_out(n, "output_size") for n in a.out), s.channels),
            macs=_zero_macs,
            dims=_d,
            zero_reason=f"no weights: takes the {_word} of adaptive windows",
            ignored=("return_indices",),
            input_kind="spatial",
        ))


# -- normalisation -----------------------------------------------------------------

def _affine_formula(scale: sympy.Expr, shift: sympy.Expr, c: str = "C") -> str | None:
    """A normalisation's learned vectors, (scale + shift)·C, written as 2C, C, (1 + b)C or b·C."""
    if scale == 0 and shift == 0:
        return None
    if shift == 0 or scale == 0:
        return c if shift in (ZERO, ONE) else f"b*{c}"
    if shift == 1:
        return f"2*{c}"
    return f"(1 + b)*{c}"


def _norm_formulas(scale: sympy.Expr, shift: sympy.Expr, stats: bool, c: str = "C") -> dict[str, str]:
    out: dict[str, str] = {}
    learned = _affine_formula(scale, shift, c)
    if learned is not None:
        out["param"] = learned
    if stats:
        out["stat"] = "2*C"
    return out


def _affine_args(pytorch: str = "learn the scale and the shift") -> tuple[ArgSpec, ...]:
    """PyTorch's affine switches both vectors; Keras's scale and center switch one each."""
    return (
        ArgSpec("affine", FLAG, True, ("elementwise_affine",), doc=f"PyTorch: {pytorch}"),
        ArgSpec("scale", FLAG, True, (), doc="Keras: learn the scale (gamma); PyTorch has only affine"),
    )


def _bn_affine(a: Args) -> tuple[sympy.Expr, sympy.Expr]:
    """Whether the scale (gamma) and the shift (beta) exist: Keras's scale and center, PyTorch's affine."""
    return one_if(a.affine and a.scale), one_if(a.affine and a.center)


def _bn_stats(a: Args, convention: str) -> bool:
    """Keras always keeps moving statistics; PyTorch only with track_running_stats."""
    return convention == "keras" or bool(a.track_running_stats)


def _running_stats(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":
        return [Tensor("moving_mean", (a.C,), role="stat"), Tensor("moving_variance", (a.C,), role="stat")]
    return [Tensor("running_mean", (a.C,), role="stat"), Tensor("running_var", (a.C,), role="stat"),
            Tensor("num_batches_tracked", (), role="counter")]


def _bn_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _bn_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    learned = [Tensor(names[0], (a.C,), present=scale), Tensor(names[1], (a.C,), present=shift)]
    return learned + (_running_stats(a, convention) if _bn_stats(a, convention) else [])


_STATS_DOC = "PyTorch: keep running mean and variance (buffers)"

register(LayerType(
    name="batchnorm",
    ignored=("momentum", "synchronized", "axis", *_NORM_OPTIONS, "moving_mean_initializer", "moving_variance_initializer"),
    aliases=("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "BatchNormalization", "bn",
             "batchnorm1d", "batchnorm2d", "batchnorm3d", "batch_norm"),
    description="Batch normalisation: a learned scale and shift per channel, plus running mean and variance.",
    args=(size("C", "num_features", infer="channels", doc="channels"),
          *_affine_args(),
          ArgSpec("center", FLAG, True, (), doc="Keras: learn the shift (beta); PyTorch has only affine"),
          ArgSpec("track_running_stats", FLAG, True, (), doc=_STATS_DOC + "; Keras always keeps them"),
          TRAINABLE),
    tensors=_bn_tensors,
    formulas=lambda a, c: _norm_formulas(*_bn_affine(a), _bn_stats(a, c)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_center_scale_caveats("BatchNorm"),
))


def _ln_affine(a: Args) -> tuple[sympy.Expr, sympy.Expr]:
    """LayerNorm's scale and shift: PyTorch's elementwise_affine and bias, Keras's scale and center."""
    return one_if(a.affine and a.scale), (a.bias if a.affine else ZERO)


def _keras_axes(a: Args) -> tuple[int, ...] | None:
    """Keras's axis as positions of its layout (batch = 0); None for the default, the last axis.

    Keras sorts the axes as written (a negative one first) and shapes gamma from them in that order:
    ``axis=[-1, 1]`` on (H, W, C) gives (C, H).
    """
    axis = a.get("axis")
    axes = axis if isinstance(axis, tuple) else (axis,)
    if axis is None or axes == (sympy.Integer(-1),):
        return None
    shape: Shape | None = a.get("input_shape")
    if shape is None:
        raise SymcountError("layernorm's axis needs the input shape: put the layer in a network after input(...)")
    rank = len(shape.layout("keras")) + 1
    for x in axes:
        if isinstance(x, bool) or not isinstance(x, sympy.Integer):
            shown = f'"{x}"' if isinstance(x, str) else str(x).lower()
            raise SymcountError(f"axis takes axis numbers (negative from the end), not {shown}")
    out = []
    for x in sorted(int(x) for x in axes):
        index = x + rank if x < 0 else x
        if not 1 <= index < rank:
            raise SymcountError(f"axis {x} is not a feature axis of the input's {rank - 1} axes (0 is the batch)")
        out.append(index)
    return tuple(out)


def _ln_shape(a: Args) -> tuple[sympy.Expr, ...]:
    """The shape of LayerNorm's scale and shift: normalized_shape (C or a tuple), or the sizes of Keras's axes."""
    axes = _keras_axes(a)
    if axes is not None:
        layout = a.input_shape.layout("keras")
        return tuple(layout[i - 1] for i in axes)
    return a.C if isinstance(a.C, tuple) else (a.C,)


def _ln_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _ln_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    shape = _ln_shape(a)
    return [Tensor(names[0], shape, present=scale), Tensor(names[1], shape, present=shift)]


def _ln_names(a: Args) -> str:
    """C for one normalised size, C_1*C_2*... for several (each one's size bound by _ln_bindings)."""
    shape = _ln_shape(a)
    return "C" if len(shape) == 1 else "*".join(f"C_{i}" for i in range(1, len(shape) + 1))


def _ln_bindings(a: Args, convention: str) -> dict[str, sympy.Expr]:
    shape = _ln_shape(a)
    if len(shape) == 1:
        return {"C": shape[0]}
    return {f"C_{i}": n for i, n in enumerate(shape, start=1)}


def _ln_validate(a: Args) -> tuple[str, str] | None:
    """PyTorch normalises the last dimensions: a normalized_shape tuple must be the input's last sizes."""
    shape: Shape | None = a.get("input_shape")
    if not isinstance(a.C, tuple) or shape is None:
        return None
    if a.get("axis") is not None and a.axis != -1:
        return "axis", "layernorm takes normalized_shape (PyTorch) or axis (Keras), not both"
    last = shape.layout("pytorch")[-len(a.C):]
    if len(last) < len(a.C) or any(sympy.simplify(x - y).is_zero is False for x, y in zip(a.C, last, strict=True)):
        shown = ", ".join(str(n) for n in shape.layout("pytorch"))
        return "C", (f"normalized_shape ({', '.join(str(n) for n in a.C)}) must be the input's last sizes; "
                     f"the input is ({shown})")
    return None


register(LayerType(
    name="layernorm",
    ignored=_NORM_OPTIONS,
    aliases=("LayerNorm", "LayerNormalization", "ln", "layer_norm"),
    description="Layer normalisation over the features: a learned scale (and shift) per feature.",
    args=(ArgSpec("C", SIZES, REQUIRED, ("normalized_shape", "dim"), infer="channels",
                  doc="features, or a tuple: the input's last sizes (PyTorch normalized_shape)"),
          ArgSpec("bias", BIAS, True, ("use_bias", "center"), "b", doc="learn the shift (Keras: center)"),
          *_affine_args(),
          ArgSpec("axis", ANY, sympy.Integer(-1), (),
                  doc="Keras: the normalised axis or axes (channels-last, 0 = batch); the weights take their sizes"),
          TRAINABLE),
    tensors=_ln_tensors,
    formulas=lambda a, c: _norm_formulas(*_ln_affine(a), False, _ln_names(a)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_layernorm_caveats,
    bindings=_ln_bindings,
    validate=_ln_validate,
))


def _gn_tensors(a: Args, convention: str) -> list[Tensor]:
    scale, shift = _bn_affine(a)
    names = ("gamma", "beta") if convention == "keras" else ("weight", "bias")
    return [Tensor(names[0], (a.C,), present=scale), Tensor(names[1], (a.C,), present=shift)]


register(LayerType(
    name="groupnorm",
    ignored=("axis", *_NORM_OPTIONS),
    aliases=("GroupNorm", "GroupNormalization", "group_norm"),
    description="Group normalisation: statistics over channel groups, a learned scale and shift per channel.",
    args=(size("G", "num_groups", "groups", doc="groups"),
          size("C", "num_channels", infer="channels", doc="channels"),
          *_affine_args(),
          ArgSpec("center", FLAG, True, (), doc="Keras: learn the shift (beta); PyTorch has only affine"),
          TRAINABLE),
    tensors=_gn_tensors,
    formulas=lambda a, c: _norm_formulas(*_bn_affine(a), False),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_center_scale_caveats("GroupNorm"),
    validate=lambda a: ("G", f"G={a.G} groups do not divide C={a.C} channels")
    if divides(a.G, a.C) is False else None,
))


def _in_tensors(a: Args, convention: str) -> list[Tensor]:
    learned = [Tensor("weight", (a.C,), present=one_if(a.affine)), Tensor("bias", (a.C,), present=one_if(a.affine))]
    return learned + (_running_stats(a, "pytorch") if a.track_running_stats else [])


register(LayerType(
    name="instancenorm",
    ignored=("eps", "momentum"),
    aliases=("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "instancenorm2d", "instance_norm"),
    description="Instance normalisation: per-sample, per-channel statistics; learned scale and shift only if affine.",
    args=(size("C", "num_features", infer="channels"),
          ArgSpec("affine", FLAG, False, (), doc="learn scale and shift"),
          ArgSpec("track_running_stats", FLAG, False, (), doc=_STATS_DOC),
          TRAINABLE),
    tensors=_in_tensors,
    formulas=lambda a, c: _norm_formulas(one_if(a.affine), one_if(a.affine), bool(a.track_running_stats)),
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    frameworks=("pytorch",),
    zero_reason="no weights: affine=false, and it keeps no running statistics",
))

register(LayerType(
    name="rmsnorm",
    ignored=("eps", "epsilon"),
    aliases=("RMSNorm", "rms_norm", "LlamaRMSNorm", "RMSNormalization"),
    description="RMS normalisation: a learned scale per feature, no shift.",
    args=(size("C", "normalized_shape", "dim", "hidden_size", infer="channels"),
          ArgSpec("affine", FLAG, True, ("elementwise_affine",),
                  doc="PyTorch: learn the scale; Keras's RMSNormalization always does"),
          TRAINABLE),
    tensors=lambda a, c: [Tensor("scale" if c == "keras" else "weight", (a.C,),
                                 present=one_if(a.affine or c == "keras"))],
    formulas=lambda a, c: {"param": "C"} if a.affine or c == "keras" else {},
    shape=lambda a, s, c: s,
    macs=_zero_macs,
    caveats=_rmsnorm_caveats,
))


# -- embedding -------------------------------------------------------------------------

def _embedding_shape(a: Args, s: Shape) -> Shape:
    """One vector per token id; a flat input of n values (Keras ``Input(shape=(n,))``) is n ids."""
    if s.channels is not None and not s.spatial:
        return Shape((s.channels,), a.dim, True)
    return Shape(s.spatial, a.dim, True)


register(LayerType(
    name="embedding",
    ignored=("padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse", "mask_zero",
             *_keras_weight_options("embeddings")),
    aliases=("Embedding", "embed"),
    description="Embedding table: one learned vector of size dim for each of V tokens.",
    args=(size("V", "num_embeddings", "input_dim", "vocab_size", doc="vocabulary size"),
          size("dim", "embedding_dim", "output_dim", "d_model", symbol="d", doc="vector size"),
          TRAINABLE,
          ArgSpec("tied", ANY, None, (), doc="label of a layer whose weight this one shares")),
    tensors=lambda a, c: [Tensor("embeddings" if c == "keras" else "weight", (a.V, a.dim))],
    formulas=lambda a, c: {"param": "V*d"},
    shape=lambda a, s, c: _embedding_shape(a, s),
    macs=_zero_macs,
    macs_doc="0 (a table look-up)",
))


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


for _kind, _desc in (("rnn", "Elman RNN: one tanh gate"), ("lstm", "LSTM: input, forget, cell and output gates"),
                     ("gru", "GRU: reset, update and new gates")):
    register(LayerType(
        name=_kind,
        ignored=_RNN_OPTIONS,
        aliases={"rnn": ("RNN", "SimpleRNN", "simplernn"), "lstm": ("LSTM",), "gru": ("GRU",)}[_kind],
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


# -- attention and transformers ----------------------------------------------------------

def _attention_defaults(values: dict[str, Any], shape: Shape | None) -> None:
    if values.get("key_dim") is None:
        values["key_dim"] = values["d_model"] / values["heads"]
    if values.get("value_dim") is None:
        values["value_dim"] = values["key_dim"]
    if values.get("kv_heads") is None:
        values["kv_heads"] = values["heads"]
    for name in ("kdim", "vdim", "out_dim"):  # key/value inputs and the output: d_model wide unless told
        if values.get(name) is None:
            values[name] = values["d_model"]


def _check_attention(a: Args) -> tuple[str, str] | None:
    q = a.key_dim
    if not q.free_symbols and not q.is_integer:
        return "heads", f"heads={a.heads} does not divide d_model={a.d_model}; give key_dim"
    if divides(a.kv_heads, a.heads) is False:
        return "kv_heads", f"kv_heads={a.kv_heads} does not divide heads={a.heads}"
    return None


def _attention_standard(a: Args) -> bool:
    """PyTorch MultiheadAttention's layout: head size d_model/heads, one K/V head per head."""
    return bool(
        sympy.simplify(a.key_dim * a.heads - a.d_model) == 0
        and sympy.simplify(a.value_dim - a.key_dim) == 0
        and sympy.simplify(a.kv_heads - a.heads) == 0
    )


def _same(x: sympy.Expr, y: sympy.Expr) -> bool:
    return bool(sympy.simplify(x - y) == 0)


def _attention_plain_io(a: Args) -> bool:
    """Keys, values and output all d_model wide, and no add_bias_kv: the textbook layer."""
    return _same(a.kdim, a.d_model) and _same(a.vdim, a.d_model) and _same(a.out_dim, a.d_model) \
        and not a.add_bias_kv


def _attention_tensors(a: Args, convention: str) -> list[Tensor]:
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    kd, vd, out = a.kdim, a.vdim, a.out_dim
    bias_kv = [Tensor("bias_k", (ONE, ONE, d)), Tensor("bias_v", (ONE, ONE, d))] if a.add_bias_kv else []
    if convention == "keras":
        return [
            Tensor("query/kernel", (d, h, dk)), Tensor("query/bias", (h, dk), present=a.bias),
            Tensor("key/kernel", (kd, kv, dk)), Tensor("key/bias", (kv, dk), present=a.bias),
            Tensor("value/kernel", (vd, kv, dv)), Tensor("value/bias", (kv, dv), present=a.bias),
            Tensor("attention_output/kernel", (h, dv, out)),
            Tensor("attention_output/bias", (out,), present=a.bias),
        ] + bias_kv
    if _attention_standard(a):
        if _same(kd, d) and _same(vd, d):
            inputs = [Tensor("in_proj_weight", (3 * d, d))]
        else:  # PyTorch keeps separate projections when kdim or vdim differ from embed_dim
            inputs = [Tensor("q_proj_weight", (d, d)), Tensor("k_proj_weight", (d, kd)),
                      Tensor("v_proj_weight", (d, vd))]
        return inputs + [Tensor("in_proj_bias", (3 * d,), present=a.bias)] + bias_kv + [
            Tensor("out_proj.weight", (out, d)), Tensor("out_proj.bias", (out,), present=a.bias),
        ]
    return [
        Tensor("q_proj.weight", (h * dk, d)), Tensor("q_proj.bias", (h * dk,), present=a.bias),
        Tensor("k_proj.weight", (kv * dk, kd)), Tensor("k_proj.bias", (kv * dk,), present=a.bias),
        Tensor("v_proj.weight", (kv * dv, vd)), Tensor("v_proj.bias", (kv * dv,), present=a.bias),
        Tensor("o_proj.weight", (out, h * dv)), Tensor("o_proj.bias", (out,), present=a.bias),
    ] + bias_kv


def _attention_formulas(a: Args, convention: str) -> dict[str, str]:
    if not _attention_plain_io(a):
        extra = " + 2*d_model" if a.add_bias_kv else ""
        return {"param": "(d_model + b)*h*d_k + (d_kin + b)*h_kv*d_k + (d_vin + b)*h_kv*d_v"
                         f" + (h*d_v + b)*d_out{extra}"}
    if _attention_standard(a):
        return {"param": "4*(d_model + b)*d_model"}
    if sympy.simplify(a.kv_heads - a.heads) == 0 and sympy.simplify(a.value_dim - a.key_dim) == 0:
        return {"param": "3*(d_model + b)*h*d_k + (h*d_k + b)*d_model"}
    return {"param": "(d_model + b)*h*d_k + (d_model + b)*h_kv*d_k + (d_model + b)*h_kv*d_v"
                     " + (h*d_v + b)*d_model"}


def _attention_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    L = positions(i)
    d, h, kv, dk, dv = a.d_model, a.heads, a.kv_heads, a.key_dim, a.value_dim
    projections = L * (d * h * dk + a.kdim * kv * dk + a.vdim * kv * dv) + L * h * dv * a.out_dim
    return projections + L * L * h * dk + L * L * h * dv


register(LayerType(
    name="attention",
    ignored=("dropout", "batch_first", "add_zero_attn", *_KERNEL_OPTIONS[1:]),
    aliases=("MultiheadAttention", "MultiHeadAttention", "mha", "multihead_attention", "self_attention",
             "GroupQueryAttention"),
    description="Multi-head (self-)attention: query, key, value and output projections.",
    args=(
        size("d_model", "embed_dim", "hidden_size", infer="channels", doc="model width"),
        size("heads", "num_heads", "nhead", "n_heads", "num_query_heads", symbol="h", doc="attention heads"),
        bias_arg(),
        ArgSpec("key_dim", SIZE, None, ("head_dim",), symbol="d_k", doc="size per head (default d_model/heads)"),
        ArgSpec("value_dim", SIZE, None, (), symbol="d_v", doc="value size per head (default key_dim)"),
        ArgSpec("kv_heads", SIZE, None, ("num_key_value_heads", "n_kv_heads", "num_kv_heads"), symbol="h_kv",
                doc="key/value heads (grouped-query attention; default heads)"),
        ArgSpec("kdim", SIZE, None, (), symbol="d_kin", doc="features of the key input (default d_model)"),
        ArgSpec("vdim", SIZE, None, (), symbol="d_vin", doc="features of the value input (default d_model)"),
        ArgSpec("out_dim", SIZE, None, ("output_shape",), symbol="d_out",
                doc="output features (Keras output_shape; default d_model)"),
        ArgSpec("add_bias_kv", FLAG, False, (), doc="PyTorch: learned bias_k and bias_v appended to the keys/values"),
        TRAINABLE,
    ),
    tensors=_attention_tensors,
    formulas=_attention_formulas,
    shape=lambda a, s, c: Shape(s.spatial, a.out_dim, s.sequence),
    macs=_attention_macs,
    macs_doc="L · d_model · (h + 2 h_kv) · d_k + L · h · d_v · d_model + 2 · L^2 · h · d_k",
    input_kind="sequence",
    derive=_attention_defaults,
    validate=_check_attention,
    caveats=_attention_caveats,
))


def _tel_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    return [
        Tensor("self_attn.in_proj_weight", (3 * d, d)),
        Tensor("self_attn.in_proj_bias", (3 * d,), present=a.bias),
        Tensor("self_attn.out_proj.weight", (d, d)),
        Tensor("self_attn.out_proj.bias", (d,), present=a.bias),
        Tensor("linear1.weight", (ff, d)), Tensor("linear1.bias", (ff,), present=a.bias),
        Tensor("linear2.weight", (d, ff)), Tensor("linear2.bias", (d,), present=a.bias),
        Tensor("norm1.weight", (d,)), Tensor("norm1.bias", (d,), present=a.bias),
        Tensor("norm2.weight", (d,)), Tensor("norm2.bias", (d,), present=a.bias),
    ]


def _tel_formulas(a: Args, convention: str) -> dict[str, str]:
    norms = {ONE: "4*d_model", ZERO: "2*d_model"}.get(a.bias, "2*(1 + b)*d_model")
    return {"param": f"4*(d_model + b)*d_model + (d_model + b)*d_ff + (d_ff + b)*d_model + {norms}"}


def _transformer_layer_args() -> tuple[ArgSpec, ...]:
    """The arguments PyTorch's encoder and decoder layers share (width, heads, feed-forward, bias)."""
    return (
        size("d_model", "embed_dim", "hidden_size", infer="channels"),
        size("heads", "num_heads", "nhead", symbol="h"),
        size("ff", "dim_feedforward", "intermediate_size", symbol="d_ff", default=sympy.Integer(2048),
             doc="feed-forward size"),
        bias_arg(),
    )


register(LayerType(
    name="transformer_encoder_layer",
    ignored=("dropout", "activation", "layer_norm_eps", "batch_first", "norm_first"),
    aliases=("TransformerEncoderLayer", "encoder_layer"),
    description="PyTorch TransformerEncoderLayer: self-attention, a two-layer feed-forward, two layer norms.",
    args=(
        *_transformer_layer_args(),
        TRAINABLE,
    ),
    tensors=_tel_tensors,
    formulas=_tel_formulas,
    shape=lambda a, s, c: s,
    macs=lambda a, i, o: (4 * a.d_model * a.d_model * positions(i) + 2 * positions(i) ** 2 * a.d_model
                          + 2 * positions(i) * a.d_model * a.ff),
    macs_doc="attention + 2 · L · d_model · d_ff",
    frameworks=("pytorch",),
    input_kind="sequence",
    validate=lambda a: ("heads", f"heads={a.heads} does not divide d_model={a.d_model}")
    if divides(a.heads, a.d_model) is False else None,
))


def _tdl_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    out = []
    for attn in ("self_attn", "multihead_attn"):
        out += [Tensor(f"{attn}.in_proj_weight", (3 * d, d)), Tensor(f"{attn}.in_proj_bias", (3 * d,), present=a.bias),
                Tensor(f"{attn}.out_proj.weight", (d, d)), Tensor(f"{attn}.out_proj.bias", (d,), present=a.bias)]
    out += [Tensor("linear1.weight", (ff, d)), Tensor("linear1.bias", (ff,), present=a.bias),
            Tensor("linear2.weight", (d, ff)), Tensor("linear2.bias", (d,), present=a.bias)]
    for norm in ("norm1", "norm2", "norm3"):
        out += [Tensor(f"{norm}.weight", (d,)), Tensor(f"{norm}.bias", (d,), present=a.bias)]
    return out


def _tdl_formulas(a: Args, convention: str) -> dict[str, str]:
    norms = {ONE: "6*d_model", ZERO: "3*d_model"}.get(a.bias, "3*(1 + b)*d_model")
    return {"param": f"8*(d_model + b)*d_model + (d_model + b)*d_ff + (d_ff + b)*d_model + {norms}"}


def _tdl_macs(a: Args, i: Shape, o: Shape) -> sympy.Expr:
    """Self-attention over the L target positions, cross-attention to S memory positions, the feed-forward."""
    L, d = positions(i), a.d_model
    S = a.memory_len if a.memory_len is not None else L
    self_attn = 4 * L * d * d + 2 * L * L * d
    cross_attn = 2 * L * d * d + 2 * S * d * d + 2 * L * S * d
    return self_attn + cross_attn + 2 * L * d * a.ff


register(LayerType(
    name="transformer_decoder_layer",
    ignored=("dropout", "activation", "layer_norm_eps", "batch_first", "norm_first"),
    aliases=("TransformerDecoderLayer", "decoder_layer"),
    description="PyTorch TransformerDecoderLayer: self-attention, cross-attention to the encoder's memory, "
                "a two-layer feed-forward, three layer norms.",
    args=(
        *_transformer_layer_args(),
        ArgSpec("memory_len", SIZE, None, ("memory_length", "source_len"), symbol="S",
                doc="positions of the memory attended to (MACs only; default: the target length L)"),
        TRAINABLE,
    ),
    tensors=_tdl_tensors,
    formulas=_tdl_formulas,
    shape=lambda a, s, c: s,
    macs=_tdl_macs,
    macs_doc="self-attention + cross-attention to S memory positions (default S = L) + 2 · L · d_model · d_ff",
    frameworks=("pytorch",),
    input_kind="sequence",
    validate=lambda a: ("heads", f"heads={a.heads} does not divide d_model={a.d_model}")
    if divides(a.heads, a.d_model) is False else None,
))


def _gated_tensors(a: Args, convention: str) -> list[Tensor]:
    d, ff = a.d_model, a.ff
    return [
        Tensor("gate_proj.weight", (ff, d)), Tensor("gate_proj.bias", (ff,), present=a.bias),
        Tensor("up_proj.weight", (ff, d)), Tensor("up_proj.bias", (ff,), present=a.bias),
        Tensor("down_proj.weight", (d, ff)), Tensor("down_proj.bias", (d,), present=a.bias),
    ]


register(LayerType(
    name="gated_mlp",
    aliases=("swiglu", "geglu", "LlamaMLP", "MistralMLP"),
    description="Gated feed-forward (SwiGLU/GeGLU) of Llama and Mistral: gate, up and down projections.",
    args=(
        size("d_model", "hidden_size", "dim", infer="channels"),
        size("ff", "intermediate_size", "d_ff", "hidden_dim", symbol="d_ff"),
        bias_arg(default=False),
        TRAINABLE,
    ),
    tensors=_gated_tensors,
    formulas=lambda a, c: {"param": "3*d_model*d_ff" if a.bias == ZERO
                           else "2*(d_model + b)*d_ff + (d_ff + b)*d_model"},
    shape=lambda a, s, c: s,
    macs=lambda a, i, o: 3 * a.d_model * a.ff * positions(i),
    macs_doc="3 · d_model · d_ff · L",
    input_kind="sequence",
))


# -- parameterless and shape-only layers -------------------------------------------------

def _identity_shape(a: Args, s: Shape, convention: str) -> Shape:
    return s


_ACTIVATIONS = {
    "relu": ("ReLU",), "relu6": ("ReLU6",), "gelu": ("GELU",), "silu": ("SiLU", "swish"),
    "sigmoid": ("Sigmoid",), "tanh": ("Tanh",), "softmax": ("Softmax",), "leaky_relu": ("LeakyReLU",),
    "elu": ("ELU",), "hardswish": ("Hardswish", "hard_swish"), "mish": ("Mish",),
    "selu": ("SELU",), "celu": ("CELU",), "softplus": ("Softplus",), "softsign": ("Softsign",),
    "hardsigmoid": ("Hardsigmoid", "hard_sigmoid"), "hardtanh": ("Hardtanh",), "log_softmax": ("LogSoftmax",),
}
for _name, _aliases in _ACTIVATIONS.items():
    register(LayerType(
        name=_name, aliases=_aliases,
        ignored=("approximate", "max_value", "threshold", "min_val", "max_val", "beta"),
        description=f"{_name} activation (element-wise).",
        args=(ArgSpec("alpha", NUMBER, None, ("negative_slope", "dim", "axis"), doc="option of the activation"),),
        tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
        zero_reason="no weights: an element-wise function",
    ))

register(LayerType(
    name="activation", aliases=("Activation",),
    description="Keras's Activation layer: any element-wise activation, named by a string.",
    args=(ArgSpec("fn", ANY, None, ("activation",), doc='the activation, e.g. "relu"'),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: an element-wise function",
))

register(LayerType(
    name="dropout", aliases=("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "SpatialDropout1D", "SpatialDropout2D",
                             "SpatialDropout3D", "AlphaDropout", "FeatureAlphaDropout", "GaussianDropout"),
    ignored=("noise_shape", "seed"),
    description="Dropout: zeroes random activations during training.",
    args=(ArgSpec("p", NUMBER, sympy.Rational(1, 2), ("rate",), doc="drop probability, from 0 to 1"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: it only masks activations",
    # PyTorch: "dropout probability has to be between 0 and 1"; Keras: "Expected a float value between 0 and 1"
    validate=lambda a: ("p", f"p={describe(a.p)} is not a probability: it must be between 0 and 1")
    if _certain(sympy.Lt(a.p, 0)) or _certain(sympy.Gt(a.p, 1)) else None,
))
register(LayerType(
    name="identity", aliases=("Identity",),
    description="Identity: passes its input through.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights",
))
register(LayerType(
    name="cls_token", aliases=("first_token",),
    description="The first token of a sequence (BERT's pooler reads the [CLS] position).",
    args=(), tensors=_no_tensors, formulas=_no_formulas,
    shape=lambda a, s, c: Shape((), s.channels, False),
    macs=_zero_macs,
    zero_reason="no weights: it selects one position",
    input_kind="sequence",
))
register(LayerType(
    name="rotary", aliases=("rope", "RotaryEmbedding"),
    description="Rotary position embedding: rotates query/key pairs by fixed angles.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: the rotation angles are fixed, not learned",
))
register(LayerType(
    name="lrn", aliases=("LocalResponseNorm",),
    description="Local response normalisation (AlexNet).",
    args=(ArgSpec("size", SIZE, sympy.Integer(5), ()),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_identity_shape, macs=_zero_macs,
    zero_reason="no weights: fixed normalisation constants",
    frameworks=("pytorch",),  # Keras 3 has no local response normalisation layer
))


def _flatten_shape(a: Args, s: Shape, convention: str) -> Shape:
    factors = ((s.channels,) if s.channels is not None else ()) + s.spatial
    if s.channel_factors and not s.spatial:
        factors = s.channel_factors
    return Shape((), prod(factors), False, factors if len(factors) > 1 else None)


register(LayerType(
    name="flatten", aliases=("Flatten",),
    description="Flatten: all positions and channels into one feature vector.",
    args=(), tensors=_no_tensors, formulas=_no_formulas, shape=_flatten_shape, macs=_zero_macs,
    zero_reason="no weights: it only reshapes",
))


def _pad_pairs(p: Any, d: int) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """The (before, after) padding of each spatial dimension, from any framework's spelling.

    An int pads every side; ``d`` ints pad both sides of each dimension (Keras's ``(ph, pw)``);
    ``d`` pairs are Keras's ``((top, bottom), (left, right))``; ``2d`` ints are PyTorch's
    ``(left, right, top, bottom, front, back)``, last dimension first.
    """
    def size(v: Any) -> sympy.Expr:
        if isinstance(v, bool) or not isinstance(v, sympy.Expr) or (is_number(v) and not (v.is_integer and v >= 0)):
            shown = f'"{v}"' if isinstance(v, str) else str(v).lower()
            raise SymcountError(f"padding must be whole numbers of 0 or more, not {shown}")
        return v

    if not isinstance(p, tuple):
        return [(size(p), size(p))] * d
    if len(p) == d and all(isinstance(v, tuple) for v in p):
        if any(len(v) != 2 for v in p):
            raise SymcountError("each dimension's padding pair is (before, after)")
        return [(size(v[0]), size(v[1])) for v in p]
    if len(p) == d and not any(isinstance(v, tuple) for v in p):
        return [(size(v), size(v)) for v in p]
    if len(p) == 2 * d and not any(isinstance(v, tuple) for v in p):
        pairs = [(size(p[2 * i]), size(p[2 * i + 1])) for i in range(d)]
        return list(reversed(pairs))
    raise SymcountError(f"padding for {d} spatial dimension(s) takes an int, {d} ints, {d} (before, after) pairs "
                        f"or PyTorch's {2 * d} ints")


#: PyTorch's limit on each side's padding for the input size n (reflect: < n, circular: <= n), and its words
_PAD_LIMITS: dict[str, tuple[Callable[[sympy.Expr, sympy.Expr], bool], str]] = {
    "reflection": (lambda side, n: side < n, "less than"),
    "circular": (lambda side, n: side <= n, "at most"),
}


def _pad_shape_rule(kind: str) -> ShapeRule:
    def shape(a: Args, s: Shape, convention: str) -> Shape:
        pairs = _pad_pairs(a.p, s.rank)
        if kind in _PAD_LIMITS:
            fits, words = _PAD_LIMITS[kind]
            for n, pair in zip(s.spatial, pairs, strict=True):
                for side in pair:
                    if is_number(side) and is_number(n) and not fits(side, n):
                        raise SymcountError(f"{kind} padding of {side} must be {words} the input size {n} "
                                            f"(PyTorch refuses it)")
        return Shape(tuple(pad_out(n, b, e) for n, (b, e) in zip(s.spatial, pairs, strict=True)), s.channels)

    return shape


_PADS = {
    "zero": ("Zero padding: adds zeros on each side (changes the shape only).", ("pytorch", "keras")),
    "constant": ("PyTorch's constant padding: adds a fixed value on each side (changes the shape only).",
                 ("pytorch",)),
    "reflection": ("PyTorch's reflection padding: mirrors the input at each edge, each side less than the "
                   "input size (changes the shape only).", ("pytorch",)),
    "replication": ("PyTorch's replication padding: repeats the edge values (changes the shape only).",
                    ("pytorch",)),
    "circular": ("PyTorch's circular padding: wraps the input around, each side at most the input size "
                 "(changes the shape only).", ("pytorch",)),
}
_PAD_ARG = ArgSpec("p", ANY, ONE, ("padding",),
                   doc="int, one per dimension, (before, after) pairs, or PyTorch's (left, right, top, ...)")

for _kind, (_desc, _frameworks) in _PADS.items():
    for _d in (1, 2, 3):
        _torch = f"{_kind.capitalize()}Pad{_d}d"
        register(LayerType(
            name=f"{_kind}_pad{_d}d",
            aliases=(*((f"ZeroPadding{_d}D",) if _kind == "zero" else ()), _torch, _torch.lower()),
            description=_desc,
            args=(_PAD_ARG, *((ArgSpec("value", NUMBER, ZERO, ("fill",), doc="the fill value"),)
                              if _kind == "constant" else ())),
            tensors=_no_tensors, formulas=_no_formulas, shape=_pad_shape_rule(_kind), macs=_zero_macs,
            dims=_d, zero_reason="no weights: it only pads", input_kind="spatial", frameworks=_frameworks,
        ))


def _per_dim(value: Any, rank: int, what: str) -> tuple[sympy.Expr, ...]:
    """One positive number per spatial dimension (an ANY-kind argument, checked here)."""
    values = value if isinstance(value, tuple) else (value,) * rank
    if len(values) != rank:
        raise SymcountError(f"{what} has {len(values)} entries for {rank} spatial dimensions")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, sympy.Expr) or v.is_positive is False:
            shown = f'"{v}"' if isinstance(v, str) else str(v).lower()
            raise SymcountError(f"{what} must be a positive number, not {shown}")
    return values


def _upsample_shape(a: Args, s: Shape, convention: str) -> Shape:
    if a.size is not None:
        if a.scale is not None:
            raise SymcountError("upsample takes scale (scale_factor) or size (the output size), not both")
        return Shape(tuple(given_out(n, "size") for n in _per_dim(a.size, s.rank, "upsample size")), s.channels)
    scale = _per_dim(a.scale if a.scale is not None else sympy.Integer(2), s.rank, "upsample scale")
    return Shape(tuple(scale_out(n, f) for n, f in zip(s.spatial, scale, strict=True)), s.channels)


def _upsampling_shape(a: Args, s: Shape, convention: str) -> Shape:
    size = _per_dim(a.size, s.rank, "upsampling size")
    return Shape(tuple(scale_out(n, f, floor=False) for n, f in zip(s.spatial, size, strict=True)), s.channels)


register(LayerType(
    name="upsample", aliases=("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"),
    ignored=("mode", "align_corners", "recompute_scale_factor"),
    description="PyTorch's Upsample: by a scale factor (default 2), or to a given output size.",
    args=(ArgSpec("scale", ANY, None, ("scale_factor",), doc="scale factor (default 2)"),
          ArgSpec("size", ANY, None, ("output_size",), doc="the output size instead of a factor (PyTorch's size)")),
    tensors=_no_tensors, formulas=_no_formulas, shape=_upsample_shape, macs=_zero_macs,
    zero_reason="no weights: it repeats or interpolates values",
))
register(LayerType(
    name="upsampling", aliases=("UpSampling1D", "UpSampling2D", "UpSampling3D", "upsampling1d", "upsampling2d",
                                "upsampling3d"),
    ignored=("interpolation",),
    description="Keras's UpSampling: repeats each position size times (size is a factor, not an output size).",
    args=(ArgSpec("size", ANY, sympy.Integer(2), ("scale",), doc="repeat factor per dimension"),),
    tensors=_no_tensors, formulas=_no_formulas, shape=_upsampling_shape, macs=_zero_macs,
    zero_reason="no weights: it repeats values",
))


def _prelu_alpha_shape(a: Args) -> tuple[sympy.Expr, ...]:
    """Keras PReLU: one slope per input element, except along ``shared_axes``."""
    shape: Shape | None = a.get("input_shape")
    if shape is None:
        return (a.C,)
    dims = list(shape.layout("keras"))
    shared = a.shared_axes
    axes = () if shared is None else (shared if isinstance(shared, tuple) else (shared,))
    for axis in axes:
        if isinstance(axis, bool) or not isinstance(axis, sympy.Integer):
            shown = f'"{axis}"' if isinstance(axis, str) else str(axis).lower()
            raise SymcountError(f"shared_axes takes axis numbers (1-based), not {shown}")
        index = int(axis) - 1
        if not 0 <= index < len(dims):
            raise SymcountError(f"shared_axes entry {axis} is outside the input's {len(dims)} axes")
        dims[index] = ONE
    return tuple(dims)


def _prelu_tensors(a: Args, convention: str) -> list[Tensor]:
    if convention == "keras":
        return [Tensor("alpha", _prelu_alpha_shape(a))]
    return [Tensor("weight", (a.C,))]


register(LayerType(
    name="prelu", aliases=("PReLU",),
    ignored=("init", *_keras_weight_options("alpha")),
    description="Parametric ReLU: a learned negative slope (per channel in PyTorch, per element in Keras).",
    args=(ArgSpec("C", SIZE, ONE, ("num_parameters",), doc="slopes (PyTorch num_parameters)"),
          ArgSpec("shared_axes", ANY, None, (), doc="Keras: axes that share one slope (1-based, no batch)"),
          TRAINABLE),
    tensors=_prelu_tensors,
    caveats=_prelu_caveats,
    formulas=lambda a, c: {"param": "C"} if c != "keras" else {"param": "N"},
    shape=_identity_shape,
    macs=_zero_macs,
    bindings=lambda a, c: {"N": prod(_prelu_alpha_shape(a))} if c == "keras" else {},
    symbols={"N": "slopes, one per input element (axes in shared_axes share one)"},
))


# ---------------------------------------------------------------------------
# the frameworks' own spellings: positional orders

_TORCH_RNN = ("C_in", "hidden", "layers", "bias", "batch_first", "dropout", "bidirectional")
_KERAS_CONV = ("C_out", "k", "stride", "padding", "data_format", "dilation", "groups", "activation", "bias")

#: A framework's spelling of a layer takes positional arguments in that framework's order, not
#: the catalog's: Keras's ``Dense(64)`` is 64 units, PyTorch's ``Conv2d(3, 16, 3, 2, 1)`` has
#: stride 2 and padding 1. Keys are exact spellings (``Conv2d`` is PyTorch, ``Conv2D`` Keras);
#: ``LSTM`` and ``GRU`` are spelt alike in both and are read from the call (see
#: :func:`positional_order`). Other spellings (the catalog's own names) take the catalog's
#: order. A name in an order that is not one of the layer's arguments is one its entry ignores.
FRAMEWORK_ORDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "Dense": {"keras": ("C_out", "activation", "bias")},
    "SimpleRNN": {"keras": ("hidden", "activation", "bias")},
    "RNN": {"pytorch": ("C_in", "hidden", "layers", "nonlinearity", "bias", "batch_first", "dropout",
                        "bidirectional")},
    "LSTM": {"pytorch": (*_TORCH_RNN, "proj"), "keras": ("hidden", "activation", "recurrent_activation", "bias")},
    "GRU": {"pytorch": _TORCH_RNN, "keras": ("hidden", "activation", "recurrent_activation", "bias")},
    "MultiheadAttention": {"pytorch": ("d_model", "heads", "dropout", "bias")},
    "MultiHeadAttention": {"keras": ("heads", "key_dim", "value_dim", "dropout", "bias")},
    "TransformerEncoderLayer": {"pytorch": ("d_model", "heads", "ff", "dropout", "activation", "layer_norm_eps",
                                            "batch_first", "norm_first", "bias")},
    "Embedding": {"pytorch": ("V", "dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"),
                  "keras": ("V", "dim")},
    "LayerNorm": {"pytorch": ("C", "eps", "affine", "bias")},
    "LayerNormalization": {"keras": ("axis", "epsilon", "bias", "scale")},
    "GroupNorm": {"pytorch": ("G", "C", "eps", "affine")},
    "GroupNormalization": {"keras": ("G", "axis", "epsilon", "center", "scale")},
    "BatchNormalization": {"keras": ("axis", "momentum", "epsilon", "center", "scale")},
    "RMSNorm": {"pytorch": ("C", "eps", "affine")},
    **{f"DepthwiseConv{d}D": {"keras": ("k", "stride", "padding", "multiplier", "data_format", "dilation",
                                        "activation", "bias")} for d in (1, 2)},
    **{f"SeparableConv{d}D": {"keras": ("C_out", "k", "stride", "padding", "data_format", "dilation", "multiplier",
                                        "activation", "bias")} for d in (1, 2)},
    "TransformerDecoderLayer": {"pytorch": ("d_model", "heads", "ff", "dropout", "activation", "layer_norm_eps",
                                            "batch_first", "norm_first", "bias")},
    **{name: {"pytorch": ("size", "scale", "mode", "align_corners", "recompute_scale_factor")}
       for name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")},
    **{name: {"pytorch": ("C", "eps", "momentum", "affine", "track_running_stats")}
       for d in (1, 2, 3) for name in (f"BatchNorm{d}d", f"InstanceNorm{d}d")},
    **{f"Conv{d}d": {"pytorch": ("C_in", "C_out", "k", "stride", "padding", "dilation", "groups", "bias",
                                 "padding_mode")} for d in (1, 2, 3)},
    **{f"ConvTranspose{d}d": {"pytorch": ("C_in", "C_out", "k", "stride", "padding", "output_padding", "groups",
                                          "bias", "dilation", "padding_mode")} for d in (1, 2, 3)},
    **{f"MaxPool{d}d": {"pytorch": ("k", "stride", "padding", "dilation", "return_indices", "ceil_mode")}
       for d in (1, 2, 3)},
    **{f"AvgPool{d}d": {"pytorch": ("k", "stride", "padding", "ceil_mode", "count_include_pad",
                                    "divisor_override")} for d in (1, 2, 3)},
    **{name: {"keras": _KERAS_CONV} for d in (1, 2, 3) for name in (f"Conv{d}D", f"Convolution{d}D")},
    **{f"Conv{d}DTranspose": {"keras": ("C_out", "k", "stride", "padding", "output_padding", "data_format",
                                        "dilation", "activation", "bias")} for d in (1, 2, 3)},
    **{name: {"keras": ("k", "stride", "padding", "data_format")}
       for d in (1, 2, 3) for name in (f"MaxPooling{d}D", f"AveragePooling{d}D", f"MaxPool{d}D", f"AvgPool{d}D")},
}


def spelling_framework(written: str, framework: str | None = None) -> str | None:
    """The framework a call is written for: its module prefix's, else its spelling's when only one
    framework spells a layer that way (``Dense``, ``BatchNorm2d``); None for the catalog's own names
    and for spellings both share (``LSTM``)."""
    if framework is not None:
        return framework
    orders = FRAMEWORK_ORDERS.get(written, {})
    return next(iter(orders)) if len(orders) == 1 else None


def positional_order(entry: LayerType, written: str, positional: Sequence[nodes.Expr] = (),
                     framework: str | None = None) -> tuple[str, ...]:
    """The argument each positional argument of a call means, in order.

    A framework's spelling (``Dense``, ``Conv2d``) follows that framework's order; anything
    else the catalog's. A spelling both frameworks share (``LSTM``, ``GRU``) is read from the
    call, the same under either convention: one positional argument is Keras's ``units``
    (PyTorch needs two), a string second is Keras's activation, two numbers are PyTorch's
    ``input_size, hidden_size``. ``positional`` holds the call's positional values. A module
    prefix (``nn.LSTM``, ``layers.LSTM``) names the ``framework`` and so the order.
    """
    orders = FRAMEWORK_ORDERS.get(written, {})
    if framework in orders:
        return orders[framework]
    if len(orders) == 1:
        return next(iter(orders.values()))
    if orders:
        keras = len(positional) == 1 or (len(positional) > 1 and isinstance(positional[1], nodes.Str))
        return orders["keras" if keras else "pytorch"]
    return tuple(spec.name for spec in entry.args if spec.name not in ("trainable", "tied"))
