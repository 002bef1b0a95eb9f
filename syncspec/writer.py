"""The write stage: one binding's changed rows into its target, with their ledger events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from .records import Row
from .state import StateStore
from .targets.base import Binding, Key, Target

Deletes = Sequence[tuple[Key, "str | None"]]


class Writer:
    """Writes one binding's changes as each file is diffed, and records each as a row event."""

    def __init__(self, target: Target, binding: Binding, store: StateStore, run_id: str, step_id: str,
                 now: dt.datetime, deferred: list | None = None, hold: bool = False):
        self.target, self.binding, self.store = target, binding, store
        self.run_id, self.step_id, self.now = run_id, step_id, now
        self.deferred = deferred
        self.hold = hold            # a target without transactions: write only once the run's input checked out
        self._held: list[tuple[Sequence[Row], Sequence[tuple[Row, str | None]]]] = []

    def rows(self, inserts: Sequence[Row], updates: Sequence[tuple[Row, str | None]]) -> None:
        if self.hold:
            self._held.append((inserts, updates))
            return
        self._write(inserts, updates)

    def flush(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Write what was held back (the engine calls it after the whole run's input is known good);
        ``progress`` hears rows written of rows held: embedding a vector index can take minutes."""
        held, self._held = self._held, []
        total = sum(len(i) + len(u) for i, u in held)
        done = 0
        what = f"writing {self.binding.spec.name} to {self.binding.label}"
        for inserts, updates in held:
            self._write(inserts, updates)
            done += len(inserts) + len(updates)
            if progress is not None:
                progress(what, done, total)

    def _write(self, inserts: Sequence[Row], updates: Sequence[tuple[Row, str | None]]) -> None:
        self.target.upsert(self.binding, [*inserts, *(r for r, _ in updates)], self.now)
        self.store.add_events(self.run_id, self.step_id, self.binding.label, self.now,
                              [("insert", r.key, None, r.hash, r.file, r.line) for r in inserts]
                              + [("update", r.key, old, r.hash, r.file, r.line) for r, old in updates])

    def finish(self, deletes: Deletes, marks: Deletes) -> None:
        """Deletes wait for the end of the run when ``deferred`` is given: specs run parents first (foreign
        keys), so deleting in reverse spec order removes children before their parents."""
        if self.deferred is not None:
            self.deferred.append((self, deletes, marks))
        else:
            self.apply_deletes(deletes, marks)

    def apply_deletes(self, deletes: Deletes, marks: Deletes) -> None:
        self.target.delete(self.binding, [k for k, _ in deletes])
        self.target.mark(self.binding, [k for k, _ in marks], self.now)
        self.store.add_events(self.run_id, self.step_id, self.binding.label, self.now,
                              [("delete", k, old, None, None, None) for k, old in deletes]
                              + [("mark", k, old, None, None, None) for k, old in marks])
