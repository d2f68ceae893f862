"""A synthetic class for batch marking: answers written the way students write them, each with the
verdict it must get. Each slip is written by hand as a student makes it (not read from the key), so
marking is checked against an independent statement of each mistake."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

from symcount.teaching.exam import Exam

Formula = Callable[[dict[str, int]], str]

#: a convolution with bias, (k·k·C_in + 1)·C_out: the right formula and each slip as a student writes it
CONV: dict[str, Formula] = {
    "": lambda v: "({k}*{k}*{C_in} + 1)*{C_out}".format(**v),
    "bias_input_side": lambda v: "{k}*{k}*{C_in}*({C_out} + 1)".format(**v),
    "bias_in_window": lambda v: "{k}*{k}*({C_in} + 1)*{C_out}".format(**v),
    "bias_missing": lambda v: "{k}*{k}*{C_in}*{C_out}".format(**v),
    "kernel_not_squared": lambda v: "({k}*{C_in} + 1)*{C_out}".format(**v),
    "c_in_missing": lambda v: "({k}*{k} + 1)*{C_out}".format(**v),
}

#: a PyTorch LSTM, 4·((C_in + H)·H + 2H)
LSTM: dict[str, Formula] = {
    "": lambda v: "4*(({C_in} + {H})*{H} + 2*{H})".format(**v),
    "bias_missing": lambda v: "4*({C_in} + {H})*{H}".format(**v),
    "one_gate": lambda v: "({C_in} + {H})*{H} + 2*{H}".format(**v),
    "recurrent_weights_missing": lambda v: "4*({C_in}*{H} + 2*{H})".format(**v),
    "c_in_missing": lambda v: "4*({H}*{H} + 2*{H})".format(**v),
    "other_convention": lambda v: "4*(({C_in} + {H})*{H} + {H})".format(**v),
}


def _written(formula: str, rng: random.Random) -> str:
    """The value as a student writes it: the formula, the number, or the number with its digits grouped."""
    value = _value(formula)
    return rng.choice([formula, str(value), f"{value:,}", f"{value:,}".replace(",", " ")])


def _value(formula: str) -> int:
    """A formula of numbers, + and * only (the test's own arithmetic, not symcount's reader)."""
    total = 0
    for term in _split(formula, "+"):
        product = 1
        for factor in _split(term, "*"):
            factor = factor.strip()
            product *= _value(factor[1:-1]) if factor.startswith("(") else int(factor)
        total += product
    return total


def _split(text: str, op: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if char == op and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def synthetic_class(exam: Exam, formulas: dict[str, Formula], size: int, seed: int = 0
                    ) -> tuple[str, list[tuple[str, str]]]:
    """``size`` answers (CSV text) and the (verdict, slip) each must get: right answers, every slip,
    an unexplained wrong answer and blanks, as formulas, plain numbers and grouped digits."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "variant", "answer"])
    expected: list[tuple[str, str]] = []
    kinds = [*formulas, "unexplained", "blank"]
    for i in range(size):
        variant = rng.choice(exam.variants)
        values = {k: int(v) for k, v in variant.values.items()}
        kind = kinds[i % len(kinds)]
        if kind == "blank":
            writer.writerow([f"student {i}", variant.id, ""])
            expected.append(("blank", ""))
            continue
        if kind == "unexplained":
            wrong = int(variant.answer) + 1
            assert all(s.value != wrong for s in variant.slips)
            writer.writerow([f"student {i}", variant.id, _written(str(wrong), rng)])
            expected.append(("wrong", ""))
            continue
        formula = formulas[kind](values)
        writer.writerow([f"student {i}", variant.id, _written(formula, rng)])
        expected.append(("right", "") if kind == "" else ("wrong", kind))
    return buffer.getvalue(), expected
