"""The pipeline, run once: specs -> sources -> rows -> diff -> target + ledger.

Parsing and mapping finish (and fail) before the target is touched; all of a
run's writes and its ledger rows then commit in one transaction per target.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import (DuplicateKeyError, MappingError, Problem, SourceError, SyncSpecError, TargetError,
                     TimeLimitExceeded)
from .plan import ChangeSet, diff
from .records import Mapper, Row
from .sources import extract_file, resolve_files
from .spec.model import Spec
from .workspace import WorkspaceConfig

Progress = Callable[[str, int, int], None]


class Deadline:
    """``--max-seconds``: checked between files, specs and write batches."""

    def __init__(self, max_seconds: float | None):
        self.max_seconds = max_seconds
        self.end = None if max_seconds is None else time.monotonic() + max_seconds

    def check(self, where: str) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise TimeLimitExceeded(problems=[Problem(
                f"time limit of {self.max_seconds:g}s exceeded while {where}; nothing was written",
                hint="raise --max-seconds, or sync fewer specs at once (--spec NAME)")])


@dataclass(frozen=True)
class Extracted:
    """One spec's mapped rows, keyed, with counts of what was read."""

    spec: Spec
    rows: dict[tuple, Row]
    files: int
    records: int
    strategies: dict[str, int]


@dataclass(frozen=True)
class PlanResult:
    """What a run would write (``plan``) or wrote (``sync``), spec by spec."""

    target: str
    changes: tuple[ChangeSet, ...]
    run_id: str | None = None
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def _total(self, name: str) -> int:
        return sum(c.counts[name] for c in self.changes)

    inserted = property(lambda self: self._total("inserted"))
    updated = property(lambda self: self._total("updated"))
    deleted = property(lambda self: self._total("deleted"))
    unchanged = property(lambda self: self._total("unchanged"))

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.changes)

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        return {"target": self.target, "run_id": self.run_id, "seconds": round(self.seconds, 4),
                "inserted": self.inserted, "updated": self.updated, "deleted": self.deleted,
                "unchanged": self.unchanged, "specs": [c.as_dict(limit) for c in self.changes], **self.details}


SyncResult = PlanResult


def extract(cfg: WorkspaceConfig, spec: Spec, deadline: Deadline, problems: list[Problem],
            progress: Progress | None = None) -> Extracted | None:
    """Parse and map every file of one spec; problems are collected, not raised."""
    mapper = Mapper(spec, dict(cfg.context, sync=spec.name))
    rows: dict[tuple, Row] = {}
    strategies: dict[str, int] = {}
    records = 0
    try:
        files = resolve_files(spec, cfg.root)
    except SourceError as exc:
        problems.extend(exc.problems)
        return None
    before = len(problems)
    for n, (path, display) in enumerate(files, 1):
        deadline.check(f"reading {display}")
        try:
            found = extract_file(spec, path, display)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if progress:
            progress(spec.name, n, len(files))
        if found.strategy is None:
            continue
        strategies[found.strategy] = strategies.get(found.strategy, 0) + len(found.records)
        records += len(found.records)
        for record in found.records:
            row = mapper.map(record, problems)
            if row is None:
                continue
            first = rows.get(row.key)
            if first is not None:
                problems.append(Problem(
                    f"duplicate key {list(row.key)} in spec {spec.name!r}; first at {first.file}:{first.line}",
                    file=row.file, line=row.line,
                    hint="entry IDs must be unique across the spec's files; rename or merge one of them"))
                continue
            rows[row.key] = row
    if len(problems) > before:
        return None
    return Extracted(spec, rows, len(files), records, strategies)


def extract_all(cfg: WorkspaceConfig, specs: list[Spec], deadline: Deadline,
                progress: Progress | None = None) -> list[Extracted]:
    """Extract every spec, then raise one error listing every problem found."""
    problems: list[Problem] = []
    out = []
    for spec in specs:
        got = extract(cfg, spec, deadline, problems, progress)
        if got is not None:
            out.append(got)
    if problems:
        kinds = {_kind(p) for p in problems}
        cls = DuplicateKeyError if kinds == {"duplicate"} else MappingError if "mapping" in kinds else SourceError
        raise cls(problems=problems)
    return out


def _kind(p: Problem) -> str:
    if p.message.startswith("duplicate key"):
        return "duplicate"
    if p.json_path and p.json_path.startswith("$.target.columns"):
        return "mapping"
    return "source"


def tables_of(db, backend: str, specs: list[Spec]):
    from .targets.sql import SqlTable

    groups: dict[str, list[Spec]] = {}
    for spec in specs:
        groups.setdefault(spec.table, []).append(spec)
    return {name: SqlTable(db, backend, group) for name, group in groups.items()}


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def changesets(extracted: list[Extracted], tables: dict[str, Any], schema: dict[str, list[str]]) -> list[ChangeSet]:
    out = []
    for ex in extracted:
        table = tables[ex.spec.table]
        index = table.index(ex.spec)
        out.append(diff(ex.spec.name, ex.spec.table, ex.spec.on_missing, ex.rows, index, files=ex.files,
                        records=ex.records, strategies=ex.strategies,
                        schema_changes=tuple(schema.pop(ex.spec.table, []))))
    return out


def wrap_db_errors(exc: Exception, target: str) -> SyncSpecError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return TargetError(problems=[Problem(f"database error on {target}: {detail}",
                                         hint="nothing was written; check the target database and rerun")],
                       target=target)
