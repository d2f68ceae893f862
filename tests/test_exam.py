"""Exam generation: valid draws, answers equal to symcount's count, byte-identical output, pdflatex, Moodle."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import needs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from latex_tools import compile_latex

import symcount
from symcount import SymcountError
from symcount.cli.main import main as cli_main
from symcount.render.style import Style
from symcount.teaching.check_quantity import check_quantity
from symcount.teaching.exam import FORMATS, assign_roster, generate, outputs
from symcount.teaching.exam_templates import templates

TEMPLATES = templates()
NAMES = [t.name for t in TEMPLATES]


def test_templates_shipped() -> None:
    assert {"conv_with_bias.sc", "conv_without_bias.sc", "dense.sc", "pooling.sc", "batchnorm.sc", "lstm.sc",
            "output_shape.sc"} <= set(NAMES)


def expected_answer(template: Path, values: dict, ask: str, convention: str) -> int:
    """The answer straight from symcount.count (shapes read from the framework's layout)."""
    result = symcount.count(template, values=values, convention=convention)
    if ask == "params":
        return int(result.total)
    if ask == "output_height":
        assert result.output_shape is not None
        return int(result.output_shape[-2] if convention == "pytorch" else result.output_shape[-3])
    return torch_answer(template.stem, {k: int(v) for k, v in values.items()})


# ------------------------------------------------------------------ the new question types, measured on torch


def _torch_stack(name: str, v: dict[str, int]) -> tuple[object, tuple[int, ...]]:
    """The template's network as torch modules, and its input's shape (one sample)."""
    nn = needs.module("torch").nn
    if name == "activation_memory":
        return nn.Sequential(nn.Conv2d(v["C_in"], v["C1"], 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                             nn.Conv2d(v["C1"], v["C2"], 3, padding=1)), (v["C_in"], v["H"], v["H"])
    if name == "receptive_field":
        return nn.Sequential(nn.Conv2d(3, 16, v["k1"], stride=v["s1"]), nn.ReLU(),
                             nn.Conv2d(16, 16, v["k2"], stride=v["s2"], dilation=v["d2"]), nn.ReLU(),
                             nn.Conv2d(16, 16, v["k3"])), (3, 128, 128)
    if name in ("padding", "stride"):
        return nn.Conv2d(v["C_in"], v["C_out"], v["k"], stride=v["s"], padding=v["p"]), (v["C_in"], v["H"], v["H"])
    raise AssertionError(name)


def torch_answer(name: str, v: dict[str, int]) -> int:
    """The answer as torch gives it: stored values through hooks, the receptive field from the input
    gradient of the centre output (weights all ones), the one padding or stride in the range whose
    convolution gives the drawn network's output size (every candidate tried)."""
    torch = needs.module("torch")
    net, shape = _torch_stack(name, v)
    assert isinstance(net, torch.nn.Module)
    if name == "activation_memory":
        sizes: list[int] = []
        for m in net:
            m.register_forward_hook(lambda m, i, o: sizes.append(0 if isinstance(m, torch.nn.ReLU) else o.numel()))
        x = torch.ones(v["batch"], *shape)
        net(x)
        return x.numel() + sum(sizes)
    if name == "receptive_field":
        with torch.no_grad():
            for p in net.parameters():
                p.fill_(1.0)
        x = torch.ones(1, *shape, requires_grad=True)
        out = net(x)
        out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
        assert x.grad is not None
        rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
        return int(rows.max() - rows.min() + 1)
    target = net(torch.zeros(1, *shape)).shape[-2:]
    key, low, high = ("p", 0, 32) if name == "padding" else ("s", 1, 16)
    found = []
    for candidate in range(low, high + 1):
        try:
            conv, _ = _torch_stack(name, {**v, key: candidate})
            out = conv(torch.zeros(1, *shape))  # type: ignore[operator]
        except RuntimeError:
            continue
        if out.shape[-2:] == target:
            found.append(candidate)
    assert len(found) == 1, found  # the exam keeps only questions with one answer
    return found[0]


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_every_answer_equals_symcount_count(template: Path) -> None:
    exam = generate(template, variants=5, seed=11)
    assert len(exam.variants) == 5
    assert len({tuple(sorted(v.values.items())) for v in exam.variants}) == 5  # distinct draws
    for v in exam.variants:
        assert v.answer == expected_answer(template, v.values, exam.template.ask, exam.template.convention)
        assert "{" not in v.question  # every placeholder filled


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_moodle_xml_parses_and_answers_equal_count(template: Path) -> None:
    exam = generate(template, variants=4, seed=3)
    root = ET.fromstring(exam.moodle())
    assert root.tag == "quiz"
    questions = [q for q in root.findall("question") if q.get("type") == "numerical"]
    assert len(questions) == 4
    for q, v in zip(questions, exam.variants, strict=True):
        answer = q.find("answer")
        assert answer is not None and answer.get("fraction") == "100"
        assert int(answer.findtext("text") or "") == expected_answer(template, v.values, exam.template.ask,
                                                                     exam.template.convention)
        assert answer.findtext("tolerance") == "0"
        assert "Answer" in (q.findtext("generalfeedback/text") or "")
        assert (q.findtext("questiontext/text") or "").startswith("<p>")


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_gives_byte_identical_output(fmt: str, tmp_path: Path) -> None:
    for template in TEMPLATES:
        first = outputs(generate(template, variants=6, seed=42), fmt)
        second = outputs(generate(template, variants=6, seed=42), fmt)
        assert first == second
    template = TEMPLATES[NAMES.index("conv_with_bias.sc")]
    other = outputs(generate(template, variants=6, seed=43), fmt)
    assert other != outputs(generate(template, variants=6, seed=42), fmt)


def test_cli_writes_identical_files_for_the_same_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = str(TEMPLATES[NAMES.index("dense.sc")])
    for out in ("one", "two"):
        for fmt in FORMATS:
            assert cli_main(["exam", template, "--variants", "5", "--seed", "9", "--format", fmt,
                             "-o", str(tmp_path / out)]) == 0
    capsys.readouterr()
    one = sorted((tmp_path / "one").iterdir())
    assert [p.name for p in one] == ["dense-exam.tex", "dense-key.json", "dense-moodle.xml", "dense-review.tex",
                                     "dense-solutions.tex", "dense.md"]
    for path in one:
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()


def test_torch_agrees_with_conv_and_lstm_variants() -> None:
    torch = needs.module("torch")
    conv = generate(TEMPLATES[NAMES.index("conv_with_bias.sc")], variants=4, seed=5)
    for v in conv.variants:
        module = torch.nn.Conv2d(int(v.values["C_in"]), int(v.values["C_out"]), int(v.values["k"]))
        assert v.answer == sum(p.numel() for p in module.parameters())
    lstm = generate(TEMPLATES[NAMES.index("lstm.sc")], variants=4, seed=5)
    for v in lstm.variants:
        module = torch.nn.LSTM(int(v.values["C_in"]), int(v.values["H"]))
        assert v.answer == sum(p.numel() for p in module.parameters())
    shape = generate(TEMPLATES[NAMES.index("output_shape.sc")], variants=4, seed=5)
    for v in shape.variants:
        values = {k: int(x) for k, x in v.values.items()}
        module = torch.nn.Conv2d(values["C_in"], values["C_out"], values["k"], stride=values["s"],
                                 padding=values["p"])
        out = module(torch.zeros(1, values["C_in"], values["H"], values["H"]))
        assert v.answer == out.shape[-2]


def test_keras_agrees_with_batchnorm_variants() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = needs.module("keras")
    exam = generate(TEMPLATES[NAMES.index("batchnorm.sc")], variants=3, seed=2)
    for v in exam.variants:
        layer = keras.layers.BatchNormalization()
        layer.build((None, 8, 8, int(v.values["C"])))
        assert v.answer == layer.count_params()


def test_require_filters_variants() -> None:
    exam = generate(TEMPLATES[NAMES.index("output_shape.sc")], variants=12, seed=1)
    for v in exam.variants:
        H, k, p, s = (int(v.values[n]) for n in ("H", "k", "p", "s"))
        assert (H - k + 2 * p) % s == 0 and p < k


def test_invalid_sizes_are_rejected_before_a_question_is_written() -> None:
    text = """
let question = "A {k} x {k} convolution on a 4 x 4 input with {C} channels: how many parameters?"
let k = choose(3, 9)
let C = choose(2)
network n { input(H=4, W=4, C=C); conv2d(C_out=5, k=k) }
"""
    exam = generate(text, variants=1, seed=0)
    assert exam.variants[0].values["k"] == 3
    with pytest.raises(SymcountError) as err:
        generate(text, variants=2, seed=0)
    assert "only 1 distinct, valid and fair variant could be drawn" in str(err.value)
    assert "does not fit" in str(err.value)


def test_stress_warns_about_shared_and_guessable_answers() -> None:
    report = generate(TEMPLATES[NAMES.index("pooling.sc")], variants=4, seed=0).stress()
    assert "share the answer 0" in report.text()
    same = """
let question = "A {k} x {k} convolution with padding {p} and stride 1 keeps a {H} x {H} x {C} input. What is the output height?"
let ask = "output_height"
let k = choose(3, 5)
let p = (k - 1) // 2
let H = choose(8, 16, 32)
let C = choose(4, 8)
network n { input(H=H, W=H, C=C); conv2d(C_out=C, k=k, padding=p) }
"""
    report = generate(same, variants=4, seed=0, shared_answers=True).stress()
    assert "can be guessed" in report.text()
    dense = generate(TEMPLATES[NAMES.index("dense.sc")], variants=8, seed=0).stress()
    assert "share" not in dense.text()
    assert dense.text().startswith("8 variants, 8 distinct answers")


def test_template_errors() -> None:
    with pytest.raises(SymcountError) as err:
        generate('let question = "q"\nconv2d(C_in=choose(1, 2), C_out=4, k=3)', variants=1)
    assert "top-level let" in str(err.value) and err.value.line == 2
    with pytest.raises(SymcountError) as err:
        generate("let k = choose(1, 2)\nconv2d(C_in=2, C_out=4, k=k)", variants=1)
    assert "let question" in str(err.value)
    with pytest.raises(SymcountError) as err:
        generate('let question = "q"\nlet ask = "weights"\nlinear(C_in=2, C_out=3)', variants=1)
    assert "unknown ask" in str(err.value)
    with pytest.raises(SymcountError) as err:
        generate('let question = "{Q} inputs"\nlet C = choose(1, 2)\nlinear(C_in=C, C_out=3)', variants=1)
    assert "{Q}" in str(err.value)
    with pytest.raises(SymcountError) as err:
        generate('let question = "q"\nlinear(C_in=C, C_out=3)', variants=1)
    assert "depends on C" in str(err.value)
    with pytest.raises(SymcountError):
        generate('let question = "q"\nlet C = choose(1, 2)\nlinear(C_in=C, C_out=3)', variants=0)


def test_cli_stress_and_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    template = str(TEMPLATES[NAMES.index("pooling.sc")])
    assert cli_main(["exam", template, "--variants", "3", "--stress"]) == 0
    assert "warning: variants 1, 2, 3 share the answer 0" in capsys.readouterr().out
    assert cli_main(["exam", template, "--variants", "2", "--format", "markdown"]) == 0
    assert "## Solutions" in capsys.readouterr().out
    assert cli_main(["exam", template, "--variants", "2000"]) == 2
    assert "--variants" in capsys.readouterr().err


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_every_sheet_compiles_without_an_overfull_box(template: Path, tmp_path: Path) -> None:
    exam = generate(template, seed=4)
    assign_roster(exam, [f"Student {i}" for i in range(12)] + ["Zoë O'Brien-Smith & Co."])
    files = outputs(exam, "latex")
    assert sorted(files) == sorted(f"{exam.template.name}-{p}" for p in
                                   ("exam.tex", "solutions.tex", "review.tex", "key.json", "answers.csv"))
    for name, content in files.items():
        if name.endswith(".tex"):
            pdf, log = compile_latex(content, tmp_path, name[:-4])
            assert "Overfull" not in log, name
    exam_log = (tmp_path / f"{exam.template.name}-exam.log").read_text()
    assert f"Output written on {exam.template.name}-exam.pdf (13 pages" in exam_log  # a page per student
    review_log = (tmp_path / f"{exam.template.name}-review.log").read_text()
    assert "(1 page" in review_log  # the review sheet is one page


def test_sheets_keep_the_seed_off_the_students_copy() -> None:
    exam = generate(TEMPLATES[NAMES.index("conv_with_bias.sc")], seed=1234567)
    students = exam.latex()
    assert "1234567" not in students and "eed" not in students
    assert all(v.id in students for v in exam.variants)
    assert students.count(r"\newpage") == len(exam.variants) - 1  # one variant per page
    assert students.count("Name:") == students.count("Answer:") == len(exam.variants)
    assert "seed 1234567" in exam.solutions_latex() and "seed 1234567" in exam.review_latex()
    for v in exam.variants:  # the solution sheet and the review are keyed by variant ID
        assert rf"\subsection*{{Variant \texttt{{{v.id}}}}}" in exam.solutions_latex()
        assert rf"\texttt{{{v.id}}} & " in exam.review_latex()


def test_variant_ids_are_stable_and_depend_on_template_seed_and_index() -> None:
    conv = TEMPLATES[NAMES.index("conv_with_bias.sc")]
    ids = [v.id for v in generate(conv, seed=1).variants]
    assert ids == [v.id for v in generate(conv, seed=1).variants]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"CWB{n}-") for n, i in enumerate(ids, 1))
    assert set(ids).isdisjoint(v.id for v in generate(conv, seed=2).variants)
    other = TEMPLATES[NAMES.index("conv_without_bias.sc")]
    assert set(ids).isdisjoint(v.id for v in generate(other, seed=1).variants)


