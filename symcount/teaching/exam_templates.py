"""Exam templates: a description with string lets (question, ask, title) and ``choose()`` draws.

Loading one, drawing its values, and the variant each draw becomes (with its stable ID).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from symcount.counting import (
    Source,
    file_bias,
    file_convention,
    parse_source,
    read_description,
    read_directives,
    with_bias,
)
from symcount.engine.count import Count
from symcount.errors import SymcountError, did_you_mean
from symcount.language import nodes
from symcount.language.values import Env, Value, evaluate, truth
from symcount.teaching.exam_choices import Scripted
from symcount.teaching.fairness import SlipValue

ASKS = ("params", "trainable", "non_trainable", "output_height", "output_width", "output_channels",
        "output_length", "output_size", "activations", "receptive_field", "padding", "stride")
_TEXT_LETS = ("question", "title", "ask", "convention", "shared_answers", "unknown")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z_0-9]*)\}")


# ------------------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Template:
    """A parsed exam template: its text, the draws it makes and what it asks."""

    text: str
    filename: str
    tree: nodes.Program
    title: str
    question: str
    ask: str
    convention: str
    network: str | None
    shared_answers: bool = False
    layout: str | None = None
    #: the drawn let an inverse question (ask = "padding" or "stride") asks for
    unknown: str | None = None

    @property
    def name(self) -> str:
        return Path(self.filename).stem if self.filename != "<input>" else "exam"

    @property
    def code(self) -> str:
        """Three capitals that start every variant ID (``conv_with_bias`` -> ``CWB``)."""
        words = [w for w in re.split(r"[^A-Za-z0-9]+", self.name) if w] or ["exam"]
        initials = "".join(w[0] for w in words)
        if len(initials) < 3:
            initials += words[-1][1:3 - len(initials) + 1]
        return (initials + "XXX")[:3].upper()


def _calls_choose(node: Any) -> bool:
    if isinstance(node, nodes.Call):
        return node.func == "choose" or any(_calls_choose(a) for a in node.args)
    if isinstance(node, nodes.BinOp):
        return _calls_choose(node.left) or _calls_choose(node.right)
    if isinstance(node, nodes.UnaryOp):
        return _calls_choose(node.operand)
    if isinstance(node, nodes.TupleExpr):
        return any(_calls_choose(i) for i in node.items)
    return False


def _nested_choose(node: Any) -> nodes.Pos | None:
    """Where ``choose`` appears outside a top-level let (it may not)."""
    if isinstance(node, nodes.Let | nodes.Require):
        expr = node.value if isinstance(node, nodes.Let) else node.condition
        return expr.pos if _calls_choose(expr) else None
    if isinstance(node, nodes.Layer):
        for arg in node.args:
            if _calls_choose(arg.value):
                return arg.value.pos
        return _nested_choose(node.body) if node.body else None
    if isinstance(node, nodes.Body):
        for item in node.items:
            found = _nested_choose(item)
            if found:
                return found
        return None
    for attr in ("body", "then", "otherwise", "shortcut"):
        child = getattr(node, attr, None)
        if child is not None:
            found = _nested_choose(child)
            if found:
                return found
    for branch in getattr(node, "branches", ()):
        found = _nested_choose(branch)
        if found:
            return found
    return None


def load_template(source: Source) -> Template:
    """Parse a template and read its string lets (question, ask, title, convention)."""
    text, filename, network, described = read_description(source)
    if described is not None:
        raise SymcountError("an exam template is a description with let question = \"...\" and choose(...) "
                            "values; model code cannot be one", filename=filename.removesuffix(" (as read)"),
                            hint=f"write the description it is read as (symcount describe "
                                 f"{filename.removesuffix(' (as read)')} > model.sc), then add the question and "
                                 "the values to choose from")
    tree = parse_source(text, filename)
    strings: dict[str, str] = {}
    where_let: dict[str, nodes.Pos] = {}  # each string let's value, where an error about it points
    try:
        for statement in tree.statements:
            if isinstance(statement, nodes.Let) and statement.name in _TEXT_LETS:
                if not isinstance(statement.value, nodes.Str):
                    raise SymcountError(f"let {statement.name} must be a string", statement.pos)
                strings[statement.name] = statement.value.value
                where_let[statement.name] = statement.value.pos
            elif isinstance(statement, nodes.Let):
                continue
            else:
                where = _nested_choose(statement)
                if where is not None:
                    raise SymcountError("choose() may only stand in a top-level let", where,
                                        hint="let X = choose(...) at the top, then use X")
        if "question" not in strings:
            raise SymcountError("an exam template needs let question = \"...\" (the question text)",
                                hint='e.g. let question = "How many parameters does it have?"')
        _check_placeholders(tree, text)
        ask = strings.get("ask", "params")
        if ask not in ASKS:
            raise SymcountError(f"unknown ask '{ask}' (valid: {', '.join(ASKS)})", where_let["ask"],
                                hint=did_you_mean(ask, ASKS))
        convention = strings.get("convention") or file_convention(text, None, "exam")
        if convention not in ("pytorch", "keras"):
            raise SymcountError(f"unknown convention '{convention}' (valid: pytorch, keras)",
                                where_let.get("convention", nodes.NOWHERE))
        shared = strings.get("shared_answers", "refused")
        if shared not in ("allowed", "refused"):
            raise SymcountError(f"let shared_answers must be \"allowed\" or \"refused\", not \"{shared}\"",
                                where_let["shared_answers"])
        bias = file_bias(text, "exam")
        if bias is not None:
            tree = with_bias(tree, bias)
    except SymcountError as err:
        raise err.located(filename, text) from None
    title = strings.get("title") or read_directives(text).get("title") or (
        Path(filename).stem.replace("_", " ") if filename != "<input>" else "Exam")
    return Template(text, filename, tree, title, strings["question"], ask, convention, network,
                    shared == "allowed", question_layout(tree, strings["question"]), strings.get("unknown"))


#: Placeholders the network fills in, not a let: the output's size an inverse question states.
OUTPUT_LETS = ("output_height", "output_width", "output_length")


def _check_placeholders(tree: nodes.Program, text: str) -> None:
    """Every ``{name}`` in the question is a top-level let: an undefined one is refused at its place
    in the file, before any variant is drawn."""
    lets = [s for s in tree.statements if isinstance(s, nodes.Let)]
    defined = [s.name for s in lets if s.name not in _TEXT_LETS] + list(OUTPUT_LETS)
    question = next(s for s in lets if s.name == "question")
    assert isinstance(question.value, nodes.Str)
    for match in _PLACEHOLDER.finditer(question.value.value):
        name = match.group(1)
        if name not in defined:
            raise SymcountError(f"the question mentions {{{name}}}, which the template does not define",
                                _placeholder_pos(text, question.value.pos, match.group(0)),
                                hint=did_you_mean(name, defined) or "define it with let, e.g. "
                                f"let {name} = choose(...)")


def _placeholder_pos(text: str, start: nodes.Pos, placeholder: str) -> nodes.Pos:
    """Where ``{name}`` stands in the file: searched from the question string's first character
    (its escapes do not shift it); the string's own place if it is not written as such."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[:start.line - 1]) + start.column - 1
    found = text.find(placeholder, offset)
    if start.line < 1 or found < 0:
        return start
    line = text.count("\n", 0, found) + 1
    column = found - (text.rfind("\n", 0, found) + 1) + 1
    return nodes.Pos(line, column, line, column + len(placeholder))


