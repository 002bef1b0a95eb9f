"""Issue 11 defect 15: every wait on a server is bounded and ends in the documented exit code."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from syncspec import LockNotAcquired, TargetError, Workspace

from test_keys_and_lookups import _workspace


def test_a_mysql_port_that_never_answers_gives_up(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    root = _workspace(tmp_path, f"mysql://root@127.0.0.1:{port}/x", "## N-1: one\n")
    started = time.monotonic()
    try:
        with pytest.raises(TargetError) as err:
            Workspace.open(root).sync()
    finally:
        server.close()
    assert time.monotonic() - started < 20
    assert err.value.exit_code == 2 and "cannot connect" in err.value.problems[0].message


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_a_row_locked_by_another_session_ends_with_exit_5(tmp_path, backend, request):
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "mysql_url")
    root = _workspace(tmp_path, url, "## N-1: one\n")
    Workspace.open(root).sync()
    (root / "docs" / "NOTES.md").write_text("## N-1: changed\n")
    from syncspec.targets.sql import SqlTarget

    other = SqlTarget("other", url)
    other.open(write=True)
    try:
        other.db.begin()
        other.db.execute_sql("UPDATE notes SET title = title WHERE note_id = 'N-1'")   # holds the row lock
        started = time.monotonic()
        with pytest.raises(LockNotAcquired) as err:
            Workspace.open(root).sync(lock_timeout=1)
        assert time.monotonic() - started < 15
        assert "stayed locked" in err.value.problems[0].message
    finally:
        other.db.rollback()
        other.close()
    assert Workspace.open(root).sync().updated == 1     # once the other session lets go
