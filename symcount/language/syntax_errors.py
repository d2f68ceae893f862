"""Lark's parse errors -> friendly :class:`SymcountError` messages.

Lark reports *where* parsing stopped and which terminals it would have
accepted. That is precise but reads like a parser table, so common mistakes
(a missing comma, an unclosed bracket, ``=`` for ``==``, two statements on one
line) are recognised here and named in words; anything else says what was
found and what was expected.

Why rules on the accepted terminals rather than ``UnexpectedInput.match_examples``:
Lark matches examples by parser state *and stack depth*, so the same missing
comma after the first argument, after a later one, after ``2*C`` or inside a
``network { }`` are all different states and each would need its own example.
The accepted set (``COMMA`` accepted, a value found) is the same in all of
them. ``tests/test_errors.py`` keeps a table of broken inputs and the message
each must get, so a grammar edit that changes a classification fails loudly.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import cast

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from symcount.errors import SymcountError
from symcount.language import nodes

#: Terminals that can start a value (an expression).
VALUE_START = frozenset({"NAME", "INT", "DECIMAL", "STRING", "TRUE", "FALSE", "LPAR", "LSQB", "MINUS", "PLUS", "NOT"})
#: Terminals that start a statement inside a body.
STATEMENT_START = frozenset({"IF", "LET", "REPEAT", "RESIDUAL", "PARALLEL", "REQUIRE", "NETWORK", "BLOCK",
                             "SEQUENTIAL"})
#: The language's statement words (a misspelt one parses as a layer name).
KEYWORDS = ("network", "block", "let", "repeat", "if", "else", "residual", "shortcut", "parallel", "branch")
#: Operators: left out of "expected ..." when anything else fits.
OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "POW_OP", "COMP_OP", "PERCENT", "__ANON_0", "AND", "OR"})

#: How terminals read in a message.
WORDS = {
    "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'", "RBRACE": "'}'", "COMMA": "','",
    "EQUAL": "'='", "COLON": "':'", "SEMICOLON": "';'", "_NL": "a new line",
    "NAME": "a name", "DOTTED_NAME": "a layer name", "INT": "a number", "DECIMAL": "a number", "STRING": "a string",
    "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'", "POW_OP": "'^'",
    "COMP_OP": "a comparison", "TRUE": "true", "FALSE": "false", "$END": "the end of the text",
    "PERCENT": "'%'", "__ANON_0": "'//'", "LSQB": "'['", "RSQB": "']'", "SEQUENTIAL": "Sequential(...)",
}

#: Look-alike characters people paste from papers and slides, and what to type instead.
LOOKALIKES = {
    "×": "'*'", "·": "'*'", "⋅": "'*'", "−": "'-'", "–": "'-'", "—": "'-'", "÷": "'/'",
    "²": "'^2'", "³": "'^3'", "“": "'\"'", "”": "'\"'", "‘": "'\"'", "’": "'\"'",
    "`": "'\"' (strings use double quotes)", "&": "'and'", "|": "'or'", "!": "'not' (or '!=' to compare)",
}

_CLOSER = {"(": ")", "{": "}"}


def describe_expected(expected: set[str]) -> str:
    """What the parser wanted, in words, with families of terminals folded together."""
    names = set(expected) - OPERATORS if set(expected) - OPERATORS else set(expected)
    if "NAME" in names:
        names.discard("DOTTED_NAME")  # nn.Conv2d: a layer name with its module, said as "a layer"
    words: list[str] = []
    if names & STATEMENT_START and "NAME" in names:
        words.append("a layer or statement")
        names -= STATEMENT_START | {"NAME"}
        if "DECIMAL" not in names:  # a number where a statement starts is a layer's label (0: conv2d(...))
            names.discard("INT")
    if {"INT", "NAME"} <= names:
        words.append("a value")
        names -= VALUE_START | {"DECIMAL", "STRING"}
    if {"_NL", "SEMICOLON"} <= names:
        words.append("a new line or ';'")
        names -= {"_NL", "SEMICOLON"}
    words += sorted(WORDS.get(t, f"'{t.lower()}'") for t in names if not t.startswith("__"))
    if not words:
        return "something else"
    if len(words) > 6:
        words = words[:6] + ["..."]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def found(token: Token) -> str:
    """The offending token, in words."""
    if token.type == "$END":
        return "the end of the text"
    if token.type == "_NL":
        return "a new line"
    text = str(token)
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def token_pos(token: Token) -> nodes.Pos:
    line = token.line or 0
    column = token.column or 0
    return nodes.Pos(line, column, token.end_line or line, token.end_column or column + len(str(token)))


def end_pos(text: str) -> nodes.Pos:
    """Just after the last character that is not trailing white space."""
    lines = text.rstrip().split("\n")
    return nodes.Pos(len(lines), len(lines[-1]) + 1)


#: What the bracket scan looks at: strings and comments (to skip) and brackets.
_SCAN = re.compile(r""""[^"\n]*"?|'[^'\n]*'?|#[^\n]*|[(){}]""")


