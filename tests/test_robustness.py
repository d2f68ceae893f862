"""Every verb over the project's own inputs and hostile variations of them: an exit status of 0, 1
or 2 and a message, never an exception escaping ``main`` (which the user sees as a traceback).

Found by a sweep of every verb over every input kind; each test names the mechanism it pins down.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcount.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
MODEL_CODE = sorted((ROOT / "tests" / "model_code").glob("*.py"))


def run(argv: list[str]) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of one command, run in-process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", MODEL_CODE, ids=lambda p: p.stem)
@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_every_model_derives(path: Path, convention: str) -> None:
    """A derivation lands on the count for every layer, including a layer object applied twice
    (``shared=``: its parameters and its statistics are all the first use's, so 0 here, never the
    parameters less the statistics)."""
    code, out, err = run(["derive", str(path), "--format", "text", "--convention", convention])
    assert code in (0, 2), err
    assert out if code == 0 else err


def test_a_layer_applied_twice_counts_zero_in_the_derivation() -> None:
    code, out, _ = run(["derive", str(ROOT / "tests/model_code/keras_shared_conv.py"), "--format", "text",
                        "--convention", "keras"])
    assert code == 0
    block = out.split("batchnorm: ")[1].split("\n\n")[0]
    assert "#counted = 0" in block and "32 + 32" not in block


def _hostile_files(tmp_path: Path) -> dict[str, Path]:
    """A FIFO with no writer (a read would wait forever), a link to /dev/zero (a read would never end),
    a directory and a binary file."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    binary = tmp_path / "binary"
    binary.write_bytes(bytes(range(256)))
    return {"fifo": fifo, "zero": zero, "directory": tmp_path, "binary": binary}


