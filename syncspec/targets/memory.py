"""The in-memory reference target: the contract every kind meets, in the fewest lines.

``memory://NAME`` is a store held by this process (shared by every run that names it),
with no transactions and no lock of its own, so it takes the same path as Redis or a
vector store: idempotent writes, state in the workspace state database. Tests use it to
prove the engine, and ``MemoryTarget.store(NAME)`` to read or tamper with what it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .base import Binding, Capabilities, Index, Key, WithoutTransactions

Rows = dict[Key, dict[str, Any]]      # key -> {"values": {...}, "hash": str, "deleted": bool}
_STORES: dict[str, dict[str, Rows]] = {}


class MemoryTarget(WithoutTransactions):
    """Rows per binding label, in a dict that outlives the run (not the process)."""

    kind = "memory"
    capabilities = Capabilities(transactions=False, locks=False, schema=False, values=True, soft_delete=True)

    def __init__(self, name: str, url: str, root: Path | None = None):
        self.name = name
        self.store_name = url.split("://", 1)[1] if "://" in url else name
        self.label = f"memory://{self.store_name}"

    @staticmethod
    def store(name: str) -> dict[str, Rows]:
        """What ``memory://name`` holds: binding label -> key -> row."""
        return _STORES.setdefault(name, {})

    def open(self, write: bool) -> None:
        self.data = self.store(self.store_name)

    def close(self) -> None:
        pass

    def error(self, exc: BaseException) -> None:
        return None

    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        return {}

    @contextmanager
    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> Iterator[dict[str, list[str]]]:
        yield {}

    def fresh(self, binding: Binding) -> bool:
        return binding.label not in self.data

    def _rows(self, binding: Binding) -> Rows:
        return self.data.setdefault(binding.label, {})

    def exists(self, binding: Binding) -> bool:
        return binding.label in self.data

    def index(self, binding: Binding) -> Index:
        return {k: (r["hash"], r["deleted"]) for k, r in self.data.get(binding.label, {}).items()}

    def count(self, binding: Binding) -> int:
        return sum(not r["deleted"] for r in self.data.get(binding.label, {}).values())

    def lookup(self, binding: Binding, keys: Sequence[Key]) -> Index:
        rows = self.data.get(binding.label, {})
        return {k: (rows[k]["hash"], rows[k]["deleted"]) for k in keys if k in rows}

    def upsert(self, binding: Binding, rows: Sequence[Any], now: dt.datetime) -> None:
        table = self._rows(binding)
        for row in rows:
            table[row.key] = {"values": dict(row.values), "hash": row.hash, "deleted": False}

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None:
        table = self._rows(binding)
        for key in keys:
            table.pop(key, None)

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None:
        table = self._rows(binding)
        for key in keys:
            if key in table:
                table[key]["deleted"] = True

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        rows = self.data.get(binding.label, {})
        return {k: tuple(rows[k]["values"].get(n) for n in names) for k in keys if k in rows}

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        rows = self.data.get(binding.label, {})
        return {k: dict(rows[k]["values"]) for k in keys if k in rows}
