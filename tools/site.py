"""The documentation site's build step: MkDocs hooks (``hooks: [tools/site.py]`` in mkdocs.yml).

Nothing here downloads anything. At build time it

* generates the pages that come from the code, so they are never committed twice: the layer
  reference (``layers.md``: the site's page replaces the compact table that ``symcount layers``
  writes for readers of the repository) from :mod:`symcount.catalog`, the command-line reference
  (``cli.md``) from the argument parser of :func:`symcount.cli.main.build_parser`, and the derivation
  gallery (``gallery/``), one page per ``derivations/*.sc`` whose derivation is a ```` ```symcount
  derive ```` block, rendered by the symcount Markdown extension like any teacher's notes;
* copies KaTeX (css, js, auto-render, fonts) from ``node_modules/katex/dist`` (``npm ci``, pinned by
  package-lock.json) into ``katex/`` of the site, which the pages load by relative URL;
* puts the playground's Python into ``playground/`` (:mod:`tools.playground`): Pyodide's runtime from
  ``node_modules/pyodide``, the wheels of symcount and its dependencies, ``manifest.json`` naming them,
  and ``gallery.json``, the gallery's descriptions as one-click examples.

``make docs`` runs ``mkdocs build --strict``; ``tests/test_site.py`` builds into a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from symcount.api import count
from symcount.catalog.core import CATALOG, REQUIRED, ArgSpec
from symcount.catalog.wrappers import WRAPPERS
from symcount.cli.blocks import render_document
from symcount.cli.main import build_parser
from symcount.cli.verbs import VERBS
from symcount.errors import SymcountError
from symcount.render.numbers import group_digits
from symcount.teaching.layers import textbook_formula
from tools import playground

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "node_modules" / "katex" / "dist"
#: What the pages load (mkdocs.yml's extra_css / extra_javascript), and the fonts katex.min.css names.
KATEX_FILES = ("katex.min.css", "katex.min.js", "contrib/auto-render.min.js")
GALLERY = ROOT / "derivations"
GALLERY_SECTION = "gallery/index.md"
HELP_WIDTH = 100


# ---------------------------------------------------------------------------
# MkDocs hooks


def on_config(config: Any) -> Any:
    """Check KaTeX is there, run from the repository (blocks name ``derivations/...`` files) and
    list the gallery's pages in the navigation after its index."""
    missing = [name for name in KATEX_FILES if not (KATEX / name).is_file()]
    if missing:
        raise PluginError(f"KaTeX is not installed ({KATEX / missing[0]} is missing): run `npm ci` in {ROOT}")
    os.chdir(ROOT)
    entries = [{title: f"gallery/{path.stem}.md"} for path, title in gallery()]
    config["nav"] = _insert_after(config["nav"], GALLERY_SECTION, entries)
    return config


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages and the KaTeX assets to the site's files."""
    pages = {"layers.md": layer_page(), "cli.md": cli_page(), GALLERY_SECTION: gallery_index()}
    pages.update({f"gallery/{path.stem}.md": gallery_page(path, title) for path, title in gallery()})
    for uri, content in pages.items():
        old = files.get_file_from_path(uri)
        if old is not None:
            files.remove(old)
        files.append(File.generated(config, uri, content=content))
    for path in sorted(KATEX.rglob("*")):
        relative = path.relative_to(KATEX).as_posix()
        if path.is_file() and (relative in KATEX_FILES or relative.startswith("fonts/")):
            files.append(File.generated(config, f"katex/{relative}", abs_src_path=str(path)))
    for uri, made in playground_files().items():
        if isinstance(made, Path):
            files.append(File.generated(config, uri, abs_src_path=str(made)))
        else:
            files.append(File.generated(config, uri, content=made))
    return files


def playground_files() -> dict[str, str | Path]:
    """The playground's files by their place in the site: Pyodide, the wheels, what the page reads first."""
    try:
        runtime = playground.pyodide_files()
        wheels = playground.compile_wheels(playground.build_wheels())
    except playground.BuildError as err:
        raise PluginError(f"the playground cannot be built: {err}") from None
    files: dict[str, str | Path] = {f"playground/pyodide/{name}": path for name, path in runtime.items()}
    files.update({f"playground/wheels/{wheel.name}": wheel for wheel in wheels})
    files["playground/manifest.json"] = playground.manifest(wheels)
    examples = [{"name": path.stem, "title": title, "file": path.relative_to(ROOT).as_posix(),
                 "text": path.read_text(encoding="utf-8")} for path, title in gallery()]
    files["playground/gallery.json"] = json.dumps(examples, indent=1)
    return files


