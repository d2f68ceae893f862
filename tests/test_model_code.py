"""Model code read from Python (``symcount count model.py``) against the real frameworks.

Each file in ``tests/model_code/`` is real model code of the kind tutorials and courses use. The
same file is run with real PyTorch or Keras (``KERAS_BACKEND=torch``) in a subprocess, and
symcount's count, read without running anything, must equal it exactly: total, trainable,
non-trainable, buffers, and the output shape where symcount followed the shapes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import needs
import pytest

import symcount
from symcount.cli.main import main
from symcount.counting import PythonCode, describe
from symcount.engine.count import count_dict

HERE = Path(__file__).parent
CODE = HERE / "model_code"

#: (file, the model: a variable the file binds or a class built with its defaults)
TORCH = [
    ("torch_mnist.py", "Net"),
    ("torch_cifar10_tutorial.py", "net"),
    ("torch_dcgan.py", "netG"),
    ("torch_dcgan.py", "netD"),
    ("torch_word_language_model.py", "model"),
    ("torch_word_language_model_transformer.py", "model"),
    ("torch_vae.py", "model"),
    ("torch_transformer_scratch.py", "TinyGPT"),
    ("torch_vit_scratch.py", "model"),
    ("torch_nanogpt.py", "model"),
    ("torch_nanogpt.py", "baby"),
    ("torch_small_resnet.py", "model"),
    ("torch_weight_sharing.py", "model"),
    ("torch_sequential.py", "model"),
    ("torch_two_heads.py", "model"),
    ("torch_global_mean.py", "model"),
    ("torch_view.py", "model"),
    ("torch_view.py", "gen"),
]
#: Models whose forward is followed: the input run through torch (C, H, W), and the sizes the file leaves
#: out, given as --set gives them (None: the file calls the model on a tensor of that shape itself).
FORWARD: dict[tuple[str, str], tuple[tuple[int, ...], dict[str, int] | None]] = {
    ("torch_mnist.py", "Net"): ((1, 28, 28), {"H": 28, "W": 28}),
    ("torch_cifar10_tutorial.py", "net"): ((3, 32, 32), {"H": 32, "W": 32}),
    ("torch_dcgan.py", "netG"): ((100, 1, 1), {"H": 1, "W": 1}),
    ("torch_dcgan.py", "netD"): ((3, 64, 64), {"H": 64, "W": 64}),
    ("torch_small_resnet.py", "model"): ((3, 32, 32), None),
    ("torch_weight_sharing.py", "model"): ((8, 16, 16), None),
    ("torch_sequential.py", "model"): ((1, 28, 28), None),
    ("torch_two_heads.py", "model"): ((3, 32, 32), {"H": 32, "W": 32}),
    ("torch_global_mean.py", "model"): ((3, 20, 20), {"H": 20, "W": 20}),
    ("torch_view.py", "model"): ((1, 32, 32), {"H": 32, "W": 32}),
    ("torch_view.py", "gen"): ((100,), {}),
}
KERAS = [
    ("keras_mnist_convnet.py", "model"),
    ("keras_model_add.py", "model"),
    ("keras_functional_branches.py", "model"),
    ("keras_subclassed.py", "model"),
    ("keras_siamese.py", "model"),
    ("keras_multi_input.py", "model"),
    ("keras_shared_conv.py", "model"),
    ("keras_two_outputs.py", "model"),
]


@cache
def truth(framework: str) -> dict[str, Any]:
    """Every file of one framework run once, in one subprocess."""
    needs.module("torch")
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        needs.module("keras")
    cases = TORCH if framework == "pytorch" else KERAS
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(HERE.parent))
    targets = [_target(file, name) for file, name in cases]
    done = subprocess.run([sys.executable, str(HERE / "model_code_truth.py"), framework, *targets],
                          capture_output=True, text=True, env=env, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _target(file: str, name: str) -> str:
    """``FILE#MODEL``, and ``#C,H,W`` when torch runs forward on an input of that shape."""
    shape = FORWARD.get((file, name), ((), None))[0]
    return f"{CODE / file}#{name}" + (f"#{','.join(map(str, shape))}" if shape else "")


