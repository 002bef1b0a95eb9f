"""Issue 11 defects 13 and 14: keys behave as the source says on every SQL backend."""

from __future__ import annotations

from syncspec import Workspace

SPEC = """\
sync: notes
source:
  files: docs/NOTES.md
  records:
    - sections: {level: 2, match: '^(?P<note_id>\\S+):\\s*(?P<title>.*)$'}
target:
  table: notes
  key: [project, note_id]
  columns:
    project: {type: text, value: "{project}"}
    note_id: text
    title: text
"""


def _workspace(tmp_path, database, notes: str):
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(f"project: p\ndatabase: {database}\nspecs: specs/\n")
    (root / "specs" / "notes.yaml").write_text(SPEC)
    (root / "docs" / "NOTES.md").write_text(notes)
    return root


def _stored(root) -> set[tuple]:
    from syncspec.engine import bindings_of
    from syncspec.targets.sql import SqlTarget

    ws = Workspace.open(root)
    target = SqlTarget("database", ws.config.database_url)
    target.open(write=False)
    try:
        return set(target.index(bindings_of(ws.specs()[0])[0]))
    finally:
        target.close()


def test_a_pasted_batch_of_new_keys_plans_and_syncs(tmp_path, db_url):
    """Defect 13: 84+ new composite keys in one changed file overflowed SQLite's parser stack."""
    root = _workspace(tmp_path, db_url, "## N-1: one\n")
    Workspace.open(root).sync()
    with (root / "docs" / "NOTES.md").open("a") as f:
        f.write("".join(f"\n## P-{i}: pasted {i}\n" for i in range(300)))
    plan = Workspace.open(root).plan()
    assert (plan.inserted, plan.unchanged) == (300, 1)
    result = Workspace.open(root).sync()
    assert (result.inserted, result.unchanged) == (300, 1)
    assert len(_stored(root)) == 301


def test_keys_differing_in_case_or_accents_are_two_rows(tmp_path, db_url):
    """Defect 14: MariaDB's default collation folded `api`/`API` and `cafe`/`café` into one row."""
    root = _workspace(tmp_path, db_url, "## api: lower\n\n## API: upper\n\n## cafe: plain\n\n## café: accent\n")
    result = Workspace.open(root).sync()
    assert result.inserted == 4
    assert _stored(root) == {("p", "api"), ("p", "API"), ("p", "cafe"), ("p", "café")}
    again = Workspace.open(root).sync()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
