"""The golden files of ``derivations/``, byte for byte: the gallery's derivations and the what-if comparisons.

``make goldens`` (``pytest -m golden --update-goldens``) regenerates them through the ``golden`` fixture;
``tools/goldens.py`` finds the sources and renders them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import symcount
from symcount.teaching.derivation import derive
from tools import goldens

SOURCES = goldens.golden_sources()
IDS = [str(p.relative_to(goldens.GALLERY)) for p in SOURCES]

#: The exam numbers each gallery answer must show (grouped as LaTeX prints them).
EXPECTED = {
    "conv_exam.sc": ["295{,}168", "294{,}912", r"(3 \times 3 \times 128 + 1) \times 256",
                     r"3 \times 3 \times 128 \times 256"],
    "dense_exam.sc": ["33{,}024", "32{,}768", r"(128 + 1) \times 256", r"128 \times 256"],
    "conv1d_keras.sc": ["1{,}152", r"(5 \times 7 + 1) \times 32"],
    "lenet5.sc": ["61{,}706", r"16 \times 5 \times 5 = 400"],
    "alexnet_conv1.sc": ["34{,}944", r"(11 \times 11 \times 3 + 1) \times 96"],
    "vgg_block.sc": ["1{,}792", "36{,}928", "38{,}720"],
    "pooling.sc": [r"\text{(no weights: pooling takes the maximum of each window)}"],
    "batchnorm.sc": [r"\#\text{buffers}", r"\#\text{non-trainable}", "512 + 512 = 1{,}024"],
    "embedding.sc": [r"10{,}000 \times 300", "3{,}000{,}000"],
    "lstm.sc": ["395{,}264", "394{,}240", r"4 \times [(C_{\text{in}} + H) \times H + 2H]"],
    "gru.sc": ["74{,}496", "74{,}112"],
    "attention.sc": ["1{,}050{,}624", r"4 \times (512 + 1) \times 512"],
    "transformer_encoder.sc": ["3{,}152{,}384"],
    "transformer_decoder.sc": ["4{,}204{,}032", r"8 \times (512 + 1) \times 512"],
    "separable_conv.sc": ["2{,}400", "18{,}496", r"3 \times 3 \times 32 + (32 + 1) \times 64"],
    "symbolic.sc": [r"(3 \times 3 \times C + 1) \times 2C", "18C^2 + 2C"],
    "keras_cnn.sc": ["121{,}930", "18{,}496", "102{,}464", r"64 \times 5 \times 5 = 1{,}600", r"(64 + 1) \times 10"],
    "output_volume.sc": [r"\left\lfloor \frac{32 + 2 \times 2 - 5}{1} \right\rfloor + 1", r"10 \times 32 \times 32",
                         r"\left\lfloor \frac{29}{2} \right\rfloor + 1", r"10 \times 15 \times 15", "= 760"],
    "keras_bilstm.sc": ["1{,}378{,}945", "1{,}280{,}000", "98{,}816", r"2 \times 4 \times [(C_{\text{in}} + H) \times H + H]",
                        r"(128 + 1) \times 1"],
    "stacked_lstm.sc": ["5{,}920", r"(2 - 1) \times 4", r"= 4 \times 640 + 4 \times 840"],
}


def test_the_gallery_is_complete() -> None:
    names = {p.name for p in SOURCES if p.parent == goldens.GALLERY}
    assert set(EXPECTED) <= names, set(EXPECTED) - names
    assert len(names) >= 13
    assert not any(len(p.relative_to(goldens.GALLERY).parts) > 1 and not goldens.derive_lines(p) for p in SOURCES)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_derivation_goldens(source: Path, golden: Callable[[Path, str], None]) -> None:
    for fmt, text in goldens.render(source).items():
        golden(goldens.golden_path(source, fmt), text)


@pytest.mark.parametrize(("source", "fmt", "target"), goldens.compare_goldens(),
                         ids=lambda v: v.name if isinstance(v, Path) else v)
def test_compare_goldens(source: Path, fmt: str, target: Path, golden: Callable[[Path, str], None]) -> None:
    golden(target, goldens.render_compare(source, fmt))


def test_every_whatif_file_compares_something() -> None:
    sources = [source for source, _, _ in goldens.compare_goldens()]
    assert len(set(sources)) >= 5
    assert all(goldens.compare_commands(source) for source in sources)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gallery_answers_show_the_exam_numbers(name: str) -> None:
    source = goldens.GALLERY / name
    tex = re.sub(" +", " ", goldens.golden_path(source, "latex").read_text(encoding="utf-8"))
    md = re.sub(" +", " ", goldens.golden_path(source, "markdown").read_text(encoding="utf-8"))
    for fragment in EXPECTED[name]:
        assert fragment in tex, (name, fragment)
        assert fragment in md, (name, fragment)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_markdown_and_latex_show_the_same_math(source: Path) -> None:
    tex = goldens.golden_path(source, "latex").read_text(encoding="utf-8")
    md = goldens.golden_path(source, "markdown").read_text(encoding="utf-8")
    displays = re.findall(r"^\\\[\n(.*?)\n\\\]$", tex, re.S | re.M)
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, re.S | re.M)
    assert displays and [katex_form(d) for d in displays] == [without_padding(b) for b in blocks]
    assert not any("[t]" in b or "@{}" in b for b in blocks), "markdown's math must be KaTeX's: no [t], no @{}"


def katex_form(latex: str) -> str:
    """LaTeX's math as markdown writes it for KaTeX, which has neither an environment's [t] nor @{}."""
    return re.sub(r"@\{\}", "", latex.replace("}[t]", "}"))


def without_padding(markdown: str) -> str:
    """Markdown's math without the empty lines that start side-by-side columns level in KaTeX."""
    return markdown.replace(" \\\\\n\\phantom{0}", "")


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_gallery_totals_equal_count(source: Path) -> None:
    """Each derivation's variants are exactly what symcount.count reports."""
    d = derive(source)
    for variant in d.variants:
        if variant.bias is None:
            expected = symcount.count(source, convention=variant.convention)
            assert variant.count.total == expected.total
            assert variant.count.buffers == expected.buffers


def test_opt_in_line_and_flags(tmp_path: Path) -> None:
    gallery = tmp_path / "derivations"
    (gallery / "zoo").mkdir(parents=True)
    (gallery / "zoo" / "skipped.sc").write_text("linear(C_in=2, C_out=3)\n")
    (gallery / "exams").mkdir()
    (gallery / "exams" / "template.sc").write_text("linear(C_in=choose(2, 4), C_out=3)\n")
    joined = gallery / "zoo" / "joined.sc"
    joined.write_text("#! derive --bias both\n#! derive --convention keras --mul cdot\nlinear(C_in=2, C_out=3)\n")
    assert goldens.golden_sources(gallery) == [joined]
    rendered = goldens.render(joined)
    assert rendered["markdown"].count("## joined") == 2
    assert "without bias" in rendered["markdown"] and r"\cdot" in rendered["markdown"]
    assert rendered["latex"].count(r"\begin{document}") == 1


def test_compare_lines_put_the_file_for_at(tmp_path: Path) -> None:
    source = tmp_path / "pair.sc"
    source.write_text("# a comparison\n#! compare @#a @#b --set 'C=4' --sweep H=1..4\n#! derive\n"
                      "network a(C) { linear(C_in=C, C_out=C) }\n")
    assert goldens.compare_commands(source) == [[f"{source}#a", f"{source}#b", "--set", "C=4", "--sweep", "H=1..4"]]
