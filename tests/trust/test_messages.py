"""Issue 11 defect 22: messages say what happened (disk full; a commit whose outcome is unknown)."""

from __future__ import annotations

import pytest

from syncspec import TargetError, Workspace

from test_keys_and_lookups import _workspace


def test_disk_full_says_so(tmp_path, monkeypatch):
    notes = "".join(f"## N-{i}: {'x' * 200}\n\n{'body ' * 200}\n\n" for i in range(3000))
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", notes)
    import syncspec.targets.sql.database as database

    real = database.connect

    def small_disk(target, readonly=False):
        db = real(target, readonly)
        if not readonly:
            db.execute_sql("PRAGMA max_page_count = 60")     # a few hundred KB: the disk fills up mid-run
        return db

    monkeypatch.setattr(database, "connect", small_disk)
    with pytest.raises(TargetError) as err:
        Workspace.open(root).sync()
    message = err.value.problems[0].message
    assert "full" in message and "cannot rollback" not in message


def test_a_failure_while_committing_does_not_claim_nothing_was_written(tmp_path, monkeypatch):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    import peewee

    from syncspec.targets.sql import SqlTarget

    real = SqlTarget.session

    from contextlib import contextmanager

    @contextmanager
    def lost_on_commit(self, *args, **kwargs):
        with real(self, *args, **kwargs) as notes:
            yield notes
        raise peewee.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SqlTarget, "session", lost_on_commit)
    with pytest.raises(TargetError) as err:
        Workspace.open(root).sync()
    hint = err.value.problems[0].hint or ""
    assert "nothing was written" not in hint and "outcome is unknown" in hint
