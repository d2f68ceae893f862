"""The command line: a thin argparse layer over the Python API.

Every command prints its result on stdout and exits 0; bad input prints
``file:line:col: message`` with the source line and a caret on stderr and
exits 2. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import symcount
from symcount import api
from symcount.errors import SymcountError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def parse_set(items: Sequence[str] | None) -> dict[str, str]:
    """``--set NAME=VALUE`` pairs (values are parsed later by the expression grammar)."""
    values: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not value.strip():
            raise SymcountError(f"--set expects NAME=VALUE, got '{item}'")
        values[name] = value.strip()
    return values


def source_arg(text: str) -> api.Source:
    """A SOURCE argument: an existing file (``path#network`` too), else inline text."""
    if not text.strip():
        raise SymcountError("the description is empty",
                            hint='give a .sc file or the description itself, e.g. "conv2d(C_in=3, C_out=8, k=3)"')
    candidate = Path(text)
    base = text.rpartition("#")[0] if "#" in text else None
    if text.endswith(".sc") or _exists(candidate, "file") or (base and _exists(Path(base), "file")):
        return candidate
    if _exists(candidate, "dir"):
        raise SymcountError("is a directory, not a description file", filename=text)
    if "\n" not in text and text.endswith(".sc") is False and "/" in text and not _exists(candidate, "any") \
            and "(" not in text:
        raise SymcountError("no such file", filename=text)
    return text


def _exists(path: Path, kind: str) -> bool:
    """``Path.is_file`` / ``is_dir`` / ``exists`` for any text: a description
    is not a valid file name (too long, NUL bytes), and that means 'no'."""
    try:
        return {"file": path.is_file, "dir": path.is_dir, "any": path.exists}[kind]()
    except (OSError, ValueError):
        return False


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a .sc file (optionally path#network) or an inline description")
    parser.add_argument("--set", dest="values", action="append", metavar="NAME=VALUE",
                        help="give a symbol or let a value (repeatable)")
    parser.add_argument("--convention", choices=["pytorch", "keras"], default="pytorch",
                        help="whose counting rules (default: pytorch)")
    parser.add_argument("--network", help="which network to count when the source holds several")


def render_as(result: Any, fmt: str, standalone: bool = False) -> str:
    """A result in one of the three forms every symcount result offers."""
    if fmt == "latex":
        return str(result.latex(standalone=standalone))
    if fmt == "markdown":
        return str(result.markdown())
    return str(result.text())


def write_output(text: str, output: str | None) -> None:
    if output:
        path = Path(output)
        if _exists(path, "dir"):
            raise SymcountError("is a directory; -o takes a file name", filename=output)
        try:
            path.write_text(text, encoding="utf-8")
        except (OSError, ValueError) as err:
            reason = getattr(err, "strerror", None) or str(err)
            raise SymcountError(f"cannot write it: {reason}", filename=output) from None
    else:
        sys.stdout.write(text)


# ---------------------------------------------------------------------------- count


def cmd_count(args: argparse.Namespace) -> int:
    from symcount.render.table import latex_table, markdown_table, text_table  # noqa: PLC0415  lazy: start-up
    from symcount.teaching.summary import count_dict, summary_table  # noqa: PLC0415  lazy: start-up

    result = api.count(source_arg(args.source), values=parse_set(args.values),
                       convention=args.convention, network=args.network)
    if args.depth is not None and args.depth < 0:
        raise SymcountError(f"--depth must be 0 or more, not {args.depth}")
    if args.format == "json":
        write_output(json.dumps(count_dict(result, depth=args.depth), indent=2) + "\n", args.output)
        return EXIT_OK
    table = summary_table(result, depth=args.depth, flops=args.flops)
    title = f"network {result.network} ({result.convention})"
    renderer = {"text": text_table, "markdown": markdown_table, "latex": latex_table}[args.format]
    write_output(renderer(table, title), args.output)
    return EXIT_OK


def setup_count(sub: Any) -> None:
    p = sub.add_parser("count", help="count parameters (a per-layer summary table)")
    add_common(p)
    p.add_argument("--format", choices=["text", "json", "markdown", "latex"], default="text")
    p.add_argument("--depth", type=int, default=None,
                   help="fold block calls nested deeper than N levels into one row each (0: top-level blocks)")
    p.add_argument("--flops", action="store_true", help="also show FLOPs = 2 x MACs per layer and in total")
    p.add_argument("-o", "--output", help="write to a file instead of stdout")
    p.set_defaults(func=cmd_count)


# ---------------------------------------------------------------------------- layers


def cmd_layers(args: argparse.Namespace) -> int:
    from symcount.teaching.layers import layer_reference  # noqa: PLC0415  lazy: start-up

    write_output(layer_reference(), None)
    return EXIT_OK


def setup_layers(sub: Any) -> None:
    p = sub.add_parser("layers", help="list the layer catalog (markdown)")
    p.set_defaults(func=cmd_layers)


#: Each command module contributes one setup function (name, setup).
SETUPS: list[Callable[[Any], None]] = [setup_count, setup_layers]


def _optional_setups() -> list[Callable[[Any], None]]:
    """Commands that live in their own modules (derive, compare, check, exam, memory)."""
    found: list[Callable[[Any], None]] = []
    for module_name in ("symcount.cli.derive", "symcount.cli.compare", "symcount.cli.exam", "symcount.cli.memory"):
        try:
            module = __import__(module_name, fromlist=["setup"])
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue
        found.extend(getattr(module, "SETUPS", []))
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symcount",
        description="Exact, symbolic parameter counts for neural-network layers.",
    )
    parser.add_argument("--version", action="version", version=f"symcount {symcount.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for setup in [*SETUPS, *_optional_setups()]:
        setup(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SymcountError as err:
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("<input>: description nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
