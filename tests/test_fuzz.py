"""Random and near-valid input: every outcome is a Count or a SymcountError.

Any other exception (TypeError, ValueError, RecursionError, ...) fails the
test: it would reach the user as a traceback. Hypothesis shrinks a failure to
the smallest description that shows it.
"""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount import Count, SymcountError
from symcount.catalog.core import BIAS, CATALOG, COUNT, FLAG, KERNEL, NUMBER, PADDING, SHAPE, SIZE, STRING
from symcount.catalog.spellings import KERAS_LAYERS, TORCH_NN
from symcount.cli.main import main
from symcount.engine.count import count_dict

#: 300 examples per test, the same ones every run; SYMCOUNT_FUZZ=5000 explores 5,000 new ones.
_DEEP = int(os.environ.get("SYMCOUNT_FUZZ", "0"))
FUZZ = settings(max_examples=_DEEP or 300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=not _DEEP)

VALID = [
    "conv2d(C_in=128, C_out=256, k=3)",
    "conv2d(C_in=C, C_out=2*C, k=(3, 5), groups=g)",
    "linear(C_in=128, C_out=256, bias=false)",
    "let C = 64\nlinear(C_in=C, C_out=C // 2)",
    """network lenet5 {
    input(H=32, W=32, C=1)
    conv2d(C_out=6, k=5)
    avgpool2d(k=2)
    conv2d(C_out=16, k=5)
    avgpool2d(k=2)
    flatten()
    linear(C_out=120)
    linear(C_out=84)
    linear(C_out=10)
}""",
    """block bottleneck(c, s=1) {
    residual {
        conv2d(C_out=c, k=1, bias=false); batchnorm(); relu()
        conv2d(C_out=c, k=3, stride=s, padding=1, bias=false); batchnorm()
    } shortcut {
        if s != 1 { conv2d(C_out=c, k=1, stride=s, bias=false) }
    }
    relu()
}
network net {
    input(H=56, W=56, C=64)
    repeat 2 { bottleneck(64) }
    bottleneck(64, s=2)
    global_avgpool()
    flatten()
    linear(C_out=10)
}""",
    """network seq {
    input(L=128)
    emb: embedding(V=1000, dim=64)
    lstm(hidden=32, layers=2, bidirectional=true)
    parallel(merge="concat") {
        branch { linear(C_out=8) }
        branch { linear(C_out=8); gelu() }
    }
    layernorm()
}""",
    """network t {
    input(L=16, C=64)
    repeat N { transformer_encoder_layer(d_model=64, heads=4, ff=256) }
    attention(d_model=64, heads=8)
    dropout(0.1)
}""",
]

#: Framework code pasted as it stands: module prefixes, Sequential models, Keras inputs, lists, trailing commas.
PASTED = [
    "nn.Conv2d(3, 16, [3, 3], stride=2, padding=1, bias=False)",
    "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10),)",
    """model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, (3, 3), activation='relu', padding='same'),
    layers.MaxPooling2D([2, 2]),
    layers.Flatten(),
    layers.Dense(10, activation=None),
])""",
    "model = Sequential([Dense(64, input_shape=(784,)), Dense(10, activation='softmax'),])",
    "net = tf.keras.models.Sequential([tf.keras.layers.Embedding(1000, 16, input_length=20), kl.LSTM(8)])",
    "network n {\n    Input(shape=(None, 8))\n    layers.LSTM(4, return_sequences=True)\n    torch.nn.LayerNorm([4])\n}",
]

#: Pieces of the language: every keyword, operator and bracket, some names and numbers.
TOKENS = [
    "network", "block", "let", "repeat", "if", "else", "residual", "shortcut", "parallel", "branch",
    "input", "and", "or", "not", "true", "false", "require",
    "(", ")", "{", "}", ",", "=", "==", "!=", "<", ">=", ":", ";", "\n", "+", "-", "*", "/", "//", "%", "^", "**",
    "0", "1", "3", "-1", "2.5", "10^30", '"same"', '"valid"', "'concat'", "C", "C_in", "C_out", "k", "x",
    "H", "W", "L", "D", *sorted(CATALOG)[:40],
    # pasted framework code
    "nn.", "nn.Conv2d", "torch.nn.Linear", "layers.Dense", "keras.layers.Conv2D", "kl.LSTM", "nn..Linear", ".",
    "Sequential", "nn.Sequential", "keras.Sequential", "model", "=", "[", "]", "None", "Input", "keras.Input",
    "InputLayer", "input_shape", "input_dim", "shape", "'relu'",
]

#: Numbers a user might write, good and bad.
NUMBERS = st.one_of(
    st.sampled_from(["0", "-1", "-3", "1", "2", "3", "7", "64", "2.5", "0.5", "1/3", "10^30", "10^9", "-0"]),
    st.integers(min_value=-5, max_value=300).map(str),
)


