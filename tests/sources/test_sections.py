"""Sections strategy on realistic, irregular markdown: what is a heading, which lines are fields."""

from __future__ import annotations

import pytest

DOC = """\
# Build history

Intro text. ## X-90 is not a heading mid-line.

## X-1: First entry

**Status**: COMPLETE
**Owner:** Zoë Ünal
- Date: 2024-01-05
- **Category**: parser
Notes: plain line, read only with the plain style

```markdown
## X-91 inside a backtick fence
**Status**: FENCED
```

~~~
## X-92 inside a tilde fence
- Priority: fenced
~~~

    ## X-93 in an indented code block
    **Effort**: indented

<!--
## X-94 inside an HTML comment
**Reviewer**: commented out
-->

### Details

- Effort: 3 days
**Status**: SHADOWED by the first Status above

## X-2 Setext is below

X-3: a setext heading
---------------------

Body of X-3.
**Status**: BLOCKED

# Part two

Body of part two, not part of X-3.

Multi line
X-4 setext heading
------------------

## Not an entry

## X-5
"""


def by_id(found):
    return {r.data["id"]: r for r in found.records}


def test_only_real_level_2_headings_become_records(extract):
    found = extract(DOC)
    assert found.strategy == "sections"
    assert [(r.data["id"], r.data["title"], r.line) for r in found.records] == [
        ("X-1", "First entry", 5),
        ("X-2", "Setext is below", 36),
        ("X-3", "a setext heading", 38),
        ("X-5", "", 54),
    ]


def test_a_multi_line_setext_heading_is_one_heading(extract):
    found = extract(DOC, records="- sections: {level: 2, match: '^Multi line (?P<id>X-\\d+)'}")
    (record,) = found.records
    assert (record.data["id"], record.data["heading"], record.line) == ("X-4", "Multi line X-4 setext heading", 48)


def test_setext_level_1_is_a_level_1_heading(extract):
    found = extract("Intro\n\nE-1 first\n=========\n\n## E-2 second\n",
                    records="- sections: {level: 1, match: '^(?P<id>E-\\d+)'}")
    assert [(r.data["id"], r.data["level"], r.line) for r in found.records] == [("E-1", 1, 3)]


def test_field_lines_in_bold_and_list_styles(extract):
    fields = by_id(extract(DOC))["X-1"].data["fields"]
    assert fields == {
        "status": "COMPLETE",       # **Key**: v
        "owner": "Zoë Ünal",        # **Key:** v
        "date": "2024-01-05",       # - Key: v
        "category": "parser",       # - **Key**: v
        "effort": "3 days",         # from the ### Details subsection; the indented-code one is not read
    }


def test_plain_key_lines_only_with_the_plain_style(extract):
    found = extract(DOC, records="- sections: {level: 2, match: '^(?P<id>X-\\d+)', fields: [bold, list, plain]}")
    fields = by_id(found)["X-1"].data["fields"]
    assert fields["notes"] == "plain line, read only with the plain style"
    found = extract(DOC, records="- sections: {level: 2, match: '^(?P<id>X-\\d+)', fields: plain}")
    assert by_id(found)["X-1"].data["fields"] == {"notes": "plain line, read only with the plain style"}


def test_no_fields_with_fields_none(extract):
    found = extract(DOC, records="- sections: {level: 2, match: '^(?P<id>X-\\d+)', fields: none}")
    assert all(r.data["fields"] == {} for r in found.records)


def test_field_lines_in_code_and_comments_are_not_read(extract):
    fields = by_id(extract(DOC))["X-1"].data["fields"]
    assert fields["status"] == "COMPLETE"
    assert not {"priority", "reviewer"} & set(fields)


def test_first_occurrence_of_a_field_wins(extract):
    doc = "## X-1\n\n- Status: first\n**Status**: second\n- status: third\n"
    (record,) = extract(doc).records
    assert record.data["fields"] == {"status": "first"}


def test_field_keys_snake_case_or_as_written(extract):
    doc = "## X-1\n\n**Last Updated**: 2024-02-01\n- Owner (primary): Ana\n**CI/CD-Status**: green\n"
    (record,) = extract(doc).records
    assert record.data["fields"] == {"last_updated": "2024-02-01", "owner_primary": "Ana", "ci_cd_status": "green"}
    records = "- sections: {level: 2, match: '^(?P<id>X-\\d+)', field_keys: as_written}"
    (record,) = extract(doc, records=records).records
    assert record.data["fields"] == {"Last Updated": "2024-02-01", "Owner (primary)": "Ana",
                                     "CI/CD-Status": "green"}


def test_section_includes_deeper_subsections_and_ends_at_same_or_higher_level(extract):
    bodies = {r.data["id"]: r.data["body"] for r in extract(DOC).records}
    assert bodies["X-1"].startswith("**Status**: COMPLETE")
    assert bodies["X-1"].endswith("### Details\n\n- Effort: 3 days\n**Status**: SHADOWED by the first Status above")
    assert bodies["X-2"] == ""
    # X-3 ends at "# Part two" (a higher level), not at the end of the file
    assert bodies["X-3"] == "Body of X-3.\n**Status**: BLOCKED"
    assert bodies["X-5"] == ""