#: A text with more brackets than this gets no bracket diagnosis (it is not a description).
MAX_BRACKETS = 40_000

Opener = tuple[str, int, int]  # the bracket, its line and column
Closer = tuple[str, int, int, "str | None"]  # ... and the opener it met, if any


def brackets(text: str) -> tuple[list[Opener], list[Closer]]:
    """Scan ``( ) { }`` outside strings and comments.

    Returns the brackets still open at the end (outermost first) and the
    closers that did not match (each with the opener it met, if any). A regex
    finds the brackets and ``str.count`` tracks lines, so a megabyte of text
    costs milliseconds; past :data:`MAX_BRACKETS` it gives up (two empty lists).
    """
    stack: list[Opener] = []
    bad: list[Closer] = []
    line, line_start, counted, seen = 1, 0, 0, 0
    for match in _SCAN.finditer(text):
        ch = match.group()
        if ch not in "(){}":
            continue
        seen += 1
        if seen > MAX_BRACKETS:
            return [], []
        at = match.start()
        newlines = text.count("\n", counted, at)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, at) + 1
        counted = at
        if ch in "({":
            stack.append((ch, line, at - line_start + 1))
        elif stack and _CLOSER[stack[-1][0]] == ch:
            stack.pop()
        else:
            bad.append((ch, line, at - line_start + 1, stack[-1][0] if stack else None))
            if stack:
                stack.pop()
    return stack, bad


def _at(line: int, column: int) -> nodes.Pos:
    return nodes.Pos(line, column, line, column + 1)


def syntax_error(err: UnexpectedInput, text: str) -> SymcountError:
    """The friendliest true statement about a Lark parse error in ``text``."""
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(err, text)
    if isinstance(err, UnexpectedToken):
        return _bad_token(err.token, set(err.accepts or err.expected), text)
    if isinstance(err, UnexpectedEOF):
        return _bad_token(Token("$END", ""), set(err.expected), text)
    return SymcountError(str(err), nodes.Pos(getattr(err, "line", 0) or 0, getattr(err, "column", 0) or 0))


def _bad_character(err: UnexpectedCharacters, text: str) -> SymcountError:
    char = err.char
    pos = nodes.Pos(err.line, err.column, err.line, err.column + 1)
    if char in LOOKALIKES:
        return SymcountError(f"unexpected character {_quoted(char)}", pos, hint=f"write {LOOKALIKES[char]}")
    name = unicodedata.name(char, "").lower()
    if char in "\"'":  # STRING did not match: no closing quote on this line
        return SymcountError("string is never closed", pos, hint=f"end it with {_quoted(char)} on the same line")
    if char in "\x85\u2028\u2029":
        return SymcountError(f"unexpected line separator U+{ord(char):04X}", pos, hint="use an ordinary new line")
    if char.isspace() and char not in "\n\r":
        return SymcountError(f"unexpected space character U+{ord(char):04X}" + (f" ({name})" if name else ""), pos,
                             hint="replace it with an ordinary space")
    if unicodedata.category(char) == "Cf":  # zero-width space, byte-order mark, direction marks
        return SymcountError(f"invisible character U+{ord(char):04X}" + (f" ({name})" if name else ""), pos,
                             hint="delete it: it often comes with text pasted from a web page or a document")
    if not char.isprintable() or char == "\ufffd":
        code = f"U+{ord(char):04X}"
        return SymcountError(f"unexpected control character {code}", pos,
                             hint="descriptions are plain text; is this a binary file?")
    # lark sets pos_in_stream in UnexpectedCharacters.__init__, but its class default (None) is all mypy sees
    at = cast(int, err.pos_in_stream)
    if char == "." and at and (text[at - 1].isalnum() or text[at - 1] == "_"):
        return SymcountError("unexpected character '.'", pos,
                             hint="only a layer's own name may carry a module path (nn.Conv2d); a value cannot")
    if ord(char) > 127:
        return SymcountError(f"unexpected character {_quoted(char)}" + (f" ({name})" if name else ""), pos,
                             hint="names and operators are ASCII")
    return SymcountError(f"unexpected character {_quoted(char)}", pos)


def _quoted(char: str) -> str:
    """'\\' as a message shows it: the character itself in quotes (repr would double a backslash)."""
    return f"'{char}'" if char != "'" else '"\'"'


