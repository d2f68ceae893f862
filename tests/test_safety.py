"""No silent wrong answer: every value and setting a user gives takes effect, or is refused with where.

``--set`` (``values=``) sets a network parameter, a top-level ``let`` or a free symbol; a name the
description binds only by a block call is refused at that binding. A file's opening-comment settings
(``# convention:``, ``# bias:``) apply to every verb, or are refused where a verb cannot show them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import needs
import pytest

import symcount
from symcount import counting
from symcount.cli.main import main
from symcount.errors import SymcountError

ROOT = Path(__file__).resolve().parent.parent
LLAMA = ROOT / "derivations" / "zoo" / "llm" / "llama.sc"
BILSTM = ROOT / "derivations" / "keras_bilstm.sc"

BLOCK_BOUND = """\
block stage(C, n=2, size=3) {
    repeat n { conv2d(C_out=C, k=size, padding=1) }
}
let width = 8
network net(depth=1) {
    input(H=8, W=8, C=3)
    stage(C=width, n=depth)
    stage(C=16)
    linear(C_out=classes)
}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ --set / values=


def test_a_name_bound_by_a_call_is_refused_at_the_binding() -> None:
    with pytest.raises(SymcountError) as caught:
        symcount.count(Path(f"{LLAMA}#llama3_8b"), values={"kv_heads": 32})
    err = caught.value
    lines = LLAMA.read_text().split("\n")
    network_line = next(i for i, line in enumerate(lines, 1) if line.startswith("network llama3_8b"))
    call_line = next(i for i in range(network_line, len(lines)) if "llama(" in lines[i - 1])
    assert err.line == call_line and lines[err.line - 1][err.column - 1:].startswith("kv_heads=8")
    assert "bound by a call" in err.message and "parameter of the network" in (err.hint or "")


def test_a_block_default_is_bound_inside_the_description_too() -> None:
    with pytest.raises(SymcountError) as caught:
        symcount.count(BLOCK_BOUND, values={"size": 5})
    assert (caught.value.line, "bound by a call" in caught.value.message) == (1, True)  # block stage(..., size=3)
    with pytest.raises(SymcountError) as caught:
        symcount.count(BLOCK_BOUND, values={"n": 5})
    assert caught.value.line == 7  # the first binding: stage(C=width, n=depth)
    with pytest.raises(SymcountError) as caught:
        symcount.count(BLOCK_BOUND, values={"C": 5})
    assert caught.value.line == 7  # stage(C=width, ...)


@pytest.mark.parametrize(("values", "changes"), [({"width": 4}, True), ({"depth": 3}, True),
                                                 ({"classes": 10}, True)])
def test_network_parameters_top_level_lets_and_free_symbols_are_set(values: dict, changes: bool) -> None:
    before = symcount.count(BLOCK_BOUND).total
    after = symcount.count(BLOCK_BOUND, values=values).total
    assert (after != before) is changes


def test_the_unknown_name_list_shows_only_settable_names() -> None:
    with pytest.raises(SymcountError) as caught:
        symcount.count(BLOCK_BOUND, values={"foo": 3})
    listed = caught.value.message.partition("(names that can be set: ")[2].rstrip(")").split(", ")
    assert set(listed) == {"classes", "depth", "width"}


def test_cli_set_and_compare_sides_refuse_a_call_bound_name(capsys: pytest.CaptureFixture[str]) -> None:
    source = f"{LLAMA}#llama3_8b"
    code, out, err = run(capsys, "count", source, "--set", "kv_heads=32")
    # the binding is llama3_8b's call of the block: kv_heads=8 on the network's line
    line = next(i for i, text in enumerate(Path(LLAMA).read_text().splitlines(), 1)
                if "network llama3_8b" in text or ("llama3_8b" in text and "kv_heads=8" in text))
    binding = next(i for i, text in enumerate(Path(LLAMA).read_text().splitlines(), 1)
                   if i >= line and "kv_heads=8" in text)
    assert code == 2 and out == "" and f":{binding}:" in err.splitlines()[0] and "bound by a call" in err
    code, _, err = run(capsys, "count", source, "--set", "foo=3")
    assert code == 2 and "kv_heads" not in err.splitlines()[0]
    code, out, err = run(capsys, "compare", source, source, "--a-set", "kv_heads=32")
    assert code == 2 and "--a-set kv_heads" in err and "same" not in out
    code, _, err = run(capsys, "compare", source, source, "--set", "kv_heads=32")
    assert code == 2 and "bound by a call" in err


# ------------------------------------------------------------------ file settings


def test_the_files_convention_applies_to_count_as_to_derive() -> None:
    counted = symcount.count(BILSTM)
    assert counted.convention == "keras"
    assert counted.total == symcount.derive(BILSTM).total
    assert symcount.count(BILSTM, convention="pytorch").total != counted.total  # an explicit option wins


def test_every_verb_honours_the_files_convention(capsys: pytest.CaptureFixture[str]) -> None:
    keras_total = symcount.count(BILSTM, convention="keras").total
    code, out, _ = run(capsys, "count", str(BILSTM), "--format", "json")
    assert code == 0 and json.loads(out)["total"] == keras_total
    code, out, _ = run(capsys, "check", str(BILSTM), "--answer", str(keras_total), "--format", "json")
    assert json.loads(out)["correct"] is True
    code, out, _ = run(capsys, "compare", str(BILSTM), str(BILSTM), "--format", "json")
    assert json.loads(out)["a"]["total"] == keras_total


