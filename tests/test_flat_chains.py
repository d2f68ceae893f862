"""Flat chains of + - and * of any length: regrouped as they are read, so a sum of thousands of terms
is counted exactly instead of being refused as "nested deeper than 200 levels"; other operators'
chains past the limit get a message that says which limit applies and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import symcount
from symcount.language import nodes
from symcount.language.parse import MAX_NESTING, parse_expression

ROOT = Path(__file__).resolve().parent.parent


def linear_total(c_in: str) -> int:
    return int(symcount.count(f"linear(C_in={c_in}, C_out=2)").total)


@pytest.mark.parametrize("terms", [MAX_NESTING, MAX_NESTING + 1, 1_000, 20_000])
def test_a_flat_sum_of_any_length_counts_exactly(terms: int) -> None:
    assert linear_total("+".join(["1"] * terms)) == (terms + 1) * 2


def test_mixed_plus_and_minus_and_products_count_exactly() -> None:
    assert linear_total("5" + "-1+1" * 5_000) == 6 * 2  # 5 + 5,000 x (-1 + 1)
    assert linear_total("-".join(["1000"] + ["1"] * 600)) == 401 * 2  # 1000 - 600
    assert linear_total("*".join(["1"] * 3_000 + ["3"])) == 4 * 2
    assert linear_total("+".join(["(" + "+".join(["1"] * 300) + ")"] * 50)) == 15_001 * 2  # chains inside chains


def test_a_long_symbolic_sum_is_the_sum_of_its_terms() -> None:
    names = [f"b{i}" for i in range(300)]
    total = symcount.count("network x(C) { input(C=C)\n linear(C_out=" + " + ".join(names) + ") }").total
    assert isinstance(total, sympy.Expr)
    symbols = {str(s): s for s in total.free_symbols}  # the engine's own symbols (positive)
    expected = (symbols["C"] + 1) * sympy.Add(*(symbols[n] for n in names))
    assert sympy.expand(total - expected) == 0


def test_a_long_chain_nests_a_few_levels_and_a_short_one_stays_as_written() -> None:
    long = parse_expression("+".join(["x"] * 10_000))
    assert isinstance(long, nodes.BinOp) and long.depth <= 2 * 14 + 2
    short = parse_expression("a + b - c")
    assert short == nodes.BinOp("-", nodes.BinOp("+", nodes.Name("a"), nodes.Name("b")), nodes.Name("c"))


def test_another_operators_chain_says_which_limit_applies_and_why() -> None:
    with pytest.raises(symcount.SymcountError) as err:
        symcount.count("linear(C_in=" + "/".join(["1"] * 250) + ", C_out=2)")
    assert (err.value.line, err.value.column) == (1, 13 + 2 * MAX_NESTING)  # the term past the limit
    assert err.value.message.startswith(f"a chain of more than {MAX_NESTING} '/' operations: each one nests a "
                                        "level deeper (a / b / c is (a / b) / c), and an expression nests at most "
                                        f"{MAX_NESTING} levels")


def test_derive_renders_a_long_sum(tmp_path: Path) -> None:
    path = tmp_path / "sum.sc"
    path.write_text("network x {\n  input(C=3)\n  linear(C_out=" + " + ".join(["2"] * 300) + ")\n}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "symcount", "derive", str(path)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "2{,}400" in proc.stdout
