"""A from: path no record has, next to one records do have, is a typo reported with the closest path."""

from __future__ import annotations

from syncspec import Workspace
from syncspec.errors import Problem
from syncspec.records import Mapper

SPEC = """\
sync: notes
source:
  files: docs/*.md
  records: [frontmatter]
target:
  table: notes
  key: [k]
  columns:
    k: {type: text, from: $path}
    status: {type: text, from: fields.stauts, default: open}
    owner: {type: text, from: ownr}
    covers: json
"""


def test_the_mapper_names_the_closest_path_of_a_typo_only(make_ws):
    ws = make_ws({"specs/n.yaml": SPEC,
                  "docs/a.md": "---\nfields: {status: done}\nowner: ann\n---\n",
                  "docs/b.md": "---\nfields: {status: open}\n---\n"})
    (spec,) = Workspace.open(ws).validate()
    from syncspec.sources import extract_file, resolve_files

    mapper = Mapper(spec, {"project": "demo", "sync": "notes"})
    problems: list[Problem] = []
    for path, display in resolve_files(spec, ws):
        for record in extract_file(spec, path, display).records:
            assert mapper.map(record, problems) is not None
    assert problems == []
    found = mapper.unread_paths()      # covers: like nothing the records hold, an optional key: not an error
    assert [(p.file, p.line, p.json_path, p.message) for p in found] == [
        ("specs/n.yaml", 10, "$.target.columns.status.from",
         "column 'status' of spec 'notes' reads 'fields.stauts', which no record has; did you mean 'fields.status'?"),
        ("specs/n.yaml", 11, "$.target.columns.owner.from",
         "column 'owner' of spec 'notes' reads 'ownr', which no record has; did you mean 'owner'?"),
    ]


def test_preview_notes_a_typo_even_behind_a_default(make_ws):
    ws = make_ws({"specs/n.yaml": SPEC, "docs/a.md": "---\nfields: {status: done}\nowner: ann\n---\n"})
    notes = Workspace.open(ws).preview("notes").notes
    assert "column 'status' reads 'fields.stauts', which no record has; did you mean 'fields.status'?" in notes


def test_sync_and_plan_fail_on_a_typo_and_write_nothing(make_ws, sqlite_url):
    import sqlite3

    import pytest

    from syncspec.errors import MappingError

    ws = make_ws({"specs/n.yaml": SPEC.replace("    owner: {type: text, from: ownr}\n", ""),
                  "docs/a.md": "---\nfields: {status: done}\n---\n"})
    for verb in ("plan", "sync"):
        with pytest.raises(MappingError) as err:
            getattr(Workspace.open(ws, database_url=sqlite_url), verb)()
        assert [p.format() for p in err.value.problems] == [
            "specs/n.yaml:10:32: $.target.columns.status.from: column 'status' of spec 'notes' reads "
            "'fields.stauts', which no record has; did you mean 'fields.status'?\n"
            "    hint: fix from: in specs/n.yaml (from: fields.status)"]
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'notes'").fetchall() == []


def test_an_optional_key_no_record_has_yet_is_not_an_error(make_ws, sqlite_url):
    import sqlite3

    ws = make_ws({"specs/n.yaml": SPEC.replace("from: fields.stauts, default: open", "from: fields.status")
                  .replace("    owner: {type: text, from: ownr}\n", ""),
                  "docs/a.md": "---\nfields: {status: done}\n---\n"})
    Workspace.open(ws, database_url=sqlite_url).sync()
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT k, status, covers FROM notes").fetchall() == [("docs/a.md", "done", None)]
