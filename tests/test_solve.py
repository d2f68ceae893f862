"""``symcount solve``: every printed solution meets the requirement when substituted back, and an
independent brute-force search over the same ranges (closed-form output sizes and parameter counts,
and real torch layers) finds no other."""

from __future__ import annotations

import itertools
import json
import random
import re
import shlex
from pathlib import Path

import needs
import pytest

from symcount.cli.main import main
from symcount.errors import SymcountError
from symcount.teaching.solve import parse_requirement, parse_unknown, solve

ROOT = Path(__file__).resolve().parent.parent
SOLVE = ROOT / "derivations" / "solve"
PAGE = ROOT / "docs" / "solve.md"


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else {"error": err}


def conv_out(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def test_same_padding_is_p_2_and_only_p_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, ["solve", str(SOLVE / "same_padding.sc"), "--unknown", "p=0..10",
                                   "--require", "output_size == 32"])
    assert code == 0
    brute = [{"p": p} for p in range(11) if conv_out(32, 5, 1, p) == 32]
    assert data["solutions"] == brute == [{"p": 2}]
    assert data["substituted"] == [{"output_size": [32, 32]}]
    assert any("p = (k - 1)/2" in note and "k = 5: p = 2" in note for note in data["notes"])  # type: ignore[attr-defined]


def test_stride_and_padding_from_224_to_112_against_torch(capsys: pytest.CaptureFixture[str]) -> None:
    torch = needs.module("torch")
    code, data = run_json(capsys, ["solve", str(SOLVE / "stem.sc"), "--unknown", "s=1..4", "--unknown", "p=0..6",
                                   "--require", "conv1.output_size == 112"])
    assert code == 0
    brute = []
    x = torch.zeros(1, 3, 224, 224, device="meta")
    for s, p in itertools.product(range(1, 5), range(7)):
        y = torch.nn.Conv2d(3, 64, 7, stride=s, padding=p, bias=False, device="meta")(x)
        if tuple(y.shape[2:]) == (112, 112):
            brute.append({"s": s, "p": p})
    assert data["solutions"] == brute
    assert {"s": 2, "p": 3} in brute


def test_largest_width_under_a_budget_against_torch(capsys: pytest.CaptureFixture[str]) -> None:
    torch = needs.module("torch")
    code, data = run_json(capsys, ["solve", str(SOLVE / "budget.sc"), "--unknown", "C=90..120",
                                   "--require", "params <= 100000"])
    assert code == 0

    def params(c: int) -> int:
        net = torch.nn.Sequential(torch.nn.Conv2d(3, c, 3, padding=1), torch.nn.Conv2d(c, c, 3, padding=1))
        return sum(t.numel() for t in net.parameters())

    brute = [{"C": c} for c in range(90, 121) if params(c) <= 100_000]
    assert data["solutions"] == brute
    assert max(s["C"] for s in brute) == 103
    assert all(sub["params"] == params(sol["C"]) and sub["params"] <= 100_000  # substituted back
               for sol, sub in zip(data["solutions"], data["substituted"], strict=True))  # type: ignore[arg-type]


def test_every_solution_substituted_back_and_none_missed_on_random_stacks() -> None:
    rng = random.Random(16)
    for _ in range(6):
        n, k, d = rng.choice([16, 28, 32, 33]), rng.choice([1, 3, 5, 7]), rng.choice([1, 2])
        target = rng.randint(4, n)
        text = (f"network q(s, p) {{\n input(H={n}, W={n}, C=2)\n"
                f" c: conv2d(C_out=4, k={k}, stride=s, padding=p, dilation={d})\n}}")
        result = solve(text, [parse_unknown("s=1..3"), parse_unknown("p=0..4")], f"output_size == {target}")
        found = [s.values for s in result.solutions]
        brute = [{"s": s, "p": p} for s in range(1, 4) for p in range(5)
                 if conv_out(n, k, s, p, d) == target]
        assert found == brute, text
        for s in result.solutions:
            assert s.quantities["output_size"] == (target, target)


def test_receptive_field_and_indexed_output_size() -> None:
    text = ("network r(s) {\n input(H=32, W=20, C=1)\n conv2d(C_out=1, k=3)\n conv2d(C_out=1, k=3, stride=s)\n"
            " conv2d(C_out=1, k=3)\n}")
    result = solve(text, [parse_unknown("s=1..3")], "receptive_field == 9")
    assert [s.values for s in result.solutions] == [{"s": 2}]  # 3, 5, then 5 + 2*2
    result = solve(text, [parse_unknown("s=1..3")], "output_size[1] == 6")
    brute = [{"s": s} for s in range(1, 4) if conv_out(conv_out(conv_out(20, 3, 1, 0), 3, s, 0), 3, 1, 0) == 6]
    assert [s.values for s in result.solutions] == brute == [{"s": 2}]
    assert all(s.quantities["output_size[1]"] == 6 for s in result.solutions)
    assert solve(text, [parse_unknown("s=1..3")], "output_size == 6").solutions == []  # H is 12, not 6


def test_no_solution_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, ["solve", str(SOLVE / "same_padding.sc"), "--unknown", "p=0..10",
                                   "--require", "output_size == 31"])
    assert code == 1 and data["solutions"] == []


@pytest.mark.parametrize(("argv", "message"), [
    (["--require", "output_size == 32"], "needs an unknown"),
    (["--unknown", "p=0..", "--require", "output_size == 32"], "NAME=LOW..HIGH"),
    (["--unknown", "p", "--require", "output_size == 32"], "NAME=LOW..HIGH"),
    (["--unknown", "p=5..1", "--require", "output_size == 32"], "reversed"),
    (["--unknown", "p=0..3", "--require", "width == 32"], "unknown quantity 'width'"),
    (["--unknown", "q=0..3", "--require", "output_size == 32"], "no such name"),
    (["--unknown", "p=0..3", "--require", "nolabel.output_size == 32"], "no layer named 'nolabel'"),
    (["--unknown", "p=0..99999", "--require", "output_size == 32"], "the limit is"),
    (["--unknown", "p=0..3", "--require", "params[0] == 32"], "no [0]"),
    (["--unknown", "p=0..3", "--require", "output_size + 1"], "must be a comparison"),
])
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code = main(["solve", str(SOLVE / "same_padding.sc"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_an_unknown_quantity_is_positioned() -> None:
    with pytest.raises(SymcountError) as caught:
        parse_requirement("conv1.output_size == widht", [parse_unknown("p=0..1")])
    assert caught.value.pos.column == 22 and "unknown quantity 'widht'" in str(caught.value)


EXAMPLE = re.compile(r"```console\n\$ symcount (solve .+?)\n```\n\n```text\n(.*?)\n```", re.S)


@pytest.mark.parametrize("command", [c for c, _ in EXAMPLE.findall(PAGE.read_text(encoding="utf-8"))])
def test_the_page_s_examples_are_what_the_command_prints(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(ROOT)
    expected = dict(EXAMPLE.findall(PAGE.read_text(encoding="utf-8")))[command]
    assert main(shlex.split(command)) == 0
    assert capsys.readouterr().out.rstrip("\n") == expected


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_formats(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["solve", str(SOLVE / "same_padding.sc"), "--unknown", "p=0..4", "--require", "output_size == 32",
                 "--format", fmt, *(["--standalone"] if fmt == "latex" else [])]) == 0
    out = capsys.readouterr().out
    assert ("p = 2" in out) and (out.startswith(r"\documentclass") if fmt == "latex" else True)
