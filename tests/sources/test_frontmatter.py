"""Frontmatter strategy: one record per file, or one per list element, with lines and located YAML errors."""

from __future__ import annotations

import datetime as dt

import pytest

from syncspec.errors import SourceError

TASK_LIST = """\
---
# cold state: canonical
project: hub
updated: 2025-11-14
Größe: 3
prs:
  - id: PR-001
    title: Scaffolding
    cold_state: completed
    dependencies: []
  - id: PR-003
    title: "State machine: v2"
    dependencies: [PR-001]
  -   id: PR-004      # odd indentation is still YAML
      title: Redis client
  - PR-005 only a string
groups:
  core:
    prs: [{id: PR-100}, {id: PR-101}]
  ops:
    prs:
      - id: PR-200
---

# Task list

## PR-001: Scaffolding

---
not: front matter
---
"""


def test_one_record_per_file_with_every_key(extract):
    found = extract(TASK_LIST, records="- frontmatter")
    (record,) = found.records
    assert (found.strategy, record.line, record.strategy) == ("frontmatter", 1, "frontmatter")
    assert record.data["project"] == "hub"
    assert record.data["updated"] == dt.date(2025, 11, 14)   # YAML dates stay dates
    assert record.data["Größe"] == 3
    assert record.data["frontmatter"]["prs"][0]["id"] == "PR-001"
    assert record.data["body"].startswith("# Task list") and record.data["body"].endswith("not: front matter\n---")


def test_bare_name_and_null_config_are_the_same_strategy(extract):
    assert extract(TASK_LIST, records="- frontmatter:").records[0].data["project"] == "hub"


def test_one_record_per_list_item_by_key(extract):
    found = extract(TASK_LIST, records="- frontmatter: {items: prs}")
    assert [(r.line, r.data.get("id"), r.data["$key"], r.data["$pointer"]) for r in found.records] == [
        (7, "PR-001", 0, "/prs/0"),
        (11, "PR-003", 1, "/prs/1"),
        (14, "PR-004", 2, "/prs/2"),
        (16, None, 3, "/prs/3"),
    ]
    first, second, _, scalar = (r.data for r in found.records)
    assert first["dependencies"] == [] and second["title"] == "State machine: v2"
    assert scalar["value"] == "PR-005 only a string"
    assert first["frontmatter"]["project"] == "hub"   # the file's own keys stay reachable


def test_items_by_pointer_with_wildcards(extract):
    found = extract(TASK_LIST, records="- frontmatter: {items: '/groups/{group}/prs'}")
    assert [(r.line, r.data["group"], r.data["id"], r.data["$match"]) for r in found.records] == [
        (19, "core", "PR-100", ["core", "0"]),
        (19, "core", "PR-101", ["core", "1"]),
        (22, "ops", "PR-200", ["ops", "0"]),
    ]


def test_lines_survive_bom_and_crlf(extract):
    data = ("\ufeff" + TASK_LIST).replace("\n", "\r\n").encode("utf-8")
    found = extract(data, records="- frontmatter: {items: prs}")
    assert [r.line for r in found.records] == [7, 11, 14, 16]
    assert found.records[1].data["title"] == "State machine: v2"


def test_declared_encoding(extract):
    found = extract("---\nowner: José\n---\n".encode("cp1252"), records="- frontmatter", encoding="cp1252")
    assert found.records[0].data["owner"] == "José"


@pytest.mark.parametrize("doc", [
    "# No front matter\n",
    "---\n\n## a thematic break, then a blank line: not front matter\n",
    "text first\n---\na: 1\n---\n",
    "---\na: 1\nnever closed\n",
])
def test_files_without_front_matter_yield_nothing_and_fall_back(extract, doc):
    found = extract(doc, records="- frontmatter\n- sections: {level: 2, match: '^(?P<id>.+)$'}")
    assert found.strategy in (None, "sections")
    assert all(r.strategy == "sections" for r in found.records)


def test_missing_or_empty_items_yield_nothing(extract):
    assert extract(TASK_LIST, records="- frontmatter: {items: tasks}").records == []
    assert extract("---\nprs: []\n---\n", records="- frontmatter: {items: prs}").records == []
    assert extract("---\nprs: 3\n---\n", records="- frontmatter: {items: prs}").records == []


def test_empty_front_matter_is_an_empty_record(extract):
    (record,) = extract("---\n# only a comment\n---\nbody\n", records="- frontmatter").records
    assert record.data == {"frontmatter": {}, "body": "body"}


def errors(exc_info) -> list[str]:
    return [p.format() for p in exc_info.value.problems]


def test_invalid_yaml_names_the_file_line_and_column(extract):
    doc = "---\ntitle: ok\nprs: [unclosed\nother: 1\n---\n# x\n"
    with pytest.raises(SourceError) as info:
        extract(doc, records="- frontmatter")
    (message,) = errors(info)
    assert message.startswith("docs/doc.md:4:6: SS140 invalid YAML in the front matter: while parsing a flow sequence "
                              "started on line 3: expected ',' or ']', but got ':'")
    assert message.endswith("hint: fix the YAML syntax (indentation, quotes, a ':' after each key)")


def test_duplicate_keys_are_an_error(extract):
    with pytest.raises(SourceError) as info:
        extract("---\ntitle: a\nowner: b\ntitle: c\n---\n", records="- frontmatter")
    assert errors(info) == [
        "docs/doc.md:4:1: SS140 $.title: duplicate key 'title' (first defined on line 2) in the front matter\n"
        "    hint: remove one of the two; YAML keeps only the last silently"]


def test_a_list_as_front_matter_is_an_error_for_one_record_per_file(extract):
    with pytest.raises(SourceError) as info:
        extract("---\n- a\n- b\n---\n", records="- frontmatter")
    assert errors(info) == [
        "docs/doc.md:2: SS140 the front matter is a list, not a mapping of keys\n"
        "    hint: write 'key: value' lines between the '---' fences"]


def test_unknown_yaml_tag_is_located(extract):
    with pytest.raises(SourceError) as info:
        extract("---\nb: 1\na: !python/object x\n---\n", records="- frontmatter")
    assert errors(info)[0].startswith("docs/doc.md:3:4: SS140 invalid YAML in the front matter: could not determine "
                                      "a constructor for the tag '!python/object'")
