"""Sections, tables and task lists as people write them: sections ending at any heading, mis-levelled
and repeated changelog subsections, tables picked by header row, filters, key/value tables, extra cells,
raw markup, the raw task mark and '[]' items, JSON Lines, and preview notes said once."""

from __future__ import annotations

import sqlite3

from syncspec import Workspace


def sync_rows(make_ws, url: str, files: dict[str, str], sql: str) -> list[tuple]:
    Workspace.open(make_ws(files), database_url=url).sync()
    db = sqlite3.connect(url.split("sqlite:///", 1)[1])
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def spec(records: str, key: str, columns: str, files: str = "docs/doc.md", name: str = "t") -> str:
    cols = "\n".join("    " + line for line in columns.strip().splitlines())
    recs = "\n".join("    " + line for line in records.strip().splitlines())
    return (f"sync: {name}\nsource:\n  files: {files}\n  records:\n{recs}\ntarget:\n  table: {name}\n"
            f"  key: [{key}]\n  columns:\n{cols}\n")


def test_sections_that_end_at_any_heading(make_ws, sqlite_url):
    doc = "## ADR-1 Use `yaml.safe_load`\n\nWhy.\n\n### Consequences\n\nSlower.\n\n## ADR-2 *Pipes*\n\nBecause.\n"
    s = spec("- sections: {level: 2, match: '^ADR-(?P<n>\\d+)', ends: any, markup: raw}", "n",
             "n: integer\nheading: text\nbody: text")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "docs/doc.md": doc},
                     "SELECT n, heading, body FROM t ORDER BY n") == [
        (1, "ADR-1 Use `yaml.safe_load`", "Why."), (2, "ADR-2 *Pipes*", "Because.")]


CHANGELOG = """\
# Changelog

## [1.1.0] - 2024-03-10

### Added

- Filters

## Changed

- Faster parse

### Added

- Second added, after Changed

#### Fixed

- A mis-levelled fix

## [1.0.0] - 2024-01-15

### Added

- First release
"""
RELEASES = """\
- sections:
    level: 2
    match: '^\\[(?P<version>[^\\]]+)\\]'
    subsections: items
    continues: '^(Added|Changed|Deprecated|Removed|Fixed|Security)$'
"""


def test_mis_levelled_and_repeated_subsections_stay_in_their_release_in_file_order(make_ws, sqlite_url):
    s = spec(RELEASES, "version", "version: text\nadded: {type: json, from: subsections.added}\n"
             "changes: {type: integer, from: items, transform: [count]}")
    s += ("  children:\n    - table: changes\n      each: items\n      columns:\n"
          "        kind: {from: $item.subsection}\n        text: {from: $item.text}\n")
    ws = make_ws({"specs/t.yaml": s, "docs/doc.md": CHANGELOG})
    Workspace.open(ws, database_url=sqlite_url).sync()
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT version, added, changes FROM t ORDER BY version").fetchall() == [
        ("1.0.0", '["First release"]', 1),
        ("1.1.0", '["Filters","Second added, after Changed"]', 4)]
    assert db.execute("SELECT t_version, position, kind, text FROM changes ORDER BY t_version, position").fetchall() == [
        ("1.0.0", 1, "added", "First release"),
        ("1.1.0", 1, "added", "Filters"),
        ("1.1.0", 2, "changed", "Faster parse"),
        ("1.1.0", 3, "added", "Second added, after Changed"),
        ("1.1.0", 4, "fixed", "A mis-levelled fix")]


TABLES = """\
# Project

| Metadata | Value |
| --- | --- |
| Status | **Accepted** |
| Owner | [Ann](https://example.org/ann) |

## History

| Version | Date | Author |
| --- | --- | --- |
| 1.0 | 2020-01-02 | ann |
| <version> | <date> | <author> |
| 1.1 | 2020-02-03 | bo | late entry |

| Name | Role |
| --- | --- |
| ann | `<Owner>` lead |
"""


def test_a_table_picked_by_its_header_with_a_row_filter_and_extra_cells(make_ws, sqlite_url):
    # raw: the template row's <version> stays (as text the parser drops it as HTML); unless drops the row
    s = spec("- table:\n    header: [version, Author]\n    columns: {Version: version}\n    markup: raw\n"
             "    unless: {version: '^<.*>$'}", "version",
             "version: text\ndate: {type: date, from: fields.date}\nauthor: {type: text, from: fields.author}\n"
             "note: {type: text, from: extra.0}")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "docs/doc.md": TABLES},
                     "SELECT version, date, author, note FROM t ORDER BY version") == [
        ("1.0", "2020-01-02", "ann", None), ("1.1", "2020-02-03", "bo", "late entry")]


def test_a_key_value_table_is_one_record(make_ws, sqlite_url):
    s = spec("- table: {header: [Metadata, Value], layout: key_value, columns: {Status: status}}", "status",
             "status: text\nowner: {type: text, from: fields.owner}\nowner_url: {type: text, from: links.owner.0}\n"
             "path: {type: text, from: $path}")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "docs/doc.md": TABLES},
                     "SELECT status, owner, owner_url, path FROM t") == [
        ("Accepted", "Ann", "https://example.org/ann", "docs/doc.md")]


