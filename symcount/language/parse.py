"""Text -> syntax tree: the Lark LALR parser and the Transformer that builds :mod:`~symcount.language.nodes`.

The grammar is package data beside this module (``symcount/language/symcount.lark``),
so an installed wheel reads the same file as the source tree. The analysed parser is cached on disk by
Lark, so start-up costs a file read, not a table construction.
"""

from __future__ import annotations

import fractions
import functools
import importlib.resources
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedInput,
    VisitError,
)
from lark.lexer import Lexer

from symcount.errors import SymcountError
from symcount.language import nodes
from symcount.language.syntax_errors import syntax_error
from symcount.language.values import MAX_BITS

#: Refuse larger texts outright: a description is a page, not a data set (the
#: largest in derivations/ is 3 kB); any text this size is parsed or refused in < 0.5 s.
MAX_SOURCE_CHARS = 1_000_000
#: Deepest nesting of brackets and expression operators we accept.
MAX_NESTING = 200
#: Most tokens in one text: ~1,500 lines of layers (the largest network in
#: derivations/ has under 1,000 tokens); parsing 20,000 tokens takes ~0.1 s.
MAX_TOKENS = 150_000
#: Longest name, number (digits) and string literal: Python refuses to convert
#: integers of more than 4,300 digits, and a 100 kB name is not a name.
MAX_TOKEN_CHARS = {"NAME": 100, "DOTTED_NAME": 200, "INT": 4_000, "DECIMAL": 4_000, "STRING": 1_000}
#: Largest power of ten a decimal may carry (``1e3900``): 10^3900 is just under ``MAX_BITS``.
MAX_EXPONENT = 3_900


def grammar_text() -> str:
    """The grammar: package data beside this module, so a wheel or a zipapp reads it too."""
    return (importlib.resources.files("symcount.language") / "symcount.lark").read_text(encoding="utf-8")


