"""The Redis target against the real server: key layout, value kinds, TTL, ownership, SQL + Redis at once.

Every test owns a key prefix (the ``redis_url`` fixture) and its keys are deleted afterwards;
nothing here flushes a database.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.engine import bindings_of
from syncspec.errors import SpecError, TargetError, TargetUnavailable
from syncspec.targets import open_target
from syncspec.targets.redis import split_prefix

redis = pytest.importorskip("redis")

NOTES = """\
# Notes

## N-1: First
**Status**: open
**Points**: 3
**Due**: 2026-01-05
**Urgent**: yes

Body one.

## N-2: Second
**Status**: done
**Points**: 5
**Due**: 2026-02-01
**Urgent**: no

Body two.
"""

COLUMNS = """\
  key: [note_id]
  columns:
    note_id: text
    title: {type: text, required: true}
    status: {type: text, from: fields.status}
    points: {type: integer, from: fields.points}
    due: {type: date, from: fields.due}
    urgent: {type: boolean, from: fields.urgent}
"""


def make(tmp_path: Path, redis_url: str, target: str, on_missing: str = "delete") -> Path:
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(
        f"project: r\ndatabase: sqlite:///{tmp_path / 'db.sqlite'}\nspecs: specs/\n"
        f"targets:\n  cache: \"{redis_url}\"\n")
    (root / "specs" / "notes.yaml").write_text(textwrap.dedent(f"""\
        sync: notes
        on_missing: {on_missing}
        source:
          files: docs/NOTES.md
          records:
            - sections: {{level: 2, match: '^(?P<note_id>N-\\d+):\\s*(?P<title>.*)$'}}
        """) + textwrap.indent(textwrap.dedent(target), "") + COLUMNS)
    (root / "docs" / "NOTES.md").write_text(NOTES)
    return root


@pytest.fixture(params=["standalone", "cluster"])
def redis_url(request, redis_url):
    """Each test here runs against the one Redis server and against a three-node Redis Cluster."""
    return redis_url if request.param == "standalone" else request.getfixturevalue("redis_cluster_url")


@pytest.fixture
def client(redis_url):
    url, prefix = split_prefix(redis_url)
    c = redis.Redis.from_url(url, decode_responses=True)
    if c.info("cluster").get("cluster_enabled"):
        from redis.cluster import RedisCluster

        c.close()
        c = RedisCluster.from_url(url, decode_responses=True)
    c.prefix = prefix            # type: ignore[attr-defined]
    yield c
    c.close()


def ours(client) -> set[str]:
    return {k[len(client.prefix):] for k in client.scan_iter(match=f"{client.prefix}*")}


def edit(root: Path, old: str, new: str) -> None:
    path = root / "docs" / "NOTES.md"
    path.write_text(path.read_text().replace(old, new))


def redis_target(root: Path):
    ws = Workspace.open(root)
    binding = [b for b in bindings_of(ws.specs()[0]) if b.ref.kind == "redis"][0]
    _, url = ws.config.target_url(binding.ref.use)  # type: ignore[misc]
    target = open_target(binding.ref.use, "redis", url, root)
    target.open(write=False)
    return target, binding


def test_default_layout_is_a_hash_per_entry_under_spec_and_key(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n")
    assert Workspace.open(root).sync().inserted == 2
    assert ours(client) == {"notes:N-1", "notes:N-2", "syncspec:index:redis:cache/notes"}
    p = client.prefix
    assert client.type(f"{p}notes:N-1") == "hash"
    assert client.hgetall(f"{p}notes:N-1") == {
        "note_id": "N-1", "title": "First", "status": "open", "points": "3", "due": "2026-01-05",
        "urgent": "true"}
    target, binding = redis_target(root)
    try:            # read back as the mapper makes them: typed, so a resync sees no change
        assert target.fetch(binding, [("N-1",)])[("N-1",)] == {
            "note_id": "N-1", "title": "First", "status": "open", "points": 3, "due": dt.date(2026, 1, 5),
            "urgent": True}
        assert target.values(binding, [("N-2",), ("N-9",)], ["points", "urgent"]) == {("N-2",): (5, False)}
    finally:
        target.close()
    result = Workspace.open(root).sync(full=True)
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 2)


def test_json_value_under_a_template_naming_columns(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url,
                "target:\n  kind: redis\n  use: cache\n  key_template: 'note:{note_id}:{status}'\n  value: json\n")
    Workspace.open(root).sync()
    p = client.prefix
    assert client.type(f"{p}note:N-1:open") == "string"
    assert client.get(f"{p}note:N-1:open") == ('{"due":"2026-01-05","note_id":"N-1","points":3,'
                                                  '"status":"open","title":"First","urgent":true}')
    # the key names a non-key column: when it changes the entry moves, and the old key goes
    edit(root, "**Status**: open", "**Status**: closed")
    assert Workspace.open(root).sync().updated == 1
    assert {k for k in ours(client) if k.startswith("note:")} == {"note:N-1:closed", "note:N-2:done"}
    assert Workspace.open(root).sync(full=True).unchanged == 2


def test_string_value_holds_one_column_with_ttl(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n  key_template: 'pr:{key}:cold_state'\n"
                                     "  value: string\n  column: status\n  ttl: 600\n")
    Workspace.open(root).sync()
    p = client.prefix
    assert client.get(f"{p}pr:N-1:cold_state") == "open"
    assert client.get(f"{p}pr:N-2:cold_state") == "done"
    assert 590 <= client.ttl(f"{p}pr:N-1:cold_state") <= 600
    assert client.ttl(f"{p}syncspec:index:redis:cache/notes") == -1        # the index never expires


def test_ttl_on_a_hash(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n  ttl: 120\n")
    Workspace.open(root).sync()
    assert 110 <= client.ttl(f"{client.prefix}notes:N-2") <= 120


def test_foreign_keys_are_never_touched(tmp_path, redis_url, client):
    p = client.prefix
    client.set(f"{p}notes:N-3", "someone else's")           # looks like ours, is not in our index
    client.set(f"{p}notes:N-1x", "foreign")
    client.hset(f"{p}syncspec:index:redis:cache/other", "x", "y")
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n")
    Workspace.open(root).sync()
    edit(root, "## N-2: Second", "## N-4: Second")           # N-2 leaves the source: deleted
    result = Workspace.open(root).sync(full=True)
    assert (result.inserted, result.deleted) == (1, 1)
    assert ours(client) == {"notes:N-1", "notes:N-4", "notes:N-3", "notes:N-1x",
                            "syncspec:index:redis:cache/notes", "syncspec:index:redis:cache/other"}
    assert client.get(f"{p}notes:N-3") == "someone else's" and client.get(f"{p}notes:N-1x") == "foreign"
    target, binding = redis_target(root)
    try:
        assert set(target.index(binding)) == {("N-1",), ("N-4",)}
    finally:
        target.close()


def test_on_missing_mark_keeps_the_key_and_marks_it(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n", on_missing="mark")
    Workspace.open(root).sync()
    edit(root, "## N-2: Second", "## N-4: Second")
    Workspace.open(root).sync()
    assert "deleted_at" in client.hgetall(f"{client.prefix}notes:N-2")
    target, binding = redis_target(root)
    try:
        index = target.index(binding)
        assert index[("N-2",)][1] is True and index[("N-1",)][1] is False
    finally:
        target.close()


def test_one_sync_fills_sqlite_and_redis(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  table: notes\n  also:\n    - kind: redis\n      use: cache\n"
                                     "      key_template: 'n:{key}'\n")
    result = Workspace.open(root).sync()
    assert result.inserted == 4                          # two entries, two targets
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("SELECT note_id, status FROM notes ORDER BY 1").fetchall() == [("N-1", "open"),
                                                                                          ("N-2", "done")]
    assert client.hget(f"{client.prefix}n:N-2", "status") == "done"
    edit(root, "## N-2: Second", "## N-2: Second, edited")
    result = Workspace.open(root).sync()
    assert result.updated == 2
    assert client.hget(f"{client.prefix}n:N-2", "title") == "Second, edited"
    assert Workspace.open(root).sync(targets=["redis"]).unchanged == 2


def test_workspace_prefix_key(tmp_path, redis_url, client):
    url, prefix = split_prefix(redis_url)
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n")
    (root / "syncspec.yaml").write_text(
        f"project: r\ndatabase: sqlite:///{tmp_path / 'db.sqlite'}\nspecs: specs/\n"
        f"targets:\n  cache: {{url: \"{url}\", prefix: \"{prefix}app:\"}}\n")
    Workspace.open(root).sync()
    assert "app:notes:N-1" in ours(client)


def test_unreachable_redis_is_target_unavailable(tmp_path):
    root = make(tmp_path, "redis://127.0.0.1:1/0", "target:\n  kind: redis\n  use: cache\n")
    with pytest.raises(TargetUnavailable) as err:          # more in test_redis_unavailable.py
        Workspace.open(root).sync()
    assert err.value.exit_code == 4


def test_missing_package_is_target_unavailable(tmp_path, monkeypatch):
    root = make(tmp_path, "redis://127.0.0.1:6379/0", "target:\n  kind: redis\n  use: cache\n")
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(TargetUnavailable) as err:
        Workspace.open(root).sync()
    assert err.value.exit_code == 4
    assert "pip install 'syncspec[redis]'" in str(err.value.problems[0].hint)


def test_key_template_naming_an_unknown_column_is_refused(tmp_path, redis_url):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n  key_template: 'x:{nope}'\n")
    with pytest.raises(SpecError, match="nope"):
        Workspace.open(root).sync()


def test_a_hash_tag_keeps_an_entrys_keys_in_one_slot(tmp_path, redis_url, client):
    """What the README and the scripts' comments promise of `{{pr:{id}}}:...` templates: an entry's value
    key, hot keys and heartbeat share one Cluster hash slot; the index hash does not (so the batch
    scripts span slots: Cluster is not supported)."""
    from redis.crc import key_slot

    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n  key_template: '{{n:{note_id}}}:cold'\n"
                                     "  hot_keys:\n    - {template: '{{n:{note_id}}}:hot_state', clear_on: [expired]}\n"
                                     "  heartbeat: '{{n:{note_id}}}:heartbeat'\n")
    Workspace.open(root).sync()
    p = client.prefix
    assert {k for k in ours(client) if not k.startswith("syncspec:")} == {"{n:N-1}:cold", "{n:N-2}:cold"}
    target, binding = redis_target(root)
    try:
        layout = target._layout(binding)
        for n in ("N-1", "N-2"):
            names = [layout.name((n,), {"note_id": n}), *(layout.key_name(t, (n,)) for t, _, _ in layout.hot),
                     layout.key_name(str(layout.heartbeat), (n,))]
            assert names[0] == f"{p}{{n:{n}}}:cold"
            assert {key_slot(x.encode()) for x in names} == {key_slot(f"n:{n}".encode())}
        assert "{" not in layout.index          # untagged: its slot is its own name's, not the entries'
    finally:
        target.close()


def test_on_a_cluster_keys_spread_over_its_nodes_and_a_flush_is_repaired(tmp_path, redis_cluster_url):
    """A Redis Cluster (found from the URL's node): entries land in many slots on every node, and what
    the batch scripts do on one server is done with per-node commands; a flush is repaired by a sync."""
    from redis.cluster import RedisCluster

    root = make(tmp_path, redis_cluster_url, "target:\n  kind: redis\n  use: cache\n  key_template: 'note:{note_id}'\n")
    (root / "docs" / "NOTES.md").write_text("# Notes\n\n" + "".join(
        f"## N-{i}: Entry {i}\n**Status**: open\n\n" for i in range(1, 61)))
    assert Workspace.open(root).sync().inserted == 60
    target, _ = redis_target(root)
    try:
        assert target.cluster
    finally:
        target.close()
    url, prefix = split_prefix(redis_cluster_url)
    c = RedisCluster.from_url(url, decode_responses=True)
    try:
        names = [f"{prefix}note:N-{i}" for i in range(1, 61)]
        assert all(c.hget(n, "status") == "open" for n in names)
        assert len({c.get_node_from_key(n).name for n in names}) == 3
        c.delete(*names[:10])                                      # a flush of some keys behind our back
        result = Workspace.open(root).sync()                       # the count guard sees it
        assert result.inserted == 10
        assert all(c.exists(n) for n in names)
        assert Workspace.open(root).verify().empty
    finally:
        c.close()


def test_a_cluster_url_naming_another_database_is_refused_with_the_fix(tmp_path, redis_cluster):
    root = make(tmp_path, redis_cluster.replace("/0", "/3"), "target:\n  kind: redis\n  use: cache\n")
    with pytest.raises(TargetUnavailable) as err:
        Workspace.open(root).sync()
    assert "database 0 only" in str(err.value) and "/0" in err.value.problems[0].hint