def _bad_token(token: Token, accepts: set[str], text: str) -> SymcountError:
    pos = end_pos(text) if token.type == "$END" or not token.line else token_pos(token)
    technical = f"expected {describe_expected(accepts)}, found {found(token)}"
    open_, unmatched = brackets(text)

    if token.type in ("RPAR", "RBRACE"):
        for char, line, column, opener in unmatched:
            if (line, column) == (pos.line, pos.column):
                where = _at(line, column)
                if opener is None:
                    return SymcountError(f"unmatched '{char}'", where, hint="nothing is open here")
                return SymcountError(f"'{char}' does not close the '{opener}' before it", where,
                                     hint=f"close it with '{_CLOSER[opener]}'")
    if token.type == "$END" and open_:
        return _never_closed(*open_[-1])
    if token.type != "$END" and open_ and token.start_pos is not None and _first_on_line(text, token):
        before, _ = brackets(text[:token.start_pos])
        if before and before[-1] in open_ and before[-1][1] < pos.line:
            return _never_closed(*before[-1])
    if token.type == "SEQUENTIAL":
        return SymcountError("Sequential(...) stands on its own at the top level: it is the whole model", pos,
                             hint="nested Sequential models are not read; list their layers instead")
    if accepts == {"SEQUENTIAL"}:
        return SymcountError("only a Sequential(...) model is assigned with '='", pos,
                             hint="to name a value, write let NAME = value")
    dotted = _DOTTED_BEFORE.search(text[:token.start_pos or 0]) if accepts == {"LPAR"} else None
    if dotted is not None:  # tf.nn.relu as a value: a module path only leads to a layer call
        line = text.count("\n", 0, dotted.start(2)) + 1
        column = dotted.start(2) - (text.rfind("\n", 0, dotted.start(2)) + 1) + 1
        return SymcountError("unexpected character '.'", _at(line, column),
                             hint="a module path only leads to a layer call (layers.LSTM(64)); a value such as "
                                  f"{dotted.group(1)} cannot carry one")
    if token.type == "EQUAL" and "COMP_OP" in accepts:
        return SymcountError("'=' gives an argument a value; to compare, write '=='", pos,
                             hint="e.g. if s == 1 { ... }")
    if token.type == "EQUAL":
        return SymcountError("unexpected '='", pos, hint=technical)
    if "COMMA" in accepts and token.type in VALUE_START:
        between = "between arguments" if "RPAR" in accepts else "between items"
        return SymcountError(f"missing ',' {between}", pos, hint=technical)
    misspelt = _misspelt_keyword(text, token)
    if misspelt is not None:
        return misspelt
    if token.type == "NAME" and "LPAR" in accepts and "COLON" in accepts and _next_char(text, token) == "=":
        return SymcountError("arguments go in parentheses after the layer name", pos,
                             hint="e.g. linear(C_in=3, C_out=4)")
    if token.type in VALUE_START and accepts & {"_NL", "SEMICOLON"} and "NAME" not in accepts:
        return SymcountError("two statements on one line", pos,
                             hint="put each on its own line or separate them with ';'")
    if "INT" in accepts and "NAME" in accepts and not accepts & STATEMENT_START:
        return SymcountError(f"missing a value before {found(token)}", pos, hint=technical)
    unexpected = found(token).removeprefix("a ").removeprefix("the ")  # 'unexpected new line', not 'a new line'
    return SymcountError(f"unexpected {unexpected}; expected {describe_expected(accepts)}", pos)


_DOTTED_BEFORE = re.compile(r"([A-Za-z_]\w*(\.)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[ \t]*$")
_WORD_BEFORE = re.compile(r"(?:^|[;{}])[ \t]*([A-Za-z_]\w*)[ \t]*$")


def _misspelt_keyword(text: str, token: Token) -> SymcountError | None:
    """``netwrok n {``, ``reapeat 3 {``, ``} shorcut {``: a word where a keyword belongs.

    The misspelt word is either the first word of the statement (it parsed
    as a layer name, and the next token failed) or the failing token itself.
    """
    if token.start_pos is None:
        return None
    line_start = text.rfind("\n", 0, token.start_pos) + 1
    line = text.count("\n", 0, token.start_pos) + 1
    candidates = []  # the statement's first word, then the failing token
    before = _WORD_BEFORE.search(text[line_start:token.start_pos])
    if before is not None and token.type in VALUE_START | {"LBRACE"}:
        candidates.append((before.group(1), before.start(1) + 1))
    if token.type == "NAME":
        candidates.append((str(token), token.start_pos - line_start + 1))
    for word, column in candidates:
        guess = difflib.get_close_matches(word.lower(), KEYWORDS, n=1, cutoff=0.66)
        if guess and word not in KEYWORDS:
            return SymcountError(f"unknown word '{word}'", nodes.Pos(line, column, line, column + len(word)),
                                 hint=f"did you mean '{guess[0]}'?")
    return None


def _never_closed(char: str, line: int, column: int) -> SymcountError:
    return SymcountError(f"'{char}' is never closed", _at(line, column), hint=f"add '{_CLOSER[char]}' where it should end")


def _first_on_line(text: str, token: Token) -> bool:
    start = token.start_pos or 0
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def _next_char(text: str, token: Token) -> str:
    """The first non-blank character after ``token`` (on its line)."""
    start = token.end_pos if token.end_pos is not None else 0
    rest = text[start:start + 200].lstrip(" \t")
    return rest[:1]
