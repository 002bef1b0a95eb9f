"""Selection: spec globs against git's file list, triggers per runner, the cached spec index,
--staged / --changed-since, and what `trigger:` accepts."""

from __future__ import annotations

import glob
import os
import time

import pytest

from conftest import edit, git, rows, runs, syncspec, write
from syncspec.triggers.select import SpecInfo, affected, glob_regex, read_index, spec_infos, write_index

TREE = ["a.md", "docs/a.md", "docs/x/b.md", "docs/x/y/c.md", "docs/x/y/c.txt", "tools/t.py", "tools/sre/s.py",
        "tools/sre/deep/d.py", "SYSTEM_STATE.md", "notes[1].md", "e?.md", "docs/-dash.md"]


@pytest.mark.parametrize("pattern", ["*.md", "docs/*.md", "docs/**/*.md", "**/*.md", "tools/**/*", "tools/*",
                                     "docs/x/**", "SYSTEM_STATE.md", "docs/[a-c].md", "docs/?.md", "**",
                                     "docs/[!a].md", "tools/**/*.py", "**/y/*"])
def test_glob_matching_agrees_with_the_engine_glob(tmp_path, pattern):
    for rel in TREE:
        write(tmp_path, rel, "x")
    found = {p.replace(os.sep, "/") for p in glob.glob(pattern, root_dir=tmp_path, recursive=True)
             if (tmp_path / p).is_file()}
    assert {p for p in TREE if glob_regex(pattern).match(p)} == found


def test_affected_by_runner():
    infos = [SpecInfo("state", "specs/state.yaml", ("SYSTEM_STATE.md",), ("change", "commit")),
             SpecInfo("caps", "specs/caps.yaml", ("tools/**/*",), ("change", "commit")),
             SpecInfo("live", "specs/live.yaml", ("live/*.md",), ("watch", "interval"), interval=30),
             SpecInfo("adhoc", "specs/adhoc.yaml", ("SYSTEM_STATE.md",), ("manual",)),
             SpecInfo("gate", "specs/gate.yaml", ("gate.md",), ("change",), blocking=True)]
    assert affected(infos, ["SYSTEM_STATE.md"], "commit") == ["state"]
    assert affected(infos, ["tools/sre/x.py"], "commit") == ["caps"]
    assert affected(infos, ["README.md"], "commit") == []
    assert affected(infos, ["specs/caps.yaml"], "commit") == ["caps"]          # the spec file itself
    assert affected(infos, ["syncspec.yaml"], "commit") == ["state", "caps"]  # the workspace: every spec
    assert affected(infos, ["live/a.md", "SYSTEM_STATE.md"], "watch") == ["state", "live"]
    assert affected(infos, ["gate.md", "SYSTEM_STATE.md"], "pre-commit") == ["gate"]
    assert affected(infos, ["SYSTEM_STATE.md"], "sync") == ["state"]          # manual: never by itself


def test_excluded_files_do_not_concern_a_spec():
    info = SpecInfo("docs", "specs/docs.yaml", ("docs/**/*.md",), ("commit",), exclude=("docs/archive/", "*.draft.md"))
    assert affected([info], ["docs/a.md"], "commit") == ["docs"]
    assert affected([info], ["docs/archive/old.md"], "commit") == []
    assert affected([info], ["docs/x/y.draft.md"], "commit") == []


def test_the_index_is_used_while_no_spec_file_changed_and_rebuilt_when_one_does(seed_repo):
    old = time.time() - 60
    for path in [seed_repo / "syncspec.yaml", *(seed_repo / "specs").glob("*.yaml")]:
        os.utime(path, (old, old))
    assert read_index(seed_repo) is None
    infos = spec_infos(seed_repo)                       # loads and validates, then remembers
    assert sorted(i.name for i in infos) == ["capabilities", "system_state"]
    assert read_index(seed_repo) == infos
    spec = seed_repo / "specs" / "capabilities.yaml"
    edit(seed_repo, "specs/capabilities.yaml", "trigger: [change, commit]", "trigger: manual")
    os.utime(spec, (old + 1, old + 1))
    assert read_index(seed_repo) is None                # one spec file's stat moved: not trusted
    assert {i.name: i.trigger for i in spec_infos(seed_repo)}["capabilities"] == ("manual",)


