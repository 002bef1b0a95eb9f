"""Reconcile against the real Redis, source wins: values deleted, edited or flushed behind syncspec's
back, orphans, and the spec's declared hot keys (cleared on removed / changed / expired).

Every test owns a key prefix (the ``redis_url`` fixture); a FLUSHDB is simulated by deleting every
key under that prefix, never by flushing a database others use.
"""

from __future__ import annotations

import pytest

from syncspec import Workspace

from test_redis import client, edit, make, ours, redis_url  # noqa: F401 - client, redis_url: fixtures

redis = pytest.importorskip("redis")


HASH = "target:\n  kind: redis\n  use: cache\n  key_template: 'note:{note_id}'\n"
HOT = HASH + ("  hot_keys:\n"
              "    - {template: 'note:{note_id}:hot_state', clear_on: [removed, changed, expired]}\n"
              "    - {template: 'note:{note_id}:heartbeat', clear_on: [removed]}\n"
              "    - 'note:{key}:agent'\n"
              "  heartbeat: 'note:{note_id}:heartbeat'\n")


def flush(client) -> None:
    """What FLUSHDB does to this test's keys (and only to them)."""
    keys = list(client.scan_iter(match=f"{client.prefix}*"))
    if keys:
        client.delete(*keys)


def values_of(client) -> dict[str, dict]:
    return {k: client.hgetall(client.prefix + k) for k in sorted(ours(client)) if k.startswith("note:")}


