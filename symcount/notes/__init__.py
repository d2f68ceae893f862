"""symcount where teachers write: Markdown notes, MkDocs sites, notebooks.

Optional parts, each importing its library only here (the core needs sympy and lark alone):

* :mod:`symcount.notes.lexer`: a Pygments lexer for ``.sc`` descriptions (entry point
  ``pygments.lexers``: ``symcount``); needs ``pygments`` (the ``docs`` extra).
* :mod:`symcount.notes.markdown_ext`: a Python-Markdown extension that turns a fenced
  ```` ```symcount derive --bias both ```` block into its output (entry point
  ``markdown.extensions``: ``symcount``); needs ``markdown`` (the ``docs`` extra).
* :mod:`symcount.notes.magic`: the IPython cell magic ``%%symcount``; needs ``ipython``
  (the ``notebook`` extra).

What they share, running a verb on a block of text, is :mod:`symcount.cli.blocks`: it needs no
optional library, and ``symcount render`` (any Markdown, any site generator) uses it too.
"""