@pytest.fixture(scope="module")
def exam_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The key file of a real exam."""
    folder = tmp_path_factory.mktemp("exam")
    assert run(["exam", str(ROOT / "derivations/exams/dense.sc"), "--variants", "2", "-o", str(folder)])[0] == 0
    return next(folder.glob("*key*.json"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("kind", ["fifo", "zero", "directory", "binary"])
@pytest.mark.parametrize("command", [
    ["render", "{}", "-o", "-"],
    ["check", "--answers", "{}", "--key", "{key}"],
    ["check", "--answers", "{answers}", "--key", "{}"],
    ["exam", "derivations/exams/dense.sc", "--roster", "{}", "-o", "{out}"],
])
def test_every_file_a_user_names_is_read_only_if_regular(tmp_path: Path, kind: str, command: list[str],
                                                        exam_key: Path) -> None:
    """Notes, answers, keys and rosters are read as descriptions are: a regular UTF-8 file, refused
    before reading otherwise (a FIFO hung, /dev/zero read without end, binary gave a traceback)."""
    key = exam_key
    answers = tmp_path / "answers.csv"
    answers.write_text("student,variant,answer\n", encoding="utf-8")
    (tmp_path / "h").mkdir()
    hostile = _hostile_files(tmp_path / "h")
    argv = [word.format(hostile[kind], key=key, answers=answers, out=tmp_path / "out") for word in command]
    argv = [str(ROOT / w) if w.startswith("derivations/") else w for w in argv]
    code, out, err = run(argv)
    assert code == 2, (argv, out, err)
    assert str(hostile[kind]) in err and ("regular file" in err or "UTF-8" in err), err


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
@pytest.mark.parametrize(("layers", "steps"), [
    ("layers.LSTM(8)\n    layers.Dense(4)", 1),  # Keras: the last step unless return_sequences=True
    ("layers.GRU(8, return_sequences=True)\n    layers.Dense(4)", 10),
    ("nn.LSTM(3, 8)\n    nn.Linear(8, 4)", 10),  # PyTorch: every step, always
])
def test_a_framework_class_keeps_its_own_output_shape_under_either_convention(layers: str, steps: int,
                                                                             convention: str) -> None:
    """The convention says how to count, not what a framework's class returns: Keras code counted
    under the PyTorch convention gave every step of a Keras LSTM (ten times the next layer's MACs, and
    a valid multi-input Keras model refused: concatenated branches of different lengths)."""
    import symcount  # noqa: PLC0415  (the API, beside the CLI the rest of this file drives)

    result = symcount.count(f"network n {{\n    input(L=10, C=3)\n    {layers}\n}}", convention=convention)
    assert result.layers[-1].macs == steps * 8 * 4
    code, _, err = run(["count", str(ROOT / "tests/model_code/keras_multi_input.py"), "--convention", convention])
    assert code == 0, err


@pytest.mark.parametrize("verb", [["memory"], ["compute"], ["check", "--answer", "5"]])
@pytest.mark.parametrize("file", ["derivations/conv_exam.sc", "derivations/batchnorm.sc"])
def test_a_setting_for_two_counts_is_refused_at_its_line_naming_the_verbs_that_show_it(verb: list[str],
                                                                                       file: str) -> None:
    """``# bias: both`` / ``# convention: both`` on a verb that shows one count: refused at the line,
    and the message must not say that count cannot show it (count does, as derive does)."""
    code, _, err = run([verb[0], str(ROOT / file), *verb[1:]])
    assert code == 2
    assert ":1: '# " in err.splitlines()[0].replace(":5:1:", ":1:").replace(":6:1:", ":1:")
    assert "which count cannot" not in err and "count and derive" in err
    assert run(["count", str(ROOT / file)])[0] == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["describe", "conv2d("], "<input>:1:7: '(' is never closed"),
    (["describe", "@@@"], "<input>:1:1:"),
    (["describe", str(ROOT / "derivations/lenet5.sc"), "--network", "nonexistent"], "no network named 'nonexistent'"),
    (["describe", str(ROOT / "derivations/zoo/llm/llama.sc#llama3_9b")], "no network named 'llama3_9b'"),
])
def test_describe_refuses_what_the_other_verbs_cannot_read(argv: list[str], message: str) -> None:
    """describe printed a description as written, exit 0, even one that does not parse or with a
    --network that is not in it (an option that took no effect)."""
    code, out, err = run(argv)
    assert code == 2 and not out
    assert message in err


def test_describe_still_prints_a_description_as_written() -> None:
    path = ROOT / "derivations/lenet5.sc"
    assert run(["describe", str(path), "--network", "lenet5"]) == (0, path.read_text(encoding="utf-8"), "")


CONV = "conv2d(C_in=128, C_out=256, k=3)"


@pytest.mark.parametrize("separator", ["X\n\\input{/etc/passwd}", r"\input{x}", r"\write18{ls}", "}$ \\def", "{}}{",
                                       r"\thinspaceX", "x" * 41])
def test_a_digit_separator_cannot_carry_tex_commands(separator: str) -> None:
    """The digit separator went into the document raw: a newline and \\input read a file at compile time."""
    code, out, err = run(["derive", CONV, "--digit-separator", separator])
    assert code == 2 and not out and "separator" in err


@pytest.mark.parametrize("separator", ["{,}", r"\,", "", "'", "~", r"{\,}", r"\thinspace", "."])
def test_spacing_and_punctuation_separators_are_used(separator: str) -> None:
    code, out, _ = run(["derive", CONV, "--digit-separator", separator])
    assert code == 0 and f"295{separator}168" in out


@pytest.mark.parametrize(("fmt", "option"), [
    ("text", ["--digit-separator", r"\,"]), ("json", ["--digit-separator", r"\,"]), ("json", ["--mul", "cdot"]),
    ("json", ["--kernel-style", "power"]),
])
def test_typography_a_format_does_not_show_is_refused(fmt: str, option: list[str]) -> None:
    """An option that changes nothing in the output is an error, not a no-op."""
    code, out, err = run(["derive", CONV, "--format", fmt, *option])
    assert code == 2 and not out and option[0] in err


LENET = str(ROOT / "derivations/lenet5.sc")


@pytest.mark.parametrize("argv", [
    ["memory", LENET], ["compute", LENET], ["check", LENET, "--answer", "5"], ["compare", LENET, LENET],
    ["solve", str(ROOT / "derivations/solve/stem.sc"), "--unknown", "s=1..2", "--unknown", "p=0..3",
     "--require", "conv1.output_size == 112"],
])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_standalone_needs_latex_in_every_verb(argv: list[str], fmt: str) -> None:
    """--standalone on a text, markdown or JSON output changed nothing and exited 0 (count and derive
    refused it; memory, compute, check, compare and solve did not)."""
    code, out, err = run([*argv, "--format", fmt, "--standalone"])
    assert code == 2 and not out and "--standalone" in err


@pytest.mark.parametrize("argv", [["count", LENET], ["memory", LENET], ["compare", LENET, LENET, "--a-network"]])
def test_an_empty_network_name_is_refused(argv: list[str]) -> None:
    """--network '' read as no --network: the default network, silently."""
    code, out, err = run([*argv, ""] if argv[-1].startswith("--") else [*argv, "--network", ""])
    assert code == 2 and not out and "network's name" in err


def test_a_kv_cache_dtype_without_a_kv_cache_is_refused() -> None:
    llama = str(ROOT / "derivations/zoo/llm/llama.sc#llama3_8b")
    code, out, err = run(["memory", llama, "--kv-dtype", "fp16"])
    assert code == 2 and not out and "--kv-cache" in err
    assert run(["memory", llama, "--kv-dtype", "fp16", "--kv-cache", "8"])[0] == 0


def _render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notes: str) -> tuple[int, str, str]:
    """``symcount render NOTES -o -`` run in ``tmp_path`` (the current directory blocks read from)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text(notes, encoding="utf-8")
    return run(["render", "notes.md", "-o", "-"])


