"""The library API: open a workspace, then validate, plan, sync and read history.

>>> ws = Workspace.open("examples/ledger")            # doctest: +SKIP
>>> result = ws.sync()                               # doctest: +SKIP
>>> result.inserted, result.updated, result.deleted  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import (Deadline, PlanResult, Progress, changesets, extract, extract_all, git_commit,
                     tables_of, utcnow, wrap_db_errors)
from .errors import Problem, SourceError, SyncSpecError
from .ledger import EventRecord, Ledger, RunRecord
from .sources import extract_file, resolve_files
from .spec.loader import load_specs
from .spec.model import Spec
from .workspace import WorkspaceConfig, find_root, read_config


@dataclass(frozen=True)
class SpecStatus:
    """Is a spec's target current? Compares spec hash and file times with its last sync."""

    spec: str
    table: str
    state: str                  # never-synced | stale | current
    reason: str
    last_sync: Any = None
    last_counts: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        return d


@dataclass(frozen=True)
class Preview:
    """What a spec extracts from its files, for spec authors."""

    spec: str
    records: list[dict[str, Any]]   # {file, line, strategy, data, row}
    missing: dict[str, int]          # column -> records lacking a value
    problems: list[Problem]


class Workspace:
    """A syncspec workspace: its config, specs and target database."""

    def __init__(self, config: WorkspaceConfig):
        self.config = config
        self._specs: list[Spec] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, database_url: str | None = None) -> "Workspace":
        """Find syncspec.yaml at or above ``path`` (default: cwd) and read it."""
        root = find_root(Path(path) if path else None)
        return cls(read_config(root, database_url or None))

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def target(self) -> str:
        """The target URL with any password masked (safe to print)."""
        return self.config.masked_url

    def specs(self, only: list[str] | None = None) -> list[Spec]:
        """Load and validate every spec (SpecError lists all problems)."""
        if self._specs is None:
            self._specs = load_specs(self.root, self.config.specs_dir, self.config.context)
        if only:
            return load_specs(self.root, self.config.specs_dir, self.config.context, only=only)
        return self._specs

    validate = specs

    # -- plan / sync --------------------------------------------------------------
    def plan(self, only: list[str] | None = None, max_seconds: float | None = None,
             progress: Progress | None = None, details: bool = False) -> PlanResult:
        """Parse, map and diff; writes nothing (SQLite is opened read-only)."""
        from .targets.database import connect, parse_target

        started = time.perf_counter()
        deadline = Deadline(max_seconds)
        specs = self.specs(only)
        extracted = extract_all(self.config, specs, deadline, progress)
        target = parse_target(self.config.database_url)
        path = target.sqlite_path
        if path is not None and not path.exists():
            db = None
        else:
            db = connect(target, readonly=True)
        try:
            if db is None:
                import peewee

                db = peewee.SqliteDatabase(":memory:")
            tables = tables_of(db, target.backend, specs)
            schema = {name: [] if t.exists() else [f"create table {name}"] for name, t in tables.items()}
            changes = changesets(extracted, tables, schema)
            if details:
                changes = [_with_changed_columns(cs, tables[cs.table]) for cs in changes]
        except SyncSpecError:
            raise
        except Exception as exc:
            if _is_db_error(exc):
                raise wrap_db_errors(exc, target.masked) from None
            raise
        finally:
            if db is not None:
                db.close()
        return PlanResult(self.target, tuple(changes), seconds=time.perf_counter() - started)

    def sync(self, only: list[str] | None = None, max_seconds: float | None = None,
             lock_timeout: float | None = None, progress: Progress | None = None) -> PlanResult:
        """Write what changed, all-or-nothing, and record the run in the ledger."""
        from .targets.database import connect, parse_target, run_lock

        started = time.perf_counter()
        deadline = Deadline(max_seconds)
        specs = self.specs(only)
        extracted = extract_all(self.config, specs, deadline, progress)
        target = parse_target(self.config.database_url)
        db = connect(target)
        ledger = Ledger(db)
        run_id = None
        try:
            with run_lock(db, target, self.config.lock_timeout if lock_timeout is None else lock_timeout):
                tables = tables_of(db, target.backend, specs)
                schema = {name: t.ensure() for name, t in tables.items()}
                ledger.ensure()
                run_id = ledger.start_run(self.config.project, "sync", self.target, git_commit(self.root), utcnow())
                with db.atomic():
                    changes = changesets(extracted, tables, schema)
                    for seq, cs in enumerate(changes, 1):
                        deadline.check(f"writing {cs.table} for spec {cs.spec!r}")
                        step_start = utcnow()
                        table = tables[cs.table]
                        now = utcnow()
                        table.upsert([r for r in cs.inserts] + [r for r, _ in cs.updates], now)
                        table.delete([k for k, _ in cs.deletes])
                        table.mark([k for k, _ in cs.marks], now)
                        spec = next(s for s in specs if s.name == cs.spec)
                        step_id = ledger.add_step(run_id, seq, cs.spec, spec.spec_hash, cs.table, step_start,
                                                  utcnow(), dict(files=cs.files, records=cs.records, **cs.counts),
                                                  cs.strategies)
                        ledger.add_events(run_id, step_id, cs.table, now, cs.events())
                    deadline.check("committing")
                    result = PlanResult(self.target, tuple(changes), run_id=run_id)
                    ledger.finish_run(run_id, "succeeded", utcnow(), 0,
                                      {k: getattr(result, k) for k in ("inserted", "updated", "deleted", "unchanged")})
        except BaseException as exc:
            err = exc if isinstance(exc, SyncSpecError) else (
                wrap_db_errors(exc, target.masked) if _is_db_error(exc) else None)
            if run_id is not None:
                self._fail_run(ledger, run_id, exc, err)
            if err is not None and err is not exc:
                raise err from None
            raise
        finally:
            db.close()
        return PlanResult(self.target, result.changes, run_id=run_id, seconds=time.perf_counter() - started)

    @staticmethod
    def _fail_run(ledger: Ledger, run_id: str, exc: BaseException, err: SyncSpecError | None) -> None:
        state = "canceled" if isinstance(exc, KeyboardInterrupt) else "failed"
        code = err.exit_code if err is not None else 130 if state == "canceled" else 70
        try:
            ledger.db.rollback() if ledger.db.in_transaction() else None
            with ledger.db.atomic():
                ledger.finish_run(run_id, state, utcnow(), code, error=str(err or exc)[:2000])
        except Exception:  # the target may be gone; the original error matters more
            pass

    # -- read ---------------------------------------------------------------------
    def _read_db(self):
        from .targets.database import connect, parse_target

        target = parse_target(self.config.database_url)
        path = target.sqlite_path
        if path is not None and not path.exists():
            return None
        return connect(target, readonly=target.backend == "sqlite")

    def history(self, limit: int = 20, spec: str | None = None) -> list[RunRecord]:
        """Recent runs, newest first, each with its step attempts."""
        db = self._read_db()
        if db is None:
            return []
        try:
            return Ledger(db).runs(limit, spec)
        finally:
            db.close()

    def events(self, run_id: str) -> list[EventRecord]:
        """Every row-level change a run made."""
        db = self._read_db()
        if db is None:
            return []
        try:
            return Ledger(db).events(run_id)
        finally:
            db.close()

    def find_run(self, run: str) -> str:
        """The full ID of the run named exactly or by a unique prefix (as `history` prints it)."""
        import re

        from .errors import ConfigError

        text = run.strip().lower()
        matches: list[str] = []
        db = self._read_db() if re.fullmatch(r"[0-9a-f-]+", text) else None
        if db is not None:
            try:
                ledger = Ledger(db)
                if ledger.exists():
                    R = ledger.Run
                    matches = [r.run_id for r in R.select(R.run_id).where(R.run_id == text)]
                    if not matches:
                        matches = [r.run_id for r in R.select(R.run_id).where(R.run_id.startswith(text))
                                   .order_by(R.created_at.desc()).limit(5)]
            finally:
                db.close()
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ConfigError(problems=[Problem(f"no run {run!r} in the ledger of {self.target}",
                                                hint="`syncspec history` lists the runs; "
                                                     "pass a run ID or a unique prefix of one")])
        raise ConfigError(problems=[Problem(f"run {run!r} is ambiguous: {', '.join(m[:13] for m in matches)}"
                                            f"{' and more' if len(matches) == 5 else ''} start with it",
                                            hint="pass more characters of the run ID")])

    def status(self) -> list[SpecStatus]:
        """Which specs are stale: spec changed, or a source file newer than the last sync."""
        specs = self.specs()
        db = self._read_db()
        last = {}
        if db is not None:
            try:
                last = Ledger(db).last_steps()
            finally:
                db.close()
        out = []
        for spec in specs:
            step = last.get(spec.name)
            if step is None:
                out.append(SpecStatus(spec.name, spec.table, "never-synced", "no successful sync recorded"))
                continue
            counts = {k: getattr(step, k) for k in ("inserted", "updated", "deleted", "unchanged")}
            if step.spec_hash != spec.spec_hash:
                out.append(SpecStatus(spec.name, spec.table, "stale", "spec changed since last sync",
                                      step.started_at, counts))
                continue
            try:
                files = resolve_files(spec, self.root)
            except SourceError as exc:
                out.append(SpecStatus(spec.name, spec.table, "stale", exc.problems[0].message, step.started_at,
                                      counts))
                continue
            newest = max((p.stat().st_mtime for p, _ in files), default=0)
            synced = step.started_at.replace(tzinfo=__import__("datetime").timezone.utc).timestamp()
            if newest > synced or len(files) != step.files:
                out.append(SpecStatus(spec.name, spec.table, "stale", "source files changed since last sync",
                                      step.started_at, counts))
            else:
                out.append(SpecStatus(spec.name, spec.table, "current", "up to date", step.started_at, counts))
        return out

    def preview(self, spec_name: str, file: str | None = None, limit: int | None = None) -> Preview:
        """Records a spec extracts (from one file or all), with the row each maps to."""
        from .records import Mapper

        spec = self.specs([spec_name])[0]
        if file:
            path = (self.root / file).resolve() if not Path(file).is_absolute() else Path(file).resolve()
            if self.root not in path.parents:
                raise SourceError(problems=[Problem(f"{file} is outside the workspace {self.root}",
                                                    hint="preview files inside the workspace only")])
            files = [(path, path.relative_to(self.root).as_posix())]
        else:
            files = resolve_files(spec, self.root)
        mapper = Mapper(spec, dict(self.config.context, sync=spec.name))
        problems: list[Problem] = []
        out: list[dict[str, Any]] = []
        missing = {c.name: 0 for c in spec.columns if not c.is_constant}
        for path, display in files:
            found = extract_file(spec, path, display)
            for record in found.records:
                row = mapper.map(record, problems)
                if row is not None:
                    for name in missing:
                        if row.values.get(name) is None:
                            missing[name] += 1
                out.append({"file": record.file, "line": record.line, "strategy": record.strategy,
                            "data": record.data, "row": row.values if row else None})
                if limit is not None and len(out) >= limit:
                    break
        return Preview(spec.name, out, {k: v for k, v in missing.items() if v}, problems)


def _with_changed_columns(cs, table, limit: int = 200):
    """Name the columns each (of the first ``limit``) updates changes; reads only those rows."""
    import dataclasses

    if not cs.updates:
        return cs
    rows = [r for r, _ in cs.updates[:limit]]
    stored = table.fetch(None, [r.key for r in rows])
    changed = {r.key: table.changed_columns(stored[r.key], r) for r in rows if r.key in stored}
    return dataclasses.replace(cs, changed=changed)


def _is_db_error(exc: BaseException) -> bool:
    try:
        import peewee
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, peewee.PeeweeException) or type(exc).__module__.split(".")[0] in (
        "sqlite3", "psycopg2", "pymysql")
