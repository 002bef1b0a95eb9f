"""Where a run's history and the file states behind change detection live.

A transactional target (SQL) keeps them inside itself, in the run's transaction, so data
and ledger commit together. Every other target's state lives in the workspace state
database (SQLite under ``.syncspec/`` unless ``state:`` names another URL), committed
*after* the target's writes: a crash in between leaves file states older than the
target, and since writes are idempotent by key and hash the next run converges
(docs/decisions/0005-target-interface-and-state.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Iterator, Protocol

from .ledger import EventRecord, FileState, Ledger, RunRecord, StepRecord

Event = tuple[str, tuple, "str | None", "str | None", "str | None", "int | None"]


class StateStore(Protocol):
    """The ledger and file states of the bindings of one or more targets."""

    def exists(self) -> bool: ...
    def ensure(self) -> None: ...
    def begin_run(self, project: str, command: str, target: str, git_commit: str | None,
                  now: dt.datetime, run_id: str) -> None: ...
    def add_step(self, run_id: str, sequence: int, spec: str, spec_hash: str, table: str,
                 started: dt.datetime, ended: dt.datetime, counts: dict[str, int],
                 strategies: dict[str, int], step_id: str | None = None) -> str: ...
    def add_events(self, run_id: str, step_id: str, table: str, now: dt.datetime,
                   events: Sequence[Any]) -> None: ...
    def finish_run(self, run_id: str, state: str, now: dt.datetime, exit_code: int,
                   totals: dict[str, int] | None = None, error: str | None = None) -> None: ...
    def file_states(self, spec: str) -> dict[str, FileState]: ...
    def file_entries(self, spec: str, paths: Sequence[str]) -> dict[tuple, tuple[str, str]]: ...
    def file_details(self, spec: str, paths: Sequence[str]) -> dict[str, tuple[list, list | None]]: ...
    def owner_of(self, spec: str, keys: set[tuple]) -> dict[tuple, str]: ...
    def save_files(self, spec: str, spec_hash: str, parsed: Sequence[Any], touched: Sequence[tuple],
                   removed: Sequence[str], replace_all: bool) -> None: ...
    def runs(self, limit: int = 20, spec: str | None = None) -> list[RunRecord]: ...
    def events(self, run_id: str) -> list[EventRecord]: ...
    def last_steps(self) -> dict[str, StepRecord]: ...
    def record_failure(self, project: str, target: str, git_commit: str | None, run_id: str, state: str,
                       exit_code: int, error: str, now: dt.datetime) -> None: ...


class WorkspaceState:
    """The workspace state database: a Ledger in its own SQL database, with its own lock."""

    def __init__(self, url: str, name: str = "state"):
        from .targets.sql import SqlTarget

        self.target = SqlTarget(name, url)
        self.ledger: Ledger | None = None

    def open(self, write: bool) -> StateStore:
        self.target.open(write)
        self.ledger = Ledger(self.target.db)
        return self.ledger

    def close(self) -> None:
        self.target.close()

    def lock(self, timeout: float) -> AbstractContextManager[None]:
        return self.target.lock(timeout)

    @contextmanager
    def transaction(self) -> Iterator[StateStore]:
        """Held for the run, committed after the targets' writes (and rolled back with a failed run)."""
        assert self.ledger is not None
        with self.target.db.atomic():     # the ledger's tables exist: begin_run made them
            yield self.ledger