def test_raw_cells_keep_code_and_angle_words(make_ws, sqlite_url):
    s = spec("- table: {header: [Name, Role], markup: raw, columns: {Name: name, Role: role}}", "name",
             "name: text\nrole: text")
    plain = spec("- table: {header: [Name, Role], columns: {Name: name, Role: role}}", "name",
                 "name: text\nrole: text", name="p")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "specs/p.yaml": plain, "docs/doc.md": TABLES},
                     "SELECT t.role, p.role FROM t JOIN p USING (name)") == [("`<Owner>` lead", "<Owner> lead")]


TASKS = """\
## Roadmap

- [x] ~~Drop Python 3.8~~ done
- [X] Ship `v2` (see [#12](https://example.org/12))
  - [ ] nested one
- [] write the docs
- [ ] TEMPLATE: copy me
"""


def test_task_marks_raw_text_and_empty_boxes(make_ws, sqlite_url):
    s = spec("- tasks: {markup: raw, unless: {text: '^TEMPLATE'}}", "position",
             "position: integer\ntext: text\nmark: text\ndone: {type: boolean, from: checked}\n"
             "depth0: {type: integer, from: depth, transform: [{add: -1}]}")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "docs/doc.md": TASKS},
                     "SELECT position, text, mark, done, depth0 FROM t ORDER BY position") == [
        (1, "~~Drop Python 3.8~~ done", "x", 1, 0),
        (2, "Ship `v2` (see [#12](https://example.org/12))", "X", 1, 0),
        (3, "nested one", None, 0, 1),         # ' ' and '' (for '[]') are empty once stripped
        (4, "write the docs", None, 0, 0),
    ]


def test_where_on_sections_and_json_lines(make_ws, sqlite_url):
    lines = '{"id": "a", "state": "done"}\n\n{"id": "b", "state": "open"}\n{"id": "c", "state": "done"}\n'
    s = spec("- json: {pointer: /*, where: {state: '^done$'}}", "id", "id: text\nline: {type: integer, from: $line}",
             files="data/events.jsonl")
    assert sync_rows(make_ws, sqlite_url, {"specs/t.yaml": s, "data/events.jsonl": lines},
                     "SELECT id, line FROM t ORDER BY id") == [("a", 1), ("c", 4)]


def test_a_bad_json_line_is_located(make_ws):
    import pytest

    from syncspec.errors import SourceError

    s = spec("- json: {pointer: /*}", "id", "id: text", files="data/events.jsonl")
    ws = make_ws({"specs/t.yaml": s, "data/events.jsonl": '{"id": "a"}\n{"id": "b",}\n'})
    with pytest.raises(SourceError) as err:
        Workspace.open(ws).plan()
    assert [(p.file, p.line) for p in err.value.problems] == [("data/events.jsonl", 2)]


def test_preview_says_a_repeated_reason_once_with_a_count(make_ws):
    files = {f"docs/n{i}.md": f"### BUILD-{i}: deeper\n" for i in range(5)}
    s = spec("- sections: {level: 2, match: '^(?P<id>BUILD-\\d+):'}", "id", "id: text", files="docs/*.md")
    notes = Workspace.open(make_ws({"specs/t.yaml": s, **files})).preview("t").notes
    assert notes == ["docs/n0.md and 4 more file(s) like it: no records. sections: no level-2 heading matches "
                     "'^(?P<id>BUILD-\\d+):', but 1 heading(s) of level 3 do (first: '### BUILD-0: deeper' at line 1): "
                     "set level: 3"]


def test_preview_explains_records_dropped_by_filters_and_tables_without_the_header(make_ws):
    s = spec("- table: {header: [Version, Date], unless: {fields.version: '.'}}", "heading", "heading: text")
    notes = Workspace.open(make_ws({"specs/t.yaml": s, "docs/doc.md": TABLES})).preview("t").notes
    assert notes == ["docs/doc.md: no records. table: 2 record(s), none passed the filters (unless fields.version ~ "
                     "'.'); the first (line 12) has fields.version = '1.0'"]
    s = spec("- table: {header: [Release]}", "heading", "heading: text")
    notes = Workspace.open(make_ws({"specs/t.yaml": s, "docs/doc.md": TABLES})).preview("t").notes
    assert notes == ["docs/doc.md: no records. table: 3 table(s), none with the header cells Release; their headers: "
                     "Metadata | Value (line 3); Version | Date | Author (line 10); Name | Role (line 16)"]


def test_a_filter_on_a_key_the_strategy_never_produces_is_a_spec_error(make_ws):
    import pytest

    from syncspec.errors import SpecError

    s = spec("- tasks: {unless: {txt: '^TEMPLATE'}}", "position", "position: integer")
    with pytest.raises(SpecError) as err:
        Workspace.open(make_ws({"specs/t.yaml": s, "docs/doc.md": TASKS})).validate()
    assert [p.format() for p in err.value.problems] == [
        "specs/t.yaml:5:24: $.source.records[0].tasks.unless.txt: unless reads 'txt', but tasks records have no 'txt'\n"
        "    hint: did you mean 'text'?"]
