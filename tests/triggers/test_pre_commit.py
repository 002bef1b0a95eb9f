"""The pre-commit framework (the real package) running syncspec's .pre-commit-hooks.yaml, offline:
its hooks as a `repo: local` entry (language system: nothing to install), in a temporary repository."""

from __future__ import annotations

import sys

import yaml

from conftest import REPO, edit, git, git_env, rows, runs
from conftest import syncspec as run_syncspec

TITLE_238 = "## Phase 238: System State Documentation Refresh"


def local_hooks() -> list[dict]:
    """Our manifest's hooks, run with this interpreter instead of an environment pre-commit would build."""
    from pre_commit.clientlib import load_manifest

    hooks = []
    for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml")):
        entry = hook["entry"].replace("syncspec ", f"{sys.executable} -m syncspec ", 1)
        hooks.append({"id": hook["id"], "name": hook["name"], "entry": entry, "language": "system",
                      "pass_filenames": hook["pass_filenames"], "always_run": hook["always_run"],
                      "stages": hook["stages"]})
    return hooks


def setup(root, tmp_path):
    config = {"default_install_hook_types": ["pre-commit", "post-commit", "post-merge", "post-checkout",
                                             "post-rewrite"],
              "repos": [{"repo": "local", "hooks": local_hooks()}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    git(root, "add", ".pre-commit-config.yaml")
    git(root, "commit", "-q", "-m", "pre-commit config")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    import subprocess

    r = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root, capture_output=True, text=True,
                       env=git_env(env), timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for hook in ("pre-commit", "post-commit", "post-merge", "post-checkout", "post-rewrite"):
        assert "pre-commit" in (root / ".git" / "hooks" / hook).read_text()
    assert run_syncspec(root, "sync").returncode == 0
    return env


def test_pre_commit_framework_runs_syncspec_after_a_commit(seed_repo, tmp_path):
    env = setup(seed_repo, tmp_path)
    before = runs(seed_repo)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Via pre-commit")
    r = git(seed_repo, "commit", "-m", "edit via pre-commit", "-a", env=env)
    assert "Passed" in r.stderr                       # pre-commit shows a passing hook's output only with verbose
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("Via pre-commit",)]
    assert [s for _, _, s in runs(seed_repo)[len(before):]] == ["system_state"]


def test_pre_commit_framework_blocks_on_a_blocking_spec_only(seed_repo, tmp_path):
    edit(seed_repo, "specs/system_state.yaml", "trigger: [change, commit]", "trigger: [change, commit]\nblocking: true")
    git(seed_repo, "commit", "-q", "-am", "blocking")
    env = setup(seed_repo, tmp_path)
    head = git(seed_repo, "rev-parse", "HEAD").stdout
    with open(seed_repo / "SYSTEM_STATE.md", "a", encoding="utf-8") as fh:
        fh.write("\n## Phase 238: duplicate\n")
    r = git(seed_repo, "commit", "-m", "broken", "-a", check=False, env=env)
    assert r.returncode != 0, r.stdout + r.stderr
    assert "commit aborted" in r.stdout + r.stderr
    assert git(seed_repo, "rev-parse", "HEAD").stdout == head
