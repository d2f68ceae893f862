"""From a source to a :class:`~symcount.engine.results.Count`: the one door every verb goes through.

A source is a ``.sc`` file (``path#network`` too) or the description's text. It is read
(regular files up to a size limit), parsed, its framework code checked
(:func:`~symcount.frameworks.prefixes.check_prefixes`), loaded and walked. The teaching
modules build on :func:`count`; :mod:`symcount.api` is the public face of this module.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import math
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy

from symcount.catalog.core import BIAS, lookup
from symcount.catalog.spellings import positional_order
from symcount.catalog.wrappers import wrapper_of
from symcount.engine.count import Count
from symcount.engine.load import choose_target, load
from symcount.engine.results import CONVENTIONS, exact_sum
from symcount.engine.walk import walk
from symcount.errors import SymcountError, UnknownValueError, did_you_mean
from symcount.frameworks import safetensors
from symcount.frameworks.prefixes import check_prefixes
from symcount.language import nodes
from symcount.language.parse import parse, parse_expression
from symcount.language.values import MAX_BITS, Env, evaluate

if TYPE_CHECKING:  # the readers of model code and configs are imported when such a source comes (start-up)
    from symcount.frameworks.code_reader import Description

Source = str | Path


class PythonCode(str):
    """Model code in Python given as text (``--from python``): read as a ``.py`` file is."""

    __slots__ = ()


class DescriptionText(str):
    """A description given as text (``--from description``): never read as Python code."""

    __slots__ = ()


#: Lines only Python has: a pasted text with one of them is model code, not a description.
_PYTHON_LINE = re.compile(r"^(import \w|from [\w.]+ import |class \w+\s*[(:]|def \w+\s*\()", re.MULTILINE)


def is_python(source: Source) -> bool:
    """Whether a source is Python model code: a ``.py`` file, :class:`PythonCode`, or pasted text
    with an ``import``, ``class`` or ``def`` line (which no description has)."""
    if isinstance(source, PythonCode):
        return True
    if isinstance(source, DescriptionText):
        return False
    if isinstance(source, Path):
        return source.suffix == ".py" or str(source).rpartition("#")[0].endswith(".py")
    return isinstance(source, str) and _PYTHON_LINE.search(source) is not None


def read_source(source: Source, network: str | None = None) -> tuple[str, str, str | None]:
    """(text, filename, network named in the source) for text or a path.

    A :class:`~pathlib.Path` is read as a file and may end in ``#network``;
    a ``str`` is the description itself. Python code (a ``.py`` file, or text
    :func:`is_python` recognises) is read as the description of its model,
    ``network`` choosing the model when the code has several. A path ending in ``.json``
    is a Hugging Face configuration: the text returned is the description it becomes
    (:func:`symcount.frameworks.hf_config.describe`), its network the model's class.
    """
    text, filename, named, _ = read_description(source, network)
    return text, filename, named


def read_description(source: Source, network: str | None = None) -> tuple[str, str, str | None, Description | None]:
    """:func:`read_source`, with the :class:`Description` when the source was Python code."""
    text, filename, named = _read_text(source)
    if not is_python(source):
        return text, filename, named, None
    key = (text, filename, network or named)
    if _LAST_READ and _LAST_READ[0][0] == key:  # a verb reads its source twice (its settings, then to count)
        description = _LAST_READ[0][1]
        return description.text, f"{filename} (as read)", description.network, description
    try:
        from symcount.frameworks.code_reader import describe_python  # noqa: PLC0415  lazy: start-up

        description = describe_python(text, filename, network or named)
        if description.unfollowed is not None:
            description = _forward_checked(description, filename, source)
        _LAST_READ[:] = [(key, description)]
    except SymcountError as err:
        raise err.located(filename, text) from None
    except RecursionError:
        raise SymcountError("the code nests too deeply to be read").located(filename, text) from None
    return description.text, f"{filename} (as read)", description.network, description


#: Engine errors on a description read from forward that torch raises too when that forward runs: a
#: window larger than its input (``Output size is too small``), tensors added that do not broadcast or
#: concatenated with other sizes, a view to sizes that do not multiply to the tensor's (``shape '[-1, 400]'
#: is invalid for input of size 256``), and a layer's input channels not those flowing in (see
#: :func:`_torch_fails_too`).
_TORCH_FAILS_TOO = re.compile(r"does not fit its input|do not broadcast|differ in size|"
                              r"^unflatten: |^Unflatten to .* (has \S+ values; dim 1|does not fit)")
#: ``linear: C_in=32 but the input has 3 channels (3, 32, 32)``: the layer and the shape flowing in.
_CHANNELS = re.compile(r"^(\w+): \w+=\S+ but the input has \S+ channels \(([^()]*)\)")
#: Layers torch runs on the last size of any tensor: on a map whose last size is not the channels, torch's
#: answer and the description's part ways, which is the reader's limit, not the user's mistake.
_LAST_SIZE = ("linear", "bilinear", "layernorm", "layernorm_shape", "rmsnorm")


def _torch_fails_too(message: str) -> bool:
    """Whether an engine error on a description read from forward is the user's model failing as torch would.

    A channel mismatch is torch's own failure (``expected input[1, 3, 32, 32] to have 4 channels``, ``mat1
    and mat2 shapes cannot be multiplied``) where the layer reads the channels torch gives it: a convolution
    or a norm on dim 1, or any layer on a flat (C,) tensor. ``nn.Linear(32, 10)`` on a (3, 32, 32) map is
    valid torch (it maps the last size), which the description cannot hold: that is not followed instead.
    """
    if _TORCH_FAILS_TOO.search(message):
        return True
    channels = _CHANNELS.match(message)
    if channels is None:
        return False
    flat = "," not in channels.group(2)
    return flat or channels.group(1) not in _LAST_SIZE


def _forward_checked(description: Description, filename: str, source: Source) -> Description:
    """A description read from forward, counted once: the same description when it counts; a positioned error
    when the engine finds what torch would refuse too (the user's model is wrong, :data:`_TORCH_FAILS_TOO`);
    otherwise the model read from ``__init__`` alone, with the note saying why forward was not followed. A
    failure of the reader's own (something forward does written in a way the engine does not take) must
    never cost the count, which ``__init__`` alone gives."""
    assert description.unfollowed is not None
    described = f"{filename} (as read)"
    try:
        description.checked = _count_text(description.text, described, None, None, description.network, None)
    except SymcountError as err:
        if _torch_fails_too(err.message):
            raise in_code(err, description, description.text, source) from None
        origin = description.origins.get(err.pos.line) if err.filename in (None, described) else None
        line = origin.line if origin is not None else 0
        return description.unfollowed(f"the shapes read from forward do not count: {err.message}", line)
    return description


#: The last Python source read and its description, checked: reading it again (``file_variants`` then
#: ``count`` on one file) costs nothing, and the check's count is still there to be handed out.
_LAST_READ: list[tuple[tuple[str, str, str | None], Description]] = []


def describe(source: Source, network: str | None = None) -> str:
    """The description a source is read as: Python code's model, or a description as written.

    A description (a ``.sc`` file, inline text, a config's) is parsed, and the network named is
    looked up, so what is printed is one the other verbs read: a syntax error or an unknown
    ``--network`` is refused at its place, not echoed back with exit 0."""
    text, filename, named, python = read_description(source, network)
    if python is None:
        try:
            tree = parse_source(text, filename)
            if network or named:
                choose_target(load(tree, {}), network or named)
        except SymcountError as err:
            raise err.located(filename, text) from None
    return text


def _read_text(source: Source) -> tuple[str, str, str | None]:
    if isinstance(source, Path):
        network = None
        path = source
        if "#" in path.name and not _exists(path):
            base, _, network = str(path).rpartition("#")
            path = Path(base)
        if safetensors.is_safetensors(path):
            raise SymcountError("a safetensors header lists stored tensors, not layers: only 'symcount count' "
                                "reads it", filename=str(path),
                                hint="symcount count FILE (add --config config.json to cross-check it); "
                                     "give the config.json to this verb")
        text = read_user_file(path)
        if not text.strip():
            raise SymcountError("empty description: the file has no text", filename=str(path),
                                hint='write layers in it, e.g. conv2d(C_in=3, C_out=8, k=3)')
        if path.suffix.lower() == ".json":
            return _described_config(_plain(text), str(path), network)
        return _plain(text), str(path), network or None
    if not isinstance(source, str):
        raise SymcountError(f"source must be description text (str) or a file (pathlib.Path), "
                            f"not {type(source).__name__}")
    return _plain(source), "<input>", None


def _described_config(text: str, filename: str, network: str | None) -> tuple[str, str, str | None]:
    """A config.json as its description; errors point into the JSON, not the description made from it."""
    try:
        from symcount.frameworks import hf_config  # noqa: PLC0415  lazy: start-up

        described = hf_config.describe(text)
    except SymcountError as err:
        raise err.located(filename, text) from None
    if network and network != described.network:
        raise SymcountError(f"{filename} describes {described.network}, not '{network}'", filename=filename)
    return described.text, filename, described.network


#: The largest description file read: checked before reading, so /dev/zero or a 300 MB file is refused
#: at once (the parser's own limit, ``MAX_SOURCE_CHARS``, is about the text).
MAX_SOURCE_BYTES = 1 << 20


def read_user_file(path: Path, what: str = "descriptions") -> str:
    """The UTF-8 text of a file the user named (a description, notes, a roster, answers, a key),
    read the one safe way (:func:`_read_regular_file`: a regular file of at most 1 MiB, never a
    FIFO or a device, which would hang or read without end); every failure is a SymcountError
    naming the file and ``what`` such a file holds."""
    try:
        return _read_regular_file(path, what)
    except FileNotFoundError:
        raise SymcountError("no such file", filename=str(path)) from None
    except UnicodeDecodeError:
        raise SymcountError(f"not a text file ({what} are UTF-8 text)", filename=str(path)) from None
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise SymcountError(f"cannot read it: {reason}", filename=str(path)) from None


def _read_regular_file(path: Path, what: str = "descriptions") -> str:
    """A regular file's UTF-8 text, refused before reading when it is not one (a FIFO, a device, a
    directory, a symlink to one of these) or is larger than :data:`MAX_SOURCE_BYTES`.

    The file is opened without blocking (a FIFO with no writer would wait forever) and checked
    through the open handle, so what is checked is what is read; at most the limit plus one byte
    is read, in case the file grows in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) \
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a special file"
            raise SymcountError(f"not a regular file ({kind}): {what} are read from regular files only",
                                filename=str(path))
        if info.st_size > MAX_SOURCE_BYTES:
            raise _too_large(path, info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(path, len(data))
    return data.decode("utf-8")


def _too_large(path: Path, size: int) -> SymcountError:
    return SymcountError(f"file too large ({size:,} bytes; the limit is {MAX_SOURCE_BYTES:,} bytes, 1 MiB)",
                         filename=str(path))


def _plain(text: str) -> str:
    """One line ending, '\\n', and no byte-order mark: what a file read in text mode gives.

    Windows editors start UTF-8 files with U+FEFF and old Macs end lines with a
    lone CR; positions are counted in '\\n'-separated lines, so both are made plain.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


#: A setting a file carries in its opening comment (``# convention: keras``); ``derive``'s
#: ``title`` too. Every verb honours them (an explicit option wins), or refuses one it cannot.
SETTING = re.compile(r"^#\s*(convention|bias|title)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)


def read_directives(text: str) -> dict[str, str]:
    """``# convention: keras`` / ``# bias: both`` / ``# title: ...`` lines of the opening comment."""
    return {name: value for name, (value, _) in read_settings(text).items()}


def read_settings(text: str) -> dict[str, tuple[str, nodes.Pos]]:
    """The opening comment's settings, each with where it is written (for a refusal's caret)."""
    found: dict[str, tuple[str, nodes.Pos]] = {}
    skipped = len(text) - len(text.lstrip("\n"))
    for number, line in enumerate(opening_comment(text), start=skipped + 1):
        match = SETTING.match(line)
        if match:
            raw = text.split("\n")[number - 1]
            column = raw.index("#") + 1
            found[match.group(1).lower()] = (match.group(2), nodes.Pos(number, column, number, len(raw.rstrip()) + 1))
    return found


def opening_comment(text: str) -> list[str]:
    """The comment lines a description opens with (after blank lines), stripped."""
    lines = []
    for line in text.lstrip("\n").split("\n"):
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped)
    return lines


