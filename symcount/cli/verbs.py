"""The table of verbs: one entry per ``symcount VERB``, each naming the module that runs it.

The parser is built from this table and nothing else, so a verb that is not
here does not exist, and a verb module that cannot be imported is an error
(``load`` never swallows it). Modules are imported only for the verb being
run: ``symcount count`` does not load the teaching modules behind ``derive``
or ``exam``. The test in ``tests/test_cli_verbs.py`` holds the table to its
promises: every module imports and offers ``add_arguments`` and ``run``, every
document verb offers each of :data:`DOCUMENT_FORMATS`, and the ``--format``
choices and ``--standalone`` flags are the ones the table says.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import Any, Protocol, cast

#: What every verb whose output is a document offers.
DOCUMENT_FORMATS = ("text", "markdown", "latex", "json")


class VerbModule(Protocol):
    """What a verb module provides: its options, and the command that runs it."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


@dataclass(frozen=True)
class Verb:
    """One ``symcount VERB``.

    ``formats`` are the ``--format`` choices (empty: the output is not a
    document, as for ``layers``); ``standalone`` says whether ``--standalone``
    makes its LaTeX a complete document, and ``no_standalone`` why a verb that
    writes LaTeX does not offer it.
    """

    name: str
    module: str
    help: str
    formats: tuple[str, ...] = ()
    standalone: bool = False
    no_standalone: str | None = None
    description: str | None = None

    @property
    def document(self) -> bool:
        return bool(self.formats)


VERBS: dict[str, Verb] = {verb.name: verb for verb in (
    Verb("count", "symcount.cli.count", "count parameters (a per-layer summary table)",
         formats=("text", "json", "markdown", "latex"), standalone=True),
    Verb("layers", "symcount.cli.layers", "list the layer catalog (markdown)"),
    Verb("describe", "symcount.cli.describe",
         "print the description a source is read as (a .py model or a config.json, in symcount's language, to keep and edit)"),
    Verb("derive", "symcount.cli.derive",
         "step-by-step derivation (LaTeX, markdown or text), like an exam answer",
         formats=("latex", "markdown", "text", "json"), standalone=True,
         description="Derive the parameter count layer by layer: the textbook formula, the values put in, "
                     "the exact result."),
    Verb("compare", "symcount.cli.compare", "compare two layers, blocks or networks symbolically",
         formats=("text", "latex", "markdown", "json"), standalone=True),
    Verb("check", "symcount.cli.check",
         "check an answer (a number or a formula) and name the slip if it is wrong",
         formats=("text", "latex", "markdown", "json"), standalone=True,
         description="Check an answer and name the slip if it is wrong. Exit status: 0 the answer is right, "
                     "1 it is wrong, 2 bad input (the source, the answer or an option), so a script can "
                     "mark a batch of answers."),
    Verb("exam", "symcount.cli.exam", "draw exam variants from a template, with worked solutions",
         formats=("latex", "markdown", "moodle", "gift", "qti", "text", "json"), standalone=True),
    Verb("memory", "symcount.cli.memory", "bytes for weights, gradients and optimizer state",
         formats=("text", "markdown", "latex", "latex-standalone", "json"), standalone=True),
    Verb("compute", "symcount.cli.compute", "forward and training FLOPs per token beside the 2N / 6N rules",
         formats=("text", "markdown", "latex", "latex-standalone", "json"), standalone=True),
    Verb("solve", "symcount.cli.solve",
         "inverse questions: the values of unknowns (padding, stride, a width) that meet a requirement",
         formats=("text", "markdown", "latex", "json"), standalone=True,
         description="Find every integer value of the unknowns in their ranges that meets the requirements "
                     "(output_size, params, macs, receptive_field, of the network or a labelled layer), each "
                     "substituted back. Exit status: 0 solutions found, 1 none, 2 bad input."),
    Verb("render", "symcount.cli.render",
         "run the ```symcount VERB``` blocks of Markdown notes (in place, or -o a copy; --check for CI)"),
)}


def load(verb: Verb) -> VerbModule:
    """Import the verb's module (an ImportError propagates: a verb never disappears quietly)."""
    module = importlib.import_module(verb.module)
    return cast(VerbModule, module)


def add_subparser(sub: Any, verb: Verb) -> argparse.ArgumentParser:
    """The verb's sub-parser, with the table's help and description and no options yet."""
    return cast(argparse.ArgumentParser, sub.add_parser(verb.name, help=verb.help, description=verb.description))


def add_verb(sub: Any, verb: Verb) -> argparse.ArgumentParser:
    """The verb's complete sub-parser: its module loaded, its options declared, its command set."""
    module = load(verb)
    parser = add_subparser(sub, verb)
    module.add_arguments(parser)
    parser.set_defaults(func=module.run)
    return parser
