"""The engine's own run history, kept in the target database (seeds 002 and 004).

    syncspec_runs            one row per sync run: state machine, totals, git commit
    syncspec_step_attempts   one row per spec per run: counts, spec hash, strategies
    syncspec_run_events      one row per changed target row: op, key, old/new hash
    syncspec_source_files    per spec and source file: size, mtime, sha256 and its entries' keys
                             and hashes at the last successful sync (file-level change detection)

The ledger is append-only; a run's writes and its ledger rows commit in one
transaction, so the history never claims a change the target does not have.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Sequence

RUN_STATES = ("pending", "running", "succeeded", "failed", "canceled")
TERMINAL = ("succeeded", "failed", "canceled")
STEP_STATES = ("running", "succeeded", "failed", "canceled")


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    project: str
    command: str
    state: str
    target: str
    git_commit: str | None
    created_at: dt.datetime | None
    ended_at: dt.datetime | None
    exit_code: int | None
    error_message: str | None
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    steps: tuple["StepRecord", ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        d = {k: _iso(v) for k, v in self.__dict__.items() if k != "steps"}
        d["steps"] = [s.as_dict() for s in self.steps]
        return d


@dataclass(frozen=True)
class StepRecord:
    step_attempt_id: str
    run_id: str
    sequence: int
    spec: str
    spec_hash: str
    table: str
    state: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    files: int
    records: int
    inserted: int
    updated: int
    deleted: int
    unchanged: int
    strategies: dict[str, int]
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {k: _iso(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    run_id: str
    step_attempt_id: str
    timestamp: dt.datetime | None
    event_type: str
    table: str
    key: list[Any]
    old_hash: str | None
    new_hash: str | None
    file: str | None
    line: int | None

    def as_dict(self) -> dict[str, Any]:
        return {k: _iso(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class FileState:
    """A source file as the last successful sync saw it."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    spec_hash: str
    entry_count: int
    ctime_ns: int = 0        # with the inode, what `cp -p`, `rsync -t` and `touch -r` cannot set back (as git's
    inode: int = 0           # index compares); 0: a ledger written before they were recorded


def _entries(text: str) -> tuple[list, list | None]:
    """A file's stored entries, and its sections' digests if it has them (engine: section reuse)."""
    data = json.loads(text)
    if isinstance(data, dict):
        return data["e"], data["p"]
    return data, None


_quote_ascii = json.encoder.encode_basestring_ascii


def key_json(key: tuple) -> str:
    """An event's ``entry_key``: ``json.dumps(list(key), default=str)``, byte for byte (queries read it,
    seed 004), built by hand for the usual keys of text and integers: one per written row."""
    parts = []
    for part in key:
        k = part.__class__
        if k is str:
            parts.append(_quote_ascii(part))
        elif k is int:
            parts.append(int.__repr__(part))
        else:
            return json.dumps(list(key), default=str)
    return "[" + ", ".join(parts) + "]"


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def _check(column: str, states: Sequence[str]):
    import peewee as pw

    return pw.Check(f"{column} IN ({', '.join(repr(s) for s in states)})")


