"""Diff mapped rows against the target's key+hash index: the ChangeSet of one spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .records import Row


@dataclass(frozen=True)
class ChangeSet:
    """What one spec would write: rows to insert/update, keys to delete or mark."""

    spec: str
    table: str
    inserts: tuple[Row, ...]
    updates: tuple[tuple[Row, str | None], ...]          # (new row, old hash)
    deletes: tuple[tuple[tuple, str | None], ...]        # (key, old hash)
    marks: tuple[tuple[tuple, str | None], ...]          # soft deletes
    unchanged: int
    files: int = 0
    parsed: int = 0          # files actually parsed (the rest were unchanged since the last sync)
    records: int = 0
    strategies: dict[str, int] = field(default_factory=dict)
    schema_changes: tuple[str, ...] = ()
    changed: dict[tuple, tuple[str, ...]] = field(default_factory=dict)   # update key -> columns (plan only)
    warnings: tuple[Problem, ...] = ()       # state moves written anyway (states.on_violation: warn)

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes or self.marks or self.schema_changes)

    @property
    def counts(self) -> dict[str, int]:
        return {"inserted": len(self.inserts), "updated": len(self.updates),
                "deleted": len(self.deletes) + len(self.marks), "unchanged": self.unchanged}

    def events(self) -> list[tuple[str, tuple, str | None, str | None, str | None, int | None]]:
        out: list[tuple[str, tuple, str | None, str | None, str | None, int | None]] = []
        out += [("insert", r.key, None, r.hash, r.file, r.line) for r in self.inserts]
        out += [("update", r.key, old, r.hash, r.file, r.line) for r, old in self.updates]
        out += [("delete", k, old, None, None, None) for k, old in self.deletes]
        out += [("mark", k, old, None, None, None) for k, old in self.marks]
        return out

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        def keys(items):
            items = list(items)
            return items if limit is None else items[:limit]
        return {
            "spec": self.spec, "table": self.table, **self.counts, "files": self.files, "parsed": self.parsed,
            "records": self.records,
            "strategies": self.strategies, "schema_changes": list(self.schema_changes),
            "warnings": [p.as_dict() for p in self.warnings],
            "inserts": [{"key": list(r.key), "file": r.file, "line": r.line} for r in keys(self.inserts)],
            "updates": [{"key": list(r.key), "file": r.file, "line": r.line, "old_hash": o, "new_hash": r.hash,
                         **({"columns": list(self.changed[r.key])} if r.key in self.changed else {})}
                        for r, o in keys(self.updates)],
            "deletes": [{"key": list(k), "old_hash": o, "soft": False} for k, o in keys(self.deletes)]
                       + [{"key": list(k), "old_hash": o, "soft": True} for k, o in keys(self.marks)],
        }


def diff(spec_name: str, table: str, on_missing: str, rows: dict[tuple, Row],
         index: dict[tuple, tuple[str | None, bool]], **extra: Any) -> ChangeSet:
    """Compare new rows with stored (hash, soft-deleted) by key; unchanged rows are skipped."""
    inserts, updates = [], []
    unchanged = 0
    for key, row in rows.items():
        stored = index.get(key)
        if stored is None:
            inserts.append(row)
        elif stored[0] != row.hash or stored[1]:
            updates.append((row, stored[0]))
        else:
            unchanged += 1
    deletes, marks = [], []
    if on_missing != "keep":
        for key, (old, soft) in index.items():
            if key not in rows:
                if on_missing == "delete":
                    deletes.append((key, old))
                elif not soft:
                    marks.append((key, old))
    return ChangeSet(spec_name, table, tuple(inserts), tuple(updates), tuple(deletes), tuple(marks),
                     unchanged, **extra)
