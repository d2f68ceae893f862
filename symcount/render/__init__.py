"""Renderers: text, markdown, LaTeX. They format rows and formulas; they know no layers."""