class Ledger:
    """Read and append run history in one database."""

    def __init__(self, db):
        import peewee as pw

        class Base(pw.Model):
            class Meta:
                database = db

        class Run(Base):
            run_id = pw.CharField(max_length=36, primary_key=True)
            project = pw.CharField(max_length=255)
            command = pw.CharField(max_length=32)
            state = pw.CharField(max_length=16, default="pending", constraints=[_check("state", RUN_STATES)])
            target = pw.TextField()
            git_commit = pw.CharField(max_length=64, null=True)
            created_at = pw.DateTimeField()
            started_at = pw.DateTimeField(null=True)
            ended_at = pw.DateTimeField(null=True)
            exit_code = pw.IntegerField(null=True)
            error_message = pw.TextField(null=True)
            inserted = pw.IntegerField(default=0)
            updated = pw.IntegerField(default=0)
            deleted = pw.IntegerField(default=0)
            unchanged = pw.IntegerField(default=0)

            class Meta:
                table_name = "syncspec_runs"
                indexes = ((("state",), False), (("created_at",), False))

        class Step(Base):
            step_attempt_id = pw.CharField(max_length=36, primary_key=True)
            run = pw.ForeignKeyField(Run, column_name="run_id", on_delete="CASCADE", backref="steps")
            sequence = pw.IntegerField()
            spec = pw.CharField(max_length=64)
            spec_hash = pw.CharField(max_length=64)
            table_name = pw.CharField(max_length=64)
            state = pw.CharField(max_length=16, constraints=[_check("state", STEP_STATES)])
            started_at = pw.DateTimeField()
            ended_at = pw.DateTimeField(null=True)
            files = pw.IntegerField(default=0)
            records = pw.IntegerField(default=0)
            inserted = pw.IntegerField(default=0)
            updated = pw.IntegerField(default=0)
            deleted = pw.IntegerField(default=0)
            unchanged = pw.IntegerField(default=0)
            strategies = pw.TextField(default="{}")
            error = pw.TextField(null=True)

            class Meta:
                table_name = "syncspec_step_attempts"
                indexes = ((("spec", "started_at"), False),)

        class Event(Base):
            event_id = pw.AutoField()
            run = pw.ForeignKeyField(Run, column_name="run_id", on_delete="CASCADE")
            step_attempt_id = pw.CharField(max_length=36)
            timestamp = pw.DateTimeField()
            event_type = pw.CharField(max_length=16)
            table_name = pw.CharField(max_length=64)
            entry_key = pw.TextField()
            old_hash = pw.CharField(max_length=128, null=True)
            new_hash = pw.CharField(max_length=128, null=True)
            file = pw.TextField(null=True)
            line = pw.IntegerField(null=True)

            class Meta:
                table_name = "syncspec_run_events"  # the foreign key indexes run_id

        class SourceFile(Base):
            spec = pw.CharField(max_length=64)
            path = pw.CharField(max_length=512)
            size = pw.BigIntegerField()
            mtime_ns = pw.BigIntegerField()
            sha256 = pw.CharField(max_length=64)
            spec_hash = pw.CharField(max_length=64)
            entry_count = pw.IntegerField(default=0)
            entries = pw.TextField(default="[]")   # JSON [[key, hash], ...]
            ctime_ns = pw.BigIntegerField(default=0)
            inode = pw.BigIntegerField(default=0)

            class Meta:
                table_name = "syncspec_source_files"
                primary_key = pw.CompositeKey("spec", "path")

        self.db = db
        self.Run, self.Step, self.Event, self.SourceFile = Run, Step, Event, SourceFile

    def _stamp(self, now: dt.datetime) -> Any:
        """A timestamp as this database's driver takes it (the SQL dialect's rule)."""
        from .targets.sql.dialect import dialect_of

        return dialect_of(self.db).stamp(now)

    def exists(self) -> bool:
        """All four tables are there (created in this order, one by one on MariaDB: check the last)."""
        return self.db.table_exists("syncspec_source_files") and self.db.table_exists("syncspec_runs")

    def ensure(self) -> None:
        self.db.create_tables([self.Run, self.Step, self.Event, self.SourceFile])  # IF NOT EXISTS, each
        self.upgrade()

    def upgrade(self) -> None:
        """Add the file-identity columns to a ledger written by an older syncspec (additive, nullable)."""
        if self._identity():
            return
        from playhouse.migrate import SchemaMigrator, migrate

        m = SchemaMigrator.from_database(self.db)
        migrate(m.add_column("syncspec_source_files", "ctime_ns", self.SourceFile.ctime_ns),
                m.add_column("syncspec_source_files", "inode", self.SourceFile.inode))
        self._has_identity = True

    def _identity(self) -> bool:
        """Does syncspec_source_files have ctime_ns and inode (one look per Ledger)?"""
        if getattr(self, "_has_identity", None) is None:
            names = {c.name for c in self.db.get_columns("syncspec_source_files")}
            self._has_identity = {"ctime_ns", "inode"} <= names
        return bool(self._has_identity)

    # -- append -------------------------------------------------------------
    def start_run(self, project: str, command: str, target: str, git_commit: str | None,
                  now: dt.datetime, run_id: str | None = None) -> str:
        run_id = run_id or str(uuid.uuid4())
        with self.db.atomic():
            self.Run.create(run_id=run_id, project=project, command=command, state="running", target=target,
                            git_commit=git_commit, created_at=now, started_at=now)
        return run_id

    def add_step(self, run_id: str, sequence: int, spec: str, spec_hash: str, table: str,
                 started: dt.datetime, ended: dt.datetime, counts: dict[str, int],
                 strategies: dict[str, int], step_id: str | None = None) -> str:
        step_id = step_id or str(uuid.uuid4())
        self.Step.create(step_attempt_id=step_id, run=run_id, sequence=sequence, spec=spec, spec_hash=spec_hash,
                         table_name=table, state="succeeded", started_at=started, ended_at=ended,
                         strategies=json.dumps(strategies, sort_keys=True), **counts)
        return step_id

    def add_events(self, run_id: str, step_id: str, table: str, now: dt.datetime,
                   events: Sequence[tuple[str, tuple, str | None, str | None, str | None, int | None]]) -> None:
        """events: (op, key, old_hash, new_hash, file, line)."""
        if not events:
            return
        from .targets.sql.table import bulk_insert

        names = ["run", "step_attempt_id", "timestamp", "event_type", "table_name", "entry_key",
                 "old_hash", "new_hash", "file", "line"]
        stamp = self._stamp(now)
        rows = [(run_id, step_id, stamp, op, table, key_json(key), old, new, file, line)
                for op, key, old, new, file, line in events]
        bulk_insert(self.db, self.Event, names, rows)

    def begin_run(self, project: str, command: str, target: str, git_commit: str | None,
                  now: dt.datetime, run_id: str) -> None:
        """The run is on the record as ``running`` from its start, committed at once (its own transaction)."""
        if not self.exists():
            self.ensure()
        else:
            self.upgrade()
        self.start_run(project, command, target, git_commit, now, run_id=run_id)
        self.transition(run_id, "pending", "running", now)

    def transition(self, run_id: str, old: str, new: str, now: dt.datetime) -> None:
        """A run's state change as an event of its own (seed 004's audit trail): ``run:<new>``."""
        from .targets.sql.table import bulk_insert

        stamp = self._stamp(now)
        bulk_insert(self.db, self.Event, ["run", "step_attempt_id", "timestamp", "event_type", "table_name",
                                          "entry_key", "old_hash", "new_hash"],
                    [(run_id, run_id, stamp, f"run:{new}", "syncspec_runs", "[]", old, new)])

    def finish_run(self, run_id: str, state: str, now: dt.datetime, exit_code: int,
                   totals: dict[str, int] | None = None, error: str | None = None) -> None:
        assert state in TERMINAL
        self.Run.update(state=state, ended_at=now, exit_code=exit_code, error_message=error,
                        **(totals or {})).where(self.Run.run_id == run_id).execute()
        self.transition(run_id, "running", state, now)

    def record_failure(self, project: str, target: str, git_commit: str | None, run_id: str, state: str,
                       exit_code: int, error: str, now: dt.datetime) -> None:
        """The run's writes rolled back; its ``running`` row (committed at its start) becomes failed or
        canceled with its problems, in a transaction of its own."""
        if self.db.in_transaction():
            self.db.rollback()
        with self.db.atomic():
            if not self.exists():
                self.ensure()
            if not self.Run.select().where(self.Run.run_id == run_id).exists():
                self.start_run(project, "sync", target, git_commit, now, run_id=run_id)
            self.finish_run(run_id, state, now, exit_code, error=error)

    # -- source file states (file-level change detection) ------------------
    def file_states(self, spec: str) -> dict[str, FileState]:
        """What each source file of ``spec`` looked like at its last successful sync (no entries)."""
        if not self.db.table_exists("syncspec_source_files"):
            return {}
        F = self.SourceFile
        cols = [F.path, F.size, F.mtime_ns, F.sha256, F.spec_hash, F.entry_count]
        query = F.select(*cols, *((F.ctime_ns, F.inode) if self._identity() else ())).where(F.spec == spec)
        return {row[0]: FileState(*row) for row in query.tuples().iterator()}

    def file_entries(self, spec: str, paths: Sequence[str]) -> dict[tuple, tuple[str, str]]:
        """key -> (hash, path) for the entries the given files held at the last sync."""
        out: dict[tuple, tuple[str, str]] = {}
        if not paths:
            return out
        F = self.SourceFile
        for start in range(0, len(paths), 500):
            chunk = list(paths[start:start + 500])
            for path, entries in F.select(F.path, F.entries).where((F.spec == spec) & F.path.in_(chunk)).tuples():
                for key, digest in _entries(entries)[0]:
                    out[tuple(key)] = (digest, path)
        return out

    def file_details(self, spec: str, paths: Sequence[str]) -> dict[str, tuple[list, list | None]]:
        """path -> (entries [[key, hash], ...], pieces [[digest, length, rows], ...] or None) at the last sync."""
        out: dict[str, tuple[list, list | None]] = {}
        F = self.SourceFile
        for start in range(0, len(paths), 500):
            chunk = list(paths[start:start + 500])
            for path, entries in F.select(F.path, F.entries).where((F.spec == spec) & F.path.in_(chunk)).tuples():
                out[path] = _entries(entries)
        return out

    def owner_of(self, spec: str, keys: set[tuple]) -> dict[tuple, str]:
        """Which file held each key at the last sync (only for error messages: reads every entry)."""
        F = self.SourceFile
        out = {}
        for path, entries in F.select(F.path, F.entries).where(F.spec == spec).tuples():
            for key, _ in _entries(entries)[0]:
                if tuple(key) in keys:
                    out[tuple(key)] = path
        return out

    def save_files(self, spec: str, spec_hash: str, parsed: Sequence[tuple], touched: Sequence[tuple],
                   removed: Sequence[str], replace_all: bool) -> None:
        """Record the files' new state; parsed = (path, size, mtime_ns, sha256, entry count, entries as JSON
        (lane.ParsedFile), ctime_ns, inode); touched = (path, size, mtime_ns, ctime_ns, inode)."""
        from .targets.sql.table import bulk_insert

        F = self.SourceFile
        if replace_all:
            F.delete().where(F.spec == spec).execute()
        else:
            gone = [p for p, *_ in parsed] + list(removed)
            for start in range(0, len(gone), 500):
                F.delete().where((F.spec == spec) & F.path.in_(gone[start:start + 500])).execute()
            from .targets.sql.table import bulk_update   # a checkout re-stamps thousands of files at once

            bulk_update(self.db, F, ["size", "mtime_ns", "ctime_ns", "inode"], ["spec", "path"],
                        [(size, mtime_ns, ctime_ns, inode, spec, path) for path, size, mtime_ns, ctime_ns, inode
                         in touched])
        rows = [(spec, path, size, mtime_ns, sha, spec_hash, count, entries, ctime_ns, inode)
                for path, size, mtime_ns, sha, count, entries, ctime_ns, inode in parsed]
        bulk_insert(self.db, F, ["spec", "path", "size", "mtime_ns", "sha256", "spec_hash", "entry_count",
                                 "entries", "ctime_ns", "inode"], rows)

    # -- read ---------------------------------------------------------------
    def runs(self, limit: int = 20, spec: str | None = None) -> list[RunRecord]:
        if not self.exists():
            return []
        query = self.Run.select().order_by(self.Run.created_at.desc()).limit(limit)
        runs = list(query)
        steps: dict[str, list[StepRecord]] = {}
        if runs:
            sq = self.Step.select().where(self.Step.run.in_([r.run_id for r in runs])).order_by(self.Step.sequence)
            for s in sq:
                steps.setdefault(s.run_id, []).append(self._step(s))
        out = []
        for r in runs:
            mine = tuple(steps.get(r.run_id, ()))
            if spec and not any(s.spec == spec for s in mine):
                continue
            out.append(RunRecord(r.run_id, r.project, r.command, r.state, r.target, r.git_commit, r.created_at,
                                 r.ended_at, r.exit_code, r.error_message, r.inserted, r.updated, r.deleted,
                                 r.unchanged, mine))
        return out

    def find_runs(self, prefix: str) -> list[str]:
        """Run IDs equal to ``prefix``, else (at most 5) starting with it, newest first."""
        if not self.exists():
            return []
        R = self.Run
        found = [r.run_id for r in R.select(R.run_id).where(R.run_id == prefix)]
        return found or [r.run_id for r in R.select(R.run_id).where(R.run_id.startswith(prefix))
                         .order_by(R.created_at.desc()).limit(5)]

    def events(self, run_id: str) -> list[EventRecord]:
        if not self.exists():
            return []
        q = (self.Event.select().where((self.Event.run == run_id) & ~self.Event.event_type.startswith("run:"))
             .order_by(self.Event.event_id))
        return [EventRecord(e.event_id, e.run_id, e.step_attempt_id, e.timestamp, e.event_type, e.table_name,
                            json.loads(e.entry_key), e.old_hash, e.new_hash, e.file, e.line) for e in q]

    def lifecycle(self, run_id: str) -> list[tuple[str, str, Any]]:
        """(old state, new state, when) of each transition of a run, in order."""
        if not self.exists():
            return []
        E = self.Event
        q = (E.select(E.old_hash, E.new_hash, E.timestamp)
             .where((E.run == run_id) & E.event_type.startswith("run:")).order_by(E.event_id))
        return [tuple(r) for r in q.tuples()]

    def last_steps(self) -> dict[str, StepRecord]:
        """The latest succeeded step of each spec (what `status` compares against)."""
        if not self.exists():
            return {}
        out: dict[str, StepRecord] = {}
        q = (self.Step.select().where(self.Step.state == "succeeded").order_by(self.Step.started_at.desc()))
        for s in q.iterator():
            if s.spec not in out:
                out[s.spec] = self._step(s)
        return out

    def last_commits(self) -> dict[str, str | None]:
        """The git commit each spec last synced from: its latest succeeded step's run (the stale-commit guard)."""
        if not self.exists():
            return {}
        S, R = self.Step, self.Run
        q = (S.select(S.spec, R.git_commit).join(R, on=(S.run == R.run_id)).where(S.state == "succeeded")
             .order_by(S.started_at.desc()))
        out: dict[str, str | None] = {}
        for spec, commit in q.tuples().iterator():
            out.setdefault(spec, commit)
        return out

    def last_run(self) -> RunRecord | None:
        """The newest run of any state (a failed run has no steps: it is the run that says so)."""
        runs = self.runs(1)
        return runs[0] if runs else None

    @staticmethod
    def _step(s) -> StepRecord:
        return StepRecord(s.step_attempt_id, s.run_id, s.sequence, s.spec, s.spec_hash, s.table_name, s.state,
                          s.started_at, s.ended_at, s.files, s.records, s.inserted, s.updated, s.deleted,
                          s.unchanged, json.loads(s.strategies or "{}"), s.error)