def file_convention(text: str, convention: str | None, verb: str | None = None) -> str:
    """The convention to count under: the one given, else the file's ``# convention:``, else pytorch."""
    if convention is not None:
        return convention
    setting = read_settings(text).get("convention")
    if setting is None:
        return "pytorch"
    value, pos = setting
    word = value.lower()
    if word == "both":
        raise SymcountError(f"'# convention: both' asks for both conventions side by side, {_shows_one(verb)}",
                            pos, hint="give --convention pytorch or keras (count and derive show both side by side)")
    if word not in CONVENTIONS:
        raise SymcountError(f"unknown convention '{value}' (valid: {', '.join(CONVENTIONS)}, both)", pos,
                            hint=did_you_mean(word, [*CONVENTIONS, "both"]))
    return word


def file_variants(source: Source, convention: str | None, bias: str | None = None
                  ) -> list[tuple[str | None, bool | None]]:
    """The (convention, bias) pairs a file's settings ask for (``both`` gives two), each as
    :func:`count` takes it; an explicit ``convention`` or ``bias`` ("true", "false", "both") wins."""
    text, filename, _ = read_source(source)
    settings = read_settings(text)
    conventions: list[str | None] = [convention]
    if convention is None and settings.get("convention", ("", nodes.NOWHERE))[0].lower() == "both":
        conventions = list(CONVENTIONS)
    word = bias if bias is not None else settings.get("bias", ("", nodes.NOWHERE))[0].lower()
    biases: list[bool | None] = [True, False] if word == "both" else \
        [word == "true"] if word in ("true", "false") else [None]
    return [(c, b) for c in conventions for b in biases]


