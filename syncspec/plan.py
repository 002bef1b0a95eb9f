"""Diff mapped rows against the target's key+hash index: the ChangeSet of one spec."""

from __future__ import annotations

import datetime as dt
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
    omitted: tuple[int, int] = (0, 0)        # inserts, updates written but not listed (a sync lists lane.KEEP)

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes or self.marks or self.schema_changes
                    or any(self.omitted))

    @property
    def counts(self) -> dict[str, int]:
        return {"inserted": len(self.inserts) + self.omitted[0], "updated": len(self.updates) + self.omitted[1],
                "deleted": len(self.deletes) + len(self.marks), "unchanged": self.unchanged}

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
            **({"not_listed": {"inserts": self.omitted[0], "updates": self.omitted[1]}} if any(self.omitted)
               else {}),
        }


def changed_columns(types: dict[str, str], stored: dict[str, Any], row: Row) -> tuple[str, ...]:
    """Columns whose stored value differs from the row's (plan --details, verify)."""
    from .records import canonical, coerce

    out = []
    for name, value in row.values.items():
        old = stored.get(name)
        matches = getattr(old, "matches", None)     # a value a target holds in its own form (a Redis set)
        if matches is not None:
            if not matches(value):
                out.append(name)
            continue
        ctype = types.get(name)
        if old is not None and ctype in ("date", "datetime", "boolean", "integer", "real"):
            try:
                old = coerce(old, ctype)     # drivers hand back text dates (SQLite), 0/1 booleans (MySQL)
            except (ValueError, TypeError):
                pass
        if ctype == "json":   # JSONB reads back parsed (psycopg2), TEXT as canonical text
            value = canonical(value) if value is not None else None
            old = canonical(old) if old is not None and not isinstance(old, str) else old
        if _norm(old) != _norm(value):
            out.append(name)
    if stored.get("deleted_at") is not None:
        out.append("deleted_at")
    return tuple(out)


def _norm(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