def test_a_files_bias_setting_applies_to_count() -> None:
    text = "# bias: false\nconv2d(C_in=3, C_out=4, k=3)"
    assert symcount.count(text).total == 3 * 4 * 9
    assert symcount.count(text, bias=True).total == 3 * 4 * 9 + 4


def test_both_is_shown_by_the_count_table_or_refused_where_one_count_is_asked(
        capsys: pytest.CaptureFixture[str]) -> None:
    exam = ROOT / "derivations" / "conv_exam.sc"
    code, out, _ = run(capsys, "count", str(exam))
    assert code == 0 and "with bias" in out and "without bias" in out
    assert "295,168" in out and "294,912" in out
    code, _, err = run(capsys, "count", str(exam), "--format", "json")
    assert code == 2 and "--bias" in err
    with pytest.raises(SymcountError) as caught:
        symcount.count(exam)
    assert caught.value.line == 5 and "# bias: both" in caught.value.message


# ------------------------------------------------------------------ check's exit status


@pytest.mark.parametrize(("answer", "status"), [("(128 + 1)*256", 0), ("128*(256+1)", 1), ("128 +* 2", 2)])
def test_check_exits_0_right_1_wrong_2_bad_input(capsys: pytest.CaptureFixture[str], answer: str,
                                                  status: int) -> None:
    assert main(["check", "linear(C_in=128, C_out=256)", "--answer", answer]) == status
    out, err = capsys.readouterr()
    assert (out.startswith("Correct"), out.startswith("Wrong"), bool(err)) == (status == 0, status == 1, status == 2)


def test_check_documents_its_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "1 it is wrong" in " ".join(capsys.readouterr().out.split())
    assert "1 it is wrong" in (ROOT / "docs" / "teaching.md").read_text()


# ------------------------------------------------------------------ options the frameworks refuse


@pytest.mark.parametrize(("hidden", "proj"), [(20, 5), (20, 19), (20, 20), (20, 21), (8, 64)])
def test_lstm_projection_is_refused_exactly_where_pytorch_refuses_it(hidden: int, proj: int) -> None:
    torch = needs.module("torch")
    try:
        expected = sum(p.numel() for p in torch.nn.LSTM(10, hidden, proj_size=proj).parameters())
    except ValueError:
        expected = None
    source = f"nn.LSTM(10, {hidden}, proj_size={proj})"
    if expected is None:
        with pytest.raises(SymcountError, match="proj_size"):
            symcount.count(source)
    else:
        assert symcount.count(source).total == expected


# ------------------------------------------------------------------ the API's arguments


def test_a_sympy_answer_means_the_questions_names_whatever_its_assumptions() -> None:
    sympy = needs.module("sympy")
    k, c_in, c_out = sympy.symbols("k C_in C_out")
    assert symcount.check("conv2d", (k * k * c_in + 1) * c_out).correct is True
    assert symcount.check("conv2d", k * k * c_in * c_out).correct is False
    assert symcount.check("linear(C_in=C, C_out=4)", sympy.Symbol("C") * 4 + 4).correct is True
    assert symcount.check("linear(C_in=C, C_out=4)", sympy.Symbol("C", real=True) * 4).correct is False


@pytest.mark.parametrize(("call", "message"), [
    (lambda: symcount.check("linear(C_in=2, C_out=3)", "9", quantity=None), "unknown quantity"),
    (lambda: symcount.check("linear(C_in=2, C_out=3)", 10 ** 5000), "too large"),
    (lambda: symcount.check("linear(C_in=2, C_out=3)", 9.0), "not float"),
    (lambda: symcount.check("linear(C_in=2, C_out=3)", [9]), "not list"),
    (lambda: symcount.compare(1, 2), "not int"),
    (lambda: symcount.compare("linear(C_in=2, C_out=3)", None), "not NoneType"),
    (lambda: symcount.compare("linear(C_in=2, C_out=3)", "linear(C_in=2, C_out=4)", labels=5), "labels"),
    (lambda: symcount.compare("linear(C_in=2, C_out=3)", "linear(C_in=2, C_out=4)", convention=3), "convention"),
])
def test_wrong_api_argument_types_are_symcount_errors(call: object, message: str) -> None:
    with pytest.raises(SymcountError, match=message):
        call()  # type: ignore[operator]


# ------------------------------------------------------------------ files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_only_regular_files_up_to_the_limit_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.sc"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.sc"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.sc"
    with big.open("wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: 300 MB that costs nothing
    cases = [(fifo, "not a regular file (a pipe)"), (zero, "not a regular file (a device)"),
             (Path("/dev/zero"), "not a regular file (a device)"), (tmp_path, "not a regular file (a directory)"),
             (big, "the limit is 1,048,576 bytes")]
    for path, message in cases:
        with pytest.raises(SymcountError, match=re.escape(message)):  # a hang or a read of 300 MB fails here
            symcount.count(path)
    at_limit = tmp_path / "at_limit.sc"  # read (the parser then names its own limit on characters)
    at_limit.write_text("linear(C_in=2, C_out=3)" + " " * (counting.MAX_SOURCE_BYTES - 23))
    with pytest.raises(SymcountError, match="description too long"):
        symcount.count(at_limit)
    short = tmp_path / "short.sc"
    short.write_text("linear(C_in=2, C_out=3)")
    assert symcount.count(short).total == 9
