"""Tensor shapes flowing through a network, and the frameworks' output-size rules.

A :class:`Shape` is kept layout-free (spatial sizes plus a channel count); the
convention only decides how it is printed: channels first under PyTorch,
channels last under Keras. The output-size rules follow the frameworks to the
letter: PyTorch's floor and ``ceil_mode`` (a window that would start in the
right padding is dropped), Keras's ``"same"`` (ceil(n / stride)).

Each rule also says how it got its number: the textbook formula of the branch it
took (in symcount's expression language, the length in as ``n``) and the values
it put in, as a :class:`SizeRule`. Nothing is kept unless someone listens
(:func:`recording`): a derivation re-runs a layer's shape rule while recording
and shows the working, so the formula shown is the one that chose the number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import sympy

from symcount.errors import SymcountError
from symcount.language.symbols import as_sympy, is_number

_ONE = sympy.Integer(1)


@dataclass(frozen=True)
class Shape:
    """What flows between layers, without the batch dimension.

    ``spatial`` holds D, H, W (or L); ``channels`` is C, or None for a sequence of
    token ids. ``sequence`` marks an L-shaped input (printed as (L, C) under
    both conventions, as batch-first PyTorch and Keras both do). Layers that
    slide a window along L (conv1d, pooling, upsampling) clear the mark: PyTorch
    runs them on (C, L) and prints their output channels first.
    ``channel_factors`` remembers how a flattened size was made (C x H x W),
    so a derivation can show ``C_in = 16 x 5 x 5 = 400``. ``declared`` marks the shape
    ``input(...)`` declares, before any layer: there an embedding reads ids of any rank.
    """

    spatial: tuple[sympy.Expr, ...] = ()
    channels: sympy.Expr | None = None
    sequence: bool = False
    channel_factors: tuple[sympy.Expr, ...] | None = field(default=None, compare=False)
    declared: bool = field(default=False, compare=False)

    @property
    def rank(self) -> int:
        return len(self.spatial)

    def with_channels(self, channels: sympy.Expr) -> Shape:
        return Shape(self.spatial, channels, self.sequence)

    def layout(self, convention: str) -> tuple[sympy.Expr, ...]:
        """The shape as the framework prints it (no batch dimension)."""
        if self.channels is None:
            return self.spatial
        if self.sequence or convention == "keras":
            return (*self.spatial, self.channels)
        return (self.channels, *self.spatial)

    def numel(self) -> sympy.Expr:
        result: sympy.Expr = sympy.Integer(1)
        for n in self.spatial:
            result *= n
        if self.channels is not None:
            result *= self.channels
        return result


@dataclass(frozen=True)
class SizeRule:
    """How one output length was worked out.

    ``formula`` is the rule of the branch taken, in symcount's expression language
    (``floor((n + 2*p - k)/s) + 1``), the input length being ``n``; None when the
    output length is simply given (adaptive pooling, upsampling to a size).
    ``values`` are what its names stood for, ``value`` the length the rule returned
    and ``note`` the framework rule in words (Keras's "same", ``ceil_mode``).
    """

    formula: str | None
    values: Mapping[str, sympy.Expr]
    value: sympy.Expr
    note: str | None = None


_LISTENER: ContextVar[list[SizeRule] | None] = ContextVar("symcount_size_rules", default=None)


@contextmanager
def recording() -> Iterator[list[SizeRule]]:
    """Collect the :class:`SizeRule` of every output length worked out inside the block, in order."""
    log: list[SizeRule] = []
    token = _LISTENER.set(log)
    try:
        yield log
    finally:
        _LISTENER.reset(token)


def _said(value: sympy.Expr, formula: str | None, note: str | None = None, **values: sympy.Expr) -> sympy.Expr:
    """Return ``value``, telling a listener which formula and values gave it."""
    log = _LISTENER.get()
    if log is not None:
        log.append(SizeRule(formula, values, value, note))
    return value


def _is(value: object, n: int) -> bool:
    return isinstance(value, sympy.Integer) and value == n


def _window_formula(p: sympy.Expr, d: sympy.Expr, rounding: str = "floor") -> str:
    """The sliding-window rule as textbooks write it: ``(n + 2p - k)/s + 1``, with
    PyTorch's dilation ``d(k - 1) + 1`` only when the dilation is not 1 and
    the padding only when there is some."""
    pad = "" if _is(p, 0) else " + 2*p"
    window = "k" if _is(d, 1) else "d*(k - 1) - 1"
    return f"{rounding}((n{pad} - {window})/s) + 1"


def _all_int(*values: object) -> bool:
    return all(isinstance(v, sympy.Integer) for v in values)


def padding_amount(p: object) -> sympy.Expr:
    """A padding written as a number (or a symbol), or Keras's "valid" (none); never text parsed as math."""
    if p == "valid":
        return sympy.Integer(0)
    if isinstance(p, str):
        raise SymcountError(f'unknown padding "{p}" (valid: a number, "same", "valid")')
    return as_sympy(p)


def conv_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
             d: sympy.Expr = _ONE) -> sympy.Expr:
    """Output length of a convolution (PyTorch's formula; Keras's for strings, "causal" included)."""
    if p in ("same", "causal"):  # causal pads d*(k - 1) on the left only: ceil(n/s) too
        return _said(sympy.ceiling(n / s), "ceil(n/s)", f'Keras\'s "{p}" padding', n=n, s=s)
    n, k, s, d = (as_sympy(v) for v in (n, k, s, d))
    pad = padding_amount(p)
    rule = _window_formula(pad, d)
    if _all_int(n, k, s, d, pad):  # plain integers: no symbolic floor needed
        value = sympy.Integer((int(n) + 2 * int(pad) - int(d) * (int(k) - 1) - 1) // int(s) + 1)
    else:
        value = sympy.floor((n + 2 * pad - d * (k - 1) - 1) / s) + 1
    return _said(value, rule, n=n, k=k, s=s, p=pad, d=d)


def pool_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
             ceil_mode: bool, d: sympy.Expr = _ONE) -> sympy.Expr:
    """Output length of a pooling window, with PyTorch's ``ceil_mode`` rule."""
    if p == "same":
        return _said(sympy.ceiling(n / s), "ceil(n/s)", 'Keras\'s "same" padding', n=n, s=s)
    n, k, s, d = (as_sympy(v) for v in (n, k, s, d))
    p = padding_amount(p)
    span = n + 2 * p - d * (k - 1) - 1
    values = {"n": n, "k": k, "s": s, "p": p, "d": d}
    if not ceil_mode:
        return _said(sympy.floor(span / s) + 1, _window_formula(p, d), **values)
    out = sympy.ceiling(span / s) + 1
    rule = _window_formula(p, d, "ceil")
    if _all_int(k, s, p, d) and p + s <= d * (k - 1) + 1:
        # (out - 1)*s < span + s <= n + p: the last window always starts inside the input (any n)
        return _said(out, rule, "ceil_mode", **values)
    if is_number(out) and is_number(n):
        if (out - 1) * s >= n + p:  # the last window would start in the right padding: PyTorch drops it
            return _said(out - 1, rule.removesuffix(" + 1"),
                         "ceil_mode; the last window would start in the padding, so it is dropped", **values)
        return _said(out, rule, "ceil_mode", **values)
    if n.has(sympy.Piecewise):
        # a second undecided ceil_mode window: sympy cannot keep nested Piecewise sizes straight
        raise SymcountError(
            "ceil_mode=true after another ceil_mode window whose size is undecided: whether this "
            "layer's last window is dropped cannot be told without numbers",
            hint="give the input sizes values (input(H=224, ...) or --set H=224)")
    return _said(sympy.Piecewise((out - 1, (out - 1) * s >= n + p), (out, True)), rule,
                 "ceil_mode; one less if the last window would start in the padding", **values)


