"""From a source to a :class:`~symcount.engine.results.Count`: the one door every verb goes through.

A source is a ``.sc`` file (``path#network`` too) or the description's text. It is read
(regular files up to a size limit), parsed, its framework code checked
(:func:`~symcount.frameworks.prefixes.check_prefixes`), loaded and walked. The teaching
modules build on :func:`count`; :mod:`symcount.api` is the public face of this module.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sympy

from symcount.engine.count import Count
from symcount.engine.load import choose_target, load
from symcount.engine.results import CONVENTIONS, exact_sum
from symcount.engine.walk import walk
from symcount.errors import SymcountError, UnknownValueError, did_you_mean
from symcount.frameworks import hf_config
from symcount.frameworks.code_reader import Description, describe_python
from symcount.frameworks.prefixes import check_prefixes
from symcount.language import nodes
from symcount.language.parse import parse, parse_expression
from symcount.language.values import MAX_BITS, Env, evaluate

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
    try:
        description = describe_python(text, filename, network or named)
    except SymcountError as err:
        raise err.located(filename, text) from None
    except RecursionError:
        raise SymcountError("the code nests too deeply to be read").located(filename, text) from None
    return description.text, f"{filename} (as read)", description.network, description


def describe(source: Source, network: str | None = None) -> str:
    """The description a source is read as: Python code's model, or a description as written."""
    text, _, _, _ = read_description(source, network)
    return text


def _read_text(source: Source) -> tuple[str, str, str | None]:
    if isinstance(source, Path):
        network = None
        path = source
        if "#" in path.name and not _exists(path):
            base, _, network = str(path).rpartition("#")
            path = Path(base)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SymcountError("no such file", filename=str(path)) from None
        except UnicodeDecodeError:
            raise SymcountError("not a text file (descriptions are UTF-8 text)", filename=str(path)) from None
        except (OSError, ValueError) as err:
            reason = getattr(err, "strerror", None) or str(err)
            raise SymcountError(f"cannot read it: {reason}", filename=str(path)) from None
        if path.suffix.lower() == ".json":
            return _described_config(_plain(text), str(path), network)
        return _plain(text), str(path), network or None
    if not isinstance(source, str):
        raise TypeError("source must be description text (str) or a file (pathlib.Path)")
    return _plain(source), "<input>", None


def _described_config(text: str, filename: str, network: str | None) -> tuple[str, str, str | None]:
    """A config.json as its description; errors point into the JSON, not the description made from it."""
    try:
        described = hf_config.describe(text)
    except SymcountError as err:
        raise err.located(filename, text) from None
    if network and network != described.network:
        raise SymcountError(f"{filename} describes {described.network}, not '{network}'", filename=filename)
    return described.text, filename, described.network


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
        else:
            raise SymcountError(f"value for {name} must be an int or an expression, not {type(value).__name__}")
    return out


def _check_values_used(values: Mapping[str, Any], seen: set[str], free: set[str]) -> None:
    unknown = [name for name in values if name not in seen]
    if unknown:
        known = sorted(seen | free)
        raise UnknownValueError(
            unknown[0],
            f"--set {unknown[0]}: no such name in the description "
            f"(names: {', '.join(known) or 'none'})",
            hint=did_you_mean(unknown[0], known),
        )


def count(
    source: Source,
    *,
    values: Mapping[str, Any] | None = None,
    convention: str = "pytorch",
    network: str | None = None,
) -> Count:
    """Count the parameters of a description (text, or a file given as a Path).

    ``values`` override ``let`` bindings and fill free symbols; ``convention``
    is ``"pytorch"`` or ``"keras"``; ``network`` picks one network when the
    text holds several.
    """
    text, filename, from_source, description = read_description(source, network)
    collecting = gc.isenabled()
    gc.disable()  # counting makes many small acyclic objects; collecting mid-run only costs time
    try:
        result = _count_text(text, filename, values, convention, network or from_source)
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
    return result


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
    """``convention`` and ``network`` as the API takes them: known names, as strings."""
    if not isinstance(convention, str) or convention not in CONVENTIONS:
        shown = convention if isinstance(convention, str) else repr(convention)
        raise SymcountError(f"unknown convention '{shown}' (valid: {', '.join(CONVENTIONS)})",
                            hint=did_you_mean(convention, CONVENTIONS) if isinstance(convention, str) else None)
    if network is not None and not isinstance(network, str):
        raise SymcountError(f"network must be a network's name (a string), not {type(network).__name__}")


def _count_text(text: str, filename: str, values: Mapping[str, Any] | None, convention: str,
                network: str | None) -> Count:
    check_options(convention, network)
    converted = convert_values(values)
    tree = parse_source(text, filename)
    return _count_program(tree, converted, convention, network)


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
    return _count_program(tree, convert_values(values), convention, network)


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
    _check_values_used(converted, program.env.seen, free)
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
    )