def check(text: str, **kw: object) -> Count | SymcountError:
    """Count the text; only a Count or a SymcountError may come out."""
    try:
        result = symcount.count(text, **kw)  # type: ignore[arg-type]
    except SymcountError as err:
        str(err)  # the message itself must render
        return err
    # The results must be usable: every total printable, every layer listed.
    for value in (result.total, result.trainable, result.non_trainable, result.buffers):
        str(value)
    json.dumps(count_dict(result))
    return result


# ------------------------------------------------------------------ random text


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    check(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_random_token_soup(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_bytes(text: str) -> None:
    check(text)


# ------------------------------------------------------------------ near-valid text

_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*|\d+(?:\.\d+)?|==|!=|<=|>=|//|\*\*|\S|\n")


def tokens_of(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid description with one to three small mistakes in it."""
    parts = tokens_of(draw(st.sampled_from(VALID + PASTED)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not parts:
            break
        i = draw(st.integers(min_value=0, max_value=len(parts) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "insert", "replace"]))
        if action == "delete":
            del parts[i]
        elif action == "duplicate":
            parts.insert(i, parts[i])
        elif action == "swap":
            j = draw(st.integers(min_value=0, max_value=len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif action == "number":
            numbers = [n for n, p in enumerate(parts) if p[0].isdigit()]
            if numbers:
                parts[draw(st.sampled_from(numbers))] = draw(NUMBERS)
        elif action == "insert":
            parts.insert(i, draw(st.sampled_from(TOKENS)))
        else:
            parts[i] = draw(st.sampled_from(TOKENS))
    return " ".join(parts)


@FUZZ
@given(mutated(), st.sampled_from(["pytorch", "keras"]))
def test_mutated_descriptions(text: str, convention: str) -> None:
    check(text, convention=convention)


# ------------------------------------------------------------------ random catalog layers


def value_for(kind: str) -> st.SearchStrategy[str]:
    """Values for an argument of this kind, mostly sensible, sometimes not."""
    sizes = st.one_of(NUMBERS, st.sampled_from(["C", "2*C", "n + 1", "d/h"]))
    tuples = st.lists(st.integers(min_value=-1, max_value=7).map(str), min_size=1, max_size=4).map(
        lambda xs: "(" + ", ".join(xs) + ("," if len(xs) == 1 else "") + ")")
    anything = st.sampled_from(['"same"', '"x"', "true", "false", "(1, 2)", "b", "0", "-2", "2.5"])
    by_kind = {
        SIZE: sizes, COUNT: sizes, BIAS: st.sampled_from(["true", "false", "b", "0", "1", "2"]),
        FLAG: st.sampled_from(["true", "false", "0", "1", "2", "x"]), KERNEL: st.one_of(sizes, tuples),
        PADDING: st.one_of(sizes, tuples, st.sampled_from(['"same"', '"valid"', '"full"'])),
        NUMBER: st.one_of(NUMBERS, st.sampled_from(["0.1", "x"])), SHAPE: st.one_of(sizes, tuples),
        STRING: st.sampled_from(['"concat"', '"add"', '"tanh"', '"x"', "3"]),
    }
    return st.one_of(by_kind.get(kind, anything), anything) if kind in by_kind else anything


@st.composite
def catalog_layer(draw: st.DrawFn) -> str:
    """One catalog layer (by any of its spellings) with random arguments."""
    entry = CATALOG[draw(st.sampled_from(sorted(CATALOG)))]
    name = draw(st.sampled_from([entry.name, *entry.aliases]))
    args = []
    for spec in entry.args:
        if spec.name == "tied" or not draw(st.booleans()):
            continue
        key = draw(st.sampled_from([spec.name, *spec.aliases]))
        args.append(f"{key}={draw(value_for(spec.kind))}")
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        args.append(draw(st.sampled_from(["foo=1", "3", "C_in=2"])))
    return f"{name}({', '.join(args)})"


INPUTS = st.sampled_from([
    "input(H=32, W=32, C=3)", "input(H=7, W=5, C=8)", "input(H=2, W=2, C=1)", "input(L=16, C=8)",
    "input(L=16)", "input(C=12)", "input(D=8, H=8, W=8, C=4)", "input(L=5, C=3)", "input(H=H, W=W, C=C)",
])


@FUZZ
@given(st.lists(catalog_layer(), min_size=1, max_size=3), st.sampled_from(["pytorch", "keras"]))
def test_random_layers_standalone(layers: list[str], convention: str) -> None:
    check("\n".join(layers), convention=convention)


@FUZZ
@given(INPUTS, st.lists(catalog_layer(), min_size=1, max_size=4), st.sampled_from(["pytorch", "keras"]))
def test_random_layers_in_a_network(shape: str, layers: list[str], convention: str) -> None:
    check("network n {\n    " + "\n    ".join([shape, *layers]) + "\n}", convention=convention)


# ------------------------------------------------------------------ random structure

SIMPLE_LAYERS = st.sampled_from([
    "relu()", "linear(C_out=8)", "linear(C_out=d)", "conv2d(C_out=8, k=3, padding=1)", "conv2d(C_out=4, k=1, stride=2)",
    "batchnorm()", "maxpool2d(k=2)", "flatten()", "layernorm()", "dropout(0.1)", "conv2d(C_out=c, k=3)",
    "identity()", "global_avgpool()", "embedding(V=100, dim=8)", "lstm(hidden=8)", "attention(d_model=8, heads=2)",
])
COUNTS_ = st.sampled_from(["0", "1", "2", "3", "N", "-1", "2.5", "n"])
CONDITIONS = st.sampled_from(["true", "false", "n == 2", "c > 4", "N > 1", "1 < 2 and not false", '"a" == "a"'])


def _bodies(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(inner, min_size=0, max_size=3).map(lambda items: "{ " + "; ".join(items) + " }")


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    body = _bodies(inner)
    return st.one_of(
        st.tuples(COUNTS_, body).map(lambda t: f"repeat {t[0]} {t[1]}"),
        st.tuples(CONDITIONS, body, body).map(lambda t: f"if {t[0]} {t[1]} else {t[2]}"),
        st.tuples(body, st.one_of(st.just(""), body.map(lambda b: f" shortcut {b}"))).map(
            lambda t: f"residual {t[0]}{t[1]}"),
        st.tuples(st.sampled_from(['"concat"', '"add"', '"mul"', "3"]), st.lists(body, max_size=3)).map(
            lambda t: f"parallel(merge={t[0]}) {{ " + " ".join(f"branch {b}" for b in t[1]) + " }"),
        st.tuples(st.sampled_from(["n", "c", "d"]), COUNTS_).map(lambda t: f"let {t[0]} = {t[1]}"),
        st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["", "8", "c=8", "n=2, c=4", "x=1"])).map(
            lambda t: f"{t[0]}({t[1]})"),
    )


ITEMS = st.recursive(SIMPLE_LAYERS, _compound, max_leaves=8)


@st.composite
def program(draw: st.DrawFn) -> str:
    """Blocks a and b and a network, each a random nesting of statements."""
    block_a = draw(_bodies(ITEMS))
    block_b = draw(_bodies(ITEMS))
    body = draw(st.lists(ITEMS, min_size=1, max_size=4))
    shape = draw(INPUTS)
    return (f"block a(c=8, n=2) {block_a}\nblock b(c, n=1) {block_b}\n"
            f"network net {{\n    {shape}\n    " + "\n    ".join(body) + "\n}")


@FUZZ
@given(program(), st.sampled_from(["pytorch", "keras"]))
def test_random_programs(text: str, convention: str) -> None:
    check(text, convention=convention)


# ------------------------------------------------------------------ pasted framework code

PREFIXES = st.sampled_from(["", "nn.", "torch.nn.", "layers.", "keras.layers.", "tf.keras.layers.", "kl.", "keras.",
                            "nn..", "foo.", "nn.Conv2d.", "torch.", "tf.keras."])
FRAMEWORK_NAMES = st.sampled_from(sorted(TORCH_NN | KERAS_LAYERS) + ["Sequential", "conv2d", "Denze", "Input"])
PASTED_VALUES = st.one_of(
    NUMBERS, st.sampled_from(["None", "True", "False", "'same'", "'valid'", "'causal'", "'relu'", "x"]),
    st.lists(st.sampled_from(["1", "2", "3", "None", "0", "-1", "[2, 2]", "(1, 1)", "H"]), max_size=4).map(
        lambda xs: st.sampled_from(["[{}]", "({},)", "({})"]).map(lambda f: f.format(", ".join(xs)))).flatmap(
        lambda s: s),
)
PASTED_KEYWORDS = st.sampled_from(["input_shape", "input_dim", "input_length", "batch_input_shape", "kernel_size",
                                   "stride", "strides", "padding", "bias", "use_bias", "activation", "p", "rate",
                                   "units", "filters", "in_features", "out_features", "shape", "name", "axis"])


@st.composite
def pasted_layer(draw: st.DrawFn) -> str:
    """A layer call as framework code writes it: a module prefix, positional and named arguments, lists."""
    args = [draw(PASTED_VALUES) for _ in range(draw(st.integers(min_value=0, max_value=4)))]
    args += [f"{draw(PASTED_KEYWORDS)}={draw(PASTED_VALUES)}" for _ in range(draw(st.integers(min_value=0, max_value=2)))]
    trailing = "," if args and draw(st.booleans()) else ""
    return f"{draw(PREFIXES)}{draw(FRAMEWORK_NAMES)}({', '.join(args)}{trailing})"


KERAS_INPUT_DECLS = st.sampled_from([
    "", "Input(shape=(28, 28, 1))", "keras.Input((784,))", "InputLayer(input_shape=(10, 8))", "Input(shape=(None, 8))",
    "Input(shape=(0,))", "Input(shape=None)", "Input(shape=(1, 2, 3, 4, 5))", "Input(batch_shape=(None, 16))",
    "input(H=8, W=8, C=3)", "Input(shape=(H, W, 3))",
])


@st.composite
def sequential_model(draw: st.DrawFn) -> str:
    """model = X.Sequential([...]) or (...): layers as a list or as arguments, an input first or not."""
    module = draw(st.sampled_from(["", "nn.", "torch.nn.", "keras.", "tf.keras.", "keras.models.", "models.", "foo."]))
    items = [i for i in [draw(KERAS_INPUT_DECLS)] if i]
    items += draw(st.lists(st.one_of(pasted_layer(), catalog_layer()), min_size=0, max_size=4))
    inner = ", ".join(items) + ("," if items and draw(st.booleans()) else "")
    body = draw(st.sampled_from(["[{}]", "{}"])).format(inner)
    name = draw(st.sampled_from(["", "model = ", "net = ", "relu = ", "Dense = "]))
    return f"{name}{module}Sequential({body})"


@FUZZ
@given(st.lists(pasted_layer(), min_size=1, max_size=3), st.sampled_from(["pytorch", "keras"]))
def test_random_pasted_layers(layers: list[str], convention: str) -> None:
    check("\n".join(layers), convention=convention)


@FUZZ
@given(KERAS_INPUT_DECLS, st.lists(pasted_layer(), min_size=1, max_size=4), st.sampled_from(["pytorch", "keras"]))
def test_random_pasted_layers_in_a_network(shape: str, layers: list[str], convention: str) -> None:
    check("network n {\n    " + "\n    ".join([s for s in [shape] if s] + layers) + "\n}", convention=convention)


@FUZZ
@given(st.lists(sequential_model(), min_size=1, max_size=2), st.sampled_from(["pytorch", "keras"]))
def test_random_sequential_models(models: list[str], convention: str) -> None:
    text = "\n".join(models)
    check(text, convention=convention)
    check(text, convention=convention, network="model")


# ------------------------------------------------------------------ the CLI


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.one_of(mutated(), catalog_layer()), st.sampled_from(["text", "json", "markdown", "latex"]))
def test_cli_never_shows_a_traceback(text: str, fmt: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["count", text, "--format", fmt])
    assert code in (0, 2)
    if code == 2:
        assert err.getvalue() and not out.getvalue()
    else:
        assert out.getvalue()


CLI_COMMANDS = st.sampled_from([
    ["count", "--format", "json"], ["count", "--format", "latex", "--flops", "--depth", "0"],
    ["derive", "--format", "text"], ["derive", "--standalone", "--bias", "both", "--convention", "both"],
    ["derive", "--format", "markdown", "--no-shapes", "--convention", "keras"], ["check", "--answer", "5"],
    ["compare", "linear(C_in=3, C_out=4)"],
])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.one_of(st.sampled_from(PASTED), mutated(), pasted_layer(), sequential_model()), CLI_COMMANDS)
def test_cli_commands_on_pasted_code(text: str, command: list[str]) -> None:
    """Every command exits 0 or 2 on pasted framework code (check: 1 for a wrong answer), and never
    prints a traceback."""
    argv = [command[0], text, *command[1:]]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    assert code in ((0, 1, 2) if command[0] == "check" else (0, 2)), argv
    assert "Traceback" not in err.getvalue() + out.getvalue()
    if code == 2:
        assert err.getvalue() and not out.getvalue()


def test_the_pasted_examples_are_valid() -> None:
    for text in PASTED:
        assert isinstance(check(text, convention="keras"), Count), text


def test_the_valid_examples_are_valid() -> None:
    """The seeds of the mutations count (otherwise the fuzzing starts from noise)."""
    for text in VALID:
        assert isinstance(check(text), Count), text


@pytest.mark.parametrize("text", ["", " ", "\n", "#", ";", "# only a comment\n"])
def test_empty_descriptions(text: str) -> None:
    err = check(text)
    assert isinstance(err, SymcountError) and err.message == "nothing to count: the description has no layers"
