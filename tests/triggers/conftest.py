"""Real temporary git repositories holding syncspec workspaces (seed 000: examples/system_state)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """No global or system git config (hooksPath, templates) leaks into the test repositories."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    env.update(extra or {})
    return env


def git(root: Path, *args: str, check: bool = True, env: dict[str, str] | None = None):
    r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=git_env(env),
                       timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def syncspec(root: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "syncspec", "--project", str(root), *args], capture_output=True,
                          text=True, env=git_env(env), timeout=120)


def init_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".syncspec/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def rows(root: Path, sql: str, db: str = "maia.db") -> list[tuple]:
    con = sqlite3.connect(root / ".syncspec" / db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def runs(root: Path, db: str = "maia.db") -> list[tuple[str, str, str]]:
    """(run_id, state, comma-joined spec names) of every run, oldest first."""
    path = root / ".syncspec" / db
    if not path.exists():
        return []
    return rows(root, "SELECT r.run_id, r.state, COALESCE((SELECT group_concat(spec, ',') FROM "
                      "(SELECT spec FROM syncspec_step_attempts s WHERE s.run_id = r.run_id ORDER BY spec)), '') "
                      "FROM syncspec_runs r ORDER BY r.created_at", db)


@pytest.fixture
def seed_repo(tmp_path) -> Path:
    """examples/system_state (SYSTEM_STATE.md -> phases, tools/** -> capabilities) as a git repository."""
    root = tmp_path / "maia"
    shutil.copytree(EXAMPLES / "system_state", root, ignore=shutil.ignore_patterns(".syncspec"))
    return init_repo(root)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
