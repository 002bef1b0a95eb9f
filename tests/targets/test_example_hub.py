"""examples/tasks/hub (seed 001 in YAML) does what its README walkthrough says, against the real Redis."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syncspec import Workspace

redis = pytest.importorskip("redis")

HUB = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "hub"


def test_hub_walkthrough(tmp_path, redis_url, monkeypatch):
    from syncspec.targets.redis import split_prefix

    root = tmp_path / "hub"
    shutil.copytree(HUB, root, ignore=shutil.ignore_patterns(".syncspec"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    url, prefix = split_prefix(redis_url)
    p = prefix + "hub:"
    c = redis.Redis.from_url(url, decode_responses=True)
    try:
        assert Workspace.open(root).sync().inserted == 21                 # 7 rows + 7 + 7 keys
        assert c.get(f"{p}pr:PR-010:cold_state") == "ready"
        assert c.get(f"{p}pr:PR-010:dependencies") == '["PR-003","PR-004","PR-009"]'
        c.set(f"{p}pr:PR-010:hot_state", "planning")
        c.set(f"{p}pr:PR-010:agent", "agent-2")
        c.set(f"{p}pr:PR-010:heartbeat", "1", ex=90)
        cli = [sys.executable, "-m", "syncspec", "-p", str(root)]
        assert subprocess.run([*cli, "render", "--check"], capture_output=True).returncode == 6
        [r] = Workspace.open(root).render()                               # not a git repo: no commit
        assert (r.state, r.rows, r.committed) == ("written", 1, False)
        text = (root / "docs" / "task-list.md").read_text()
        assert ("<!-- syncspec:begin display -->\n| PR | Hot state | Agent |\n| --- | --- | --- |\n"
                "| PR-010 | planning | agent-2 |\n<!-- syncspec:end display -->\n") in text
        assert text.startswith((HUB / "docs" / "task-list.md").read_text().split("## Display")[0])
        path = root / "docs" / "task-list.md"
        path.write_text(text.replace("title: State synchronization system\n", "title: State sync\n"))
        Workspace.open(root).sync()                                       # the rows change; the cold key holds the same
        assert c.get(f"{p}pr:PR-010:hot_state") == "planning"             # so the agent's hot state stays
        text = text.replace("title: State synchronization system\n", "title: State sync\n")
        path.write_text(text.replace("title: State sync\n    cold_state: ready",       # the cold transition
                                     "title: State sync\n    cold_state: completed"))
        Workspace.open(root).sync()
        assert not c.exists(f"{p}pr:PR-010:hot_state", f"{p}pr:PR-010:agent")
        assert c.exists(f"{p}pr:PR-010:heartbeat")
        c.set(f"{p}pr:PR-004:cold_state", "ready")                        # drift
        assert subprocess.run([*cli, "verify"], capture_output=True).returncode == 6
        assert subprocess.run([*cli, "verify", "--repair"], capture_output=True).returncode == 0
        assert c.get(f"{p}pr:PR-004:cold_state") == "completed"
        for k in list(c.scan_iter(match=f"{p}*")):                        # FLUSHDB of the example's keys
            c.delete(k)
        assert Workspace.open(root).sync().inserted == 14
        assert Workspace.open(root).verify().empty
    finally:
        c.close()