def _check(framework: str, file: str, name: str) -> None:
    expected = truth(framework)[_target(file, name)]
    convention = "keras" if framework == "keras" else "pytorch"
    values = FORWARD.get((file, name), ((), None))[1]
    result = symcount.count(CODE / file, network=name, convention=convention, values=values)
    got = {"total": result.total, "trainable": result.trainable, "non_trainable": result.non_trainable,
           "buffers": result.buffers}
    assert got == {k: expected[k] for k in got}
    if expected["output_shape"] is not None:
        assert list(result.output_shape or ()) == expected["output_shape"]
    assert [list(map(int, shape)) for shape in result.outputs] == expected.get("outputs", [])
    if expected.get("macs") is not None:
        assert result.macs == expected["macs"]
    followed = not any("shapes were not followed" in note for note in result.notes)
    assert followed == ((file, name) in FORWARD or framework == "keras"), result.notes


@pytest.mark.parametrize(("file", "name"), TORCH, ids=[f"{f}#{n}" for f, n in TORCH])
def test_torch_code_counts_as_torch(file: str, name: str) -> None:
    _check("pytorch", file, name)


@pytest.mark.parametrize(("file", "name"), KERAS, ids=[f"{f}#{n}" for f, n in KERAS])
def test_keras_code_counts_as_keras(file: str, name: str) -> None:
    _check("keras", file, name)


def test_the_mnist_example_is_the_issue_number() -> None:
    """The issue's first complaint: PyTorch's MNIST example, 1,199,882 parameters."""
    assert symcount.count(CODE / "torch_mnist.py").total == 1_199_882


def test_the_description_reads_back() -> None:
    """``describe`` prints a description that counts to the same numbers."""
    text = describe(CODE / "torch_transformer_scratch.py")
    assert "tied=tok_emb" in text
    assert symcount.count(text).total == symcount.count(CODE / "torch_transformer_scratch.py").total


def test_default_model_is_the_module_level_one() -> None:
    """Without --network, the file's ``model`` (or its last model built at the top level) is counted."""
    assert symcount.count(CODE / "torch_dcgan.py").network == "netD"
    assert symcount.count(CODE / "torch_word_language_model.py").network == "model"


def test_forward_not_followed_says_why() -> None:
    """Where forward cannot be followed the count holds, and the output names what stopped it and where."""
    result = symcount.count(CODE / "torch_vae.py")
    assert result.total == 652_824
    assert result.output_shape is None
    assert any("shapes were not followed (torch.exp(...) in forward is not followed, line 22)" in note
               for note in result.notes), result.notes


def test_forward_leaves_unwritten_sizes_as_symbols() -> None:
    """MNIST's forward without an input in the file: the network takes H and W, MACs are polynomials in them."""
    result = symcount.count(CODE / "torch_mnist.py")
    symbols = {str(s): s for s in result.macs.free_symbols}
    assert set(symbols) == {"H", "W"}
    assert result.macs.subs({symbols["H"]: 28, symbols["W"]: 28}) == 11_992_448
    assert [str(s) for s in result.output_shape or ()] == ["10"]
    assert any("--set H=32" in note for note in result.notes)


