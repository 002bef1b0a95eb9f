"""SIGKILL mid-hydration: a `syncspec sync` subprocess killed while its Redis writes are half done;
the next sync converges and verify finds nothing (ADR 0005: idempotent writes, state committed after)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syncspec import Workspace

redis = pytest.importorskip("redis")

REPO = Path(__file__).resolve().parents[2]
N = 20000


def test_sigkill_mid_hydration_converges(tmp_path, redis_url):
    sys.path.insert(0, str(REPO))
    from bench.redis_bench import workspace
    from syncspec.targets.redis import split_prefix

    root = tmp_path / "ws"
    workspace(root, redis_url, N)
    url, prefix = split_prefix(redis_url)
    index = f"{prefix}syncspec:index:redis:cache/tasks"
    c = redis.Redis.from_url(url, decode_responses=True)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "syncspec", "-p", str(root), "sync"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                                env=dict(os.environ, PYTHONPATH=str(REPO)))
        deadline = time.monotonic() + 120
        while c.hlen(index) == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        written = c.hlen(index)
        assert 0 < written < N, f"the kill did not land mid-hydration ({written} of {N} written)"
        result = Workspace.open(root).sync()
        assert result.inserted + result.unchanged == N and result.inserted == N - written
        assert c.hlen(index) == N
        assert c.hget(f"{prefix}pr:PR-{N:06d}:cold_state", "title") == f"Task number {N}"
        assert Workspace.open(root).verify().empty
        assert Workspace.open(root).sync().empty
    finally:
        c.close()
