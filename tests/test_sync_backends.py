"""The sync contract, run against SQLite, PostgreSQL and MariaDB alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from syncspec import TargetError, Workspace


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the target with the plain driver (not through syncspec)."""
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(url))
    try:
        if "mysql" in url:
            sql = sql.replace('"', "`")
        return [tuple(r) for r in db.execute_sql(sql, params).fetchall()]
    finally:
        db.close()


def table_exists(url: str, name: str) -> bool:
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(url))
    try:
        return db.table_exists(name)
    finally:
        db.close()


def count_entries(url: str) -> int:
    return query(url, 'SELECT COUNT(*) FROM "sot_entries"')[0][0]


def test_example_syncs_then_second_run_writes_nothing(ledger_ws, db_url):
    ws = Workspace.open(ledger_ws, database_url=db_url)
    first = ws.sync()
    assert first.inserted >= 60 and first.updated == 0 and first.deleted == 0
    assert {c.spec: c.strategies for c in first.changes}["debug_log"] == {"table": 16}
    assert count_entries(db_url) == first.inserted
    second = ws.sync()
    assert (second.inserted, second.updated, second.deleted) == (0, 0, 0)
    assert second.unchanged == first.inserted
    runs = ws.history()
    assert [r.state for r in runs] == ["succeeded", "succeeded"]
    assert [r.run_id for r in runs] == [second.run_id, first.run_id]
    assert [s.spec for s in runs[1].steps] == ["build_history", "debug_log", "decisions"]
    assert runs[1].inserted == first.inserted and runs[0].unchanged == first.inserted
    assert len(ws.events(first.run_id)) == first.inserted
    assert ws.events(second.run_id) == []


def _edit_delete_add(root):
    path = root / "docs" / "BUILD_HISTORY.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("## BUILD-169: Qdrant embedding backfill", "## BUILD-169: Qdrant embedding backfill, v2")
    start = text.index("## BUILD-168:")
    end = text.index("\n## ", start + 5)
    text = text[:start] + text[end + 1:]
    text += "\n## BUILD-171: Brand new entry\n**Status**: PLANNED\n**Date**: 2026-02-01\n\nNew.\n"
    path.write_text(text, encoding="utf-8")


def test_edit_delete_add_plans_and_applies_exactly_three(ledger_ws, db_url):
    ws = Workspace.open(ledger_ws, database_url=db_url)
    total = ws.sync().inserted
    _edit_delete_add(ledger_ws)

    plan = Workspace.open(ledger_ws, database_url=db_url).plan(details=True)
    build = next(c for c in plan.changes if c.spec == "build_history")
    assert [r.key for r in build.inserts] == [("autopack", "build", "BUILD-171")]
    assert [r.key for r, _ in build.updates] == [("autopack", "build", "BUILD-169")]
    assert build.changed[("autopack", "build", "BUILD-169")] == ("title",)
    assert [k for k, _ in build.deletes] == [("autopack", "build", "BUILD-168")]
    assert (plan.inserted, plan.updated, plan.deleted) == (1, 1, 1)
    assert count_entries(db_url) == total  # plan wrote nothing

    result = Workspace.open(ledger_ws, database_url=db_url).sync()
    assert (result.inserted, result.updated, result.deleted) == (1, 1, 1)
    assert count_entries(db_url) == total
    rows = dict(query(db_url, 'SELECT "entry_id", "title" FROM "sot_entries" WHERE "entry_id" IN '
                              "('BUILD-169', 'BUILD-168', 'BUILD-171')"))
    assert rows == {"BUILD-169": "Qdrant embedding backfill, v2", "BUILD-171": "Brand new entry"}
    events = {(e.event_type, e.key[2]) for e in Workspace.open(ledger_ws, database_url=db_url).events(result.run_id)}
    assert events == {("insert", "BUILD-171"), ("update", "BUILD-169"), ("delete", "BUILD-168")}
    again = Workspace.open(ledger_ws, database_url=db_url).sync()
    assert (again.inserted, again.updated, again.deleted) == (0, 0, 0)


SPEC = """\
sync: items
source:
  files: docs/items.md
  records:
    - sections: {{level: 2, match: '^(?P<item>I-\\d+): (?P<title>.*)$', fields: [bold]}}
target:
  table: items
  key: [item, day]
  columns:
    item: text
    day: {{type: date, from: fields.day}}
    title: text
    n: {{type: integer, from: fields.n}}
    x: {{type: real, from: fields.x}}
    ok: {{type: boolean, from: fields.ok}}
    at: {{type: datetime, from: fields.at}}
    meta: {{type: json, from: fields}}
on_missing: {on_missing}
"""

ITEMS = """\
## I-1: first
**Day**: 2026-03-01
**N**: 42
**X**: 2.5
**Ok**: yes
**At**: 2026-03-01T10:30:00Z

## I-2: second
**Day**: 2026-03-02
**N**: -7
**Ok**: no
"""


def test_types_round_trip_and_date_keys_stay_idempotent(make_ws, db_url):
    root = make_ws({"specs/items.yaml": SPEC.format(on_missing="delete"), "docs/items.md": ITEMS})
    ws = Workspace.open(root, database_url=db_url)
    assert ws.sync().inserted == 2
    rows = query(db_url, 'SELECT "item", "day", "n", "x", "ok", "at", "meta" FROM "items" ORDER BY "item"')
    item, day, n, x, ok, at, meta = rows[0]
    assert (item, str(day), n, x, bool(ok)) == ("I-1", "2026-03-01", 42, 2.5, True)
    assert str(at).replace("T", " ").startswith("2026-03-01 10:30:00")
    if not isinstance(meta, str):      # JSONB on PostgreSQL reads back parsed
        from syncspec.records import canonical
        meta = canonical(meta)
    assert '"n":"42"' in meta
    assert rows[1][2:5] == (-7, None, 0) or rows[1][2:5] == (-7, None, False)
    again = Workspace.open(root, database_url=db_url).sync()
    assert (again.inserted, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 2)