#: Bare tensors: buffers whose shape is read through the tensor methods code uses, and parameters.
TENSOR_SNIPPETS = {
    "shapes": '''
import torch
import torch.nn as nn

class M(nn.Module):
    def __init__(self, n=6, d=4):
        super().__init__()
        self.register_buffer("a", torch.zeros(n, d).unsqueeze(0).transpose(0, 2))
        self.register_buffer("b", torch.ones(n, d).view(2, -1).reshape(-1).flatten())
        self.register_buffer("c", torch.tril(torch.ones(n, n)).view(1, 1, n, n).permute(3, 2, 0, 1))
        self.register_buffer("d", torch.arange(n).expand((1, -1)), persistent=False)
        self.register_buffer("e", torch.tensor([[1.0, 2.0], [3.0, 4.0]]).t())
        self.register_buffer("f", torch.tensor(0.5))
        self.register_buffer("g", None)
        self.register_buffer("h", torch.empty(3, 1, 5).squeeze(1).mul_(2))
        self.plain = torch.zeros(100)
        self.w = nn.Parameter(torch.randn(d, d) * 0.1)
        self.s = nn.Parameter(torch.tensor(1.0), requires_grad=False)
        self.v = nn.Parameter(torch.full((d,), 0.5))
        self.register_parameter("r", nn.Parameter(torch.zeros(2, 3)))
        self.lin = nn.Linear(d, d)
''',
    "nested": '''
import torch
from torch import nn

class Inner(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1, d, 1, 1))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Inner(8) for _ in range(3)])
        self.register_buffer("mask", torch.triu(torch.ones(5, 5), diagonal=1).bool())
''',
    "ties": '''
import torch.nn as nn

class Decoder(nn.Module):
    def __init__(self, d, vocab):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, vocab)

class Body(nn.Module):
    def __init__(self, d, vocab):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d)
        self.mix = nn.Linear(d, d)

class Tied(nn.Module):
    def __init__(self, d=16, vocab=50):
        super().__init__()
        self.body = Body(d, vocab)
        self.decoder = Decoder(d, vocab)
        self.head = nn.Linear(d, vocab, bias=False)
        self.extra = nn.Linear(d, d)
        self.first = nn.Linear(d, d)
        self.decoder.out.weight = self.body.tokens.weight
        self.body.mix.weight = self.extra.weight
        self.head.weight = self.body.tokens.weight
        self.first.weight = self.body.mix.weight
''',
    "container_ties": '''
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)


class M(nn.Module):
    def __init__(self, d=16, vocab=40):
        super().__init__()
        self.embed = nn.Sequential(nn.Embedding(vocab, d), nn.Dropout(0.1))
        self.blocks = nn.ModuleList([Block(d) for _ in range(3)])
        self.out = nn.Linear(d, d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.embed[0].weight
        self.out.weight = self.blocks[1].fc.weight

''',
}


SNIPPET_MODELS = {"shapes": "M", "nested": "Outer", "ties": "Tied", "container_ties": "M"}


