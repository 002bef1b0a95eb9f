"""The one-pass scan (syncspec.sources.markdown.parse) and the small Record helpers."""

from __future__ import annotations

import pytest

from syncspec.sources.markdown import front_matter_span, parse
from syncspec.sources.records import Record, snake_case


def test_offsets_are_utf8_bytes():
    text = "é😀 日本\n\n## Zoë\n\n| α |\n|---|\n| β |\n"
    data = text.encode("utf-8")
    doc = parse(text)
    (heading,) = doc.headings
    assert data[heading.start:heading.end] == "## Zoë\n".encode()
    (table,) = doc.tables
    ((start, end, cells),) = table.rows
    assert data[start:end].decode() == "| β |\n" and cells[0].text == "β"
    assert table.heading is heading


def test_front_matter_is_one_opaque_block_with_its_yaml_range():
    text = "---\ntitle: Zoë\n---\n## X-1\n"
    doc = parse(text)
    assert doc.front_matter is not None
    start, end = doc.front_matter
    assert text.encode()[start:end] == "title: Zoë\n".encode()
    assert doc.opaque == [(0, len("---\ntitle: Zoë\n---\n".encode()))]
    assert [(h.text, h.start) for h in doc.headings] == [("X-1", len("---\ntitle: Zoë\n---\n".encode()))]


@pytest.mark.parametrize("text, found", [
    ("---\na: 1\n---\n", True),
    ("---\r\na: 1\r\n...\r\nrest", True),
    ("---\na: 1\n---", True),
    ("---\n\na: 1\n---\n", False),      # a blank line after '---': a thematic break
    ("---\na: 1\n", False),             # never closed
    ("text\n---\na: 1\n---\n", False),  # not at the top
    ("----\na: 1\n----\n", False),
])
def test_front_matter_detection(text, found):
    assert bool(front_matter_span(text)[1]) is found


def test_code_and_html_blocks_are_opaque_in_order():
    text = "<div>\nx\n</div>\n\n```\ncode\n```\n\n    indented\n\n<!--\nc\n-->\n"
    starts = [text.encode()[s:e].decode().splitlines()[0] for s, e in parse(text).opaque]
    assert starts == ["<div>", "```", "indented", "<!--"]   # an indented block starts at its text


def test_single_tildes_strike_through_as_in_gfm():
    # pulldown-cmark follows GFM: ~x~ is strikethrough, so those tildes leave the text
    (heading,) = parse("## X-1 ~approx~ 2h\n").headings
    assert heading.text == "X-1 approx 2h"
    (heading,) = parse("## X-2 about ~2h to ~3h\n").headings   # not flanking: literal
    assert heading.text == "X-2 about ~2h to ~3h"


def test_record_paths_and_metadata():
    record = Record({"id": "A-1", "fields": {"status": "done", "tags": ["x", "y"]}}, "docs/a.b.md", 7, "sections")
    assert record.get(("fields", "status")) == "done"
    assert record.get(("fields", "tags", "1")) == "y"
    assert record.get(("fields", "tags", "5")) is None
    assert record.get(("fields", "missing", "deeper")) is None
    assert [record.get((k,)) for k in ("$path", "$file", "$stem", "$line", "$strategy", "$nope")] == [
        "docs/a.b.md", "docs/a.b.md", "a.b", 7, "sections", None]


@pytest.mark.parametrize("key, expected", [
    ("Last Updated", "last_updated"),
    ("  Owner (primary) ", "owner_primary"),
    ("CI/CD-Status", "ci_cd_status"),
    ("Priorität", "priorität"),
    ("Größe (cm)", "größe_cm"),
    ("**", ""),            # nothing left: table fields fall back to column_N
    ("snake_case_already", "snake_case_already"),
    ("ID", "id"),
])
def test_snake_case(key, expected):
    assert snake_case(key) == expected
