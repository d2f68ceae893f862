"""Bad input gets a clear SymcountError (file:line:col, caret, hint), never a traceback.

Each case asserts the exact position and message, through the Python API and
through the CLI (exit 2, ``file:line:col: message`` on stderr). The syntax
table doubles as the guard for ``symcount.language.syntax_errors``: a grammar edit that
changes how a common mistake is classified fails here.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy

import symcount
from symcount import SymcountError
from symcount.catalog.core import lookup
from symcount.cli.main import main
from symcount.errors import UndecidableError
from symcount.teaching.exam import generate

ROOT = Path(__file__).resolve().parent.parent


def error_of(source: str | Path, **kw: object) -> SymcountError:
    with pytest.raises(SymcountError) as info:
        symcount.count(source, **kw)  # type: ignore[arg-type]
    return info.value


def valid_args(kind: str) -> str:
    """The '(valid: ...)' list the catalog itself gives for a layer."""
    entry = lookup(kind)
    assert entry is not None
    return ", ".join(spec.name for spec in entry.args)


# ------------------------------------------------------------------ syntax errors
# (text, line, column, message, hint or None when the hint is not the point)
SYNTAX = [
    # a missing comma: after the first argument, after a later one, after a name,
    # after an expression, after a tuple, positional, and inside a network body
    ("conv2d(C_in=128 C_out=256, k=3)", 1, 17, "missing ',' between arguments", "expected ')' or ',', found 'C_out'"),
    ("conv2d(C_in=128, C_out=256 k=3)", 1, 28, "missing ',' between arguments", "expected ')' or ',', found 'k'"),
    ("conv2d(C_in=C C_out=2)", 1, 15, "missing ',' between arguments", None),
    ("conv2d(C_in=2*C, C_out=2 k=3)", 1, 26, "missing ',' between arguments", None),
    ("conv2d(k=(3, 3) C_out=2)", 1, 17, "missing ',' between arguments", None),
    ("conv2d(1 2)", 1, 10, "missing ',' between arguments", None),
    ("conv2d(k=(3 3))", 1, 13, "missing ',' between arguments", None),
    ("network n {\n    input(C=3)\n    linear(C_out=2 bias=false)\n}", 3, 20, "missing ',' between arguments", None),
    # brackets
    ("conv2d(C_in=128, C_out=256, k=3", 1, 7, "'(' is never closed", "add ')' where it should end"),
    ("conv2d(C_in=1, C_out=2\nrelu()", 1, 7, "'(' is never closed", None),
    ("network n {\n    input(C=3)\n    linear(C_out=2)\n", 1, 11, "'{' is never closed", "add '}' where it should end"),
    ("network n {\n    input(C=3)\n    residual {\n        relu()\n}", 1, 11, "'{' is never closed", None),
    ("relu())", 1, 7, "unmatched ')'", "nothing is open here"),
    ("network n { input(C=3)\n relu() }}", 2, 10, "unmatched '}'", None),
    ("conv2d(C_in=1}", 1, 14, "'}' does not close the '(' before it", "close it with ')'"),
    # = versus ==
    ("network n { input(C=3)\n if C = 3 { relu() } }", 2, 7,
     "'=' gives an argument a value; to compare, write '=='", "e.g. if s == 1 { ... }"),
    ("conv2d(C_in=1, C_out=2, k==3)", 1, 25, "'==' compares; to give k a value write k=...", None),
    ("let = 3", 1, 5, "unexpected '='", "expected a name, found '='"),
    # other common slips
    ("linear(C_in=3, C_out=)", 1, 22, "missing a value before ')'", "expected a value, found ')'"),
    ("relu() relu()", 1, 8, "two statements on one line", "put each on its own line or separate them with ';'"),
    ("linear C_in=3", 1, 8, "arguments go in parentheses after the layer name", None),
    ("linear(C_in=3; C_out=4)", 1, 14, "unexpected ';'; expected ')' or ','", None),
    ("(((", 1, 1, "unexpected '('; expected a layer or statement, a new line or ';' or the end of the text", None),
    # misspelt keywords parse as layer names; the next token fails
    ("netwrok lenet {\n    input(C=3)\n}", 1, 1, "unknown word 'netwrok'", "did you mean 'network'?"),
    ("network n {\n    input(C=3)\n    reapeat 3 { relu() }\n}", 3, 5, "unknown word 'reapeat'",
     "did you mean 'repeat'?"),
    ("network n { input(C=3)\n residual { relu() } shorcut { relu() } }", 2, 22, "unknown word 'shorcut'",
     "did you mean 'shortcut'?"),
    ("network n { input(C=3)\n if true { relu() } esle { relu() } }", 2, 21, "unknown word 'esle'",
     "did you mean 'else'?"),
    ("lte x = 3", 1, 1, "unknown word 'lte'", "did you mean 'let'?"),
    # characters
    ("linear(C_in=3, C_out=4) @", 1, 25, "unexpected character '@'", None),
    ("linear(C_in=3 × 4, C_out=2)", 1, 15, "unexpected character '×'", "write '*'"),
    ("linear(C_in=`a`, C_out=2)", 1, 13, "unexpected character '`'", "write '\"' (strings use double quotes)"),
    ("linear(C_in=3,\x00 C_out=4)", 1, 15, "unexpected control character U+0000",
     "descriptions are plain text; is this a binary file?"),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), SYNTAX)
def test_syntax_error(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_missing_comma_is_found_whatever_precedes_it() -> None:
    """Every kind of value before the missing comma, at the first and a later position."""
    values = ["1", "C", "2.5", '"same"', "true", "(1, 2)", "max(1, 2)", "-C", "2*C", "C^2", "(C)"]
    for value in values:
        for prefix in ("", "C_in=1, "):
            text = f"conv2d({prefix}k={value} C_out=2)"
            err = error_of(text)
            assert err.message == "missing ',' between arguments", text
            assert err.column == text.index(" C_out") + 2, text


# ------------------------------------------------------------------ meaning errors
SEMANTIC = [
    ("conv2 (C_in=1, C_out=2, k=3)", 1, 1, "unknown layer 'conv2'", "did you mean 'conv2d'?"),
    ("lienar(C_in=1, C_out=2)", 1, 1, "unknown layer 'lienar'", "did you mean 'linear'?"),
    ("network n { input(C=3)\n residul { relu() } }", 2, 2, "unknown layer 'residul'", "did you mean 'residual'?"),
    ("network n {\n    input(C=3)\n    linaer(C_out=2)\n}", 3, 5, "unknown layer 'linaer'", "did you mean 'linear'?"),
    ("conv2d(C_in=1, C_out=2, k=3, C_out=4)", 1, 30, "argument C_out given twice", None),
    ("conv2d(C_in=1, C_out=2, k=3, out_channels=4)", 1, 30, "argument C_out given twice",
     "out_channels is another name for C_out"),
    ("network n {\n  conv2d(C_out=2, k=3)\n}", 2, 3, "conv2d: C_in cannot be inferred: no input shape reaches this layer",
     "start the network with input(...) or give C_in="),
    ("conv2d(C_in=1, C_out=0, k=3)", 1, 22, "C_out must be positive, not 0", None),
    ("conv2d(C_in=1, C_out=2.5, k=3)", 1, 22, "C_out must be a whole number, not 2.5", None),
    ("conv2d(C_in=1, C_out=-3, k=3)", 1, 22, "C_out must be positive, not -3", None),
    ("conv2d(C_in=1, C_out=1/3, k=3)", 1, 22, "C_out must be a whole number, not 1/3", None),
    ('linear(C_in="a", C_out=2)', 1, 13, 'C_in must be a size, not the string "a"', None),
    ("conv2d(C_in=6, C_out=4, k=3, groups=4)", 1, 30, "groups=4 does not divide C_in=6", None),
    ("network n {\n input(H=2, W=2, C=3)\n conv2d(C_out=4, k=3)\n}", 3, 2,
     "conv2d does not fit its input (3, 2, 2): the output would have size 0",
     "the kernel is larger than the padded input"),
    ("network n {\n input(H=32, W=32)\n relu()\n}", 2, 2, "an image input needs its channels C", None),
    ("linear(C_in=4/0, C_out=2)", 1, 15, "division by zero", None),
    ("linear(C_in=sqr(4), C_out=2)", 1, 13, "unknown function 'sqr' (known: abs, ceil, floor, max, min, sqrt)",
     "did you mean 'sqrt'?"),
    ("linear(C_in=floor(1, 2), C_out=2)", 1, 13, "floor(): takes 1 argument, got 2", None),
    ("network n { input(C=3)\n repeat 2.5 { relu() } }", 2, 9, "repeat count must be a whole number >= 0, got 2.5", None),
    ("block a { a() }\nnetwork n { input(C=3)\n a() }", 1, 11, "recursive block: n -> a -> a", None),
    ("block a { b() }\nblock b { a() }\nnetwork n { input(C=3)\n a() }", 2, 11, "recursive block: n -> a -> b -> a", None),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), SEMANTIC)
def test_meaning_error(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


# Keras's wrappers (Bidirectional, TimeDistributed) and layer calls where a value belongs
_IN = "network n {\n  input(L=10, C=8)\n  "
WRAPPERS = [
    (_IN + "Bidirectional(Dense(3))\n}", 3, 17,
     "Bidirectional wraps a recurrent layer (LSTM, GRU or SimpleRNN), not Dense",
     "only a recurrent layer has a direction to reverse"),
    (_IN + "layers.Bidirectional(layers.Conv1D(4, 3))\n}", 3, 31,
     "Bidirectional wraps a recurrent layer (LSTM, GRU or SimpleRNN), not Conv1D", None),
    (_IN + "Bidirectional(TimeDistributed(Dense(3)))\n}", 3, 17,
     "Bidirectional wraps a recurrent layer (LSTM, GRU or SimpleRNN), not TimeDistributed", None),
    (_IN + "Bidirectional(LSTM(3), merge_mode=None)\n}", 3, 37,
     "merge_mode=None returns the two directions as two outputs; symcount follows one output",
     'merge_mode="concat" (the default, 2H wide), "sum", "mul" or "ave" (H wide)'),
    (_IN + 'Bidirectional(LSTM(3), merge_mode="add")\n}', 3, 37,
     'unknown merge_mode "add" (valid: concat, sum, mul, ave)', None),
    (_IN + 'Bidirectional(LSTM(3), "sums")\n}', 3, 26, 'unknown merge_mode "sums" (valid: concat, sum, mul, ave)',
     "did you mean 'sum'?"),
    (_IN + "Bidirectional(LSTM(3), backward_layer=LSTM(3, go_backwards=True))\n}", 3, 26,
     "backward_layer= is not read: symcount counts the backward copy as a twin of the forward layer",
     "leave it out when the backward layer is the same layer (go_backwards=True): the count is the same"),
    (_IN + "Bidirectional(LSTM(3, bidirectional=True))\n}", 3, 25,
     "LSTM inside Bidirectional already runs both directions: leave out bidirectional=", None),
    (_IN + "Bidirectional(LSTM)\n}", 3, 17, "Bidirectional wraps a layer call such as LSTM(64), not the name LSTM "
     "(call it: a layer is made by calling its class)", "write Bidirectional(LSTM(64))"),
    (_IN + "Bidirectional()\n}", 3, 3, "Bidirectional needs the layer it wraps, e.g. Bidirectional(LSTM(64))", None),
    (_IN + "Bidirectional(nn.LSTM(8, 3))\n}", 3, 20, "nn.LSTM is a PyTorch layer; Bidirectional is a Keras wrapper",
     "PyTorch's nn.LSTM, nn.GRU and nn.RNN take bidirectional=True"),
    (_IN + "Bidirectional(LSTM(3), foo=1)\n}", 3, 26,
     "Bidirectional has no argument 'foo' (valid: layer, merge_mode, weights, backward_layer, trainable)", None),
    (_IN + 'lstm(hidden=3, merge="sum")\n}', 3, 18, 'merge="sum" combines two directions: it needs bidirectional=true',
     None),
    (_IN + "Dense(LSTM(3))\n}", 3, 9, "LSTM(...) is a layer, not a value: only a wrapper (Bidirectional, "
     "TimeDistributed) takes a layer as an argument", "a model lists its layers one after the other, each on its own"),
    (_IN + "Dense(units=layers.Dense(3))\n}", 3, 22, "Dense(...) is a layer, not a value: only a wrapper "
     "(Bidirectional, TimeDistributed) takes a layer as an argument", None),
    (_IN + "linear(C_out=2 * lstm(hidden=3))\n}", 3, 20, "lstm(...) is a layer, not a value: only a wrapper "
     "(Bidirectional, TimeDistributed) takes a layer as an argument", None),
    ('let x = Dense(3, activation="relu")', 1, 9, "Dense(...) is a layer, not a value: only a wrapper "
     "(Bidirectional, TimeDistributed) takes a layer as an argument", None),
    ("network n {\n  input(C=8)\n  TimeDistributed(Dense(3))\n}", 3, 3,
     "TimeDistributed needs an input with a time axis first, e.g. (L, C); the input here is (8)", None),
    (_IN + "TimeDistributed(Dense(3)) { relu() }\n}", 3, 3, "TimeDistributed takes no body",
     "the layer it wraps goes in parentheses: TimeDistributed(Dense(10))"),
    (_IN + "TimeDistributed(Dense(3), 4)\n}", 3, 29, "TimeDistributed takes at most 1 positional arguments",
     "in order: layer"),
    (_IN + "TimeDistributed(Dens(3))\n}", 3, 19, "unknown layer 'Dens'", "did you mean 'Dense'?"),
    ("Dense(64, activation=tf.nn.relu)", 1, 24, "unexpected character '.'",
     "a module path only leads to a layer call (layers.LSTM(64)); a value such as tf.nn.relu cannot carry one"),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), WRAPPERS)
def test_wrapper_error(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(text, convention="keras")
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_unknown_argument_lists_the_valid_ones_and_suggests() -> None:
    err = error_of("conv2d(C_in=1, C_out=2, k=3, foo=2)")
    assert (err.line, err.column) == (1, 30)
    assert err.message == f"conv2d has no argument 'foo' (valid: {valid_args('conv2d')})"
    err = error_of("conv2d(C_in=1, C_out=2, k=3, kernal_size=3)")
    assert err.hint == "did you mean 'kernel_size'?"
    assert {"C_in", "C_out", "k", "groups", "bias"} <= set(valid_args("conv2d").split(", "))


def test_aliases_are_accepted() -> None:
    assert symcount.count("Conv2D(C_in=1, C_out=2, k=3)").total == 20
    assert symcount.count("Conv2d(in_channels=1, out_channels=2, kernel_size=3)").total == 20


def test_unknown_set_name_lists_the_symbols() -> None:
    err = error_of("conv2d(bias=b)", values={"bb": 3})
    assert err.message == "--set bb: no such name in the description (names that can be set: C_in, C_out, b, k)"
    assert err.hint == "did you mean 'b'?"


def test_set_values_are_checked_in_their_own_text() -> None:
    """A bad --set value is reported against the value, not against the description."""
    err = error_of("linear(C_in=C, C_out=2)", values={"C": "1/0"})
    assert (err.filename, err.line, err.column, err.message) == ("--set C", 1, 3, "division by zero")
    assert str(err).splitlines()[:3] == ["--set C:1:3: division by zero", "    1/0", "      ^"]
    err = error_of("linear(C_in=C, C_out=2)", values={"C": '__import__("os")'})
    assert err.filename == "--set C" and err.message.startswith("unknown function '__import__'")
    err = error_of("linear(C_in=C, C_out=2)", values={"C": 2.5})
    assert err.message == "value for C must be an int, an expression or a tuple of them, not float"


def test_network_choice_errors() -> None:
    two = "network a { input(C=3)\n linear(C_out=2) }\nnetwork b { input(C=3)\n linear(C_out=2) }"
    err = error_of(two)
    assert err.message == "the description holds several things to count; name one of: a, b"
    assert err.hint == "use --network NAME, network=NAME or SOURCE#NAME"
    err = error_of(two, network="c")
    assert err.message == "no network named 'c' (networks: a, b)"
    err = error_of(two, network="bb")
    assert err.hint == "did you mean 'b'?"


def test_error_text_has_location_source_line_caret_and_hint() -> None:
    err = error_of("conv2d(C_in=128 C_out=256, k=3)")
    assert str(err).splitlines() == [
        "<input>:1:17: missing ',' between arguments",
        "    conv2d(C_in=128 C_out=256, k=3)",
        "                    ^^^^^",
        "hint: expected ')' or ',', found 'C_out'",
    ]


def test_error_display_is_safe_for_control_characters_and_long_lines() -> None:
    err = error_of("linear(C_in=3,\x00 C_out=4)")
    shown = str(err).splitlines()
    assert shown[1] == "    linear(C_in=3,? C_out=4)"
    assert shown[2] == "    " + " " * 14 + "^"
    long_line = "relu();" * 2000 + "linear(C_in=3, C_out=0)" + ";relu()" * 2000
    err = error_of(long_line)
    source, caret = str(err).splitlines()[1:3]
    assert len(source) < 120
    assert source[caret.index("^")] == "0"


def test_errors_in_a_file_carry_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.sc"
    path.write_text("network n {\n    input(C=3)\n    linear(C_out=0)\n}\n", encoding="utf-8")
    err = error_of(path)
    assert str(err).startswith(f"{path}:3:18: C_out must be positive, not 0\n")
    path.write_text("network n {\n    input(C=3)\n    linear(C_out=2 bias=false)\n}\n", encoding="utf-8")
    assert str(error_of(path)).startswith(f"{path}:3:20: missing ',' between arguments\n")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sc"
    assert str(error_of(missing)) == f"{missing}: no such file"
    binary = tmp_path / "weights.sc"
    binary.write_bytes(b"\x80\x81\xff" * 10)
    assert str(error_of(binary)) == f"{binary}: not a text file (descriptions are UTF-8 text)"
    assert "not a regular file (a directory)" in str(error_of(tmp_path))
    assert "cannot read it" in str(error_of(Path("a\x00b.sc")))


def test_string_arguments_never_reach_sympify() -> None:
    """floor("...") would have sympy evaluate the text as Python; it is refused first."""
    for func in ("floor", "ceil", "min", "max", "abs", "sqrt"):
        err = error_of(f'linear(C_in={func}("__import__(\'os\').getpid()"), C_out=1)')
        assert err.message.startswith(f"{func}() needs numbers, got the string")


# ------------------------------------------------------------------ the CLI


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), SYNTAX[:6] + SEMANTIC[:8])
def test_cli_reports_errors_with_exit_2(capsys: pytest.CaptureFixture[str], text: str, line: int, column: int,
                                       message: str, hint: str | None) -> None:
    code, out, err = run_cli(capsys, "count", text)
    assert code == 2
    assert out == ""
    assert err.startswith(f"<input>:{line}:{column}: {message}\n")
    assert "Traceback" not in err


def test_cli_option_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "count", "conv2d(bias=b)", "--set", "bb=3")
    assert code == 2 and err.startswith(
        "<input>: --set bb: no such name in the description (names that can be set: C_in, C_out, b, k)")
    code, _, err = run_cli(capsys, "count", "conv2d(bias=b)", "--set", "b")
    assert code == 2 and err == "<input>: --set expects NAME=VALUE, got 'b'\n"
    code, _, err = run_cli(capsys, "count", "conv2d(bias=b)", "--set", "b=)")
    assert code == 2 and err.startswith("--set b:1:1: unmatched ')'")
    missing = tmp_path / "missing.sc"
    code, _, err = run_cli(capsys, "count", str(missing))
    assert code == 2 and err == f"{missing}: no such file\n"
    code, _, err = run_cli(capsys, "count", str(tmp_path))
    assert code == 2 and err == f"{tmp_path}: is a directory, not a description file\n"
    lenet = str(ROOT / "derivations" / "lenet5.sc")
    code, _, err = run_cli(capsys, "count", lenet + "#lenet")
    assert code == 2 and err.startswith(f"{lenet}: no network named 'lenet' (networks: lenet5)")
    code, _, err = run_cli(capsys, "count", lenet, "--network", "foo")
    assert code == 2 and err.startswith(f"{lenet}: no network named 'foo'")


def test_cli_long_inline_text_is_not_mistaken_for_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A description longer than a file name may be must not crash the path check."""
    code, out, err = run_cli(capsys, "count", "relu();" * 1000 + "linear(C_in=3, C_out=0)")
    assert code == 2 and "C_out must be positive, not 0" in err and "Traceback" not in err


