"""Declared constraints, indexes and foreign keys: the same real schema and behaviour on every backend."""

from __future__ import annotations

import json

import peewee
import pytest

from relational_data import RUNS, STEPS

from syncspec import SpecError, Workspace


def test_declarations_become_the_same_real_schema(rel_ws, db_url, real):
    root = rel_ws()
    result = Workspace.open(root, database_url=db_url).sync()
    assert [c.spec for c in result.changes] == ["runs", "steps"]      # parents first, whatever the file order
    assert (result.inserted, result.updated, result.deleted) == (6, 0, 0)
    db = real(db_url)

    runs, steps = db.columns("runs"), db.columns("steps")
    assert not runs["run_id"].null and not runs["state"].null and runs["owner"].null
    assert not steps["run_id"].null and steps["reviewer"].null
    assert "open" in str(runs["state"].default)                      # default: -> DB DEFAULT

    indexes = db.indexes("runs")
    assert indexes[("owner",)] is True                                # unique: true
    assert indexes[("state",)] is False                               # indexes: [[state]]
    assert indexes[("state", "run_id")] is True                       # unique: [[state, run_id]]
    assert indexes[("owner", "state")] is False
    assert "runs_owner_state" in db.index_names("runs")              # a named index keeps its name

    assert {("run_id", "runs", "run_id"), ("reviewer", "runs", "owner")} <= db.foreign_keys("steps")

    checks = " ".join(db.checks("runs"))
    assert "open" in checks and "done" in checks                      # choices -> CHECK
    if db.backend == "postgresql":
        assert runs["info"].data_type == "jsonb"
    elif db.backend == "sqlite":
        assert "json_valid" in checks
    else:                                                             # MariaDB: JSON = LONGTEXT + json_valid
        assert "json_valid" in checks

    info = dict(db.rows("runs", "run_id", "info"))
    assert [json.loads(v) if isinstance(v, str) else v for v in (info["r1"], info["r2"])] == [{"a": 1}, [1, 2]]
    assert info["r3"] is None
    assert dict(db.rows("runs", "run_id", "state"))["r3"] == "open"   # the spec default filled it

    again = Workspace.open(root, database_url=db_url).sync()          # JSONB reads back equal: no updates
    assert (again.inserted, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 6)
    plan = Workspace.open(root, database_url=db_url).plan(details=True)
    assert plan.empty


def _raw_fails(db, sql: str, params: tuple = ()) -> None:
    with pytest.raises(peewee.DatabaseError):
        with db.db.atomic():
            db.sql(sql, params)


def test_the_database_itself_rejects_what_the_spec_forbids(rel_ws, db_url, real):
    Workspace.open(rel_ws(), database_url=db_url).sync()
    db = real(db_url)
    p = "?" if db.backend == "sqlite" else "%s"
    _raw_fails(db, f'INSERT INTO "runs" ("run_id", "state") VALUES ({p}, {p})', ("r9", "bogus"))      # CHECK
    _raw_fails(db, f'INSERT INTO "runs" ("run_id", "state", "info") VALUES ({p}, {p}, {p})', ("r9", "open", "{no"))
    _raw_fails(db, f'INSERT INTO "runs" ("run_id", "state", "owner") VALUES ({p}, {p}, {p})',
               ("r9", "open", "alice"))                                                        # unique owner
    _raw_fails(db, f'INSERT INTO "steps" ("step_id", "run_id") VALUES ({p}, {p})', ("s9", "nope"))   # FK
    _raw_fails(db, f'INSERT INTO "steps" ("step_id") VALUES ({p})', ("s9",))                         # NOT NULL
    assert [r[0] for r in db.rows("runs", "run_id")] == ["r1", "r2", "r3"]
    db.sql(f'INSERT INTO "runs" ("run_id") VALUES ({p})', ("r9",))                                 # DB DEFAULT
    assert dict(db.rows("runs", "run_id", "state"))["r9"] == "open"


