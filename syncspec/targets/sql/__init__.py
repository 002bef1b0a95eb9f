"""The SQL target kind: SQLite, PostgreSQL and MariaDB/MySQL through peewee.

Tables are built from the specs that write them; the run's ledger lives in the same
database, inside the run's transaction, so rows and history commit together. Which DDL
can run inside that transaction is the dialect's business (dialect.py), not the engine's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Problem, SyncSpecError, TargetError, first_line
from ..base import Binding, Capabilities, Index, Key
from .dialect import Dialect, dialect_for

if TYPE_CHECKING:
    from ...ledger import Ledger
    from ...records import Row
    from .table import SqlTable


class SqlTarget:
    """One SQL database: every binding is a table (or a spec's partition of a shared one)."""

    kind = "sql"
    capabilities = Capabilities(transactions=True, locks=True, schema=True, values=True, soft_delete=True)

    def __init__(self, name: str, url: str, root: Path | None = None):
        from ...urls import parse_url
        from .database import parse_target

        self.name = name
        if not url.startswith("sqlite:"):
            url = parse_url(url).render()     # driver suffixes, '@' in passwords: one canonical form
        self.url = parse_target(url)
        self.label = self.url.masked
        self.dialect: Dialect = dialect_for(self.url.backend)
        self.db: Any = None
        self.tables: dict[str, SqlTable] = {}
        self._ledger: Ledger | None = None

    # -- connection -------------------------------------------------------------
    def open(self, write: bool) -> None:
        from .database import connect

        path = self.url.sqlite_path
        if not write and path is not None and not path.exists():
            from .database import peewee_module

            self.db = peewee_module().SqliteDatabase(":memory:")   # no database yet: an empty target, none created
        else:
            self.db = connect(self.url, readonly=not write and self.url.backend == "sqlite")
            if not write:      # one snapshot for the whole read: a sync committing meanwhile is seen whole or not
                self.db.execute_sql(self.dialect.snapshot_sql)
                self._snapshot = True

    def close(self) -> None:
        if self.db is not None:
            if getattr(self, "_snapshot", False):
                try:
                    self.db.execute_sql("ROLLBACK")
                except Exception:  # noqa: BLE001 - closing anyway
                    pass
                self._snapshot = False
            self.db.close()

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """The run lock; a run that cannot get it says who holds it (process, and the run in progress)."""
        from ...errors import LockNotAcquired
        from .database import run_lock

        entered = False
        try:
            with run_lock(self.db, self.url, timeout):
                entered = True
                yield
        except LockNotAcquired as exc:
            if entered:
                raise
            running = self._running_run()
            if running:
                exc.problems[0] = dataclasses.replace(exc.problems[0],
                                                      message=f"{exc.problems[0].message}; {running}")
            raise

    def _running_run(self) -> str | None:
        try:
            runs = [r for r in self.state_store().runs(limit=5) if r.state == "running"]
        except Exception:  # noqa: BLE001 - only a courtesy for the message
            return None
        if not runs:
            return None
        r = runs[0]
        return f"run {r.run_id[:8]} running since {r.created_at:%Y-%m-%d %H:%M:%S} UTC"

    def state_store(self) -> Ledger:
        """The ledger in this database: one per connection (it builds its models and looks at its columns
        once, not once per spec)."""
        from ...ledger import Ledger

        if self._ledger is None or self._ledger.db is not self.db:
            self._ledger = Ledger(self.db)
        return self._ledger

    def bound(self, lock_seconds: float, max_seconds: float | None) -> None:
        """Every wait on the server ends: row locks after the lock timeout, statements after --max-seconds."""
        self.dialect.bound(self.db, lock_seconds, max_seconds)

    def error(self, exc: BaseException) -> SyncSpecError | None:
        """A driver error as a TargetError (exit 2), or exit 5 / 3 when a bound on waiting ran out;
        None for anything that is not a driver error."""
        from ...errors import LockNotAcquired, TimeLimitExceeded

        if not self.dialect.is_driver_error(exc):
            return None
        while "cannot rollback" in str(exc) and exc.__context__ is not None:
            exc = exc.__context__      # the rollback after a failure failed too: report the failure (disk full)
        detail = first_line(exc)
        waited = self.dialect.waited(exc)
        if waited == "lock":
            return LockNotAcquired(problems=[Problem(
                f"a row of {self.label} stayed locked by another session past the lock timeout: {detail}",
                hint="nothing was written; find the session holding it, or raise --lock-timeout")],
                target=self.label)
        if waited == "retry":          # deadlock, serialization failure, dropped connection: run it again
            return TargetError(problems=[Problem(f"transient error on {self.label}: {detail}",
                                                 hint="nothing was written; syncspec retried the run")],
                               target=self.label, transient=True)
        if waited == "time":
            return TimeLimitExceeded(problems=[Problem(
                f"a statement on {self.label} ran past --max-seconds: {detail}",
                hint="nothing was written; raise --max-seconds")], target=self.label)
        return TargetError(problems=[Problem(f"database error on {self.label}: {detail}",
                                             hint="nothing was written; check the target database and rerun")],
                           target=self.label)

    # -- structure --------------------------------------------------------------
    def _tables(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, SqlTable]:
        """The tables ``bindings`` write, plus the parent tables their foreign keys reference, parents
        first; each defined by every spec (of ``everything``) that writes it."""
        from .table import SqlTable

        groups: dict[str, list] = {}
        for b in [*everything, *bindings]:
            group = groups.setdefault(b.spec.table, [])
            if b.spec not in group:
                group.append(b.spec)
        wanted = {b.spec.table for b in bindings}
        todo = list(wanted)
        while todo:
            for spec in groups.get(todo.pop(), []):
                for fk in spec.foreign_keys:
                    if fk.table not in wanted and fk.table in groups:
                        wanted.add(fk.table)
                        todo.append(fk.table)
        self.tables = {name: SqlTable(self.db, self.url.backend, group)
                       for name, group in groups.items() if name in wanted}
        return self.tables

    def _migrations(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> list:
        """What the tables need, computed once per run (irreversible() and session() both ask; the run
        lock is held from before the first ask, so nothing changes the tables in between)."""
        from . import schema as ddl

        key = (tuple(b.state_key for b in bindings), tuple(b.state_key for b in everything))
        cached = getattr(self, "_planned", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        tables = self._tables(bindings, everything)
        self._exists = {name: t.exists() for name, t in tables.items()}
        found = ddl.plan_migrations(self.db, self.url.backend, tables, ddl.stored_versions(self.db), self._exists)
        self._planned = (key, found)
        return found

    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        return {m.table.name: _describe(m) for m in self._migrations(bindings, everything)}

    @contextmanager
    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> Iterator[dict[str, list[str]]]:
        from . import schema as ddl

        migrations = self._migrations(bindings, everything)
        ddl.refuse_if_needed(migrations, allow_destructive)   # before anything changes
        notes: dict[str, list[str]] = {}
        early = [m for m in migrations if self.dialect.ddl_before_transaction(m)]
        if early:
            with self.dialect.foreign_keys_off(self.db), self.db.atomic():
                notes = {m.table.name: ddl.apply(self.db, self.url.backend, m) for m in early}
        created = [m.table.name for m in early if m.create]
        if not self.dialect.transactional_ddl:
            self._ensure_ledger()
        try:
            with self.db.atomic():
                for m in migrations:          # where DDL is transactional it rolls back with a failed run
                    if m not in early:
                        notes[m.table.name] = ddl.apply(self.db, self.url.backend, m)
                if self.dialect.transactional_ddl:
                    self._ensure_ledger()
                ddl.record(self.db, migrations, _utcnow())
                yield notes
        except BaseException:
            self._undo_creates(created)       # a failed first run leaves no empty tables behind
            raise

    def irreversible(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                     allow_destructive: bool) -> bool:
        """Would ``session`` change a table in a way a failed run cannot take back (MariaDB ALTERs,
        SQLite rebuilds)? Then the engine checks the whole run's input before the session opens."""
        from . import schema as ddl

        migrations = self._migrations(bindings, everything)
        ddl.refuse_if_needed(migrations, allow_destructive)   # a refusal comes first, as in session
        return any(self.dialect.ddl_before_transaction(m) and not m.create for m in migrations if m.changes)

    def _undo_creates(self, tables: list[str]) -> None:
        if not tables:
            return
        try:
            if self.db.in_transaction():
                self.db.rollback()
            for name in reversed(tables):     # parents were created first: drop children first
                self.db.execute_sql(f"DROP TABLE IF EXISTS {self.dialect.quote(name)}")
        except Exception:  # noqa: BLE001 - the original failure matters more; the tables are empty
            pass

    def _ensure_ledger(self) -> None:
        from . import schema as ddl

        ddl.ensure_ledger(self.db)
        self.state_store().ensure()

    def fresh(self, binding: Binding) -> bool:
        """The binding's table did not exist when the run began (so its file states mean nothing)."""
        return not getattr(self, "_exists", {}).get(binding.spec.table, True)

    def schema_version(self, table: str) -> int | None:
        from .schema import stored_versions

        found = stored_versions(self.db).get(table)
        return found[0] if found else None

    # -- rows -------------------------------------------------------------------
    def _table(self, binding: Binding) -> SqlTable:
        table = self.tables.get(binding.spec.table)
        if table is None:
            table = self._tables([binding], [binding])[binding.spec.table]
        return table

    def exists(self, binding: Binding) -> bool:
        return self._table(binding).exists()

    def index(self, binding: Binding) -> Index:
        return self._table(binding).index(binding.spec)

    def count(self, binding: Binding) -> int:
        return self._table(binding).count(binding.spec)

    def lookup(self, binding: Binding, keys: Sequence[Key]) -> Index:
        return self._table(binding).lookup(binding.spec, keys)

    def upsert(self, binding: Binding, rows: Sequence[Row], now: dt.datetime) -> None:
        self._table(binding).upsert(rows, now)

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None:
        self._table(binding).delete(keys)

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None:
        self._table(binding).mark(keys, now)

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        return self._table(binding).column_values(binding.spec, keys, names)

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        return self._table(binding).fetch(binding.spec, keys)


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


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