@pytest.mark.parametrize("block", [
    "```symcount describe\n{outside}\n```\n",
    "```symcount count\n{outside}#n\n```\n",
    "```symcount check --answers {outside} --key {outside}\n```\n",
    "```symcount compare --sweep C=1..4 --plot out.png\nlinear(C_in=C, C_out=4)\n---\nlinear(C_in=C, C_out=5)\n```\n",
])
def test_a_block_reads_only_files_of_the_current_directory_and_writes_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str) -> None:
    """Shared notes could read any file of the machine into the rendered output (describe echoes a
    description) or write one (--plot)."""
    outside = tmp_path / "outside.sc"
    outside.write_text("network n {\n    linear(C_in=3, C_out=4)\n}\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    code, out, err = _render(tmp_path / "notes", monkeypatch, block.format(outside=outside))
    assert code == 2 and not out
    assert "current directory" in err or "--plot" in err


def test_a_block_reads_a_file_beside_the_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.sc").write_text("linear(C_in=3, C_out=4)\n", encoding="utf-8")
    code, out, err = _render(tmp_path, monkeypatch, "```symcount count\nsub/m.sc\n```\n")
    assert code == 0 and "16" in out, err


def test_a_wrong_answer_in_a_check_block_is_shown_not_a_failure(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """check exits 1 for a wrong answer: in notes that is the verdict to show (the slip it names),
    where the build stopped with 'symcount check exited with status 1'."""
    code, out, err = _render(tmp_path, monkeypatch, "```symcount check --answer 12\nlinear(C_in=3, C_out=4)\n```\n")
    assert code == 0, err
    assert "Wrong" in out and "bias" in out


@pytest.mark.parametrize(("let", "column"), [('let ask = "nothing"', 11), ('let convention = "tf"', 18),
                                             ('let shared_answers = "maybe"', 22)])
def test_a_bad_string_let_of_a_template_is_shown_at_its_value(tmp_path: Path, let: str, column: int) -> None:
    """These errors named the file only, though the value has a place in it."""
    template = tmp_path / "t.sc"
    template.write_text(f'let question = "How many?"\nlet C = choose(2, 4)\n{let}\n'
                        "network n {\n    input(L=4, C=3)\n    linear(C_out=C)\n}\n", encoding="utf-8")
    code, _, err = run(["exam", str(template), "--variants", "2", "--format", "json"])
    assert code == 2
    assert err.startswith(f"{template}:3:{column}: ") and "^" in err


def test_the_marked_csv_opens_in_a_spreadsheet_as_text(tmp_path: Path, exam_key: Path) -> None:
    """A student's name or answer echoed into the marked CSV is not a formula there (CSV injection):
    '=HYPERLINK(...)' gets a leading quote; a negative number stays a number."""
    import json  # noqa: PLC0415  (only this test reads the key)

    variant = json.loads(exam_key.read_text(encoding="utf-8"))["variants"]
    first = variant[0]["id"] if isinstance(variant, list) else next(iter(variant))
    answers = tmp_path / "answers.csv"
    answers.write_text(f'student,variant,answer\n"=HYPERLINK(""http://x"")",{first},-5\n@sum,{first},7\n',
                       encoding="utf-8")
    code, _, err = run(["check", "--answers", str(answers), "--key", str(exam_key)])
    assert code in (0, 1), err
    marked = (tmp_path / "answers-marked.csv").read_text(encoding="utf-8").splitlines()
    assert marked[1].startswith("\"'=HYPERLINK(") and ",-5," in marked[1]
    assert marked[2].startswith("'@sum,")


# ------------------------------------------------------------------ every verb over mutated files

CORPUS = sorted(p for p in (ROOT / "derivations").rglob("*.sc")) + MODEL_CODE
VERBS = [["count", "--format", "json"], ["derive", "--format", "text"], ["describe"], ["check", "--answer", "5"],
         ["memory"], ["compute"], ["compare", "linear(C_in=3, C_out=4)"],
         ["solve", "--unknown", "C=1..3", "--require", "params >= 0"]]
HOSTILE = ["\x00", "\u202e", "\ufeff", "\r", "10**400", "-0", "0", "-5", "2.5", "x", "{", "}", "(", ")", ",", "=",
           "\\input{x}", "é"]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.sampled_from(VERBS), st.integers(min_value=0, max_value=10**6),
       st.sampled_from(["cut", "drop_line", "double_line", "insert", "delete"]), st.sampled_from(HOSTILE))
def test_every_verb_on_a_damaged_file_exits_cleanly(tmp_path_factory: pytest.TempPathFactory, path: Path,
                                                    verb: list[str], where: int, damage: str, piece: str) -> None:
    """A project file cut, with a line dropped or doubled, or a hostile piece put in: exit 0, 1 or 2,
    never an exception (the sweep that found the bugs above ran this over every verb and input kind)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    i, n = where % max(len(text), 1), where % max(len(lines), 1)
    damaged = {"cut": text[:i], "drop_line": "\n".join(lines[:n] + lines[n + 1:]),
               "double_line": "\n".join(lines[:n + 1] + lines[n:]), "insert": text[:i] + piece + text[i:],
               "delete": text[:i] + text[i + len(piece):]}[damage]
    copy = tmp_path_factory.mktemp("damaged") / path.name
    copy.write_text(damaged, encoding="utf-8")
    code, out, err = run([verb[0], str(copy), *verb[1:]])
    assert code in (0, 1, 2)
    assert "Traceback" not in out + err
    if code == 2:
        assert err.strip() and not out


def test_a_tuple_value_is_taken_by_solve_and_the_api_as_by_count() -> None:
    """count took --set k=(3,5); solve (which hands its values on evaluated) and values={"k": (3, 5)}
    were refused with Python's type name ('not tuple')."""
    import symcount  # noqa: PLC0415  (the API, beside the CLI the rest of this file drives)

    net = "network n(p) {\n    input(H=32, W=32, C=3)\n    conv1: conv2d(C_out=8, k=k, padding=p)\n}"
    code, out, err = run(["solve", net, "--set", "k=(3,5)", "--unknown", "p=0..3",
                          "--require", "conv1.output_size[0] == 32"])
    assert code == 0 and "p = 1" in out, err
    assert symcount.count("conv2d(C_in=3, C_out=8, k=k)", values={"k": (3, 5)}).total == 3 * 5 * 3 * 8 + 8
    with pytest.raises(symcount.SymcountError, match="an int, an expression or a tuple"):
        symcount.count("conv2d(C_in=3, C_out=8, k=k)", values={"k": object()})


@pytest.mark.parametrize("option", [["--set", "C=3"], ["--convention", "keras"], ["--network", "x"],
                                    ["--quantity", "macs"], ["--batch", "4"], ["--layer", "x"], ["--dtype", "int8"],
                                    ["--from", "python"]])
def test_marking_a_class_refuses_options_the_key_decides(tmp_path: Path, exam_key: Path, option: list[str]) -> None:
    """check --answers --key marked the class the same with any of these (eight silent no-ops)."""
    answers = tmp_path / "answers.csv"
    answers.write_text("student,variant,answer\n", encoding="utf-8")
    code, out, err = run(["check", "--answers", str(answers), "--key", str(exam_key), *option])
    assert code == 2 and not out and option[0] in err and "no effect" in err


@pytest.mark.parametrize("option", ["--set", "--a-set", "--b-set"])
def test_a_sweep_over_a_name_also_set_is_refused(option: str) -> None:
    """--sweep C with --set C=3: the set value won and the sweep table was silently left out."""
    code, out, err = run(["compare", "linear(C_in=C, C_out=4)", "linear(C_in=C, C_out=5)", "--sweep", "C=1..4",
                          option, "C=3"])
    assert code == 2 and not out and f"also given by {option}" in err


def test_an_activation_dtype_without_activations_is_refused() -> None:
    """memory --activation-dtype on a network no input shape reaches counted no activations: no effect."""
    code, out, err = run(["memory", "linear(C_in=3, C_out=4)", "--activation-dtype", "fp16"])
    assert code == 2 and not out and "--activation-dtype" in err
    assert run(["memory", LENET, "--activation-dtype", "fp16"])[0] == 0


@pytest.mark.parametrize(("path", "origin"), [("derivations/lenet5.sc", "python"),
                                              ("tests/model_code/torch_mnist.py", "description")])
def test_a_from_that_contradicts_the_file_name_is_refused(path: str, origin: str) -> None:
    """A file is read by its name; --from python on a .sc (or description on a .py) was ignored."""
    code, out, err = run(["count", str(ROOT / path), "--from", origin])
    assert code == 2 and not out and f"--from {origin}" in err
    assert run(["count", str(ROOT / path), "--from", "python" if origin == "description" else "description"])[0] == 0


def test_a_null_byte_in_model_code_is_shown_where_it_is(tmp_path: Path) -> None:
    """Python's parser names no place for a NUL byte; the message had none either."""
    code_file = tmp_path / "model.py"
    code_file.write_text("import torch\nfrom torch import nn\nmodel = nn.Sequential(nn.Linear(3, \x004))\n",
                         encoding="utf-8")
    code, out, err = run(["count", str(code_file)])
    assert code == 2 and not out
    assert err.startswith(f"{code_file}:3:36: not valid Python") and "^" in err


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_exam_output_that_is_not_a_folder_is_named_as_such(tmp_path: Path, target: str) -> None:
    """exam -o FILE said 'cannot write to FILE: File exists'."""
    path = tmp_path / "file" if target == "file" else Path(target)
    if target == "file":
        path.write_text("keep\n", encoding="utf-8")
    code, out, err = run(["exam", str(ROOT / "derivations/exams/dense.sc"), "--variants", "2", "-o", str(path)])
    assert code == 2 and not out and err.startswith(f"{path}: is not a directory")
