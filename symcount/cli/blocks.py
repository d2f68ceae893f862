"""Verbs run inside documents: a fenced ```` ```symcount VERB OPTIONS ```` block becomes its output.

A teacher's notes hold the description and the command; the numbers are computed when the notes
are built, so they cannot go stale. The same code serves ``symcount render`` (any Markdown:
Quarto, Jupyter Book, pandoc), the Python-Markdown extension (MkDocs) and the ``%%symcount`` cell
magic, all in :mod:`symcount.notes`.

A block::

    ```symcount derive --bias both
    conv2d(C_in=128, C_out=256, k=3)
    ```

* the info string is ``symcount``, then a verb and its options, read by the verb's own argument
  parser (quotes as in a shell: ``--title "A 3 × 3 convolution"``); ``--format`` defaults to
  ``markdown``; ``-o`` is refused (the output goes into the document);
* the body is the description (or a ``.sc`` file name, read from the current directory), and
  for a verb that takes two (``compare``), two descriptions separated by a line ``---``;
* a bare ```` ```symcount ```` fence (no verb) is code, left as it is for the highlighter;
* any mistake (an unknown verb, a bad option, an error in the description) is a
  :class:`SymcountError` located in the document: its line and column, the source line, a caret.

The rendered output either replaces the block (:func:`render_document`, what a site generator
shows) or follows it between ``<!-- symcount:begin -->`` and ``<!-- symcount:end -->`` lines
(:func:`update_document`: the notes keep the block as their source, and ``symcount render
--check`` tells CI when the output no longer matches it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from symcount.cli.argtypes import exists
from symcount.cli.options import refuse_options_without_effect
from symcount.cli.verbs import VERBS, add_verb
from symcount.errors import SymcountError
from symcount.language.nodes import Pos

#: The opening fence of a symcount block (CommonMark: up to 3 spaces, 3 or more ` or ~).
OPENING = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*symcount(?![\w-])(?P<info>[^`\n]*)$")
BEGIN = "<!-- symcount:begin -->"
END = "<!-- symcount:end -->"
#: Verbs that run inside a document (``render`` renders documents; it does not go in one).
NOT_IN_BLOCKS = frozenset({"render"})
#: Verbs whose exit status 1 is an answer, not a failure: check's "wrong" (with the slip it names, what
#: notes show a student) and solve's "no solution".
VERDICT_VERBS = frozenset({"check", "solve"})
#: Between two descriptions of one block (``compare``'s A and B).
SEPARATOR = re.compile(r"^---[ \t]*$", re.M)


@dataclass(frozen=True)
class Block:
    """One fenced block of a document: where it is and what it asks for."""

    line: int  # of the opening fence, 1-based
    end: int  # of the closing fence (or of the last line, when the fence is never closed)
    indent: str
    info: str  # after ``symcount``: the verb and its options
    body: str

    @property
    def runs(self) -> bool:
        """A block with a verb runs; a bare ```` ```symcount ```` fence is code to highlight."""
        return bool(self.info.strip())


def blocks(lines: list[str]) -> Iterator[Block]:
    """The symcount blocks of a document's lines (other fenced blocks are skipped whole, so a
    ```` ```symcount ```` line inside a ```` ```` ```` ```` example is not a block)."""
    index = 0
    while index < len(lines):
        opening = re.match(r"^ {0,3}(`{3,}|~{3,})", lines[index])
        if not opening:
            index += 1
            continue
        fence = opening.group(1)
        close = next((j for j in range(index + 1, len(lines))
                      if re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", lines[j])), len(lines))
        ours = OPENING.match(lines[index])
        if ours and ours.group("fence") == fence:
            body = "\n".join(line[len(ours.group("indent")):] if line.startswith(ours.group("indent")) else line
                             for line in lines[index + 1:close])
            yield Block(index + 1, min(close, len(lines) - 1) + 1, ours.group("indent"), ours.group("info"), body)
        index = close + 1


#: Outputs that are not Markdown go into a fenced block of their own (LaTeX stays raw: pandoc and
#: Quarto pass it through to a PDF).
FENCED_FORMATS = {"text": "text", "json": "json", "moodle": "xml"}


def run_block(block: Block, document: str, filename: str, default_format: str = "markdown") -> str:
    """The output of one block's verb as Markdown (errors located in the document)."""
    output = located(block, document, filename, lambda: run_verb(block.info, sources(block), default_format))
    chosen = re.search(r"--format[= ]+(\S+)", block.info)
    language = FENCED_FORMATS.get(chosen.group(1).strip("'\"") if chosen else default_format)
    if language is None:
        return output
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", output)), default=0))
    return f"{fence}{language}\n{output.rstrip()}\n{fence}\n"


def sources(block: Block) -> list[str]:
    """The descriptions of a block: its body, or its parts between ``---`` lines."""
    return [part.strip("\n") for part in SEPARATOR.split(block.body)]


