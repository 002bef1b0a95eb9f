"""The pipeline, run once: specs -> changed files -> rows -> diff -> target + ledger.

Which files to parse comes from the ledger's file states (size, mtime, sha256
at the last successful sync); unchanged files are neither read nor diffed.
Everything is parsed, mapped and checked before the first write; then all of
a run's writes and its ledger rows commit in one transaction per target.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import gc
import hashlib
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import (DuplicateKeyError, MappingError, Problem, SourceError, StateTransitionError, SyncSpecError,
                     TargetError, TimeLimitExceeded)
from .plan import ChangeSet
from .records import Mapper, Row
from .children import Children
from .sources import resolve_files
from .sources.extract import extract_batches
from .sources.text import read_bytes
from .states import StateCheck
from .spec.model import Spec
from .workspace import WorkspaceConfig

Progress = Callable[[str, int, int], None]
RACY_NS = 2_000_000_000   # a file modified this close to a sync is re-hashed next time (as git does)


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


@dataclass
class SpecWork:
    """One spec's diff plus the file states to save once it is written."""

    changes: ChangeSet
    parsed: list[tuple[str, int, int, str, list]]
    touched: list[tuple[str, int, int]]
    removed: list[str]
    full: bool


@dataclass
class _File:
    path: Path
    display: str
    size: int
    mtime_ns: int
    raw: bytes | None = None
    sha: str = ""