def test_a_value_key_deleted_by_hand_is_drift_and_repair_restores_it(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    before = values_of(client)
    client.delete(f"{client.prefix}note:N-1")                   # its index entry is intact
    drift = Workspace.open(root).verify()
    assert drift.inserted == 1 and drift.updated == 0          # reads as missing, not as edited
    assert "note:N-1" not in ours(client)                       # verify writes nothing
    fixed = Workspace.open(root).verify(repair=True)
    assert fixed.inserted == 1
    assert values_of(client) == before
    assert Workspace.open(root).verify().empty


def test_a_hash_field_changed_by_hand_names_the_column_and_repair_fixes_it(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    client.hset(f"{client.prefix}note:N-2", "status", "hacked")
    drift = Workspace.open(root).verify()
    assert drift.updated == 1
    assert drift.changes[0].changed[("N-2",)] == ("status",)
    assert client.hget(f"{client.prefix}note:N-2", "status") == "hacked"
    Workspace.open(root).verify(repair=True)
    assert client.hget(f"{client.prefix}note:N-2", "status") == "done"
    assert Workspace.open(root).verify().empty


def test_a_string_value_is_compared_on_its_one_column(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, "target:\n  kind: redis\n  use: cache\n  key_template: 'pr:{key}:cold_state'\n"
                                     "  value: string\n  column: status\n")
    Workspace.open(root).sync()
    assert Workspace.open(root).verify().empty                 # the other columns are not "drift"
    client.set(f"{client.prefix}pr:N-1:cold_state", "done")
    drift = Workspace.open(root).verify()
    assert drift.changes[0].changed == {("N-1",): ("status",)}
    Workspace.open(root).verify(repair=True)
    assert client.get(f"{client.prefix}pr:N-1:cold_state") == "open"


def test_flushdb_then_a_plain_sync_restores_every_key(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    before = values_of(client)
    flush(client)
    result = Workspace.open(root).sync()                        # no --all: the empty index is seen
    assert result.inserted == 2
    assert values_of(client) == before
    assert Workspace.open(root).verify().empty


def test_flushdb_then_verify_repair_restores_every_key(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    before = values_of(client)
    flush(client)
    assert Workspace.open(root).verify().inserted == 2
    assert ours(client) == set()
    Workspace.open(root).verify(repair=True)
    assert values_of(client) == before


def test_values_flushed_but_index_kept_trips_the_count_guard_of_a_plain_sync(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    before = values_of(client)
    client.delete(f"{client.prefix}note:N-1", f"{client.prefix}note:N-2")   # e.g. expired, or evicted
    result = Workspace.open(root).sync()
    assert result.inserted == 2
    assert any("holds 0 rows" in w.message for cs in result.changes for w in cs.warnings)
    assert values_of(client) == before


def test_orphans_are_removed_by_sync(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    edit(root, "## N-2: Second", "## N-5: Second")
    assert Workspace.open(root).sync().deleted == 1
    assert {k for k in ours(client) if k.startswith("note:")} == {"note:N-1", "note:N-5"}


def test_a_renamed_key_template_moves_every_key(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text().replace("'note:{note_id}'", "'n2:{note_id}'"))
    Workspace.open(root).sync()
    assert {k for k in ours(client) if not k.startswith("syncspec:")} == {"n2:N-1", "n2:N-2"}
    assert Workspace.open(root).verify().empty


def test_hot_keys_cleared_when_the_entry_leaves_the_source(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HOT)
    Workspace.open(root).sync()
    p = client.prefix
    for n in ("N-1", "N-2"):                          # an agent's state, written by someone else
        client.set(f"{p}note:{n}:hot_state", "in-progress")
        client.set(f"{p}note:{n}:heartbeat", "1700000000")
        client.set(f"{p}note:{n}:agent", "agent-1")
    assert Workspace.open(root).sync(full=True).empty  # nothing changed: hot keys stay
    assert client.get(f"{p}note:N-2:hot_state") == "in-progress"
    edit(root, "## N-2: Second\n**Status**: done\n**Points**: 5\n**Due**: 2026-02-01\n**Urgent**: no\n\nBody two.\n",
         "")
    Workspace.open(root).sync()
    assert not client.exists(f"{p}note:N-2:hot_state", f"{p}note:N-2:heartbeat", f"{p}note:N-2:agent")
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"
    assert client.get(f"{p}note:N-1:agent") == "agent-1"


def test_hot_state_cleared_when_the_cold_state_changes(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HOT)
    Workspace.open(root).sync()
    p = client.prefix
    client.set(f"{p}note:N-1:hot_state", "in-progress")
    client.set(f"{p}note:N-1:heartbeat", "1700000000")
    client.set(f"{p}note:N-2:hot_state", "planning")
    client.set(f"{p}note:N-2:heartbeat", "1700000000")
    edit(root, "**Status**: open", "**Status**: closed")          # N-1's cold state moves on
    Workspace.open(root).sync()
    assert not client.exists(f"{p}note:N-1:hot_state")           # clear_on: changed
    assert client.exists(f"{p}note:N-1:heartbeat")               # clear_on: removed only
    assert client.get(f"{p}note:N-2:hot_state") == "planning"
    client.hset(f"{p}note:N-2", "status", "hacked")               # drift repaired is no cold change
    Workspace.open(root).verify(repair=True)
    assert client.get(f"{p}note:N-2:hot_state") == "planning"


def test_hot_state_cleared_when_its_heartbeat_expired(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HOT)
    Workspace.open(root).sync()
    p = client.prefix
    client.set(f"{p}note:N-1:hot_state", "in-progress")
    client.set(f"{p}note:N-1:heartbeat", "alive", px=1)          # the agent stopped beating
    client.set(f"{p}note:N-2:hot_state", "planning")
    client.set(f"{p}note:N-2:heartbeat", "alive")
    import time
    time.sleep(0.01)
    assert Workspace.open(root).sync().empty
    assert not client.exists(f"{p}note:N-1:hot_state")
    assert client.get(f"{p}note:N-2:hot_state") == "planning"


def test_hot_key_naming_a_non_key_column_is_refused(tmp_path, redis_url):
    from syncspec.errors import SpecError

    root = make(tmp_path, redis_url, HASH + "  hot_keys: ['x:{status}']\n")
    with pytest.raises(SpecError, match="only the entry key"):
        Workspace.open(root).sync()


def test_expired_needs_a_heartbeat(tmp_path, redis_url):
    from syncspec.errors import SpecError

    root = make(tmp_path, redis_url, HASH + "  hot_keys: [{template: 'x:{key}', clear_on: [expired]}]\n")
    with pytest.raises(SpecError, match="heartbeat"):
        Workspace.open(root).sync()


def test_cli_verify_exits_6_then_repair_fixes(tmp_path, redis_url, client):
    import subprocess
    import sys

    root = make(tmp_path, redis_url, HASH)
    Workspace.open(root).sync()
    client.delete(f"{client.prefix}note:N-2")
    cli = [sys.executable, "-m", "syncspec", "-p", str(root), "verify"]
    assert subprocess.run(cli, capture_output=True).returncode == 6
    assert not client.exists(f"{client.prefix}note:N-2")
    fixed = subprocess.run([*cli, "--repair"], capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stderr
    assert client.hget(f"{client.prefix}note:N-2", "status") == "done"
    assert subprocess.run(cli, capture_output=True).returncode == 0


COLD = ("target:\n  kind: redis\n  use: cache\n  key_template: 'note:{note_id}:cold_state'\n  value: string\n"
        "  column: status\n  hot_keys:\n    - {template: 'note:{note_id}:hot_state', clear_on: [changed]}\n")


def test_changed_fires_only_when_the_cold_value_changes_not_on_any_row_edit(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, COLD)                  # the cold state is the one column Redis holds
    Workspace.open(root).sync()
    p = client.prefix
    client.set(f"{p}note:N-1:hot_state", "in-progress")
    client.set(f"{p}note:N-2:hot_state", "planning")
    edit(root, "## N-1: First", "## N-1: First, retitled")     # the row changed, its cold state did not
    edit(root, "**Points**: 5", "**Points**: 8")
    assert Workspace.open(root).sync().updated == 2
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"
    assert client.get(f"{p}note:N-2:hot_state") == "planning"
    edit(root, "**Status**: open", "**Status**: blocked")      # N-1's cold state moves: its hot state goes
    assert Workspace.open(root).sync().updated == 1
    assert not client.exists(f"{p}note:N-1:hot_state")
    assert client.get(f"{p}note:N-2:hot_state") == "planning"
    assert client.get(f"{p}note:N-1:cold_state") == "blocked"


def test_changed_watches_the_columns_a_hot_key_names(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HASH + "  hot_keys:\n    - {template: 'note:{note_id}:hot_state', "
                                            "clear_on: [changed], columns: [status, urgent]}\n"
                                            "    - {template: 'note:{note_id}:seen', clear_on: [changed]}\n")
    Workspace.open(root).sync()
    p = client.prefix
    for n in ("N-1", "N-2"):
        client.set(f"{p}note:{n}:hot_state", "in-progress")
        client.set(f"{p}note:{n}:seen", "yes")
    edit(root, "## N-1: First", "## N-1: First, retitled")     # a column the hash holds, not a watched one
    Workspace.open(root).sync()
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"
    assert not client.exists(f"{p}note:N-1:seen")               # no columns: the whole value is watched
    edit(root, "**Urgent**: no", "**Urgent**: yes")             # a watched column
    Workspace.open(root).sync()
    assert not client.exists(f"{p}note:N-2:hot_state")
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"


def test_hot_key_columns_must_be_held_by_the_value(tmp_path, redis_url):
    from syncspec.errors import SpecError

    root = make(tmp_path, redis_url, COLD.replace("clear_on: [changed]", "clear_on: [changed], columns: [title]"))
    with pytest.raises(SpecError, match="columns the Redis value holds"):
        Workspace.open(root).sync()


def test_verify_reports_hot_key_conflicts_without_writing_and_repair_clears_them(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HOT)
    Workspace.open(root).sync()
    p = client.prefix
    client.set(f"{p}note:N-1:hot_state", "in-progress")          # its agent died: no heartbeat
    client.set(f"{p}note:N-2:hot_state", "planning")
    client.set(f"{p}note:N-2:heartbeat", "alive")                 # alive: no conflict
    drift = Workspace.open(root).verify()
    assert not drift.empty and (drift.inserted, drift.updated, drift.deleted) == (0, 0, 0)
    assert drift.changes[0].schema_changes == (f"clear hot key {p}note:N-1:hot_state: "
                                               f"heartbeat {p}note:N-1:heartbeat is gone",)
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"  # verify writes nothing
    assert not Workspace.open(root).plan().empty                  # a sync would clear it: plan says so
    assert client.get(f"{p}note:N-1:hot_state") == "in-progress"
    import subprocess
    import sys
    cli = [sys.executable, "-m", "syncspec", "-p", str(root), "verify"]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 6 and "note:N-1:hot_state" in done.stdout + done.stderr
    assert Workspace.open(root).verify(repair=True) is not None
    assert not client.exists(f"{p}note:N-1:hot_state")
    assert client.get(f"{p}note:N-2:hot_state") == "planning"
    assert Workspace.open(root).verify().empty
    assert subprocess.run(cli, capture_output=True).returncode == 0


def test_hot_keys_written_after_an_entry_was_marked_deleted_are_conflicts(tmp_path, redis_url, client):
    root = make(tmp_path, redis_url, HOT, on_missing="mark")
    Workspace.open(root).sync()
    edit(root, "## N-2: Second", "## N-4: Second")             # N-2 leaves: marked, its hot keys cleared
    Workspace.open(root).sync()
    p = client.prefix
    client.set(f"{p}note:N-2:agent", "agent-7")                    # written after the mark
    client.set(f"{p}note:N-4:agent", "agent-8")                    # a live entry's: fine
    drift = Workspace.open(root).verify()
    assert drift.changes[0].schema_changes == (f"clear hot key {p}note:N-2:agent: its entry N-2 is marked deleted",)
    assert client.exists(f"{p}note:N-2:agent")
    Workspace.open(root).verify(repair=True)
    assert not client.exists(f"{p}note:N-2:agent") and client.exists(f"{p}note:N-4:agent")
    assert Workspace.open(root).verify().empty
