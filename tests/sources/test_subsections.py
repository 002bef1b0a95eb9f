"""Sections with subsections (keep-a-changelog), heading links, and link definitions at the end of a file."""

from __future__ import annotations

import pytest

CHANGELOG = """\
# Changelog

## [Unreleased]

## [1.2.0] - 2024-05-01

### Added

- Task lists: `- [ ]` items become rows, with
  their heading and depth.
  - a nested note stays inside its item
- JSON pointers ([#12]).

### Fixed

* Crash on empty files.

```text
### Added
- not an item: a fence in Fixed
```

### Added

- A second "Added" subsection extends the first.

## [1.1.0] - 2024-03-10 [YANKED]

### Changed

Rewrote the parser.
No list here: the text is the one item.

#### Details

- deeper headings belong to their subsection

## [1.0.0] - 2024-01-15

Initial release.

[unreleased]: https://example.com/compare/v1.2.0...HEAD
[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
[1.0.0]: https://example.com/releases/v1.0.0
[#12]: https://example.com/issues/12
"""
MATCH = "'^\\[(?P<version>[^\\]]+)\\](?:\\s+-\\s+(?P<date>[\\d-]+))?'"


def releases(extract, doc=CHANGELOG, mode="items", field_keys="snake_case"):
    records = f"- sections: {{level: 2, match: {MATCH}, fields: none, subsections: {mode}, field_keys: {field_keys}}}"
    return {r.data["version"]: r for r in extract(doc, records=records).records}


def test_headings_keep_their_brackets_with_or_without_link_definitions(extract):
    with_defs = releases(extract)
    without = releases(extract, CHANGELOG.split("[unreleased]:")[0])
    assert list(with_defs) == list(without) == ["Unreleased", "1.2.0", "1.1.0", "1.0.0"]
    assert with_defs["1.2.0"].data["heading"] == without["1.2.0"].data["heading"] == "[1.2.0] - 2024-05-01"
    assert with_defs["1.2.0"].data["links"] == ["https://example.com/compare/v1.1.0...v1.2.0"]
    assert with_defs["Unreleased"].data["links"] == ["https://example.com/compare/v1.2.0...HEAD"]  # case-insensitive
    assert with_defs["1.1.0"].data["links"] == [] and without["1.2.0"].data["links"] == []


def test_subsection_items(extract):
    r = releases(extract)
    assert r["1.2.0"].data["subsections"] == {
        "added": ["Task lists: `- [ ]` items become rows, with\ntheir heading and depth.\n"
                  "- a nested note stays inside its item",
                  "JSON pointers ([#12]).",
                  'A second "Added" subsection extends the first.'],
        # text between and after the list items is kept, as items of its own
        "fixed": ["Crash on empty files.", "```text\n### Added\n- not an item: a fence in Fixed\n```"],
    }
    assert r["1.1.0"].data["subsections"] == {
        "changed": ["Rewrote the parser.\nNo list here: the text is the one item.\n\n#### Details",
                    "deeper headings belong to their subsection"]}
    assert r["Unreleased"].data["subsections"] == {} and r["1.0.0"].data["subsections"] == {}


def test_subsection_text_and_key_style(extract):
    r = releases(extract, mode="text", field_keys="as_written")
    assert r["1.2.0"].data["subsections"]["Fixed"] == (
        "* Crash on empty files.\n\n```text\n### Added\n- not an item: a fence in Fixed\n```")
    assert r["1.2.0"].data["subsections"]["Added"].endswith('\n\n- A second "Added" subsection extends the first.')


def test_link_definitions_at_the_end_are_not_the_last_body(extract):
    r = releases(extract)
    assert r["1.0.0"].data["body"] == "Initial release."
    # the body of a section in the middle keeps everything
    assert r["1.2.0"].data["body"].startswith("### Added\n\n- Task lists")


def test_definitions_in_a_trailing_code_block_stay(extract):
    doc = "## [1.0.0]\n\n```\n[a]: http://x\n"   # an unclosed fence runs to the end of the file
    (record,) = releases(extract, doc).values()
    assert record.data["body"] == "```\n[a]: http://x"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_crlf_items_are_normalized(extract, newline):
    r = releases(extract, CHANGELOG.replace("\n", newline))
    assert r["1.2.0"].data["subsections"]["added"][0] == ("Task lists: `- [ ]` items become rows, with\n"
                                                          "their heading and depth.\n"
                                                          "- a nested note stays inside its item")
    assert r["1.2.0"].line == 5


def test_setext_sections_with_atx_subsections(extract):
    doc = "[2.0.0] - 2025-01-01\n---\n\n### Added\n\n1. one\n2. two\n"
    (record,) = releases(extract, doc).values()
    assert (record.line, record.data["date"]) == (1, "2025-01-01")
    assert record.data["subsections"] == {"added": ["one", "two"]}


def test_subsections_only_when_asked(extract):
    found = extract(CHANGELOG, records=f"- sections: {{level: 2, match: {MATCH}}}")
    assert all("subsections" not in r.data for r in found.records)