def test_heading_text_is_matched_without_inline_markup(extract):
    doc = "## **X-1**: `code` and [a link](http://x) &amp; *more* <span>html</span>\n"
    (record,) = extract(doc).records
    assert record.data["heading"] == "X-1: code and a link & more html"
    assert record.data["title"] == "code and a link & more html"


def test_closing_hashes_and_leading_spaces_of_atx_headings(extract):
    doc = "## X-1 closed ##\n\n   ## X-2 indented three\n\n    ## X-3 indented four is code\n"
    found = extract(doc)
    assert [(r.data["id"], r.data["title"], r.line) for r in found.records] == [
        ("X-1", "closed", 1), ("X-2", "indented three", 3)]


def test_not_headings(extract):
    doc = "#X-1 no space\n\n\\## X-2 escaped\n\nText\n## X-3 interrupts a paragraph\n"
    assert [r.data["id"] for r in extract(doc).records] == ["X-3"]


def test_crlf_and_bom_give_the_same_records_and_lines(extract):
    lf = extract(DOC)
    crlf = extract(DOC.replace("\n", "\r\n"))
    bom = extract(b"\xef\xbb\xbf" + DOC.replace("\n", "\r\n").encode("utf-8"))
    bom_lf = extract(b"\xef\xbb\xbf" + DOC.encode("utf-8"))

    def normalized(found):
        out = []
        for r in found.records:
            data = dict(r.data, body=r.data["body"].replace("\r\n", "\n"))
            out.append((r.line, data))
        return out

    assert normalized(crlf) == normalized(bom) == normalized(bom_lf) == normalized(lf)
    # issue 11, defect 17: bodies no longer keep the checkout's CRLF (they used to, and a Windows and a
    # Linux checkout rewrote each other's rows)
    assert "\r" not in by_id(crlf)["X-1"].data["body"] and by_id(crlf)["X-1"].data == by_id(lf)["X-1"].data
    assert all("\r" not in value for r in crlf.records for value in r.data["fields"].values())
    assert all("\r" not in r.data["heading"] for r in crlf.records)


def test_bom_does_not_hide_a_heading_on_the_first_line(extract):
    (record,) = extract(b"\xef\xbb\xbf## X-1 first line\r\n").records
    assert (record.data["id"], record.line) == ("X-1", 1)


def test_records_carry_file_and_strategy(extract):
    record = extract(DOC).records[0]
    assert (record.file, record.strategy) == ("docs/doc.md", "sections")
    assert record.get(("$stem",)) == "doc" and record.get(("$line",)) == 5
    assert record.get(("fields", "status")) == "COMPLETE"


@pytest.mark.parametrize("doc", ["", "\n\n", "# Only a title\n", "\xa0\n"])
def test_documents_without_entries_yield_nothing(extract, doc):
    found = extract(doc)
    assert (found.strategy, found.records) == (None, [])


def test_thematic_breaks_between_entries_do_not_swallow_entries(extract):
    # pulldown-cmark's metadata-block option would read "---\n## X-2\n---" as YAML and lose X-2
    doc = "## X-1 a\n---\n## X-2 b\n---\n## X-3 c\n\ntext\n\n---\n**Status**: done\n\n## X-4 d\n\n---\n"
    found = extract(doc)
    assert [(r.data["id"], r.line) for r in found.records] == [("X-1", 1), ("X-2", 3), ("X-3", 5), ("X-4", 12)]
    assert found.records[2].data["fields"] == {"status": "done"}


def test_front_matter_is_neither_headings_nor_fields(extract):
    doc = "---\ntitle: x\nStatus: from front matter\n---\n## X-1 first\n\n- Owner: Ana\n"
    found = extract(doc, records="- sections: {level: 2, match: '^(?P<id>X-\\d+)', fields: [list, plain]}")
    assert [(r.data["id"], r.line, r.data["fields"]) for r in found.records] == [("X-1", 5, {"owner": "Ana"})]


def test_a_realistic_irregular_ledger(extract):
    from pathlib import Path

    doc = (Path(__file__).parent / "data" / "irregular_ledger.md").read_bytes()
    found = extract(doc)
    assert [(r.data["id"], r.data["title"], r.line) for r in found.records] == [
        ("X-1", "Parser rewrite ✅", 11),
        ("X-2", "Setext entry", 37),
        ("X-3", "quoted heading (still a heading in CommonMark)", 51),
        ("X-4", "emphasis, code, link & entities", 53),
    ]
    x1, x2 = found.records[0].data, found.records[1].data
    assert x1["fields"] == {"status": "COMPLETE", "date": "2024-01-05", "owner": "Zoë"}
    assert x2["fields"] == {"status": "IN_PROGRESS", "date": "2024-01-09"}
    assert "| Missing cell |" in x1["body"] and "X-902" in x1["body"]
    # a section before a quoted heading ends at that heading's line, "> " and all
    assert x2["body"].endswith("## X-904 in a tilde fence\n~~~")


def test_field_keys_in_other_scripts(extract):
    doc = "## X-1\n\n- Ärger: keiner\n**Priorität**: hoch\n- Größe (cm): 12\n- 状態: 完了\n"
    (record,) = extract(doc).records
    assert record.data["fields"] == {"ärger": "keiner", "priorität": "hoch", "größe_cm": "12", "状態": "完了"}