def plan_spec(cfg: WorkspaceConfig, spec: Spec, table, ledger, opts: Options, deadline: Deadline,
              problems: Collected, sink: Writer | None = None, fresh: bool = False) -> SpecWork | None:
    """Decide which files to parse, parse and diff them file by file; problems are collected, not raised.

    With a ``sink`` (sync), each file's inserts and updates are written as soon as it is
    diffed, inside the run's transaction, so memory holds one file's rows, not the corpus;
    after the first problem nothing more is written and the caller rolls back.
    """
    try:
        resolved = resolve_files(spec, cfg.root)
    except SourceError as exc:
        problems.add(SourceError, exc.problems)
        return None
    files = []
    for path, display in resolved:
        st = os.stat(path)
        files.append(_File(path, display, st.st_size, st.st_mtime_ns))
    states = ledger.file_states(spec.name) if ledger is not None else {}
    # rebuild: parse everything (nothing trustworthy is known); verify (--all): the target itself
    # is checked, parsing only files whose bytes changed or whose rows drifted; else incremental
    full = (fresh or not states or not table.exists()
            or any(s.spec_hash != state_hash(spec) for s in states.values()))
    touched: list[tuple[str, int, int]] = []
    current = {f.display for f in files}
    removed = [] if full else [p for p in states if p not in current]
    details: dict[str, tuple[list, list | None]] = {}   # incremental: changed files' entries and sections
    unchanged_entries = 0     # entries of files not read (counted as unchanged and as records)
    clean_entries = 0         # --all: entries of files whose bytes and target rows both match
    seen: dict[tuple, tuple[str, int]] = {}      # key -> (file, line): duplicates across files
    if full:
        to_parse = files
        index = table.index(spec)
    elif opts.full:
        index = table.index(spec)
        to_parse, clean = [], []
        for f in files:
            old = states.get(f.display)
            try:
                raw = read_bytes(f.path, f.display)
            except SourceError as exc:
                problems.add(SourceError, exc.problems)
                continue
            f.sha = hashlib.sha256(raw).hexdigest()
            (clean if old is not None and old.sha256 == f.sha else to_parse).append(f)
        held: dict[str, list[tuple[tuple, str]]] = {}
        for key, (digest, path) in ledger.file_entries(spec.name, [f.display for f in clean] + removed).items():
            held.setdefault(path, []).append((key, digest))
        for f in clean:
            entries = held.get(f.display, [])
            if all(index.get(key) == (digest, False) for key, digest in entries):
                for key, _ in entries:          # the target holds exactly what this file held
                    del index[key]
                    seen[key] = (f.display, 0)
                clean_entries += len(entries)
                if states[f.display].mtime_ns != f.mtime_ns:
                    touched.append((f.display, f.size, _stable_mtime(f.mtime_ns)))
            else:
                to_parse.append(f)              # the target drifted from this file: parse and repair
        to_parse.sort(key=lambda f: f.display)
    else:
        to_parse = []
        for f in files:
            old = states.get(f.display)
            if old is not None and old.size == f.size and old.mtime_ns == f.mtime_ns:
                unchanged_entries += old.entry_count
                continue
            try:
                f.raw = read_bytes(f.path, f.display)
            except SourceError as exc:
                problems.add(SourceError, exc.problems)
                continue
            f.sha = hashlib.sha256(f.raw).hexdigest()
            if old is not None and old.sha256 == f.sha:
                touched.append((f.display, f.size, _stable_mtime(f.mtime_ns)))
                unchanged_entries += old.entry_count
                continue
            to_parse.append(f)
        details = ledger.file_details(spec.name, [f.display for f in to_parse if f.display in states] + removed)
        index = {tuple(key): (digest, False) for entries, _ in details.values() for key, digest in entries}

    mapper = Mapper(spec, dict(cfg.context, sync=spec.name))
    children = Children(spec, cfg.context) if spec.parent is not None else None
    strategies: dict[str, int] = {}
    parsed: list[tuple[str, int, int, str, list, list | None]] = []
    inserts: list[Row] = []
    updates: list[tuple[Row, str | None]] = []
    unchanged = unchanged_entries + clean_entries
    source_problems: list[Problem] = []
    mapping_problems: list[Problem] = []
    duplicates: list[Problem] = []
    state_problems: list[Problem] = []
    warnings: list[Problem] = []
    state_check = StateCheck(spec, table)
    keep_values = sink is None and opts.details
    for n, f in enumerate(to_parse, 1):
        deadline.check(f"reading {f.display}")
        entries: list[list] = []    # [key, hash] of every row of the file, for the ledger
        sections: list[list] | None = []   # [digest, length, rows] of its sections (sources/pieces.py)
        old_entries, old_sections = details.get(f.display, ((), None))
        try:
            if f.raw is None:
                f.raw = read_bytes(f.path, f.display)
                f.sha = hashlib.sha256(f.raw).hexdigest()
            # one batch, pieces of a big file, or the changed sections between unchanged ones
            for found in extract_batches(spec, f.path, f.display, f.raw, old_pieces=old_sections):
                if found.reuse is not None:     # sections as last synced: their rows stand, nothing parsed
                    i, j, line = found.reuse
                    at = sum(p[2] for p in old_sections[:i])
                    for section in old_sections[i:j]:
                        for key, digest in old_entries[at:at + section[2]]:
                            key = tuple(key)
                            first = seen.get(key)
                            if first is not None:
                                duplicates.append(_duplicate(spec, key, f.display, line, _where(first)))
                                continue
                            seen[key] = (f.display, line)
                            index.pop(key, None)
                            unchanged += 1
                            entries.append([list(key), digest])
                        at += section[2]
                        line += section[3]
                        if sections is not None:
                            sections.append(section)
                    continue
                records = found.records if children is None else children.records(found.records)
                if found.strategy is not None:
                    strategies[found.strategy] = strategies.get(found.strategy, 0) + len(records)
                rows: list[Row] = []
                for record in records:
                    row = mapper.map(record, mapping_problems)
                    if row is None:
                        continue
                    first = seen.get(row.key)
                    if first is not None:
                        duplicates.append(_duplicate(spec, row.key, row.file, row.line, _where(first)))
                        continue
                    seen[row.key] = (row.file, row.line)
                    rows.append(row)
                if not full and not opts.full:
                    _claim_new_keys(spec, table, ledger, rows, index, duplicates)
                file_inserts: list[Row] = []
                file_updates: list[tuple[Row, str | None]] = []
                for row in rows:
                    entries.append([list(row.key), row.hash])
                    stored = index.pop(row.key, None)
                    if stored is None:
                        file_inserts.append(row)
                    elif stored[0] != row.hash or stored[1]:
                        file_updates.append((row, stored[0]))
                    else:
                        unchanged += 1
                if found.pieces is None:
                    sections = None
                elif sections is not None:
                    starts = [p[2] for p in found.pieces]
                    counts = [0] * len(starts)
                    for row in rows:
                        counts[bisect.bisect_right(starts, row.line) - 1] += 1
                    sections.extend([d, length, c, lines] for (d, length, _, lines), c in zip(found.pieces, counts))
                if state_check and (file_updates or (state_check.on_inserts and file_inserts)):
                    errors, warned = state_check.check(file_inserts, file_updates)   # before these rows are written
                    state_problems.extend(errors)
                    warnings.extend(warned)
                if sink is not None and not (source_problems or duplicates or mapping_problems or state_problems):
                    sink.rows(file_inserts, file_updates)
                inserts.extend(_light(r) for r in file_inserts)
                updates.extend((r if keep_values and len(updates) < 200 else _light(r), old) for r, old in file_updates)
        except SourceError as exc:
            source_problems.extend(exc.problems)
            continue
        finally:
            f.raw = None    # stream: never hold the corpus
        if opts.progress:
            opts.progress(spec.name, n, len(to_parse))
        parsed.append((f.display, f.size, _stable_mtime(f.mtime_ns), f.sha, entries, sections))
    problems.add(SourceError, source_problems)
    problems.add(DuplicateKeyError, duplicates)
    problems.add(MappingError, mapping_problems)
    problems.add(StateTransitionError, state_problems)
    if source_problems or duplicates or mapping_problems or state_problems:
        return None

    deletes, marks = [], []
    if spec.on_missing != "keep":
        for key, (old_hash, soft) in index.items():   # what no parsed file claimed
            if spec.on_missing == "delete":
                deletes.append((key, old_hash))
            elif not soft:
                marks.append((key, old_hash))
    records = len(seen) + unchanged_entries
    if not opts.allow_empty and records == 0 and (deletes or marks):
        line, col = spec.locate("$.source.records")
        problems.add(SourceError, [Problem(
            f"spec {spec.name!r} extracted no records from {len(files)} file(s); syncing would delete "
            f"all {len(deletes) + len(marks)} of its rows", file=spec.file, line=line, column=col,
            json_path="$.source.records",
            hint=f"check the strategies with `syncspec preview {spec.name}`; if the source is really "
                 "empty now, pass --allow-empty")])
        return None
    if sink is not None:
        sink.finish(deletes, marks)
    cs = ChangeSet(spec.name, spec.table, tuple(inserts), tuple(updates), tuple(deletes), tuple(marks), unchanged,
                   files=len(files), parsed=len(to_parse), records=records, strategies=strategies,
                   warnings=tuple(warnings))
    return SpecWork(cs, parsed, touched, removed, full)