def _shows_one(verb: str | None) -> str:
    """Why a setting that asks for two counts is refused: the verb (when the caller knows it) or,
    from the API's one count, the verbs that do show two."""
    return f"which {verb} cannot show" if verb else "which only count and derive show (one count is asked for here)"


def file_bias(text: str, verb: str | None = None) -> bool | None:
    """The file's ``# bias: true`` / ``false`` (None: as written); ``both`` only derive can show."""
    setting = read_settings(text).get("bias")
    if setting is None:
        return None
    value, pos = setting
    word = value.lower()
    if word in ("true", "false"):
        return word == "true"
    if word == "both":
        raise SymcountError(f"'# bias: both' asks for both counts side by side, {_shows_one(verb)}", pos,
                            hint="count and derive show both; for one, write '# bias: true' or '# bias: false'")
    raise SymcountError(f"unknown bias setting '{value}' (valid: true, false, both)", pos)


# ---------------------------------------------------------------------------
# file settings, and the bias override: the tree is rewritten, so the engine counts exactly what is shown


def with_bias(tree: nodes.Program, bias: bool) -> nodes.Program:
    """The program with ``bias=`` set on every layer that takes one (positional arguments
    read in the order the count reads them)."""
    statements = tuple(_rewrite_statement(s, bias) for s in tree.statements)
    return dataclasses.replace(tree, statements=statements)


