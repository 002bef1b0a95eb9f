"""Issue 11 defect 18: a run refused for bad input leaves no schema change behind, on every backend."""

from __future__ import annotations

import pytest

from syncspec import MappingError, Workspace

from test_keys_and_lookups import _workspace

GOOD = "## N-1: one\n"
BAD = "## N-1: one\n\n## N-2: two\n"          # with the spec below, N-2's title is not an integer


def _columns(root) -> set[str]:
    from syncspec.targets.sql import SqlTarget

    target = SqlTarget("database", Workspace.open(root).config.database_url)
    target.open(write=False)
    try:
        if not target.db.table_exists("notes"):
            return set()
        return {c.name for c in target.db.get_columns("notes")}
    finally:
        target.close()


def test_a_failed_first_run_leaves_no_tables(tmp_path, db_url):
    root = _workspace(tmp_path, db_url, BAD)
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text() + "    n: {type: integer, from: title}\n")
    with pytest.raises(MappingError):
        Workspace.open(root).sync()
    assert _columns(root) == set()


def test_a_refused_run_does_not_migrate_the_table(tmp_path, db_url):
    root = _workspace(tmp_path, db_url, GOOD)
    Workspace.open(root).sync()
    before = _columns(root)
    spec = root / "specs" / "notes.yaml"
    # a new column (ALTER on MariaDB) and a tightening (a table rebuild on SQLite), then bad input
    spec.write_text(spec.read_text().replace("    title: text\n", "    title: {type: text, nullable: false}\n"
                                             if "nullable" in spec.read_text() else "    title: text\n")
                    + "    extra: {type: text, value: x}\n    n: {type: integer, from: title}\n")
    (root / "docs" / "NOTES.md").write_text(BAD)
    with pytest.raises(MappingError):
        Workspace.open(root).sync()
    assert _columns(root) == before
