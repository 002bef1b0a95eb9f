"""The git hooks in real repositories: seed 000 (a commit step that synced one database and forgot
the other) as specs, with the hooks deciding from git's file list which specs run."""

from __future__ import annotations

import os
import stat

from conftest import edit, git, init_repo, rows, runs, syncspec, write

TITLE_238 = "## Phase 238: System State Documentation Refresh"


def installed(root):
    r = syncspec(root, "hooks", "install")
    assert r.returncode == 0, r.stderr
    return r


def synced(root):
    installed(root)
    r = syncspec(root, "sync")
    assert r.returncode == 0, r.stderr
    return root


def test_a_commit_touching_system_state_syncs_its_table_and_not_the_capabilities(seed_repo):
    synced(seed_repo)
    before = runs(seed_repo)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: System State Refresh")
    r = git(seed_repo, "commit", "-q", "-am", "phase 238 retitled")
    assert "syncspec (post-commit): synced system_state" in r.stderr
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("System State Refresh",)]
    new = runs(seed_repo)[len(before):]
    assert [(state, specs) for _, state, specs in new] == [("succeeded", "system_state")]


def test_a_commit_touching_a_tool_runs_only_the_capabilities_scan(seed_repo):
    synced(seed_repo)
    before = runs(seed_repo)
    write(seed_repo, "tools/sre/health_check.py", '"""Check the platform is healthy."""\n')
    git(seed_repo, "add", "-A")
    r = git(seed_repo, "commit", "-q", "-m", "new tool")
    assert "synced capabilities" in r.stderr
    assert rows(seed_repo, "SELECT description FROM capabilities WHERE path = 'tools/sre/health_check.py'") == [
        ("Check the platform is healthy.",)]
    new = runs(seed_repo)[len(before):]
    assert [specs for _, _, specs in new] == ["capabilities"]


def test_a_commit_touching_both_syncs_both_in_one_run(seed_repo):
    synced(seed_repo)
    before = runs(seed_repo)
    write(seed_repo, "tools/sre/health_check.py", '"""Check."""\n')
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Both")
    git(seed_repo, "add", "-A")
    git(seed_repo, "commit", "-q", "-m", "both")
    new = runs(seed_repo)[len(before):]
    assert [specs for _, _, specs in new] == ["capabilities,system_state"]


def test_a_commit_touching_nothing_relevant_runs_no_sync(seed_repo):
    synced(seed_repo)
    before = runs(seed_repo)
    write(seed_repo, "notes/meeting.md", "# Notes\n")
    git(seed_repo, "add", "-A")
    r = git(seed_repo, "commit", "-q", "-m", "notes")
    assert "syncspec" not in r.stderr
    assert runs(seed_repo) == before


def test_a_failing_sync_warns_and_the_commit_goes_on(seed_repo):
    synced(seed_repo)
    head = git(seed_repo, "rev-parse", "HEAD").stdout
    with open(seed_repo / "SYSTEM_STATE.md", "a", encoding="utf-8") as fh:
        fh.write("\n## Phase 238: A second entry with the same key\n\n**Status**: PLANNED\n")
    r = git(seed_repo, "commit", "-q", "-am", "duplicate phase")
    assert r.returncode == 0
    assert git(seed_repo, "rev-parse", "HEAD").stdout != head
    assert "system_state failed" in r.stderr and "git went on" in r.stderr
    assert "238" in r.stderr                                # the problem is named
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [
        ("System State Documentation Refresh",)]           # all-or-nothing: the table is as before


def test_a_failing_spec_does_not_keep_the_other_one_stale(seed_repo):
    """Seed 000's point: the two syncs are independent; one broken source must not stop the other."""
    synced(seed_repo)
    with open(seed_repo / "SYSTEM_STATE.md", "a", encoding="utf-8") as fh:
        fh.write("\n## Phase 238: duplicate\n")
    write(seed_repo, "tools/sre/health_check.py", '"""Check."""\n')
    git(seed_repo, "add", "-A")
    r = git(seed_repo, "commit", "-q", "-m", "both, one broken")
    assert r.returncode == 0
    assert "system_state failed" in r.stderr and "synced capabilities" in r.stderr
    assert rows(seed_repo, "SELECT count(*) FROM capabilities WHERE path = 'tools/sre/health_check.py'") == [(1,)]


