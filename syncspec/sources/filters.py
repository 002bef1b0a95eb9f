"""``where:`` / ``unless:`` on a strategy: keep only the records whose values match (template rows out).

A strategy without filters never comes here (``run_strategy`` tests one tuple), so specs that
filter nothing pay nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..spec.model import Filter
from .records import Record


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def keeps(filters: tuple[Filter, ...], record: Record) -> bool:
    """True if every ``where`` path matches and no ``unless`` path does (a missing value is '')."""
    for f in filters:
        if (f.rx.search(_text(record.get(f.path))) is not None) != f.keep:
            return False
    return True


def apply(filters: tuple[Filter, ...], records: Iterable[Record]) -> list[Record]:
    return [r for r in records if keeps(filters, r)]