def test_roster_gives_each_student_a_variant_reproducibly(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "students.csv"
    roster.write_text("name\n" + "".join(f"Student {i}\n" for i in range(25)), encoding="utf-8")
    template = str(TEMPLATES[NAMES.index("dense.sc")])
    for out in ("one", "two"):
        assert cli_main(["exam", template, "--seed", "3", "--roster", str(roster), "-o", str(tmp_path / out)]) == 0
    for path in (tmp_path / "one").iterdir():
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()
    rows = (tmp_path / "one" / "dense-answers.csv").read_text().splitlines()
    assert rows[0] == "student,variant,answer" and len(rows) == 26
    used = [row.split(",")[1] for row in rows[1:]]
    assert {used.count(i) for i in set(used)} <= {2, 3} and len(set(used)) == 10  # dealt evenly
    key = json.loads((tmp_path / "one" / "dense-key.json").read_text())
    assert [s["variant"] for s in key["students"]] == used
    roster.write_text("name\nAda\nBob\nAda\n", encoding="utf-8")
    assert cli_main(["exam", template, "--roster", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "students.csv:4:1: 'Ada' is on the roster twice (first on line 2)" in err


def test_output_solutions_show_the_derivations_rows() -> None:
    """One mechanism: an output-size solution is the derivation's working (textbook order, the
    framework rule that computed the size, values put in), never a re-sorted sympy expression."""
    exam = generate(TEMPLATES[NAMES.index("output_shape.sc")], variants=6, seed=1)
    for v in exam.variants:
        derived = symcount.derive(TEMPLATES[NAMES.index("output_shape.sc")], values=v.values,
                                  convention=exam.template.convention).text()
        working, output = [math for label, math in exam.solution_lines(v, Style("text")) if label == "conv2d"]
        # the question writes {H} × {H} × {C_in}: the output is written the same way, not channels first
        assert output == f"output = {int(v.answer)} × {int(v.answer)} × {int(v.values['C_out'])}   " \
                         "(height × width × channels)"
        assert working.startswith("H_out = W_out = ⌊(H ")
        assert " + 2p - k)/s⌋ + 1" in working or "⌊(H - k)/s⌋ + 1" in working
        assert working.endswith(f"= {int(v.answer)}")
        for step in working.split(" = ")[1:]:  # every step is the derivation's, as derive prints it
            assert step in derived
        assert "2 p" not in working and "H - k + 2" not in working  # not sympy's order
        latex = next(math for label, math in exam.solution_lines(v, Style("latex")) if label == "conv2d")
        assert r"\left\lfloor \frac{H" in latex
    first = exam.variants[0]
    assert exam.solution_lines(first, Style("text"))[0] == ("input", "224 × 224 × 16   (height × width × channels)")
    assert "224 × 224 × 16" in first.question


def test_output_size_and_channels_solutions() -> None:
    text = TEMPLATES[NAMES.index("output_shape.sc")].read_text()
    size = generate(text.replace('"output_height"', '"output_size"'), variants=1, seed=1)
    rows = size.solution_lines(size.variants[0], Style("text"))
    assert rows[-1] == ("output size", "214 × 214 × 32 = 1,465,472")  # as the question writes sizes
    first = text.replace("{H} × {H} × {C_in}", "{C_in} × {H} × {H}").replace('"output_height"', '"output_size"')
    size = generate(first, variants=1, seed=1)
    rows = size.solution_lines(size.variants[0], Style("text"))
    assert rows[0] == ("input", "16 × 224 × 224   (channels × height × width)")
    assert rows[-1] == ("output size", "32 × 214 × 214 = 1,465,472")
    keras = generate(text.replace("let ask", 'let convention = "keras"\nlet ask'), variants=1, seed=1)
    rows = dict(keras.solution_lines(keras.variants[0], Style("text")))
    assert rows["input"] == "224 × 224 × 16   (channels last)"


# ------------------------------------------------------------------------------------- fairness


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_every_shipped_template_works_with_the_defaults(template: Path, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    assert cli_main(["exam", str(template), "-o", str(tmp_path)]) == 0
    exam = generate(template)
    assert len(exam.variants) == 10 or exam.shortfall is not None
    if exam.shortfall is not None:  # says how many it can, instead of failing
        assert f"only {len(exam.variants)} " in exam.shortfall
        assert f"only {len(exam.variants)} " in capsys.readouterr().err
        with pytest.raises(SymcountError) as err:
            generate(template, variants=10)
        assert f"--variants {len(exam.variants)} or fewer" in str(err.value)


def test_batchnorm_gives_its_nine_fair_variants_by_default() -> None:
    exam = generate(TEMPLATES[NAMES.index("batchnorm.sc")])
    assert len(exam.variants) == 9  # nine values of C, each its own answer
    assert sorted(int(v.values["C"]) for v in exam.variants) == [16, 24, 32, 48, 64, 96, 128, 256, 512]
    # left out statistics and "the PyTorch count" are one mistake (2C for every C): named once, not unfair
    assert all([s.slip for s in v.slips] == ["bn_stats_missing"] for v in exam.variants)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6), which=st.sampled_from(NAMES))
def test_fairness_rules_hold_for_every_template_and_seed(seed: int, which: str) -> None:
    """No answer shared (unless the template allows it), no slip on the correct answer, no two
    slips on the same wrong value; each slip's value is what check() names for that answer."""
    exam = generate(TEMPLATES[NAMES.index(which)], seed=seed)
    answers = [v.answer for v in exam.variants]
    if not exam.template.shared_answers:
        assert len(set(answers)) == len(answers)
    for v in exam.variants[:3]:
        values = [s.value for s in v.slips]
        assert v.answer not in values
        assert len(set(values)) == len(values)
        for s in v.slips:
            ask = exam.template.ask
            if ask in ("padding", "stride"):
                continue  # a slip's value is a padding or stride, not a quantity check() reads
            if ask in ("activations", "receptive_field"):
                batch = v.values.get("batch") if ask == "activations" else None
                verdict = check_quantity(TEMPLATES[NAMES.index(which)], int(s.value), ask, values=v.values,
                                         batch=batch)  # type: ignore[arg-type]
            else:
                verdict = symcount.check(TEMPLATES[NAMES.index(which)], int(s.value), values=v.values,
                                         convention=exam.template.convention)
            assert not verdict.correct and verdict.mistake == s.slip


def test_coincidences_make_a_variant_unfair() -> None:
    k_one = 'let question = "q"\nlet k = choose(1)\nconv2d(C_in=8, C_out=4, k=k)'
    with pytest.raises(SymcountError) as err:  # k = 1: a bias per kernel position is one bias
        generate(k_one, variants=1)
    assert "gives the correct answer" in str(err.value)
    same = 'let question = "q"\nlet k = choose(3)\nconv2d(C_in=3, C_out=16, k=k)'
    with pytest.raises(SymcountError) as err:  # C_in = k: k·C_in·C_out = k·k·C_out
        generate(same, variants=1)
    assert "'k instead of k^d' and 'C_in left out' give the same wrong answer" in str(err.value)
    assert len(generate(same.replace("C_in=3", "C_in=4"), variants=1).variants) == 1


def test_shared_answers_only_when_asked() -> None:
    text = 'let question = "q {C} {D}"\nlet C = choose(2, 4)\nlet D = choose(4, 2)\nlinear(C_in=C*D, C_out=3)'
    with pytest.raises(SymcountError) as err:
        generate(text, variants=4)  # C·D is 4, 8, 8 or 16: three answers
    assert "only 3 " in str(err.value) and "the answer of another variant" in str(err.value)
    assert len(generate(text, variants=4, shared_answers=True).variants) == 4
    assert len(generate('let shared_answers = "allowed"\n' + text, variants=4).variants) == 4


# ---------------------------------------------------------------------------------- the choice space


def _template(tmp_path: Path, lets: str, require: str, name: str = "t.sc") -> Path:
    path = tmp_path / name
    path.write_text(f'let question = "How many? {{C}}"\n{lets}\n{require}\n'
                    "network n {\n    input(C=C)\n    linear(C_out=4)\n}\n", encoding="utf-8")
    return path


def test_an_impossible_require_over_many_lets_is_refused_at_its_position(tmp_path: Path) -> None:
    """12 lets of 10 values each (10^12 draws) and a require on two of them: checked over those two."""
    lets = "let C = choose(1, 2, 3)\n" + "\n".join(
        f"let A{i} = choose({', '.join(str(v) for v in range(1, 11))})" for i in range(12))
    path = _template(tmp_path, lets, "require A0 + A1 > 1000   # never")
    start = time.perf_counter()
    with pytest.raises(SymcountError) as info:
        generate(path, variants=3)
    assert time.perf_counter() - start < 10  # "not hung": 2,000 draws, seconds, before
    assert info.value.message == ("'require A0 + A1 > 1000' holds for none of the 100 combinations of A0, A1: "
                                  "no variant can be drawn")
    assert (info.value.line, info.value.column) == (15, 1) and info.value.filename == str(path)


def test_requires_that_no_combination_meets_together_are_refused(tmp_path: Path) -> None:
    path = _template(tmp_path, "let C = choose(1, 2, 3, 4)", "require C > 2\nrequire C < 2")
    with pytest.raises(SymcountError, match="no combination of the choices meets every require"):
        generate(path, variants=1)


def test_a_wide_choose_with_few_valid_values_gives_all_of_them_and_says_how_many(tmp_path: Path) -> None:
    """3,000 values of which 5 meet the require: random draws found 3 of them after 1,454 rejections."""
    wide = ", ".join(str(v) for v in range(1, 3_001))
    path = _template(tmp_path, f"let C = choose({wide})", "require C > 2995")
    exam = generate(path)
    assert sorted(v.values["C"] for v in exam.variants) == [2996, 2997, 2998, 2999, 3000]
    assert exam.shortfall is not None and "5 of the 3,000 combinations of the choices meet the requires" \
        in exam.shortfall
    with pytest.raises(SymcountError) as info:
        generate(path, variants=6)
    assert info.value.message == ("only 5 of the 3,000 combinations of the choices meet the requires; "
                                  "6 variants were asked for")


def test_an_inverse_question_works_out_the_layer_the_unknown_sets() -> None:
    """The padding of the second of two convolutions: the solution's rule is that layer's (found by
    changing the unknown and seeing which layer changes), and torch's output for the answer is the size."""
    torch = needs.module("torch")
    template = ('let question = "Two convolutions take {H} x {H} to {output_height}. What is p?"\n'
                'let ask = "padding"\nlet unknown = "p"\nlet shared_answers = "allowed"\n'
                "let p = choose(0, 1, 2)\nlet H = choose(16, 32)\n"
                "network two {\n input(H=H, W=H, C=3)\n conv2d(C_out=4, k=3, padding=1)\n"
                " conv2d(C_out=4, k=5, padding=p)\n}")
    exam = generate(template, variants=3, seed=0)
    for v in exam.variants:
        rows = exam.solution_lines(v, Style("text"))
        assert rows[0][0] == "conv2d_1"
        net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.Conv2d(4, 4, 5, padding=int(v.answer)))
        H = int(v.values["H"])
        assert f"= {net(torch.zeros(1, 3, H, H)).shape[-1]}" in rows[1][1]