def _claim_new_keys(spec: Spec, table, ledger, rows: list[Row], index: dict, duplicates: list[Problem]) -> None:
    """Incremental mode: a key new to the changed files may be a soft-deleted row (restore it)
    or belong to a file that did not change (a duplicate)."""
    new_keys = [r.key for r in rows if r.key not in index]
    stored = table.lookup(spec, new_keys) if new_keys else {}
    clashes = set()
    for key, (digest, soft) in stored.items():
        if soft:
            index[key] = (digest, True)
        else:
            clashes.add(key)
    if clashes:
        owners = ledger.owner_of(spec.name, clashes)
        for row in rows:
            if row.key in clashes:
                duplicates.append(_duplicate(spec, row.key, row.file, row.line,
                                             owners.get(row.key, f"table {spec.table}")))


def _light(row: Row) -> Row:
    """The row without its values: what a ChangeSet keeps once the row is written (memory)."""
    return Row(row.key, {}, row.hash, row.file, row.line)


class Writer:
    """Writes one spec's changes as each file is diffed, with their ledger events."""

    def __init__(self, table, ledger, run_id: str, step_id: str, now: dt.datetime,
                 deferred: list | None = None):
        self.table, self.ledger, self.run_id, self.step_id, self.now = table, ledger, run_id, step_id, now
        self.deferred = deferred

    def rows(self, inserts: list[Row], updates: list[tuple[Row, str | None]]) -> None:
        self.table.upsert([*inserts, *(r for r, _ in updates)], self.now)
        self.ledger.add_events(self.run_id, self.step_id, self.table.name, self.now,
                               [("insert", r.key, None, r.hash, r.file, r.line) for r in inserts]
                               + [("update", r.key, old, r.hash, r.file, r.line) for r, old in updates])

    def finish(self, deletes: list[tuple[tuple, str | None]], marks: list[tuple[tuple, str | None]]) -> None:
        """Deletes wait for the end of the run when ``deferred`` is given: specs run parents first (foreign
        keys), so deleting in reverse spec order removes children before their parents."""
        if self.deferred is not None:
            self.deferred.append((self, deletes, marks))
        else:
            self.apply_deletes(deletes, marks)

    def apply_deletes(self, deletes: list[tuple[tuple, str | None]], marks: list[tuple[tuple, str | None]]) -> None:
        self.table.delete([k for k, _ in deletes])
        self.table.mark([k for k, _ in marks], self.now)
        self.ledger.add_events(self.run_id, self.step_id, self.table.name, self.now,
                               [("delete", k, old, None, None, None) for k, old in deletes]
                               + [("mark", k, old, None, None, None) for k, old in marks])