@pytest.fixture(scope="module")
def tensor_truth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    needs.module("torch")
    folder = tmp_path_factory.mktemp("tensors")
    targets = []
    for name, code in TENSOR_SNIPPETS.items():
        (folder / f"{name}.py").write_text(code, encoding="utf-8")
        targets.append(f"{folder / name}.py#{SNIPPET_MODELS[name]}")
    done = subprocess.run([sys.executable, str(HERE / "model_code_truth.py"), "pytorch", *targets],
                          capture_output=True, text=True, check=False, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(HERE.parent)))
    assert done.returncode == 0, done.stderr
    return {"folder": folder, **json.loads(done.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize("name", list(TENSOR_SNIPPETS))
def test_buffers_parameters_and_ties_count_as_torch(name: str, tensor_truth: dict[str, Any]) -> None:
    """register_buffer (persistent or not) and nn.Parameter: the counts of real torch, exactly."""
    path = tensor_truth["folder"] / f"{name}.py"
    expected = tensor_truth[f"{path}#{SNIPPET_MODELS[name]}"]
    result = symcount.count(path)
    got = {"total": result.total, "trainable": result.trainable, "non_trainable": result.non_trainable,
           "buffers": result.buffers}
    assert got == {k: expected[k] for k in got}


def test_buffer_shapes_are_the_tensors_shapes() -> None:
    """The description writes each buffer's real shape (not only its size): torch's, read from the code."""
    text = describe(PythonCode(TENSOR_SNIPPETS["shapes"]))
    for line in ('buffer(shape=(4, 6, 1), name="a")', 'buffer(shape=(24,), name="b")',
                 'buffer(shape=(6, 6, 1, 1), name="c")', 'buffer(shape=(1, 6), name="d", persistent=False)',
                 'buffer(shape=(2, 2), name="e")', 'buffer(shape=(1,), name="f")', 'buffer(shape=(3, 5), name="h")',
                 'parameter(shape=(4, 4), name="w")', 'parameter(shape=(1,), name="s", trainable=False)'):
        assert line in text
    assert '"g"' not in text and "plain" not in text


@pytest.mark.parametrize(("code", "line", "message"), [
    ("import torch, torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, x):\n        super().__init__()\n"
     "        self.register_buffer('b', torch.randn(3) @ x)\nmodel = M(torch.zeros(3, 4))\n", 5, "buffer 'b'"),
    ("import torch, torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.register_buffer('b', torch.zeros(int(torch.randint(1, 5, (1,)))))\n", 5, "run time"),
    ("import torch, torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.register_buffer('b', torch.zeros(4, 6).view(5, -1))\n", 5, "does not fit"),
    ("import torch, torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, n=0):\n        super().__init__()\n"
     "        self.p = nn.Parameter(torch.zeros(n, 3))\n", 5, "positive"),
])
def test_unreadable_tensors_are_placed_errors(code: str, line: int, message: str) -> None:
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(PythonCode(code))
    assert caught.value.line == line and message in str(caught.value)


def test_ties_across_modules_point_from_the_later_layer() -> None:
    """torch keeps a shared weight at its first registered name: the later layer says tied=."""
    text = describe(PythonCode(TENSOR_SNIPPETS["ties"]))
    assert 'out: nn.Linear(16, 50, tied="body.tokens")' in text
    assert 'head: nn.Linear(16, 50, bias=False, tied="body.tokens")' in text
    assert 'extra: nn.Linear(16, 16, tied="body.mix")' in text
    assert 'first: nn.Linear(16, 16, tied="body.mix")' in text


def test_a_tie_into_a_sequential_names_the_child_by_its_index() -> None:
    """``self.head.weight = self.seq[0].weight``: the child is labelled by its index, as torch names it."""
    code = ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.seq = nn.Sequential(nn.Embedding(10, 4))\n        self.head = nn.Linear(4, 10)\n"
            "        self.head.weight = self.seq[0].weight\n")
    assert 'tied="seq.0"' in describe(PythonCode(code))
    assert symcount.count(PythonCode(code)).total == 10 * 4 + 10


def test_dataclass_configs_take_their_arguments() -> None:
    """A @dataclass config (nanoGPT's GPTConfig) is built from its arguments, not its defaults alone."""
    code = ("from dataclasses import dataclass\nimport torch.nn as nn\n@dataclass\nclass C:\n    d: int = 4\n"
            "    k: int = 3\nclass M(nn.Module):\n    def __init__(self, c):\n        super().__init__()\n"
            "        self.fc = nn.Linear(c.d, c.k)\nmodel = M(C(8))\n")
    assert symcount.count(PythonCode(code)).total == 8 * 3 + 3
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(PythonCode(code.replace("M(C(8))", "M(C(8, e=1))")))
    assert caught.value.line == 11 and "no field e" in str(caught.value)


def test_a_shared_conv_is_counted_once_and_says_so() -> None:
    """A Conv2D applied to two inputs: Keras counts it once; its second use is written shared= the first."""
    code = ("import keras\nfrom keras import layers\na = keras.Input(shape=(8, 8, 3))\nb = keras.Input(shape=(8, 8, 3))\n"
            "conv = layers.Conv2D(4, 3)\nmerged = layers.Add()([conv(a), conv(b)])\nmodel = keras.Model([a, b], merged)\n")
    result = symcount.count(PythonCode(code), convention="keras")
    assert result.total == 3 * 3 * 3 * 4 + 4
    assert result.macs == 2 * 6 * 6 * 4 * 27
    assert any("applied 2 times" in note for note in result.notes)


SHARED_ERRORS = {
    "conv2d(C_out=4, k=3, shared=nowhere)": "shared=nowhere: no earlier layer has that label",
    "conv2d(C_out=8, k=3, shared=c)": "shared=c: weight is (8, 4, 3, 3) here, but (4, 4, 3, 3) in c",
    "batchnorm(shared=c)": "shared=c: c is a conv2d, not a batchnorm",
}


@pytest.mark.parametrize("line", list(SHARED_ERRORS))
def test_shared_is_refused_where_it_cannot_be_the_same_layer(line: str) -> None:
    """``shared=`` names an earlier layer of the same kind whose tensors have the same shapes."""
    text = f"network n {{\n    input(C=4, H=8, W=8)\n    c: conv2d(C_out=4, k=3, padding=1)\n    {line}\n}}\n"
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(text)
    assert caught.value.line == 4 and SHARED_ERRORS[line] in str(caught.value)


def test_several_outputs_end_the_network() -> None:
    """``parallel(merge="outputs")`` gives the outputs: anything after it is refused, there."""
    text = ('network n {\n    input(C=8)\n    linear(C_out=4)\n    parallel(merge="outputs") {\n'
            '        branch { linear(C_out=1) }\n        branch { linear(C_out=2) }\n    }\n    relu()\n}\n')
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(text)
    assert caught.value.line == 8 and "nothing can follow them" in str(caught.value)
    result = symcount.count(text.replace("    relu()\n", ""))
    assert result.total == 9 * 4 + 5 + 10 and result.output_shape is None
    assert [list(map(int, s)) for s in result.outputs] == [[1], [2]]
    summary = count_dict(result)
    assert summary["output_shape"] is None and summary["outputs"] == [[1], [2]]


# ---- every verb reads model code, and places its errors in the code

PASTED = ("model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(4), layers.Dense(2)])\n")
BAD = ("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
       "        self.fc = nn.Linear(4, 3)\n        self.out = nn.Linear(0, 2)\n")


@pytest.mark.parametrize("verb", [["count"], ["derive", "--format", "text"], ["check", "--answer", "54"],
                                  ["compare", PASTED, "--format", "text"]])
def test_from_python_reads_pasted_code_on_every_verb(verb: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Code without an import line is a description unless --from python says otherwise."""
    argv = [verb[0], PASTED, *verb[1:], "--from", "python", "--convention", "keras"]
    assert main(argv) == 0, capsys.readouterr().err
    assert "54" in capsys.readouterr().out  # (10 + 1)*4 + (4 + 1)*2


@pytest.mark.parametrize("verb", [["count"], ["derive"], ["check", "--answer", "5"]])
def test_errors_found_while_counting_are_placed_in_the_code(verb: list[str], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "net.py"
    path.write_text(BAD, encoding="utf-8")
    for source in (str(path), BAD):
        assert main([verb[0], source, *verb[1:], "--from", "python"]) == 2
        err = capsys.readouterr().err
        assert ":6:20: C_in must be positive" in err and "self.out = nn.Linear(0, 2)" in err
        assert "(as read)" not in err


def test_an_exam_template_cannot_be_model_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exam", str(CODE / "torch_mnist.py")]) == 2
    err = capsys.readouterr().err
    assert "model code cannot be one" in err and "symcount describe" in err


# ---- docs/frameworks.md, "Python code": its examples counted here and run with the real frameworks

DOC_EXAMPLE = re.compile(r"^```python\n# symcount count: (.*?)\n(.*?)^```", re.S | re.M)


def doc_examples() -> list[tuple[dict[str, str], str]]:
    text = (HERE.parent / "docs" / "frameworks.md").read_text(encoding="utf-8")
    section = text[text.index("## Python code"):]
    return [(dict(part.strip().split(" = ") for part in claims.split(",")), code)
            for claims, code in DOC_EXAMPLE.findall(section)]


def test_the_python_code_section_has_examples() -> None:
    assert {"keras" in code for _, code in doc_examples()} == {True, False}


@pytest.mark.parametrize("index", range(len(doc_examples())))
def test_python_code_examples_count_as_the_page_and_the_framework_say(index: int, tmp_path: Path) -> None:
    """Each claim of an example (total, buffers; with ``input = CxHxW``: the output and the MACs of torch's
    forward) is what symcount counts and what the framework reports."""
    claims, code = doc_examples()[index]
    framework = "keras" if "import keras" in code else "pytorch"
    needs.module("torch")
    path = tmp_path / "example.py"
    path.write_text(code, encoding="utf-8")
    target = f"{path}#{claims['model']}" + (f"#{claims['input'].replace('x', ',')}" if "input" in claims else "")
    done = subprocess.run([sys.executable, str(HERE / "model_code_truth.py"), framework, target],
                          capture_output=True, text=True, check=False, timeout=300,
                          env=dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(HERE.parent)))
    assert done.returncode == 0, done.stderr
    truth = json.loads(done.stdout.strip().splitlines()[-1])[target]
    result = symcount.count(path, convention=framework)
    for key in ("total", "buffers"):
        assert getattr(result, key) == truth[key] == int(claims[key].replace("_", "")), key
    if "input" in claims:
        assert result.macs == truth["macs"] == int(claims["macs"].replace("_", ""))
        assert [str(n) for n in result.output_shape or ()] == [str(n) for n in truth["output_shape"]] \
            == claims["output"].split("x")


def test_bare_tensors_are_named_as_state_dict_names_them() -> None:
    """``self.cls_token = nn.Parameter(...)`` is ``cls_token`` in state_dict, not ``cls_token.cls_token``."""
    result = symcount.count(CODE / "torch_vit_scratch.py")
    names = {layer.key(tensor.name) for layer in result.layers for tensor in layer.tensors}
    assert {"cls_token", "pos_embed", "temperature", "causal", "head.weight"} <= names
    assert not any(name.startswith("cls_token.") for name in names)


@pytest.mark.parametrize(("file", "name"), TORCH, ids=[f"{f}#{n}" for f, n in TORCH])
def test_why_forward_was_not_followed_is_in_the_code_s_words(file: str, name: str) -> None:
    """The reason names the code's construct and line, never one of the reader's own types."""
    notes = " ".join(symcount.count(CODE / file, network=name).notes)
    assert not re.search(r"FTensor|FShape|Opaque|Batch\b|object of type", notes), notes
    if "shapes were not followed" in notes:
        assert re.search(r"shapes were not followed \(.+, line \d+\)", notes), notes


def test_a_view_to_a_wrong_size_fails_at_its_line_as_torch_does(tmp_path: Path) -> None:
    """LeNet's ``x.view(-1, 16 * 5 * 5)`` on a 28x28 input: torch refuses the view, and so does symcount, at the
    line of the view; with H and W left as symbols the stated size stays in the description (nn.Unflatten),
    so the check waits for the values instead of reading the view as a flatten of any size."""
    needs.module("torch")
    code = ("import runpy, torch\n"
            f"model = runpy.run_path({str(CODE / 'torch_view.py')!r}, run_name='m')['model']\n"
            "try:\n    model(torch.zeros(1, 1, 28, 28))\nexcept RuntimeError as err:\n    print('refused', err)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert done.stdout.startswith("refused") and "[-1, 400]" in done.stdout, done.stdout + done.stderr
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(CODE / "torch_view.py", values={"H": 28, "W": 28})
    assert (caught.value.line, caught.value.message) == (22, "Unflatten to (400,) has 400 values; dim 1 of the "
                                                             "input has 256")
    assert "nn.Unflatten(1, (400,))" in describe(CODE / "torch_view.py")
    shapes = [layer.output_shape for layer in symcount.count(CODE / "torch_view.py").layers]
    assert (400,) in shapes


ENGINE_SNIPPETS = {
    # torch runs it (nn.Linear maps the last size, 32): the description cannot hold that, so __init__ counts
    "last_size": ("import torch.nn as nn\nimport torch.nn.functional as F\n\nclass M(nn.Module):\n"
                  "    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n"
                  "        self.mix = nn.Linear(32, 16)\n\n    def forward(self, x):\n"
                  "        return self.mix(F.relu(self.conv(x)))\n\nmodel = M()\n"),
    # torch refuses it (conv2 expects 4 channels, conv gives 8): the user's mistake, placed in the code
    "wrong_channels": ("import torch.nn as nn\n\nclass M(nn.Module):\n    def __init__(self):\n"
                       "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n"
                       "        self.conv2 = nn.Conv2d(4, 8, 3)\n\n    def forward(self, x):\n"
                       "        return self.conv2(self.conv(x))\n\nmodel = M()\n"),
}


def test_a_forward_the_engine_cannot_hold_falls_back_to_init_and_a_real_mistake_is_placed(tmp_path: Path) -> None:
    """Both snippets run with real torch on a (3, 32, 32) input: the one torch runs still counts exactly (from
    __init__, the note saying why forward was not followed); the one torch refuses is an error at the code."""
    needs.module("torch")
    for name, code in ENGINE_SNIPPETS.items():
        (tmp_path / f"{name}.py").write_text(code)
    script = ("import json, runpy, sys, torch\nout = {}\nfor path in sys.argv[1:]:\n"
              "    model = runpy.run_path(path, run_name='m')['model']\n"
              "    try:\n        model(torch.zeros(1, 3, 32, 32))\n        ran = True\n"
              "    except RuntimeError:\n        ran = False\n"
              "    out[path] = [sum(p.numel() for p in model.parameters()), ran]\nprint(json.dumps(out))\n")
    paths = [str(tmp_path / f"{name}.py") for name in ENGINE_SNIPPETS]
    done = subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    torch_says = json.loads(done.stdout.strip().splitlines()[-1])
    assert [ran for _, ran in torch_says.values()] == [True, False]
    result = symcount.count(tmp_path / "last_size.py")
    assert result.total == torch_says[paths[0]][0]
    assert any("shapes were not followed (the shapes read from forward do not count: linear: C_in=32 but the "
               "input has 8 channels" in note for note in result.notes), result.notes
    assert "shapes not followed" in describe(tmp_path / "last_size.py")
    with pytest.raises(symcount.SymcountError) as caught:
        symcount.count(tmp_path / "wrong_channels.py")
    assert (caught.value.line, caught.value.filename) == (7, str(tmp_path / "wrong_channels.py"))
    assert "C_in=4 but the input has 8 channels" in caught.value.message


@pytest.mark.parametrize(("file", "name"), list(FORWARD), ids=[f"{f}#{n}" for f, n in FORWARD])
def test_forward_names_layers_as_torch_names_its_modules(file: str, name: str) -> None:
    """Where forward is followed the count table names each layer as ``named_modules()`` does (``main.0``,
    ``layers.0.shortcut.1``): every module with weights is there under its own name, and every other row is a
    step without a module of its own, named by its kind inside the module whose forward made it."""
    modules: dict[str, bool] = truth("pytorch")[_target(file, name)]["modules"]
    values = FORWARD[(file, name)][1]
    result = symcount.count(CODE / file, network=name, values=values)
    names = [layer.name for layer in result.layers]
    assert {m for m, weighted in modules.items() if weighted} <= set(names), names
    for layer in result.layers:
        if layer.name in modules:
            continue
        scope, _, own = layer.name.rpartition(".")
        assert (not scope or scope in modules) and re.fullmatch(rf"{re.escape(layer.kind)}(_[0-9]+)?", own), \
            (layer.name, layer.kind)


def test_a_label_is_refused_only_where_the_grammar_refuses_it() -> None:
    """Module names the nested writer will not use as labels are exactly those the language refuses."""
    from symcount.frameworks.torch_forward import NOT_LABELS  # noqa: PLC0415  the reader's own list, tested
    refused = []
    for word in [*NOT_LABELS, "shortcut", "input", "main", "stream", "branch1", "0", "12"]:
        try:
            symcount.count(f"network n {{\n input(C=3)\n {word}: nn.ReLU()\n}}\n")
        except symcount.SymcountError:
            refused.append(word)
    assert refused == list(NOT_LABELS)


def test_receptive_field_notes_name_the_code_s_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """The receptive-field notes say where the field became the whole input, and where branches join, by the
    line of the Python code (the description's lines are the reader's, not the user's)."""
    main(["count", str(CODE / "torch_mnist.py"), "--receptive-field"])
    out = capsys.readouterr().out
    lines = (CODE / "torch_mnist.py").read_text().splitlines()
    said = re.search(r"after flatten \(flatten, line ([0-9]+)\) every output sees the whole input", out)
    assert said is not None, out
    assert "torch.flatten(x, 1)" in lines[int(said.group(1)) - 1]
    main(["count", str(CODE / "torch_small_resnet.py"), "--receptive-field"])
    out = capsys.readouterr().out
    resnet = (CODE / "torch_small_resnet.py").read_text().splitlines()
    joins = [int(n) for n in re.findall(r"the (?:add|concat) after .*? \(line ([0-9]+)\)", out)]
    assert [resnet[n - 1].strip() for n in joins] == [
        "return torch.cat([self.branch1(x), self.branch3(x), self.pool(x)], dim=1)",
        *["out += self.shortcut(x)"] * 4]


def test_modules_whose_steps_interleave_are_labelled_flat(tmp_path: Path) -> None:
    """forward runs a.conv1, then b, then a.conv2: module ``a`` is no one block call, so the layers are
    labelled flat (``a_conv1``), and the count is the same as nested."""
    code = ("import torch.nn as nn\n\nclass A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(3, 4, 3)\n        self.conv2 = nn.Conv2d(4, 4, 3)\n\n"
            "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = A()\n"
            "        self.b = nn.Conv2d(4, 4, 1)\n\n    def forward(self, x):\n"
            "        return self.a.conv2(self.b(self.a.conv1(x)))\n\nmodel = M()\n")
    (tmp_path / "m.py").write_text(code)
    result = symcount.count(tmp_path / "m.py", values={"H": 9, "W": 9})
    assert [layer.name for layer in result.layers] == ["a_conv1", "b", "a_conv2"]
    assert (result.total, list(result.output_shape or ())) == (112 + 20 + 148, [4, 5, 5])
    assert "block" not in describe(tmp_path / "m.py")


@pytest.mark.parametrize(("file", "name"), [c for c in TORCH if c not in FORWARD],
                         ids=[f"{f}#{n}" for f, n in TORCH if (f, n) not in FORWARD])
def test_init_names_layers_as_torch_names_its_modules(file: str, name: str) -> None:
    """Where forward is not followed the layers are written in __init__'s order, each named as torch names the
    module (an nn.Sequential's or nn.ModuleList's child by its index: ``transformer.h.0.attn.c_attn``), a bare
    parameter or buffer by its state_dict name; every module with weights is a row or inside one."""
    modules: dict[str, bool] = truth("pytorch")[_target(file, name)]["modules"]
    result = symcount.count(CODE / file, network=name)
    owners = [layer.name.rpartition(".")[0] if layer.kind in ("parameter", "buffer") else layer.name
              for layer in result.layers]
    # a catalog layer may hold a torch module's children (nn.MultiheadAttention's out_proj): covered by it
    assert [m for m, weighted in modules.items() if weighted
            and not any(m == owner or m.startswith(owner + ".") for owner in owners if owner)] == []
    assert [(owner, layer.kind) for owner, layer in zip(owners, result.layers, strict=True)
            if owner not in modules and owner] == []
