"""From a source to a :class:`~symcount.engine.results.Count`: the one door every verb goes through.

A source is a ``.sc`` file (``path#network`` too) or the description's text. It is read
(regular files up to a size limit), parsed, its framework code checked
(:func:`~symcount.frameworks.prefixes.check_prefixes`), loaded and walked. The teaching
modules build on :func:`count`; :mod:`symcount.api` is the public face of this module.
"""

from __future__ import annotations

import gc
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
from symcount.frameworks.prefixes import check_prefixes
from symcount.language import nodes
from symcount.language.parse import parse, parse_expression
from symcount.language.values import MAX_BITS, Env, evaluate

Source = str | Path


def read_source(source: Source) -> tuple[str, str, str | None]:
    """(text, filename, network named in the source) for text or a path.

    A :class:`~pathlib.Path` is read as a file and may end in ``#network``;
    a ``str`` is the description itself. A path ending in ``.json`` is a Hugging Face
    configuration: the text returned is the description it becomes
    (:func:`symcount.frameworks.hf_config.describe`), its network the model's class.
    """
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
    text, filename, from_source = read_source(source)
    collecting = gc.isenabled()
    gc.disable()  # counting makes many small acyclic objects; collecting mid-run only costs time
    try:
        return _count_text(text, filename, values, convention, network or from_source)
    except SymcountError as err:
        raise err.located(filename, text) from None
    except RecursionError:
        raise SymcountError("description nested too deeply",
                            hint="block calls, brackets and bodies nest too deep together; flatten some blocks"
                            ).located(filename, text) from None
    finally:
        if collecting:
            gc.enable()


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
        notes=walker.notes,
        values=converted,
    )