#: A link from a page to a file of the repository outside docs/ (``../derivations/zoo/llm/``): on GitHub it
#: opens the file; the site has no such page, so it becomes the file's name.
OUTSIDE_LINK = re.compile(r"\[([^\]]+)\]\(\.\./([^)\s]+)\)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Links to the repository's files outside the docs: their text, and the path when the text does not name it."""
    def plain(match: re.Match[str]) -> str:
        text, path = match.groups()
        return text if path.rstrip("/") in text else f"{text} (`{path}` in the repository)"

    return OUTSIDE_LINK.sub(plain, markdown)


def _insert_after(nav: list[Any], target: str, entries: list[dict[str, str]]) -> list[Any]:
    out: list[Any] = []
    for item in nav:
        out.append(item)
        if isinstance(item, dict) and target in item.values():
            title = next(iter(item))
            out[-1] = {title: [{"Overview": target}, *entries]}
    return out


# ---------------------------------------------------------------------------
# The derivation gallery


def gallery() -> list[tuple[Path, str]]:
    """Each description of the gallery and its title (its ``# title:`` line, else its name)."""
    found = []
    for path in sorted(GALLERY.glob("*.sc")):
        match = re.search(r"^#\s*title:\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
        found.append((path, match.group(1) if match else path.stem))
    return found


def gallery_page(path: Path, title: str) -> str:
    shown = path.relative_to(ROOT).as_posix()
    source = path.read_text(encoding="utf-8").rstrip("\n")
    return "\n".join([
        f"# {title}", "",
        f"The description, `{shown}`:", "",
        "```symcount", source, "```", "",
        # HTML, not a markdown link: on_page_markdown reads ../ links as files of the repository
        f'<a href="../playground.html#example={path.stem}">Try it in the playground</a>: change it and see the '
        "count follow.", "",
        f"What `symcount derive {shown} --format markdown` writes (the block below is rendered when the site "
        "is built, by the `symcount` Markdown extension):", "",
        '```symcount derive --title "The derivation"', shown, "```", "",
    ])


def gallery_index() -> str:
    lines = ["# The derivation gallery", "",
             "The classic exam questions of `derivations/`, each derived when this site is built: the description, "
             "then the formula as a textbook writes it, the values put in and the exact result. The same "
             "derivations are kept in the repository as LaTeX and markdown golden files "
             "(see [Derivations](../derivation.md)).", "",
             "| question | description |", "|---|---|"]
    for path, title in gallery():
        lines.append(f"| [{title}]({path.stem}.md) | `{path.relative_to(ROOT).as_posix()}` |")
    return "\n".join([*lines, ""])


# ---------------------------------------------------------------------------
# The layer reference


#: A worked example's value for each required argument, by name (the others keep their defaults).
EXAMPLE_VALUES = {
    "C_out": "128", "k": "3", "C_in2": "32", "out": "1", "G": "8", "V": "10000", "dim": "256", "hidden": "128",
    "heads": "8", "ff": "2048", "kv_lora_rank": "512", "qk_rope_head_dim": "64", "qk_nope_head_dim": "128",
    "v_head_dim": "128",
}
#: The input of a worked example, by what the layer reads; the channels by family.
SPATIAL_INPUT = {1: "L=100", 2: "H=32, W=32", 3: "D=16, H=32, W=32"}
WIDE = {"attention", "transformer_encoder_layer", "transformer_decoder_layer", "gated_mlp", "latent_attention"}


def example_call(entry: Any, inferred: bool) -> str:
    """The layer called with a value for each required argument; ``inferred``: leave out the
    arguments that come from the input (the layer sits in a network)."""
    given = []
    for spec in entry.args:
        if spec.default is not REQUIRED or (inferred and spec.infer):
            continue
        given.append(f"{spec.name}={EXAMPLE_VALUES.get(spec.name, '64')}")
    return f"{entry.name}({', '.join(given)})"


def worked_example(entry: Any) -> tuple[str, Any]:
    """A description of a network holding the layer after an input (so its output shape and MACs
    are counted), or the layer alone when no such input suits it; and its count."""
    channels = "C=512" if entry.name in WIDE else "C=64"
    if entry.input_kind == "spatial":
        shape = f"{SPATIAL_INPUT.get(entry.dims, SPATIAL_INPUT[2])}, {channels}"
    elif entry.input_kind == "sequence":
        shape = f"L=128, {channels}"
    else:
        shape = channels
    text = f"network example {{\n    input({shape})\n    {example_call(entry, inferred=True)}\n}}"
    try:
        return text, count(text)
    except SymcountError:
        text = example_call(entry, inferred=False)
        return text, count(text)


def _spellings(entry: Any) -> list[str]:
    modules = {"pytorch": "torch.nn", "keras": "keras.layers"}
    return [f"`{modules[s.framework]}.{s.name}`" for s in entry.spellings]


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _number(value: Any) -> str:
    return group_digits(int(value)) if getattr(value, "is_Integer", False) else f"`{value}`"


def _default(spec: ArgSpec) -> str:
    if spec.default is REQUIRED:
        return "required"
    if spec.default is None:
        return "none" if spec.kind == "any" else "auto"
    if isinstance(spec.default, bool):
        return "true" if spec.default else "false"
    return str(spec.default)


def layer_section(entry: Any) -> list[str]:
    example, counted = worked_example(entry)
    lines = [f"## `{entry.name}` {{ #{entry.name} }}", "", entry.description, ""]
    spelt = _spellings(entry)
    own = [f"`{a}`" for a in entry.aliases if all(a != s.name for s in entry.spellings)]
    if spelt:
        lines.append(f"**Framework classes:** {', '.join(spelt)}  ")
    if own:
        lines.append(f"**Also written:** {', '.join(own)}  ")
    for framework, why in entry.missing.items():
        lines.append(f"**Not in {'PyTorch' if framework == 'pytorch' else 'Keras'}:** {why}  ")
    lines += [f"**Parameters:** {textbook_formula(entry.name)}  ", f"**MACs:** {entry.macs_doc}", ""]

    lines += ["### Arguments", "", "| argument | default | also spelt | meaning |", "|---|---|---|---|"]
    for spec in entry.args:
        default = _default(spec)
        also = ", ".join(f"`{a}`" for a in spec.aliases) or "-"
        symbol = f" (in formulas: ${spec.symbol}$)" if spec.symbol and spec.symbol != spec.name else ""
        lines.append(f"| `{spec.name}` | `{default}` | {also} | {_cell(spec.doc) or '-'}{symbol} |")
    lines.append("")

    lines += ["### Worked example", "", "```symcount", example, "```", ""]
    conventions = [c for c in ("pytorch", "keras") if c in entry.frameworks]
    counts = {c: (counted if c == "pytorch" else count(example, convention=c)) for c in conventions}
    lines += ["| convention | tensor | shape | counted as |", "|---|---|---|---|"]
    for convention, result in counts.items():
        layer = result.layers[-1]
        for tensor in layer.tensors:
            shape = " × ".join(str(n) for n in tensor.shape) or "scalar"
            lines.append(f"| {convention} | `{tensor.name}` | {shape} | {tensor.category} |")
        if not layer.tensors:
            lines.append(f"| {convention} | - | - | no tensors ({entry.zero_reason}) |")
    lines.append("")
    totals = "; ".join(f"{c}: {_number(r.layers[-1].total)} parameters" + (
        f", {_number(r.layers[-1].buffers)} buffers" if r.layers[-1].buffers else "") for c, r in counts.items())
    macs = counted.layers[-1].macs
    lines += [f"Counted: {totals}; MACs: {_number(macs)}.", ""]
    differ = len(counts) == 2 and len({(r.layers[-1].total, r.layers[-1].buffers) for r in counts.values()}) == 2
    block = ["```symcount derive --no-shapes" + (" --convention both" if differ else ""), example, "```"]
    derivation = render_document("\n".join(block), f"<layer reference: {entry.name}>")
    # the derivation's own heading (## parameter count) would break the page's outline
    lines += [re.sub(r"\A## [^\n]*\n+", "", derivation.strip()), ""]
    return lines


def layer_page() -> str:
    lines = ["# Layer reference", "",
             "Generated from the catalog (`symcount/catalog/`) when this site is built. For each layer: its "
             "framework classes and aliases, its arguments (with the PyTorch and Keras spellings symcount also "
             "accepts), the textbook formula and its MACs, and a worked example with the tensors each framework "
             "creates and the derivation. In the formulas, `b` is the bias indicator (1 with a bias, 0 without), "
             "`g` the groups and `m` the depth multiplier. Every layer also takes `trainable=false` (frozen: its "
             "parameters count as non-trainable). The same catalog as one table: `symcount layers` "
             "(the repository's `docs/layers.md`).", "",
             "| layer | description | frameworks |", "|---|---|---|"]
    for entry in CATALOG.values():
        lines.append(f"| [`{entry.name}`](#{entry.name}) | {_cell(entry.description)} | {', '.join(entry.frameworks)} |")
    lines.append("")
    for entry in CATALOG.values():
        lines += layer_section(entry)
    lines += ["## Wrappers", "", "A wrapper takes a layer call as its argument and counts that layer as it makes it "
              "(see [the language](language.md)):", ""]
    for wrapper in WRAPPERS.values():
        lines.append(f"- `{wrapper.signature}`: {wrapper.description}")
    return "\n".join([*lines, ""])


# ---------------------------------------------------------------------------
# The command-line reference


def cli_page() -> str:
    parser = build_parser()
    lines = ["# Command line", "",
             "Generated from symcount's argument parser when this site is built: what `symcount VERB --help` "
             "prints. Bad input is reported as `file:line:col: message` with the source line and a caret, exit "
             "status 2; a finished command exits 0 (`check` and `render --check` exit 1 for a wrong answer or "
             "stale notes).", "",
             "| verb | what it does |", "|---|---|"]
    for verb in VERBS.values():
        lines.append(f"| [`{verb.name}`](#{verb.name}) | {_cell(verb.help)} |")
    lines += ["", "```text", _help(parser).rstrip(), "```", ""]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for verb in VERBS.values():
        lines += [f"## `symcount {verb.name}` {{ #{verb.name} }}", "", _cell(verb.help), "",
                  "```text", _help(subparsers.choices[verb.name]).rstrip(), "```", ""]
    return "\n".join(lines)


def _help(parser: argparse.ArgumentParser) -> str:
    """What ``--help`` prints, wrapped at :data:`HELP_WIDTH` whatever the terminal (argparse reads $COLUMNS)."""
    out = io.StringIO()
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        with redirect_stdout(out):
            parser.print_help()
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return out.getvalue()
