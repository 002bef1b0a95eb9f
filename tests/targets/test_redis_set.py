"""``value: set``: a Redis set from a list column, against the real Redis: written as SADD members,
read back by membership (the source list's order and duplicates are no drift), a member added or
removed by hand is drift that verify names and --repair fixes, an empty list holds no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.errors import SpecError

from test_redis import client, edit, make, ours, redis_target, redis_url  # noqa: F401 - fixtures too

redis = pytest.importorskip("redis")

SET = "target:\n  kind: redis\n  use: cache\n  key_template: 'note:{note_id}:labels'\n  value: set\n  column: labels\n"


def make_set(tmp_path: Path, redis_url: str, target: str = SET) -> Path:
    root = make(tmp_path, redis_url, target)
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text() + "    labels: {type: json, from: fields.labels, transform: [split]}\n")
    edit(root, "**Urgent**: yes\n", "**Urgent**: yes\n**Labels**: ui, api, ui\n")
    edit(root, "**Urgent**: no\n", "**Urgent**: no\n**Labels**: db\n")
    return root


def test_a_list_column_becomes_a_redis_set(tmp_path, redis_url, client):
    root = make_set(tmp_path, redis_url)
    assert Workspace.open(root).sync().inserted == 2
    p = client.prefix
    assert client.type(f"{p}note:N-1:labels") == "set"
    assert client.smembers(f"{p}note:N-1:labels") == {"ui", "api"}       # duplicates collapse
    assert client.smembers(f"{p}note:N-2:labels") == {"db"}
    target, binding = redis_target(root)
    try:
        got = target.fetch(binding, [("N-1",)])[("N-1",)]["labels"]
        assert got == frozenset({"ui", "api"}) and str(got) == '["api","ui"]'
        assert target.stored_columns(binding) == ("labels",)
    finally:
        target.close()
    assert Workspace.open(root).verify().empty                # order and duplicates in the source: no drift
    assert Workspace.open(root).sync(full=True).empty


def test_a_member_added_or_removed_by_hand_is_drift_and_repair_restores_the_set(tmp_path, redis_url, client):
    root = make_set(tmp_path, redis_url)
    Workspace.open(root).sync()
    p = client.prefix
    client.sadd(f"{p}note:N-1:labels", "hacked")
    client.srem(f"{p}note:N-2:labels", "db")                 # the last member: the key is gone
    drift = Workspace.open(root).verify()
    assert (drift.inserted, drift.updated) == (1, 1)         # N-2's key is missing, N-1's set differs
    assert drift.changes[0].changed == {("N-1",): ("labels",)}
    assert client.smembers(f"{p}note:N-1:labels") == {"ui", "api", "hacked"}     # verify writes nothing
    Workspace.open(root).verify(repair=True)
    assert client.smembers(f"{p}note:N-1:labels") == {"ui", "api"}
    assert client.smembers(f"{p}note:N-2:labels") == {"db"}
    assert Workspace.open(root).verify().empty


def test_a_source_edit_replaces_the_members_and_an_empty_list_holds_no_key(tmp_path, redis_url, client):
    root = make_set(tmp_path, redis_url, SET + "  ttl: 300\n")
    Workspace.open(root).sync()
    p = client.prefix
    edit(root, "**Labels**: ui, api, ui", "**Labels**: api, docs")
    edit(root, "**Labels**: db", "**Labels**: ,")
    assert Workspace.open(root).sync().updated == 2
    assert client.smembers(f"{p}note:N-1:labels") == {"api", "docs"}
    assert 290 <= client.ttl(f"{p}note:N-1:labels") <= 300
    assert not client.exists(f"{p}note:N-2:labels")           # nothing to hold: no key, and none missing
    assert Workspace.open(root).verify().empty
    edit(root, "## N-2: Second", "## N-7: Second")
    Workspace.open(root).sync()
    assert {k for k in ours(client) if k.startswith("note:")} == {"note:N-1:labels"}


def test_a_set_needs_a_json_column(tmp_path, redis_url):
    root = make_set(tmp_path, redis_url, SET.replace("column: labels", "column: status"))
    with pytest.raises(SpecError, match="value: set needs `column:` naming a json column"):
        Workspace.open(root).sync()


def test_a_set_of_ten_thousand_members(tmp_path, redis_url, client):
    """More members than Lua's unpack() takes at once (~8000): written in slices."""
    root = make_set(tmp_path, redis_url)
    edit(root, "**Labels**: db", "**Labels**: " + ", ".join(f"m{i}" for i in range(10000)))
    Workspace.open(root).sync()
    assert client.scard(f"{client.prefix}note:N-2:labels") == 10000
    assert Workspace.open(root).verify().empty