class ParenNewlines:
    """Post-lexer: newlines inside ( ) are not statement separators.

    It also refuses nesting deeper than :data:`MAX_NESTING`, so hostile input
    fails fast instead of exhausting the recursion limit later.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        parens = 0
        braces = 0
        prefixes = 0  # a run of prefix operators (- - - 1, not not true) nests like brackets
        for count, token in enumerate(stream):
            _check_token(token, count)
            prefixes = prefixes + 1 if token.type in _PREFIX_OPERATORS else 0
            if prefixes > MAX_NESTING:
                raise SymcountError(f"expression nested deeper than {MAX_NESTING} levels", _token_pos(token),
                                    hint="a long run of prefix operators: write the value it means")
            if token.type == "LPAR":
                parens += 1
            elif token.type == "RPAR":
                parens = max(0, parens - 1)
            elif token.type == "LBRACE":
                braces += 1
            elif token.type == "RBRACE":
                braces = max(0, braces - 1)
            if parens + braces > MAX_NESTING:
                raise SymcountError(
                    f"nesting deeper than {MAX_NESTING} levels",
                    _token_pos(token),
                    hint="split the description into blocks",
                )
            if token.type == "_NL" and parens:
                continue
            yield token


_PREFIX_OPERATORS = frozenset({"MINUS", "PLUS", "NOT"})


def _check_token(token: Token, count: int) -> None:
    """Refuse a text with too many tokens, or a name, number or string too long."""
    if count >= MAX_TOKENS:
        raise SymcountError(f"description too long (more than {MAX_TOKENS:,} tokens)", _token_pos(token),
                            hint="a description is a page: use repeat and blocks for repeated layers")
    limit = MAX_TOKEN_CHARS.get(token.type)
    if limit is not None and len(token) > limit:
        what = {"NAME": "name", "DOTTED_NAME": "name", "STRING": "string"}.get(token.type, "number")
        start = _token_pos(token)
        raise SymcountError(f"{what} too long ({len(token):,} characters; the limit is {limit:,})",
                            nodes.Pos(start.line, start.column, start.line, start.column + 1))


def _label(token: Token | None) -> str | None:
    return str(token) if token is not None else None


def _token_pos(token: Token) -> nodes.Pos:
    return nodes.Pos(
        token.line or 0,
        token.column or 0,
        token.end_line or token.line or 0,
        token.end_column or ((token.column or 0) + len(str(token))),
    )


def _span(first: Any, last: Any) -> nodes.Pos:
    """From the start of one node to the end of another."""
    a, b = first.pos, last.pos
    return nodes.Pos(a.line, a.column, b.end_line, b.end_column)


def _depth(*nodes: Any) -> int:
    return 1 + max((getattr(n, "depth", 1) for n in nodes), default=0)


#: The nodes that nest, and so carry a depth.
_Deep = TypeVar("_Deep", nodes.BinOp, nodes.UnaryOp, nodes.Call, nodes.TupleExpr, nodes.LayerCall)


def _checked_depth(node: _Deep) -> _Deep:
    if node.depth > MAX_NESTING and isinstance(node, nodes.BinOp) and _chain_length(node) > MAX_NESTING // 2:
        raise SymcountError(
            f"a chain of more than {MAX_NESTING} '{node.op}' operations: each one nests a level deeper "
            f"(a {node.op} b {node.op} c is (a {node.op} b) {node.op} c), and an expression nests at most "
            f"{MAX_NESTING} levels (long chains of + - and * are regrouped and have no limit)",
            node.right.pos,
            hint="use let bindings to name parts of it",
        )
    if node.depth > MAX_NESTING:
        raise SymcountError(
            f"expression nested deeper than {MAX_NESTING} levels",
            node.pos,
            hint="use let bindings to name parts of it",
        )
    return node


def _chain_length(node: nodes.BinOp) -> int:
    """How many times ``node``'s operator is applied down its left side: a flat chain's length."""
    length, spine = 0, node
    while isinstance(spine, nodes.BinOp) and spine.op == node.op:
        length, spine = length + 1, spine.left  # type: ignore[assignment]
    return length


#: The operators a long flat chain of is regrouped (``a + b + c + ...``, ``a * b * ...``): the parser
#: reads a chain left to right, one level deeper per operator, and every walker of the tree (evaluation,
#: rendering) recurses that deep; regrouped, the same sum nests about log2(terms) levels.
_CHAINED = frozenset({"+", "-", "*"})


@dataclass
class _Chain:
    """A long chain being read: the terms added and subtracted (or multiplied), each kept as a stack of
    balanced subtrees whose sizes are distinct powers of two (a binary counter), so adding a term costs
    O(log n) new nodes and the tree stays about 2 log2(n) levels deep."""

    op: str
    added: list[tuple[int, Any]]
    subtracted: list[tuple[int, Any]]


#: the chains being read, by the id of the tree standing for them so far (the node is kept with it, so a
#: reused id is never mistaken); a few at a time: chains nest only as deep as the text's brackets
_CHAINS: dict[int, tuple[nodes.BinOp, _Chain]] = {}


def _rebalanced(node: nodes.BinOp) -> nodes.BinOp:
    """A left-to-right chain of ``+`` and ``-`` (or of ``*``) regrouped into a balanced tree of the same
    value (exact arithmetic: regrouping, and gathering the subtracted terms into one, changes no value),
    so a flat sum of thousands of terms nests a few levels instead of one per term. Called once the
    chain passes :data:`MAX_NESTING`, so shorter chains keep the tree as written (and as rendered)."""
    chain = ("+", "-") if node.op in ("+", "-") else (node.op,)
    known = _CHAINS.pop(id(node.left), None)
    if known is not None and known[0] is node.left and known[1].op in chain:
        state = known[1]
        _push(state.subtracted if node.op == "-" else state.added, node.right, state.op)
    else:
        items: list[tuple[bool, Any]] = []
        spine: Any = node
        while isinstance(spine, nodes.BinOp) and spine.op in chain:
            items.append((spine.op == "-", spine.right))
            spine = spine.left
        items.append((False, spine))
        state = _Chain("+" if node.op == "-" else node.op, [], [])
        for negative, item in reversed(items):
            _push(state.subtracted if negative else state.added, item, state.op)
    root = _fold(state.added, state.op)
    if state.subtracted:
        taken = _fold(state.subtracted, state.op)
        root = nodes.BinOp("-", root, taken, node.pos, _depth(root, taken))
    elif isinstance(root, nodes.BinOp):
        root = nodes.BinOp(root.op, root.left, root.right, node.pos, root.depth)
    else:
        return node
    if len(_CHAINS) > 64:
        _CHAINS.clear()
    _CHAINS[id(root)] = (root, state)
    return root


def _push(stack: list[tuple[int, Any]], item: Any, op: str) -> None:
    """Add a term to a binary counter of balanced subtrees (joining equal sizes, in order)."""
    stack.append((1, item))
    while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
        (size, left), (_, right) = stack[-2], stack[-1]
        stack[-2:] = [(2 * size, nodes.BinOp(op, left, right, _span(left, right), _depth(left, right)))]


def _fold(stack: list[tuple[int, Any]], op: str) -> Any:
    """The counter's subtrees joined in order, smallest (last) first: about log2(n) levels on top."""
    result = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        result = nodes.BinOp(op, left, result, _span(left, result), _depth(left, result))
    return result


