"""Threads and processes syncing different specs of one workspace into one target.

Every run opens its own peewee Database (so its own connection) and takes the target's
run lock; runs on one target serialize, none fails, and no row is lost.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from syncspec import Workspace

SPECS = 4
ROUNDS = 3

SPEC = """\
sync: s{i}
source:
  files: docs/s{i}.md
  records:
    - sections: {{level: 2, match: '^(?P<entry_id>E-\\d+)$'}}
target:
  table: t{i}
  key: [entry_id]
  columns:
    entry_id: text
    body: {{from: body}}
"""


def doc(n: int) -> str:
    return "# Entries\n\n" + "".join(f"## E-{k}\n\nround {n}\n\n" for k in range(1, n + 1))


@pytest.fixture
def workspace(make_ws):
    files = {f"specs/s{i}.yaml": SPEC.format(i=i) for i in range(SPECS)}
    files.update({f"docs/s{i}.md": doc(1) for i in range(SPECS)})
    return make_ws(files)


def counts(root, url: str) -> dict[str, int]:
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(url))
    try:
        return {f"t{i}": db.execute_sql(f"SELECT COUNT(*) FROM t{i}").fetchone()[0] for i in range(SPECS)}
    finally:
        db.close()


def run_threads(root, url: str) -> list[BaseException]:
    """SPECS writer threads (one spec each, ROUNDS syncs, a plan between) and one reader thread."""
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(i: int) -> None:
        try:
            for n in range(2, ROUNDS + 2):
                (root / f"docs/s{i}.md").write_text(doc(n), encoding="utf-8")
                ws = Workspace.open(root, database_url=url)
                ws.plan([f"s{i}"])
                result = ws.sync([f"s{i}"], lock_timeout=60)
                assert result.inserted == 1, result
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    def reader() -> None:
        try:
            while not done.is_set():
                ws = Workspace.open(root, database_url=url)
                ws.status()
                ws.history(limit=5)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    Workspace.open(root, database_url=url).sync(lock_timeout=60)      # tables and ledger exist
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(SPECS)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    return errors


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url", "mysql_url"])
def test_threads_sync_different_specs_into_one_target(workspace, backend, request):
    url = request.getfixturevalue(backend)
    errors = run_threads(workspace, url)
    assert errors == []
    assert counts(workspace, url) == {f"t{i}": ROUNDS + 1 for i in range(SPECS)}
    runs = Workspace.open(workspace, database_url=url).history(limit=100)
    assert len(runs) == 1 + SPECS * ROUNDS
    assert {r.state for r in runs} == {"succeeded"}
    assert Workspace.open(workspace, database_url=url).plan().empty


def test_threads_sync_into_a_new_target(workspace, db_url):
    """The first runs race to create the ledger tables (and on SQLite the database file and its WAL);
    one Workspace object is shared by all threads: each call opens its own connection."""
    errors: list[BaseException] = []
    ws = Workspace.open(workspace, database_url=db_url)

    def run(i: int) -> None:
        try:
            ws.sync([f"s{i}"], lock_timeout=60)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(SPECS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts(workspace, db_url) == {f"t{i}": 1 for i in range(SPECS)}
    assert {r.state for r in ws.history(limit=100)} == {"succeeded"}


def test_processes_sync_one_sqlite_file(workspace, sqlite_url):
    """Two CLI processes at a time, each syncing its own spec, ROUNDS times."""
    Workspace.open(workspace, database_url=sqlite_url).sync()
    env_args = ["--project", str(workspace), "--database-url", sqlite_url, "--lock-timeout", "60"]
    for n in range(2, ROUNDS + 2):
        procs = []
        for i in range(2):
            (workspace / f"docs/s{i}.md").write_text(doc(n), encoding="utf-8")
            procs.append(subprocess.Popen([sys.executable, "-m", "syncspec", "sync", "--spec", f"s{i}", *env_args],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, out + err
    assert counts(workspace, sqlite_url) == {"t0": ROUNDS + 1, "t1": ROUNDS + 1, "t2": 1, "t3": 1}
    runs = Workspace.open(workspace, database_url=sqlite_url).history(limit=100)
    assert len(runs) == 1 + 2 * ROUNDS and {r.state for r in runs} == {"succeeded"}


@pytest.mark.parametrize("backend", ["sqlite_url", "pg_url", "mysql_url"])
def test_one_database_named_two_ways_is_one_lock(workspace, backend, request):
    """127.0.0.1 and localhost (or a user in the URL or not) reach one database: runs must still serialize,
    so the lock is named after the database the connection is in, not after the URL's text. On SQLite
    the file lock excludes a second lock of the same process too."""
    url = request.getfixturevalue(backend)
    if backend == "sqlite_url":
        head, name = url.rsplit("/", 1)
        urls = [url, f"{head}/./{name}"]
    else:
        urls = [url, url.replace("127.0.0.1", "localhost")]
    assert urls[0] != urls[1]
    from syncspec.targets.sql.database import connect, parse_target, run_lock

    targets = [parse_target(u) for u in urls]
    first = connect(targets[0])
    second = connect(targets[1])
    try:
        with run_lock(first, targets[0], 5):
            from syncspec.errors import LockNotAcquired

            with pytest.raises(LockNotAcquired):
                with run_lock(second, targets[1], 0.3):
                    pass
        with run_lock(second, targets[1], 5):
            pass
    finally:
        first.close()
        second.close()


def test_threads_open_one_new_sqlite_file(tmp_path):
    """Connections switching a new file to WAL at once: SQLite answers one "database is locked" at once,
    without the busy timeout (both hold a shared lock and want an exclusive one); connect retries it.
    Without the retry about 1 round in 70 failed here."""
    from syncspec.targets.sql.database import connect, parse_target

    failures: list[BaseException] = []
    for n in range(300):
        target = parse_target(f"sqlite:///{tmp_path}/r{n}.db")

        def open_one() -> None:
            try:
                db = connect(target)
                db.execute_sql("CREATE TABLE IF NOT EXISTS t (x)")
                db.close()
            except BaseException as exc:  # noqa: BLE001
                failures.append(exc)

        threads = [threading.Thread(target=open_one) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