def _rewrite_statement(node: nodes.Statement, bias: bool) -> nodes.Statement:
    if isinstance(node, nodes.Network | nodes.Block):
        return dataclasses.replace(node, body=_rewrite_body(node.body, bias))
    if isinstance(node, nodes.Require):
        return node
    return _rewrite_item(node, bias)


def _rewrite_body(body: nodes.Body, bias: bool) -> nodes.Body:
    return dataclasses.replace(body, items=tuple(_rewrite_item(i, bias) for i in body.items))


def _rewrite_optional(body: nodes.Body | None, bias: bool) -> nodes.Body | None:
    """An else branch, a shortcut or a layer's body, which may be absent."""
    return _rewrite_body(body, bias) if body is not None else None


def _rewrite_item(node: nodes.Item, bias: bool) -> nodes.Item:
    if isinstance(node, nodes.Layer):
        return _rewrite_layer(node, bias)
    if isinstance(node, nodes.Repeat):
        return dataclasses.replace(node, body=_rewrite_body(node.body, bias))
    if isinstance(node, nodes.If):
        return dataclasses.replace(node, then=_rewrite_body(node.then, bias),
                                   otherwise=_rewrite_optional(node.otherwise, bias))
    if isinstance(node, nodes.Residual):
        return dataclasses.replace(node, body=_rewrite_body(node.body, bias),
                                   shortcut=_rewrite_optional(node.shortcut, bias))
    if isinstance(node, nodes.Parallel):
        return dataclasses.replace(node, branches=tuple(_rewrite_body(b, bias) for b in node.branches))
    return node


