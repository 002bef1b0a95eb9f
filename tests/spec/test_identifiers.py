"""Identifiers the schema's pattern allows but the target cannot take (issue 11, defect 7)."""

from __future__ import annotations

import pytest

from syncspec import Workspace
from syncspec.spec.build import MODEL_ATTRIBUTES

SPEC = """\
sync: notes
source:
  files: docs/notes.md
  records:
    - sections: {level: 2, match: '^(?P<id>N-\\d+):?\\s*(?P<title>.*)$'}
target:
  table: notes
  key: [id]
  columns:
    id: text
    title: text
"""
NOTES = "## N-1: one\n\nbody\n"


@pytest.mark.parametrize("name", ["select", "insert", "update", "delete", "save", "get", "_meta", "__init__"])
def test_column_named_like_a_model_attribute_is_a_spec_error(spec_errors, name):
    errors = spec_errors(SPEC + f"    {name}: {{type: text, from: title}}\n", {"docs/notes.md": NOTES})
    assert len(errors) == 1
    assert errors[0].startswith(f"specs/x.yaml:12:5: $.target.columns.{name}: column name {name!r} is reserved: "
                                "the SQL target's model uses it")
    assert f"{{from: {name}}}" in errors[0]


def test_select_column_exits_1_on_sync_not_a_traceback(make_ws, cli):
    ws = make_ws({"specs/x.yaml": SPEC + "    select: {type: text, from: title}\n", "docs/notes.md": NOTES})
    r = cli("--project", str(ws), "sync")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "TypeError" not in r.stderr
    assert "$.target.columns.select: column name 'select' is reserved" in r.stderr


def test_the_reserved_list_covers_the_installed_peewee():
    import peewee

    class Probe(peewee.Model):
        probe = peewee.TextField()

    names = {n for n in dir(Probe) if not n.startswith("__")} - {"probe", "id"}
    assert names <= MODEL_ATTRIBUTES, sorted(names - MODEL_ATTRIBUTES)


@pytest.mark.parametrize("table, why", [("sqlite_x", "SQLite keeps its own tables"),
                                        ("SQLITE_stat", "SQLite keeps its own tables"),
                                        ("syncspec_runs", "syncspec keeps its run history"),
                                        ("syncspec_mine", "syncspec keeps its run history")])
def test_reserved_table_names_are_spec_errors(spec_errors, table, why):
    errors = spec_errors(SPEC.replace("table: notes", f"table: {table}"), {"docs/notes.md": NOTES})
    assert errors[0].startswith(f"specs/x.yaml:7:10: $.target.table: table name {table!r} is reserved: {why}")


def test_child_table_and_columns_are_checked_too(spec_errors):
    text = SPEC + ("  children:\n"
                   "    - table: syncspec_events\n"
                   "      each: links\n"
                   "      columns:\n"
                   "        update: {from: $item}\n")
    errors = spec_errors(text.replace("(?P<title>.*)$'}", "(?P<title>.*)$'}"), {"docs/notes.md": NOTES})
    assert any(e.startswith("specs/x.yaml:13:14: $.target.children[0].table: table name 'syncspec_events' "
                            "is reserved") for e in errors), errors
    assert any(e.startswith("specs/x.yaml:16:9: $.target.children[0].columns.update: column name 'update' "
                            "is reserved") for e in errors), errors


def test_columns_equal_but_for_case_are_a_spec_error(spec_errors):
    errors = spec_errors(SPEC + "    Title: {type: text, from: title}\n", {"docs/notes.md": NOTES})
    assert errors == ["specs/x.yaml:12:5: $.target.columns.Title: column 'Title' and column 'title' differ only "
                      "in case: SQLite and MySQL/MariaDB take them for one column\n    hint: rename one of them"]


def test_sql_keywords_are_fine_as_column_names_on_every_backend(make_ws, db_url):
    """Keywords are quoted by the generated SQL; only Model attributes had to be reserved."""
    ws = make_ws({"specs/x.yaml": SPEC + "    order: {type: text, from: title}\n    group: {type: text, from: body}\n"
                                         "    from_: {type: text, from: title}\n",
                  "docs/notes.md": NOTES})
    workspace = Workspace.open(ws, database_url=db_url)
    assert workspace.sync().inserted == 1
    assert workspace.sync().unchanged == 1
