"""Render back: markdown sections from a target's current rows, byte-exact outside the markers.

Against SQLite (any kind renders: rows come through the Target interface) and the real Redis
(with hot keys as fields); the CLI's exit codes are the real ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.errors import CheckFailed, SourceError

TASKS = """\
---
title: Tasks
status: <!-- syncspec:begin status --> not here
---
# Tasks

## PR-1: Parser
**State**: ready

## PR-2: Redis
**State**: in-progress

## PR-10: Render
**State**: planned

# Status (rendered; edit the tasks above)

<!-- syncspec:begin status -->
stale text
<!-- syncspec:end status -->

Trailing text, untouched.\r
No newline at the end"""


def make(tmp_path: Path, target: str, render: str, targets: str = "") -> Path:
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(f"project: r\ndatabase: sqlite:///{tmp_path / 'db.sqlite'}\nspecs: specs/\n"
                                        + targets)
    (root / "specs" / "tasks.yaml").write_text(textwrap.dedent("""\
        sync: tasks
        source:
          files: docs/TASKS.md
          records:
            - sections: {level: 2, match: '^(?P<id>PR-\\d+):\\s*(?P<title>.*)$'}
        """) + target + "  key: [id]\n  columns:\n    id: text\n    title: text\n"
                          "    state: {type: text, from: fields.state}\n" + render)
    (root / "docs" / "TASKS.md").write_bytes(TASKS.encode())
    return root


SQL = "target:\n  table: tasks\n"
RENDER = "render:\n  - {file: docs/TASKS.md, section: status, template: '- {id}: {state} ({title})'}\n"


def outside(text: str) -> tuple[str, str]:
    begin, end = "<!-- syncspec:begin status -->\n", "<!-- syncspec:end status -->"
    i = text.index(begin, text.index("# Status"))
    return text[:i + len(begin)], text[text.index(end, i):]


def test_render_writes_the_section_and_nothing_else(tmp_path):
    root = make(tmp_path, SQL, RENDER)
    ws = Workspace.open(root)
    ws.sync()
    path = root / "docs" / "TASKS.md"
    before = path.read_bytes().decode()
    [result] = ws.render()
    assert (result.state, result.rows) == ("written", 3)
    after = path.read_bytes().decode()
    assert outside(after) == outside(before)                   # front matter, CR, no final newline: as they were
    assert after.split("<!-- syncspec:begin status -->\n")[1].split("<!-- syncspec:end")[0] == (
        "- PR-1: ready (Parser)\n- PR-2: in-progress (Redis)\n- PR-10: planned (Render)\n")
    assert "status: <!-- syncspec:begin status --> not here" in after


def test_render_is_idempotent(tmp_path):
    root = make(tmp_path, SQL, RENDER)
    ws = Workspace.open(root)
    ws.sync()
    ws.render()
    path = root / "docs" / "TASKS.md"
    stamp, data = path.stat().st_mtime_ns, path.read_bytes()
    time.sleep(0.01)
    [again] = Workspace.open(root).render()
    assert again.state == "current"
    assert path.stat().st_mtime_ns == stamp and path.read_bytes() == data       # not even rewritten
    assert Workspace.open(root).sync().empty            # the section is outside every entry: nothing to sync


def test_render_check_exits_6_on_a_stale_section(tmp_path):
    root = make(tmp_path, SQL, RENDER)
    Workspace.open(root).sync()
    path = root / "docs" / "TASKS.md"
    data = path.read_bytes()
    with pytest.raises(CheckFailed):
        Workspace.open(root).render(check=True)
    assert path.read_bytes() == data
    cli = [sys.executable, "-m", "syncspec", "-p", str(root), "render"]
    assert subprocess.run([*cli, "--check"], capture_output=True).returncode == 6
    assert path.read_bytes() == data
    assert subprocess.run(cli, capture_output=True).returncode == 0
    assert subprocess.run([*cli, "--check"], capture_output=True).returncode == 0
    path.write_bytes(path.read_bytes().replace(b"**State**: ready", b"**State**: done"))
    Workspace.open(root).sync()
    done = subprocess.run([*cli, "--check"], capture_output=True, text=True)
    assert done.returncode == 6 and "stale" in done.stderr


def test_missing_markers_are_a_source_error(tmp_path):
    root = make(tmp_path, SQL, RENDER.replace("section: status", "section: nowhere"))
    Workspace.open(root).sync()
    with pytest.raises(SourceError, match="syncspec:begin nowhere"):
        Workspace.open(root).render()


def test_markers_only_in_front_matter_are_refused(tmp_path):
    root = make(tmp_path, SQL, RENDER)
    path = root / "docs" / "TASKS.md"
    path.write_text("---\nx: <!-- syncspec:begin status -->\n<!-- syncspec:end status -->\n---\n\n## PR-1: A\n")
    Workspace.open(root).sync()
    with pytest.raises(SourceError, match="front matter"):
        Workspace.open(root).render()
    assert path.read_text().startswith("---\nx: <!-- syncspec:begin status -->\n<!-- syncspec:end status -->\n")


def test_an_unknown_template_field_is_a_spec_error(tmp_path):
    from syncspec.errors import SpecError

    root = make(tmp_path, SQL, RENDER.replace("{title}", "{owner}"))
    Workspace.open(root).sync()
    with pytest.raises(SpecError, match="owner"):
        Workspace.open(root).render()


def _git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@x")
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def test_render_commits_with_the_message_and_skips_after_a_recent_commit(tmp_path, monkeypatch):
    for k, v in dict(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
                     GIT_COMMITTER_EMAIL="t@x").items():
        monkeypatch.setenv(k, v)
    root = make(tmp_path, SQL, "render:\n  - {file: docs/TASKS.md, section: status, template: '- {id}: {state}',\n"
                               "     commit: '[Display Sync] {section}: {rows} entries', quiet_seconds: 3600}\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    old = str(int(time.time()) - 7200)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "tasks"], check=True,
                   env=dict(os.environ, GIT_AUTHOR_DATE=old, GIT_COMMITTER_DATE=old))
    Workspace.open(root).sync()
    [r] = Workspace.open(root).render()
    assert (r.state, r.committed) == ("written", True)
    assert _git(root, "log", "-1", "--format=%s") == "[Display Sync] status: 3 entries\n"
    assert _git(root, "status", "--porcelain", "--", "docs/TASKS.md") == ""
    path = root / "docs" / "TASKS.md"           # a cold-state change lands as a commit just now
    path.write_bytes(path.read_bytes().replace(b"**State**: ready", b"**State**: done"))
    _git(root, "commit", "-qam", "PR-1: ready -> done")
    Workspace.open(root).sync()
    data = path.read_bytes()
    [r] = Workspace.open(root).render()
    assert r.state == "skipped" and "ago" in r.reason
    assert path.read_bytes() == data


redis = pytest.importorskip("redis")


def test_render_from_redis_with_hot_keys(tmp_path, redis_url):
    from syncspec.targets.redis import split_prefix

    target = ("target:\n  kind: redis\n  use: cache\n  key_template: 'pr:{id}:cold_state'\n  value: string\n"
              "  column: state\n  hot_keys:\n    - {template: 'pr:{id}:hot_state', clear_on: [removed, changed]}\n"
              "    - {template: 'pr:{id}:agent', clear_on: [removed, changed]}\n")
    render = ("render:\n  - {file: docs/TASKS.md, section: status, template: '- {id}: {hot_state} ({agent})',\n"
              "     require: [hot_state], empty: '(nobody is working)'}\n")
    root = make(tmp_path, target, render, f"targets:\n  cache: \"{redis_url}\"\n")
    Workspace.open(root).sync()
    [r] = Workspace.open(root).render()
    assert r.rows == 0 and "-->\n(nobody is working)\n<!-- syncspec:end" in (root / "docs" / "TASKS.md").read_text()
    url, prefix = split_prefix(redis_url)
    c = redis.Redis.from_url(url, decode_responses=True)
    try:
        c.set(f"{prefix}pr:PR-2:hot_state", "in-progress")
        c.set(f"{prefix}pr:PR-2:agent", "agent-1")
        c.set(f"{prefix}pr:PR-10:hot_state", "planning")
    finally:
        c.close()
    with pytest.raises(CheckFailed):
        Workspace.open(root).render(check=True)
    [r] = Workspace.open(root).render()
    assert r.rows == 2
    text = (root / "docs" / "TASKS.md").read_text()
    assert "-->\n- PR-2: in-progress (agent-1)\n- PR-10: planning ()\n<!-- syncspec:end" in text
    assert Workspace.open(root).render()[0].state == "current"