def test_cascade_and_set_null(rel_ws, db_url, real):
    Workspace.open(rel_ws(), database_url=db_url).sync()
    db = real(db_url)
    p = "?" if db.backend == "sqlite" else "%s"
    with db.db.atomic():
        db.sql(f'DELETE FROM "runs" WHERE "run_id" = {p}', ("r1",))
    # s1 and s3 belonged to r1 (cascade); s2 was reviewed by r1's owner alice (set null)
    assert db.rows("steps", "step_id", "reviewer") == [("s2", None)]


def test_removing_parent_and_children_from_the_sources_deletes_children_first(rel_ws, db_url, real):
    root = rel_ws()
    (root / "specs/a_steps.yaml").write_text(
        (root / "specs/a_steps.yaml").read_text().replace("on_delete: cascade", "on_delete: restrict"))
    Workspace.open(root, database_url=db_url).sync()
    (root / "data/runs.json").write_text(json.dumps({"runs": [r for r in RUNS if r["run_id"] != "r1"]}))
    (root / "data/steps.json").write_text(json.dumps({"steps": [s for s in STEPS if s["run_id"] != "r1"]}))
    result = Workspace.open(root, database_url=db_url).sync()       # restrict: parents first would fail
    assert result.deleted == 3
    db = real(db_url)
    assert [r[0] for r in db.rows("runs", "run_id")] == ["r2", "r3"]
    assert [r[0] for r in db.rows("steps", "step_id")] == ["s2"]


def test_syncing_only_the_child_creates_its_parent_table(rel_ws, sqlite_url, real):
    root = rel_ws(steps=[])
    Workspace.open(root, database_url=sqlite_url).sync(["steps"])
    assert real(sqlite_url).db.table_exists("runs")


@pytest.mark.parametrize("fk, message", [
    ("{columns: [run_id], references: nope.run_id}", "table 'nope', which no spec"),
    ("{columns: [run_id], references: runs.state}", "neither the key nor a unique set"),
    ("{columns: [run_id], references: runs.missing}", "no column(s) missing"),
    ("{columns: [nope], references: runs.run_id}", "'nope' is not a column of this spec"),
    ("{columns: [run_id], references: runs.run_id, on_delete: set null}", "set null needs nullable columns"),
    ("{columns: [n], references: runs.run_id}", "column 'n' is integer but runs.run_id is text"),
])
def test_foreign_key_mistakes_are_spec_errors_with_a_line(rel_ws, fk, message):
    root = rel_ws()
    path = root / "specs/a_steps.yaml"
    text = path.read_text()
    start = text.index("  foreign_keys:")
    path.write_text(text[:start] + f"  foreign_keys:\n    - {fk}\n")
    with pytest.raises(SpecError) as err:
        Workspace.open(root).validate()
    problem = err.value.problems[0]
    assert message in problem.message
    assert problem.file == "specs/a_steps.yaml" and problem.line and problem.line >= 14
    assert problem.hint


def test_a_foreign_key_cycle_names_the_specs(rel_ws):
    root = rel_ws()
    path = root / "specs/b_runs.yaml"
    path.write_text(path.read_text().replace("    info: json\n", "    info: json\n    last_step: text\n")
                    + "  foreign_keys:\n    - {columns: [last_step], references: steps.step_id}\n")
    with pytest.raises(SpecError) as err:
        Workspace.open(root).validate()
    assert "cycle" in str(err.value) and "'runs'" in str(err.value) and "'steps'" in str(err.value)


def test_a_json_column_cannot_be_indexed(rel_ws):
    root = rel_ws(with_steps=False)
    path = root / "specs/b_runs.yaml"
    path.write_text(path.read_text().replace("    - [state]\n", "    - [info]\n"))
    with pytest.raises(SpecError) as err:
        Workspace.open(root).validate()
    assert "json column 'info' cannot be unique, indexed" in str(err.value)
