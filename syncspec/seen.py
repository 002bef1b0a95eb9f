"""The keys a lane has seen this run, and where each was first: duplicate keys across a spec's files.

A run must remember every key it read to its end (a key in two files is an error, reported with both
places). Held in a dict up to ``SPILL_AT`` keys, then in a private temporary SQLite database (a file
the OS removes when it closes), so a run over a million entries does not hold a million key tuples:
peak memory stays flat in the corpus size (issue 16). Batches keep the spilled lookups to one query
per 500 keys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .ledger import key_json

SPILL_AT = 100_000
_CHUNK = 500


class SeenKeys:
    def __init__(self, spill_at: int | None = None):
        self.spill_at = SPILL_AT if spill_at is None else spill_at
        self._mem: dict[tuple, tuple[str, int]] = {}
        self._db: sqlite3.Connection | None = None
        self._files: dict[str, int] = {}
        self._names: list[str] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def claim(self, items: Sequence[tuple[tuple, str, int]]) -> list[str | None]:
        """Record each ``(key, file, line)``; per item None if the key is new, else where it was first
        (``file:line``, or ``file`` for line 0: a file that was not parsed)."""
        if self._db is not None:
            return self._claim_spilled(items)
        mem = self._mem
        out: list[str | None] = []
        for key, file, line in items:
            first = mem.get(key)
            if first is None:
                mem[key] = (file, line)
                out.append(None)
            else:
                out.append(where(*first))
        self._count = len(mem)
        if self._count > self.spill_at:
            self._spill()
        return out

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._mem = {}

    def _file(self, name: str) -> int:
        index = self._files.get(name)
        if index is None:
            index = self._files[name] = len(self._names)
            self._names.append(name)
        return index

    def _spill(self) -> None:
        db = sqlite3.connect("", isolation_level=None)      # "": a private temporary database on disk
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE seen (k TEXT PRIMARY KEY, f INTEGER, l INTEGER) WITHOUT ROWID")
        db.executemany("INSERT INTO seen VALUES (?, ?, ?)",
                       ((key_json(k), self._file(f), line) for k, (f, line) in self._mem.items()))
        self._mem = {}
        self._db = db

    def _claim_spilled(self, items: Sequence[tuple[tuple, str, int]]) -> list[str | None]:
        assert self._db is not None
        texts = [key_json(key) for key, _, _ in items]
        found: dict[str, tuple[str, int]] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for k, f, line in self._db.execute(f"SELECT k, f, l FROM seen WHERE k IN ({marks})", chunk):
                found[k] = (self._names[f], line)
        out: list[str | None] = []
        new = []
        for text, (_, file, line) in zip(texts, items):
            first = found.get(text)
            if first is not None:
                out.append(where(*first))
                continue
            found[text] = (file, line)
            new.append((text, self._file(file), line))
            out.append(None)
        self._db.executemany("INSERT INTO seen VALUES (?, ?, ?)", new)
        self._count += len(new)
        return out


def where(file: str, line: int) -> str:
    """``file:line`` of a key seen before (line 0: a file that was not parsed)."""
    return f"{file}:{line}" if line else file
