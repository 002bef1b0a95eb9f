"""What differs between SQL backends, in one object per backend.

Peewee already speaks each dialect's SQL; these are the differences it leaves to us:
which DDL may run inside a transaction, how JSON is stored, how constants are written
into DDL, how timestamps and date keys are passed to the driver, and which exceptions
are the driver's.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Iterator


class Dialect:
    """The defaults (PostgreSQL's behaviour); subclasses override what differs."""

    name = "postgresql"
    driver: str | None = "psycopg2"          # module imported lazily, and the pip extra's reason
    extra: str | None = "postgres"
    json_type = "JSONB"
    transactional_ddl = True                # CREATE/ALTER roll back with the run
    upsert_conflict_target = True           # ON CONFLICT (key) ... vs ON DUPLICATE KEY
    returning_on_insert = True              # peewee adds RETURNING to inserts on PostgreSQL
    native_dates = True                     # the driver takes date/datetime objects (else ISO text)
    current_database = "current_database()"
    constraint_schema = "current_schema()"
    key_collation: str | None = None        # deterministic, byte-wise by default (SQLite, PostgreSQL)
    snapshot_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"   # read verbs see one committed state
    rebuilds_tables = False                 # ALTER is limited: changes rebuild the table (SQLite)
    drops_constraints_generically = True    # DROP CONSTRAINT works for foreign keys too (not MySQL)
    cascade_column_drops = True             # DROP COLUMN ... CASCADE (dependent views, constraints)
    retype_with_cast = True                 # ALTER COLUMN TYPE ... USING col::type (else MODIFY)

    def ddl_before_transaction(self, migration: Any) -> bool:
        """Must this table change run (and commit) before the run's transaction opens?"""
        return False

    def foreign_keys_off(self, db: Any) -> AbstractContextManager[None]:
        return nullcontext()

    def literal(self, value: Any, ctype: str) -> str:
        """A constant as SQL text, for DDL (DEFAULT, CHECK), where drivers take no parameters."""
        if isinstance(value, bool) or ctype == "boolean":
            return self.boolean_literal(bool(value))
        if isinstance(value, (int, float)) and ctype in ("integer", "real"):
            return repr(value)
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return f"'{self.escape(str(value))}'"

    def boolean_literal(self, value: bool) -> str:
        return "TRUE" if value else "FALSE"

    def escape(self, text: str) -> str:
        return text.replace("'", "''")

    def stamp(self, now: dt.datetime) -> Any:
        """A timestamp as the driver takes it."""
        return now if self.native_dates else now.isoformat(sep=" ")

    def key_param(self, value: Any, ctype: str | None) -> Any:
        """A normalized key part (dates are ISO text in keys) as the driver compares it."""
        if isinstance(value, str) and ctype == "date":
            return dt.date.fromisoformat(value)
        if isinstance(value, str) and ctype == "datetime":
            return dt.datetime.fromisoformat(value)
        return value

    def bound(self, db: Any, lock_seconds: float, statement_seconds: float | None) -> None:
        """Bound the run's waits on the server: row locks by --lock-timeout, statements by --max-seconds."""
        db.execute_sql(f"SET lock_timeout = {max(1, int(lock_seconds * 1000))}")
        if statement_seconds is not None:
            db.execute_sql(f"SET statement_timeout = {max(1, int(statement_seconds * 1000))}")

    def waited(self, exc: BaseException) -> str | None:
        """'lock' or 'time' when a driver error is one of the bounds above running out."""
        code = getattr(exc, "pgcode", None) or getattr(getattr(exc, "orig", None), "pgcode", None)
        if code is None and "server closed the connection" in str(exc):
            return "retry"                   # the connection dropped: the run rolled back, run it again
        return {"55P03": "lock", "57014": "time", "40P01": "retry", "40001": "retry"}.get(code or "")

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def is_driver_error(self, exc: BaseException) -> bool:
        import peewee

        return isinstance(exc, peewee.PeeweeException) or type(exc).__module__.split(".")[0] in (
            "sqlite3", "psycopg2", "pymysql")


class SqliteDialect(Dialect):
    name = "sqlite"
    driver = None
    extra = None
    json_type = "TEXT"                      # plus a json_valid CHECK (targets/sql/table.py)
    snapshot_sql = "BEGIN"                  # WAL: a read transaction's snapshot starts at its first read
    rebuilds_tables = True
    cascade_column_drops = False
    retype_with_cast = False
    returning_on_insert = False
    native_dates = False

    def ddl_before_transaction(self, migration: Any) -> bool:
        return bool(migration.rebuild)      # a table rebuild runs alone, with foreign keys off

    @contextmanager
    def _fk_off(self, db: Any) -> Iterator[None]:
        db.execute_sql("PRAGMA foreign_keys = OFF")   # dropping a parent table would cascade
        try:
            yield
        finally:
            db.execute_sql("PRAGMA foreign_keys = ON")

    def foreign_keys_off(self, db: Any) -> AbstractContextManager[None]:
        return self._fk_off(db)

    def boolean_literal(self, value: bool) -> str:
        return "1" if value else "0"

    def bound(self, db: Any, lock_seconds: float, statement_seconds: float | None) -> None:
        pass                                 # busy_timeout (10 s) bounds waits on the file already

    def waited(self, exc: BaseException) -> str | None:
        return None

    def key_param(self, value: Any, ctype: str | None) -> Any:
        if isinstance(value, str) and ctype == "datetime":
            return value.replace("T", " ")
        return value


class MysqlDialect(Dialect):
    name = "mysql"
    driver = "pymysql"
    extra = "mysql"
    json_type = "JSON"
    transactional_ddl = False               # every DDL statement commits implicitly
    upsert_conflict_target = False
    returning_on_insert = False
    current_database = "DATABASE()"
    constraint_schema = "DATABASE()"
    key_collation = "utf8mb4_bin"           # the default collation folds case and accents
    snapshot_sql = "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"
    drops_constraints_generically = False   # ALTER TABLE ... DROP FOREIGN KEY
    cascade_column_drops = False
    retype_with_cast = False                # ALTER TABLE ... MODIFY <definition>

    def ddl_before_transaction(self, migration: Any) -> bool:
        return True

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def bound(self, db: Any, lock_seconds: float, statement_seconds: float | None) -> None:
        db.execute_sql(f"SET SESSION innodb_lock_wait_timeout = {max(1, int(lock_seconds + 0.999))}")
        if statement_seconds is not None:     # SELECTs only on MariaDB/MySQL
            db.execute_sql(f"SET SESSION max_statement_time = {max(0.001, statement_seconds):.3f}")

    def waited(self, exc: BaseException) -> str | None:
        args = getattr(exc, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        return {1205: "lock", 1969: "time", 3024: "time", 1213: "retry", 2006: "retry", 2013: "retry"}.get(code or 0)

    def boolean_literal(self, value: bool) -> str:
        return "1" if value else "0"

    def escape(self, text: str) -> str:
        return text.replace("'", "''").replace("\\", "\\\\")


DIALECTS: dict[str, Dialect] = {d.name: d for d in (Dialect(), SqliteDialect(), MysqlDialect())}


def dialect_for(backend: str) -> Dialect:
    return DIALECTS[backend]


def dialect_of(db: Any) -> Dialect:
    """The dialect of an open peewee Database (for the ledger and migrations, which hold only the connection)."""
    import peewee as pw

    if isinstance(db, pw.SqliteDatabase):
        return DIALECTS["sqlite"]
    return DIALECTS["postgresql" if isinstance(db, pw.PostgresqlDatabase) else "mysql"]
