"""Child tables (target.children): one parent record feeds a parent row and its child rows."""

from __future__ import annotations

import pytest

from syncspec import SpecError, Workspace

PLAN = """---
prs:
  - id: PR-1
    title: Scaffolding
    deps: []
  - id: PR-2
    title: Parser
    deps: [PR-1]
  - id: PR-3
    title: Sync
    deps: [PR-1, PR-2]
---
# Plan
"""

SPEC = """sync: prs
source:
  files: docs/plan.md
  records:
    - frontmatter: {items: prs}
target:
  table: prs
  key: [pr_id]
  columns:
    pr_id: {from: id}
    title: text
  children:
    - table: pr_deps
      each: deps
      parent: {pr_id: pr_id}
      key: [depends_on]
      columns:
        depends_on: {from: $item}
        position: {type: integer, from: $position}
on_missing: ON_MISSING
"""


def _ws(make_ws, on_missing: str = "delete"):
    return make_ws({"docs/plan.md": PLAN, "specs/prs.yaml": SPEC.replace("ON_MISSING", on_missing)})


def _deps(real, url: str) -> list[tuple]:
    return real(url).sql('SELECT "pr_id", "depends_on", "position" FROM "pr_deps" ORDER BY 1, 2')


def test_children_follow_their_parent(make_ws, db_url, real):
    root = _ws(make_ws)
    ws = Workspace.open(root, database_url=db_url)
    first = ws.sync()
    assert {c.spec: c.counts["inserted"] for c in first.changes} == {"prs": 3, "prs.pr_deps": 3}
    assert _deps(real, db_url) == [("PR-2", "PR-1", 1), ("PR-3", "PR-1", 1), ("PR-3", "PR-2", 2)]
    assert ws.sync().empty

    # PR-3 loses a dependency and PR-2 leaves the markdown: its children leave with it
    plan = root / "docs" / "plan.md"
    text = plan.read_text()
    text = text.replace("  - id: PR-2\n    title: Parser\n    deps: [PR-1]\n", "")
    text = text.replace("deps: [PR-1, PR-2]", "deps: [PR-1]")
    plan.write_text(text)
    second = ws.sync()
    by_spec = {c.spec: c.counts for c in second.changes}
    assert by_spec["prs"]["deleted"] == 1
    assert by_spec["prs.pr_deps"]["deleted"] == 2
    assert _deps(real, db_url) == [("PR-3", "PR-1", 1)]
    assert real(db_url).sql('SELECT "pr_id" FROM "prs" ORDER BY 1') == [("PR-1",), ("PR-3",)]
    assert ws.sync().empty


def test_marked_parent_marks_its_children(make_ws, sqlite_url, real):
    root = _ws(make_ws, on_missing="mark")
    ws = Workspace.open(root, database_url=sqlite_url)
    ws.sync()
    plan = root / "docs" / "plan.md"
    plan.write_text(plan.read_text().replace("  - id: PR-3\n    title: Sync\n    deps: [PR-1, PR-2]\n", ""))
    ws.sync()
    rows = real(sqlite_url).sql('SELECT "pr_id", "depends_on", "deleted_at" IS NOT NULL FROM "pr_deps" ORDER BY 1, 2')
    assert rows == [("PR-2", "PR-1", 0), ("PR-3", "PR-1", 1), ("PR-3", "PR-2", 1)]


def test_children_of_a_mapping_of_lists(make_ws, sqlite_url, real):
    """keep-a-changelog: '### Added' / '### Fixed' lists under a version become rows naming their kind."""
    changelog = ("# Changelog\n\n## [1.1.0] - 2024-05-01\n\n### Added\n\n- Export\n- Import\n\n"
                 "### Fixed\n\n- Crash on empty file\n\n## [1.0.0] - 2024-01-01\n\n### Added\n\n- First release\n")
    spec = """sync: releases
source:
  files: CHANGELOG.md
  records:
    - sections: {level: 2, match: '^\\[(?P<version>[^\\]]+)\\]', fields: none, subsections: items}
target:
  table: releases
  key: [version]
  columns:
    version: text
  children:
    - table: changes
      each: subsections
      columns:
        kind: {from: $key}
        text: {from: $item}
"""
    root = make_ws({"CHANGELOG.md": changelog, "specs/releases.yaml": spec})
    Workspace.open(root, database_url=sqlite_url).sync()
    rows = real(sqlite_url).sql('SELECT "releases_version", "position", "kind", "text" FROM "changes" ORDER BY 1, 2')
    assert rows == [("1.0.0", 1, "added", "First release"), ("1.1.0", 1, "added", "Export"),
                    ("1.1.0", 2, "added", "Import"), ("1.1.0", 3, "fixed", "Crash on empty file")]


def test_child_preview_and_spec_selection(make_ws):
    root = _ws(make_ws)
    ws = Workspace.open(root)
    assert [s.name for s in ws.specs(["prs"])] == ["prs", "prs.pr_deps"]
    pv = ws.preview("prs.pr_deps")
    assert [(r["line"], r["row"]["pr_id"], r["row"]["depends_on"]) for r in pv.records] == [
        (6, "PR-2", "PR-1"), (9, "PR-3", "PR-1"), (9, "PR-3", "PR-2")]


@pytest.mark.parametrize("good, bad, message", [
    ("parent: {pr_id: pr_id}", "parent: {pr_id: title}", "'title' is not a key column of the parent table 'prs'"),
    ("key: [depends_on]", "key: [depend_on]", "'depend_on' is not a column of child table 'pr_deps'"),
    ("depends_on: {from: $item}", "pr_id: {from: $item}", "column 'pr_id' is the parent link column"),
])
def test_child_spec_errors_name_the_line(make_ws, good, bad, message):
    spec = SPEC.replace("ON_MISSING", "delete").replace(good, bad)
    root = make_ws({"docs/plan.md": PLAN, "specs/prs.yaml": spec})
    with pytest.raises(SpecError) as err:
        Workspace.open(root).specs()
    problem = err.value.problems[0]
    assert message in problem.message
    assert bad.split(":")[0] in spec.splitlines()[problem.line - 1]


def test_child_table_cannot_be_the_parent_table(make_ws):
    spec = SPEC.replace("ON_MISSING", "delete").replace("- table: pr_deps", "- table: prs")
    root = make_ws({"docs/plan.md": PLAN, "specs/prs.yaml": spec})
    with pytest.raises(SpecError, match="is the parent's own table"):
        Workspace.open(root).specs()


def test_each_must_be_a_record_path(make_ws):
    spec = """sync: log
source:
  files: LOG.md
  records:
    - sections: {match: '^(?P<id>RUN-\\d+)'}
target:
  table: runs
  key: [id]
  columns:
    id: text
  children:
    - table: steps
      each: stepz
      columns:
        name: {from: $item}
"""
    root = make_ws({"LOG.md": "## RUN-1\n", "specs/log.yaml": spec})
    with pytest.raises(SpecError) as err:
        Workspace.open(root).specs()
    assert "stepz" in err.value.problems[0].message and err.value.problems[0].line == 13


def test_child_rows_reference_their_parent_with_cascade(make_ws, db_url, real):
    root = _ws(make_ws)
    Workspace.open(root, database_url=db_url).sync()
    target = real(db_url)
    assert target.foreign_keys("pr_deps") == {("pr_id", "prs", "pr_id")}
    if db_url.startswith("sqlite"):
        target.sql("PRAGMA foreign_keys = ON")
    target.sql('DELETE FROM "prs" WHERE "pr_id" = \'PR-3\'')   # by hand, outside syncspec
    assert _deps(real, db_url) == [("PR-2", "PR-1", 1)]
