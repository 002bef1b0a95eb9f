"""Values every backend must store alike are checked by the mapper before anything is written
(issue 11, defects 9, 16, 20, 23): the same located MappingError (exit 1) on SQLite, PostgreSQL and MariaDB,
where the databases used to disagree (SQLite stores, PostgreSQL and MariaDB refuse with exit 2, NaN
becomes NULL on one and NaN on another)."""

from __future__ import annotations

import pytest

from syncspec import Workspace
from syncspec.errors import MappingError

SPEC = """\
sync: items
source:
  files: data/items.yaml
  records:
    - yaml: {pointer: '/items/{id}'}
target:
  table: items
  key: [id]
  columns:
    id: text
    n: integer
    score: real
    short: {type: text, length: 5}
    note: text
    info: json
"""
GOOD = "items:\n  a: {n: 1, score: 1.5, short: abc, note: fine, info: {x: [1]}}\n"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


CASES = [
    # (the item's flow mapping, column, message part)
    ("{n: 9223372036854775808}", "n", "does not fit in 64 bits"),
    ("{n: -9223372036854775809}", "n", "does not fit in 64 bits"),
    ("{score: .nan}", "score", "is not a finite number"),
    ("{score: .inf}", "score", "is not a finite number"),
    ("{score: 1" + "0" * 400 + "}", "score", "is too large for a double"),
    ("{short: abcdef}", "short", "has 6 characters, more than the column's length: 5"),
    ('{note: "a\\0b"}', "note", "holds a NUL character"),
    ("{info: " + deep(32) + "}", "info", "is nested 32 levels deep; MariaDB refuses JSON deeper than 31"),
    ("{info: {x: .inf}}", "info", "holds NaN or Infinity"),
    ('{info: {x: "a\\0b"}}', "info", "holds a NUL character"),
    ('{note: "x\\ud800"}', "note", "lone UTF-16 surrogate"),
]


def stored_rows(url: str) -> int:
    """Rows of the items table, read with peewee's own URL connect (not through syncspec)."""
    from playhouse.db_url import connect

    db = connect(url)
    try:
        return db.execute_sql("SELECT COUNT(*) FROM items").fetchone()[0] if db.table_exists("items") else 0
    finally:
        db.close()


def make(make_ws, item: str, key: str = "b") -> Workspace:
    return make_ws({"specs/items.yaml": SPEC, "data/items.yaml": GOOD + f"  {key}: {item}\n"})


@pytest.mark.parametrize("item, column, message", CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES])
def test_value_the_backends_disagree_on_is_a_located_mapping_error(make_ws, db_url, item, column, message):
    ws = Workspace.open(make(make_ws, item), database_url=db_url)
    with pytest.raises(MappingError) as info:
        ws.sync()
    problem, = info.value.problems
    assert (problem.file, problem.line, problem.json_path) == ("data/items.yaml", 3, f"$.target.columns.{column}")
    assert message in problem.message and problem.hint
    assert all(run.state == "failed" for run in ws.history())   # at most the refused run is on the record
    assert stored_rows(db_url) == 0


def test_the_limits_themselves_are_stored(make_ws, db_url):
    item = ("{n: 9223372036854775807, score: -1.5e308, short: abcde, info: " + deep(31) + "}")
    ws = Workspace.open(make(make_ws, item), database_url=db_url)
    assert ws.sync().inserted == 2
    assert ws.sync().unchanged == 2


def test_key_text_longer_than_255_characters(make_ws, db_url):
    ws = Workspace.open(make(make_ws, "{n: 1}", key="k" * 256), database_url=db_url)
    with pytest.raises(MappingError) as info:
        ws.sync()
    problem, = info.value.problems
    assert problem.json_path == "$.target.columns.id" and problem.line == 3
    assert "has 256 characters, more than the column's key text limit 255" in problem.message


def test_cli_exit_1_with_the_location(make_ws, cli):
    ws = make(make_ws, "{n: 99999999999999999999}")
    r = cli("--project", str(ws), "sync")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    # the value's own line and column (issue 15's value origins), then the column and the reason
    assert "data/items.yaml:3:10: $.target.columns.n: column 'n' of spec 'items': value 99999999999999999999 is " \
           "not a valid integer (does not fit in 64 bits" in r.stderr
