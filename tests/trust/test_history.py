"""Issue 11 defect 4: every run is on the record, from its start, with true times and its transitions."""

from __future__ import annotations

import time

import pytest

from syncspec import MappingError, Workspace

from paused import paused_sync
from test_keys_and_lookups import _workspace


def test_a_refused_run_is_recorded_with_its_problems(tmp_path):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text() + "    n: {type: integer, from: title}\n")
    with pytest.raises(MappingError):
        Workspace.open(root).sync()
    (run,) = Workspace.open(root).history()
    assert (run.state, run.exit_code) == ("failed", 1)
    assert "one" in (run.error_message or "") and "integer" in (run.error_message or "")


def test_a_run_in_progress_is_visible_as_running_and_times_are_true(tmp_path, monkeypatch):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    Workspace.open(root).sync()
    (root / "docs" / "NOTES.md").write_text("## N-1: one\n\n## N-2: two\n")
    with paused_sync(root, monkeypatch):
        states = [r.state for r in Workspace.open(root).history()]
        assert states == ["running", "succeeded"]
        time.sleep(0.05)
    latest = Workspace.open(root).history()[0]
    assert latest.state == "succeeded" and latest.ended_at > latest.created_at
    from syncspec.ledger import Ledger
    from syncspec.targets.sql import SqlTarget

    target = SqlTarget("database", Workspace.open(root).config.database_url)
    target.open(write=False)
    try:
        moves = [(old, new) for old, new, _ in Ledger(target.db).lifecycle(latest.run_id)]
    finally:
        target.close()
    assert moves == [("pending", "running"), ("running", "succeeded")]
