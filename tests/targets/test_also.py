"""A spec feeding several targets from one parse (target.also), and --only."""

from __future__ import annotations

import uuid

import pytest

from syncspec import ConfigError, Workspace
from syncspec.targets.memory import MemoryTarget

from test_contract import NOTES


def _workspace(tmp_path, extra_target: str = "") -> tuple:
    store = uuid.uuid4().hex
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(
        f"project: p\ndatabase: sqlite:///{tmp_path / 't.db'}\nspecs: specs/\ntargets:\n  mem: memory://{store}\n")
    (root / "specs" / "notes.yaml").write_text(
        "sync: notes\nsource:\n  files: docs/NOTES.md\n  records:\n"
        "    - sections: {level: 2, match: '^(?P<note_id>N-\\d+):\\s*(?P<title>.*)$'}\n"
        "target:\n  table: notes\n  key: [note_id]\n  columns:\n    note_id: text\n    title: text\n"
        + (f"  also:\n    - {{kind: sql, use: {extra_target}, table: copy}}\n" if extra_target else
           "  also:\n    - {kind: memory, use: mem}\n"))
    (root / "docs" / "NOTES.md").write_text(NOTES)
    return root, store


def test_one_parse_feeds_sql_and_memory(tmp_path):
    root, store = _workspace(tmp_path)
    result = Workspace.open(root).sync()
    assert [(cs.table, cs.counts["inserted"]) for cs in result.changes] == [
        ("notes", 3), ("memory:mem/notes", 3)]
    held = MemoryTarget.store(store)["memory:mem/notes"]
    assert sorted(held) == [("N-1",), ("N-2",), ("N-3",)]
    assert held[("N-1",)]["values"]["title"] == "First"
    again = Workspace.open(root).sync()
    assert [cs.counts for cs in again.changes] == [
        {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 3}] * 2
    runs = Workspace.open(root).history()
    assert runs[0].run_id == again.run_id
    assert sorted(s.spec for s in runs[0].steps) == ["notes", "notes@mem"]   # both stores, one run


def test_only_runs_the_named_targets(tmp_path):
    root, store = _workspace(tmp_path)
    result = Workspace.open(root).sync(targets=["memory"])
    assert [cs.table for cs in result.changes] == ["memory:mem/notes"]
    assert not (tmp_path / "t.db").exists()          # the SQL target was never opened
    result = Workspace.open(root).sync(targets=["sql"])
    assert [(cs.table, cs.counts["inserted"]) for cs in result.changes] == [("notes", 3)]


def test_undeclared_target_is_a_located_config_error(tmp_path):
    root, _ = _workspace(tmp_path, extra_target="nowhere")
    (root / "syncspec.yaml").write_text(f"project: p\ndatabase: sqlite:///{tmp_path / 't.db'}\nspecs: specs/\n")
    with pytest.raises(ConfigError) as err:
        Workspace.open(root).sync()
    problem = err.value.problems[0]
    assert problem.message == "target 'nowhere' is not declared in syncspec.yaml"
    assert problem.file == "specs/notes.yaml" and problem.json_path == "$.target.also[0].use"


def test_progress_hears_files_read_and_held_back_rows_written(tmp_path):
    """A target without transactions is written after every file is read (embedding can take
    minutes): the progress callback hears those rows too, not only the files."""
    root, _ = _workspace(tmp_path)
    heard: list[tuple[str, int, int]] = []
    Workspace.open(root).sync(progress=lambda what, done, total: heard.append((what, done, total)))
    assert ("notes", 1, 1) in heard
    assert heard[-1] == ("writing notes to memory:mem/notes", 3, 3)