def test_a_blocking_spec_runs_before_the_commit_and_its_failure_aborts_it(seed_repo):
    edit(seed_repo, "specs/system_state.yaml", "trigger: [change, commit]", "trigger: [change, commit]\nblocking: true")
    git(seed_repo, "commit", "-q", "-am", "block on system state")
    synced(seed_repo)
    head = git(seed_repo, "rev-parse", "HEAD").stdout
    with open(seed_repo / "SYSTEM_STATE.md", "a", encoding="utf-8") as fh:
        fh.write("\n## Phase 238: duplicate\n")
    r = git(seed_repo, "commit", "-q", "-am", "duplicate phase", check=False)
    assert r.returncode != 0
    assert "commit aborted" in r.stderr and "system_state failed" in r.stderr
    assert git(seed_repo, "rev-parse", "HEAD").stdout == head
    # fixed: the pre-commit sync writes, the commit lands
    edit(seed_repo, "SYSTEM_STATE.md", "\n## Phase 238: duplicate\n", "\n## Phase 241: Fixed\n")
    r = git(seed_repo, "commit", "-q", "-am", "phase 241")
    assert r.returncode == 0, r.stderr
    assert "syncspec (pre-commit): synced system_state" in r.stderr
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 241") == [("Fixed",)]


def test_a_non_blocking_spec_does_not_run_before_the_commit(seed_repo):
    synced(seed_repo)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Later")
    r = git(seed_repo, "commit", "-q", "-am", "x")
    assert "pre-commit" not in r.stderr and "post-commit" in r.stderr


def test_install_twice_changes_nothing_and_keeps_an_existing_hook(seed_repo):
    hooks = seed_repo / ".git" / "hooks"
    mine = hooks / "post-commit"
    mine.write_text("#!/bin/sh\necho \"user hook ran $*\" >> \"$(git rev-parse --git-dir)/user-hook.log\"\n")
    mine.chmod(0o755)
    first = installed(seed_repo)
    assert "your hook kept as post-commit.pre-syncspec" in first.stdout
    texts = {p.name: p.read_text() for p in hooks.iterdir() if not p.name.endswith(".sample")}
    second = installed(seed_repo)
    assert "already installed" in second.stdout
    assert {p.name: p.read_text() for p in hooks.iterdir() if not p.name.endswith(".sample")} == texts
    assert texts["post-commit"].count("syncspec_run post-commit") == 1
    assert "user hook ran" in texts["post-commit.pre-syncspec"]
    syncspec(seed_repo, "sync")
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Chained")
    r = git(seed_repo, "commit", "-q", "-am", "x")
    assert "synced system_state" in r.stderr
    assert (seed_repo / ".git" / "user-hook.log").read_text().startswith("user hook ran")
    # uninstall puts the user's hook back, as it was
    r = syncspec(seed_repo, "hooks", "install", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert "user hook ran" in mine.read_text() and "syncspec" not in mine.read_text()
    assert not (hooks / "post-merge").exists()
    assert os.stat(mine).st_mode & stat.S_IXUSR


def test_core_hooks_path_is_respected(seed_repo):
    git(seed_repo, "config", "core.hooksPath", ".githooks")
    installed(seed_repo)
    assert (seed_repo / ".githooks" / "post-commit").is_file()
    assert not (seed_repo / ".git" / "hooks" / "post-commit").exists()
    syncspec(seed_repo, "sync")
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Via hooksPath")
    r = git(seed_repo, "commit", "-q", "-am", "x")
    assert "synced system_state" in r.stderr


def test_a_workspace_in_a_subfolder(tmp_path):
    """The hook runs at the repository's top; the workspace is examples/system_state-like, one level down."""
    import shutil

    from conftest import EXAMPLES

    top = tmp_path / "mono"
    shutil.copytree(EXAMPLES / "system_state", top / "ops" / "maia", ignore=shutil.ignore_patterns(".syncspec"))
    write(top, "SYSTEM_STATE.md", "# not the workspace's file\n")
    init_repo(top)
    ws = top / "ops" / "maia"
    synced(ws)
    before = runs(ws)
    edit(top, "SYSTEM_STATE.md", "not the", "still not the")       # same name, outside the workspace
    git(top, "commit", "-q", "-am", "outside")
    assert runs(ws) == before
    edit(ws, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Inside")
    r = git(top, "commit", "-q", "-am", "inside")
    assert "synced system_state" in r.stderr
    assert rows(ws, "SELECT title FROM phases WHERE phase = 238") == [("Inside",)]


def test_a_pull_that_brings_a_changed_source_syncs_it(seed_repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(seed_repo), str(clone))
    synced(clone)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Pulled")
    git(seed_repo, "commit", "-q", "-am", "upstream edit")
    r = git(clone, "pull", "-q", "--ff-only")
    assert "syncspec (post-merge): synced system_state" in r.stderr
    assert rows(clone, "SELECT title FROM phases WHERE phase = 238") == [("Pulled",)]


def test_a_checkout_and_a_rebase_sync_too(seed_repo):
    synced(seed_repo)
    git(seed_repo, "checkout", "-q", "-b", "feature")
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Feature")
    git(seed_repo, "commit", "-q", "-am", "feature edit")
    git(seed_repo, "checkout", "-q", "main")
    write(seed_repo, "tools/sre/on_main.py", '"""On main."""\n')
    git(seed_repo, "add", "-A")
    git(seed_repo, "commit", "-q", "-m", "main tool")
    r = git(seed_repo, "checkout", "-q", "feature")
    assert "post-checkout" in r.stderr
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("Feature",)]
    r = git(seed_repo, "rebase", "-q", "main")
    assert "syncspec (post-rewrite): synced capabilities" in r.stderr
    assert rows(seed_repo, "SELECT count(*) FROM capabilities WHERE path = 'tools/sre/on_main.py'") == [(1,)]


def test_the_stale_commit_guard_refuses_an_old_commit(seed_repo):
    synced(seed_repo)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: New")
    git(seed_repo, "commit", "-q", "-am", "new title")              # post-commit syncs it from this commit
    git(seed_repo, "checkout", "-q", "HEAD~1", env={"SYNCSPEC_SKIP_HOOKS": "1"})   # a stale CI job's checkout
    before = runs(seed_repo)
    r = syncspec(seed_repo, "sync")
    assert r.returncode == 0, r.stderr
    assert "skipped system_state: stale commit" in r.stdout and "--force" in r.stdout
    assert all("system_state" not in specs for _, _, specs in runs(seed_repo)[len(before):])
    assert "skipped capabilities" not in r.stdout       # last synced from this very commit: it runs (a no-op)
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("New",)]
    r = syncspec(seed_repo, "plan")
    assert "stale commit" in r.stdout
    r = syncspec(seed_repo, "sync", "--force")
    assert r.returncode == 0, r.stderr
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("System State Documentation Refresh",)]