def test_python_dash_m_reports_file_errors(tmp_path: Path) -> None:
    """The real entry point, from another directory: exit 2, path:line:col on stderr."""
    bad = tmp_path / "bad.sc"
    bad.write_text("# a comment\nconv2d(C_in=128 C_out=256, k=3)\n", encoding="utf-8")
    huge = tmp_path / "huge.sc"
    huge.write_text("relu()\n" * 800_000, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for path, head in [(bad, f"{bad}:2:17: missing ',' between arguments"),
                       (huge, f"{huge}: file too large (5,600,000 bytes; the limit is 1,048,576 bytes, 1 MiB)")]:
        proc = subprocess.run([sys.executable, "-m", "symcount", "count", str(path)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.startswith(head), proc.stderr
        assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ hostile input
# Each must end in a SymcountError well under a second: never a hang, a
# RecursionError, a MemoryError or a traceback.
_RANDOM = random.Random(20261125)
HOSTILE = {
    "5 MB of text": "relu()\n" * 750_000,
    "just under the size limit": "relu()\n" * 70_000,
    "100k-deep parentheses": "linear(C_in=" + "(" * 100_000 + "1" + ")" * 100_000 + ", C_out=2)",
    "100k open parentheses": "(" * 100_000,
    "100k-deep braces": "network n " + "{ residual " * 100_000 + "{ relu() }" + "}" * 100_000 + "}",
    "1+1+... 200k terms": "linear(C_in=" + "+".join(["1"] * 200_000) + ", C_out=2)",
    "10^10^10^10": "linear(C_in=10^10^10^10, C_out=1)",
    "2^-10^6": "linear(C_in=2^(-10^6), C_out=1)",
    "repeat 10^12": "network n {\n input(C=3)\n repeat 10^12 { relu() }\n}",
    "an LSTM of 10^9 stacked layers": "network n {\n input(L=8, C=8)\n lstm(hidden=8, layers=10^9)\n}",
    "nested repeats": "network n {\n input(C=3)\n repeat 1000 { repeat 1000 { relu() } }\n}",
    "blocks calling blocks twice, 30 levels": "".join(
        f"block b{i}() {{ b{i - 1}(); b{i - 1}() }}\n" for i in range(1, 31))
    + "block b0() { relu(); relu() }\nnetwork n { input(C=3)\n b30() }",
    "2^30 block calls that make no layers": "".join(
        f"block b{i}(on) {{ b{i - 1}(on); b{i - 1}(on) }}\n" for i in range(1, 31))
    + "block b0(on) { if on { relu() } }\nnetwork n { input(C=3)\n b30(false) }",
    "repeat 2 nested 17 deep": "network n { input(C=4)\n" + "repeat 2 { " * 17 + "linear(C_out=4)" + " }" * 17 + "\n}",
    "40 repeats of 2000 in a row": "network n { input(C=4)\n" + "repeat 2000 { relu() }\n" * 40 + "}",
    "blocks nested 100 deep": "".join(f"block b{i} {{ b{i + 1}() }}\n" for i in range(100))
    + "block b100 { relu() }\nnetwork n { input(C=3)\n b0() }",
    "20 block calls, each 150 residuals deep": "".join(
        f"block b{i} {{ " + "residual { " * 150 + f"b{i + 1}()" + " }" * 150 + " }\n" for i in range(20))
    + "block b20 { relu() }\nnetwork n { input(C=3)\n b0() }",
    "recursive block": "block a { a() }\nnetwork n { input(C=3)\n a() }",
    "mutually recursive blocks": "block a { b() }\nblock b { a() }\nnetwork n { input(C=3)\n a() }",
    "random bytes": bytes(_RANDOM.randrange(256) for _ in range(100_000)).decode("latin-1"),
    "NUL characters": "linear(C_in=3, C_out=4)\x00" * 1000,
    "a 900k-character layer name": "a" * 900_000 + "()",
    "a 400k-character layer name": "a" * 400_000 + "()",
    "a 400k-character symbol": "linear(C_in=" + "x" * 400_000 + ", C_out=3)",
    "a 400k-digit number": "linear(C_in=" + "9" * 400_000 + ", C_out=3)",
    "a 400k-character string": 'linear(C_in="' + "x" * 400_000 + '", C_out=1)',
    "200k unary minus": "linear(C_in=" + "-" * 200_000 + "1, C_out=2)",
    "100k not": "network n { input(C=3)\n if " + "not " * 100_000 + "true { relu() } }",
    "a 200k-item tuple": "conv2d(C_in=3, C_out=3, k=(" + ",".join(["1"] * 200_000) + "))",
    "100k-deep max(": "linear(C_in=" + "max(" * 100_000 + "1" + ")" * 100_000 + ", C_out=2)",
    "400k semicolons": ";" * 400_000,
    "300k blank lines": "\n" * 300_000 + "relu(",
    "(x+1)^10000": "linear(C_in=(x+1)^10000, C_out=1)",
    "(x+y+z)^50 * (a+b)^50": "linear(C_in=(x+y+z)^50*(a+b)^50, C_out=1)",
    "polynomial conv3d": "conv3d(C_in=(a+b+c)^4, C_out=(d+e+f)^4, k=((g+h)^4, (i+j)^4, (k+l)^4))",
    "x^(10^9)": "linear(C_in=x^(10^9), C_out=1)",
    "a 10^4000-digit product": "linear(C_in=10^4000, C_out=10^4000)",
    "blocks calling blocks with new values, 30 levels": "".join(
        f"block b{i}(c) {{ b{i - 1}(2*c); b{i - 1}(2*c + 1) }}\n" for i in range(1, 31))
    + "block b0(c) { relu() }\nnetwork n { input(C=3)\n b30(1) }",
    "the same with symbolic values": "".join(
        f"block b{i}(c) {{ b{i - 1}(2*c); b{i - 1}(2*c + 1) }}\n" for i in range(1, 31))
    + "block b0(c) { linear(C_out=c) }\nnetwork n { input(C=3)\n b30(x) }",
    "parallel branches calling blocks, 30 levels": "".join(
        f'block b{i}(c) {{ parallel(merge="add") {{ branch {{ b{i - 1}(c) }} branch {{ b{i - 1}(c) }} }} }}\n'
        for i in range(1, 31)) + "block b0(c) { relu() }\nnetwork n { input(C=3)\n b30(1) }",
    "parallel branches calling blocks with new values": "".join(
        f'block b{i}(c) {{ parallel(merge="add") {{ branch {{ b{i - 1}(2*c) }} branch {{ b{i - 1}(2*c + 1) }} }} }}\n'
        for i in range(1, 31)) + "block b0(c) { relu() }\nnetwork n { input(C=3)\n b30(1) }",
    "let chain doubling": "let a0 = 2\n" + "".join(f"let a{i + 1} = a{i}^2\n" for i in range(40))
    + "linear(C_in=a40, C_out=1)",
}


@pytest.fixture(scope="module")
def warm_parser() -> None:
    """Load the (cached) grammar once so the first case does not pay for it."""
    symcount.count("relu()")


#: A bound that tells a hang (minutes, or exponential growth) from a slow or busy machine. How fast
#: refusal really is belongs to the benchmark (bench/), not to a timed test: these inputs take well
#: under a second on an idle machine, and 2-5x that on a busy one.
HANG_BOUND = 5.0


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_fails_fast(name: str, warm_parser: None) -> None:
    text = HOSTILE[name]
    times = []
    for _ in range(3):  # best of three: a hang fails every try, a busy machine only some
        start = time.perf_counter()
        with pytest.raises(SymcountError) as info:
            symcount.count(text)
        rendered = str(info.value)  # the message itself must be cheap and short too
        times.append(time.perf_counter() - start)
        if times[-1] < HANG_BOUND:
            break
    assert min(times) < HANG_BOUND, f"{name}: {times}"
    assert len(rendered) < 2_000, rendered[:300]
    assert "Traceback" not in rendered


def test_too_deep_for_python_is_a_clear_error() -> None:
    text = HOSTILE["20 block calls, each 150 residuals deep"]
    err = error_of(text)
    assert err.message == "description nested too deeply"
    assert err.hint == "block calls, brackets and bodies nest too deep together; flatten some blocks"


def test_limits_leave_real_descriptions_alone() -> None:
    """The guards refuse the hostile, not the large-but-real."""
    big = symcount.count("linear(C_in=10^30, C_out=10^30)")
    assert big.total == 10**60 + 10**30
    deep = symcount.count("network n { input(C=8)\n repeat 2000 { linear(C_out=8) } }")
    assert deep.total == 2000 * (8 * 8 + 8)
    poly = symcount.count("linear(C_in=(a+b)^5, C_out=(c+d)^5)")
    assert len(poly.total.args) == 6 * 6 + 6


# (text, line, column, message, hint): refused before walking, at the statement that is too large on its own
_DOUBLING = "".join(f"block b{i}() {{ b{i - 1}(); b{i - 1}() }}\n" for i in range(1, 31))
EXPANSIONS = [
    (_DOUBLING + "block b0() { relu(); relu() }\nnetwork n { input(C=3)\n b30() }", 16, 15,
     "b15(...) expands to 65,536 layers (limit 50,000)",
     "in b16(...) called at line 17; in b17(...) called at line 18; in b18(...) called at line 19; "
     "in b19(...) called at line 20; ..."),
    (_DOUBLING + "block b0() { let x = 1 }\nnetwork n { input(C=3)\n b30() }", 16, 15,
     "b15(...) expands to 65,535 block calls (limit 50,000)", None),
    ("network n { input(C=4)\n" + "repeat 2 { " * 17 + "linear(C_out=4)" + " }" * 17 + "\n}", 2, 19,
     "repeat 2 of 32,768 layers expands to 65,536 layers (limit 50,000)",
     "a symbolic count (repeat N {...}) counts any number of copies at once"),
    ("network n { input(C=4); repeat 2 { repeat 49999 { relu() } } }", 1, 32,
     "repeat 2 of 49,999 layers expands to 99,998 layers (limit 50,000)", None),
    ("network n(k=3) { input(C=4)\n repeat 1000 { if k == 3 { repeat 1000 { relu() } } } }", 2, 9,
     "repeat 1,000 of 1,000 layers expands to 1,000,000 layers (limit 50,000)", None),
    ("network n { input(C=4)\n" + "repeat 2000 { relu() }\n" * 40 + "}", 27, 1,
     "the description expands to more than 50,000 layers", "52,000 layers up to and including this statement"),
]


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), EXPANSIONS)
def test_oversized_expansion_is_refused_where_it_grows(text: str, line: int, column: int, message: str,
                                                        hint: str | None) -> None:
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_blocks_fanning_out_with_new_values_are_refused_at_the_call() -> None:
    """b(2*c); b(2*c + 1) gives every call new values, so sizing cannot reuse a call's size: it took
    3-9 s to find 50,000 block calls (and parallel branches, summed without a limit check, hung)."""
    blocks = "".join(f"block b{i}(c) {{ b{i - 1}(2*c); b{i - 1}(2*c + 1) }}\n" for i in range(1, 31))
    err = error_of(blocks + "block b0(c) { relu() }\nnetwork n { input(C=3)\n b30(1) }")
    assert (err.line, err.column, err.message) == (
        33, 2, "b30(...) makes more than 2,000 block calls with different argument values")
    assert err.hint is not None and err.hint.endswith("b3(...) at line 4 -> b2(...) at line 3")
    err = error_of("".join(f"b({i})\n" for i in range(2100)) + "block b(c) { relu() }")
    assert (err.line, err.column, err.message) == (
        2001, 1, "the description makes more than 2,000 block calls with different argument values")
    # calls that repeat their values are sized once each: many calls, few distinct ones
    few = "".join(f"block b{i}(c) {{ b{i - 1}(c); b{i - 1}(c + 1) }}\n" for i in range(1, 11))
    assert len(symcount.count(few + "block b0(c) { relu() }\nnetwork n { input(C=3)\n b10(1) }").layers) == 1024


def test_expansion_limit_follows_the_branch_taken() -> None:
    """Sizing before walking evaluates conditions as the walk does: untaken branches cost nothing."""
    blocks = "".join(f"block b{i}(on) {{ b{i - 1}(on); b{i - 1}(on) }}\n" for i in range(1, 12))
    blocks += "block b0(on) { if on { repeat 1000 { relu() } } else { relu() } }\n"
    assert len(symcount.count(blocks + "network n { input(C=3); b11(false) }").layers) == 2048
    err = error_of(blocks + "network n { input(C=3); b11(true) }")
    assert err.message == "b6(...) expands to 64,000 layers (limit 50,000)"
    # an undecidable condition is the walk's error, not a size
    err = error_of(blocks + "network n { input(C=3); b11(x > 2) }")
    assert err.message == "condition depends on free symbols: x > 2"
    # an error the walk meets first is still reported first
    err = error_of("network n { input(C=4)\n let a = 1/0\n repeat 1000 { repeat 1000 { relu() } } }")
    assert (err.line, err.message) == (2, "division by zero")
    # a symbolic count expands its body once: real work, allowed
    assert len(symcount.count("network n { input(C=4); repeat N { repeat 49999 { relu() } } }").layers) == 49999


# ------------------------------------------------------------------ found by the bad-input audit


@pytest.mark.parametrize("command", [["count"], ["derive"], ["memory"], ["check", "--answer", "8"]])
def test_output_to_a_directory_or_missing_folder_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                             command: list[str]) -> None:
    code, out, err = run_cli(capsys, command[0], "linear(C_in=3, C_out=2)", *command[1:], "-o", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"{tmp_path}: is a directory; -o takes a file name\n"
    missing = tmp_path / "no" / "such" / "out.txt"
    code, out, err = run_cli(capsys, command[0], "linear(C_in=3, C_out=2)", *command[1:], "-o", str(missing))
    assert (code, out) == (2, "")
    assert err == f"{missing}: cannot write it: No such file or directory\n"


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_cli_empty_source_is_not_the_current_directory(capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, out, err = run_cli(capsys, "count", text)
    assert (code, out) == (2, "")
    assert err.startswith("<input>: the description is empty\nhint: ")


@pytest.mark.parametrize(("text", "column", "message"), [
    ("linear(C_in=1e999999999, C_out=2)", 13, "exponent too large (the limit is 3,900)"),
    ("linear(C_in=1e-999999999, C_out=2)", 13, "exponent too large (the limit is 3,900)"),
    ("linear(C_in=1" + "0" * 40 + ".5e3890, C_out=2)", 13, "number too large"),
    ("linear(C_in=" + "9" * 3950 + ", C_out=2)", 13, "number too large"),
    ("linear(C_in=1e-3000*1e-3000, C_out=2)", 13, "number too large"),
    ("linear(C_in=0^-1, C_out=2)", 13, "division by zero"),
    ("linear(C_in=0.0^(-2), C_out=2)", 13, "division by zero"),
    ("linear(C_in=sqrt(-4), C_out=2)", 13, "not a real number: 2*I"),
    ("linear(C_in=(-1)^0.5, C_out=2)", 14, "not a real number: I"),
    ("linear(C_in=-10^3000, C_out=2)", 13, "C_in must be positive, not -10000000000... (3,001 digits)"),
])
def test_extreme_numbers_fail_fast_and_readably(text: str, column: int, message: str) -> None:
    start = time.perf_counter()
    err = error_of(text)
    assert time.perf_counter() - start < 5  # a billion-digit power of ten used to hang here
    assert (err.line, err.column, err.message) == (1, column, message)
    assert len(str(err)) < 1_000


def test_huge_exponent_in_set_and_answer_values() -> None:
    err = error_of("linear(C_in=C, C_out=2)", values={"C": "1e999999999"})
    assert (err.filename, err.line, err.column, err.message) == ("--set C", 1, 1, "exponent too large (the limit is 3,900)")
    with pytest.raises(SymcountError) as info:
        symcount.check("linear(C_in=3, C_out=2)", "1e-999999999")
    assert info.value.message == "exponent too large (the limit is 3,900)"


@pytest.mark.parametrize("answer", ["C_in^C_out", "2^C_in", "floor(C_in/C_out)", "C_in*C_out + 2^C_out - 2 + C_out"])
def test_check_answers_that_are_not_polynomials(answer: str) -> None:
    """Solving 'where does it agree' used sympy.Poly on 2^C_in and raised PolynomialError."""
    verdict = symcount.check("linear", answer)
    assert not verdict.correct
    assert verdict.counterexample is not None
    assert "Wrong" in verdict.text()


@pytest.mark.parametrize(("a", "b"), [
    ("linear(C_in=C^50, C_out=x^50)", "linear(C_in=C^49, C_out=y^50)"),
    ("linear(C_in=(C+x)^20, C_out=(x+y)^20)", "linear(C_in=C^20, C_out=y^20)"),
])
def test_compare_of_high_degree_counts_does_not_stall(a: str, b: str, warm_parser: None) -> None:
    """Shifting, factoring and tabulating a degree-100 difference took sympy 10-20 s."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        text = symcount.compare(a, b).text()
        times.append(time.perf_counter() - start)
        if times[-1] < 2 * HANG_BOUND:
            break
    assert min(times) < 2 * HANG_BOUND, times  # 10-20 s each before, on an idle machine
    assert "A - B" in text


def test_exam_with_impossible_requires_gives_up_quickly(tmp_path: Path) -> None:
    """Every draw rejected (or a duplicate) used to run all 200 x variants draws: 20 s for 1,000."""
    template = tmp_path / "impossible.sc"
    template.write_text('let question = "How many? {C}"\nlet C = choose(3, 16, 32)\nrequire C > 1000\n'
                        "network n {\n    input(C=C)\n    linear(C_out=4)\n}\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(SymcountError) as info:
        generate(template, variants=1000)
    assert time.perf_counter() - start < 10
    assert info.value.message == "'require C > 1000' holds for none of the 3 combinations of C: no variant can be drawn"
    assert (info.value.line, info.value.column) == (3, 1)


@pytest.mark.parametrize(("kw", "message"), [
    ({"convention": "None"}, "unknown convention 'None' (valid: pytorch, keras)"),
    ({"convention": 3}, "unknown convention '3' (valid: pytorch, keras)"),
    ({"network": 3}, "network must be a network's name (a string), not int"),
    ({"values": "C=3"}, "values must be a mapping of names to values, not str"),
    ({"values": [("C", 3)]}, "values must be a mapping of names to values, not list"),
    ({"values": {3: 3}}, "--set 3: a name must be an identifier like C or d_model"),
    ({"values": {"C": 10**5000}}, "--set C: number too large (16,610 bits; the limit is 13,000)"),
])
def test_api_options_of_the_wrong_type(kw: dict[str, object], message: str) -> None:
    """These raised AttributeError/ValueError from deep inside (or printed a 5,000-digit count)."""
    assert error_of("linear(C_in=C, C_out=2)", **kw).message == message
    with pytest.raises(SymcountError) as info:
        symcount.check("linear(C_in=C, C_out=2)", "2*C + 2", **kw)  # type: ignore[arg-type]
    assert info.value.message == message


def test_compare_names_the_side_an_error_is_about(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "compare", "linear(C_in=3, C_out=2)", "linear(C_in=3, C_out=0)")
    assert code == 2 and err.startswith("<B>:1:22: C_out must be positive, not 0\n")
    code, _, err = run_cli(capsys, "compare", "linear(C_in=3, C_out=0)", "linear(C_in=3, C_out=2)")
    assert code == 2 and err.startswith("<A>:1:22: C_out must be positive, not 0\n")
    with pytest.raises(SymcountError) as info:
        symcount.compare("linear(C_in=C, C_out=2)", "linear(C_in=C, C_out=3)", values="C=3")  # type: ignore[arg-type]
    assert info.value.message == "values must be a mapping of names to values, not str"


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), [
    ("\ufefflinear(C_in=3, C_out=0)", 1, 22, "C_out must be positive, not 0", None),
    ("relu()\rlinear(C_in=3, C_out=0)", 2, 22, "C_out must be positive, not 0", None),
    ("relu()\r\nrelu()\rlinear(C_in=3, C_out=0)", 3, 22, "C_out must be positive, not 0", None),
    ("linear(C_in=3,\xa0C_out=4)", 1, 15, "unexpected space character U+00A0 (no-break space)",
     "replace it with an ordinary space"),
    ("linear(C_in=3,\u3000C_out=4)", 1, 15, "unexpected space character U+3000 (ideographic space)",
     "replace it with an ordinary space"),
    ("linear(C_in=3,\u200bC_out=4)", 1, 15, "invisible character U+200B (zero width space)",
     "delete it: it often comes with text pasted from a web page or a document"),
    ("relu()\u2028relu()", 1, 7, "unexpected line separator U+2028", "use an ordinary new line"),
    ("relu() \\ relu()", 1, 8, "unexpected character '\\'", None),
    ("linear(C_in='3, C_out=4)", 1, 13, "string is never closed", "end it with \"'\" on the same line"),
    ('linear(C_in=3, padding="same)', 1, 24, "string is never closed", "end it with '\"' on the same line"),
])
def test_pasted_characters_and_line_endings(text: str, line: int, column: int, message: str,
                                            hint: str | None) -> None:
    """A BOM or lone CR is plain text; pasted spaces and quotes are named, not 'binary file?'."""
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_bom_and_cr_files(tmp_path: Path) -> None:
    path = tmp_path / "windows.sc"
    path.write_bytes(b"\xef\xbb\xbfnetwork n {\r\n    input(C=3)\r\n    linear(C_out=2)\r\n}\r\n")
    assert symcount.count(path).total == 8
    path.write_bytes(b"network n {\r    input(C=3)\r    linear(C_out=0)\r}\r")
    assert str(error_of(path)).startswith(f"{path}:3:18: C_out must be positive, not 0\n        linear(C_out=0)\n")


def test_source_line_is_the_line_the_parser_counted() -> None:
    """str.splitlines also breaks at \\x0c, \\x1c-\\x1e, \\x85, U+2028: the caret was under the wrong text."""
    err = error_of("relu()\x0c relu()\nlinear(C_in=3, C_out=0)")
    assert (err.line, err.column, err.message) == (1, 9, "two statements on one line")
    assert str(err).splitlines()[1:3] == ["    relu()? relu()", "            ^^^^"]
    err = error_of("relu() # \x1c\nlinear(C_in=3, C_out=0)")
    assert str(err).splitlines()[:2] == ["<input>:2:22: C_out must be positive, not 0", "    linear(C_in=3, C_out=0)"]


def test_unexpected_new_line_reads_as_english() -> None:
    err = error_of("linear(C_in=C, C_out=2)", values={"C": "3\n4"})
    assert (err.line, err.column, err.message) == (1, 2, "unexpected new line; expected the end of the text")
    err = error_of("linear(C_in=C, C_out=2)", values={"C": ""})
    assert (err.line, err.column) == (1, 1)


@pytest.mark.parametrize(("text", "line", "column", "message", "hint"), [
    ("network n { input(C=3)\n linear(C_out=4)\n input(C=100)\n linear(C_out=2) }", 3, 2,
     "input(...) after layers: it would replace the shape flowing in", "input(...) comes once, at the start of a network"),
    ("network n { input(C=3)\n residual { input(C=5) } }", 2, 13,
     "input(...) after layers: it would replace the shape flowing in", None),
    ("linear(C_in=-x, C_out=2)", 1, 13, "C_in must be positive, not -x", "every symbol stands for a positive size"),
    ("conv2d(C_in=3, C_out=3, k=3, padding=-p)", 1, 38, "padding must be 0 or more, not -p", None),
    ("network n { input(C=3)\n repeat -N { linear(C_out=3) } }", 2, 9, "repeat count must be a whole number >= 0, got -N",
     None),
    ('network n { input(C=3)\n if "a" { relu() } }', 2, 5, 'a condition must be true or false, not the string "a"', None),
    ("network n(a, a) { input(C=3); relu() }", 1, 14, "parameter a listed twice", None),
    ("block b(x, y, x) { relu() }\nnetwork n { input(C=3); b(1, 2, 3) }", 1, 15, "parameter x listed twice", None),
    ("network n { input(H=8, W=8, C=3)\n parallel { } }", 2, 2, "parallel needs at least one branch { ... }", None),
    ("block b(x) { relu() }\nnetwork n { input(C=3); b(1, 2) }", 2, 30, "b takes 1 argument", None),
    ("branch { relu() }", 1, 1, "'branch' cannot stand on its own here",
     "branch { ... } goes inside parallel(merge=...) { ... }"),
])
def test_nonsense_that_used_to_be_counted(text: str, line: int, column: int, message: str, hint: str | None) -> None:
    """Each of these produced a count (a negative one, or one with the shape silently replaced)."""
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_a_called_network_may_still_start_with_input() -> None:
    text = "network n { input(L=8, C=4)\n linear(C_out=4) }\nnetwork m { input(L=8, C=4)\n n() }"
    assert symcount.count(text, network="m").total == 20


def test_small_message_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of("network n { input(L=8, C=4)\n moe(2, 1) { linear(C_out=4) } }")
    assert (err.line, err.column, err.message) == (
        2, 6, "moe takes named arguments (experts=, top_k=, bias=, shared=, correction_bias=)")
    code, _, err_text = run_cli(capsys, "compare", "linear(C_in=C, C_out=2)", "linear(C_in=C, C_out=3)",
                                "--a-set", "D=0")
    assert code == 2 and err_text.startswith("<A>: --a-set D: no such name in the description (names that can be set: C)")
    # derive quotes each layer call from the line the parser counted (\x1c is a line break to splitlines)
    text = symcount.derive("relu() # \x1c\nlinear(C_in=3, C_out=2)", bias="true").text()
    assert "linear: linear(C_in=3, C_out=2)" in text


# ------------------------------------------------------------------ nonsense that was counted
_MOE = "network n {{ input(L=8, C=16)\n    {} }}"


@pytest.mark.parametrize(("body", "line", "column", "message", "hint"), [
    ("moe(experts=4, top_k=2) { }", 2, 5, "moe's body (the expert) has no layers",
     "e.g. moe(experts=8, top_k=2) { gated_mlp(ff=14336) }"),
    ("moe(experts=4, top_k=2) { let x = 1 }", 2, 5, "moe's body (the expert) has no layers", None),
    ("moe(experts=4, top_k=2, bias=3) { gated_mlp(ff=32) }", 2, 34, "bias must be true, false or a symbol, not 3",
     None),
    ("moe(experts=4, router_bias=0.5) { gated_mlp(ff=32) }", 2, 32, "bias must be true, false or a symbol, not 0.5",
     None),
    ("moe(experts=4, top_k=2) { linear(C_out=32) }", 2, 5, "moe's expert must keep the shape: (8, 16) -> (8, 32)",
     "moe.experts.linear (line 2) makes (8, 16) into (8, 32); "
     "each token's expert outputs are summed back into its d_model features"),
])
def test_moe_nonsense_is_refused(body: str, line: int, column: int, message: str, hint: str | None) -> None:
    err = error_of(_MOE.format(body))
    assert (err.line, err.column, err.message) == (line, column, message)
    if hint is not None:
        assert err.hint == hint


def test_moe_router_bias_reads_like_any_bias() -> None:
    expert = "gated_mlp(ff=32)"
    without = symcount.count(_MOE.format(f"moe(experts=4) {{ {expert} }}")).total
    assert symcount.count(_MOE.format(f"moe(experts=4, bias=true) {{ {expert} }}")).total == without + 4
    assert symcount.count(_MOE.format(f"moe(experts=4, bias=1) {{ {expert} }}")).total == without + 4
    # a symbol is a symbol (it used to read as true)
    assert str(symcount.count(_MOE.format(f"moe(experts=4, bias=b) {{ {expert} }}")).total) == f"4*b + {without}"
    # an expert that goes out and back keeps the shape
    symcount.count(_MOE.format("moe(experts=4) { linear(C_out=32); relu(); linear(C_out=16) }"))


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("block b(x=1, y) { linear(C_in=x, C_out=y) }\nb(2, 3)", 1, 14, "parameter y without a default follows x, which has one"),
    ("network n(w=2, c) {\n input(C=4)\n linear(C_out=w) }", 1, 16, "parameter c without a default follows w, which has one"),
])
def test_parameter_without_default_after_one_with_is_refused(text: str, line: int, column: int, message: str) -> None:
    """As Python refuses it: a call binds positional arguments in order, so y could not be given alone."""
    err = error_of(text)
    assert (err.line, err.column, err.message) == (line, column, message)
    assert err.hint == "put the parameters without defaults first, as Python requires"
    with pytest.raises(SyntaxError, match="non-default argument"):
        compile("def b(x=1, y): pass", "<test>", "exec")
    assert symcount.count("block b(y, x=1) { linear(C_in=x, C_out=y) }\nb(3)").total == 6


def test_false_require_is_an_error_in_a_count() -> None:
    err = error_of("require 1 == 2\nrelu()")
    assert (err.line, err.column, err.message) == (1, 9, "require does not hold: the condition is false")
    err = error_of("let H = 1\nrequire H > 2\nlinear(C_in=H, C_out=2)")
    assert (err.line, err.column, err.message) == (2, 9, "require does not hold: the condition is false")
    # --set decides it too, either way
    assert symcount.count("let H = 1\nrequire H > 2\nlinear(C_in=H, C_out=2)", values={"H": 5}).total == 12
    err = error_of("require k <= H\nlinear(C_in=H, C_out=k)", values={"H": 2, "k": 3})
    assert (err.line, err.column) == (1, 9)
    # undecidable (free symbols) stays open: exam templates count their general rule with symbols
    assert symcount.count("require k <= H\nlinear(C_in=H, C_out=k)").total.free_symbols
    # a condition that is not one is an error, as in if
    assert error_of('require "a"\nrelu()').message == 'a condition must be true or false, not the string "a"'


def test_undecidable_is_a_typed_error() -> None:
    with pytest.raises(UndecidableError):
        symcount.count("network n(s) { input(C=3)\n if s > 2 { relu() } }")


@pytest.mark.parametrize(("text", "column"), [
    ("linear(C_in=" + "- " * 300 + "1, C_out=2)", 13 + 2 * 200),
    ("network n { input(C=3); if " + "not " * 300 + "true { relu() } }", 28 + 4 * 200),
])
def test_a_run_of_prefix_operators_is_refused_as_it_is_read(text: str, column: int) -> None:
    """Prefix operators nest like brackets; the 201st is refused by the lexer, before the parser
    has stacked them all (100,000 of them took over a second)."""
    with pytest.raises(SymcountError) as err:
        symcount.count(text)
    assert (err.value.line, err.value.column) == (1, column)
    assert "nested deeper than 200 levels" in err.value.message


# ------------------------------------------------------------------ found by the second audit (pasted code, sizes)


def test_stacked_symbolic_ceil_mode_pools() -> None:
    """Three ceil_mode pools on a symbolic H raised sympy's PrecisionExhausted (a traceback); two took 0.5 s."""
    pool = "maxpool2d(k=3, stride=2, ceil_mode=true)"
    start = time.perf_counter()
    result = symcount.count(f"network n {{ input(H=H, W=W, C=3)\n {pool}; {pool}; {pool} }}")
    assert time.perf_counter() - start < 1.0
    # k=3, s=2, p=0: the last window always starts inside the input, so no case split is needed
    assert str(result.output_shape[1]) == "ceiling(ceiling(ceiling(H/2 - 3/2)/2)/2 - 3/2) + 1"
    assert "Piecewise" not in symcount.derive(f"network n {{ input(H=H, W=W, C=3)\n {pool}; {pool} }}").text()
    # where the drop depends on H, one undecided window is kept; a second one cannot be
    drop = "maxpool2d(k=2, stride=2, padding=1, ceil_mode=true)"
    assert symcount.count(f"network n {{ input(H=H, W=W, C=3)\n {drop} }}").output_shape[1].has(sympy.Piecewise)
    err = error_of(f"network n {{ input(H=H, W=W, C=3)\n {drop}; conv2d(C_out=4, k=3); {drop} }}")
    assert (err.line, err.column) == (2, 77)  # the second pool
    assert err.message == ("ceil_mode=true after another ceil_mode window whose size is undecided: whether this "
                           "layer's last window is dropped cannot be told without numbers")
    assert err.hint == "give the input sizes values (input(H=224, ...) or --set H=224)"
    assert symcount.count(f"network n {{ input(H=H, W=W, C=3)\n {drop}; {drop} }}", values={"H": 9, "W": 9}) \
        .output_shape == (3, 3, 3)  # 9 -> 5 -> 3, as torch (both last windows dropped)


@pytest.mark.parametrize(("text", "line", "column"), [
    ("network relu { input(C=3)\n linear(C_out=2) }\nnetwork n { input(C=2)\n relu() }", 4, 2),
    ("relu = Sequential([Dense(3, input_dim=2)])\nnetwork n { input(C=2); relu(); relu() }", 2, 25),
    ("Linear = nn.Sequential(nn.Linear(3, 4))\nnetwork n { input(C=2)\n Linear(2, 4) }", 3, 2),
])
def test_a_network_named_like_a_layer_is_not_called_in_its_place(text: str, line: int, column: int) -> None:
    """relu() ran the network relu (its input(C=3) replacing the shape flowing in): a count of 8 for nonsense."""
    err = error_of(text, network="n")
    name = err.source_line()[err.column - 1:].split("(")[0] if err.source_line() else ""
    assert (err.line, err.column, err.message) == (
        line, column, f"'{name}' is both a layer and a network here: which is meant is unclear")
    assert err.hint == f"give the network {name} another name"


def test_a_prefixed_call_is_the_framework_layer_whatever_the_networks_are_named() -> None:
    text = "Dense = Sequential([layers.Dense(3, input_dim=2)])\nnetwork n { input(C=2); layers.Dense(4) }"
    assert symcount.count(text, network="n").total == 12
    assert symcount.count(text, network="Dense").total == 9  # defining it is fine; calling it unprefixed is not


@pytest.mark.parametrize(("text", "column", "message", "hint"), [
    ("nn.Linear(3, None)", 14, "C_out cannot be None", "linear needs a value for it"),
    ("nn.Linear(None, 4)", 11, "C_in cannot be None", "linear needs a value for it"),
    ("nn.Linear(3, 4, bias=None)", 22, "bias cannot be None", "leave bias out for its default"),
    ("layers.Dense(4, use_bias=None)", 26, "use_bias cannot be None", "leave use_bias out for its default"),
    ("nn.Conv2d(3, 4, 3, padding=None)", 28, "padding cannot be None", None),
    ("nn.Dropout(p=None)", 14, "p cannot be None", None),
    ("linear(C_in=3, C_out=4 + None)", 26, "None is not a value here", None),
    ("conv2d(C_in=3, C_out=4, k=(3, None))", 31, "None is not a value here", None),
    ("let x = None\nlinear(C_in=x, C_out=3)", 9, "None is not a value here", None),
    ("network n { input(C=None)\n linear(C_out=3) }", 21, "None is not a value here", None),
    ("network n { Dense(4, input_dim=None) }", 32, "None is not a value here", None),
])
def test_none_is_never_a_symbol(text: str, column: int, message: str, hint: str | None) -> None:
    """None read as a symbol named None: nn.Linear(3, None) counted 4*None, kdim=None 16*None + 160."""
    err = error_of(text)
    assert (err.line, err.column, err.message) == (1, column, message)
    if hint is not None:
        assert err.hint == hint


def test_none_for_an_optional_argument_is_its_default() -> None:
    assert symcount.count("nn.MultiheadAttention(8, 2, kdim=None, vdim=None)").total == 4 * 8 * 8 + 4 * 8
    pool = symcount.count("network n { input(H=8, W=8, C=3)\n nn.MaxPool2d(2, None) }")
    assert pool.output_shape == (3, 4, 4)  # stride None: the window size, as torch
    assert symcount.count("layers.Dense(4, None, input_dim=3)").total == 16  # activation=None: no activation
    lstm = symcount.count("network n { Input(shape=(None, 8)); layers.LSTM(4) }", convention="keras")
    assert lstm.total == 4 * ((8 + 4) * 4 + 4)  # an open size in a Keras shape stays allowed


@pytest.mark.parametrize(("text", "column", "message"), [
    ("network n { Input(shape=(16,)) { relu() }\n Dense(3) }", 13, "Input takes no body"),
    ("network n { input(C=3) { relu() } }", 13, "input takes no body"),
    ("model = Sequential([layers.Dense(3, input_shape=(4,)), nn.Linear(3, 4)])", 59,
     "nn.Linear in a Sequential of Keras layers"),
    ("model = Sequential([nn.Linear(4, 3), Dense(3), layers.Dense(3)])", 55, "layers.Dense in a Sequential of PyTorch layers"),
])
def test_pasted_models_that_were_counted_anyway(text: str, column: int, message: str) -> None:
    """An input's body was dropped without a word; an unprefixed Sequential mixed Keras and PyTorch layers."""
    err = error_of(text)
    assert (err.line, err.column, err.message) == (1, column, message)


def test_positional_arguments_beyond_the_order() -> None:
    err = error_of("nn.Identity(54, unused=1)")
    assert (err.line, err.column, err.message, err.hint) == (1, 13, "Identity takes no positional arguments", None)
    err = error_of("nn.Linear(3, 4, True, None)")
    assert (err.column, err.message, err.hint) == (23, "Linear takes at most 3 positional arguments",
                                                   "in order: C_in, C_out, bias")
    err = error_of('network n { Input((16,), 32, "float32", "x")\n Dense(3) }')
    assert (err.column, err.message) == (41, "Input takes at most 3 positional arguments")
