"""Schema migrations: additive changes apply, destructive ones need --allow-destructive, versions are recorded."""

from __future__ import annotations

import json

import pytest

from syncspec import SchemaChangeRefused, Workspace

from relational_data import RUNS


def _spec(root):
    return root / "specs/b_runs.yaml"


def _edit(root, old: str, new: str) -> None:
    text = _spec(root).read_text()
    assert old in text
    _spec(root).write_text(text.replace(old, new))


def _versions(db) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in db.sql('SELECT "table_name", "version", "spec_hash", "applied_at", "applied_by" '
                                        'FROM "syncspec_schema"')}


def test_version_is_recorded_and_a_second_sync_leaves_it(rel_ws, db_url, real):
    root = rel_ws()
    Workspace.open(root, database_url=db_url).sync()
    first = _versions(real(db_url))
    assert set(first) == {"runs", "steps"} and first["runs"][0] == 1 and first["runs"][3]
    Workspace.open(root, database_url=db_url).sync()
    assert _versions(real(db_url)) == first
    status = {s.spec: s.schema_version for s in Workspace.open(root, database_url=db_url).status()}
    assert status == {"runs": 1, "steps": 1}


def test_an_added_column_migrates_and_keeps_the_data(rel_ws, db_url, real):
    root = rel_ws(with_steps=False)
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "    info: json\n", "    info: json\n    note: {type: text, from: owner}\n")
    _edit(root, "    - [state]\n", "    - [state]\n    - [note]\n")
    result = Workspace.open(root, database_url=db_url).sync()
    runs = next(c for c in result.changes if c.spec == "runs")
    assert "add column runs.note" in runs.schema_changes
    assert any("add index runs_note" in c for c in runs.schema_changes)
    db = real(db_url)
    assert db.rows("runs", "run_id", "state", "note") == [("r1", "open", "alice"), ("r2", "done", "bob"),
                                                          ("r3", "open", "carol")]
    assert db.indexes("runs")[("note",)] is False
    assert _versions(db)["runs"][0] == 2


def test_a_dropped_column_is_refused_without_the_flag(rel_ws, db_url, real, cli):
    root = rel_ws(with_steps=False)
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "    info: json\n", "")
    before = real(db_url).rows("runs", "run_id", "info", "owner")
    done = cli("sync", "--project", str(root), "--database-url", db_url)
    assert done.returncode == 1, done.stderr
    assert "drop column runs.info" in done.stderr and "2 non-null value(s) would be lost" in done.stderr
    assert "--allow-destructive" in done.stderr and "specs/b_runs.yaml:" in done.stderr
    db = real(db_url)
    assert db.rows("runs", "run_id", "info", "owner") == before          # nothing changed
    assert _versions(db)["runs"][0] == 1

    plan = cli("plan", "--project", str(root), "--database-url", db_url)
    assert plan.returncode == 0
    out = plan.stdout
    assert out.index("schema:") < out.index("plan:")                       # schema changes come first
    assert "drop column runs.info" in out and "needs --allow-destructive" in out

    done = cli("sync", "--allow-destructive", "--project", str(root), "--database-url", db_url)
    assert done.returncode == 0, done.stderr
    db = real(db_url)
    assert "info" not in db.columns("runs")
    assert db.rows("runs", "run_id", "state", "owner") == [("r1", "open", "alice"), ("r2", "done", "bob"),
                                                           ("r3", "open", "carol")]
    assert _versions(db)["runs"][0] == 2
    checks = " ".join(db.checks("runs"))
    assert "open" in checks                                                # other constraints survive
    assert db.indexes("runs")[("owner",)] is True