def state_hash(spec: Spec) -> str:
    """What file states are valid for: the spec and the syncspec version (an upgrade may parse differently)."""
    from . import __version__

    return hashlib.sha256(f"{spec.spec_hash}:{__version__}".encode()).hexdigest()[:16]


def _where(seen: tuple[str, int]) -> str:
    """``file:line`` of a key seen before (line 0: a file that was not parsed)."""
    return f"{seen[0]}:{seen[1]}" if seen[1] else seen[0]


def _duplicate(spec: Spec, key: tuple, file: str, line: int | None, first: str) -> Problem:
    return Problem(f"duplicate key {list(key)} in spec {spec.name!r}; first at {first}",
                   file=file, line=line,
                   hint="entry IDs must be unique across the spec's files; rename or merge one of them")


def _stable_mtime(mtime_ns: int) -> int:
    """A file touched within the racy window gets no trusted mtime, so it is re-hashed next time."""
    return -1 if time.time_ns() - mtime_ns < RACY_NS else mtime_ns


def execute(cfg: WorkspaceConfig, specs: list[Spec], target_label: str, write: bool, opts: Options,
            all_specs: list[Spec] | None = None) -> PlanResult:
    """Plan (``write=False``, read-only) or sync every spec against one target.

    ``all_specs`` (every spec of the workspace) define the tables: a table shared with an
    unselected spec keeps that spec's columns, and referenced parent tables exist.
    """
    from .ledger import Ledger
    from .targets.database import connect, parse_target, run_lock

    started = time.perf_counter()
    deadline = Deadline(opts.max_seconds)
    target = parse_target(cfg.database_url)
    path = target.sqlite_path
    if not write and path is not None and not path.exists():
        import peewee

        db = peewee.SqliteDatabase(":memory:")   # no database yet: an empty target, and none is created
    else:
        db = connect(target, readonly=not write and target.backend == "sqlite")
    ledger = Ledger(db)
    run_id = None
    try:
        if not write:
            return _plan(cfg, specs, target_label, db, target.backend, ledger, opts, deadline, started, all_specs)
        with run_lock(db, target, cfg.lock_timeout if opts.lock_timeout is None else opts.lock_timeout):
            from .targets import schema as ddl

            tables = tables_of(db, target.backend, specs, all_specs)
            exists = {name: t.exists() for name, t in tables.items()}
            fresh = {name for name, there in exists.items() if not there}
            migrations = ddl.plan_migrations(db, target.backend, tables, ddl.stored_versions(db), exists)
            ddl.refuse_if_needed(migrations, opts.allow_destructive)   # before anything changes
            schema: dict[str, list[str]] = {}
            # MySQL commits DDL implicitly: it runs before the transaction. SQLite rebuilds run before it
            # too, with foreign keys off (dropping a parent table would cascade); each in its own transaction.
            early = [m for m in migrations if target.backend == "mysql" or (target.backend == "sqlite" and m.rebuild)]
            if early:
                with _foreign_keys_off(db, target.backend), db.atomic():
                    schema = {m.table.name: ddl.apply(db, target.backend, m) for m in early}
            if target.backend == "mysql":
                ddl.ensure_ledger(db)
                ledger.ensure()
            with db.atomic():
                for m in migrations:          # SQLite and PostgreSQL: DDL rolls back with a failed run
                    if m not in early:
                        schema[m.table.name] = ddl.apply(db, target.backend, m)
                if target.backend != "mysql":
                    ddl.ensure_ledger(db)
                    ledger.ensure()
                ddl.record(db, migrations, utcnow())
                run_id = ledger.start_run(cfg.project, "sync", target_label, git_commit(cfg.root), utcnow())
                problems = Collected()
                changes = []
                deferred: list = []
                with _no_gc():
                    for seq, spec in enumerate(specs, 1):
                        table = tables[spec.table]
                        step_id, step_start = str(uuid.uuid4()), utcnow()
                        work = plan_spec(cfg, spec, table, ledger, opts, deadline, problems,
                                         sink=Writer(table, ledger, run_id, step_id, step_start, deferred),
                                         fresh=spec.table in fresh)
                        if work is None or problems.by_kind:
                            continue
                        cs = dataclasses.replace(work.changes, schema_changes=tuple(schema.pop(spec.table, [])))
                        ledger.add_step(run_id, seq, cs.spec, spec.spec_hash, cs.table, step_start, utcnow(),
                                        dict(files=cs.files, records=cs.records, **cs.counts), cs.strategies,
                                        step_id=step_id)
                        ledger.save_files(spec.name, state_hash(spec), work.parsed, work.touched, work.removed,
                                          work.full)
                        changes.append(cs)
                problems.raise_if_any()       # bad input: the whole run rolls back, nothing is recorded
                for writer, deletes, marks in reversed(deferred):    # children before parents
                    writer.apply_deletes(deletes, marks)
                deadline.check("committing")
                result = PlanResult(target_label, tuple(changes), run_id=run_id)
                ledger.finish_run(run_id, "succeeded", utcnow(), 0,
                                  {k: getattr(result, k) for k in ("inserted", "updated", "deleted", "unchanged")})
    except BaseException as exc:
        err = exc if isinstance(exc, SyncSpecError) else (
            wrap_db_errors(exc, target.masked) if is_db_error(exc) else None)
        if run_id is not None and not isinstance(err, INPUT_ERRORS):
            _record_failure(ledger, cfg, run_id, target_label, exc, err)
        if err is not None and err is not exc:
            raise err from None
        raise
    finally:
        db.close()
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


