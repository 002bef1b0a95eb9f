"""Issue 11 defects 1-3: verify compares what each target really holds; repair rewrites exactly that."""

from __future__ import annotations

import pytest

from syncspec import Workspace

from test_keys_and_lookups import _workspace

NOTES = "## N-1: one\n**Status**: open\n\n## N-2: two\n**Status**: done\n\n## N-3: three\n"
SPEC_EXTRA = "    status: {type: text, from: fields.status}\n"


def _sql(root, statement: str) -> None:
    from syncspec.targets.sql import SqlTarget

    target = SqlTarget("database", Workspace.open(root).config.database_url)
    target.open(write=True)
    try:
        target.db.execute_sql(statement)
    finally:
        target.close()


def _spec_with_status(root) -> None:
    path = root / "specs" / "notes.yaml"
    path.write_text(path.read_text() + SPEC_EXTRA)


@pytest.fixture
def synced(tmp_path, db_url):
    root = _workspace(tmp_path, db_url, NOTES)
    _spec_with_status(root)
    Workspace.open(root).sync()
    return root


def test_a_value_edited_behind_syncspecs_back_is_drift_and_repair_fixes_only_it(synced):
    assert Workspace.open(synced).verify().empty
    _sql(synced, "UPDATE notes SET title = 'x' WHERE note_id = 'N-2'")
    found = Workspace.open(synced).verify()
    assert not found.empty
    (cs,) = found.changes
    assert [(r.key, cs.changed[r.key]) for r, _ in cs.updates] == [(("p", "N-2"), ("title",))]
    repaired = Workspace.open(synced).verify(repair=True)
    assert (repaired.inserted, repaired.updated, repaired.deleted) == (0, 1, 0)
    assert Workspace.open(synced).verify().empty


def test_a_row_deleted_by_hand_is_repaired_by_a_plain_sync(synced):
    _sql(synced, "DELETE FROM notes WHERE note_id = 'N-1'")
    assert Workspace.open(synced).verify().inserted == 1
    result = Workspace.open(synced).sync()         # the count guard sees 2 rows where the ledger has 3
    assert result.inserted == 1
    assert any("re-checked" in w.message for cs in result.changes for w in cs.warnings)
    assert Workspace.open(synced).verify().empty


def test_a_row_added_by_hand_is_extra(synced):
    _sql(synced, "INSERT INTO notes (project, note_id, title, content_hash) VALUES ('p', 'N-9', 'stray', 'x')")
    found = Workspace.open(synced).verify()
    assert [k for cs in found.changes for k, _ in cs.deletes] == [("p", "N-9")]
    Workspace.open(synced).verify(repair=True)
    assert Workspace.open(synced).verify().empty


def test_plan_and_verify_work_after_a_spec_adds_a_column(synced):
    path = synced / "specs" / "notes.yaml"
    path.write_text(path.read_text() + "    extra: {type: text, value: x}\n")
    plan = Workspace.open(synced).plan(details=True)
    (cs,) = plan.changes
    assert cs.schema_changes and "extra" in cs.schema_changes[0]
    assert len(cs.updates) == 3 and all(cs.changed[r.key] == ("extra",) for r, _ in cs.updates)
    assert not Workspace.open(synced).verify().empty
    Workspace.open(synced).sync()
    assert Workspace.open(synced).verify().empty
