"""A Pygments lexer for symcount's description language (``.sc`` files).

Registered as the ``pygments.lexers`` entry point ``symcount``, so any Pygments user
(MkDocs with pymdownx.highlight, Jupyter, Sphinx, ``pygmentize``) highlights
```` ```symcount ```` blocks and ``.sc`` files. It follows the grammar
(``symcount/language/symcount.lark``): its keywords, its literals, framework calls
with module paths (``nn.Conv2d``, ``keras.layers.Dense``), named arguments, layer
labels and the header comments (``# title:``, ``# convention:``, ``# bias:``,
``#! derive``, ``#:``). ``tests/test_notes_lexer.py`` lexes the whole gallery and
the documentation's examples and finds no error token.

The ``sc`` alias is not claimed: Pygments gives it to SuperCollider, whose ``*.sc``
files share the extension; :meth:`SymcountLexer.analyse_text` tells ours apart when
Pygments guesses from a file's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, cast

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

#: ``bygroups`` has no annotations in its stubs: typed once here.
groups = cast(Callable[..., object], bygroups)

#: The grammar's statement keywords (``language/symcount.lark``).
KEYWORDS = ("repeat", "if", "else", "residual", "shortcut", "parallel", "branch", "let", "require")
DECLARATIONS = ("network", "block")
CONSTANTS = ("true", "false", "True", "False")
WORD_OPERATORS = ("and", "or", "not")
#: The header comments that symcount reads (title, conventions, bias, golden directives).
HEADERS = r"(title|convention|bias|network|set)"

IDENT = r"[A-Za-z_][A-Za-z_0-9]*"
DOTTED = rf"{IDENT}(?:\.{IDENT})*"
INT = r"[0-9]+(?:_[0-9]+)*"


class SymcountLexer(RegexLexer):
    """symcount's layer-description language."""

    name = "symcount"
    aliases: ClassVar[list[str]] = ["symcount", "symcount-sc"]
    filenames: ClassVar[list[str]] = ["*.sc"]
    mimetypes: ClassVar[list[str]] = ["text/x-symcount"]
    url = "https://symcount.github.io/symcount/language/"

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [
            # an index label at the start of a line (``0: conv2d(...)``, as nn.Sequential numbers its children)
            (r"^([ \t\f]*)([0-9]+)([ \t\f]*)(:)(?!:)", groups(Whitespace, Name.Label, Whitespace, Punctuation)),
            (r"[ \t\f]+", Whitespace),
            (r"\r?\n", Whitespace),
            (r"\\[ \t\f]*\r?\n", Text),  # a line continuation
            (r"#!.*?$", Comment.Preproc),  # #! derive --bias both (the gallery's directives)
            (r"#:.*?$", Comment.Special),  # #: total = 295,168 (the documentation's answers)
            (rf"#\s*{HEADERS}\s*:.*?$", Comment.Special),
            (r"#.*?$", Comment.Single),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration, "declared"),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (rf"({IDENT})(\s*)(:)(?!:)", groups(Name.Label, Whitespace, Punctuation)),  # a layer's label
            (rf"({IDENT})(\s*)(=)(?!=)", groups(Name.Attribute, Whitespace, Operator)),  # a named argument
            (rf"{DOTTED}(?=\s*[(\[{{])", Name.Function),  # a layer or function call, a block use
            (DOTTED, Name),
            (rf"{INT}\.[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|{INT}[eE][-+]?[0-9]+", Number.Float),
            (INT, Number.Integer),
            (r'"[^"\n]*"', String.Double),
            (r"'[^'\n]*'", String.Single),
            (r"\*\*|//|==|!=|<=|>=|[-+*/%^<>=]", Operator),
            (r"[()\[\]{},;:]", Punctuation),
        ],
        "declared": [
            (r"[ \t\f]+", Whitespace),
            (IDENT, Name.Class, "#pop"),
            # a declaration without its name: the lexer goes on, the parser reports it
            (r"", Text, "#pop"),
        ],
    }

    @staticmethod
    def analyse_text(text: str) -> float:
        """How sure Pygments may be that a text is a symcount description (for ``*.sc``,
        which SuperCollider uses too)."""
        if re.search(rf"^\s*(network|block)\s+{IDENT}\s*[({{]", text, re.M):
            return 0.9
        if re.search(r"\b(conv[123]d|linear|lstm|gru|dense|embedding|batchnorm\w*)\s*\(", text, re.I):
            return 0.5
        return 0.0
