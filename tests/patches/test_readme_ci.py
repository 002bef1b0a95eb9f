"""The README's "Patches in CI" workflow, run command for command on a git copy of examples/plan.

The `run:` steps are read from the fenced block in README.md, so the snippet
and this test cannot drift apart. Only `pip install` is skipped (the package
under test is already installed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO


def workflow() -> dict:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Patches in CI", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    return yaml.safe_load(block)


def commands(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step and not step["run"].startswith("pip install")]


def run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_readme_ci_snippet(example_ws, tmp_path):
    flow = workflow()
    check, apply = commands(flow["jobs"]["check"]), commands(flow["jobs"]["apply"])
    assert check == ["syncspec patch apply --check"]
    assert apply[0] == "syncspec patch apply"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", HOME=str(tmp_path),
               GIT_CONFIG_NOSYSTEM="1")
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    git("init", "-q", "-b", "main", cwd=example_ws)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "root", cwd=example_ws)
    (example_ws / ".gitignore").write_text(".syncspec/\n")
    git("add", "-A", cwd=example_ws)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "patches, not applied", cwd=example_ws)
    git("remote", "add", "origin", str(origin), cwd=example_ws)
    git("push", "-q", "-u", "origin", "main", cwd=example_ws)

    # a pull request carrying patches that were not applied fails the check job (exit 6), listing them
    proc = run(check[0], example_ws, env)
    assert proc.returncode == 6, proc.stderr
    assert proc.stderr.count("is pending") == 3

    # main applies, syncs and commits; the check then passes
    for command in apply:
        proc = run(command, example_ws, env)
        assert proc.returncode == 0, (command, proc.stdout, proc.stderr)
    assert git("log", "-1", "--format=%s", cwd=example_ws).strip() == "Apply master-plan patches"
    assert git("log", "-1", "--format=%s", "origin/main", cwd=example_ws).strip() == "Apply master-plan patches"
    assert set(git("show", "--name-only", "--format=", "HEAD", cwd=example_ws).split()) == {
        "plans/master_plan.json", "patches/applied.json"}
    assert git("status", "--porcelain", cwd=example_ws) == ""
    assert run(check[0], example_ws, env).returncode == 0

    # running main again applies nothing and commits nothing
    head = git("rev-parse", "HEAD", cwd=example_ws)
    for command in apply:
        assert run(command, example_ws, env).returncode == 0, command
    assert git("rev-parse", "HEAD", cwd=example_ws) == head
