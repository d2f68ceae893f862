"""The public Python API: what ``import symcount`` offers, in one place.

:func:`count` comes from :mod:`symcount.counting`; the document-making verbs (``derive``,
``compare``, ``check``, ``memory``, ``compute``) from :mod:`symcount.teaching`, loaded on
first use by the package's ``__getattr__`` so that ``import symcount`` stays fast.
"""

from __future__ import annotations

from symcount.counting import (
    DescriptionText,
    PythonCode,
    Source,
    StoredCount,
    check_options,
    convert_values,
    count,
    count_stored,
    count_tree,
    describe,
    file_variants,
    is_stored,
    parse_source,
    read_source,
)

__all__ = ["DescriptionText", "PythonCode", "Source", "StoredCount", "check_options", "convert_values", "count",
           "count_stored", "count_tree", "describe", "file_variants", "is_stored", "parse_source", "read_source"]
