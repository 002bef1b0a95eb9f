"""Redis unreachable when a run starts (exit 4, nothing written anywhere; `--only sql` syncs the rest)
and Redis going away mid-run (exit 2; the next run converges). Real servers only: the down target is a
closed port, and "going away" is a TCP relay in front of the real Redis that stops mid-hydration."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.errors import TargetError, TargetUnavailable
from syncspec.targets.redis import split_prefix

from test_redis import make

redis = pytest.importorskip("redis")

REPO = Path(__file__).resolve().parents[2]
DOWN = "redis://127.0.0.1:1/0"
BOTH = "target:\n  table: notes\n  also:\n    - kind: redis\n      use: cache\n"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "syncspec", "-p", str(root), *args], capture_output=True,
                          text=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)


def notes_in(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT note_id, status FROM notes ORDER BY 1").fetchall()


def tables_in(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_unreachable_redis_at_start_exits_4_with_the_reason(tmp_path):
    root = make(tmp_path, DOWN, "target:\n  kind: redis\n  use: cache\n")
    with pytest.raises(TargetUnavailable) as err:
        Workspace.open(root).sync()
    assert err.value.exit_code == 4 and err.value.code == "SS400"
    assert "'cache'" in str(err.value) and "unreachable" in str(err.value) and "127.0.0.1:1" in str(err.value)
    done = cli(root, "sync")
    assert done.returncode == 4, done.stderr
    assert "SS400" in done.stderr and "unreachable" in done.stderr and "Connection refused" in done.stderr
    assert "Traceback" not in done.stderr
    assert cli(root, "verify").returncode == 4 and cli(root, "plan").returncode == 4


def test_redis_down_leaves_sql_untouched_and_only_sql_syncs_it(tmp_path):
    root = make(tmp_path, DOWN, BOTH)
    db = tmp_path / "db.sqlite"
    done = cli(root, "sync")                          # Redis is required: nothing is written, SQL neither
    assert done.returncode == 4, done.stderr
    assert "notes" not in tables_in(db)
    done = cli(root, "sync", "--only", "sql")         # the SQL lane alone: Redis is never opened
    assert done.returncode == 0, done.stderr
    assert notes_in(db) == [("N-1", "open"), ("N-2", "done")]
    (root / "docs" / "NOTES.md").write_text((root / "docs" / "NOTES.md").read_text()
                                            .replace("**Status**: open", "**Status**: closed"))
    assert cli(root, "sync").returncode == 4          # still down: SQL keeps its last sync
    assert notes_in(db) == [("N-1", "open"), ("N-2", "done")]
    assert Workspace.open(root).sync(targets=["sql"]).updated == 1
    assert notes_in(db) == [("N-1", "closed"), ("N-2", "done")]
    done = cli(root, "sync", "--only", "sql,redis")   # a comma list: both, so Redis is required again
    assert done.returncode == 4, done.stderr
    done = cli(root, "sync", "--only", "sqll")        # a typo is an error, not a run that syncs nothing
    assert done.returncode == 2 and "SS201" in done.stderr and "sqll" in done.stderr


class Relay:
    """A TCP relay to the real Redis, on a port of its own; ``stop()`` is the server going away (every
    connection dropped, the port closed), ``start()`` brings it back on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self.server: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.port = s.getsockname()[1]
        self.server = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s: socket.socket) -> None:
        while True:
            try:
                a, _ = s.accept()
            except OSError:
                return
            b = socket.create_connection(self.target)
            with self.lock:
                self.conns += [a, b]
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self._pump, args=(x, y), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for c in (src, dst):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        if self.server is not None:
            try:
                self.server.shutdown(socket.SHUT_RDWR)      # wakes the accept() blocked on it
            except OSError:
                pass
            self.server.close()
            self.server = None
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()


def test_redis_going_away_mid_run_exits_2_and_the_next_run_converges(tmp_path, redis_url):
    sys.path.insert(0, str(REPO))
    from bench.redis_bench import workspace

    n = 20000
    url, prefix = split_prefix(redis_url)
    real = redis.Redis.from_url(url, decode_responses=True)
    host, port = real.connection_pool.connection_kwargs["host"], real.connection_pool.connection_kwargs["port"]
    relay = Relay(host, port)
    relay.start()
    db = url.rsplit("/", 1)[1].split("?")[0] or "0"
    root = tmp_path / "ws"
    workspace(root, f"redis://127.0.0.1:{relay.port}/{db}?prefix={prefix}", n)
    index = f"{prefix}syncspec:index:redis:cache/tasks"

    def cut() -> None:                  # the server goes away once the first batch is in
        deadline = time.monotonic() + 60
        while real.hlen(index) == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        relay.stop()

    try:
        watcher = threading.Thread(target=cut)
        watcher.start()
        with pytest.raises(TargetError) as err:
            Workspace.open(root).sync()
        watcher.join()
        assert err.value.exit_code == 2 and not isinstance(err.value, TargetUnavailable)
        written = real.hlen(index)
        assert 0 < written < n, f"the relay did not stop mid-hydration ({written} of {n} written)"
        relay.start()                   # back, on the same port
        result = Workspace.open(root).sync()
        assert result.inserted == n - written and result.inserted + result.unchanged == n
        assert real.hlen(index) == n
        assert Workspace.open(root).verify().empty
    finally:
        relay.stop()
        real.close()