INPUT_ERRORS = (SourceError, MappingError, DuplicateKeyError, StateTransitionError)


def _plan(cfg, specs, target_label, db, backend, ledger, opts, deadline, started, all_specs=None) -> PlanResult:
    from .targets import schema as ddl

    tables = tables_of(db, backend, specs, all_specs)
    exists = {name: t.exists() for name, t in tables.items()}
    notes = {m.table.name: _describe(m) for m in
             ddl.plan_migrations(db, backend, tables, ddl.stored_versions(db), exists)}
    usable = ledger if ledger.db.table_exists("syncspec_source_files") else None
    problems = Collected()
    work = []
    with _no_gc():
        for spec in specs:
            item = plan_spec(cfg, spec, tables[spec.table], usable, opts, deadline, problems)
            if item is not None:
                work.append(item)
    problems.raise_if_any()
    changes = [dataclasses.replace(w.changes, schema_changes=tuple(notes.pop(w.changes.table, ()))) for w in work]
    if opts.details:
        changes = [_with_changed_columns(cs, tables[cs.table]) for cs in changes]
    return PlanResult(target_label, tuple(changes), seconds=time.perf_counter() - started)


class _no_gc:
    """Parsing allocates millions of small acyclic objects: ~20% faster without GC passes."""

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_on:
            gc.enable()


