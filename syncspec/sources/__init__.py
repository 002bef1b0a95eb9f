"""Source stage: find files, read them, and extract Records by strategy.

The names below import lazily (PEP 562): ``syncspec.sources.listing`` is all a no-op sync needs,
and importing it must not pull in every parser through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batches import FileRecords
    from .extract import extract_file
    from .listing import resolve_files

__all__ = ["FileRecords", "extract_file", "resolve_files"]
_HOMES = {"FileRecords": "batches", "extract_file": "extract", "resolve_files": "listing"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