def test_skip_env_turns_the_hooks_off(seed_repo):
    synced(seed_repo)
    before = runs(seed_repo)
    edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Skipped")
    r = git(seed_repo, "commit", "-q", "-am", "x", env={"SYNCSPEC_SKIP_HOOKS": "1"})
    assert "syncspec" not in r.stderr and runs(seed_repo) == before


def test_a_hook_run_on_a_commit_touching_no_source_imports_nothing_heavy(seed_repo):
    """The no-source hook decides from git's file list and the cached spec index: no YAML, jsonschema, peewee."""
    import subprocess
    import sys
    import time

    from conftest import git_env

    installed(seed_repo)
    old = time.time() - 60
    for path in [seed_repo / "syncspec.yaml", *(seed_repo / "specs").glob("*.yaml")]:
        os.utime(path, (old, old))
    write(seed_repo, "notes.md", "# not a source\n")
    git(seed_repo, "add", "-A")
    git(seed_repo, "commit", "-q", "-m", "notes")           # this hook run writes the index
    write(seed_repo, "notes.md", "# still not a source\n")
    git(seed_repo, "commit", "-q", "-am", "notes again", env={"SYNCSPEC_SKIP_HOOKS": "1"})
    probe = ("import sys; from syncspec.triggers.hooks import run; code = run('post-commit', '.', []); "
             "print(code, sorted(m for m in ('yaml', 'jsonschema', 'peewee', 'pyromark', 'syncspec.api') "
             "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", probe], cwd=seed_repo, capture_output=True, text=True, env=git_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "[]"], r.stdout + r.stderr
