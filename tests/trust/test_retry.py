"""Issue 11: a transient server error (deadlock, serialization failure, dropped connection) is retried."""

from __future__ import annotations

import peewee
import pytest

from syncspec import TargetError, Workspace

from test_keys_and_lookups import _workspace


def _deadlock() -> peewee.OperationalError:
    exc = peewee.OperationalError("deadlock detected")
    exc.pgcode = "40P01"        # type: ignore[attr-defined]
    return exc


def test_a_deadlock_is_retried_and_every_attempt_is_recorded(tmp_path, pg_url, monkeypatch):
    root = _workspace(tmp_path, pg_url, "## N-1: one\n\n## N-2: two\n")
    from syncspec.targets.sql import SqlTarget

    real = SqlTarget.upsert
    failures = [_deadlock()]

    def flaky(self, binding, rows, now):
        if failures:
            raise failures.pop()
        return real(self, binding, rows, now)

    monkeypatch.setattr(SqlTarget, "upsert", flaky)
    result = Workspace.open(root).sync()
    assert result.inserted == 2
    assert [r.state for r in Workspace.open(root).history()] == ["succeeded", "failed"]


def test_other_errors_are_not_retried(tmp_path, pg_url, monkeypatch):
    root = _workspace(tmp_path, pg_url, "## N-1: one\n")
    from syncspec.targets.sql import SqlTarget

    calls = []

    def broken(self, binding, rows, now):
        calls.append(1)
        raise peewee.IntegrityError("something else")

    monkeypatch.setattr(SqlTarget, "upsert", broken)
    with pytest.raises(TargetError):
        Workspace.open(root).sync()
    assert len(calls) == 1