def run_verb(info: str, texts: list[str], default_format: str = "markdown") -> str:
    """``symcount VERB OPTIONS TEXT...``, its standard output returned as a string."""
    try:
        words = shlex.split(info, comments=False)
    except ValueError as err:
        raise SymcountError(f"cannot read the block's options: {err}") from None
    if not words:
        raise SymcountError("the block names no verb", hint="e.g. ```symcount derive --bias both")
    verb_name, options = words[0], words[1:]
    verb = VERBS.get(verb_name)
    if verb is None or verb_name in NOT_IN_BLOCKS:
        choices = sorted(set(VERBS) - NOT_IN_BLOCKS)
        raise SymcountError(f"unknown verb '{verb_name}' in a symcount block", hint="one of " + ", ".join(choices))
    if any(word in ("-o", "--output") or word.startswith("--output=") for word in options):
        raise SymcountError("-o/--output has no place in a block: the output goes into the document")
    parser = argparse.ArgumentParser(prog="symcount", add_help=False)
    add_verb(parser.add_subparsers(dest="command", required=True), verb)
    if verb.formats and default_format in verb.formats and not any(w == "--format" or w.startswith("--format=")
                                                                     for w in options):
        options = [*options, "--format", default_format]
    args = parse_quietly(parser, verb_name, [verb_name, *texts, *options])
    out = io.StringIO()
    refuse_options_without_effect(args)
    confine_paths(args)
    with contextlib.redirect_stdout(out):
        status = int(args.func(args))
    if status != 0 and not (status == 1 and verb_name in VERDICT_VERBS):
        raise SymcountError(f"symcount {verb_name} exited with status {status}")
    return out.getvalue()


def confine_paths(args: argparse.Namespace) -> None:
    """Every file a block names (its body as a file name, --answers, --key, --roster, --config) is
    inside the current directory, and a block writes no file (--plot): notes are shared material, and
    rendering them must not read the machine's other files into the output, nor write over one."""
    if getattr(args, "plot", None):
        raise SymcountError("--plot has no place in a block: it writes a file; the output goes into the document")
    here = Path.cwd().resolve()
    for value in vars(args).values():
        if not isinstance(value, str) or "\n" in value:
            continue
        named = Path(value.rpartition("#")[0]) if "#" in value and not exists(Path(value), "any") else Path(value)
        if not exists(named, "any"):
            continue
        try:
            inside = named.resolve().is_relative_to(here)
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            raise SymcountError(f"{value[:80]}: a block reads files from the current directory only",
                                hint="copy the file beside the notes and name it relative to them")


def parse_quietly(parser: argparse.ArgumentParser, verb: str, argv: list[str]) -> argparse.Namespace:
    """argparse's reading of the options, its complaint (it would print and exit) as an error."""
    complaint = io.StringIO()
    try:
        with contextlib.redirect_stderr(complaint):
            return parser.parse_args(argv)
    except SystemExit:
        said = complaint.getvalue().strip().splitlines()
        message = said[-1].split("error: ", 1)[-1] if said else "cannot read the block's options"
        raise SymcountError(message, hint=f"symcount {verb} --help lists its options") from None


def located(block: Block, document: str, filename: str, work: Callable[[], str]) -> str:
    """Run ``work``; an error it raises is re-raised at its place in the document: an error in the
    description at its line of the block's body, any other at the block's opening fence."""
    try:
        return work()
    except SymcountError as err:
        if err.pos.line > 0 and err.source is not None and err.source in sources(block):
            offset = block.line + body_line_offset(block, err.source or "")
            indent = len(block.indent)
            pos = Pos(err.pos.line + offset, err.pos.column + indent,
                      err.pos.end_line + offset if err.pos.end_line else 0,
                      err.pos.end_column + indent if err.pos.end_column else 0)
        else:
            column = len(block.indent) + 1
            pos = Pos(block.line, column, block.line, len(document.split("\n")[block.line - 1]) + 1)
            if err.filename not in (None, "<input>"):
                err = SymcountError(f"{err.filename}: {err.message}", err.pos, hint=err.hint)
        raise SymcountError(err.message, pos, filename=filename, source=document, hint=err.hint) from None


def body_line_offset(block: Block, source: str) -> int:
    """Lines between the opening fence and the description an error is about (the second
    description of a ``compare`` block starts after the first and its ``---``)."""
    skipped = 0
    for part in SEPARATOR.split(block.body):
        if part.strip("\n") == source:
            return skipped + len(part) - len(part.lstrip("\n"))
        skipped += part.count("\n")
    return 0


def render_document(document: str, filename: str, default_format: str = "markdown") -> str:
    """The document with each symcount block replaced by its output (an output already kept after
    a block between the begin/end markers is dropped: it is rendered afresh)."""
    return splice(document, filename, default_format, keep_block=False)


def update_document(document: str, filename: str, default_format: str = "markdown") -> str:
    """The document with each symcount block kept, followed by its output between the begin/end
    markers (replacing what was there): what ``symcount render FILE`` writes in place."""
    return splice(document, filename, default_format, keep_block=True)


def splice(document: str, filename: str, default_format: str, keep_block: bool) -> str:
    lines = document.split("\n")
    out: list[str] = []
    done = 0  # lines[:done] are copied or replaced
    for block in blocks(lines):
        if not block.runs:
            continue
        out += lines[done:block.line - 1]
        rendered = run_block(block, document, filename, default_format).rstrip("\n")
        after = block.end
        kept = kept_output(lines, after)
        if keep_block:
            out += lines[block.line - 1:block.end]
            out += ["", BEGIN, rendered, END]
        else:
            out.append(rendered)
        done = kept if kept is not None else after
    out += lines[done:]
    return "\n".join(out)


def kept_output(lines: list[str], after: int) -> int | None:
    """Where a begin/end region that follows a block (blank lines between allowed) ends: the index
    of the line after ``<!-- symcount:end -->``; None when no region follows."""
    index = after
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() != BEGIN:
        return None
    for j in range(index + 1, len(lines)):
        if lines[j].strip() == END:
            return j + 1
        if OPENING.match(lines[j]):
            break
    raise SymcountError(f"{BEGIN} without its {END}")