def test_a_fresh_spec_file_is_not_cached(seed_repo):
    from syncspec.api import Workspace

    ws = Workspace.open(seed_repo)
    (seed_repo / "specs" / "capabilities.yaml").touch()     # within git's "racy" window
    write_index(ws.root, ws.config.specs_dir, ws.specs())
    assert read_index(seed_repo) is None


def test_staged_selects_by_the_index(seed_repo):
    assert syncspec(seed_repo, "sync").returncode == 0
    before = runs(seed_repo)
    write(seed_repo, "tools/sre/new.py", '"""New."""\n')
    edit(seed_repo, "SYSTEM_STATE.md", "## Phase 238: System State Documentation Refresh", "## Phase 238: Unstaged")
    r = syncspec(seed_repo, "sync", "--staged")
    assert r.returncode == 0, r.stderr
    assert "no spec concerned" in r.stdout and runs(seed_repo) == before
    git(seed_repo, "add", "tools/sre/new.py")
    r = syncspec(seed_repo, "sync", "--staged")
    assert r.returncode == 0, r.stderr
    assert [s for _, _, s in runs(seed_repo)[len(before):]] == ["capabilities"]


def test_changed_since_a_ref(seed_repo):
    assert syncspec(seed_repo, "sync").returncode == 0
    git(seed_repo, "tag", "base")
    edit(seed_repo, "SYSTEM_STATE.md", "## Phase 238: System State Documentation Refresh", "## Phase 238: Since")
    git(seed_repo, "commit", "-q", "-am", "x")
    before = runs(seed_repo)
    r = syncspec(seed_repo, "sync", "--changed-since", "base", "--json")
    assert r.returncode == 0, r.stderr
    assert [s for _, _, s in runs(seed_repo)[len(before):]] == ["system_state"]
    assert rows(seed_repo, "SELECT title FROM phases WHERE phase = 238") == [("Since",)]
    r = syncspec(seed_repo, "sync", "--changed-since", "no-such-ref")
    assert r.returncode == 1 and "no-such-ref" in r.stderr and "Traceback" not in r.stderr


def test_a_plain_sync_skips_specs_it_does_not_trigger(seed_repo):
    edit(seed_repo, "specs/capabilities.yaml", "trigger: [change, commit]", "trigger: manual")
    r = syncspec(seed_repo, "sync")
    assert r.returncode == 0, r.stderr
    assert "skipped capabilities: trigger: manual (runs only when named: --spec capabilities)" in r.stdout
    assert [s for _, _, s in runs(seed_repo)] == ["system_state"]
    r = syncspec(seed_repo, "sync", "--spec", "capabilities")
    assert r.returncode == 0, r.stderr
    assert [s for _, _, s in runs(seed_repo)][-1] == "capabilities"


@pytest.mark.parametrize("trigger, ok", [
    ("manual", True), ("[change]", True), ("[watch, {interval: 30s}]", True), ("[commit, {interval: 250ms}]", True),
    ("[{interval: 1.5m}]", True), ("[chnage]", False), ("[{interval: soon}]", False), ("[manual, commit]", False),
    ("[]", False), ("[change, change]", False), ("[{interval: 0s}]", False)])
def test_what_trigger_accepts(make_ws, trigger, ok):
    from syncspec.api import Workspace
    from syncspec.errors import SpecError

    root = make_ws({"a.md": "# A\n", "specs/a.yaml": (
        "sync: a\nsource: {files: a.md, records: [file]}\ntarget: {table: a, key: [path], columns: {path: text}}\n"
        f"trigger: {trigger}\n")})
    if ok:
        spec = Workspace.open(root).specs()[0]
        assert spec.trigger
        return
    with pytest.raises(SpecError) as info:
        Workspace.open(root).specs()
    text = str(info.value)
    assert "specs/a.yaml:4" in text, text
    if "chnage" in trigger:
        assert "did you mean 'change'" in text


def test_interval_and_blocking_reach_the_spec(make_ws):
    from syncspec.api import Workspace

    root = make_ws({"a.md": "# A\n", "specs/a.yaml": (
        "sync: a\nsource: {files: a.md, records: [file]}\ntarget: {table: a, key: [path], columns: {path: text}}\n"
        "trigger: [watch, {interval: 2m}]\nblocking: true\n")})
    spec = Workspace.open(root).specs()[0]
    assert (spec.trigger, spec.interval, spec.blocking) == (("watch", "interval"), 120.0, True)
