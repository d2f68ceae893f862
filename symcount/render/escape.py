"""One escaper per format: plain words (titles, notes, labels, file names) made safe to print.

Every writer that puts words into LaTeX, markdown or HTML goes through these
tables, so a label reads the same in a derivation, a comparison, a verdict, a
count table and a memory report. Each escaper is a character table (plus, for
LaTeX prose, typographic quotes and ``2^30`` as a power): to teach symcount a
new character is one line here.

LaTeX is text mode under the standalone preamble (:data:`symcount.render.derivation_latex.STANDALONE_PREAMBLE`:
T1 fonts in Latin Modern, amsmath): ``<``, ``>`` and ``|`` are written as
``\\textless{}``, ``\\textgreater{}`` and ``\\textbar{}`` (right in every font
encoding, so a fragment pasted into an OT1 document prints them too), and
Unicode math signs (``−``, ``≥``, ``³``) stop pdflatex unless mapped to
something the preamble typesets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

#: LaTeX text mode: the ten special characters, the three OT1 misprints, and the Unicode signs symcount writes.
LATEX_TEXT: Mapping[str, str] = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    # a line break in user text (a title, a file name) would end a heading's argument or, twice,
    # start a paragraph: every field symcount writes is one line of text
    "\n": " ", "\r": " ",
    "−": "$-$", "–": "--", "—": "---",
    "×": r"$\times$", "·": r"$\cdot$", "→": r"$\to$", "≥": r"$\geq$", "≤": r"$\leq$", "≠": r"$\neq$",
    "≈": r"$\approx$",
    "⁰": r"\textsuperscript{0}", "¹": r"\textsuperscript{1}", "²": r"\textsuperscript{2}",
    "³": r"\textsuperscript{3}", "⁴": r"\textsuperscript{4}", "⁵": r"\textsuperscript{5}",
    "⁶": r"\textsuperscript{6}", "⁷": r"\textsuperscript{7}", "⁸": r"\textsuperscript{8}",
    "⁹": r"\textsuperscript{9}",
}

#: Markdown (CommonMark, GitHub, Jupyter, MkDocs): ASCII punctuation that starts markup, backslash-escaped
#: (``$`` starts math in the renderers symcount writes for).
MARKDOWN_TEXT: frozenset[str] = frozenset("\\`*_{}[]<>#|$")

#: Inside a code span in a pipe table only the cell separator needs escaping.
MARKDOWN_CODE: frozenset[str] = frozenset("|")

#: A plain cell of a pipe table (kinds, shapes, counts): its separator, and the stars of a symbolic
#: value (``8192*L**2 + 41943040*L`` would otherwise turn into emphasis). The cells hold no other markup
#: character but ``_``, which inside a word (``gated_mlp``, ``d_model``) is not emphasis.
MARKDOWN_CELL: frozenset[str] = frozenset("|*")

#: HTML text (Moodle question text and feedback).
HTML_TEXT: Mapping[str, str] = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

#: Code in ``\\texttt`` only: ``--`` stays two hyphens (``--set``), never a ligature.
LATEX_CODE_ONLY: Mapping[str, str] = {"-": "-{}"}

_LATEX_TEXT = str.maketrans(dict(LATEX_TEXT))
_LATEX_CODE = str.maketrans({**LATEX_TEXT, **LATEX_CODE_ONLY})
_MARKDOWN = str.maketrans({ch: "\\" + ch for ch in MARKDOWN_TEXT})
_MARKDOWN_CODE = str.maketrans({ch: "\\" + ch for ch in MARKDOWN_CODE})
_MARKDOWN_CELL = str.maketrans({ch: "\\" + ch for ch in MARKDOWN_CELL})
_HTML = str.maketrans(dict(HTML_TEXT))
#: ``2^30`` in plain words is a power: in LaTeX prose it is set as ``$2^{30}$``.
_POWER = re.compile(r"(\d+)\^(\d+)")


def latex_code(text: str) -> str:
    """Text for ``\\texttt{...}`` (file names, descriptions): every character as typed, quotes straight."""
    return text.translate(_LATEX_CODE)


def latex_comment(text: str) -> str:
    """Text after ``%``: TeX reads a comment to the end of the line, so every line break (which
    would end the comment and let the rest be read as LaTeX) becomes a space."""
    return " ".join(text.splitlines())


def latex_text(text: str) -> str:
    """Prose for LaTeX text mode: the table, typographic quotes (``same''), ``2^30`` as a power."""
    parts = _POWER.split(text)
    out: list[str] = []
    for i in range(0, len(parts), 3):
        out.append(parts[i].translate(_LATEX_TEXT))
        if i + 2 < len(parts):
            out.append(f"${parts[i + 1]}^{{{parts[i + 2]}}}$")
    return _quotes("".join(out))


def _quotes(text: str) -> str:
    """Straight double quotes, in pairs, as LaTeX's opening and closing quotes."""
    out: list[str] = []
    opening = True
    for ch in text:
        if ch == '"':
            out.append("``" if opening else "''")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def markdown_text(text: str) -> str:
    """Words that markdown must not read as emphasis, code, links, headings, tables or math."""
    return text.translate(_MARKDOWN)


def markdown_code(text: str) -> str:
    """The contents of a code span in a pipe table (``|`` would end the cell)."""
    return text.translate(_MARKDOWN_CODE)


def markdown_cell(text: str) -> str:
    """A plain (not code) cell of a pipe table."""
    return text.translate(_MARKDOWN_CELL)


def html_text(text: str) -> str:
    """Text for an HTML element."""
    return text.translate(_HTML)


#: Characters XML 1.0 forbids (control characters, surrogates, U+FFFE/U+FFFF): dropped from user text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold removed, so every file stays well-formed (the
    one such filter: Moodle XML, QTI, GIFT and the exam's own Moodle file use it)."""
    return _NOT_XML.sub("", text)


#: GIFT's special characters: each is written with a backslash (a backslash too, and a line break
#: as ``\n``, so one question stays on its lines).
_GIFT = str.maketrans({**{ch: "\\" + ch for ch in "\\~=#{}:"}, "\n": "\\n", "\r": ""})


def gift_text(text: str) -> str:
    """Text for a GIFT question, answer or feedback (Moodle's ``qformat_gift``)."""
    return text.translate(_GIFT)


#: format name -> the escaper of plain words in it ("text" keeps words as they are)
ESCAPERS: Mapping[str, Callable[[str], str]] = {"text": str, "markdown": markdown_text, "latex": latex_text}


#: A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading ``'``
    (OWASP's rule for CSV injection); a plain signed number is left as it is."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