@v_args(inline=True)
class ToAst(Transformer[Token, Any]):
    """Each grammar rule becomes one finished AST node (no parse tree survives).

    A rule named like a builtin is spelt with a trailing underscore (``int_``, ``tuple_``,
    ``and_``): a method ``tuple`` would shadow the builtin in every annotation below it.
    """

    # -- expressions
    def int_(self, tok: Token) -> nodes.Num:
        value = int(str(tok).replace("_", ""))
        if value.bit_length() > MAX_BITS:
            raise SymcountError("number too large", _token_pos(tok), hint="keep numbers under 3,900 digits")
        return nodes.Num(sympy.Integer(value), _token_pos(tok))

    def decimal(self, tok: Token) -> nodes.Num:
        text = str(tok).replace("_", "")
        _, _, exponent = text.lower().partition("e")
        # Fraction("1e999999999") would build a billion-digit integer: refuse the exponent first
        if exponent and abs(int(exponent)) > MAX_EXPONENT:
            raise SymcountError(f"exponent too large (the limit is {MAX_EXPONENT:,})", _token_pos(tok),
                                hint="keep exponents small")
        exact = fractions.Fraction(text)  # a DECIMAL token, parsed exactly, never sympified
        if max(exact.numerator, exact.denominator).bit_length() > MAX_BITS:
            raise SymcountError("number too large", _token_pos(tok), hint="keep numbers under 3,900 digits")
        return nodes.Num(sympy.Rational(exact.numerator, exact.denominator), _token_pos(tok))

    def string(self, tok: Token) -> nodes.Str:
        return nodes.Str(str(tok)[1:-1], _token_pos(tok))

    def true(self, tok: Token) -> nodes.Bool:
        return nodes.Bool(True, _token_pos(tok))

    def false(self, tok: Token) -> nodes.Bool:
        return nodes.Bool(False, _token_pos(tok))

    def name(self, tok: Token) -> nodes.Name:
        return nodes.Name(str(tok), _token_pos(tok))

    def call(self, name: Token, args: tuple[nodes.Arg, ...]) -> nodes.Call | nodes.LayerCall:
        """``min(a, b)`` is a function call; ``layers.LSTM(64)``, ``LSTM(64, return_sequences=True)``
        can only be a layer call (a value only wrappers take: the engine says so anywhere else)."""
        values = tuple(a.value for a in args)
        if name.type == "NAME" and all(a.name is None for a in args):
            return _checked_depth(nodes.Call(str(name), values, _token_pos(name), _depth(*values)))
        layer = self.layer(None, name, args, None)
        return _checked_depth(nodes.LayerCall(layer, layer.pos, _depth(*values)))

    def tuple_(self, *items: Any) -> nodes.TupleExpr:
        values = tuple(i for i in items if i is not None)
        return _checked_depth(nodes.TupleExpr(values, _span(values[0], values[-1]), _depth(*values)))

    def _binary(self, op: str, left: Any, right: Any) -> nodes.BinOp:
        node = nodes.BinOp(op, left, right, _span(left, right), _depth(left, right))
        if op in _CHAINED and (node.depth > MAX_NESTING or id(left) in _CHAINS):
            node = _rebalanced(node)
        return _checked_depth(node)

    def add(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("+", a, b)

    def sub(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("-", a, b)

    def mul(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("*", a, b)

    def div(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("/", a, b)

    def floordiv(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("//", a, b)

    def mod(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("%", a, b)

    def pow(self, a: Any, _op: Token, b: Any) -> nodes.BinOp:
        return self._binary("^", a, b)

    def and_(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("and", a, b)

    def or_(self, a: Any, b: Any) -> nodes.BinOp:
        return self._binary("or", a, b)

    def compare(self, a: Any, op: Token, b: Any) -> nodes.BinOp:
        return self._binary(str(op), a, b)

    def neg(self, minus: Token, a: Any) -> nodes.UnaryOp:
        start = _token_pos(minus)
        pos = nodes.Pos(start.line, start.column, a.pos.end_line, a.pos.end_column)
        return _checked_depth(nodes.UnaryOp("-", a, pos, _depth(a)))

    def pos(self, a: Any) -> Any:
        return a

    def not_(self, a: Any) -> nodes.UnaryOp:
        return _checked_depth(nodes.UnaryOp("not", a, a.pos, _depth(a)))

    def expr_start(self, e: Any) -> Any:
        return e

    # -- statements
    def named_arg(self, name: Token, value: Any) -> nodes.Arg:
        return nodes.Arg(str(name), value, _token_pos(name))

    def positional_arg(self, value: Any) -> nodes.Arg:
        if isinstance(value, nodes.BinOp) and value.op == "==" and isinstance(value.left, nodes.Name):
            # conv2d(k==3) is a typo for k=3, not a positional true/false
            name = value.left.id
            raise SymcountError(f"'==' compares; to give {name} a value write {name}=...", value.pos,
                                hint=f"to pass a comparison, name the parameter: flag=({name} == ...)")
        return nodes.Arg(None, value, value.pos)

    def args(self, *items: Any) -> tuple[nodes.Arg, ...]:
        return tuple(i for i in items if i is not None)

    def layer(self, label: Any, kind: Token, args: Any, body: Any) -> nodes.Layer:
        pos = _token_pos(kind)
        name, module = str(kind), None
        if kind.type == "DOTTED_NAME":
            module, _, name = name.rpartition(".")
            start = pos.column + len(module) + 1
            pos = nodes.Pos(pos.line, start, pos.end_line, pos.end_column)
        return nodes.Layer(
            kind=name,
            args=args or (),
            label=str(label) if label is not None else None,
            body=body,
            pos=pos,
            module=module,
        )

    def seq_layer(self, kind: Token, args: Any) -> nodes.Layer:
        return self.layer(None, kind, args, None)

    def seq_list(self, *items: Any) -> tuple[str, tuple[nodes.Layer, ...]]:
        return "list", tuple(i for i in items if i is not None)

    def seq_args(self, *items: Any) -> tuple[str, tuple[nodes.Layer, ...]]:
        return "args", tuple(i for i in items if i is not None)

    def sequential_def(self, name: Token | None, kw: Token, layers: tuple[str, tuple[nodes.Layer, ...]]
                       ) -> nodes.Network:
        pos = _token_pos(kw)
        module, _, _ = str(kw).rpartition(".")
        form, items = layers
        where = _token_pos(name) if name is not None else pos
        return nodes.Network(str(name) if name is not None else "main", (), nodes.Body(items, where), where,
                             sequential=nodes.SequentialCall(module, form, pos))

    def body(self, *items: Any) -> nodes.Body:
        kept = tuple(i for i in items if i is not None)
        return nodes.Body(kept, kept[0].pos if kept else nodes.NOWHERE)

    def let_stmt(self, name: Token, value: Any) -> nodes.Let:
        return nodes.Let(str(name), value, _token_pos(name))

    def require_stmt(self, kw: Token, cond: Any) -> nodes.Require:
        return nodes.Require(cond, _token_pos(kw))

    def repeat_stmt(self, label: Any, kw: Token, count: Any, body: nodes.Body) -> nodes.Repeat:
        return nodes.Repeat(count, body, _token_pos(kw), _label(label))

    def if_stmt(self, kw: Token, cond: Any, then: nodes.Body, other: Any) -> nodes.If:
        if isinstance(other, nodes.If):
            other = nodes.Body((other,), other.pos)
        return nodes.If(cond, then, other, _token_pos(kw))

    def residual_stmt(self, label: Any, kw: Token, body: nodes.Body, shortcut: Any) -> nodes.Residual:
        return nodes.Residual(body, shortcut, _token_pos(kw), _label(label))

    def branch(self, body: nodes.Body) -> nodes.Body:
        return body

    def parallel_stmt(self, label: Any, kw: Token, args: Any, *branches: Any) -> nodes.Parallel:
        kept = tuple(b for b in branches if b is not None)
        return nodes.Parallel(args or (), kept, _token_pos(kw), _label(label))

    def param(self, name: Token, default: Any) -> nodes.Param:
        return nodes.Param(str(name), default, _token_pos(name))

    def params(self, *items: Any) -> tuple[nodes.Param, ...]:
        return tuple(i for i in items if i is not None)

    def network_def(self, name: Token, params: Any, body: nodes.Body) -> nodes.Network:
        return nodes.Network(str(name), params or (), body, _token_pos(name))

    def block_def(self, name: Token, params: Any, body: nodes.Body) -> nodes.Block:
        return nodes.Block(str(name), params or (), body, _token_pos(name))

    def start(self, *statements: Any) -> tuple[Any, ...]:
        return tuple(s for s in statements if s is not None)


@functools.cache
def _parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        start=["start", "expr_start"],
        lexer="contextual",
        postlex=ParenNewlines(),
        propagate_positions=False,
        maybe_placeholders=True,
        transformer=ToAst(),
        cache=True,
    )


_ROUGH_TOKEN = re.compile(r"[A-Za-z0-9_.]+|[^\sA-Za-z0-9_.]")


def _refuse_too_many_tokens(text: str) -> None:
    """A fast over-count of tokens (at C speed) so a huge text fails before the parser runs."""
    if len(text) < MAX_TOKENS:  # a token is at least one character
        return
    rough = sum(1 for _ in _ROUGH_TOKEN.finditer(text))
    if rough > MAX_TOKENS:
        raise SymcountError(f"description too long (more than {MAX_TOKENS:,} tokens)", nodes.Pos(1, 1),
                            hint="a description is a page: use repeat and blocks for repeated layers")


def _parse(text: str, start: str) -> Any:
    if len(text) > MAX_SOURCE_CHARS:
        raise SymcountError(
            f"description too long ({len(text):,} characters; the limit is {MAX_SOURCE_CHARS:,})",
            nodes.Pos(1, 1),
        )
    _refuse_too_many_tokens(text)
    try:
        return _parser().parse(text, start=start)
    except SymcountError:
        raise
    except VisitError as err:
        if isinstance(err.orig_exc, SymcountError):
            raise err.orig_exc from None
        raise
    except UnexpectedInput as err:
        raise syntax_error(err, text) from None
    except RecursionError:
        raise SymcountError("description nested too deeply", nodes.Pos(1, 1)) from None
    finally:
        _CHAINS.clear()  # the chains of this text are read; keep none of its trees alive


def parse(text: str, filename: str = "<input>") -> nodes.Program:
    """Parse a whole description into a :class:`~symcount.language.nodes.Program`."""
    try:
        statements = _parse(text, "start")
    except SymcountError as err:
        raise err.located(filename, text) from None
    return nodes.Program(tuple(statements), source=text, filename=filename)


def parse_expression(text: str, filename: str = "<expression>") -> nodes.Expr:
    """Parse one expression (an answer to check, a formula in the catalog)."""
    try:
        expr: nodes.Expr = _parse(text.strip(), "expr_start")  # the start rule's transformer builds an Expr
    except SymcountError as err:
        raise err.located(filename, text.strip()) from None
    return expr


__all__ = ["parse", "parse_expression", "grammar_text", "Lexer"]
