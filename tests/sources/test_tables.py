"""Table strategy and the fallback chain: which table, which cells, which lines."""

from __future__ import annotations

SECTIONS_THEN_TABLE = """\
- sections: {level: 2, match: '^(?P<id>DBG-\\d+):?\\s*(?P<title>.*)$'}
- table: {under: '^INDEX$', columns: {ID: id, Title: title, Status: status, Link: link}}
"""

DOC = """\
# Debug log

## Severity levels

| ID | Title |
| --- | --- |
| SEV-1 | not under INDEX |

## Index

| ID | Title | Status | Link | Notes |
|----|-------|--------|------|-------|
| DBG-001 | pipe `a \\| b` and a \\| c | RESOLVED | [issue 7](http://example.com/7) | *emphasis* and **strong** |
| DBG-002 | only two cells |
| DBG-003 |  | OPEN | <https://auto.example> | ![shot](img.png) |
|  |  |  |  |  |
| DBG-004 | ✅ unicode — Zoë | WONT_FIX | [a](http://a) [b](http://b) | x |

```
| DBG-999 | a table row in a code fence | OPEN | | |
```
"""


def test_fallback_table_under_the_matching_heading(extract):
    found = extract(DOC, records=SECTIONS_THEN_TABLE)
    assert found.strategy == "table"
    assert [(r.line, r.data["id"]) for r in found.records] == [
        (13, "DBG-001"), (14, "DBG-002"), (15, "DBG-003"), (17, "DBG-004")]
    assert all(r.data["heading"] == "Index" for r in found.records)


def test_inline_markup_is_reduced_to_text_and_links_are_kept(extract):
    rows = {r.data["id"]: r.data for r in extract(DOC, records=SECTIONS_THEN_TABLE).records}
    assert rows["DBG-001"]["title"] == "pipe a | b and a | c"
    assert rows["DBG-001"]["link"] == "issue 7"
    assert rows["DBG-001"]["links"] == {"link": ["http://example.com/7"]}
    assert rows["DBG-001"]["fields"]["notes"] == "emphasis and strong"
    assert rows["DBG-003"]["links"] == {"link": ["https://auto.example"]}
    assert rows["DBG-003"]["fields"]["notes"] == "shot"
    assert rows["DBG-004"]["links"] == {"link": ["http://a", "http://b"]}
    assert rows["DBG-004"]["title"] == "✅ unicode — Zoë"


def test_missing_and_empty_cells_are_none(extract):
    rows = {r.data["id"]: r.data for r in extract(DOC, records=SECTIONS_THEN_TABLE).records}
    assert rows["DBG-002"]["status"] is None and rows["DBG-002"]["fields"]["notes"] is None
    assert rows["DBG-003"]["title"] is None
    assert rows["DBG-002"]["fields"] == {"id": "DBG-002", "title": "only two cells", "status": None,
                                         "link": None, "notes": None}


def test_row_body_is_its_markdown_line(extract):
    rows = {r.data["id"]: r.data for r in extract(DOC, records=SECTIONS_THEN_TABLE).records}
    assert rows["DBG-002"]["body"] == "| DBG-002 | only two cells |"


def test_without_under_every_table_is_read(extract):
    found = extract(DOC, records="- table: {columns: {ID: id}}")
    assert [r.data["id"] for r in found.records] == ["SEV-1", "DBG-001", "DBG-002", "DBG-003", "DBG-004"]
    assert found.records[0].data["heading"] == "Severity levels"


def test_under_is_a_case_insensitive_regex(extract):
    found = extract(DOC, records="- table: {under: 'severity', columns: {ID: id}}")
    assert [r.data["id"] for r in found.records] == ["SEV-1"]


def test_table_is_the_fallback_only_for_files_where_sections_yield_nothing(extract):
    doc = "## DBG-010: a real section\n\n## INDEX\n\n| ID | Title |\n|--|--|\n| DBG-011 | row |\n"
    found = extract(doc, records=SECTIONS_THEN_TABLE)
    assert found.strategy == "sections"
    assert [r.data["id"] for r in found.records] == ["DBG-010"]


def test_first_strategy_that_yields_wins_even_if_it_is_a_table(extract):
    records = ("- table: {under: '^INDEX$', columns: {ID: id}}\n"
               "- sections: {level: 2, match: '^(?P<id>DBG-\\d+)'}\n")
    doc = "## DBG-010: a real section\n\n## INDEX\n\n| ID | Title |\n|--|--|\n| DBG-011 | row |\n"
    found = extract(doc, records=records)
    assert (found.strategy, [r.data["id"] for r in found.records]) == ("table", ["DBG-011"])


def test_headers_match_case_insensitively_and_repeated_or_empty_headers_keep_their_cells(extract):
    doc = "| id | Note | | Note |\n|--|--|--|--|\n| A-1 | first | blank | second |\n"
    (record,) = extract(doc, records="- table: {columns: {ID: id, NOTE: note}}").records
    assert record.data["id"] == "A-1"
    assert record.data["note"] == "first"
    assert record.data["fields"] == {"id": "A-1", "note": "first", "column_3": "blank", "note_2": "second"}


def test_table_rows_with_crlf_and_bom_keep_their_lines(extract):
    lf = extract(DOC, records=SECTIONS_THEN_TABLE)
    crlf = extract(b"\xef\xbb\xbf" + DOC.replace("\n", "\r\n").encode(), records=SECTIONS_THEN_TABLE)
    assert [(r.line, r.data["id"], r.data["title"]) for r in crlf.records] == \
           [(r.line, r.data["id"], r.data["title"]) for r in lf.records]


def test_a_table_without_rows_yields_nothing(extract):
    found = extract("## INDEX\n\n| ID | Title |\n|----|-------|\n", records=SECTIONS_THEN_TABLE)
    assert (found.strategy, found.records) == (None, [])


def test_pipes_in_code_fences_and_paragraphs_are_not_tables(extract):
    doc = "## INDEX\n\n```\n| ID | Title |\n|--|--|\n| DBG-1 | x |\n```\n\nA | B\n"
    assert extract(doc, records=SECTIONS_THEN_TABLE).records == []


def test_br_in_a_cell_separates_words(extract):
    doc = "| ID | Steps |\n|--|--|\n| A-1 | build<br>test<br/>ship |\n"
    (record,) = extract(doc, records="- table: {columns: {ID: id, Steps: steps}}").records
    assert record.data["steps"] == "build test ship"


def test_the_fallback_is_chosen_per_file(make_ws, spec_yaml):
    from syncspec import Workspace
    from syncspec.sources import extract_file, resolve_files

    index_only = "# Log\n\n## INDEX\n\n| ID | Title |\n|--|--|\n| DBG-002 | from the table |\n"
    with_sections = "## DBG-001: from a section\n\n## INDEX\n\n| ID | Title |\n|--|--|\n| DBG-009 | ignored |\n"
    ws = make_ws({"specs/t.yaml": spec_yaml(SECTIONS_THEN_TABLE, files="'docs/*.md'"),
                  "docs/a.md": with_sections, "docs/b.md": index_only})
    (spec,) = Workspace.open(ws).validate()
    found = [extract_file(spec, path, name) for path, name in resolve_files(spec, ws)]
    assert [(f.file, f.strategy, [r.data["id"] for r in f.records]) for f in found] == [
        ("docs/a.md", "sections", ["DBG-001"]),
        ("docs/b.md", "table", ["DBG-002"]),
    ]
