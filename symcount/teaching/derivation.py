"""Derivations: the step-by-step answer an exam solution or course notes show.

``derive(source)`` counts the description (through the same engine as
``symcount.count``) and, for every layer, writes the catalog's textbook
formula, the same formula with the values put in and nothing evaluated,
an in-between line where it helps, and the exact result:

    #params = (k × k × C_in + 1) × C_out
            = (3 × 3 × 128 + 1) × 256
            = 1,153 × 256
            = 295,168

This module is the one that knows layers: it reads each
:class:`~symcount.engine.results.LayerResult` (formulas, bindings, which values were
given or inferred from the shape) and builds the neutral document of
:mod:`symcount.render.document`, which the LaTeX, markdown and text renderers
lay out. Every result line is checked against the engine's count, so a
derivation can never disagree with ``symcount.count``.

Options can also sit in the description's opening comment, so a file carries
how it is meant to be derived (``derive`` arguments win over them)::

    # title: The convolution exam question
    # convention: both        (pytorch, keras or both)
    # bias: both              (true, false or both)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from symcount import counting as api
from symcount.catalog import shapes
from symcount.catalog.core import BIAS, FLAG
from symcount.counting import SETTING, opening_comment, read_directives, with_bias
from symcount.engine.count import Count, convention_line, fold
from symcount.engine.names import display_names
from symcount.engine.results import CONVENTIONS, LayerResult
from symcount.engine.sizing import limited_layers
from symcount.errors import SymcountError, did_you_mean
from symcount.language import budget, nodes
from symcount.render import formula, table
from symcount.render.derivation_markdown import render_math_only
from symcount.render.document import CODE_MARK, Column, Document, Row, Section, Step
from symcount.render.formats import Format
from symcount.render.formula import Equal, Func, Group, Label, Node, Num, Prod, Sum, Sym, Term
from symcount.render.numbers import text_value
from symcount.render.printable import Printable
from symcount.render.style import Style
from symcount.teaching.derivation_sections import backward_sections, receptive_sections

KERNEL_STYLES = ("repeat", "power")
#: Terms per line when a total is a long sum.
TERMS_PER_LINE = 6
#: ... and at most this many printed characters a line.
SUM_LINE_CHARS = 64
#: Most layers a derivation writes out one by one (GPT-3 expands to about 1,200; each layer is a
#: paragraph, so 35,000 layers made a 6 MB document in a minute): more is refused before counting.
MAX_DERIVED_LAYERS = 2_000
DERIVED_LAYERS_HINT = (f"a derivation writes out every layer (at most {MAX_DERIVED_LAYERS:,}): count the whole with "
                       "symcount count, derive one block (FILE#block), or make the repeat count symbolic "
                       "(repeat N {...}) to derive one copy")
_FRAMEWORK = {"pytorch": "PyTorch", "keras": "Keras"}
#: the names of the spatial sizes, by the number of spatial dimensions
_DIMENSIONS = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
#: a kernel's dimension, by its subscript (k_h: kernel height)
_PART = {"d": "depth", "h": "height", "w": "width"}
#: what a size rule's less common names stand for (said in the row's note)
_RULE_NAMES = {"p_out": "p_out is output_padding", "f": "f is the upsampling factor"}


# ---------------------------------------------------------------------------
# the public object


@dataclass(frozen=True)
class Variant:
    """One way of counting the description: a convention and a bias setting."""

    label: str | None
    convention: str
    bias: bool | None
    count: Count


#: formulas keys ``part:<label>|<note>``: named factors of a layer whose "param" is their sum
PART = "part:"


@dataclass(frozen=True, repr=False)
class Derivation(Printable):
    """A rendered-on-demand derivation: ``.latex()``, ``.markdown()``, ``.text()``.

    ``variants`` hold the counts it was built from (one, or two side by side
    for ``bias="both"`` / ``convention="both"``); ``document`` is the neutral
    model the renderers lay out.
    """

    document: Document
    variants: tuple[Variant, ...]
    style: Style

    @property
    def counts(self) -> list[Count]:
        return [v.count for v in self.variants]

    @property
    def total(self) -> sympy.Expr:
        """The total of the (first) variant: what ``symcount.count`` reports."""
        return self.variants[0].count.total

    def _render(self, fmt: Format) -> str:
        return fmt.document(self.document, self.style)

    def _title(self) -> str | None:
        return self.document.title

    def _summary(self) -> str:
        return f"{self.document.title!r}, total={self.total}"

    def _repr_latex_(self) -> str:
        """Only the display math (MathJax in Jupyter reads math, not LaTeX text)."""
        return render_math_only(self.document, self.style)


# ---------------------------------------------------------------------------
# entry point


def derive(
    source: api.Source,
    *,
    values: Mapping[str, Any] | None = None,
    convention: str | None = None,
    network: str | None = None,
    bias: bool | str | None = None,
    mul: str = "times",
    kernel_style: str = "repeat",
    digit_separator: str = "{,}",
    title: str | None = None,
    shapes: bool = True,
    receptive_field: bool = False,
    backward: bool = False,
) -> Derivation:
    """Derive the parameter count of a description step by step.

    ``convention`` is ``"pytorch"``, ``"keras"`` or ``"both"`` (None: the
    source's ``# convention:`` line, else pytorch). ``bias`` None keeps each
    layer's bias as written; True / False give every layer that has one a
    bias or none; ``"both"`` renders the two, as exams ask.
    ``mul`` is ``"times"`` or ``"cdot"``, ``kernel_style`` ``"repeat"``
    (``k × k``) or ``"power"`` (``k^2``), ``digit_separator`` the LaTeX
    thousands separator. ``title`` heads the document (default: the
    source's ``# title:`` line, else the file name or the network).
    ``shapes`` shows, for every layer that changes the spatial size of what
    flows in, the working of its output size (``H_out = ⌊(H + 2p − k)/s⌋ + 1``)
    and the output it produces; False leaves only the parameter counts.
    ``receptive_field`` and ``backward`` add sections after the total: the receptive field
    layer by layer and the backward pass (FLOPs of the input and weight gradients, the training
    step) layer by layer (:mod:`symcount.teaching.derivation_sections`).
    """
    text, filename, from_source, described = api.read_description(source)
    try:
        directives = read_directives(text)
        conventions = _conventions(convention if convention is not None else directives.get("convention"))
        biases = _biases(bias if bias is not None else directives.get("bias"))
        if kernel_style not in KERNEL_STYLES:
            raise SymcountError(f"unknown kernel style '{kernel_style}' (valid: {', '.join(KERNEL_STYLES)})",
                                hint=did_you_mean(kernel_style, KERNEL_STYLES))
        style = Style(mul=mul, separator=digit_separator)
        tree = api.parse_source(text, filename)
        variants = []
        for conv in conventions:
            for b in biases:
                rewritten = tree if b is None else with_bias(tree, b)
                with limited_layers(MAX_DERIVED_LAYERS, DERIVED_LAYERS_HINT):
                    result = api.count_tree(rewritten, values=values, convention=conv,
                                            network=network or from_source)
                variants.append(Variant(_variant_label(conv, b, conventions, biases), conv, b, result))
    except SymcountError as err:
        if described is not None:  # read from Python code: the error is placed at the code
            raise api.in_code(err, described, text, source) from None
        raise err.located(filename, text) from None
    except RecursionError:
        raise SymcountError("description nested too deeply").located(filename, text) from None
    if title is None:
        shown = filename.removesuffix(" (as read)")  # model code: its own name
        title = directives.get("title") or network_title(text, variants[0].count.network) or \
            (Path(shown).stem if shown != "<input>" and not (network or from_source)
             else _default_title(variants[0].count))
    builder = _Builder(text, style, kernel_style == "power", shapes)
    extra: list[Section] = []
    with budget.noting_skips() as skipped:
        document = builder.document(title, intro(text), variants)
        try:
            if receptive_field:
                extra += receptive_sections(variants[0].count, builder.formula_row)
            if backward:
                extra += backward_sections(variants[0].count)
        except SymcountError as err:
            raise err.located(filename, text) from None
    if extra:
        document = dataclasses.replace(document, sections=document.sections + tuple(extra))
    note = budget.skip_note(skipped)
    if note is not None:  # one short note, in every format: some steps were left unfactored
        document = dataclasses.replace(document, intro=document.intro + (note,))
    return Derivation(document, tuple(variants), style)


def output_size_rows(layer: LayerResult, convention: str, style: Style | None = None) -> list[Row]:
    """The rows a derivation shows for a layer's output size (``H_out = ... = 32``, then the output),
    or none when the layer keeps the size; exam solutions show the same rows."""
    return _Builder("", style or Style(), False).size_rows(layer, convention)


def shape_row(label: str, shape: shapes.Shape, dims: tuple[sympy.Expr, ...], convention: str) -> Row:
    """``output = 10 × 32 × 32   (channels first)``: a tensor's sizes in the framework's layout."""
    note = None
    if shape.channels is not None and len(dims) > 1:
        note = "channels last" if dims[-1] == shape.channels and not shape.sequence and \
            convention == "keras" else "channels first" if not shape.sequence else "positions, channels"
    return Row(Label(label, count=False),
               (Step(Prod(tuple(formula.from_sympy(d) for d in dims)) if len(dims) > 1
                     else formula.from_sympy(dims[0])),), note)


def _conventions(value: str | None) -> list[str]:
    if value is None:
        return ["pytorch"]
    word = str(value).lower()
    if word == "both":
        return list(CONVENTIONS)
    if word not in CONVENTIONS:
        valid = [*CONVENTIONS, "both"]
        raise SymcountError(f"unknown convention '{value}' (valid: {', '.join(valid)})",
                            hint=did_you_mean(word, valid))
    return [word]


def _biases(value: bool | str | None) -> list[bool | None]:
    if value is None or isinstance(value, bool):
        return [value]
    word = str(value).lower()
    if word == "both":
        return [True, False]
    if word in ("true", "false"):
        return [word == "true"]
    raise SymcountError(f"unknown bias setting '{value}' (valid: true, false, both)")


def _variant_label(convention: str, bias: bool | None, conventions: list[str], biases: list[bool | None]) -> str | None:
    parts = []
    if len(conventions) > 1:
        parts.append(_FRAMEWORK[convention])
    if len(biases) > 1:
        parts.append("with bias" if bias else "without bias")
    return ", ".join(parts) or None


#: A network's own comment names the model first: ``# Llama-3-8B: 8,030,261,248 parameters``.
_NAMED = re.compile(r"#\s*([^\s:#][^:#]{0,40}?):\s")


def network_title(text: str, network: str) -> str | None:
    """The model's name from the comment right above ``network NAME`` (``Llama-3-8B`` from
    ``# Llama-3-8B: 8,030,261,248 parameters``), when the network has a comment of its own (not the
    file's opening comment, which states the problem) that starts with a name and a colon."""
    lines = text.split("\n")
    opening = len(text) - len(text.lstrip("\n")) + len(opening_comment(text))
    for number, line in enumerate(lines):
        if re.match(rf"network\s+{re.escape(network)}\b", line.strip()):
            start = number
            while start > 0 and lines[start - 1].strip().startswith("#"):
                start -= 1
            if start == number or start < opening:
                return None
            match = _NAMED.match(lines[start].strip())
            return match.group(1).strip() if match else None
    return None


#: Labelled constructs that name a scope without being a block (not what a repeated run is called after).
_SCOPES = frozenset({"residual", "parallel", "repeat", "stream"})
#: A repeat's comment longer than this is a sentence, not a name for its pass.
MAX_REPEAT_NAME = 40
#: The longest run of layers looked for as a repeated unit (a transformer layer, a ResNet bottleneck).
MAX_PERIOD = 64


def repeated_runs(keys: Sequence[tuple[Any, ...]],
                  whole: Callable[[int, int], bool] = lambda a, b: True) -> dict[int, tuple[int, int]]:
    """Runs of identical consecutive copies: start -> (layers in a copy, copies), copies >= 2.

    Left to right, at each start the period that covers the most layers (the shortest of equals),
    so a 32-layer decoder stack is one run of 32 copies of its 5 layers. ``whole(a, b)`` says
    whether ``layers[a:b]`` may be a copy: one that cuts a block call in two is not."""
    runs: dict[int, tuple[int, int]] = {}
    i = 0
    while i < len(keys):
        best = (0, 0)
        for period in range(1, min(MAX_PERIOD, (len(keys) - i) // 2) + 1):
            unit = keys[i:i + period]
            copies = 1
            if not whole(i, i + period):
                continue
            while keys[i + copies * period:i + (copies + 1) * period] == unit and \
                    whole(i + copies * period, i + (copies + 1) * period):
                copies += 1
            if copies > 1 and period * copies > best[0] * best[1]:
                best = (period, copies)
        if best[1] > 1:
            runs[i] = best
            i += best[0] * best[1]
        else:
            i += 1
    return runs


#: A summary table has at least this many rows (fewer: the sections are the overview) and at most
#: this many (more: it is the count table, not an overview).
SUMMARY_ROWS = (3, 40)


def summary_table(result: Count) -> table.Table | None:
    """A long network's overview before its sections: one row per top-level block call or stage
    (the first block depth that gives a few rows), its output shape, parameters and the running
    total; None for a network short enough to read at once."""
    if len(result.layers) <= SUMMARY_ROWS[1]:
        return None
    fitting = [rows for rows in (fold(result.layers, depth, result.blocks) for depth in (0, 1))
               if SUMMARY_ROWS[0] <= len(rows) <= SUMMARY_ROWS[1]]
    if not fitting:
        return None
    rows = next((r for r in fitting if not _wraps_most(r, result)), fitting[0])
    running: sympy.Expr = sympy.Integer(0)
    cells = []
    for row in rows:
        running += row.total
        cells.append({table.Column.NAME: row.name, table.Column.KIND: row.kind,
                      table.Column.OUTPUT_SHAPE: row.output_shape, table.Column.PARAMS: row.total,
                      table.Column.SUBTOTAL: sympy.expand(running)})
    columns = [table.Column.NAME, table.Column.KIND, table.Column.OUTPUT_SHAPE, table.Column.PARAMS,
               table.Column.SUBTOTAL]
    return table.Table(columns, cells, [("total params", result.total)], [])


def _wraps_most(rows: list[LayerResult], result: Count) -> bool:
    """Whether one row is a call holding most of the network (torchvision's ``features``, labelled so
    that names are its ``features.N``): its stages, a depth below, are the overview a reader wants."""
    spans = {call.name: call.end - call.start for call in result.blocks}
    return any(2 * spans.get(row.name, 1) > len(result.layers) for row in rows)


def stage_headings(result: Count, summary: table.Table, shown: Mapping[str, str] | None = None) -> dict[int, str]:
    """The first layer of each block call the summary lists -> the heading of its part
    (``layer1: stage, output 256 × 56 × 56, 215,808 parameters``), names as ``shown`` displays them."""
    shown = shown or {}
    calls = {b.name: b for b in result.blocks if b.end > b.start}
    index = {layer.name: i for i, layer in enumerate(result.layers)}
    headings: dict[int, str] = {}
    loose: list[str] = []  # single layers between block calls: one heading for each run of them
    for row in [*summary.rows, None]:
        call = calls.get(row[table.Column.NAME]) if row is not None else None
        if row is not None and call is None and row[table.Column.NAME] in index:
            loose.append(row[table.Column.NAME])
            continue
        if len(loose) == 1 and not headings:  # the network's first layer: its own section says all
            loose = []
        if loose:
            first, second, last = (shown.get(n, n) for n in (loose[0], loose[min(1, len(loose) - 1)], loose[-1]))
            headings[index[loose[0]]] = first if len(loose) == 1 else f"{first} and {second}" \
                if len(loose) == 2 else f"{first} to {last}"
            loose = []
        if row is not None and table.Column.INDEX in row:  # a repeated run: its copies are its part
            headings[row[table.Column.INDEX]] = f"{row[table.Column.NAME]}, " \
                f"{text_value(row[table.Column.PARAMS])} parameters"
        if row is not None and call is not None:
            shape = " × ".join(text_value(d, "") for d in call.output_shape) if call.output_shape else ""
            name = shown.get(call.name, call.name)
            kind = "" if call.kind in name else f": {call.kind}"  # stage_1 is a stage already
            headings[call.start] = f"{name}{kind}" + (f", output {shape}" if shape else "") + \
                f", {text_value(row[table.Column.PARAMS])} parameters"
    return headings


def _default_title(result: Count) -> str:
    return "parameter count" if result.network == "main" else f"network {result.network}"


#: A comment line indented this much past its ``#`` is code (``#   symcount count ...``), not prose.
CODE_INDENT = 3


def intro(text: str) -> tuple[str, ...]:
    """The opening comment without its directives, as paragraphs (the problem statement)."""
    paragraphs: list[list[str]] = [[]]
    for line in opening_comment(text):
        if SETTING.match(line) or line.startswith("#!"):
            continue
        words = line.lstrip("#").strip()
        if line.lstrip("#").startswith(" " * CODE_INDENT) and words:  # a command or code: a paragraph of its own
            paragraphs += [[CODE_MARK + words], []]
        elif words:
            paragraphs[-1].append(words)
        elif paragraphs[-1]:
            paragraphs.append([])
    return tuple(" ".join(p) for p in paragraphs if p)


# ---------------------------------------------------------------------------
# building the document


def _scalar_bindings(layer: LayerResult) -> dict[str, sympy.Expr]:
    return {name: value for name, value in layer.bindings.items()
            if isinstance(value, sympy.Expr)}


def _applied_again(layer: LayerResult) -> bool:
    """A layer object applied again (``shared=``): every tensor, parameters and statistics alike, is
    the first use's, so nothing of it is counted here (not its parameters less its statistics)."""
    return bool(layer.tensors) and all(t.shared_with for t in layer.tensors)


class _Builder:
    """Turns counted layers into sections of rows (the only place that knows layers)."""

    def __init__(self, source: str, style: Style, power: bool, sizes: bool = True) -> None:
        self.source = source
        self.style = style
        self.power = power
        self.sizes = sizes
        #: the layer's own formula names renamed while its rows are built (C -> C'), see :func:`clashing`
        self.primed: dict[str, str] = {}
        #: engine name -> the name a framework would write (``layer1.0.conv2d``), see :func:`display_names`
        self.shown: dict[str, str] = {}

    def named(self, name: str) -> str:
        """A layer's or block call's name as the document shows it."""
        return self.shown.get(name, name)

    # -- the whole document ------------------------------------------------------
    def document(self, title: str, paragraphs: tuple[str, ...], variants: list[Variant]) -> Document:
        """Sections per layer (top-level layers each; in a network, repeats point back), then the total."""
        counted = variants[0].count
        sections: list[Section] = []
        silent: list[LayerResult] = []
        shown: dict[tuple[str | None, tuple[Column, ...]], str] = {}
        in_network = counted.network != "main"
        spans = [(b.start, b.end) for b in counted.blocks if b.end > b.start]
        runs = repeated_runs([self.repeat_key(i, variants) for i in range(len(counted.layers))],
                             lambda a, b: all(e <= a or s >= b or a <= s and e <= b or s <= a and b <= e
                                              for s, e in spans)) if in_network else {}
        later_copies: range = range(0)
        after_first: dict[int, Section] = {}  # the index after a run's first copy -> the run's section
        summary = (summary_table(counted) or self.runs_summary(counted, runs)) if in_network else None
        self.shown = display_names(counted.layers, counted.blocks)
        stages = stage_headings(counted, summary, self.shown) if summary is not None else {}
        if summary is not None:  # layer1.0 as PyTorch writes it, once the parts are found by the engine's names
            summary = table.Table(summary.columns, [{**row, table.Column.NAME: self.named(row[table.Column.NAME])}
                                                    for row in summary.rows], summary.totals, summary.notes)
        for i, layer in enumerate(counted.layers):
            if i in after_first:
                sections.append(after_first.pop(i))
            if i in stages and i not in later_copies:
                sections.append(Section(stages[i], None, (), heading=True))
            if i in later_copies:  # a later copy of a repeated run: counted in the run's section
                if all(_is_empty(v.count.layers[i]) for v in variants):
                    silent.append(layer)
                continue
            if i in runs:
                period, copies = runs[i]
                after_first[i + period] = self.repeat_section(variants, i, period, copies)
                later_copies = range(i + period, i + period * copies)
            per_variant = [v.count.layers[i] for v in variants]
            sizes = [self.size_rows(v.count.layers[i], v.convention) if self.sizes else [] for v in variants]
            if in_network and all(_is_empty(layer) for layer in per_variant) and not any(sizes):
                silent.append(layer)
                continue
            columns = _merge([Column(v.label, tuple(rows + self.layer_rows(v.count.layers[i], v.convention)))
                              for v, rows in zip(variants, sizes, strict=True)])
            code = resolved_call(self.call_text(layer.pos), layer)
            earlier = shown.get((code, columns)) if in_network else None
            if earlier is not None:  # the same layer again: say so instead of repeating its derivation
                sections.append(Section(self.named(layer.name), code,
                                        _merge([self.reference(v.label, v.count.layers[i], earlier)
                                                                  for v in variants])))
                continue
            shown[(code, columns)] = self.named(layer.name)
            shared, columns_, after = _hoist(columns)
            sections.append(Section(self.named(layer.name), code, columns_, tuple(_layer_notes(per_variant)), shared, after,
                                    tuple(where(layer, code, columns))))
        sections.extend(after_first.values())
        if silent:
            sections.append(Section("Layers without parameters", None, (), tuple(_silent_notes(silent, self.shown))))
        with_params = sum(1 for layer in counted.layers if not _is_empty(layer))
        if in_network and with_params > 1:
            totals = [Column(v.label, tuple(self.total_rows(v.count))) for v in variants]
            sections.append(Section("Total", None, _merge(totals)))
        # a part whose layers all went to "Layers without parameters" keeps no heading
        kept = [s for k, s in enumerate(sections)
                if not s.heading or (k + 1 < len(sections) and not sections[k + 1].heading
                                     and sections[k + 1].columns)]
        return Document(title, paragraphs, self.conventions(variants), tuple(kept), summary)

    def repeat_key(self, i: int, variants: list[Variant]) -> tuple[Any, ...]:
        """What makes two layers copies of each other: written at the same place (a repeat's body,
        or a block's), the same call once its parameters are resolved, the same counts in every variant."""
        layer = variants[0].count.layers[i]
        counts = tuple((v.count.layers[i].total, v.count.layers[i].buffers) for v in variants)
        return layer.pos, layer.kind, resolved_call(self.call_text(layer.pos), layer), counts

    def repeat_section(self, variants: list[Variant], start: int, period: int, copies: int) -> Section:
        """``32 × 218,112,000 = 6,979,584,000``: a run of identical copies, the first derived above."""
        first = variants[0].count.layers[start]
        last = variants[0].count.layers[start + period - 1]
        columns = []
        for v in variants:
            layers = v.count.layers[start:start + period]
            rows = []
            for label, per_copy in (("params", sum((x.total for x in layers), sympy.Integer(0))),
                                    ("buffers", sum((x.buffers for x in layers), sympy.Integer(0)))):
                per_copy = sympy.expand(per_copy)
                if per_copy != 0 or label == "params":
                    rows.append(Row(Label(label), (Step(Prod((Num(copies), self.result_node(per_copy)))),
                                                   Step(formula.result_form(sympy.expand(copies * per_copy))))))
            columns.append(Column(v.label, tuple(rows)))
        calls = {(b.start, b.end): b for b in variants[0].count.blocks}
        block = calls.get((start, start + period))
        if block is not None:  # each copy is one block call: named as the block
            last_call = calls.get((start + period * (copies - 1), start + period * copies))
            title = f"{copies} × {block.kind}"
            layers = variants[0].count.layers
            # a helper call flattened into its parent (conv_bn) has no name of its own: its first layer's
            what = f"{self.shown.get(block.name) or self.named(first.name)} to " + \
                (self.shown.get(last_call.name) or self.named(layers[last_call.start].name)
                 if last_call is not None else self.named(last.name))
        else:
            title = f"{copies} × {self.run_name(variants[0].count, start, period, copies)}"
            what = self.named(first.name) if period == 1 else f"{self.named(first.name)} to {self.named(last.name)}"
        more = f"{copies - 1} more cop{'ies' if copies > 2 else 'y'}"
        return Section(title, None, _merge(columns),
                       (f"{what}: the same each time, derived once above; {more} follow{'s' if copies == 2 else ''}.",))

    def runs_summary(self, result: Count, runs: Mapping[int, tuple[int, int]]) -> table.Table | None:
        """The overview of a long network without stages to fold (a decoder stack in one block): each
        layer with parameters a row, each repeated run one row (``32 × LlamaDecoderLayer``)."""
        if len(result.layers) <= SUMMARY_ROWS[1] or not runs:
            return None
        rows: list[dict[table.Column, Any]] = []
        running: sympy.Expr = sympy.Integer(0)
        i = 0
        while i < len(result.layers):
            start = i
            if i in runs:
                period, copies = runs[i]
                run = result.layers[i:i + period * copies]
                name = self.run_name(result, i, period, copies)
                params = sympy.expand(sum((layer.total for layer in run), sympy.Integer(0)))
                name, kind, shape, i = f"{copies} × {name}", "repeat", run[-1].output_shape, i + period * copies
            else:
                layer = result.layers[i]
                name, kind, shape, params, i = layer.name, layer.kind, layer.output_shape, layer.total, i + 1
                if _is_empty(layer):
                    continue
            running = sympy.expand(running + params)
            # INDEX (not a column shown) keeps where a run starts: its part of the document opens there
            rows.append({table.Column.NAME: name, table.Column.KIND: kind, table.Column.OUTPUT_SHAPE: shape,
                         table.Column.PARAMS: params, table.Column.SUBTOTAL: running,
                         **({table.Column.INDEX: start} if kind == "repeat" else {})})
        if not SUMMARY_ROWS[0] <= len(rows) <= SUMMARY_ROWS[1]:
            return None
        columns = [table.Column.NAME, table.Column.KIND, table.Column.OUTPUT_SHAPE, table.Column.PARAMS,
                   table.Column.SUBTOTAL]
        return table.Table(columns, rows, [("total params", result.total)], [])

    def run_name(self, result: Count, start: int, period: int, copies: int) -> str:
        """What one copy of a repeated run is called: the comment on its ``repeat`` line, else the
        layer's kind (a run of one layer), else the block call that holds the run (``mistral
        layer``: a decoder layer of the ``mistral`` block), else its number of layers."""
        named = self.repeat_name(result.layers[start].pos)
        if named:
            return named
        if period == 1:
            return result.layers[start].kind
        end = start + period * copies
        holders = [b for b in result.blocks if b.start <= start and end <= b.end and b.kind not in _SCOPES]
        if holders:
            holder = min(holders, key=lambda b: b.end - b.start)
            return f"{holder.kind} layer"
        return f"{period} layers"

    def repeat_name(self, pos: nodes.Pos) -> str | None:
        """What the description calls a repeat's pass: the comment on its ``repeat`` line
        (``repeat n_layers {   # LlamaDecoderLayer``), found above the pass's first layer without
        leaving the block or network that holds it; None when it has none."""
        lines = self.source.split("\n")
        for line in reversed(lines[:max(pos.line, 0)]):
            code, _, comment = line.partition("#")
            if re.match(r"\s*(block|network)\s", code):
                return None
            if re.search(r"\brepeat\b", code):
                name = comment.strip()
                return name if name and len(name) <= MAX_REPEAT_NAME else None
        return None

    def reference(self, label: str | None, layer: LayerResult, first: str) -> Column:
        """A repeated layer: its result, pointing at the derivation already shown."""
        rows = [Row(Label("params"), (Step(formula.result_form(layer.total)),), f"as {first}")]
        if layer.buffers != 0:
            rows.append(Row(Label("buffers"), (Step(formula.result_form(layer.buffers)),)))
        return Column(label, tuple(rows))

    def conventions(self, variants: list[Variant]) -> str:
        conventions = list(dict.fromkeys(v.convention for v in variants))
        biases = list(dict.fromkeys(v.bias for v in variants))
        if len(biases) > 1:
            bias = "with and without bias"
        elif biases[0] is None:
            bias = "bias as written"
        else:
            bias = "every layer with a bias" if biases[0] else "no layer with a bias"
        return "; ".join(convention_line(c) for c in conventions) + f"; {bias}."

    # -- one layer -----------------------------------------------------------------
    def layer_rows(self, layer: LayerResult, convention: str) -> list[Row]:
        """The rows of one layer, its own names primed where they clash with the network's."""
        self.primed = clashing(layer)
        try:
            return self.own_rows(layer, convention)
        finally:
            self.primed = {}

    def own_rows(self, layer: LayerResult, convention: str) -> list[Row]:
        entry = layer.entry
        if entry is None:
            return [Row(Label("params"), (Step(formula.from_sympy(layer.total)),))]
        formulas = dict(layer.formulas)
        if not formulas and layer.total == 0 and layer.buffers == 0:
            return [Row(Label("params"), (Step(Num(0)),), entry.zero_reason)]
        values = _scalar_bindings(layer)
        droppable = {spec.formula_name for spec in entry.args if spec.structural or spec.kind == BIAS}
        rows = self.shape_rows(layer, formulas)
        stat_category = "non_trainable" if convention == "keras" else "buffer"
        frozen = layer.args is not None and layer.args.get("trainable") is False
        results: dict[str, sympy.Expr] = {}
        labels = {"param": "params", "stat": "buffers" if stat_category == "buffer" else "non-trainable"}
        if "stat" in formulas and "param" in formulas:
            labels["param"] = "trainable"
        for key in ("param", "stat"):
            if key not in formulas:
                continue
            named = {name[len(PART):]: text for name, text in formulas.items() if name.startswith(PART)}
            if key == "param" and named:
                part_rows, row, value = self.part_rows(layer, labels[key], named, values, droppable)
                rows += part_rows
            else:
                general = formula.parse_formula(formulas[key])
                if layer.multiplier != 1:
                    general = Prod((formula.from_sympy(layer.multiplier), general))
                row, value = self.formula_row(Label(labels[key]), general, values, droppable)
            results[key] = value
            note = None
            if key == "param" and frozen:
                note = "frozen: counted as non-trainable"
            if key == "stat":
                names = ", ".join(t.name for t in layer.tensors if t.category == stat_category)
                note = f"{names}: " + ("buffers" if stat_category == "buffer" else "non-trainable") if names else None
            rows.append(dataclasses.replace(row, note=note))
        if not formulas:
            rows.append(self.tensor_row(layer))
            results["param"] = layer.total
        if "stat" in results and stat_category == "non_trainable" and not _applied_again(layer):
            parts = [Term(1, self.result_node(results[k])) for k in ("param", "stat") if k in results]
            steps = [Sum(tuple(parts))] if len(parts) > 1 else []
            rows.append(Row(Label("params"), self.distinct([*steps, formula.result_form(layer.total)])))
        elif "stat" in results and "param" not in results:
            rows.insert(0, Row(Label("params"), (Step(Num(0)),), "nothing learned"))
        rows += self.shared_rows(layer, results.get("param", sympy.Integer(0)))
        rows += self.active_rows(layer, formulas, values, droppable)
        self.check(layer, results, stat_category)
        return rows

    def part_rows(self, layer: LayerResult, label: str, parts: Mapping[str, str], values: Mapping[str, sympy.Expr],
                  droppable: set[str]) -> tuple[list[Row], Row, sympy.Expr]:
        """A layer built of named factors (MLA's down and up projections, its norms): one row per
        factor, then their sum (times the repeat count)."""
        rows = []
        found = []
        for name, text in parts.items():
            part, _, note = name.partition("|")
            row, value = self.formula_row(Label(part), formula.parse_formula(text), values, droppable)
            rows.append(dataclasses.replace(row, note=note or None))
            found.append(value)
        one = sympy.expand(sympy.Add(*found))
        total = sympy.expand(layer.multiplier * one)
        if not all(value.is_number for value in found):  # symbols left: the formula reads better whole
            general = formula.parse_formula(layer.formulas["param"])
            if layer.multiplier != 1:
                general = Prod((formula.from_sympy(layer.multiplier), general))
            row, value = self.formula_row(Label(label), general, values, droppable)
            return rows, row, value
        sum_row = self.sum_row(Label(label), found, one)
        if layer.multiplier == 1:
            return rows, sum_row, total
        node = Prod((formula.from_sympy(layer.multiplier), self.result_node(one)))
        return rows, Row(Label(label), self.distinct([node, formula.result_form(total)])), total

    def active_rows(self, layer: LayerResult, formulas: Mapping[str, str], values: Mapping[str, sympy.Expr],
                    droppable: set[str]) -> list[Row]:
        """A routed expert counts whole but runs for top_k of the experts: its active parameters, the
        same formula over the active copies."""
        if "param" not in formulas or layer.total == 0 or sympy.expand(layer.active - layer.total) == 0:
            return []
        copies = budget.simplify(layer.multiplier * layer.active / layer.total)
        if copies.free_symbols - layer.multiplier.free_symbols:
            return []
        general = formula.parse_formula(formulas["param"])
        if copies != 1:
            general = Prod((formula.from_sympy(copies), general))
        row, value = self.formula_row(Label("active"), general, values, droppable)
        if sympy.expand(value - layer.active) != 0:
            raise RuntimeError(f"derivation of {layer.name} ({layer.kind}) gives {value} active parameters "
                               f"but the count is {layer.active}")
        return [dataclasses.replace(row, note="the copies a token runs through")]

    def formula_row(self, lhs: Node, general: Node, values: Mapping[str, sympy.Expr],
                    droppable: set[str]) -> tuple[Row, sympy.Expr]:
        """Formula, substitution, in-between lines, result: one row."""
        if self.primed:
            general = formula.transform(general, self.prime)
            values = {self.primed.get(k, k): v for k, v in values.items()}
            droppable = {self.primed.get(k, k) for k in droppable}
        if self.power:
            general = formula.to_power(general)
        structural = {name: values[name] for name in droppable if name in values
                      and (values[name].is_Symbol or values[name] in (0, 1))}
        line1 = formula.simplify(formula.substitute(general, structural, droppable))
        order = formula.names_in(line1)
        line2 = formula.simplify(formula.substitute(line1, values, droppable, order))
        value = sympy.expand(formula.evaluate(line2))
        steps: list[Node] = [line1, line2]
        if formula.is_numeric(line2):
            steps += [formula.collapse_groups(line2)]
            steps += [formula.collapse_terms(steps[-1])]
        if not _product_of_names(line2):
            steps.append(formula.result_form(value, order))
        return Row(lhs, self.distinct(steps)), value

    def prime(self, node: Node) -> Node:
        """A name of the layer's formula as the layer's rows show it (``C'`` for a clashing ``C``)."""
        return Sym(self.primed[node.name]) if isinstance(node, Sym) and node.name in self.primed else node

    def distinct(self, nodes: Sequence[Node]) -> tuple[Step, ...]:
        """Drop a step that reads the same as the one before it."""
        out: list[Step] = []
        last = None
        for node in nodes:
            shown = formula.text(node, self.style)
            if shown != last:
                out.append(Step(node))
            last = shown
        return tuple(out)

    def result_node(self, value: sympy.Expr) -> Node:
        node = formula.result_form(value)
        return Group(node) if isinstance(node, Sum) else node

    def shape_rows(self, layer: LayerResult, formulas: Mapping[str, str]) -> list[Row]:
        """``C_in = 16 × 5 × 5 = 400`` for sizes inferred from the shape flowing in."""
        entry = layer.entry
        assert entry is not None
        used = {name for f in formulas.values() for name in formula.names_in(formula.parse_formula(f))}
        rows = []
        for arg_name, factors in layer.inferred.items():
            name = entry.arg(arg_name).formula_name
            if name not in used:
                continue
            value = layer.bindings.get(name)
            if isinstance(value, sympy.Symbol) and value.name == name:
                continue  # d_model = d_model says nothing
            nodes = [formula.from_sympy(f) for f in factors]
            steps: list[Node] = [Prod(tuple(nodes))] if len(nodes) > 1 else []
            steps.append(formula.result_form(value if value is not None else sympy.Mul(*factors)))
            note = "flattened from the input shape" if len(nodes) > 1 else "from the input shape"
            rows.append(Row(Sym(self.primed.get(name, name)), self.distinct(steps), note))
        return rows

    def size_rows(self, layer: LayerResult, convention: str) -> list[Row]:
        """The working of each output size that differs from the input's, then the output.

        The layer's shape rule is run again while :func:`symcount.catalog.shapes.recording`
        listens, so each row shows the formula of the branch that computed the
        engine's number (PyTorch's floor, ``ceil_mode``, Keras's "same", the
        transposed rule, ...), with the values put in, and must land on it.
        """
        before, after = layer.input_shape, layer.shape
        if (layer.entry is None or layer.args is None or before is None or after is None
                or not before.rank or before.rank != after.rank):
            return []
        with shapes.recording() as rules:
            again = layer.entry.shape(layer.args, before, convention)
        if not any(_works(rule, n) for rule, n in zip(rules, before.spatial, strict=False)):
            return []  # the size passes through (an activation, a norm, "same" with stride 1)
        if again.spatial != after.spatial:
            raise RuntimeError(f"the output size of {layer.name} ({layer.kind}) came out as {again.spatial}, "
                               f"not {after.spatial}")
        names = _DIMENSIONS[before.rank]
        if len(rules) != before.rank:  # a rule that does not say how it works: the sizes alone
            rules = [shapes.SizeRule(None, {}, n) for n in after.spatial]
        # a one-letter name whose value differs between dimensions gets the dimension's subscript (k_h, k_w)
        differ = {key for key in {k for r in rules for k in r.values} - {"n"}
                  if "_" not in key and len({sympy.srepr(r.values.get(key)) for r in rules}) > 1}
        rows: list[Row] = []
        i = 0
        while i < len(rules):
            j = i + 1
            while j < len(rules) and rules[j] == rules[i]:  # H and W the same size, by the same rule
                j += 1
            subscripts = {key: f"{key}_{names[i].lower()}" for key in differ} if j == i + 1 else {}
            rows.append(self.size_row([Sym(f"{name}_out") for name in names[i:j]], names[i], rules[i],
                                      after.spatial[i], subscripts))
            i = j
        rows.append(shape_row("output", after, tuple(layer.output_shape or ()), convention))
        return rows

    def size_row(self, lhs: list[Node], name: str, rule: shapes.SizeRule, expected: sympy.Expr,
                 subscripts: Mapping[str, str]) -> Row:
        """``H_out = W_out = ⌊(H + 2p − k)/s⌋ + 1 = ⌊(32 + 2 × 2 − 5)/1⌋ + 1 = 32``."""
        if sympy.expand(rule.value - expected) != 0:
            raise RuntimeError(f"the size rule gives {rule.value}, the count {expected}")
        side: Node = lhs[0] if len(lhs) == 1 else Equal(tuple(lhs))
        if rule.formula is None:
            return Row(side, (Step(formula.result_form(expected)),), rule.note)

        names = {"n": name, **subscripts}

        def rename(node: Node) -> Node:
            return Sym(names[node.name]) if isinstance(node, Sym) and node.name in names else node

        general = formula.transform(formula.parse_formula(rule.formula), rename)
        values = {names.get(key, key): value for key, value in rule.values.items()}
        put = formula.substitute(general, values)
        steps: list[Node] = [general, put]
        if formula.is_numeric(put) and _rounds(put):
            steps.append(formula.collapse_groups(put))  # ⌊213/4⌋ + 1: where the rounding happens
        steps.append(formula.result_form(expected))
        if not isinstance(expected, sympy.Piecewise) and sympy.expand(formula.evaluate(put) - expected) != 0:
            raise RuntimeError(f"{rule.formula} with {dict(rule.values)} is {formula.evaluate(put)}, "
                               f"but the output size is {expected}")
        words = [rule.note] if rule.note else []
        words += [said for key, said in _RULE_NAMES.items() if names.get(key, key) in formula.names_in(general)]
        return Row(side, self.distinct(steps), "; ".join(words) or None)

    def tensor_row(self, layer: LayerResult) -> Row:
        """No textbook formula: the sum of the counted tensors' sizes."""
        terms = []
        for t in layer.tensors:
            if t.category in ("trainable", "non_trainable"):
                dims = tuple(formula.from_sympy(d) for d in t.shape) or (Num(1),)
                terms.append(Term(1, dims[0] if len(dims) == 1 else Prod(dims)))
        node: Node = Sum(tuple(terms)) if len(terms) > 1 else (terms[0].node if terms else Num(0))
        return Row(Label("params"), self.distinct([node, formula.result_form(layer.total)]))

    def shared_rows(self, layer: LayerResult, shown: sympy.Expr) -> list[Row]:
        """A tied layer: its shared weight was shown but is counted once, elsewhere."""
        shared = [t for t in layer.tensors if t.category == "not counted" and t.shared_with]
        if not shared:
            return []
        if _applied_again(layer):
            return [Row(Label("counted"), (Step(Num(0)),))]  # the layer's note names the first use
        size = sympy.Add(*[t.size for t in shared])
        difference = Sum((Term(1, formula.result_form(shown)), Term(-1, formula.result_form(size))))
        return [Row(Label("counted"), (Step(difference), Step(formula.result_form(layer.total))))]

    def check(self, layer: LayerResult, results: Mapping[str, sympy.Expr], stat_category: str) -> None:
        """The derivation must land exactly on the engine's count."""
        param = results.get("param", sympy.Integer(0))
        stat = results.get("stat", sympy.Integer(0))
        if _applied_again(layer):
            param = stat = sympy.Integer(0)  # and nothing shared to take off: the first use counts it all
        shared = sympy.Add(*[t.size for t in layer.tensors if t.category == "not counted" and t.shared_with
                             and not _applied_again(layer)])
        expected_total = param - shared + (stat if stat_category == "non_trainable" else 0)
        expected_buffers = stat if stat_category == "buffer" else 0
        if sympy.expand(expected_total - layer.total) != 0 or sympy.expand(expected_buffers - layer.buffers) != 0:
            raise RuntimeError(f"derivation of {layer.name} ({layer.kind}) gives {expected_total} "
                               f"(+{expected_buffers} buffers) but the count is {layer.total} "
                               f"(+{layer.buffers} buffers)")

    # -- the total ------------------------------------------------------------------
    def total_rows(self, result: Count) -> list[Row]:
        rows = [self.sum_row(Label("params"), [layer.total for layer in result.layers], result.total)]
        if result.non_trainable != 0:
            rows.append(self.sum_row(Label("trainable"), [layer.trainable for layer in result.layers],
                                     result.trainable))
            rows.append(self.sum_row(Label("non-trainable"), [layer.non_trainable for layer in result.layers],
                                     result.non_trainable))
        if result.buffers != 0:
            rows.append(self.sum_row(Label("buffers"), [layer.buffers for layer in result.layers],
                                     result.buffers))
        if sympy.expand(result.active - result.total) != 0:
            rows.append(self.sum_row(Label("active"), [layer.active for layer in result.layers], result.active))
        return rows

    def sum_row(self, lhs: Node, parts: list[sympy.Expr], total: sympy.Expr) -> Row:
        """``= 156 + 2,416 + ... = 61,706``, equal terms gathered (``16 × 2,048``), wrapped every few terms."""
        times: dict[sympy.Expr, int] = {}
        for p in parts:
            if p != 0:
                times[p] = times.get(p, 0) + 1
        terms = [Term(1, self.result_node(p) if n == 1 else Prod((Num(n), self.result_node(p))))
                 for p, n in times.items()]
        steps: list[Step] = []
        for i, chunk in enumerate(self.lines_of_terms(terms)):
            node = Sum(tuple(chunk)) if len(chunk) > 1 else chunk[0].node
            steps.append(Step(node, continues=i > 0))
        if len(terms) != 1 or len(parts) - parts.count(0) > 1:
            steps.append(Step(formula.result_form(total)))
        if not steps:
            steps.append(Step(Num(0)))
        return Row(lhs, tuple(steps))

    def lines_of_terms(self, terms: list[Term]) -> list[list[Term]]:
        """A long sum's terms a line at a time: at most :data:`TERMS_PER_LINE`, and no more than
        :data:`SUM_LINE_CHARS` printed characters (``6 × 589,824`` terms are wide)."""
        lines: list[list[Term]] = [[]]
        for term in terms:
            candidate = lines[-1] + [term]
            wide = len(formula.text(Sum(tuple(candidate)), self.style)) > SUM_LINE_CHARS
            if lines[-1] and (len(candidate) > TERMS_PER_LINE or wide):
                lines.append([term])
            else:
                lines[-1] = candidate
        return [line for line in lines if line]

    # -- the description text a section comes from ------------------------------------
    def call_text(self, pos: nodes.Pos) -> str | None:
        """The layer call as written (``linear(C_out=120)``), comments dropped."""
        if pos.line <= 0:
            return None
        lines = self.source.split("\n")  # the parser's lines (splitlines also breaks at \x0c, U+2028)
        if pos.line > len(lines):
            return None
        rest = "\n".join(lines[pos.line - 1:])
        return _balanced_call(rest[pos.column - 1:])


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _top_level_parts(text: str) -> list[str]:
    """``a=1, b=(2, 3)`` -> ``["a=1", "b=(2, 3)"]``: split at commas outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _argument_text(value: Any, kind: str) -> str | None:
    """A bound value as the description language writes it, or None when it is not a plain value."""
    if isinstance(value, tuple) and value and all(v == value[0] for v in value):
        value = value[0]
    if isinstance(value, tuple):
        inner = [_argument_text(v, kind) for v in value]
        return None if None in inner else "(" + ", ".join(str(v) for v in inner) + ")"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool) or (kind in (BIAS, FLAG) and value in (0, 1)):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, sympy.Basic) and value.is_number):
        return str(value)
    return None


def resolved_call(code: str | None, layer: LayerResult) -> str | None:
    """A call inside a block with its formal parameters replaced by the values they had there:
    ``conv2d(C_out=C_out, k=k, stride=stride)`` reads ``conv2d(C_out=64, k=3, stride=1)`` in the
    heading of ``layer1.0.conv2d`` (each heading says what that layer is, not what the block says)."""
    match = re.fullmatch(r"([A-Za-z_][\w.]*)\((.*)\)", code or "")
    if match is None or layer.entry is None:
        return code
    specs = {n: a for a in layer.entry.args for n in (a.name, *a.aliases)}
    parts = []
    for part in _top_level_parts(match.group(2)):
        key, eq, value = part.partition("=")
        spec = specs.get(key.strip()) if eq else None
        if spec is not None and _IDENTIFIER.fullmatch(value.strip()) and value.strip() not in ("true", "false"):
            bound = layer.bindings.get(spec.formula_name, layer.bindings.get(spec.name))
            shown = _argument_text(bound, spec.kind) if bound is not None else None
            part = f"{key.strip()}={shown}" if shown is not None else part
        parts.append(part)
    return f"{match.group(1)}({', '.join(parts)})"


def _balanced_call(text: str) -> str:
    """From a layer's name to its closing parenthesis, on one line."""
    out: list[str] = []
    depth = 0
    quote = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "(":
            depth += 1
            out.append(ch)
        elif ch == ")":
            depth -= 1
            out.append(ch)
            if depth == 0:
                break
        elif ch in "\n;{" and depth == 0:
            break
        else:
            out.append(ch)
        i += 1
    return re.sub(r"\s+", " ", "".join(out)).replace("( ", "(").replace(" )", ")").strip()


def _product_of_names(node: Node) -> bool:
    """``V × d_model``: already as simple as its expanded form (no result line needed)."""
    if isinstance(node, Sym):
        return True
    return isinstance(node, Prod) and all(isinstance(f, Sym) for f in node.factors)


def _works(rule: shapes.SizeRule, n: sympy.Expr) -> bool:
    """A rule worth showing: it changes the size, or keeps it by sliding a window
    (``⌊(32 + 2 × 2 − 5)/1⌋ + 1 = 32``, the classic exam question)."""
    if sympy.expand(rule.value - n) != 0:
        return True
    return rule.formula is not None and "k" in formula.names_in(formula.parse_formula(rule.formula))


def _rounds(node: Node) -> bool:
    """A floor or ceiling in the tree whose argument is not a whole number (it rounds)."""
    if isinstance(node, Func) and node.name in ("floor", "ceil"):
        if not formula.evaluate(node.args[0]).is_integer:
            return True
    return any(_rounds(child) for child in formula.children(node))


def clashing(layer: LayerResult) -> dict[str, str]:
    """The layer's own formula names that the network also uses for another size, each primed
    (``C -> C'``): a batch norm's ``C = 2C`` after a conv with ``C_out = 2C`` would read as
    ``2C = 2 × 2C = 4C``; primed it reads ``2C' = 2 × 2C = 4C``."""
    names = {n for text in layer.formulas.values() for n in formula.names_in(formula.parse_formula(text))}
    values = _scalar_bindings(layer)
    theirs = {str(s) for name, value in values.items() if name in names for s in value.free_symbols}
    taken = names | theirs
    primed: dict[str, str] = {}
    # a name bound to itself (k = k) is the network's own size: no clash
    for name in sorted(n for n in names & theirs if n in values and str(values[n]) != n):
        base, under, sub = name.partition("_")
        new = base + "'"
        while new + under + sub in taken:  # C'_in: the prime on the letter, before a subscript
            new += "'"
        primed[name] = new + under + sub
    return primed


#: A primed name in a where line: the name it stands for, and why.
#: (no letter in the words: a symbol in prose would be set as text, not math, in LaTeX)
PRIMED = "the layer's own size, primed because the network's size of that name is another"


def _is_empty(layer: LayerResult) -> bool:
    return layer.total == 0 and layer.buffers == 0 and not layer.formulas


def _merge(columns: list[Column]) -> tuple[Column, ...]:
    """Each different reading once: one unlabelled column when every variant reads the same, else
    the variants that read alike under one combined label (``PyTorch and Keras, with bias``), in
    the order the variants first appear."""
    if all(c.rows == columns[0].rows for c in columns[1:]):
        return (Column(None, columns[0].rows),)
    groups: dict[tuple[Row, ...], list[str | None]] = {}
    for column in columns:
        groups.setdefault(column.rows, []).append(column.label)
    return tuple(Column(combined_label(labels), rows) for rows, labels in groups.items())


def combined_label(labels: Sequence[str | None]) -> str | None:
    """One label for variants that read alike: ``PyTorch and Keras, with bias`` when they differ
    only in the framework, ``Keras, with or without bias`` when only in the bias setting (the layer
    has no bias to switch); labels joined by "; " when they are no such product."""
    if len(labels) == 1:
        return labels[0]
    parsed = [_label_parts(label) for label in labels]
    frameworks = list(dict.fromkeys(p[0] for p in parsed))
    biases = list(dict.fromkeys(p[1] for p in parsed))
    if len(parsed) != len(set(parsed)) or len(parsed) != len(frameworks) * len(biases):
        return "; ".join(label or "" for label in labels)
    framework = " and ".join(f for f in frameworks if f) or None
    bias = biases[0] if len(biases) == 1 else "with or without bias"
    return ", ".join(part for part in (framework, bias) if part) or None


def _label_parts(label: str | None) -> tuple[str | None, str | None]:
    """``PyTorch, with bias`` -> (``PyTorch``, ``with bias``): a variant's label as
    :func:`_variant_label` writes it, framework first."""
    framework: str | None = None
    bias: str | None = None
    for part in (label or "").split(", "):
        if part in _FRAMEWORK.values():
            framework = part
        elif part:
            bias = part
    return framework, bias


def where(layer: LayerResult, code: str | None, columns: Sequence[Column]) -> list[tuple[str, str]]:
    """``where H: hidden size (hidden_size), n: stacked layers (num_layers)``: every name of a
    count's general formula that the call does not show (as an argument or a value) and no row
    works out, with the argument's name when the call gave it under another one."""
    entry = layer.entry
    if entry is None:
        return []
    called = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", code or ""))
    worked = {row.lhs.name for c in columns for row in c.rows if isinstance(row.lhs, Sym)}
    names: dict[str, None] = {}
    for column in columns:
        for row in column.rows:
            if isinstance(row.lhs, Label) and row.lhs.count and row.steps:
                names.update(dict.fromkeys(formula.names_in(row.steps[0].node)))
    said: list[tuple[str, str]] = []
    for name in [n for n in {**names, **dict.fromkeys(sorted(worked))} if "'" in n]:
        base = name.replace("'", "")
        said.append((name, PRIMED))
    for name in names:
        if name in called or name in worked or "'" in name:
            continue
        spec = next((a for a in entry.args if a.formula_name == name), None)
        if spec is None and name in entry.symbols:
            said.append((name, entry.symbols[name]))
            continue
        base, _, part = name.rpartition("_")
        spec_of_base = next((a for a in entry.args if a.formula_name == base), None)
        if spec is None and spec_of_base is not None and part in _PART:  # k_h: the kernel's height
            said.append((name, f"{spec_of_base.doc.split(' (')[0].replace(' size', '') or base} {_PART[part]}"))
            continue
        if spec is None and spec_of_base is not None and part.isdigit():  # C_1: normalized_shape[0]
            written = next((n for n in (spec_of_base.name, *spec_of_base.aliases) if n in called), base)
            said.append((name, f"{written}[{int(part) - 1}]"))
            continue
        if spec is None:
            said.append((name, "a size of the layer"))
            continue
        spelling = next((n for n in (spec.name, *spec.aliases) if n in called), None)
        meaning = spec.doc.split(" (")[0]
        if not meaning:
            said.append((name, f"the argument {spelling or spec.name}"))
        else:
            said.append((name, meaning + (f" ({spelling})" if spelling else "")))
    return said


def _hoist(columns: tuple[Column, ...]) -> tuple[tuple[Row, ...], tuple[Column, ...], tuple[Row, ...]]:
    """What every variant shows alike, once: the working before the first count that reads the
    same in all (output sizes, an inferred C_in) above the variants, and the rows that end all of
    them alike (a count the layouts do not change) below them."""
    if len(columns) < 2:
        return (), columns, ()
    shared: list[Row] = []
    for rows in zip(*(c.rows for c in columns), strict=False):
        first = rows[0]
        if (isinstance(first.lhs, Label) and first.lhs.count) or any(r != first for r in rows[1:]):
            break
        shared.append(first)
    after: list[Row] = []
    for rows in zip(*(c.rows[len(shared):][::-1] for c in columns), strict=False):
        if any(r != rows[0] for r in rows[1:]):
            break
        after.insert(0, rows[0])
    if any(len(c.rows) <= len(shared) + len(after) for c in columns):
        after = []
        if any(len(c.rows) <= len(shared) for c in columns):
            return (), columns, ()
    end = [len(c.rows) - len(after) for c in columns]
    return tuple(shared), tuple(Column(c.label, c.rows[len(shared):e]) for c, e in zip(columns, end, strict=True)), \
        tuple(after)


def _layer_notes(layers: list[LayerResult]) -> list[str]:
    return list(dict.fromkeys(note for layer in layers for note in layer.notes))


#: Parameter-free layers of one kind up to this many are named; more are counted (``49 × relu``).
MAX_NAMES_LISTED = 3


def _silent_notes(layers: list[LayerResult], shown: Mapping[str, str] | None = None) -> list[str]:
    """Zero-parameter layers of a network, grouped by why they have none."""
    by_kind: dict[tuple[str, str], list[str]] = {}
    for layer in layers:
        reason = layer.entry.zero_reason if layer.entry is not None else "no weights"
        by_kind.setdefault((layer.kind, reason), []).append((shown or {}).get(layer.name, layer.name))
    # a kind that comes many times is one line (``49 × relu: 0``), not a list of 49 names off the page
    return [f"{names[0] if len(names) == 1 else f'{len(names)} × {kind}'}: 0 ({reason})"
            if len(names) <= 1 or len(names) > MAX_NAMES_LISTED else f"{', '.join(names)}: 0 ({reason})"
            for (kind, reason), names in by_kind.items()]