def _describe(migration) -> list[str]:
    """Plan lines for one table's schema changes, saying which a sync would refuse and why."""
    out = []
    for note, change in zip(migration.notes, migration.changes or [None] * len(migration.notes)):
        if change is not None and change.violations:
            note += f"  [refused: {change.violations} existing row(s) violate it]"
        elif change is not None and change.destructive:
            note += "  [destructive: needs --allow-destructive]"
        out.append(note)
    return out


class _foreign_keys_off:
    """SQLite table rebuilds: foreign keys off (no cascades from dropping the old table), back on after."""

    def __init__(self, db, backend: str):
        self.db, self.on = db, backend == "sqlite"

    def __enter__(self) -> None:
        if self.on:
            self.db.execute_sql("PRAGMA foreign_keys = OFF")

    def __exit__(self, *exc: object) -> None:
        if self.on:
            self.db.execute_sql("PRAGMA foreign_keys = ON")


def _with_changed_columns(cs: ChangeSet, table, limit: int = 200) -> ChangeSet:
    """Name the columns each (of the first ``limit``) updates changes; reads only those rows."""
    if not cs.updates:
        return cs
    rows = [r for r, _ in cs.updates[:limit]]
    stored = table.fetch(None, [r.key for r in rows])
    changed = {r.key: table.changed_columns(stored[r.key], r) for r in rows if r.key in stored}
    return dataclasses.replace(cs, changed=changed)


def _record_failure(ledger, cfg: WorkspaceConfig, run_id: str, target_label: str, exc: BaseException,
                    err: SyncSpecError | None) -> None:
    """The run's own rows rolled back with it: record that it failed, in a transaction of its own."""
    state = "canceled" if isinstance(exc, KeyboardInterrupt) else "failed"
    code = err.exit_code if err is not None else 130 if state == "canceled" else 70
    try:
        if ledger.db.in_transaction():
            ledger.db.rollback()
        with ledger.db.atomic():
            ledger.ensure()
            ledger.start_run(cfg.project, "sync", target_label, git_commit(cfg.root), utcnow(), run_id=run_id)
            ledger.finish_run(run_id, state, utcnow(), code, error=str(err or exc)[:2000])
    except Exception:  # noqa: BLE001 - the target may be gone; the original error matters more
        pass


def tables_of(db, backend: str, specs: list[Spec], all_specs: list[Spec] | None = None):
    """The tables ``specs`` write, plus the parent tables their foreign keys reference, parents first;
    each defined by every spec (of ``all_specs``) that writes it."""
    from .targets.sql import SqlTable

    groups: dict[str, list[Spec]] = {}
    for spec in all_specs or specs:
        groups.setdefault(spec.table, []).append(spec)
    for spec in specs:                       # a spec outside all_specs (library callers) still counts
        if spec not in groups.get(spec.table, []):
            groups.setdefault(spec.table, []).append(spec)
    wanted = {s.table for s in specs}
    todo = list(wanted)
    while todo:
        for spec in groups.get(todo.pop(), []):
            for fk in spec.foreign_keys:
                if fk.table not in wanted and fk.table in groups:
                    wanted.add(fk.table)
                    todo.append(fk.table)
    return {name: SqlTable(db, backend, group) for name, group in groups.items() if name in wanted}


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def wrap_db_errors(exc: BaseException, target: str) -> SyncSpecError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return TargetError(problems=[Problem(f"database error on {target}: {detail}",
                                         hint="nothing was written; check the target database and rerun")],
                       target=target)


def is_db_error(exc: BaseException) -> bool:
    try:
        import peewee
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, peewee.PeeweeException) or type(exc).__module__.split(".")[0] in (
        "sqlite3", "psycopg2", "pymysql")
