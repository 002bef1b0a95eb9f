"""Value shaping: link text, value maps, find-all, replace, arithmetic, element types, split on scalars, number."""

from __future__ import annotations

import sqlite3

import pytest

from syncspec import Workspace
from syncspec.errors import MappingError
from syncspec.transforms import make_step

SPEC = """\
sync: changes
source:
  files: docs/changes.md
  records:
    - sections: {level: 2, match: '^(?P<id>C-\\d+)', fields: [list]}
target:
  table: changes
  key: [id]
  columns:
    id: text
    kind: {type: text, from: fields.kind, transform: [{map: {Fixes: Fixed, Adds: Added}}]}
    issue: {type: text, from: fields.issue, transform: [link_text]}
    issues: {type: json, from: fields.issues, transform: [{find_all: '#(\\d+)'}], items: integer}
    version: {type: text, from: fields.version, transform: [{replace: {pattern: '^v(\\d+)\\.(\\d+)$', with: '\\2.\\1'}}]}
    minutes: {type: integer, from: fields.effort, transform: [number, {multiply: 60}]}
    hours: {type: real, from: fields.effort, transform: [number]}
"""
DOC = """\
## C-1

- Kind: Fixes
- Issue: [the parser bug](https://example.org/7)
- Issues: [#12](https://example.org/12), [#13](https://example.org/13)
- Version: v1.2
- Effort: 1,5 h

## C-2

- Kind: Changed
- Issues: none
- Effort: -3e5
"""


def test_value_shaping_steps_into_real_rows(make_ws, sqlite_url):
    ws = make_ws({"specs/c.yaml": SPEC, "docs/changes.md": DOC})
    Workspace.open(ws, database_url=sqlite_url).sync()
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT id, kind, issue, issues, version, minutes, hours FROM changes ORDER BY id").fetchall() == [
        ("C-1", "Fixed", "the parser bug", "[12,13]", "2.1", 90, 1.5),
        ("C-2", "Changed", None, "[]", None, -18000000, -300000.0),
    ]


def test_split_wraps_a_yaml_scalar_so_every_row_holds_a_list(make_ws, sqlite_url):
    spec = ("sync: t\nsource:\n  files: docs/*.md\n  records: [frontmatter]\ntarget:\n  table: t\n  key: [k]\n"
            "  columns:\n    k: {type: text, from: $stem}\n    tags: {type: json, transform: [split]}\n"
            "    ids: {type: json, from: ids, items: integer}\n")
    ws = make_ws({"specs/t.yaml": spec, "docs/a.md": "---\ntags: a, b\nids: ['1', 2]\n---\n",
                  "docs/b.md": "---\ntags: 2024\nids: 7\n---\n"})
    Workspace.open(ws, database_url=sqlite_url).sync()
    db = sqlite3.connect(sqlite_url.split("sqlite:///", 1)[1])
    assert db.execute("SELECT k, tags, ids FROM t ORDER BY k").fetchall() == [
        ("a", '["a","b"]', "[1,2]"), ("b", "[2024]", "[7]")]


def test_an_element_that_is_not_of_its_type_is_a_located_error(make_ws):
    spec = ("sync: t\nsource:\n  files: docs/*.md\n  records: [frontmatter]\ntarget:\n  table: t\n  key: [k]\n"
            "  columns:\n    k: {type: text, from: $stem}\n    ids: {type: json, from: ids, items: integer}\n")
    ws = make_ws({"specs/t.yaml": spec, "docs/a.md": "---\ntitle: x\nids:\n  - 1\n  - two\n---\n"})
    with pytest.raises(MappingError) as err:
        Workspace.open(ws).plan()
    (p,) = err.value.problems
    assert (p.file, p.line) == ("docs/a.md", 4)          # where the list starts
    assert "element 1 'two' is not a valid integer" in p.message


@pytest.mark.parametrize("text, expected", [
    ("1,5 h", "1.5"), ("-3e5", "-300000"), ("≈ 1,200 h", "1200"), ("1,200.5", "1200.5"), ("2.5e-3", "0.0025"),
    ("1,200,300", "1200300"), ("none", None)])
def test_number_reads_decimal_commas_and_exponents(text, expected):
    assert make_step("number")(text) == expected


def test_arithmetic_refuses_text_that_is_not_a_number():
    with pytest.raises(ValueError, match="'deep' is not a number"):
        make_step("add", -1)("deep")
    assert make_step("add", -1)("3") == 2 and make_step("multiply", 0.5)(3) == 1.5
