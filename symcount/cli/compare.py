"""``symcount compare A B`` (:mod:`symcount.teaching.compare`) and ``symcount check`` (:mod:`symcount.teaching.check`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from symcount.cli.main import EXIT_OK, parse_set, render_as, source_arg, write_output
from symcount.errors import SymcountError
from symcount.teaching.compare import Comparison, compare, parse_sweep


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="a .sc file (path#network) or an inline description")
    p.add_argument("b", metavar="B", help="the other side, the same way")
    p.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE",
                   help="a value for both sides (repeatable)")
    p.add_argument("--a-set", dest="a_values", action="append", metavar="NAME=VALUE", help="a value for A only")
    p.add_argument("--b-set", dest="b_values", action="append", metavar="NAME=VALUE", help="a value for B only")
    p.add_argument("--convention", choices=["pytorch", "keras"], default="pytorch",
                   help="both sides' convention (default: pytorch)")
    p.add_argument("--a-convention", choices=["pytorch", "keras"], help="A's convention")
    p.add_argument("--b-convention", choices=["pytorch", "keras"], help="B's convention")
    p.add_argument("--network", help="network to count on both sides")
    p.add_argument("--a-network", help="A's network")
    p.add_argument("--b-network", help="B's network")
    p.add_argument("--sweep", metavar="NAME=RANGE",
                   help="a table over one size: C=16..512 (doubling), C=1..8:1, C=3,5,7")
    p.add_argument("--plot", metavar="FILE.png", help="draw the sweep with matplotlib (optional extra)")
    p.add_argument("--format", choices=["text", "latex", "markdown"], default="text")
    p.add_argument("--standalone", action="store_true", help="latex: a complete document")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")


def build(args: argparse.Namespace) -> Comparison:
    comparison = compare(
        source_arg(args.a),
        source_arg(args.b),
        values=parse_set(args.values),
        a_values=parse_set(args.a_values),
        b_values=parse_set(args.b_values),
        convention=(args.a_convention or args.convention, args.b_convention or args.convention),
        network=(args.a_network or args.network, args.b_network or args.network),
    )
    if args.plot and not args.sweep:
        raise SymcountError("--plot draws a sweep; give --sweep NAME=RANGE too")
    if args.sweep:
        name, values = parse_sweep(args.sweep)
        comparison.sweep(name, values)
        if args.plot:
            plot(comparison, args.plot)
    return comparison


def plot(comparison: Comparison, path: str) -> None:
    """A line chart of both counts over the sweep (needs matplotlib)."""
    try:
        import matplotlib  # noqa: PLC0415  lazy: optional dependency (the plot extra)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415  lazy: optional dependency (the plot extra)
    except ImportError:
        raise SymcountError("--plot needs matplotlib, an optional extra",
                            hint="pip install 'symcount[plot]' (or pip install matplotlib)") from None
    rows = comparison.sweep_rows
    if any(r.a.free_symbols or r.b.free_symbols for r in rows):
        raise SymcountError("--plot needs numbers: give the other symbols values with --set")
    xs = [int(r.value) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, [int(r.a) for r in rows], marker="o", label=f"A: {comparison.sides[0].label}")
    ax.plot(xs, [int(r.b) for r in rows], marker="s", label=f"B: {comparison.sides[1].label}")
    ax.set_xlabel(comparison.sweep_name or "")
    ax.set_ylabel("parameters")
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as err:
        raise SymcountError(f"cannot write it: {getattr(err, 'strerror', None) or err}", filename=path) from None
    finally:
        plt.close(fig)


def run_compare(argv: Sequence[str]) -> str:
    """The output of ``symcount compare ARGV`` as a string (for goldens and tests)."""
    parser = argparse.ArgumentParser(prog="symcount compare")
    add_arguments(parser)
    args = parser.parse_args(list(argv))
    return render_as(build(args), args.format, args.standalone)


def cmd_compare(args: argparse.Namespace) -> int:
    write_output(render_as(build(args), args.format, args.standalone), args.output)
    return EXIT_OK


def setup_compare(sub: Any) -> None:
    p = sub.add_parser("compare", help="compare two layers, blocks or networks symbolically")
    add_arguments(p)
    p.set_defaults(func=cmd_compare)


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 whether the answer is right or wrong: the verdict is the output."""
    from symcount.teaching.check import check  # noqa: PLC0415  cycle: cli.compare -> teaching.check -> teaching.compare -> cli.compare

    verdict = check(source_arg(args.source), args.answer, values=parse_set(args.values),
                    convention=args.convention, network=args.network, quantity=args.quantity)
    write_output(render_as(verdict, args.format, args.standalone), args.output)
    return EXIT_OK


def setup_check(sub: Any) -> None:
    p = sub.add_parser("check", help="check an answer (a number or a formula) and name the slip if it is wrong")
    p.add_argument("source", help="a .sc file (optionally path#network) or an inline description")
    p.add_argument("--answer", required=True, help="a number or a formula in the layer's names, e.g. "
                   "'(k*k*C_in + 1)*C_out'")
    p.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE",
                   help="give a symbol or let a value (repeatable)")
    p.add_argument("--convention", choices=["pytorch", "keras"], default="pytorch")
    p.add_argument("--network", help="which network when the source holds several")
    p.add_argument("--quantity", choices=["total", "trainable"], default="total",
                   help="what the question asks for (default: total, as the framework reports it)")
    p.add_argument("--format", choices=["text", "latex", "markdown"], default="text")
    p.add_argument("--standalone", action="store_true", help="latex: a complete document")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")
    p.set_defaults(func=cmd_check)


SETUPS = [setup_compare, setup_check]
