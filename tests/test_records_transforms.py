"""Column values: pattern, transform steps, defaults and coercion, through the Mapper as a sync runs it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from syncspec.records import Mapper, coerce
from syncspec.sources.records import Record
from syncspec.spec.model import Column, Spec
from syncspec.transforms import make_step


def mapper(*columns: Column, key: tuple[str, ...] = ("id",)) -> Mapper:
    spec = Spec(name="t", file="specs/t.yaml", files=("x",), strategies=(), table="t", key=key,
                columns=(Column("id", path=("id",)), *columns))
    return Mapper(spec, {"project": "p"})


def row(m: Mapper, data: dict, problems: list | None = None):
    problems = [] if problems is None else problems
    result = m.map(Record({"id": "1", **data}, "docs/a.md", 7, "sections"), problems)
    return result.values if result else None


@pytest.mark.parametrize("step, value, expected", [
    (("strip", None), "  a b  ", "a b"),
    (("lower", None), "ÄB", "äb"),
    (("upper", None), ["a", 1, "b"], ["A", 1, "B"]),
    (("collapse", None), "a \n\t b", "a b"),
    (("snake_case", None), "In Progress!", "in_progress"),
    (("number", None), "≈ 1,200.5 hours", "1200.5"),
    (("number", None), "-3 points", "-3"),
    (("number", None), "none", None),
    (("split", None), "a, b,,c ,", ["a", "b", "c"]),
    (("split", ";"), "a; b", ["a", "b"]),
    (("split", None), ["already", "a list"], ["already", "a list"]),
    (("join", None), ["a", None, 3], "a, , 3"),
    (("join", " | "), ["a", "b"], "a | b"),
    (("join", None), "text", "text"),
    (("first", None), ["a", "b"], "a"),
    (("first", None), [], None),
    (("last", None), ["a", "b"], "b"),
    (("first", None), "text", "text"),
    (("count", None), ["a", "b"], 2),
    (("count", None), {"a": 1}, 1),
    (("count", None), [], 0),
    (("count", None), "one value", 1),
])
def test_steps(step, value, expected):
    assert make_step(*step)(value) == expected


def test_pattern_then_transforms_then_default_then_type():
    m = mapper(Column("hours", type="integer", path=("est",), pattern=re.compile(r"est: (?P<value>.*)"),
                      transforms=(("number", None),), default=0))
    assert row(m, {"est": "est: about 1,500 minutes"}) == {"id": "1", "hours": 1500}
    assert row(m, {"est": "no estimate"}) == {"id": "1", "hours": 0}       # pattern misses: default
    assert row(m, {"est": "est: soon"}) == {"id": "1", "hours": 0}         # number finds none: default
    assert row(m, {}) == {"id": "1", "hours": 0}


def test_transforms_work_on_lists_and_feed_json_and_text_columns():
    m = mapper(Column("deps", type="json", path=("deps",), transforms=(("split", None), ("upper", None))),
               Column("deps_text", type="text", path=("deps",), transforms=(("split", None), ("join", " + "))),
               Column("n", type="integer", path=("list",), transforms=(("count", None),)),
               Column("first", type="text", path=("list",), transforms=(("first", None), ("lower", None))))
    assert row(m, {"deps": "pr-1, pr-2", "list": ["X", "Y"]}) == {
        "id": "1", "deps": ["PR-1", "PR-2"], "deps_text": "pr-1 + pr-2", "n": 2, "first": "x"}


def test_an_empty_list_after_a_transform_is_a_value_but_an_empty_text_is_not():
    m = mapper(Column("deps", type="json", path=("deps",), transforms=(("split", None),)),
               Column("joined", type="text", path=("list",), transforms=(("join", None),), required=True))
    problems: list = []
    assert row(m, {"deps": ",", "list": []}, problems) is None
    assert [p.format() for p in problems] == [
        "docs/a.md:7: $.target.columns.joined: column 'joined' of spec 't': has no value\n"
        "    hint: add the value to the source, or give the column a default"]
    assert row(m, {"deps": ",", "list": ["a"]}) == {"id": "1", "deps": [], "joined": "a"}


def test_choices_apply_after_transforms():
    m = mapper(Column("status", path=("s",), transforms=(("snake_case", None), ("upper", None)),
                      choices=("IN_PROGRESS", "DONE")))
    assert row(m, {"s": "In progress"})["status"] == "IN_PROGRESS"
    problems: list = []
    assert row(m, {"s": "Don"}, problems) is None
    assert problems[0].hint == "did you mean 'DONE'? allowed: IN_PROGRESS, DONE; or add a pattern: to extract one of them"


def test_nested_and_meta_paths():
    m = mapper(Column("status", path=("fields", "status")), Column("first", path=("items", "0")),
               Column("line", type="integer", path=("$line",)), Column("key", path=("$key",)),
               Column("deep", path=("a", "b", "c")))
    assert row(m, {"fields": {"status": " ok "}, "items": ["x"], "$key": "K", "a": {"b": {"c": "d"}}}) == {
        "id": "1", "status": "ok", "first": "x", "line": 7, "key": "K", "deep": "d"}
    assert row(m, {"fields": "not a dict", "items": []}) == {
        "id": "1", "status": None, "first": None, "line": 7, "key": None, "deep": None}


@pytest.mark.parametrize("value, ctype, expected", [
    (True, "text", "true"),
    (dt.date(2025, 11, 14), "text", "2025-11-14"),
    ({"b": 1, "a": [2]}, "text", '{"a":[2],"b":1}'),
    (dt.date(2025, 11, 14), "json", dt.date(2025, 11, 14)),       # YAML dates go into JSON columns as ISO text
    ({"when": dt.date(2025, 11, 14)}, "json", {"when": dt.date(2025, 11, 14)}),
    ("1_000", "integer", 1000),
    (3.0, "integer", 3),
    ("x", "boolean", True),
    ("2026-01-31T10:00:00+02:00", "datetime", dt.datetime(2026, 1, 31, 8, 0)),
])
def test_coerce(value, ctype, expected):
    assert coerce(value, ctype) == expected


@pytest.mark.parametrize("value, ctype", [(b"bytes", "json"), (True, "integer"), (2.5, "integer"), ("y?", "boolean")])
def test_coerce_errors(value, ctype):
    with pytest.raises((ValueError, TypeError)):
        coerce(value, ctype)
    with pytest.raises(ValueError):
        coerce("x", "nonsense")


def test_parse_json_reads_a_field_line_into_a_json_column(make_ws, sqlite_url):
    import sqlite3

    from syncspec import MappingError, Workspace

    spec = """sync: runs
source: {files: RUNS.md, records: [{sections: {match: '^(?P<id>RUN-\\d+)'}}]}
target:
  table: runs
  key: [id]
  columns:
    id: text
    meta: {type: json, from: fields.metadata, transform: [parse_json]}
"""
    root = make_ws({"RUNS.md": '## RUN-1\n\n- Metadata: {"trigger": "cron", "n": 2}\n', "specs/runs.yaml": spec})
    Workspace.open(root, database_url=sqlite_url).sync()
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT meta FROM runs").fetchall() == [('{"n":2,"trigger":"cron"}',)]
    (root / "RUNS.md").write_text("## RUN-1\n\n- Metadata: {trigger: cron}\n")
    with pytest.raises(MappingError) as err:
        Workspace.open(root, database_url=sqlite_url).sync()
    problem = err.value.problems[0]
    assert (problem.file, problem.line) == ("RUNS.md", 3) and "not JSON" in problem.message   # the field line itself
