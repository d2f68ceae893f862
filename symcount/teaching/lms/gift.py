"""GIFT (Moodle's plain-text quiz format, ``qformat_gift``): numerical and multiple-choice questions.

Each question is ``::name::[html]<p>text</p>{...}``: a numerical one lists
``=%100%78500:0#feedback`` then each slip's value as ``=%0%79184:0#feedback``;
a multiple-choice one ``=78,500#feedback ~%0%79,184#feedback``; both end with
``####`` and the worked solution (general feedback, ``\\( ... \\)`` math). Every
text is HTML escaped first, then GIFT's special characters
(``~ = # { } :`` and the backslash) are escaped with a backslash
(:func:`symcount.render.escape.gift_text`). GIFT has no Cloze, and its
numerical answers take no ``*``: the general feedback answers any other value.
"""

from __future__ import annotations

from symcount.errors import SymcountError
from symcount.render.escape import gift_text, html_text, xml_safe
from symcount.teaching.lms import Choice, Question, Quiz, html_with_math, solution_html


def gift(quiz: Quiz) -> str:
    """The quiz as a GIFT file, in the category ``symcount/<template>``."""
    if quiz.kind == "cloze":
        raise SymcountError("GIFT has no Cloze questions: use --format moodle for --question-type cloze")
    count = f"{len(quiz.questions)} variant{'s' if len(quiz.questions) != 1 else ''}"
    out = [f"// {gift_text(quiz.title)}: {count}, written by symcount",
           f"$CATEGORY: $course$/symcount/{gift_text(quiz.name)}", ""]
    for question in quiz.questions:
        out += [_question(question), ""]
    return xml_safe("\n".join(out))


def _feedback(choice: Choice) -> str:
    return gift_text(f"<p>{html_with_math(choice.feedback)}</p>")


def _question(question: Question) -> str:
    head = f"::{gift_text(question.name)}::[html]{gift_text('<p>' + html_text(question.text) + '</p>')}" + "{"
    choices = question.blanks[0].choices
    if question.kind == "numerical":
        lines = ["#"] + [f"\t=%{c.credit}%{c.value}:0#{_feedback(c)}" for c in choices]
    else:
        lines = [""] + [("\t=" if c.credit == 100 else f"\t~%{c.credit}%") + gift_text(f"<p>{c.value:,}</p>")
                        + f"#{_feedback(c)}" for c in sorted(choices, key=lambda c: c.value)]
    lines.append("\t####" + gift_text(solution_html(question)))
    return head + "\n".join(lines) + "\n}"
