"""Issue 11 defect 5: exit 5 names who holds the lock; a holder that died frees it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from syncspec import LockNotAcquired, Workspace

from paused import paused_sync
from test_keys_and_lookups import _workspace


def test_a_waiting_run_is_told_who_holds_the_lock(tmp_path, db_url, monkeypatch):
    root = _workspace(tmp_path, db_url, "## N-1: one\n")
    Workspace.open(root).sync()
    (root / "docs" / "NOTES.md").write_text("## N-1: one\n\n## N-2: two\n")
    with paused_sync(root, monkeypatch):
        running = Workspace.open(root).history()[0]
        with pytest.raises(LockNotAcquired) as err:
            Workspace.open(root).sync(lock_timeout=1.2)
    message = err.value.problems[0].message
    assert f"run {running.run_id[:8]} running since" in message
    if db_url.startswith("sqlite"):
        import os
        assert f"pid {os.getpid()} on" in message
    elif db_url.startswith("postgresql"):
        assert "syncspec " in message and "server pid" in message
    else:
        assert "connection " in message


def test_a_holder_that_died_frees_the_lock(tmp_path):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    Workspace.open(root).sync()
    lock_path = str(tmp_path / "t.db") + ".lock"
    code = ("import json, time\nfrom filelock import FileLock\n"
            f"lock = FileLock({lock_path!r})\nlock.acquire()\n"
            f"open({lock_path + '.holder'!r}, 'w').write(json.dumps({{'pid': 1, 'host': 'gone', 'since': 'then'}}))\n"
            "print('held', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(LockNotAcquired) as err:
            Workspace.open(root).sync(lock_timeout=0.3)
        assert "pid 1 on gone since then" in err.value.problems[0].message
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        time.sleep(0.1)
        assert Workspace.open(root).sync(lock_timeout=2).unchanged == 1     # the dead holder's lock is gone
    finally:
        proc.kill()
