"""Fixtures: example workspaces in tmp dirs, and real databases per backend.

PostgreSQL and MariaDB tests create a uniquely named database and drop it
afterwards. Without a reachable server they skip with the reason, unless
SYNCSPEC_REQUIRE_SERVICES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
PG_ADMIN = os.environ.get("SYNCSPEC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_ADMIN = os.environ.get("SYNCSPEC_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("SYNCSPEC_TEST_REDIS", "redis://127.0.0.1:6379/0")
REQUIRE = os.environ.get("SYNCSPEC_REQUIRE_SERVICES") == "1"


def _unavailable(what: str, why: str):
    message = (f"{what} not reachable ({why}); set SYNCSPEC_TEST_PG / SYNCSPEC_TEST_MYSQL / SYNCSPEC_TEST_REDIS"
               " to point at a server")
    if REQUIRE:
        pytest.fail(message + " [SYNCSPEC_REQUIRE_SERVICES=1 makes this a failure]")
    pytest.skip(message)


def _with_db(url: str, name: str) -> str:
    head, _ = url.rsplit("/", 1)
    return f"{head}/{name}"


@pytest.fixture
def pg_url():
    try:
        import psycopg2
    except ImportError:
        _unavailable("PostgreSQL", "psycopg2 not installed")
    name = f"syncspec_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg2.connect(PG_ADMIN, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means: no server
        _unavailable("PostgreSQL", str(exc).strip().splitlines()[0])
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_db(PG_ADMIN, name)
    finally:
        cur = conn.cursor()
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()


@pytest.fixture
def mysql_url():
    try:
        import pymysql
    except ImportError:
        _unavailable("MariaDB/MySQL", "pymysql not installed")
    from urllib.parse import urlparse

    u = urlparse(MYSQL_ADMIN)
    name = f"syncspec_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = pymysql.connect(host=u.hostname, port=u.port or 3306, user=u.username or "root",
                               password=u.password or "", connect_timeout=3, autocommit=True)
    except Exception as exc:  # noqa: BLE001
        _unavailable("MariaDB/MySQL", str(exc).strip().splitlines()[0])
    conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield _with_db(MYSQL_ADMIN, name)
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture
def redis_url():
    """A Redis URL whose keys this test owns: ``?prefix=t_<id>:``; every key under it is deleted after.

    Shares the server's DB with other tests (never FLUSHDB): the prefix keeps them apart.
    """
    try:
        import redis
    except ImportError:
        _unavailable("Redis", "redis not installed")
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=10)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", str(exc).strip().splitlines()[0])
    prefix = f"syncspec_test_{uuid.uuid4().hex[:12]}:"
    sep = "&" if "?" in REDIS_URL else "?"
    try:
        yield f"{REDIS_URL}{sep}prefix={prefix}"
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i:i + 500])
        client.close()


def _free_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    import socket

    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 < 65536:
            with socket.socket() as bus:
                try:
                    bus.bind(("127.0.0.1", port + 10000))
                    return port
                except OSError:
                    continue


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """A real three-node Redis Cluster on free local ports, started once per test session (about 2 s)
    with the machine's redis-server, nothing kept on disk, stopped after; its first node's URL."""
    import time

    try:
        import redis
    except ImportError:
        _unavailable("Redis Cluster", "redis not installed")
    server = shutil.which("redis-server")
    if server is None:
        _unavailable("Redis Cluster", "no redis-server on PATH to start one")
    folder = tmp_path_factory.mktemp("redis-cluster")
    ports = [_free_port() for _ in range(3)]
    procs = [subprocess.Popen([server, "--port", str(p), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                               "--cluster-config-file", str(folder / f"nodes-{p}.conf"), "--dir", str(folder),
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    clients = [redis.Redis(port=p, socket_timeout=5) for p in ports]
    try:
        deadline = time.monotonic() + 30
        for c in clients:
            while True:
                try:
                    c.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        _unavailable("Redis Cluster", "its nodes did not start")
                    time.sleep(0.05)
        for c, (a, b) in zip(clients, [(0, 5460), (5461, 10922), (10923, 16383)]):
            c.execute_command("CLUSTER", "ADDSLOTSRANGE", a, b)
        for p in ports[1:]:
            clients[0].execute_command("CLUSTER", "MEET", "127.0.0.1", p)
        while not all(b"cluster_state:ok" in c.execute_command("CLUSTER", "INFO") for c in clients):
            if time.monotonic() > deadline:
                _unavailable("Redis Cluster", "its nodes did not agree on the slots")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{ports[0]}/0"
    finally:
        for c in clients:
            c.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


@pytest.fixture
def redis_cluster_url(redis_cluster):
    """The cluster's URL with a key prefix this test owns (its keys deleted after, node by node)."""
    from redis.cluster import RedisCluster

    prefix = f"syncspec_test_{uuid.uuid4().hex[:12]}:"
    try:
        yield f"{redis_cluster}?prefix={prefix}"
    finally:
        client = RedisCluster.from_url(redis_cluster)
        for key in client.scan_iter(match=f"{prefix}*", count=1000, target_nodes=RedisCluster.ALL_NODES):
            client.delete(key)
        client.close()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'target.db'}"


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_url(request):
    """The same test against every SQL backend."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "pg_url", "mysql": "mysql_url"}[request.param]
    return request.getfixturevalue(fixture)


@pytest.fixture
def ledger_ws(tmp_path):
    """A private copy of examples/ledger."""
    dest = tmp_path / "ledger"
    shutil.copytree(EXAMPLES / "ledger", dest, ignore=shutil.ignore_patterns(".syncspec"))
    return dest


@pytest.fixture
def make_ws(tmp_path):
    """Write a workspace from {relative path: text} and return its root."""
    def make(files: dict[str, str | bytes], project: str = "demo") -> Path:
        root = tmp_path / f"ws_{uuid.uuid4().hex[:6]}"
        root.mkdir()
        files = dict(files)
        files.setdefault("syncspec.yaml", f"project: {project}\ndatabase: sqlite:///.syncspec/t.db\nspecs: specs/\n")
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return root
    return make


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess: exit code, stdout, stderr."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "syncspec", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli():
    return run_cli
