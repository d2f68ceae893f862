"""The docs' layer reference, generated from the catalog (the one source)."""

from __future__ import annotations

from symcount.catalog import CATALOG, REQUIRED, ArgSpec


def _arg_text(spec: ArgSpec) -> str:
    if spec.default is REQUIRED:
        text = spec.name
    elif spec.default is None:
        text = f"{spec.name}=auto"
    else:
        default = spec.default
        if isinstance(default, bool):
            default = "true" if default else "false"
        text = f"{spec.name}={default}"
    if spec.aliases:
        text += f" ({', '.join(spec.aliases)})"
    return text


def layer_reference() -> str:
    """A markdown table of every catalog entry: arguments, formula, MACs, description."""
    lines = [
        "# Layer reference",
        "",
        "Generated from `symcount/catalog.py` by `symcount layers`; do not edit by hand.",
        "",
        "| layer | aliases | arguments | description | MACs | frameworks |",
        "|---|---|---|---|---|---|",
    ]
    for entry in CATALOG.values():
        args = "; ".join(_arg_text(s) for s in entry.args if s.name != "trainable") or "-"
        aliases = ", ".join(f"`{a}`" for a in entry.aliases) or "-"
        lines.append(
            f"| `{entry.name}` | {aliases} | {args} | {entry.description} | {entry.macs_doc} | "
            f"{', '.join(entry.frameworks)} |"
        )
    lines += ["", "Every layer also takes `trainable=false` (frozen: its parameters count as non-trainable).", ""]
    return "\n".join(lines)
