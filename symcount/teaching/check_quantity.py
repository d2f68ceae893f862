"""Answer checking beyond parameters: activations, receptive field, output size, MACs and FLOPs.

``check_quantity(source, answer, quantity)`` works out the quantity with the
engine (:mod:`symcount.engine.activations`, :mod:`~symcount.engine.receptive`,
:mod:`~symcount.engine.backward`), reads the answer with symcount's own
expression grammar (never eval or sympify) and compares exactly. A wrong answer
is matched against the classic slips, each a *computation* of what a student who
made it would get (the network recounted with the batch left out, the padding
forgotten, the bias gradients added...), never a stored number: a slip is
named only when its computed value is the answer and differs from the right one.

Sequential recomputations (output size and receptive field with one rule
changed) are tried only when the same walk with no rule changed reproduces the
engine's own value for every layer, so a layer this walk does not understand
is never blamed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symcount.counting import Source, convert_values, count, read_source
from symcount.engine.activations import ACTIVATION_DTYPE, DTYPE_BYTES, activations_of, check_batch, values_bytes
from symcount.engine.backward import Backward, backward_of
from symcount.engine.count import Count
from symcount.engine.receptive import POSITION_WISE, WINDOW_PREFIXES, receptive_fields
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError, did_you_mean
from symcount.language import budget
from symcount.language.symbols import is_number
from symcount.render.blocks import labelled_lines
from symcount.render.escape import latex_text
from symcount.render.formats import Format
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.teaching.check import read_answer

#: The quantities answered here (``total`` and ``trainable`` parameters are :func:`symcount.teaching.check.check`'s).
QUANTITY_KINDS = ("activations", "activation_bytes", "receptive_field", "output_size", "macs", "flops",
                  "backward_flops", "training_flops")
#: The quantities a batch multiplies (the others are per position or per sample by nature).
BATCHED = ("activations", "activation_bytes", "macs", "flops", "backward_flops", "training_flops")
#: The quantities with one value per spatial dimension of the input (H and W).
PER_DIMENSION = ("receptive_field", "output_size")
#: What the quantity counts, in a sentence.
WHAT = {
    "activations": "activation values", "activation_bytes": "bytes of activations",
    "receptive_field": "input positions (receptive field)", "output_size": "output positions",
    "macs": "multiply-accumulates", "flops": "forward FLOPs", "backward_flops": "backward FLOPs",
    "training_flops": "FLOPs for a training step",
}


@dataclass(frozen=True)
class QuantitySlip:
    """One classic mistake on a quantity: a stable id, how a marker names it, and what to write instead."""

    id: str
    title: str
    advice: str


_SLIPS = (
    QuantitySlip("forgot_batch", "the batch forgotten",
                 "every sample of the batch has its own activations and its own multiply-adds: multiply by B"),
    QuantitySlip("bytes_as_values", "bytes given for values",
                 "the question asks for values (numbers stored), not bytes: do not multiply by the bytes a value"),
    QuantitySlip("values_as_bytes", "values given for bytes",
                 "bytes are values times the bytes of one value (4 in fp32, 2 in fp16/bf16)"),
    QuantitySlip("wrong_dtype", "bytes at another dtype",
                 "each value takes the bytes of the stated dtype"),
    QuantitySlip("forgot_input", "the input volume forgotten",
                 "the input image is stored too (CS231n's table starts with INPUT: 224*224*3)"),
    QuantitySlip("in_place_counted", "in-place activations counted",
                 "ReLU(inplace=True) overwrites its input: its output is no new tensor"),
    QuantitySlip("doubled_for_backward", "doubled for the backward pass",
                 "the forward pass stores each value once; the x2 is for the gradients of training"),
    QuantitySlip("params_added", "the parameters added to the activations",
                 "activations are the values the layers output; parameters are counted apart"),
    QuantitySlip("rf_off_by_one", "the receptive field off by one",
                 "start from r = 1 (one input position) and add (k - 1)*d*j for each layer"),
    QuantitySlip("rf_kernels_added", "kernel sizes added",
                 "a layer widens the field by k - 1 (times the jump), not by k"),
    QuantitySlip("rf_stride_ignored", "the strides ignored",
                 "after a stride s every step of the next layer covers s input positions: "
                 "multiply (k - 1) by the jump, the product of the earlier strides"),
    QuantitySlip("rf_own_stride", "the layer's own stride used",
                 "a layer's growth is (k - 1) times the jump of its input, the product of the strides before it, "
                 "not including its own"),
    QuantitySlip("dilation_ignored", "the dilation ignored",
                 "a dilated kernel spans d*(k - 1) + 1 positions"),
    QuantitySlip("padding_forgotten", "the padding forgotten",
                 "the output size is floor((n + 2p - d*(k - 1) - 1)/s) + 1: the padding adds 2p"),
    QuantitySlip("padding_one_side", "the padding on one side only",
                 "padding p is added on both sides: n + 2p"),
    QuantitySlip("stride_ignored", "the stride ignored",
                 "a stride s keeps one position in s: divide by s before adding 1"),
    QuantitySlip("plus_one_forgotten", "the + 1 forgotten",
                 "the first window position counts too: floor((n + 2p - k)/s) + 1"),
    QuantitySlip("floor_forgotten", "no floor taken",
                 "a window only fits a whole number of times: take the floor before adding 1"),
    QuantitySlip("flops_as_macs", "FLOPs given for MACs",
                 "one multiply-accumulate is two FLOPs: MACs are half the FLOPs"),
    QuantitySlip("macs_as_flops", "MACs given for FLOPs",
                 "one multiply-accumulate is two FLOPs (a multiply and an add)"),
    QuantitySlip("bias_added", "the bias additions counted",
                 "MAC counts (torch's, fvcore's, ptflops' convention here) leave the bias additions out"),
    QuantitySlip("one_position", "one output position only",
                 "a convolution repeats its multiply-adds at every output position: multiply by H_out*W_out"),
    QuantitySlip("bias_grad_counted", "the bias gradient counted as FLOPs",
                 "a bias gradient is a sum of the output gradient (additions only); FlopCounterMode does not "
                 "count it, so it is reported apart"),
    QuantitySlip("first_input_grad_counted", "the first layer's input gradient counted",
                 "the network's input needs no gradient, so the first layer with weights skips it"),
    QuantitySlip("one_gradient", "one of the two gradients",
                 "the backward pass computes the gradient with respect to the input and the one with respect "
                 "to the weights, each as costly as the forward product"),
    QuantitySlip("forward_as_backward", "the backward pass costed as the forward",
                 "the backward pass costs about twice the forward (two gradients)"),
    QuantitySlip("forward_included", "the forward pass included",
                 "a training step is forward + backward; the backward pass alone leaves the forward out"),
    QuantitySlip("forward_only", "the backward pass left out",
                 "a training step is the forward pass and the backward pass (about 3 x forward)"),
    QuantitySlip("two_x_forward", "2 x forward for a training step",
                 "the backward pass is about twice the forward, so training is about 3 x forward"),
)
QUANTITY_SLIPS: dict[str, QuantitySlip] = {s.id: s for s in _SLIPS}

Values = tuple[sympy.Expr, ...]


@dataclass(repr=False)
class QuantityVerdict(Printable):
    """The marker's verdict on an answer to one of :data:`QUANTITY_KINDS`."""

    quantity: str
    correct: bool
    expected: Values
    answer: Values
    answer_text: str
    network: str
    batch: sympy.Expr
    dtype: str | None
    slips: list[tuple[QuantitySlip, Values]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def mistake(self) -> str | None:
        return self.slips[0][0].id if self.slips else None

    @property
    def mistakes(self) -> list[str]:
        return list(dict.fromkeys(s.id for s, _ in self.slips))

    @property
    def difference(self) -> Values:
        return tuple(sympy.expand(a - e) for a, e in zip(self.answer, self.expected, strict=True))

    @property
    def explanation(self) -> str:
        return self.sentence(Style("text"))

    def sentence(self, style: Style) -> str:
        what = WHAT[self.quantity]
        if self.correct:
            return f"Correct: {_shown(self.expected, style)} {what}{self._condition()}."
        minus = "answer $-$ correct" if style.name == "latex" else "answer − correct"
        difference = _shown(_collapsed(self.difference), style)
        head = f"Wrong: the answer gives {_shown(self.answer, style)}, the correct value is " \
               f"{_shown(self.expected, style)} {what}{self._condition()} ({minus} = {difference})."
        if not self.slips:
            return head
        slip = self.slips[0][0]
        title, advice = (style.escape(slip.title), style.escape(slip.advice)) if style.name == "latex" \
            else (slip.title, slip.advice)
        return f"{head} The slip: {title}: {advice}."

    def _condition(self) -> str:
        parts = []
        if self.quantity in BATCHED:
            parts.append(f"batch {self.batch}")
        if self.dtype is not None:
            parts.append(f"{self.dtype}, {DTYPE_BYTES[self.dtype]} bytes a value")
        return f" ({', '.join(parts)})" if parts else ""

    def lines(self, style: Style) -> list[tuple[str, str]]:
        rows = [("correct", _shown(self.expected, style, bare=True))]
        if self.slips:
            rows.append(("the slip", _shown(self.slips[0][1], style, bare=True)))
        rows.append(("answer", _shown(self.answer, style, bare=True)))
        return rows

    def _render(self, fmt: Format) -> str:
        style = fmt.style
        out = [self.sentence(style), "", labelled_lines(self.lines(style), style)]
        if self.notes and style.name == "latex":
            out += ["", r"\begin{itemize}", *[rf"\item {latex_text(n)}" for n in self.notes], r"\end{itemize}"]
        elif self.notes:
            out += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(out) + "\n"

    def _summary(self) -> str:
        return f"quantity={self.quantity!r}, correct={self.correct}, answer={self.answer_text!r}, " \
               f"mistake={self.mistake!r}"


def _collapsed(values: Values) -> Values:
    """One value for a difference that is the same in every dimension."""
    return values[:1] if len(set(values)) == 1 else values


def _shown(values: Values, style: Style, bare: bool = False) -> str:
    """One value, or one per dimension joined by a times sign (``7 × 7``)."""
    write = style.bare if bare or len(values) > 1 else style.value
    if len(values) == 1:
        return write(values[0])
    joined = f" {style.times} ".join(style.bare(v) for v in values)
    return joined if bare or not style.math else f"${joined}$"


# ------------------------------------------------------------------------------ sequential walks


@dataclass(frozen=True)
class Rules:
    """How a student might apply the window rules (the defaults are the right ones)."""

    padding: int = 2  # sides padded: 2 (right), 1 (one side), 0 (forgotten)
    stride: bool = True
    dilation: bool = True
    plus_one: bool = True
    floor: bool = True
    kernel_growth: int = 1  # r grows by (k - kernel_growth): 1 right, 0 (kernel sizes added)
    own_stride: bool = False
    start: int = 1


def _is_window(layer: LayerResult) -> bool:
    return layer.kind.startswith(WINDOW_PREFIXES) and layer.args is not None and "k" in layer.args


def _numeric_padding(layer: LayerResult) -> tuple[sympy.Expr, ...] | None:
    assert layer.args is not None
    padding = layer.args.padding
    if padding == "valid":
        return tuple(sympy.Integer(0) for _ in layer.args.k)
    if not isinstance(padding, tuple) or not all(isinstance(p, sympy.Expr) for p in padding):
        return None
    return tuple(padding)


def sizes_with(result: Count, rules: Rules) -> Values | None:
    """The output's spatial sizes with window rules applied as ``rules`` says (None: not a sequential stack
    of windows and position-wise layers this walk understands)."""
    if result.merges or not result.layers or result.layers[0].input_shape is None:
        return None
    sizes: list[sympy.Expr] = list(result.layers[0].input_shape.spatial)
    for layer in result.layers:
        if layer.shape is None or layer.input_shape is None or layer.multiplier != 1:
            return None
        if _is_window(layer):
            padding = _numeric_padding(layer)
            a = layer.args
            assert a is not None
            if padding is None or len(a.k) != len(sizes):
                return None
            for i, (k, s, d, p) in enumerate(zip(a.k, a.stride, a.dilation, padding, strict=True)):
                span = (d if rules.dilation else 1) * (k - 1) + 1
                steps = (sizes[i] + rules.padding * p - span) / (s if rules.stride else 1)
                sizes[i] = (sympy.floor(steps) if rules.floor else steps) + (1 if rules.plus_one else 0)
        elif tuple(layer.shape.spatial) != tuple(layer.input_shape.spatial):
            return None
    return tuple(budget.simplify(s) for s in sizes)


def _field(result: Count, rules: Rules) -> Values | None:
    """The receptive field of a sequential stack with the rules applied as ``rules`` says (None: as in sizes_with)."""
    first = result.layers[0].input_shape if result.layers else None
    if result.merges or first is None:
        return None
    rank = len(first.spatial)
    r = [sympy.Integer(rules.start)] * rank
    j = [sympy.Integer(1)] * rank
    for layer in result.layers:
        if layer.multiplier != 1:
            return None
        if _is_window(layer):
            a = layer.args
            assert a is not None
            if len(a.k) != rank:
                return None
            for i, (k, s, d) in enumerate(zip(a.k, a.stride, a.dilation, strict=True)):
                span = (d if rules.dilation else 1) * (k - 1) + 1
                step = j[i] * s if rules.stride else j[i]
                r[i] = r[i] + (span - rules.kernel_growth) * (step if rules.own_stride else j[i])
                j[i] = step
        elif not (layer.kind in POSITION_WISE or layer.kind.endswith(("_pad1d", "_pad2d", "_pad3d"))):
            return None
    return tuple(sympy.expand(v) for v in r)


def _variants(walk: Callable[[Count, Rules], Values | None], result: Count, expected: Values,
              variants: list[tuple[str, Rules]]) -> list[tuple[str, Values]]:
    """The walk under each slipped rule, when the walk under the right rules gives the engine's value."""
    right = walk(result, Rules())
    if right is None or any(sympy.expand(a - b) != 0 for a, b in zip(right, expected, strict=True)):
        return []
    out = []
    for slip, rules in variants:
        value = walk(result, rules)
        if value is not None:
            out.append((slip, value))
    return out


# ------------------------------------------------------------------------------ each quantity


@dataclass(frozen=True)
class Worked:
    """A quantity worked out: its value and the values each slip would give."""

    expected: Values
    alternatives: list[tuple[str, Values]]
    notes: list[str]


def _one(value: sympy.Expr) -> Values:
    return (sympy.expand(value),)


def _activations(result: Count, batch: sympy.Expr, dtype: str, in_bytes: bool) -> Worked:
    acts = activations_of(result, batch, dtype)
    convert: Callable[[sympy.Expr], sympy.Expr] = (lambda v: values_bytes(v, dtype)) if in_bytes else (lambda v: v)
    expected = convert(acts.total)
    alts: list[tuple[str, sympy.Expr]] = []
    if batch != 1:
        alts.append(("forgot_batch", convert(activations_of(result, 1, dtype).total)))
    if in_bytes:
        alts.append(("values_as_bytes", acts.total))
        alts += [("wrong_dtype", values_bytes(acts.total, other)) for other in DTYPE_BYTES if other != dtype]
    else:
        alts.append(("bytes_as_values", values_bytes(acts.total, ACTIVATION_DTYPE)))
    alts.append(("forgot_input", convert(acts.total - acts.input)))
    alts.append(("in_place_counted", convert(activations_of(result, batch, dtype, in_place=False).total)))
    alts.append(("doubled_for_backward", 2 * expected))
    alts.append(("params_added", convert(acts.total + result.total)))
    return Worked(_one(expected), [(s, _one(v)) for s, v in alts], acts.assumptions())


def _receptive_field(result: Count) -> Worked:
    fields = receptive_fields(result)
    expected = tuple(fields.at().r)
    alts = [("rf_off_by_one", tuple(r - 1 for r in expected)), ("rf_off_by_one", tuple(r + 1 for r in expected))]
    alts += _variants(_field, result, expected, [
        ("rf_kernels_added", Rules(kernel_growth=0, start=0)), ("rf_stride_ignored", Rules(stride=False)),
        ("rf_own_stride", Rules(own_stride=True)), ("dilation_ignored", Rules(dilation=False))])
    return Worked(expected, alts, fields.assumptions())


def _output_size(result: Count) -> Worked:
    last = result.layers[-1] if result.layers else None
    if last is None or last.shape is None:
        raise SymcountError("output_size: the output's size is not known",
                            hint="start the network with input(H=..., W=..., C=...)")
    if not last.shape.spatial:
        raise SymcountError("output_size: the output has no positions (a vector); ask for macs or activations",
                            last.pos)
    expected = tuple(last.shape.spatial)
    alts = _variants(sizes_with, result, expected, [
        ("padding_forgotten", Rules(padding=0)), ("padding_one_side", Rules(padding=1)),
        ("stride_ignored", Rules(stride=False)), ("plus_one_forgotten", Rules(plus_one=False)),
        ("floor_forgotten", Rules(floor=False)), ("dilation_ignored", Rules(dilation=False))])
    return Worked(expected, alts, ["output size = floor((n + 2p - d*(k - 1) - 1)/s) + 1 per window layer "
                                   "(PyTorch's formula; ceil_mode and \"same\" padding as the framework applies them)"])


def _bias_additions(result: Count) -> sympy.Expr:
    """Bias additions of the layers with multiply-accumulates: one per bias and output position."""
    total: sympy.Expr = sympy.Integer(0)
    for layer in result.layers:
        if layer.macs == 0 or layer.shape is None or layer.shape.channels is None or layer.output_shape is None:
            continue
        bias = sympy.Add(*[t.size for t in layer.tensors if t.category == "trainable" and t.name.endswith("bias")])
        total += layer.multiplier * bias * sympy.Mul(*layer.output_shape) / layer.shape.channels
    return sympy.expand(total)


def _one_position(result: Count) -> sympy.Expr:
    """MACs with each convolution counted at one output position."""
    total: sympy.Expr = sympy.Integer(0)
    for layer in result.layers:
        spatial = layer.shape.spatial if layer.shape is not None else ()
        per = sympy.Mul(*spatial) if layer.kind.startswith(("conv", "depthwise", "separable")) and spatial else 1
        total += layer.macs / per
    return sympy.expand(total)


def _macs(result: Count, batch: sympy.Expr, flops: bool) -> Worked:
    macs = sympy.expand(result.macs)
    if macs.has(sympy.nan):
        raise SymcountError("the MACs of this network are not known for every layer (see count --macs)")
    factor = 2 if flops else 1
    expected = batch * factor * macs
    alts: list[tuple[str, sympy.Expr]] = [("macs_as_flops", batch * macs) if flops else
                                          ("flops_as_macs", 2 * batch * macs)]
    if batch != 1:
        alts.append(("forgot_batch", factor * macs))
    alts.append(("bias_added", batch * (factor * macs + _bias_additions(result))))
    alts.append(("one_position", batch * factor * _one_position(result)))
    note = "MACs: multiply-accumulates of one forward pass, bias additions left out (as torch's FlopCounterMode, " \
           "fvcore and ptflops count)"
    return Worked(_one(expected), [(s, _one(v)) for s, v in alts], [note] + (["FLOPs = 2 x MACs"] if flops else []))


def _complete_backward(result: Count) -> Backward:
    b = backward_of(result)
    if not b.complete:
        raise SymcountError(f"the backward pass is not derived for {', '.join(b.not_derived)}: no answer to check "
                            "against", hint="see symcount compute for what it covers")
    return b


def _skipped_input_grad(b: Backward) -> sympy.Expr:
    """The input gradient the first layer with weights skips (its forward product, its projections in attention)."""
    return sympy.expand(sympy.Add(*[row.skipped for row in b.layers]))


def _backward(result: Count, batch: sympy.Expr, training: bool) -> Worked:
    b = _complete_backward(result)
    base = b.training if training else b.backward
    expected = batch * base
    alts: list[tuple[str, sympy.Expr]] = []
    if batch != 1:
        alts.append(("forgot_batch", base))
    if b.bias_grad != 0:
        alts.append(("bias_grad_counted", batch * (base + b.bias_grad)))
    if b.first is not None:
        alts.append(("first_input_grad_counted", batch * (base + _skipped_input_grad(b))))
    if training:
        alts += [("forward_only", batch * b.forward), ("two_x_forward", batch * 2 * b.forward)]
    else:
        alts += [("forward_as_backward", batch * b.forward), ("forward_included", batch * b.training)]
    fwd = b.forward if training else 0
    alts += [("one_gradient", batch * (fwd + b.weight_grad)), ("one_gradient", batch * (fwd + b.input_grad))]
    alts.append(("flops_as_macs", batch * base / 2))
    notes = ["backward FLOPs: 2 x MACs for the input gradient and 2 x MACs for the weight gradient of each "
             "product, as torch's FlopCounterMode counts them around loss.backward()",
             "bias gradients (additions) are not counted, and the first layer with weights skips its input gradient"]
    return Worked(_one(expected), [(s, _one(v)) for s, v in alts], notes)


# ------------------------------------------------------------------------------ reading the answer


_PER_DIM_SPLIT = re.compile(r"\s*(?:[x×X,]|\\times)\s*")


def _answer_values(answer: str | int | sympy.Expr, names: Mapping[str, Any], allowed: set[str],
                   rank: int) -> Values:
    """The answer as values: one per dimension (``7x7``, ``(7, 7)``) or one for all."""
    if isinstance(answer, str) and rank > 1:
        text = answer.strip().removeprefix("(").removesuffix(")")
        parts = _PER_DIM_SPLIT.split(text)
        if len(parts) == rank and all(parts):
            return tuple(sympy.expand(read_answer(p, names, allowed)) for p in parts)
    if isinstance(answer, (tuple, list)) and len(answer) == rank:
        return tuple(sympy.expand(read_answer(p, names, allowed)) for p in answer)
    value = sympy.expand(read_answer(answer, names, allowed))
    return (value,) * rank


def _same(a: Values, b: Values) -> bool:
    return len(a) == len(b) and all(budget.is_zero(x - y) is True for x, y in zip(a, b, strict=True))


def up_to(result: Count, label: str) -> Count:
    """The network up to a labelled layer's output (the merges that close before it): what a
    question about "the receptive field after conv3" asks about."""
    found = [i for i, layer in enumerate(result.layers)
             if label in (layer.label, layer.name) or layer.name.endswith(f".{label}")]
    if not found:
        names = [layer.label or layer.name for layer in result.layers]
        raise SymcountError(f"no layer named '{label}'", hint=did_you_mean(label, names)
                            or "label a layer (name: conv2d(...)) or use a name from count's table")
    end = found[-1] + 1
    return replace(result, layers=result.layers[:end], merges=[m for m in result.merges if m.end <= end])


def check_quantity(source: Source, answer: str | int | sympy.Expr, quantity: str, *,
                   values: Mapping[str, Any] | None = None, convention: str | None = None,
                   network: str | None = None, batch: sympy.Expr | int | None = None,
                   dtype: str | None = None, layer: str | None = None) -> QuantityVerdict:
    """Check an answer to "what is the QUANTITY of SOURCE?" (see the module docstring).

    ``batch`` (activations, MACs, FLOPs; default 1) is a whole number or a
    symbol; ``dtype`` (activation bytes only; default fp32, as CS231n counts);
    ``layer`` asks the receptive field or output size at a labelled layer's output.
    """
    if layer is not None and quantity not in PER_DIMENSION:
        raise SymcountError(f"--layer asks the receptive field or output size at a layer, not the {quantity}",
                            hint="leave --layer out for the whole network's " + quantity)
    if quantity not in QUANTITY_KINDS:
        raise SymcountError(f"unknown quantity {quantity!r} (valid: {', '.join(QUANTITY_KINDS)})",
                            hint=did_you_mean(quantity, QUANTITY_KINDS))
    if batch is not None and quantity not in BATCHED:
        raise SymcountError(f"--batch does not change the {quantity}: the {WHAT[quantity]} of one sample "
                            "are the same for every batch", hint="leave --batch out")
    if dtype is not None and quantity != "activation_bytes":
        raise SymcountError(f"--dtype takes effect for activation_bytes only, not for {quantity}",
                            hint="--quantity activation_bytes --dtype fp16")
    if dtype is not None and dtype not in DTYPE_BYTES:
        raise SymcountError(f"unknown dtype '{dtype}' (valid: {', '.join(DTYPE_BYTES)})",
                            hint=did_you_mean(dtype, DTYPE_BYTES))
    b = check_batch(batch if batch is not None else 1)
    result = count(source, values=values, convention=convention, network=network)
    try:
        if layer is not None:
            result = up_to(result, layer)
        worked = work_out(result, quantity, b, dtype or ACTIVATION_DTYPE)
    except SymcountError as err:
        text, filename, _ = read_source(source)
        raise err.located(filename, text) from None
    names = dict(convert_values(values))
    if isinstance(b, sympy.Symbol):
        names.setdefault(b.name, b)
    allowed = {s.name for v in worked.expected for s in v.free_symbols} | set(names)
    given = _answer_values(answer, names, allowed, len(worked.expected))
    if all(is_number(v) for v in given) and any(v.free_symbols for v in worked.expected):
        free = ", ".join(sorted({s.name for v in worked.expected for s in v.free_symbols}))
        raise SymcountError(f"the answer is a number but the question is symbolic in {free}",
                            hint="give the sizes with --set NAME=VALUE (and a number for --batch)")
    correct = _same(given, worked.expected)
    slips: list[tuple[QuantitySlip, Values]] = []
    if not correct:
        for slip_id, value in worked.alternatives:
            if not _same(value, worked.expected) and _same(value, given):
                slips.append((QUANTITY_SLIPS[slip_id], value))
    text = answer if isinstance(answer, str) else sympy.sstr(answer)
    return QuantityVerdict(quantity, correct, worked.expected, given, text.strip(), result.network, b,
                           (dtype or ACTIVATION_DTYPE) if quantity == "activation_bytes" else None, slips,
                           worked.notes)


def work_out(result: Count, quantity: str, batch: sympy.Expr, dtype: str) -> Worked:
    if quantity in ("activations", "activation_bytes"):
        return _activations(result, batch, dtype, quantity == "activation_bytes")
    if quantity == "receptive_field":
        return _receptive_field(result)
    if quantity == "output_size":
        return _output_size(result)
    if quantity in ("macs", "flops"):
        return _macs(result, batch, quantity == "flops")
    return _backward(result, batch, quantity == "training_flops")


__all__ = ["QUANTITY_KINDS", "QUANTITY_SLIPS", "QuantitySlip", "QuantityVerdict", "check_quantity"]