def conv_transpose_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
                       output_padding: sympy.Expr | None, d: sympy.Expr) -> sympy.Expr:
    """Output length of a transposed convolution: PyTorch's for a number, Keras's for "same"/"valid".

    ``output_padding`` None means "not given", which Keras treats differently
    from an explicit 0: "valid" then grows to max(kernel, stride), "same" to
    exactly n * stride (Keras 3's ``compute_conv_transpose_output_shape``).
    """
    k_eff = d * (k - 1) + 1
    window = "k" if _is(d, 1) else "d*(k - 1) + 1"
    values = {"n": n, "k": k, "s": s, "d": d}
    if p == "same":
        if output_padding is None:
            return _said(n * s, "n*s", 'Keras\'s "same" padding', n=n, s=s)
        return _said((n - 1) * s + sympy.Mod(k_eff, 2) + output_padding,
                     f"(n - 1)*s + mod({window}, 2) + p_out", 'Keras\'s "same" padding',
                     **values, p_out=output_padding)
    if p == "valid":
        if output_padding is None:
            return _said((n - 1) * s + sympy.Max(k_eff, s), f"(n - 1)*s + max({window}, s)",
                         'Keras\'s "valid" padding', **values)
        return _said((n - 1) * s + k_eff + output_padding, f"(n - 1)*s + {window} + p_out",
                     'Keras\'s "valid" padding', **values, p_out=output_padding)
    extra = output_padding if output_padding is not None else sympy.Integer(0)
    rule = "(n - 1)*s" + ("" if _is(p, 0) else " - 2*p") + f" + {window}" + ("" if _is(extra, 0) else " + p_out")
    return _said((n - 1) * s - 2 * p + k_eff + extra, rule, **values, p=p, p_out=extra)


def pad_out(n: sympy.Expr, before: sympy.Expr, after: sympy.Expr) -> sympy.Expr:
    """Output length of a padding layer: ``before`` and ``after`` added."""
    if before == after:
        return _said(n + before + after, "n + 2*p", n=n, p=before)
    return _said(n + before + after, "n + p_before + p_after", n=n, p_before=before, p_after=after)


def scale_out(n: sympy.Expr, factor: sympy.Expr, floor: bool = True) -> sympy.Expr:
    """Upsampling by a factor: PyTorch's floor(n * scale_factor), exact for a whole factor
    (``floor=False``: Keras's repeat factor, always n * factor)."""
    if factor.is_integer or not floor:
        return _said(n * factor, "n*f", n=n, f=factor)
    return _said(sympy.floor(n * factor), "floor(n*f)", n=n, f=factor)


def given_out(size: sympy.Expr, what: str) -> sympy.Expr:
    """An output length that is given, not worked out (adaptive pooling, upsampling to a size)."""
    return _said(size, None, f"given: {what}")