#: ``{a} × {b} × {c}`` in a question: three sizes written in a row.
_TRIPLE = re.compile(r"\{(\w+)\}\s*[×x]\s*\{(\w+)\}\s*[×x]\s*\{(\w+)\}")


def question_layout(tree: nodes.Program, question: str) -> str | None:
    """How the question writes the input's sizes: ``"channels_last"`` when it says
    ``{H} × {H} × {C}`` (height × width × channels), ``"channels_first"`` for ``{C} × {H} × {H}``,
    None when it does not write them. The solution then writes every size the same way."""
    channels = None
    for statement in tree.statements:
        layers = statement.body.items if isinstance(statement, nodes.Network) and statement.body else [statement]
        for layer in layers:
            if isinstance(layer, nodes.Layer) and layer.kind == "input":
                for arg in layer.args:
                    if arg.name == "C" and isinstance(arg.value, nodes.Name):
                        channels = arg.value.id
    if channels is None:
        return None
    for triple in _TRIPLE.finditer(question):
        names = triple.groups()
        if names[-1] == channels and names[0] != channels:
            return "channels_last"
        if names[0] == channels and names[-1] != channels:
            return "channels_first"
    return None


# ------------------------------------------------------------------------------------- drawing


def draw(template: Template, rng: random.Random | Scripted) -> tuple[dict[str, Value], dict[str, Value], bool]:
    """One draw: (the chosen lets, every top-level value, whether the requires hold); ``rng`` may be
    :class:`Scripted` (the values of one combination, when drawing goes through them)."""
    def choose(*options: Value) -> Value:
        if not options:
            raise SymcountError("choose() needs at least one value")
        return options[rng.randrange(len(options))]

    env = Env(functions={"choose": choose})
    chosen: dict[str, Value] = {}
    requires: list[nodes.Require] = []
    for statement in template.tree.statements:
        if isinstance(statement, nodes.Let) and statement.name not in _TEXT_LETS:
            value = evaluate(statement.value, env)
            env = env.child({statement.name: value})
            if _calls_choose(statement.value):
                chosen[statement.name] = value
        elif isinstance(statement, nodes.Require):
            requires.append(statement)
    ok = all(truth(evaluate(r.condition, env), r.condition) for r in requires)
    everything = {name: env.lookup(name) for scope in reversed(env.scopes) for name in scope}
    return chosen, everything, ok


# ------------------------------------------------------------------------------------- variants


@dataclass
class Variant:
    """One drawn question: its values, its text, its answer, its worked solution and its slips."""

    number: int
    values: dict[str, Value]
    lets: dict[str, Value]
    count: Count
    answer: sympy.Expr
    question: str
    id: str = ""
    slips: tuple[SlipValue, ...] = ()


_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: nothing to misread on paper


def variant_id(template: Template, seed: int, number: int) -> str:
    """A stable ID per (template, seed, index): ``CWB3-Q7XK``. The template's code and the
    number say which question it is; the check letters change with the template and the seed
    (which they do not reveal), so a key from another exam does not match."""
    digest = hashlib.sha256(f"{template.name}\x00{seed}\x00{number}".encode()).digest()
    check = "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:4])
    return f"{template.code}{number}-{check}"


#: The shipped exam templates: package data (``derivations/exams`` in the repository links here).
TEMPLATE_DIR = Path(str(importlib.resources.files("symcount.teaching") / "exams"))


def templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    return sorted(directory.glob("*.sc"))
