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


@pytest.mark.parametrize("name", ["select", "insert", "update", "delete", "create_table", "_meta", "__init__"])
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


def _model_attributes() -> set[str]:
    import peewee

    class Probe(peewee.Model):
        probe = peewee.TextField()

    return {n for n in dir(Probe) if not n.startswith("__")} - {"probe", "id"}


def test_the_reserved_list_is_made_of_peewee_model_attributes():
    assert MODEL_ATTRIBUTES - {"Meta"} <= _model_attributes(), sorted(MODEL_ATTRIBUTES - _model_attributes())


def test_every_other_model_attribute_is_fine_as_a_column_on_every_backend(make_ws, db_url):
    """Not reserved, so proven: insert, update, delete, plan with details, full resync."""
    names = sorted(n for n in _model_attributes() - MODEL_ATTRIBUTES if not n.startswith("_"))
    assert {"get", "filter", "index", "save", "create", "copy", "dependencies"} <= set(names)
    columns = "".join(f"    {n}: {{type: text, from: title}}\n" for n in names)
    ws = make_ws({"specs/x.yaml": SPEC + columns, "docs/notes.md": NOTES + "## N-2: two\n"})
    workspace = Workspace.open(ws, database_url=db_url)
    assert workspace.sync().inserted == 2
    (ws / "docs" / "notes.md").write_text("## N-1: uno\n", encoding="utf-8")
    assert workspace.plan(details=True).updated == 1
    result = workspace.sync()
    assert (result.updated, result.deleted) == (1, 1)
    assert workspace.sync(full=True).unchanged == 1


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
