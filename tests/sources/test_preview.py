"""`syncspec preview` for spec authors: why a strategy yields nothing, columns no record fills, --json."""

from __future__ import annotations

import json

import pytest

from syncspec.preview import fallback_notes

LEDGER = """\
# Build log

## Build 12: parser

**Status**: done

## Build 13: cache

### BUILD-14: a deeper entry

| ID | Title |
|----|-------|
| B-1 | one |

- [ ] a task under Build 13
"""


def notes(pv) -> list[str]:
    return [n for n in pv.notes if not n.startswith("some records")]


def test_sections_say_how_many_headings_and_which_is_closest(preview):
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {match: '^(?P<heading>BUILD-\\d+):'}")
    assert pv.records == []
    assert notes(pv) == [
        "docs/a.md: no records. sections: no level-2 heading matches '^(?P<heading>BUILD-\\d+):', but 1 heading(s) "
        "of level 3 do (first: '### BUILD-14: a deeper entry' at line 9): set level: 3"]
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {match: '^(?P<heading>build \\d+):'}")
    assert notes(pv) == [
        "docs/a.md: no records. sections: 2 level-2 heading(s), none matched '^(?P<heading>build \\d+):'; it matches "
        "ignoring case: '## Build 12: parser' (line 3): start the regex with (?i)"]
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {match: '^(?P<heading>Bld-\\d+):'}")
    assert notes(pv) == [
        "docs/a.md: no records. sections: 2 level-2 heading(s), none matched '^(?P<heading>Bld-\\d+):'; "
        "closest: '## Build 12: parser' (line 3)"]
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {level: 4, match: 'x(?P<heading>y)'}")
    assert notes(pv) == ["docs/a.md: no records. sections: no level-4 headings (the file has 1 of level 1, "
                         "2 of level 2, 1 of level 3)"]
    pv = preview({"docs/a.md": "just text\n"}, records="- sections: {match: '(?P<heading>x)'}")
    assert notes(pv) == ["docs/a.md: no records. sections: the file has no headings"]


def test_a_fallback_says_why_the_earlier_strategies_yielded_nothing(preview):
    records = """\
- sections: {match: '^(?P<heading>X-\\d+)'}
- table: {under: '^INDEX$', columns: {ID: heading}}
- table
"""
    pv = preview({"docs/a.md": LEDGER}, records=records)
    assert [r["data"]["fields"]["id"] for r in pv.records] == ["B-1"]
    assert pv.files == [{"file": "docs/a.md", "strategy": "table", "records": 1, "tried": [
        ["sections", "2 level-2 heading(s), none matched '^(?P<heading>X-\\d+)'; closest: '## Build 12: parser' "
                     "(line 3)"],
        ["table", "1 table(s), none under a heading matching '^INDEX$'; the headings above the tables: "
                  "'BUILD-14: a deeper entry' (line 11)"]]}]
    assert notes(pv) == []
    assert fallback_notes(pv) == ["docs/a.md: 1 record(s) from the fallback table strategy (--why says why the "
                                  "ones before it found none)"]
    assert fallback_notes(pv, why=True)[0].startswith(
        "docs/a.md: 1 record(s) from table, after sections: 2 level-2 heading(s), none matched")


def test_tasks_frontmatter_json_and_table_reasons(preview):
    pv = preview({"docs/a.md": LEDGER}, records="- tasks: {under: '^PR-'}")
    assert notes(pv) == ["docs/a.md: no records. tasks: 1 task item(s), none under a heading matching '^PR-'; "
                         "their headings: 'BUILD-14: a deeper entry'"]
    pv = preview({"docs/a.md": LEDGER}, records="- tasks: {match: '^(?P<heading>fix)'}")
    assert notes(pv) == ["docs/a.md: no records. tasks: 1 task item(s), none matched '^(?P<heading>fix)'; "
                         "closest: 'a task under Build 13' (line 15)"]
    pv = preview({"docs/a.md": "- a\n- b\n"}, records="- tasks")
    assert notes(pv) == ["docs/a.md: no records. tasks: the file has no task-list items ('- [ ] text' or "
                         "'- [x] text'); it has 2 plain list item(s)"]
    pv = preview({"docs/a.md": LEDGER}, records="- frontmatter")
    assert notes(pv) == ["docs/a.md: no records. frontmatter: no front matter (the file must start with a '---' "
                         "line, then YAML, then a '---' line)"]
    pv = preview({"docs/a.md": "---\n\ntitle: x\n---\n"}, records="- frontmatter")
    assert notes(pv) == ["docs/a.md: no records. frontmatter: no front matter: a '---' line followed by a blank "
                         "line is a thematic break"]
    pv = preview({"docs/a.md": "---\npr: []\n---\n"}, records="- frontmatter: {items: prs}")
    assert notes(pv) == ["docs/a.md: no records. frontmatter: the front matter has no key 'prs' (keys: pr); "
                         "did you mean 'pr'?"]
    pv = preview({"docs/a.md": "---\nprs: []\n---\n"}, records="- frontmatter: {items: prs}")
    assert notes(pv) == ["docs/a.md: no records. frontmatter: /prs is an empty list, not a list with elements"]
    pv = preview({"p.json": '{"phases": {"P1": {"workstreams": {}}}}'},
                 records="- json: {pointer: /phases/*/workstreams/*}")
    assert notes(pv) == ["p.json: no records. json: /phases/P1/workstreams is an empty object, which has no "
                         "elements for '*' to match"]
    pv = preview({"docs/a.md": "text\n"}, records="- table")
    assert notes(pv) == ["docs/a.md: no records. table: the file has no markdown tables (a table needs a header "
                         "row and a '|---|' delimiter row)"]


