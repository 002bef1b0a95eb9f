"""What a run is asked to do (Options, a Deadline) and what it did (PlanResult), plus the
collector that reports every input problem of a run together."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import (DuplicateKeyError, MappingError, Problem, SourceError, StateTransitionError, SyncSpecError,
                     TimeLimitExceeded)
from .plan import ChangeSet

Progress = Callable[[str, int, int], None]   # (spec, files read, files) or ("writing SPEC to TARGET", rows, rows)


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
class Options:
    """How a run behaves; the CLI flags map onto these one to one."""

    max_seconds: float | None = None
    lock_timeout: float | None = None
    progress: Progress | None = None
    full: bool = False            # --all: parse every file and diff against the target itself
    allow_empty: bool = False     # let a spec that extracts nothing delete all its rows
    details: bool = False         # plan: name the columns each update changes
    allow_destructive: bool = False   # sync: drop undeclared columns, change column types
    values: bool = False          # verify: compare every stored row's values with the source, not only hashes
    only: tuple[str, ...] = ()    # --only: target kinds or names to run (default: every target of each spec)


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


class Collected:
    """Problems of a whole run by kind, raised together as the most fundamental kind."""

    ORDER = (SourceError, DuplicateKeyError, MappingError, StateTransitionError)

    def __init__(self) -> None:
        self.by_kind: dict[type[SyncSpecError], list[Problem]] = {}

    def add(self, kind: type[SyncSpecError], problems: list[Problem]) -> None:
        if problems:
            self.by_kind.setdefault(kind, []).extend(problems)

    def raise_if_any(self) -> None:
        kinds = [k for k in self.ORDER if k in self.by_kind]
        if kinds:
            raise kinds[0](problems=[p for k in kinds for p in self.by_kind[k]])
