"""The registry of formats and the Printable mixin every result shares (render/formats.py, render/printable.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

import symcount
from symcount import SymcountError
from symcount.render.formats import FORMATS, format_named, register
from symcount.render.printable import Printable
from symcount.teaching.check import check
from symcount.teaching.compare import compare
from symcount.teaching.derivation import derive
from symcount.teaching.exam import generate
from symcount.teaching.exam_templates import templates
from symcount.teaching.memory import compute, memory

GPT = "network g { input(L=L); Embedding(num_embeddings=100, embedding_dim=8); attention(d_model=8, heads=2) }"


def results() -> list[Printable]:
    return [
        derive("conv2d(C_in=3, C_out=8, k=3)"),
        compare("linear(C_in=C, C_out=C)", "linear(C_in=8, C_out=2*C)"),
        check("linear", "C_in*C_out"),
        memory("linear(C_in=4, C_out=4)", training="adam"),
        compute(GPT),
        generate(templates()[0], 2),
        symcount.count("network n { input(C=3, H=8, W=8); conv2d(C_out=4, k=3); relu() }"),
    ]


@pytest.fixture(scope="module", params=range(7), ids=["derivation", "comparison", "verdict", "memory",
                                                        "compute", "exam", "count"])
def result(request: pytest.FixtureRequest) -> Iterator[Printable]:
    yield results()[request.param]


def test_the_registry_holds_text_markdown_latex() -> None:
    assert list(FORMATS)[:3] == ["text", "markdown", "latex"]
    assert format_named("latex").suffix == ".tex"
    with pytest.raises(SymcountError, match="(?s)unknown format 'latx'.*did you mean 'latex'"):
        format_named("latx")


def test_every_result_is_printable_in_every_format(result: Printable) -> None:
    assert isinstance(result, Printable)
    assert result.text() == result.render("text") == str(result)
    assert result.markdown() == result.render("markdown") == result._repr_markdown_()
    fragment = result.render("latex")
    whole = result.render("latex", standalone=True)
    assert "\\documentclass" not in fragment
    assert whole.startswith("\\documentclass") and fragment.strip() in whole


def test_repr_is_short_and_stable(result: Printable) -> None:
    text = repr(result)
    assert text.startswith(type(result).__name__ + "(") and text.endswith(")")
    assert "0x" not in text and "\n" not in text and len(text) < 200
    assert text == repr(result)

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, s: str) -> None:
            self.out += s

    printer = Printer()
    result._repr_pretty_(printer, False)
    assert printer.out == text


def test_jupyter_latex_is_math_only() -> None:
    d = derive("conv2d(C_in=3, C_out=8, k=3)")
    assert d._repr_latex_().startswith("$$")
    assert compare("linear", "linear")._repr_latex_() is None


def test_a_new_format_is_one_registry_entry() -> None:
    """A format whose writers shout: every result prints in it without a change to the result classes."""
    text = FORMATS["text"]
    loud = replace(text, name="loud", suffix=".loud",
                   document=lambda document, style: text.document(document, style).upper(),
                   report=lambda report: text.report(report).upper())
    register(loud)
    try:
        assert derive("linear(C_in=2, C_out=3)").render("loud") == derive("linear(C_in=2, C_out=3)").text().upper()
        assert re.search("MEMORY OF", memory("linear(C_in=2, C_out=3)").render("loud"))
    finally:
        del FORMATS["loud"]


def test_a_count_prints_the_table_count_prints() -> None:
    """``str(count)`` is what ``symcount count`` writes, and markdown/LaTeX are the same table."""
    result = symcount.count("network n { input(C=3, H=8, W=8); conv2d(C_out=4, k=3); relu() }")
    assert repr(result) == "Count(network='n', total=112)"
    assert "network n (pytorch)" in result.text() and "112" in result.text()
    assert result.markdown().startswith("**network n (pytorch)**")
    assert "\\begin{tabular}" in result.latex() or "longtable" in result.latex()
