"""Open the target database named by a URL, and serialize runs with a lock.

Backends are chosen from the URL scheme through one dict (as playhouse.db_url
does); drivers import lazily so start-up stays fast and a missing driver fails
with its install hint.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlparse

from ...errors import LockNotAcquired, Problem, TargetError, TargetUnavailable, first_line
from ...workspace import mask_url

# scheme -> (backend name, driver module, pip extra)
SCHEMES: dict[str, tuple[str, str | None, str | None]] = {
    "sqlite": ("sqlite", None, None),
    "postgresql": ("postgresql", "psycopg2", "postgres"),
    "postgres": ("postgresql", "psycopg2", "postgres"),
    "mysql": ("mysql", "pymysql", "mysql"),
    "mariadb": ("mysql", "pymysql", "mysql"),
}


CONNECT_SECONDS = 5          # connecting, handshake included
STATEMENT_SECONDS = 600      # one statement's network wait on MySQL; --max-seconds bounds runs further


@dataclass(frozen=True)
class Target:
    """A resolved target database URL."""

    url: str
    backend: str

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    @property
    def sqlite_path(self) -> Path | None:
        if self.backend != "sqlite":
            return None
        rest = self.url[len("sqlite:///"):].split("?", 1)[0]
        return None if rest.startswith(":memory:") else Path(rest)


def parse_target(url: str) -> Target:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise TargetUnavailable(problems=[Problem(
            f"unsupported database URL scheme {scheme or url!r} in {mask_url(url)}",
            hint="use sqlite:///path.db, postgresql://user@host/db or mysql://user@host/db")])
    return Target(url, SCHEMES[scheme][0])


def _driver(target: Target) -> None:
    _, module, extra = SCHEMES[target.url.split("://", 1)[0].lower()]
    if module is None:
        return
    try:
        __import__(module)
    except ImportError:
        raise TargetUnavailable(problems=[Problem(
            f"the {target.backend} driver ({module}) is not installed",
            hint=f"pip install 'syncspec[{extra}]'")]) from None


_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")
_IMPORTING = threading.RLock()


def peewee_module():
    """peewee, imported without the drivers it imports eagerly (psycopg2 and pymysql: most of its import
    time, and of a no-op SQLite sync's); ``_wire`` hands a backend its driver when one is opened."""
    with _IMPORTING:                 # threads: one holds the drivers back, the others wait for its peewee
        if "peewee" in sys.modules:
            import peewee                # (a plain import waits for a module another thread is initializing)

            return peewee
        held = [m for m in _DRIVERS if m not in sys.modules]
        for m in held:
            sys.modules[m] = None   # "import psycopg2" in peewee: ImportError
        try:
            import peewee
        finally:
            for m in held:
                if m in sys.modules and sys.modules[m] is None:
                    del sys.modules[m]
        return peewee


def _wire(peewee, backend: str) -> None:
    """Give peewee the driver it would have found at import time, had it been imported then."""
    if backend == "postgresql" and getattr(peewee, "psycopg2", None) is None and \
            getattr(peewee, "psycopg", None) is None:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid

        register_uuid()
        peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2 = psycopg2, extensions, Json
        adapter = getattr(peewee, "Psycopg2Adapter", None)
        if adapter is not None:
            adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
            adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
            adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    elif backend == "mysql" and getattr(peewee, "mysql", None) is None:
        import pymysql

        peewee.mysql = pymysql


def connect(target: Target, readonly: bool = False):
    """Open and check a peewee Database for ``target`` (TargetError if it is down)."""
    peewee = peewee_module()
    with _IMPORTING:
        _driver(target)
        _wire(peewee, target.backend)
    db: Any
    if target.backend == "sqlite":
        path = target.sqlite_path
        if path is None:
            db = peewee.SqliteDatabase(":memory:")
        elif readonly:
            import os

            # a folder we cannot write: WAL's -shm cannot be made there, so read the file as immutable
            flags = "mode=ro" if os.access(path.parent, os.W_OK) else "mode=ro&immutable=1"
            db = peewee.SqliteDatabase(f"file:{path}?{flags}", uri=True, pragmas={"query_only": 1})
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TargetError(problems=[Problem(
                    f"cannot create the folder of {target.masked}: {exc.strerror or exc}"
                    + (f" ({exc.filename})" if exc.filename else ""),
                    hint="point the database URL at a folder you can write (a path segment may be a file)")],
                    target=target.masked) from None
            db = peewee.SqliteDatabase(str(path), pragmas={
                "busy_timeout": 10000, "journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal"})
    else:
        parsed = urlparse(target.url)
        kwargs: dict[str, Any] = {"host": parsed.hostname or "localhost"}
        if parsed.port:
            kwargs["port"] = parsed.port
        if parsed.username:
            kwargs["user"] = unquote(parsed.username)
        if parsed.password:
            kwargs["password"] = unquote(parsed.password)
        name = parsed.path.lstrip("/")
        if target.backend == "postgresql":
            import os
            import socket

            kwargs["connect_timeout"] = 5
            kwargs["application_name"] = f"syncspec {socket.gethostname()}:{os.getpid()}"[:63]
            db = peewee.PostgresqlDatabase(name, **kwargs)
        else:
            # read_timeout bounds the handshake too: a port that accepts TCP and never answers gives up
            kwargs.update(connect_timeout=5, read_timeout=CONNECT_SECONDS, write_timeout=CONNECT_SECONDS,
                          charset="utf8mb4")
            # microsecond timestamps (run order, updated_at) and LONGTEXT (TEXT stops at 64 KB)
            db = peewee.MySQLDatabase(name, field_types={"DATETIME": "DATETIME(6)", "TEXT": "LONGTEXT"}, **kwargs)
    try:
        _open(db, target, peewee)
        if target.backend == "mysql":      # connected: statements may take longer than a handshake
            conn = db.connection()
            conn._read_timeout = conn._write_timeout = STATEMENT_SECONDS
    except peewee.DatabaseError as exc:
        detail = first_line(exc)
        raise TargetError(
            problems=[Problem(f"cannot connect to {target.masked}: {detail}",
                              hint="check that the server runs and the URL is right "
                                   "(--database-url, DATABASE_URL or 'database:' in syncspec.yaml)")],
            target=target.masked) from None
    return db


SQLITE_OPEN_SECONDS = 10


def _open(db, target: Target, peewee) -> None:
    """Connect; on SQLite, retry a connection whose pragmas met another's: two connections switching a
    new file to WAL at once both hold a shared lock and want an exclusive one, and SQLite answers one of
    them "database is locked" at once, without waiting on the busy timeout."""
    deadline = time.monotonic() + SQLITE_OPEN_SECONDS
    pause = 0.01
    while True:
        try:
            db.connect(reuse_if_open=True)
            return
        except peewee.OperationalError as exc:
            if target.backend != "sqlite" or "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


@contextmanager
def _file_lock(path: str, timeout: float) -> Iterator[bool]:
    """An exclusive ``flock`` on ``path``, opened per call, so it excludes other threads of this process as
    well as other processes; yields False after ``timeout`` seconds. (filelock where there is no fcntl:
    its import costs more than the rest of a no-op sync's locking.)"""
    try:
        import fcntl
    except ImportError:                      # Windows
        from filelock import FileLock, Timeout

        lock = FileLock(path)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        end = time.monotonic() + max(timeout, 0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= end:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def run_lock(db, target: Target, timeout: float) -> Iterator[None]:
    """Serialize runs on one target: file lock (SQLite), advisory lock (PostgreSQL), GET_LOCK (MySQL)."""
    if target.backend == "sqlite":
        path = target.sqlite_path
        if path is None:
            yield
            return
        holder = Path(str(path) + ".lock.holder")
        lock = _file_lock(str(path) + ".lock", timeout)
        try:
            got = lock.__enter__()
        except OSError as exc:
            raise TargetError(problems=[Problem(
                f"cannot create the lock file {path}.lock: {exc.strerror or exc}",
                hint="syncspec needs write access to the database's folder (the lock sits beside the file)")],
                target=target.masked) from None
        try:
            if not got:
                raise _busy(target, timeout, _read_holder(holder))
            _write_holder(holder)
            try:
                yield
            finally:
                holder.unlink(missing_ok=True)
        finally:
            lock.__exit__(None, None, None)
        return
    # Named after the database the connection is in, not the URL's text: 127.0.0.1 and localhost,
    # or a URL with and without a user, reach one database and must share one lock.
    current = "current_database()" if target.backend == "postgresql" else "DATABASE()"
    database = db.execute_sql(f"SELECT {current}").fetchone()[0] or ""
    key = int.from_bytes(hashlib.sha256(b"syncspec:" + database.encode()).digest()[:8], "big", signed=True)
    if target.backend == "postgresql":
        deadline = time.monotonic() + timeout
        while not db.execute_sql("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise _busy(target, timeout, _pg_holder(db, key))
            time.sleep(0.1)
        try:
            yield
        finally:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (key,))
        return
    name = f"syncspec_{key & 0xFFFFFFFF:x}"
    # GET_LOCK names are server-wide, hence the database in the name; its timeout is whole seconds
    if not db.execute_sql("SELECT GET_LOCK(%s, %s)", (name, math.ceil(max(timeout, 0)))).fetchone()[0]:
        raise _busy(target, timeout, _mysql_holder(db, name))
    try:
        yield
    finally:
        db.execute_sql("SELECT RELEASE_LOCK(%s)", (name,))


def _busy(target: Target, timeout: float, holder: str | None = None) -> LockNotAcquired:
    who = f": held by {holder}" if holder else ""
    return LockNotAcquired(problems=[Problem(
        f"another syncspec run holds the lock on {target.masked} (waited {timeout:g}s){who}",
        hint="wait for it to finish, or raise lock_timeout in syncspec.yaml / --lock-timeout; a holder that "
             "died frees the lock by itself")], target=target.masked, holder=holder)


def _write_holder(path: Path) -> None:
    """Who holds the SQLite run lock (host, pid, since), for the message of a run that waits for it."""
    import datetime as dt
    import json
    import os
    import socket

    since = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        path.write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "since": since}))
    except OSError:
        pass          # the lock itself holds; only the courtesy note is missing


def _read_holder(path: Path) -> str | None:
    import json

    try:
        data = json.loads(path.read_text())
        return f"pid {data['pid']} on {data['host']} since {data['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _pg_holder(db: Any, key: int) -> str | None:
    """The backend holding our advisory lock: its application name (syncspec host:pid), client, since."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    rows = db.execute_sql(
        "SELECT l.classid::bigint, l.objid::bigint, a.pid, a.application_name, a.client_addr, a.backend_start "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1").fetchall()
    for classid, objid, pid, app, client, start in rows:
        if (classid << 32) | objid == unsigned:
            return f"{app or 'backend'} (server pid {pid}, client {client or 'local'}, connected {start:%Y-%m-%d %H:%M:%S})"
    return None


def _mysql_holder(db: Any, name: str) -> str | None:
    row = db.execute_sql("SELECT IS_USED_LOCK(%s)", (name,)).fetchone()
    if not row or row[0] is None:
        return None
    found = db.execute_sql("SELECT HOST, TIME FROM information_schema.PROCESSLIST WHERE ID = %s", (row[0],)).fetchone()
    return f"connection {row[0]}" + (f" from {found[0]}, connected {found[1]} s" if found else "")
