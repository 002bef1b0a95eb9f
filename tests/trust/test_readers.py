"""Issue 11 defect 21: readers during a write see one committed state, never a crash or phantom."""

from __future__ import annotations

import threading

from syncspec import Workspace

from test_keys_and_lookups import _workspace


def test_plan_while_a_sync_commits_reports_no_phantom_duplicates(tmp_path, db_url, monkeypatch):
    root = _workspace(tmp_path, db_url, "## N-1: one\n")
    Workspace.open(root).sync()
    (root / "docs" / "NOTES.md").write_text("## N-1: one\n\n## N-2: two\n")
    import syncspec.lane as lane

    real = lane.Lane._claim
    done: list = []
    started: list = []

    def claim_after_a_commit(self, rows):
        if not started and self.sink is None:   # the plan has read its file states; a sync commits N-2 now
            started.append(True)
            worker = threading.Thread(target=lambda: done.append(Workspace.open(root).sync()))
            worker.start()
            worker.join(30)
            assert done and done[0].inserted == 1
        return real(self, rows)

    monkeypatch.setattr(lane.Lane, "_claim", claim_after_a_commit)
    plan = Workspace.open(root).plan()        # before: DuplicateKeyError for N-2 (file states old, table new)
    assert (plan.inserted, plan.unchanged) == (1, 1)


def test_history_and_status_while_the_ledger_is_half_created(tmp_path):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    from syncspec.ledger import Ledger
    from syncspec.targets.sql import SqlTarget

    target = SqlTarget("database", Workspace.open(root).config.database_url)
    target.open(write=True)
    try:
        Ledger(target.db).Run.create_table()     # MariaDB creates them one by one, outside a transaction
    finally:
        target.close()
    ws = Workspace.open(root)
    assert ws.history() == []
    assert [s.state for s in ws.status()] == ["never-synced"]
    assert Workspace.open(root).sync().inserted == 1
