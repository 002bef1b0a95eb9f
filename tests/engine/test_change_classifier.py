"""One change classifier: status, plan and sync give one answer about the same files."""

from __future__ import annotations

import json
import os
import time

from syncspec import Workspace
from syncspec.changes import classify, state_hash


def _status_check(cli, ws) -> int:
    return cli("--project", str(ws), "status", "--check").returncode


def _plan_check(cli, ws) -> int:
    return cli("--project", str(ws), "plan", "--check").returncode


def _synced(cli, ws) -> dict:
    r = cli("--project", str(ws), "sync", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_touch_without_a_byte_changed_is_current_for_status_plan_and_sync(ledger_ws, cli):
    assert cli("--project", str(ledger_ws), "sync").returncode == 0
    src = ledger_ws / "docs" / "DEBUG_LOG.md"
    future = time.time() + 5
    os.utime(src, (future, future))          # touch: new mtime, same bytes
    assert _status_check(cli, ledger_ws) == 0
    assert _plan_check(cli, ledger_ws) == 0
    result = _synced(cli, ledger_ws)
    assert (result["inserted"], result["updated"], result["deleted"]) == (0, 0, 0)
    assert _status_check(cli, ledger_ws) == 0    # and the sync re-stamped it


def test_an_edit_is_stale_for_status_plan_and_sync(ledger_ws, cli):
    assert cli("--project", str(ledger_ws), "sync").returncode == 0
    src = ledger_ws / "docs" / "DEBUG_LOG.md"
    src.write_text(src.read_text(encoding="utf-8").replace("|", "| ", 1), encoding="utf-8")
    text = src.read_text(encoding="utf-8")
    src.write_text(text + "\n", encoding="utf-8")           # a byte changed (no row changes)
    status = cli("--project", str(ledger_ws), "status", "--json")
    by_spec = {s["spec"]: s for s in json.loads(status.stdout)["specs"]}
    assert by_spec["debug_log"]["state"] == "stale"
    assert "docs/DEBUG_LOG.md" in by_spec["debug_log"]["reason"]
    _synced(cli, ledger_ws)
    assert _status_check(cli, ledger_ws) == 0


def test_classifier_sorts_files(ledger_ws):
    ws = Workspace.open(ledger_ws)
    ws.sync()
    spec = next(s for s in ws.specs() if s.name == "debug_log")
    from syncspec.ledger import Ledger
    from syncspec.targets.sql import SqlTarget

    target = SqlTarget("database", ws.config.database_url)
    target.open(write=False)
    try:
        states = Ledger(target.db).file_states(spec.name)
    finally:
        target.close()
    found = classify(spec, ledger_ws, states, state_hash(spec))
    assert (found.rebuild, [f.display for f in found.unchanged], found.changed, found.removed) == (
        None, ["docs/DEBUG_LOG.md"], [], [])
    assert classify(spec, ledger_ws, {}, state_hash(spec)).rebuild == "never synced"
    assert classify(spec, ledger_ws, states, "other").rebuild == "spec changed since last sync"
