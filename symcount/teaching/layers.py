"""The docs' layer reference, generated from the catalog (the one source)."""

from __future__ import annotations

from symcount.catalog.core import ANY, CATALOG, IGNORED_EVERYWHERE, REQUIRED, ArgSpec
from symcount.catalog.wrappers import WRAPPERS
from symcount.counting import count


def _arg_text(spec: ArgSpec) -> str:
    if spec.default is REQUIRED:
        text = spec.name
    elif spec.default is None:
        text = f"{spec.name}=none" if spec.kind == ANY else f"{spec.name}=auto"
    else:
        default = spec.default
        if isinstance(default, bool):
            default = "true" if default else "false"
        text = f"{spec.name}={default}"
    if spec.aliases:
        text += f" ({', '.join(spec.aliases)})"
    return text


def textbook_formula(name: str) -> str:
    """The formula a derivation starts from, for the layer with no arguments given."""
    layer = count(name).layers[0]
    parts = [f"{layer.formulas[key]}" for key in ("param", "stat") if key in layer.formulas]
    if not parts:
        return "0"
    text = parts[0].replace("*", "·")
    if len(parts) > 1:
        text += f" (+ {parts[1].replace('*', '·')} running statistics)"
    return text


def layer_reference() -> str:
    """A markdown table of every catalog entry: arguments, formula, MACs, description."""
    lines = [
        "# Layer reference",
        "",
        "Generated from `symcount/catalog/` by `symcount layers`; do not edit by hand.",
        "",
        "In the formulas, `b` is the bias indicator (1 with a bias, 0 without), `g` the groups and `m` the depth",
        "multiplier; arguments in brackets are the PyTorch and Keras spellings symcount also accepts.",
        "",
        "| layer | aliases | arguments | parameters | description | MACs | frameworks |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in CATALOG.values():
        args = "; ".join(_arg_text(s) for s in entry.args if s.name != "trainable") or "-"
        aliases = ", ".join(f"`{a}`" for a in entry.aliases) or "-"
        lines.append(
            f"| `{entry.name}` | {aliases} | {args} | {textbook_formula(entry.name)} | {entry.description} | "
            f"{entry.macs_doc} | "
            f"{', '.join(entry.frameworks)} |"
        )
    lines += ["", "Every layer also takes `trainable=false` (frozen: its parameters count as non-trainable).", "",
              "Framework options that change no count and no shape are accepted and ignored, so a layer can be "
              "written as in PyTorch or Keras code:", ""]
    for entry in CATALOG.values():
        if entry.ignored:
            lines.append(f"- `{entry.name}`: {', '.join(f'`{n}`' for n in entry.ignored)}")
    lines += ["", f"and everywhere {', '.join(f'`{n}`' for n in IGNORED_EVERYWHERE)}.", ""]
    lines += ["Framework options that would change a count or a shape and that symcount does not model are "
              "accepted at their default and refused otherwise (exit 2, naming the option):", ""]
    for entry in CATALOG.values():
        if entry.unmodelled:
            lines.append(f"- `{entry.name}`: " + "; ".join(
                f"`{o.name}` ({o.why})" for o in entry.unmodelled))
    lines.append("")
    lines += ["## Wrappers", "",
              "A wrapper takes a layer call as its argument and counts that layer as it makes it "
              "(see docs/language.md):", ""]
    for wrapper in WRAPPERS.values():
        keras = "".join(part.capitalize() for part in wrapper.name.split("_"))
        lines.append(f"- `{wrapper.signature}` (Keras `{keras}`): {wrapper.description}")
    lines.append("")
    return "\n".join(lines)
