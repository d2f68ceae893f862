"""The docs' layer reference is generated from the catalog and must be current."""

from __future__ import annotations

from pathlib import Path

from symcount.catalog.core import CATALOG
from symcount.teaching.layers import layer_reference

ROOT = Path(__file__).resolve().parent.parent


def test_layer_reference_is_current() -> None:
    on_disk = (ROOT / "docs" / "layers.md").read_text(encoding="utf-8")
    assert on_disk == layer_reference(), "run `make docs` to regenerate docs/layers.md"


def test_every_layer_is_documented() -> None:
    text = layer_reference()
    for name, entry in CATALOG.items():
        assert f"| `{name}` |" in text
        assert entry.description.strip(), f"{name} has no description"