def test_mark_soft_deletes_and_restores(make_ws, db_url):
    root = make_ws({"specs/items.yaml": SPEC.format(on_missing="mark"), "docs/items.md": ITEMS})
    Workspace.open(root, database_url=db_url).sync()
    (root / "docs/items.md").write_text(ITEMS.split("## I-2")[0], encoding="utf-8")
    result = Workspace.open(root, database_url=db_url).sync()
    assert result.deleted == 1
    rows = dict(query(db_url, 'SELECT "item", "deleted_at" FROM "items"'))
    assert rows["I-1"] is None and rows["I-2"] is not None
    assert Workspace.open(root, database_url=db_url).sync().deleted == 0  # already marked
    (root / "docs/items.md").write_text(ITEMS, encoding="utf-8")
    back = Workspace.open(root, database_url=db_url).sync()
    assert back.updated == 1
    assert dict(query(db_url, 'SELECT "item", "deleted_at" FROM "items"'))["I-2"] is None


def test_keep_never_deletes(make_ws, db_url):
    root = make_ws({"specs/items.yaml": SPEC.format(on_missing="keep"), "docs/items.md": ITEMS})
    Workspace.open(root, database_url=db_url).sync()
    (root / "docs/items.md").write_text(ITEMS.split("## I-2")[0], encoding="utf-8")
    assert Workspace.open(root, database_url=db_url).sync().deleted == 0
    assert len(query(db_url, 'SELECT * FROM "items"')) == 2


def test_a_failing_write_rolls_back_every_spec(make_ws, db_url):
    """All-or-nothing: the second spec's write fails, so the first spec's rows vanish too."""
    other = SPEC.format(on_missing="delete").replace("sync: items", "sync: zz_other").replace(
        "table: items", "table: other")
    root = make_ws({"specs/items.yaml": SPEC.format(on_missing="delete"), "specs/other.yaml": other,
                    "docs/items.md": ITEMS})
    # a pre-existing table with a CHECK of its own (not syncspec's, so kept) that I-2 (no x) violates;
    # a NOT NULL the spec does not declare would be dropped as a schema change
    ddl = ('CREATE TABLE "other" ("item" VARCHAR(255) NOT NULL, "day" DATE NOT NULL, "title" TEXT, '
           '"n" BIGINT, "x" DOUBLE PRECISION, "ok" BOOLEAN, "at" TIMESTAMP NULL, "meta" TEXT, '
           '"content_hash" VARCHAR(128), "created_at" TIMESTAMP NULL, "updated_at" TIMESTAMP NULL, '
           'PRIMARY KEY ("item", "day"), CONSTRAINT "x_not_null" CHECK ("x" IS NOT NULL))')
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(db_url))
    db.execute_sql(ddl.replace('"', "`") if "mysql" in db_url else ddl)
    db.close()
    ws = Workspace.open(root, database_url=db_url)
    with pytest.raises(TargetError) as err:
        ws.sync()
    assert err.value.exit_code == 2
    # SQLite and PostgreSQL roll the table's creation back; MySQL commits DDL at once, so the failed
    # run drops the table it created (issue 11, defect 18: before, it stayed behind, empty)
    assert not table_exists(db_url, "items")
    assert query(db_url, 'SELECT COUNT(*) FROM "other"')[0][0] == 0
    runs = ws.history()
    assert runs[0].state == "failed" and runs[0].exit_code == 2
    assert re.search(r"null|NULL|cannot be null", runs[0].error_message)
    # no row events (the run's own lifecycle events, running -> failed, are on the record since issue 11)
    assert query(db_url, 'SELECT COUNT(*) FROM "syncspec_run_events" WHERE event_type NOT IN (\'run:running\', \'run:failed\')')[0][0] == 0


def test_password_is_masked_in_target(ledger_ws):
    ws = Workspace.open(ledger_ws, database_url="postgresql://user:s3cret@127.0.0.1:1/x")
    assert ws.target == "postgresql://user:***@127.0.0.1:1/x"


def test_timestamps_kept(make_ws, sqlite_url):
    root = make_ws({"specs/items.yaml": SPEC.format(on_missing="delete"), "docs/items.md": ITEMS})
    Workspace.open(root, database_url=sqlite_url).sync()
    before = dict((r[0], r[1:]) for r in query(sqlite_url, 'SELECT item, created_at, updated_at FROM items'))
    (root / "docs/items.md").write_text(ITEMS.replace("first", "first!"), encoding="utf-8")
    Workspace.open(root, database_url=sqlite_url).sync()
    after = dict((r[0], r[1:]) for r in query(sqlite_url, 'SELECT item, created_at, updated_at FROM items'))
    assert after["I-1"][0] == before["I-1"][0] and after["I-1"][1] > before["I-1"][1]
    assert after["I-2"] == before["I-2"]
    assert dt.datetime.fromisoformat(after["I-1"][1]) >= dt.datetime.fromisoformat(before["I-1"][1])
