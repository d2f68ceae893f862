"""What a counted model costs to hold, to train and to run: memory and compute.

``memory`` turns a parameter count into bytes for weights, gradients and
optimizer state under a stated accounting (mixed-precision Adam is the common
2 + 2 + 12 bytes per parameter of Rajbhandari et al. 2020); ``compute`` turns
the catalog's multiply-accumulates into forward FLOPs per token and sets them
beside the 2N / 6N rules of thumb (Kaplan et al. 2020), saying where the two
differ. Both are exact integers (or polynomials for symbolic networks) and read
as short derivations in text, markdown or LaTeX.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from symcount.counting import Source, count
from symcount.engine.activations import ACTIVATION_DTYPE, Activations, activations_of, check_batch, has_shapes
from symcount.engine.activations import DTYPE_BYTES as DTYPE_BYTES  # memory and compute verbs read it here
from symcount.engine.backward import Backward, backward_of
from symcount.engine.count import Count
from symcount.engine.results import LayerResult
from symcount.errors import SymcountError, did_you_mean
from symcount.language import budget
from symcount.language.symbols import as_sympy
from symcount.render.formats import Format
from symcount.render.numbers import text_value
from symcount.render.printable import Printable
from symcount.render.report import Line, Report
from symcount.teaching.training import Training, backward_lines, backward_notes, batch_lines, training_of

TRAININGS = ("none", "sgd", "adam")
GIB = 2**30
HALF_PRECISION = ("bf16", "fp16")


def _bytes_text(per: sympy.Rational) -> str:
    """``2 bytes``: the unit spelled out, since B is the batch (``batch B = 32``) in the same document."""
    return f"{per} bytes" if per.is_Integer else f"{per.p}/{per.q} bytes"


def _bytes_latex(per: sympy.Rational) -> str:
    number = str(per) if per.is_Integer else rf"\tfrac{{{per.p}}}{{{per.q}}}"
    return rf"{number}\,\text{{bytes}}"


def exact(value: sympy.Expr) -> int | sympy.Expr:
    """A Python int for a number (the API's promise), the expression otherwise."""
    return int(value) if value.is_Integer else value


def whole_bytes(n: sympy.Expr, per: sympy.Rational) -> sympy.Expr:
    """n values of ``per`` bytes: a whole number of bytes (two int4 values share one byte)."""
    size = n * per
    if not size.free_symbols and not size.is_Integer:
        return sympy.ceiling(size)
    return sympy.expand(size)


def gib_text(n: sympy.Expr) -> str:
    """``14.96 GiB`` for a number of bytes (GiB = 2^30 bytes); empty for an expression."""
    if n.free_symbols:
        return ""
    return f"{float(sympy.Rational(n, GIB)):,.2f} GiB"


# ---------------------------------------------------------------------------------------------- memory

@dataclass(frozen=True)
class MemoryPart:
    """Weights, gradients or optimizer state: which parameters, bytes per parameter, exact bytes."""

    name: str
    symbol: str  # N or N_train: which count it multiplies
    per_param: sympy.Rational
    bytes: sympy.Expr
    detail: tuple[tuple[str, sympy.Rational], ...] = ()


def _parts_per_param(dtype: str, training: str) -> list[tuple[str, bool, tuple[tuple[str, sympy.Rational], ...]]]:
    """(part, trainable only, components) for one dtype and training setup."""
    b = DTYPE_BYTES[dtype]
    four = sympy.Integer(4)
    parts: list[tuple[str, bool, tuple[tuple[str, sympy.Rational], ...]]] = [
        ("weights", False, ((f"{dtype} weights", b),))]
    if training == "none":
        return parts
    parts.append(("gradients", True, ((f"{dtype} gradients", b),)))
    state: list[tuple[str, sympy.Rational]] = []
    if dtype in HALF_PRECISION:
        state.append(("fp32 master weights", four))
    if training == "adam":
        state += [("Adam m (fp32)", four), ("Adam v (fp32)", four)]
    if state:
        parts.append(("optimizer state", True, tuple(state)))
    return parts


def _assumptions(dtype: str, training: str, result: Count) -> list[str]:
    notes = ["1 GiB = 2^30 bytes; the exact number of bytes is beside it",
             f"bytes per value: fp32 4, bf16 2, fp16 2, int8 1, int4 1/2 (here {dtype}: "
             f"{_bytes_text(DTYPE_BYTES[dtype])})"]
    if dtype == "int4":
        notes.append("int4 packs two values in a byte; an odd count rounds up to a whole byte")
    if dtype in ("int8", "int4"):
        notes.append("quantisation scales and zero points (per channel or per group) are not counted")
    if training == "adam" and dtype in HALF_PRECISION:
        notes.append(f"mixed-precision Adam, the common accounting (Rajbhandari et al. 2020, ZeRO): {dtype} "
                     f"weights and gradients (2 + 2 bytes) plus fp32 master weights, first and second "
                     f"moments (4 + 4 + 4 bytes) = 16 bytes per trainable parameter")
    elif training == "adam":
        notes.append("fp32 Adam: weights, gradients, first and second moments, 4 bytes each = 16 bytes "
                     "per trainable parameter")
    elif training == "sgd" and dtype in HALF_PRECISION:
        notes.append(f"mixed-precision SGD without momentum: {dtype} weights and gradients plus fp32 master "
                     f"weights; momentum would add 4 bytes per trainable parameter")
    elif training == "sgd":
        notes.append("plain SGD without momentum keeps no optimizer state; momentum would add 4 bytes per "
                     "trainable parameter")
    else:
        notes.append("inference: weights only, no gradients and no optimizer state")
    if training != "none" and result.non_trainable != 0:
        notes.append("frozen (non-trainable) parameters have weights but no gradients or optimizer state")
    if result.buffers != 0:
        notes.append(f"buffers (running statistics) are stored like the weights, in {dtype}")
    if result.active != result.total:
        notes.append("a mixture of experts stores every expert: memory follows the total, not the active "
                     "parameters")
    if result.shared:
        notes.append("tied (shared) weights are stored once")
    notes.append("not counted: activations (they grow with batch size and sequence length), "
                 "temporary buffers, framework and allocator overhead")
    return notes


def cross_attention(result: Count) -> list[LayerResult]:
    """The attention layers that read a second stream (``attention(..., to=encoder)``)."""
    return [layer for layer in result.layers
            if layer.kind == "attention" and layer.args is not None and layer.args.get("to") is not None]


def kv_values_per_token(result: Count) -> sympy.Expr:
    """Cached values per token: keys and values of every attention layer (kv_heads x head size each); for
    latent attention (DeepSeek) the compressed latent and the rotary key part, kv_lora_rank + qk_rope_head_dim,
    which is what DeepSeek's inference (and transformers' cache) keeps instead of every head's keys and values."""
    total: sympy.Expr = sympy.Integer(0)
    for layer in result.layers:
        a = layer.args
        if layer.kind == "attention" and a is not None:
            total += layer.multiplier * a.kv_heads * (a.key_dim + a.value_dim)
        elif layer.kind == "latent_attention" and a is not None:
            total += layer.multiplier * (a.kv_lora_rank + a.qk_rope_head_dim)
        elif layer.kind in ("transformer_encoder_layer", "transformer_decoder_layer") and a is not None:
            total += layer.multiplier * 2 * a.d_model
    return sympy.expand(total)


@dataclass(frozen=True)
class KVCache:
    """The key/value cache of autoregressive inference: per-token values, tokens, batch and type."""

    per_token: sympy.Expr
    tokens: sympy.Expr
    batch: sympy.Expr
    dtype: str

    @property
    def values(self) -> sympy.Expr:
        return sympy.expand(self.per_token * self.tokens * self.batch)


@dataclass(frozen=True, repr=False)
class Memory(Printable):
    """Bytes to hold (and train) a network. Byte counts are exact Python ints for numeric networks."""

    network: str
    params: int | sympy.Expr
    trainable: int | sympy.Expr
    active: int | sympy.Expr
    buffers: int | sympy.Expr
    dtype: str
    training: str
    parts: tuple[MemoryPart, ...]
    assumptions: tuple[str, ...]
    kv: KVCache | None = None
    #: the activation values of a forward pass (None when no input shape reaches the layers)
    activations: Activations | None = None

    @property
    def activation_bytes(self) -> int | sympy.Expr:
        """Bytes of the activations a forward pass stores (0 without shapes); twice that for training."""
        if self.activations is None:
            return 0
        acts = self.activations
        return exact(acts.training_bytes if self.training != "none" else acts.bytes)

    @property
    def total_with_activations(self) -> int | sympy.Expr:
        return exact(sympy.expand(as_sympy(self.total) + as_sympy(self.activation_bytes)))

    def _part(self, name: str) -> int | sympy.Expr:
        return exact(sympy.Add(*[p.bytes for p in self.parts if p.name == name]))

    @property
    def weights(self) -> int | sympy.Expr:
        """Bytes of the weights (and buffers, if any)."""
        return exact(sympy.Add(*[p.bytes for p in self.parts if p.name in ("weights", "buffers")]))

    @property
    def gradients(self) -> int | sympy.Expr:
        return self._part("gradients")

    @property
    def optimizer(self) -> int | sympy.Expr:
        return self._part("optimizer state")

    @property
    def kv_cache(self) -> int | sympy.Expr:
        """Bytes of the key/value cache (0 unless asked for)."""
        return self._part("KV cache")

    @property
    def total(self) -> int | sympy.Expr:
        return exact(sympy.expand(sympy.Add(*[p.bytes for p in self.parts])))

    @property
    def bytes_per_param(self) -> sympy.Rational:
        """Bytes per trainable parameter in the accounting (16 for mixed-precision Adam)."""
        return sympy.Add(*[p.per_param for p in self.parts if p.name not in ("buffers", "KV cache")])

    def report(self) -> Report:
        setup = {"none": "inference (weights only)", "sgd": "SGD training", "adam": "Adam training"}[self.training]
        if self.training != "none" and self.dtype in HALF_PRECISION:
            setup += ", mixed precision"
        if self.kv is not None:
            setup += f", KV cache in {self.kv.dtype}"
        intro = [f"N = {text_value(as_sympy(self.params))} parameters"]
        if self.training != "none" and self.trainable != self.params:
            intro.append(f"N_train = {text_value(as_sympy(self.trainable))} trainable parameters")
        if self.buffers != 0:
            intro.append(f"N_buf = {text_value(as_sympy(self.buffers))} buffer values")
        if self.kv is not None:
            intro.append(f"N_kv = L × B × {text_value(self.kv.per_token)} = {text_value(self.kv.values)} cached "
                         f"keys and values (L = {text_value(self.kv.tokens)} tokens, batch B = "
                         f"{text_value(self.kv.batch)})")
        lines = []
        for part in self.parts:
            detail = ""
            if len(part.detail) > 1:
                detail = "= " + " + ".join(f"{name} {_bytes_text(per)}" for name, per in part.detail)
            lines.append(Line(part.name, f"{part.symbol} × {_bytes_text(part.per_param)}",
                              rf"{_symbol_latex(part.symbol)} \times {_bytes_latex(part.per_param)}",
                              part.bytes, _gib_gloss(part.bytes), detail=detail))
        total = as_sympy(self.total)
        how = " + ".join(f"{p.symbol} × {_bytes_text(p.per_param)}" for p in self.parts) \
            if len({p.symbol for p in self.parts}) > 1 else \
            f"{self.parts[0].symbol} × {_bytes_text(self.bytes_per_param)}"
        how_latex = " + ".join(rf"{_symbol_latex(p.symbol)} \times {_bytes_latex(p.per_param)}" for p in self.parts) \
            if len({p.symbol for p in self.parts}) > 1 else \
            rf"{_symbol_latex(self.parts[0].symbol)} \times {_bytes_latex(self.bytes_per_param)}"
        lines.append(Line("total", how, how_latex, total, _gib_gloss(total), rule_above=True))
        lines += self._activation_lines()
        return Report(f"memory of {self.network}: {self.dtype}, {setup}", intro, lines, "assumptions",
                      list(self.assumptions))

    def _activation_lines(self) -> list[Line]:
        """A = the values a forward pass stores for batch B, in bytes; x2 when training keeps them."""
        acts = self.activations
        if acts is None:
            return []
        per = _bytes_text(acts.per_value)
        per_latex = _bytes_latex(acts.per_value)
        detail = (f"A = {text_value(acts.total)} values: the input {text_value(acts.input)} and every layer "
                  f"output that is a new tensor, batch B = {text_value(acts.batch)}, {acts.dtype}")
        lines = [Line("activations (forward)", f"A × {per}", rf"A \times {per_latex}", acts.bytes,
                      _gib_gloss(acts.bytes), detail=detail, rule_above=True)]
        if self.training != "none":
            lines.append(Line("activations (training)", f"2 × A × {per}", rf"2 \times A \times {per_latex}",
                              acts.training_bytes, _gib_gloss(acts.training_bytes),
                              detail="kept for the backward pass, plus their gradients"))
        total = as_sympy(self.total_with_activations)
        lines.append(Line("total with activations", "", "", total, _gib_gloss(total), rule_above=True))
        return lines

    def _render(self, fmt: Format) -> str:
        return fmt.report(self.report())

    def _title(self) -> str | None:
        return f"Memory of {self.network}"

    def _question(self, fmt: Format) -> str | None:
        doing = {"none": "hold its weights", "sgd": "train with SGD", "adam": "train with Adam"}[self.training]
        cache = ", with its KV cache" if self.kv is not None else ""
        return fmt.style.escape(f"How many bytes does {self.network} need to {doing} in {self.dtype}{cache}?")

    def _summary(self) -> str:
        return f"{self.network!r}, {self.dtype}, training={self.training!r}, total={self.total}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: integers stay integers, expressions become strings."""
        def plain(v: Any) -> Any:
            return v if isinstance(v, int) else str(v)
        return {"network": self.network, "dtype": self.dtype, "training": self.training,
                "params": plain(self.params), "trainable": plain(self.trainable), "active": plain(self.active),
                "weights": plain(self.weights), "gradients": plain(self.gradients),
                "optimizer": plain(self.optimizer), "kv_cache": plain(self.kv_cache), "total": plain(self.total),
                "bytes_per_param": str(self.bytes_per_param), "assumptions": list(self.assumptions),
                "activations": None if self.activations is None else {
                    "batch": plain(exact(self.activations.batch)), "dtype": self.activations.dtype,
                    "input": plain(exact(self.activations.input)), "values": plain(exact(self.activations.total)),
                    "bytes": plain(exact(self.activations.bytes)),
                    "training_bytes": plain(exact(self.activations.training_bytes))},
                "activation_bytes": plain(self.activation_bytes),
                "total_with_activations": plain(self.total_with_activations)}


def _symbol_latex(symbol: str) -> str:
    return {"N": "N", "N_train": r"N_{\text{train}}", "N_buf": r"N_{\text{buf}}", "N_kv": r"N_{\text{kv}}"}[symbol]


def _gib_gloss(n: sympy.Expr) -> str:
    gib = gib_text(n)
    return f"{gib}" if gib else ""


def _check_choice(value: str, choices: tuple[str, ...] | list[str], what: str) -> None:
    if value not in choices:
        raise SymcountError(f"unknown {what} '{value}' (valid: {', '.join(choices)})",
                            hint=did_you_mean(value, list(choices)))


def memory(source: Source, *, dtype: str = "bf16", training: str = "none",
           values: Mapping[str, Any] | None = None, network: str | None = None,
           convention: str | None = None, kv_cache: int | None = None, batch: int | sympy.Expr = 1,
           kv_dtype: str | None = None, activation_dtype: str = ACTIVATION_DTYPE) -> Memory:
    """Bytes for weights, gradients and optimizer state of a description.

    ``dtype`` is fp32, bf16, fp16, int8 or int4; ``training`` is none
    (inference), sgd or adam (mixed precision for bf16/fp16). ``kv_cache=L``
    adds the key/value cache of L tokens for ``batch`` sequences (in
    ``kv_dtype``: the weights' type, bf16 for int8/int4 weights). The result's
    ``weights``, ``gradients``, ``optimizer``, ``kv_cache`` and ``total`` are
    exact integers. A network with an input shape also gets its activations for
    ``batch`` examples in ``activation_dtype`` (fp32 unless asked, as CS231n
    counts them), beside the total: ``activation_bytes`` and
    ``total_with_activations``.
    """
    _check_choice(dtype, list(DTYPE_BYTES), "dtype")
    _check_choice(training, TRAININGS, "training")
    if kv_dtype is not None:
        _check_choice(kv_dtype, list(DTYPE_BYTES), "KV cache dtype")
        if kv_cache is None:  # it would change nothing: no silent no-op
            raise SymcountError("the KV cache dtype (--kv-dtype) is the type of the KV cache, which is counted "
                                "only with --kv-cache L", hint="add --kv-cache L (L tokens), or leave --kv-dtype out")
    if training != "none" and dtype in ("int8", "int4"):
        raise SymcountError(f"{dtype} is a storage format for inference, not for training",
                            hint="use --training none, or train in bf16/fp16 (mixed precision) or fp32")
    _check_choice(activation_dtype, list(DTYPE_BYTES), "activation dtype")
    if kv_cache is not None and (isinstance(kv_cache, bool) or not isinstance(kv_cache, int) or kv_cache < 1):
        raise SymcountError(f"kv_cache must be a whole number of at least 1, not {kv_cache!r}")
    if isinstance(batch, bool) or not isinstance(batch, (int, sympy.Symbol)) or (isinstance(batch, int) and batch < 1):
        raise SymcountError(f"batch must be a whole number of at least 1 or a symbol, not {batch!r}")
    result = count(source, values=values, network=network, convention=convention)
    return memory_of(result, dtype, training, kv_cache=kv_cache, batch=batch, kv_dtype=kv_dtype,
                     activation_dtype=activation_dtype)


def memory_of(result: Count, dtype: str = "bf16", training: str = "none", *, kv_cache: int | None = None,
              batch: int | sympy.Expr = 1, kv_dtype: str | None = None,
              activation_dtype: str = ACTIVATION_DTYPE) -> Memory:
    """The memory report of an existing count."""
    parts: list[MemoryPart] = []
    for name, trainable_only, detail in _parts_per_param(dtype, training):
        n = result.trainable if trainable_only else result.total
        symbol = "N_train" if trainable_only and result.trainable != result.total else "N"
        per = sympy.Add(*[b for _, b in detail])
        parts.append(MemoryPart(name, symbol, per, whole_bytes(n, per), detail))
    if result.buffers != 0:
        per = DTYPE_BYTES[dtype]
        parts.insert(1, MemoryPart("buffers", "N_buf", per, whole_bytes(result.buffers, per),
                                   ((f"{dtype} buffers", per),)))
    notes = _assumptions(dtype, training, result)
    kv = None
    if kv_cache is not None:
        cross = cross_attention(result)
        if cross:
            source = cross[0].args.get("memory_len") if cross[0].args is not None else None
            raise SymcountError(
                f"--kv-cache counts a decoder-only model's cache (every layer, every generated token); "
                f"{cross[0].name} cross-attends to the stream '{cross[0].args.get('to') if cross[0].args else ''}': "
                f"its keys and values are the encoder's, computed and cached once per sequence "
                f"({source} source tokens), and the encoder's own attention caches nothing",
                hint="count the decoder's cache by hand: its self-attention keys and values per generated token "
                     "plus each cross-attention layer's keys and values over the S source tokens")
        per_token = kv_values_per_token(result)
        if per_token == 0:
            raise SymcountError("the network has no attention layers: there is no KV cache")
        kv = KVCache(per_token, sympy.Integer(kv_cache), as_sympy(batch),
                     kv_dtype or (dtype if dtype not in ("int8", "int4") else "bf16"))
        per = DTYPE_BYTES[kv.dtype]
        parts.append(MemoryPart("KV cache", "N_kv", per, whole_bytes(kv.values, per), ((f"{kv.dtype} keys and "
                                                                                        "values", per),)))
        notes.insert(-1, f"KV cache: every attention layer keeps a key and a value of kv_heads x head size per "
                         f"token, for L = {kv_cache:,} tokens and a batch of {text_value(as_sympy(batch))} "
                         f"sequences, in {kv.dtype}; "
                         "sliding-window attention would cap L at the window")
    acts = activations_of(result, as_sympy(batch), activation_dtype) if has_shapes(result) else None
    if acts is not None:
        notes[-1] = ("not counted: values inside a layer (attention scores, recurrent gates), temporary "
                     "buffers, framework and allocator overhead")
        notes += [f"activations: {line}" for line in acts.assumptions()]
    elif batch != 1 and kv_cache is None:
        raise SymcountError("--batch changes the activations and the KV cache, but no input shape reaches the "
                            "layers and there is no --kv-cache", hint="start the network with input(...)")
    elif activation_dtype != ACTIVATION_DTYPE:  # no activations are counted: the type would change nothing
        raise SymcountError("--activation-dtype is the type of the activations, but no input shape reaches the "
                            "layers, so none are counted", hint="start the network with input(...)")
    return Memory(result.network, exact(result.total), exact(result.trainable), exact(result.active),
                  exact(result.buffers), dtype, training, tuple(parts), tuple(notes), kv, acts)


# ---------------------------------------------------------------------------------------------- compute

@dataclass(frozen=True, repr=False)
class Compute(Printable):
    """Forward FLOPs per token from the catalog's MACs, beside the 2N and 6N rules of thumb.

    ``forward`` = 2 × MACs / L for a sequence of L tokens. It differs from 2N by
    ``context`` (attention's scores and weighted values, which grow with L),
    minus twice the parameters that are never multiplied per token
    (``no_macs``: embedding look-ups, norm scales; ``biases``: additions), plus
    twice the weights used twice but counted once (``tied``).
    """

    network: str
    L: sympy.Expr
    params: sympy.Expr
    macs: sympy.Expr
    forward: sympy.Expr
    context: sympy.Expr
    no_macs: dict[str, sympy.Expr]
    biases: sympy.Expr
    tied: sympy.Expr
    moe: bool
    backward: Backward | None = None
    #: ``--batch``: sequences in a batch (a number or a symbol; None: per token only)
    batch: sympy.Expr | None = None

    @property
    def rule(self) -> sympy.Expr:
        """2N per token (N = active parameters for a mixture of experts)."""
        return 2 * self.params

    @property
    def difference(self) -> sympy.Expr:
        return sympy.expand(self.forward - self.rule)

    @property
    def training(self) -> sympy.Expr:
        """3 × forward: the backward pass costs about twice the forward."""
        return sympy.expand(3 * self.forward)

    def report(self) -> Report:
        n = "N_active" if self.moe else "N"
        no_macs_total = sympy.Add(*self.no_macs.values())
        listing = ", ".join(f"{kind} {text_value(v)}" for kind, v in self.no_macs.items())
        lines = [
            Line("MACs for L tokens", "sum of the catalog's MACs", "", self.macs),
            Line("forward FLOPs per token", "2 × MACs / L", r"2 \times \mathrm{MACs} / L", self.forward,
                 rule_above=True),
            Line("rule of thumb", f"2 × {n}", rf"2 \times {_n_latex(self.moe)}", self.rule),
            Line("difference", f"2 × MACs / L − 2 × {n}", "", self.difference, rule_above=True),
            Line("  attention over the context", "scores and weighted values", "", self.context),
        ]
        if no_macs_total != 0:
            lines.append(Line("  parameters never multiplied", "− 2 × (look-ups, scales)", "",
                              -2 * no_macs_total, detail=listing))
        if self.biases != 0:
            lines.append(Line("  biases (added, not multiplied)", "− 2 × biases", "", -2 * self.biases))
        if self.tied != 0:
            lines.append(Line("  tied weights (one matrix, two uses)", "+ 2 × shared weights", "", 2 * self.tied))
        lines += [
            Line("training FLOPs per token", "3 × forward", r"3 \times \text{forward}", self.training,
                 rule_above=True),
            Line("rule of thumb", f"6 × {n}", rf"6 \times {_n_latex(self.moe)}", 6 * self.params),
        ]
        if self.backward is not None:
            lines += backward_lines(self.backward, "token", self.L)
        if self.batch is not None:
            lines += self._batch_lines(self.batch)
        notes = [
            "FLOPs = 2 × MACs (one multiply and one add); bias additions, norms, activations, softmax and "
            "rotary rotations are not counted, as in torch.utils.flop_counter",
            f"MACs are for a whole sequence of {_l_words(self.L)}; per token = MACs / L, so the attention "
            "term is the average token's",
            "attention scores are taken over all L positions; a causal kernel skips about half of them",
            "the 2N rule (Kaplan et al. 2020) multiplies every parameter once per token: it leaves out "
            "attention over the context and counts embedding look-ups and norm scales as if they were "
            "multiplied",
            "training = forward + backward, the backward pass about twice the forward (hence 6N)",
        ]
        if self.moe:
            notes.append("a mixture of experts runs top_k experts per token: N_active = top_k experts, "
                         "the router and everything else")
        if self.backward is not None:
            notes += backward_notes(self.backward)
        return Report(f"compute of {self.network} per token (sequence length L)", [
            f"{n} = {text_value(self.params)} parameters"], lines, "assumptions", notes)

    def _batch_lines(self, batch: sympy.Expr) -> list[Line]:
        """A batch of B sequences of L tokens: B × the sequence's FLOPs (its backward pass derived
        layer by layer when it is, else the 3 × forward rule, said so)."""
        what = f"a batch of {text_value(batch)} sequences of L tokens"
        if self.backward is not None and self.backward.complete:
            return batch_lines(self.backward, batch, what)
        return [Line(f"forward FLOPs for {what}", "B × 2 × MACs", "", sympy.expand(batch * 2 * self.macs),
                     rule_above=True),
                Line(f"training FLOPs for {what}", "B × L × 3 × forward (rule)", "",
                     sympy.expand(batch * self.L * self.training))]

    def _render(self, fmt: Format) -> str:
        return fmt.report(self.report())

    def _title(self) -> str | None:
        return f"Compute of {self.network}"

    def _question(self, fmt: Format) -> str | None:
        return fmt.style.escape(f"How many FLOPs does {self.network} take per token, forward and in training, "
                                "beside the 2N and 6N rules of thumb?")

    def _summary(self) -> str:
        return f"{self.network!r}, forward={self.forward}"


def _l_words(L: sympy.Expr) -> str:
    return "L tokens" if isinstance(L, sympy.Symbol) else f"L = {text_value(L)} tokens"


def _n_latex(moe: bool) -> str:
    return r"N_{\text{active}}" if moe else "N"


def sequence_length(result: Count) -> sympy.Expr:
    """L of the sequence the network reads (its first layer's input)."""
    for layer in result.layers:
        shape = layer.input_shape
        if shape is not None:
            if not shape.sequence or not shape.spatial:
                break
            return shape.spatial[0]
    raise SymcountError("compute per token needs a sequence input: start the network with input(L=...)")


def _layer_split(layer: LayerResult) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """(biases, tied weights, scale): the per-token share of a layer's tensors."""
    counted = sympy.Add(*[t.size for t in layer.tensors if t.category in ("trainable", "non_trainable")])
    scale = budget.simplify(layer.active / counted) if counted != 0 else layer.multiplier
    biases = sympy.Add(*[t.size for t in layer.tensors
                         if t.category in ("trainable", "non_trainable") and t.name.endswith("bias")])
    tied = sympy.Add(*[t.size for t in layer.tensors if t.shared_with is not None])
    return scale * biases, layer.multiplier * tied, scale


def compute_of(result: Count, batch: sympy.Expr | int | None = None) -> Compute | Training:
    """The compute report of an existing count: per token for a sequence model, else per sample;
    with ``batch``, the totals of a batch of that many samples (sequences) too."""
    size = None if batch is None else check_batch(batch)
    if not _reads_sequence(result):
        training = training_of(result, size)
        if size is not None and not training.backward.complete:
            raise SymcountError(
                f"--batch: the training step of a batch needs the backward pass, which is not derived for "
                f"{', '.join(training.backward.not_derived)}; the forward FLOPs of the batch are B × 2 × MACs = "
                f"{text_value(sympy.expand(size * 2 * result.macs))}", hint="leave --batch out for the per-sample report")
        return training
    if result.macs is sympy.nan:
        raise SymcountError("compute needs MACs for every layer: some layer has no input shape",
                            hint="start the network with input(L=...)")
    cross = cross_attention(result)
    if cross:
        a = cross[0].args
        assert a is not None
        raise SymcountError(
            f"compute per token is not defined for an encoder-decoder: {cross[0].name} cross-attends to "
            f"'{a.get('to')}', whose {a.get('memory_len')} source tokens are a second length beside the "
            f"decoder's; the forward FLOPs of one source and target pair are 2 × MACs = "
            f"{text_value(sympy.expand(2 * result.macs)).replace('**', '^')}",
            hint="symcount count gives the MACs as a polynomial in both lengths; --set fixes either")
    L = sequence_length(result)
    no_macs: dict[str, sympy.Expr] = {}
    biases: sympy.Expr = sympy.Integer(0)
    tied: sympy.Expr = sympy.Integer(0)
    for layer in result.layers:
        if layer.macs == 0:
            if layer.active != 0:
                no_macs[layer.kind] = no_macs.get(layer.kind, sympy.Integer(0)) + layer.active
            continue
        b, t, _ = _layer_split(layer)
        biases += b
        tied += t
    forward = sympy.expand(2 * result.macs / L)
    multiplied = result.active - sympy.Add(*no_macs.values()) - biases + tied
    context = sympy.expand(forward - 2 * multiplied)
    return Compute(result.network, L, result.active, result.macs, forward, context,
                   {k: sympy.expand(v) for k, v in no_macs.items()}, sympy.expand(biases), sympy.expand(tied),
                   result.active != result.total, backward_of(result), size)


def _reads_sequence(result: Count) -> bool:
    try:
        sequence_length(result)
    except SymcountError:
        return False
    return True


def compute(source: Source, *, values: Mapping[str, Any] | None = None, network: str | None = None,
            convention: str | None = None, batch: sympy.Expr | int | None = None) -> Compute | Training:
    """Forward (and training) FLOPs per token of a sequence model, beside 2N and 6N (per sample for
    another network); ``batch``: also for a batch of that many samples or sequences."""
    if batch is not None:
        check_batch(batch)  # before counting: a bad batch is the user's option, whatever the source
    return compute_of(count(source, values=values, network=network, convention=convention), batch)