def _rewrite_layer(node: nodes.Layer, bias: bool) -> nodes.Layer:
    node = dataclasses.replace(node, body=_rewrite_optional(node.body, bias))
    if wrapper_of(node) is not None:  # Bidirectional(LSTM(64)): the wrapped layer's bias
        args = []
        for arg in node.args:
            inner = nodes.as_layer(arg.value) if arg.name in (None, "layer") else None
            if inner is not None:
                arg = dataclasses.replace(arg, value=nodes.LayerCall(_rewrite_layer(inner, bias), arg.value.pos))
            args.append(arg)
        return dataclasses.replace(node, args=tuple(args))
    entry = lookup(node.kind)
    if entry is None or not any(spec.kind == BIAS for spec in entry.args):
        return node
    value = nodes.Bool(bias, node.pos)
    positional = positional_order(entry, node.kind, [a.value for a in node.args if a.name is None])
    args = []
    index = 0
    replaced = False
    for arg in node.args:
        if arg.name is None:
            spec = entry.find_arg(positional[index]) if index < len(positional) else None
            index += 1
        else:
            spec = entry.find_arg(arg.name)
        if spec is not None and spec.kind == BIAS:
            arg = dataclasses.replace(arg, value=value)
            replaced = True
        args.append(arg)
    if not replaced:
        args.append(nodes.Arg("bias", value, node.pos))
    return dataclasses.replace(node, args=tuple(args))