def test_columns_no_record_fills_get_the_closest_path(preview):
    columns = """\
heading: text
status: {type: text, from: fields.stauts}
owner: {type: text, from: fields.owner}
"""
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {match: '^(?P<heading>Build \\d+)'}", columns=columns)
    assert pv.missing == {"status": 2, "owner": 2}
    assert pv.notes == [
        "column 'status' reads 'fields.stauts', which no record has; did you mean 'fields.status'?",
        "column 'owner' reads 'fields.owner', which no record has; records have: $file, $line, $path, $stem, "
        "$strategy, body, fields, fields.status, heading, level, links"]


def test_columns_some_records_fill(preview):
    columns = "heading: text\nstatus: {type: text, from: fields.status}\n"
    pv = preview({"docs/a.md": LEDGER}, records="- sections: {match: '^(?P<heading>Build \\d+)'}", columns=columns)
    assert pv.notes == ["some records have no value for: status (1 of 2)"]


def test_source_errors_are_collected_per_file(preview):
    pv = preview({"docs/a.md": "## X-1\n", "docs/b.md": b"## X-2\n\xff\n"}, pattern="docs/*.md",
                 records="- sections: {match: '(?P<heading>X-\\d)'}")
    assert [r["data"]["heading"] for r in pv.records] == ["X-1"]
    assert [p.format().splitlines()[0] for p in pv.problems] == [
        "docs/b.md:2:1: SS140 cannot decode byte 0xff at byte offset 7 as utf-8"]


@pytest.fixture
def tasks_ws(make_ws):
    spec = """\
sync: tasks
source:
  files: docs/*.md
  records:
    - tasks
target:
  table: tasks
  key: [heading, position]
  columns:
    heading: text
    position: integer
    text: text
    done: {type: boolean, from: checked}
    note: {type: text, from: parent}
"""
    return make_ws({"specs/tasks.yaml": spec, "docs/a.md": "## A\n\n- [x] one\n- [ ] two\n", "docs/b.md": "none\n"})


def test_cli_table_notes_and_columns(tasks_ws, cli):
    r = cli("--project", str(tasks_ws), "preview", "tasks")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "tasks: 2 record(s) from 2 file(s)",
        "source       strategy  heading  position  text  done   note",
        "docs/a.md:3  tasks     A        1         one   true",
        "docs/a.md:4  tasks     A        2         two   false",
        "note: column 'note' (from parent) is empty in all 2 record(s)",
        "note: docs/b.md: no records. tasks: the file has no task-list items ('- [ ] text' or '- [x] text')",
    ]
    r = cli("--project", str(tasks_ws), "preview", "tasks", "docs/a.md", "--columns", "text,done")
    assert r.stdout.splitlines()[:2] == ["tasks: 2 record(s) from 1 file(s)", "source       strategy  text  done"]
    r = cli("--project", str(tasks_ws), "preview", "tasks", "--columns", "txt")
    assert r.returncode == 1
    assert "no column 'txt' in spec 'tasks' (columns: heading, position, text, done, note)" in r.stderr


def test_cli_json_lines_keep_notes_on_stderr(tasks_ws, cli):
    r = cli("--project", str(tasks_ws), "preview", "tasks", "--json")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["file"], x["line"], x["strategy"], x["row"]["text"]) for x in lines] == [
        ("docs/a.md", 3, "tasks", "one"), ("docs/a.md", 4, "tasks", "two")]
    assert lines[0]["data"]["headings"] == ["A"]
    assert "note: docs/b.md: no records." in r.stderr


def test_cli_why_explains_fallbacks(make_ws, cli):
    spec = """\
sync: log
source:
  files: docs/*.md
  records:
    - sections: {match: '^(?P<id>DBG-\\d+)'}
    - table: {columns: {ID: id}}
target:
  table: log
  key: [id]
  columns:
    id: text
"""
    ws = make_ws({"specs/log.yaml": spec, "docs/a.md": "## DBG-1\n", "docs/b.md": "## Index\n\n| ID |\n|--|\n| DBG-2 |\n"})
    r = cli("--project", str(ws), "preview", "log")
    assert r.stdout.splitlines()[-1] == ("note: docs/b.md: 1 record(s) from the fallback table strategy (--why says "
                                         "why the ones before it found none)")
    r = cli("--project", str(ws), "preview", "log", "--why")
    assert r.stdout.splitlines()[-1] == ("note: docs/b.md: 1 record(s) from table, after sections: 1 level-2 "
                                         "heading(s), none matched '^(?P<id>DBG-\\d+)'; closest: '## Index' (line 1)")