def test_a_retyped_column_converts_with_the_flag(rel_ws, db_url, real):
    runs = [dict(r, rank=str(i)) for i, r in enumerate(RUNS, 1)]
    root = rel_ws(runs=runs, with_steps=False)
    _edit(root, "    info: json\n", "    info: json\n    rank: text\n")
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "    rank: text\n", "    rank: integer\n")
    with pytest.raises(SchemaChangeRefused) as err:
        Workspace.open(root, database_url=db_url).sync()
    assert err.value.exit_code == 1 and "change type of runs.rank from text to integer" in str(err.value)
    Workspace.open(root, database_url=db_url).sync(allow_destructive=True)
    db = real(db_url)
    assert db.rows("runs", "run_id", "rank", "owner") == [("r1", 1, "alice"), ("r2", 2, "bob"), ("r3", 3, "carol")]
    again = Workspace.open(root, database_url=db_url).sync()
    assert (again.inserted, again.updated, again.deleted) == (0, 0, 0)


def test_a_new_constraint_that_existing_rows_violate_is_refused(rel_ws, db_url, real):
    root = rel_ws(with_steps=False)
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "choices: [open, done]", "choices: [open]")
    with pytest.raises(SchemaChangeRefused) as err:
        Workspace.open(root, database_url=db_url).sync(allow_destructive=True)
    assert "1 existing row(s) of runs violate it" in str(err.value)
    assert real(db_url).rows("runs", "run_id", "state")[1] == ("r2", "done")


def test_a_tightening_existing_rows_satisfy_applies_without_the_flag(rel_ws, db_url, real):
    root = rel_ws(with_steps=False)
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "owner: {type: text, unique: true}", "owner: {type: text, unique: true, null: false}")
    _edit(root, "choices: [open, done]", "choices: [open, done, failed]")
    result = Workspace.open(root, database_url=db_url).sync()
    notes = next(c for c in result.changes if c.spec == "runs").schema_changes
    assert "set runs.owner NOT NULL" in notes and any(n.startswith("add check") for n in notes)
    assert any(n.startswith("drop constraint") for n in notes)
    db = real(db_url)
    assert not db.columns("runs")["owner"].null
    assert "failed" in " ".join(db.checks("runs"))
    assert len(db.rows("runs", "run_id")) == 3
    (root / "data/runs.json").write_text(json.dumps({"runs": [dict(RUNS[0], state="failed")]}))
    assert Workspace.open(root, database_url=db_url).sync().updated == 1


def test_changing_a_parent_table_keeps_its_children(rel_ws, db_url, real):
    """SQLite rebuilds the parent (drop + rename): with foreign keys on, that would cascade to steps."""
    root = rel_ws()
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "    info: json\n", "")
    Workspace.open(root, database_url=db_url).sync(allow_destructive=True)
    db = real(db_url)
    assert [r[0] for r in db.rows("steps", "step_id")] == ["s1", "s2", "s3"]
    assert {("run_id", "runs", "run_id"), ("reviewer", "runs", "owner")} <= db.foreign_keys("steps")
    p = "?" if db.backend == "sqlite" else "%s"
    with db.db.atomic():
        db.sql(f'DELETE FROM "runs" WHERE "run_id" = {p}', ("r1",))
    assert db.rows("steps", "step_id", "reviewer") == [("s2", None)]     # still enforced after the change


def test_a_new_not_null_column(rel_ws, db_url, real):
    root = rel_ws(with_steps=False)
    Workspace.open(root, database_url=db_url).sync()
    _edit(root, "    info: json\n", "    info: json\n    tier: {type: integer, null: false}\n")
    with pytest.raises(SchemaChangeRefused) as err:
        Workspace.open(root, database_url=db_url).sync()
    assert "3 existing row(s)" in str(err.value) and "default:" in err.value.problems[0].hint
    _edit(root, "tier: {type: integer, null: false}", "tier: {type: integer, null: false, default: 2}")
    Workspace.open(root, database_url=db_url).sync()
    db = real(db_url)
    assert not db.columns("runs")["tier"].null
    assert db.rows("runs", "run_id", "tier") == [("r1", 2), ("r2", 2), ("r3", 2)]
