"""Tensor shapes flowing through a network, and the frameworks' output-size rules.

A :class:`Shape` is kept layout-free (spatial sizes plus a channel count); the
convention only decides how it is printed: channels first under PyTorch,
channels last under Keras. The output-size rules follow the frameworks to the
letter: PyTorch's floor and ``ceil_mode`` (a window that would start in the
right padding is dropped), Keras's ``"same"`` (ceil(n / stride)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from symcount.symbols import is_number

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
    so a derivation can show ``C_in = 16 x 5 x 5 = 400``.
    """

    spatial: tuple[sympy.Expr, ...] = ()
    channels: sympy.Expr | None = None
    sequence: bool = False
    channel_factors: tuple[sympy.Expr, ...] | None = field(default=None, compare=False)

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


def _all_int(*values: object) -> bool:
    return all(isinstance(v, sympy.Integer) for v in values)


def conv_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
             d: sympy.Expr = _ONE) -> sympy.Expr:
    """Output length of a convolution (PyTorch's formula; Keras's for strings, "causal" included)."""
    if _all_int(n, k, s, d) and (p == "valid" or isinstance(p, sympy.Integer)):
        pad = 0 if p == "valid" else int(p)  # plain integers: no symbolic floor needed
        return sympy.Integer((int(n) + 2 * pad - int(d) * (int(k) - 1) - 1) // int(s) + 1)
    if p in ("same", "causal"):  # causal pads d*(k - 1) on the left only: ceil(n/s) too
        return sympy.ceiling(n / s)
    if p == "valid":
        p = sympy.Integer(0)
    return sympy.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1


def pool_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
             ceil_mode: bool, d: sympy.Expr = _ONE) -> sympy.Expr:
    """Output length of a pooling window, with PyTorch's ``ceil_mode`` rule."""
    if p == "same":
        return sympy.ceiling(n / s)
    if p == "valid":
        p = sympy.Integer(0)
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return sympy.floor(span / s) + 1
    out = sympy.ceiling(span / s) + 1
    if is_number(out) and is_number(n):
        if (out - 1) * s >= n + p:
            out -= 1
        return out
    return sympy.Piecewise((out - 1, (out - 1) * s >= n + p), (out, True))


def conv_transpose_out(n: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr | str,
                       output_padding: sympy.Expr | None, d: sympy.Expr) -> sympy.Expr:
    """Output length of a transposed convolution: PyTorch's for a number, Keras's for "same"/"valid".

    ``output_padding`` None means "not given", which Keras treats differently
    from an explicit 0: "valid" then grows to max(kernel, stride), "same" to
    exactly n * stride (Keras 3's ``compute_conv_transpose_output_shape``).
    """
    k_eff = d * (k - 1) + 1
    if p == "same":
        if output_padding is None:
            return n * s
        return (n - 1) * s + sympy.Mod(k_eff, 2) + output_padding
    if p == "valid":
        if output_padding is None:
            return (n - 1) * s + sympy.Max(k_eff, s)
        return (n - 1) * s + k_eff + output_padding
    extra = output_padding if output_padding is not None else 0
    return (n - 1) * s - 2 * p + k_eff + extra
