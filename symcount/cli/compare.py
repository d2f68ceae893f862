"""``symcount compare A B``: two counts side by side (:mod:`symcount.teaching.compare`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from symcount.cli.argtypes import parse_set, source_arg
from symcount.cli.options import CONVENTIONS, add_format, add_from, add_output, add_standalone
from symcount.cli.output import EXIT_OK, exact, json_document, render_as, write_output
from symcount.cli.verbs import VERBS
from symcount.engine.count import Count
from symcount.errors import SymcountError
from symcount.teaching.compare import Comparison, Side, compare, parse_sweep

#: ``symcount/compare`` JSON (docs/json.md).
SCHEMA_VERSION = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="a .sc file (path#network) or an inline description")
    p.add_argument("b", metavar="B", help="the other side, the same way")
    add_from(p)
    p.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE",
                   help="a value for both sides (repeatable)")
    p.add_argument("--a-set", dest="a_values", action="append", metavar="NAME=VALUE", help="a value for A only")
    p.add_argument("--b-set", dest="b_values", action="append", metavar="NAME=VALUE", help="a value for B only")
    p.add_argument("--convention", choices=list(CONVENTIONS), default=None,
                   help="both sides' convention (default: each file's '# convention:' line, else pytorch)")
    p.add_argument("--a-convention", choices=list(CONVENTIONS), help="A's convention")
    p.add_argument("--b-convention", choices=list(CONVENTIONS), help="B's convention")
    p.add_argument("--network", help="network to count on both sides")
    p.add_argument("--a-network", help="A's network")
    p.add_argument("--b-network", help="B's network")
    p.add_argument("--sweep", metavar="NAME=RANGE",
                   help="a table over one size: C=16..512 (doubling), C=1..8:1, C=3,5,7")
    p.add_argument("--plot", metavar="FILE.png", help="draw the sweep with matplotlib (optional extra)")
    add_format(p, VERBS["compare"].formats, "text")
    add_standalone(p, help="latex: a complete document")
    add_output(p)


def build(args: argparse.Namespace) -> Comparison:
    comparison = compare(
        source_arg(args.a, args.origin),
        source_arg(args.b, args.origin),
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
        for option, given in (("--set", args.values), ("--a-set", args.a_values), ("--b-set", args.b_values)):
            if name in parse_set(given):  # the set value would win on that side: the sweep would change nothing
                raise SymcountError(f"--sweep {name}: {name} is also given by {option}",
                                    hint=f"leave {name} out of {option} to sweep it, or drop --sweep")
        comparison.sweep(name, values)
        if args.plot:
            plot(comparison, args.plot)
    return comparison


def plot(comparison: Comparison, path: str) -> None:
    """A line chart of both counts over the sweep (needs matplotlib).

    matplotlib is an optional extra, so it is imported here, when a plot is asked for."""
    try:
        import matplotlib  # noqa: PLC0415  lazy: optional dependency (the plot extra)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415  lazy: optional dependency (the plot extra)
    except ImportError:
        raise SymcountError("--plot needs matplotlib, an optional extra",
                            hint="pip install 'symcount[plot]' (or pip install matplotlib)") from None
    rows = [r for r in comparison.sweep_rows if not r.invalid]  # an invalid size has no count to draw
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


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison's data: each side's totals, A − B, A / B, the verdict and any sweep."""
    verdict = comparison.verdict
    data: dict[str, Any] = {
        "a": _side(comparison.sides[0], comparison.a),
        "b": _side(comparison.sides[1], comparison.b),
        "values": exact(dict(comparison.shared)),
        "difference": exact(comparison.difference),
        "ratio": exact(comparison.ratio),
        "verdict": {"kind": verdict.kind, "sentence": str(verdict)},
        "sweep": None,
    }
    if comparison.sweep_name is not None:
        data["sweep"] = {"name": comparison.sweep_name, "rows": [
            {"value": exact(r.value), "invalid": r.invalid} if r.invalid else
            {"value": exact(r.value), "a": exact(r.a), "b": exact(r.b), "difference": exact(r.difference),
             "ratio": exact(r.ratio), "invalid": None} for r in comparison.sweep_rows]}
    return data


def _side(side: Side, result: Count) -> dict[str, Any]:
    return {"label": side.label, "network": result.network, "convention": result.convention,
            "total": exact(result.total), "trainable": exact(result.trainable),
            "non_trainable": exact(result.non_trainable), "buffers": exact(result.buffers)}


def render(comparison: Comparison, fmt: str, standalone: bool = False) -> str:
    if fmt == "json":
        return json_document("compare", SCHEMA_VERSION, comparison_dict(comparison))
    return render_as(comparison, fmt, standalone)


def run_compare(argv: Sequence[str]) -> str:
    """The output of ``symcount compare ARGV`` as a string (for goldens and tests)."""
    parser = argparse.ArgumentParser(prog="symcount compare")
    add_arguments(parser)
    args = parser.parse_args(list(argv))
    return render(build(args), args.format, args.standalone)


def run(args: argparse.Namespace) -> int:
    write_output(render(build(args), args.format, args.standalone), args.output, [args.a, args.b])
    return EXIT_OK