def convert_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Python or text values for ``values=`` / ``--set`` as sympy objects.

    Text is parsed by symcount's own expression grammar (never sympify).
    """
    out: dict[str, Any] = {}
    if values is not None and not isinstance(values, Mapping):
        raise SymcountError(f"values must be a mapping of names to values, not {type(values).__name__}",
                            hint='e.g. values={"C": 64}')
    for name, value in (values or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise SymcountError(f"--set {name!r}: a name must be an identifier like C or d_model")
        if isinstance(value, bool):
            out[name] = value
        elif isinstance(value, int):
            if value.bit_length() > MAX_BITS:
                raise SymcountError(f"--set {name}: number too large ({value.bit_length():,} bits; "
                                    f"the limit is {MAX_BITS:,})")
            out[name] = sympy.Integer(value)
        elif isinstance(value, sympy.Basic):
            out[name] = value
        elif isinstance(value, str):
            try:
                out[name] = evaluate(parse_expression(value, f"--set {name}"), Env())
            except SymcountError as err:  # about the value's text, not the description's
                raise err.located(f"--set {name}", value.strip()) from None
        elif isinstance(value, (tuple, list)) and value and all(
                isinstance(v, (int, sympy.Basic)) and not isinstance(v, bool) for v in value):
            # a size per axis, as --set k=(3,5) gives count and solve hands on: each checked like a number
            out[name] = tuple(convert_values({name: v})[name] for v in value)
        else:
            raise SymcountError(f"value for {name} must be an int, an expression or a tuple of them, "
                                f"not {type(value).__name__}")
    return out


def _check_values_used(values: Mapping[str, Any], env: Env, free: set[str]) -> None:
    """Every ``--set`` name must take effect: a network parameter, a ``let`` or a free symbol.

    A name the description binds only by a block call (``llama(kv_heads=8)``) is refused at
    that binding: a value from outside cannot reach it, and ignoring it would be a silent
    wrong answer. The list of names offered holds only names that can be set.
    """
    settable = env.seen | free
    for name in values:
        if name in settable:
            continue
        if name in env.bound:
            raise SymcountError(
                f"--set {name}: {name} is bound by a call inside the description, so a value from outside "
                f"cannot reach it", env.bound[name],
                hint=f"make {name} a parameter of the network (network n({name}=...) {{ ... }}) "
                     f"and pass it on in the call, or a top-level let")
        known = sorted(settable)
        raise UnknownValueError(
            name,
            f"--set {name}: no such name in the description "
            f"(names that can be set: {', '.join(known) or 'none'})",
            hint=did_you_mean(name, known),
        )


def count(
    source: Source,
    *,
    values: Mapping[str, Any] | None = None,
    convention: str | None = None,
    network: str | None = None,
    bias: bool | None = None,
) -> Count:
    """Count the parameters of a description (text, or a file given as a Path).

    ``values`` set network parameters, top-level ``let`` bindings and free
    symbols; ``convention`` is ``"pytorch"`` or ``"keras"`` (None: the file's
    ``# convention:`` line, else pytorch); a ``# bias: true`` / ``false`` line
    is honoured too (``bias`` True / False overrides it: every layer that has
    a bias gets one, or none); ``network`` picks one network when the text
    holds several.
    """
    text, filename, from_source, description = read_description(source, network)
    collecting = gc.isenabled()
    gc.disable()  # counting makes many small acyclic objects; collecting mid-run only costs time
    try:
        if description is not None and isinstance(description.checked, Count) and not values \
                and convention in (None, "pytorch") and bias is None:
            # what read_description counted to check forward: the same call, handed out once
            result, description.checked = description.checked, None
        else:
            result = _count_text(text, filename, values, convention, network or from_source, bias)
    except SymcountError as err:
        if description is not None:
            raise in_code(err, description, text, source) from None
        raise err.located(filename, text) from None
    except RecursionError:
        raise SymcountError("description nested too deeply",
                            hint="block calls, brackets and bodies nest too deep together; flatten some blocks"
                            ).located(filename, text) from None
    finally:
        if collecting:
            gc.enable()
    if description is not None:
        result.notes.extend(description.notes)
        _placed_in_code(result, description)
    elif filename.lower().endswith(".json"):
        result.notes.extend(config_notes(text, filename))
    return result


def config_notes(text: str, filename: str) -> list[str]:
    """What a count of a config.json says it counted: the head comments of the description the config
    became (the class as transformers builds it, a multimodal config's text model only, the defaults the
    file left out), so the total is never read as the whole multimodal model or as a guess."""
    head = list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
    said = [line.lstrip("#").strip() for line in head]
    return [f"read from {filename}: {said[0]}", *said[1:]] if said else []


def _placed_in_code(result: Count, description: Description) -> None:
    """Each layer, block call and merge of a count of Python code placed at the code it was read from, so
    what names a line (the receptive-field notes, ``after flatten (flatten, line 22)``) names the code's."""
    def moved(pos: nodes.Pos) -> nodes.Pos:
        return description.origins.get(pos.line, pos) if pos.line else pos

    for layer in result.layers:
        layer.pos = moved(layer.pos)
    result.blocks = [dataclasses.replace(block, pos=moved(block.pos)) for block in result.blocks]
    result.merges = [dataclasses.replace(merge, pos=moved(merge.pos)) for merge in result.merges]


def in_code(err: SymcountError, description: Description, text: str, source: Source) -> SymcountError:
    """An error found in the description a file was read as, placed at the code it comes from."""
    code, filename, _ = _read_text(source)
    described = f"{filename} (as read)"
    origin = description.origins.get(err.pos.line) if err.filename in (None, described) else None
    if origin is None:
        return err.located(described, text)
    line = text.split("\n")[err.pos.line - 1].strip()
    hint = f"{err.hint}; " if err.hint else ""
    return SymcountError(err.message, origin, filename=filename, source=code,
                         hint=f"{hint}read as: {line}")


def check_options(convention: object, network: object) -> None:
    """``convention`` and ``network`` as the API takes them: known names, as strings (None: the default)."""
    if convention is not None and (not isinstance(convention, str) or convention not in CONVENTIONS):
        shown = convention if isinstance(convention, str) else repr(convention)
        raise SymcountError(f"unknown convention '{shown}' (valid: {', '.join(CONVENTIONS)})",
                            hint=did_you_mean(convention, CONVENTIONS) if isinstance(convention, str) else None)
    if network is not None and not isinstance(network, str):
        raise SymcountError(f"network must be a network's name (a string), not {type(network).__name__}")


def _count_text(text: str, filename: str, values: Mapping[str, Any] | None, convention: str | None,
                network: str | None, bias: bool | None) -> Count:
    check_options(convention, network)
    if bias is not None and not isinstance(bias, bool):
        raise SymcountError(f"bias must be True, False or None, not {bias!r}")
    convention = file_convention(text, convention)
    if bias is None:
        bias = file_bias(text)
    converted = convert_values(values)
    tree = parse_source(text, filename)
    return _count_program(tree if bias is None else with_bias(tree, bias), converted, convention, network)


def parse_source(text: str, filename: str = "<input>") -> nodes.Program:
    """Parse a description and check its framework code (module prefixes, ``Sequential`` forms)."""
    tree = parse(text, filename)
    try:
        check_prefixes(tree)
    except SymcountError as err:
        raise err.located(filename, text) from None
    return tree


def count_tree(tree: nodes.Program, *, values: Mapping[str, Any] | None = None, convention: str = "pytorch",
               network: str | None = None) -> Count:
    """Count an already parsed (possibly rewritten) program; errors are not yet located.

    ``derive`` uses it to count a description with every bias switched on or off.
    """
    check_options(convention, network)
    return _count_program(tree, convert_values(values), convention or "pytorch", network)


def _count_program(tree: nodes.Program, converted: dict[str, Any], convention: str, network: str | None) -> Count:
    program = load(tree, converted)
    target = choose_target(program, network)
    walker = walk(program, target, convention)
    layers = walker.layers
    trainable = exact_sum(layer.trainable for layer in layers)
    non_trainable = exact_sum(layer.non_trainable for layer in layers)
    buffers = exact_sum(layer.buffers for layer in layers)
    macs_terms = [layer.macs for layer in layers]
    macs = sympy.nan if any(m is sympy.nan for m in macs_terms) else exact_sum(macs_terms)
    active = exact_sum(layer.active for layer in layers)
    free = {str(s) for s in (trainable + non_trainable + buffers).free_symbols}
    _check_values_used(converted, program.env, free)
    final = getattr(walker, "final_shape", None)
    return Count(
        network=target,
        convention=convention,
        trainable=trainable,
        non_trainable=non_trainable,
        buffers=buffers,
        macs=macs,
        active=active,
        layers=layers,
        output_shape=final.layout(convention) if final is not None else None,
        shared=walker.shared,
        blocks=walker.blocks,
        merges=walker.merges,
        notes=walker.notes,
        values=converted,
        settable=frozenset(program.env.seen | free),
        outputs=[shape.layout(convention) for shape in walker.outputs],
        fits_where=tuple(walker.sizes_to_fit),
    )


# ---------------------------------------------------------------------------
# a safetensors header: stored tensors by module, and their cross-check with a config's count


@dataclasses.dataclass
class StoredCount:
    """A safetensors header's tensors (:class:`~symcount.frameworks.safetensors.Header`), and when a
    config was given its count and every difference between the two, each in words."""

    header: safetensors.Header
    config: str | None = None
    counted: Count | None = None
    differences: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return self.header.total


def is_stored(source: object) -> bool:
    """Whether a source is a safetensors file or a sharded index (read by :func:`count_stored` only)."""
    return isinstance(source, Path) and safetensors.is_safetensors(source)


def count_stored(path: Path, config: Path | None = None) -> StoredCount:
    """The tensors a ``.safetensors`` header (or sharded index) stores, grouped by module; with a
    ``config.json`` (given, or beside the file) cross-checked against the count that config becomes."""
    header = safetensors.read(path)
    result = StoredCount(header)
    if config is None:
        beside = path.parent / "config.json"
        config = beside if beside.is_file() else None
    if config is None:
        return result
    result.config = str(config)
    result.counted = count(config)
    _cross_check(result, result.counted)
    return result


def _expected(counted: Count) -> tuple[list[tuple[str, tuple[int, ...], str]], list[tuple[str, str]]]:
    """The tensors a count holds, (name, shape, category), and the tied ones, (name, tied to)."""
    tensors: list[tuple[str, tuple[int, ...], str]] = []
    tied = []
    for layer in counted.layers:
        times = layer.multiplier
        if not (isinstance(times, sympy.Integer) or isinstance(times, int)):
            raise SymcountError(f"{layer.name} is repeated {times} times, a number only known with values: "
                                f"the cross-check needs whole numbers")
        for tensor in layer.tensors:
            name = layer.key(tensor.name)
            if tensor.shared_with is not None or tensor.category == "not counted":
                tied.append((name, tensor.shared_with or "another tensor"))
                continue
            if not all(isinstance(d, sympy.Integer | int) for d in tensor.shape):
                raise SymcountError(f"{name} has shape {tensor.shape}, known only with values: "
                                    f"the cross-check needs whole numbers")
            shape = tuple(int(d) for d in tensor.shape)
            tensors += [(name, shape, tensor.category)] * int(times)
    return tensors, tied


def _cross_check(result: StoredCount, counted: Count) -> None:
    """Match stored tensors with counted ones by shape (then transposed: GPT-2's Conv1D), and name the
    rest: tied heads stored once, buffers stored or not, packed quantised weights, anything else."""
    expected, tied = _expected(counted)
    left: dict[tuple[int, ...], list[tuple[str, str]]] = {}
    for name, shape, category in expected:
        left.setdefault(shape, []).append((name, category))
    unmatched: list[safetensors.StoredTensor] = []
    for tensor in result.header.tensors:
        for shape in (tensor.shape, tuple(reversed(tensor.shape))):
            if left.get(shape):
                left[shape].pop(0)
                break
        else:
            unmatched.append(tensor)
    remaining = [(name, shape, category) for shape, names in left.items() for name, category in names]
    unmatched, remaining = _cut_differently(result, unmatched, remaining)
    tied_shapes = {shape for name, shape, _ in expected if any(target == name for _, target in tied)}
    twice = False
    for tensor in unmatched:
        why = safetensors.quantised(tensor)
        if why is not None:
            result.differences.append((tensor.name, f"packed quantised: {why}"))
            continue
        why = safetensors.buffer(tensor)
        if why is not None:
            result.differences.append((tensor.name, f"stored, not counted as a parameter: {why}"))
            continue
        if not twice and (tensor.shape in tied_shapes or tuple(reversed(tensor.shape)) in tied_shapes):
            twice = True
            result.differences.append((tensor.name, f"a tied head stored twice: the count has it once "
                                                    f"({', '.join(f'{n} is tied to {t}' for n, t in tied)})"))
            continue
        result.differences.append((tensor.name, f"stored ({tensor.dtype}, shape {_shape(tensor.shape)}), "
                                                f"but the config's count has no tensor of that shape"))
    for name, target in tied:
        if not twice:
            result.notes.append(f"{name} is tied to {target}: counted once, and stored once")
    for name, shape, category in remaining:
        if category == "buffer":
            result.differences.append((name, f"a buffer (shape {_shape(shape)}) the count holds but the file "
                                             f"does not store"))
        else:
            result.differences.append((name, f"counted ({category}, shape {_shape(shape)}), but not stored"))


def _cut_differently(result: StoredCount, unmatched: list[safetensors.StoredTensor],
                     remaining: list[tuple[str, tuple[int, ...], str]],
                     ) -> tuple[list[safetensors.StoredTensor], list[tuple[str, tuple[int, ...], str]]]:
    """Stored and counted tensors that hold the same weights cut differently: q, k and v in one fused
    matrix or three (Falcon's query_key_value, PyTorch's in_proj_weight), experts stacked in one
    tensor or one each (gate_up_proj). They share their last dimension (the input width; vectors go
    together), so a group of the same last dimension whose values add up the same on both sides is
    matched and said in a note; anything else stays a difference. Quantised and buffer tensors are
    left to their own checks."""
    def key(shape: tuple[int, ...]) -> int | None:
        return shape[-1] if len(shape) > 1 else None

    stored: dict[int | None, list[safetensors.StoredTensor]] = {}
    for tensor in unmatched:
        if safetensors.quantised(tensor) is None and safetensors.buffer(tensor) is None:
            stored.setdefault(key(tensor.shape), []).append(tensor)
    counted: dict[int | None, list[tuple[str, tuple[int, ...], str]]] = {}
    for entry in remaining:
        if entry[2] != "buffer":
            counted.setdefault(key(entry[1]), []).append(entry)
    matched_stored: set[str] = set()
    matched_counted: set[str] = set()
    for width, tensors in stored.items():
        others = counted.get(width, [])
        values = sum(math.prod(t.shape) for t in tensors)
        if not others or values != sum(math.prod(shape) for _, shape, _ in others):
            continue
        matched_stored.update(t.name for t in tensors)
        matched_counted.update(name for name, _, _ in others)
        kind = "vectors" if width is None else f"matrices {width} wide"
        result.notes.append(f"{len(tensors)} stored {kind} ({_names([t.name for t in tensors])}) hold the values "
                            f"of {len(others)} counted ones ({_names([n for n, _, _ in others])}) cut differently "
                            f"(fused or stacked): {values:,} values on both sides")
    return ([t for t in unmatched if t.name not in matched_stored],
            [entry for entry in remaining if entry[0] not in matched_counted])


def _names(names: list[str], shown: int = 3) -> str:
    unique = list(dict.fromkeys(names))
    return ", ".join(unique[:shown]) + (f", ... {len(unique) - shown} more" if len(unique) > shown else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"
