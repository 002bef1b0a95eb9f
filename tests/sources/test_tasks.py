"""Tasks strategy on a realistic task list: which items are tasks, their text, state, depth and headings."""

from __future__ import annotations

DOC = """\
# Sprint 12

Intro with an inline `- [ ] not a task` and a [x] that is not one either.

## PR-010: State sync

### Acceptance criteria

- [x] Cold state changes commit to git
- [ ] 30-second sync cycle, with *emphasis* and `code`
  continued on a second line
  - [ ] Nested: reconcile conflicts
    - [X] Deeper, upper-case X
  - a plain nested item
- [ ] Link to [the design](https://example.com/design) and [PR-3][]
- plain item, not a task

```markdown
- [ ] inside a fence
```

<!--
- [ ] inside an HTML comment
-->

    - [ ] indented code, not a list

## PR-011: Base agent ✅ Zoë

1. [ ] Heartbeat every 30 s
2) [x] Ordered with a parenthesis

* [ ] Star bullet
+ [x] Plus bullet

> - [ ] inside a quote

- [ ]
- [x]  two spaces after the box

Setext section
--------------

- [ ] under a setext heading

[PR-3]: https://example.com/pr/3
"""

TASKS = "- tasks"


def by_line(found):
    return {r.line: r.data for r in found.records}


def test_only_real_task_items_are_records(extract):
    found = extract(DOC, records=TASKS)
    assert found.strategy == "tasks"
    assert [(r.line, r.data["text"], r.data["checked"]) for r in found.records] == [
        (9, "Cold state changes commit to git", True),
        (10, "30-second sync cycle, with emphasis and code continued on a second line", False),
        (12, "Nested: reconcile conflicts", False),
        (13, "Deeper, upper-case X", True),
        (15, "Link to the design and PR-3", False),
        (30, "Heartbeat every 30 s", False),
        (31, "Ordered with a parenthesis", True),
        (33, "Star bullet", False),
        (34, "Plus bullet", True),
        (36, "inside a quote", False),
        (38, "", False),
        (39, "two spaces after the box", True),
        (44, "under a setext heading", False),
    ]


def test_depth_parent_and_links(extract):
    tasks = by_line(extract(DOC, records=TASKS))
    assert [tasks[n]["depth"] for n in (9, 12, 13, 15)] == [1, 2, 3, 1]
    assert tasks[12]["parent"] == "30-second sync cycle, with emphasis and code continued on a second line"
    assert tasks[13]["parent"] == "Nested: reconcile conflicts"
    assert tasks[9]["parent"] is None
    # a collapsed reference [PR-3][] is a link too; its text loses the brackets like any link text
    assert tasks[15]["links"] == ["https://example.com/design", "https://example.com/pr/3"]


def test_headings_and_positions(extract):
    tasks = by_line(extract(DOC, records=TASKS))
    assert tasks[9]["heading"] == "Acceptance criteria"
    assert tasks[9]["headings"] == ["Sprint 12", "PR-010: State sync", "Acceptance criteria"]
    assert tasks[30]["headings"] == ["Sprint 12", "PR-011: Base agent ✅ Zoë"]
    assert tasks[44]["headings"] == ["Sprint 12", "Setext section"]
    assert [tasks[n]["position"] for n in (9, 10, 12, 13, 15)] == [1, 2, 3, 4, 5]
    assert [tasks[n]["position"] for n in (30, 31, 33, 34, 36, 38, 39)] == [1, 2, 3, 4, 5, 6, 7]
    assert tasks[44]["position"] == 1


def test_under_matches_any_enclosing_heading_and_match_keeps_named_groups(extract):
    found = extract(DOC, records="- tasks: {under: '^pr-010', match: '^(?P<verb>\\w+)\\b'}")
    assert [(r.line, r.data["verb"]) for r in found.records] == [(9, "Cold"), (10, "30"), (12, "Nested"),
                                                                 (13, "Deeper"), (15, "Link")]
    found = extract(DOC, records="- tasks: {under: 'Zoë$', match: '^(?P<what>Heartbeat|Plus)'}")
    # positions count every task under the heading, so filters never renumber items
    assert [(r.data["what"], r.data["position"]) for r in found.records] == [("Heartbeat", 1), ("Plus", 4)]


def test_crlf_and_bom_give_the_same_records(extract):
    lf = extract(DOC, records=TASKS)
    crlf = extract(("\ufeff" + DOC).replace("\n", "\r\n").encode("utf-8"), records=TASKS)
    assert [(r.line, r.data) for r in lf.records] == [(r.line, r.data) for r in crlf.records]


def test_declared_encoding(extract):
    found = extract("## Liste\n\n- [x] Café crème\n".encode("latin-1"), records=TASKS, encoding="latin-1")
    assert [(r.line, r.data["text"]) for r in found.records] == [(3, "Café crème")]


def test_no_tasks_falls_back_to_the_next_strategy(extract):
    found = extract("## X-1 entry\n\n- a plain list\n", records="- tasks\n- sections: {match: '^(?P<id>X-1)'}")
    assert found.strategy == "sections"
    assert extract("- plain\n", records=TASKS).records == []


def test_task_items_map_to_rows(make_ws, spec_yaml):
    from syncspec import Workspace

    spec = """\
sync: t
source:
  files: docs/doc.md
  records:
    - tasks: {under: '^PR-\\d+:'}
target:
  table: t
  key: [pr, position]
  columns:
    pr: {type: text, from: headings.1, pattern: '^(PR-\\d+)'}
    position: integer
    done: {type: boolean, from: checked}
    text: text
"""
    ws = make_ws({"specs/t.yaml": spec, "docs/doc.md": DOC})
    rows = Workspace.open(ws).preview("t").records
    assert rows[0]["row"] == {"pr": "PR-010", "position": 1, "done": True, "text": "Cold state changes commit to git"}
    assert {r["row"]["pr"] for r in rows} == {"PR-010", "PR-011"}
