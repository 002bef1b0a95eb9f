"""Hostile input (issue 11, defects 9, 10, 16, 23): every case a located error with exit 1, fast, no
traceback, and nothing written -- through the real CLI on real files."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" if i else "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(10))   # billion laughs: 10 levels of 10 aliases, 10^10 values once expanded

NOTES_SPEC = """\
sync: notes
source:
  files: docs/*.md
  records:
    - sections: {level: 2, match: '^(?P<id>N-\\d+):?\\s*(?P<title>.*)$'}
target:
  table: notes
  key: [id]
  columns:
    id: text
    title: text
"""
FRONTMATTER_SPEC = """\
sync: pages
source:
  files: docs/*.md
  records:
    - frontmatter
target:
  table: pages
  key: [id]
  columns:
    id: {type: text, from: $stem}
    title: text
"""
YAML_SPEC = """\
sync: items
source:
  files: data/*.yaml
  records:
    - yaml: {pointer: '/items/{id}'}
target:
  table: items
  key: [id]
  columns:
    id: text
    name: text
"""
JSON_SPEC = YAML_SPEC.replace("data/*.yaml", "data/*.json").replace("- yaml:", "- json:")


def run(cli, ws: Path, *args: str, limit: float = 5.0):
    start = time.monotonic()
    r = cli("--project", str(ws), *args)
    elapsed = time.monotonic() - start
    assert elapsed < limit, f"took {elapsed:.1f}s"
    return r


def assert_located(r, location: str, *needles: str) -> None:
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert location in r.stderr, r.stderr
    assert "hint:" in r.stderr, r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr


def assert_nothing_written(ws: Path) -> None:
    db = ws / ".syncspec" / "t.db"
    if not db.exists():
        return
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        runs = (con.execute("SELECT COUNT(*) FROM syncspec_runs WHERE state <> 'failed'").fetchone()[0]
                if "syncspec_runs" in tables else 0)   # a failed run may be on the record
        rows = sum(con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables & {"notes", "pages", "items"})
    finally:
        con.close()
    assert (runs, rows) == (0, 0)


# -- YAML: alias bombs, depth, huge numbers, NUL (defects 9, 16) -----------------------------------

def test_alias_bomb_in_a_spec_is_a_located_error_within_a_second(make_ws, cli):
    # under a key the schema rejects: the bound must fire before validation walks the aliases
    anchors = "anchors:\n" + "".join(f"  {line}\n" for line in LAUGHS.splitlines())
    ws = make_ws({"specs/x.yaml": NOTES_SPEC + anchors, "docs/a.md": "## N-1: one\n"})
    r = run(cli, ws, "validate", limit=3)
    assert_located(r, "specs/x.yaml:14:", "YAML aliases expand the document to", "(an alias bomb?)")


def test_alias_bomb_in_front_matter_is_a_located_error(make_ws, cli):
    page = "---\ntitle: boom\n" + LAUGHS + "---\n# Page\n"
    ws = make_ws({"specs/x.yaml": FRONTMATTER_SPEC, "docs/a.md": page})
    r = run(cli, ws, "sync", limit=3)
    assert_located(r, "docs/a.md:4:", "YAML aliases expand the document to", "in the front matter")
    assert_nothing_written(ws)


def test_alias_bomb_in_a_yaml_source_is_a_located_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": YAML_SPEC, "data/a.yaml": "items: {a: {name: x}}\n" + LAUGHS})
    r = run(cli, ws, "sync", limit=3)
    assert_located(r, "data/a.yaml:3:", "YAML aliases expand the document to")
    assert_nothing_written(ws)


def test_recursive_alias_is_a_located_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": YAML_SPEC, "data/a.yaml": "items: &x {a: {name: x, self: *x}}\n"})
    assert_located(run(cli, ws, "sync"), "data/a.yaml:1:", "recursive YAML alias")


@pytest.mark.parametrize("depth, what", [(150, "YAML nested deeper than 100 levels"),
                                         (5000, "YAML nested too deeply to parse")])
def test_deeply_nested_spec_is_a_located_error(make_ws, cli, depth, what):
    ws = make_ws({"specs/x.yaml": NOTES_SPEC + "description: " + "[" * depth + "]" * depth + "\n",
                  "docs/a.md": "## N-1: one\n"})
    assert_located(run(cli, ws, "validate"), "specs/x.yaml:12:", what)


def test_deeply_nested_yaml_source_is_a_located_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": YAML_SPEC, "data/a.yaml": "items:\n  a: {name: x, deep: " + "[" * 150 + "]" * 150 + "}\n"})
    assert_located(run(cli, ws, "sync"), "data/a.yaml:2:", "YAML nested deeper than 100 levels")
    assert_nothing_written(ws)


def test_integer_beyond_64_bits_in_a_spec_is_a_located_error(make_ws, cli):
    spec = NOTES_SPEC + "    n: {type: integer, value: 99999999999999999999}\n"
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": "## N-1: one\n"})
    assert_located(run(cli, ws, "validate"), "specs/x.yaml:12:31: $.target.columns.n.value: integer "
                                             "99999999999999999999 does not fit in 64 bits")


def test_integer_too_long_to_convert_in_a_spec_is_a_located_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": NOTES_SPEC.replace("level: 2", "level: 2" + "0" * 5000), "docs/a.md": "## N-1\n"})
    assert_located(run(cli, ws, "validate"), "specs/x.yaml:5:25: integer with 5001 digits is too large")


def test_infinite_default_in_a_spec_is_a_located_error(make_ws, cli):
    spec = NOTES_SPEC + "    score: {type: real, from: title, default: 1.0e+999}\n"
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": "## N-1: one\n"})
    assert_located(run(cli, ws, "validate"), "specs/x.yaml:12:47: $.target.columns.score.default: number inf is not "
                                             "finite")


def test_huge_integer_in_a_yaml_source_is_a_located_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": YAML_SPEC, "data/a.yaml": "items:\n  a: {name: " + "9" * 5000 + "}\n"})
    assert_located(run(cli, ws, "sync"), "data/a.yaml:2:13: ", "integer with 5000 digits is too large")
    assert_nothing_written(ws)


def test_nul_byte_in_a_spec_is_a_located_spec_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": NOTES_SPEC.replace("    title: text", "    title: te\x00xt"), "docs/a.md": "## N-1\n"})
    assert_located(run(cli, ws, "validate"), "specs/x.yaml:11:14: invalid YAML: character NUL (\\x00) is not allowed")


def test_nul_byte_in_syncspec_yaml_is_a_located_config_error(make_ws, cli):
    ws = make_ws({"syncspec.yaml": "project: de\x00mo\n"})
    assert_located(run(cli, ws, "validate"), "syncspec.yaml:1:12: invalid YAML: character NUL")


def test_nul_byte_in_front_matter_is_a_located_source_error(make_ws, cli):
    ws = make_ws({"specs/x.yaml": FRONTMATTER_SPEC, "docs/a.md": "---\ntitle: a\x00b\n---\n# Page\n"})
    assert_located(run(cli, ws, "sync"), "docs/a.md:2:9: invalid YAML in the front matter: character NUL")
    assert_nothing_written(ws)


# -- JSON sources (defects 10, 23) ---------------------------------------------------------------

@pytest.mark.parametrize("doc, location, message", [
    ('{"items": {"a": {"name": "x"},\n  "a": {"name": "y"}}}', "data/a.json:2:3: ",
     "duplicate key 'a' in a JSON object (first defined on line 1)"),
    ('{"items": {"a": {"name": "x", "n": NaN}}}', "data/a.json:1:36: ", "NaN is not JSON"),
    ('{"items": {"a": {"name": "x",\n "n": Infinity}}}', "data/a.json:2:7: ", "Infinity is not JSON"),
    ('{"items": {"a": {"name": "x", "n": -Infinity}}}', "data/a.json:1:36: ", "-Infinity is not JSON"),
    ('{"items": {"a": {"name": "\\ud800"}}}', "data/a.json:1:27: ", "\\ud800 is half of a UTF-16 surrogate pair"),
    ('{"items": {"a": {"name": "x", "deep": ' + "[" * 150 + "]" * 150 + '}}}', "data/a.json:1:136: ",
     "JSON nested deeper than 100 levels"),
    ('{"items": {"a": {"name": "x", "deep": ' + "[" * 5000 + "]" * 5000 + '}}}', "data/a.json:1:136: ",
     "JSON nested deeper than 100 levels"),
    ('{"items": {"a": {"name": ' + "7" * 5000 + '}}}', "data/a.json:1:26: ",
     "integer with more than 4300 digits is too large"),
])
def test_json_source_problems_are_located_errors(make_ws, cli, doc, location, message):
    ws = make_ws({"specs/x.yaml": JSON_SPEC, "data/a.json": doc})
    assert_located(run(cli, ws, "sync"), location, message)
    assert_nothing_written(ws)


def test_json_pairs_and_escaped_backslashes_are_fine(make_ws, cli):
    doc = '{"items": {"a": {"name": "\\ud83d\\ude00 \\\\ud800"}}}'
    ws = make_ws({"specs/x.yaml": JSON_SPEC, "data/a.json": doc})
    r = run(cli, ws, "sync")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(ws / ".syncspec" / "t.db")
    try:
        assert con.execute("SELECT name FROM items").fetchall() == [("\U0001F600 \\ud800",)]
    finally:
        con.close()


# -- spec regexes that cannot hang a run (defect 9) ----------------------------------------------

EVIL = "a" * 40 + "b"


@pytest.mark.parametrize("verb", ["sync", "plan"])
def test_catastrophic_heading_regex_is_a_located_error_within_about_a_second(make_ws, cli, verb):
    spec = NOTES_SPEC.replace("match: '^(?P<id>N-\\d+):?\\s*(?P<title>.*)$'", "match: '^(?P<id>(a|aa)+)(?P<title>)$'")
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": f"## {EVIL}\n"})
    r = run(cli, ws, verb, limit=4)
    assert_located(r, "specs/x.yaml:5:35: $.source.records[0].sections.match: regex '^(?P<id>(a|aa)+)(?P<title>)$' "
                      "gave up after 0.5s on the text 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... (41 characters) "
                      "from docs/a.md",
                   "(catastrophic backtracking)", "hint: simplify the regex")
    assert_nothing_written(ws)


def test_catastrophic_column_pattern_names_the_record(make_ws, cli):
    spec = NOTES_SPEC + "    tail: {type: text, from: title, pattern: '^(a|aa)+$'}\n"
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": f"## N-1: ok\n\n## N-2: {EVIL}\n"})
    r = run(cli, ws, "sync", limit=4)
    assert_located(r, "specs/x.yaml:12:46: $.target.columns.tail.pattern: regex '^(a|aa)+$' gave up after 0.5s",
                   "from docs/a.md:3 (catastrophic backtracking)")
    assert_nothing_written(ws)


def test_nested_quantifier_pattern_is_a_located_error_within_about_a_second(make_ws, cli):
    """`(a+)+$`, unanchored, on a long value: Python's re hangs; here the run stops with the record named."""
    spec = NOTES_SPEC + "    tail: {type: text, from: title, pattern: '(a+)+$'}\n"
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": f"## N-1: {'a' * 5000}b\n"})
    r = run(cli, ws, "sync", limit=4)
    assert_located(r, "specs/x.yaml:12:46: $.target.columns.tail.pattern: regex '(a+)+$' gave up after 0.5s",
                   "(5,001 characters) from docs/a.md:1")
    assert_nothing_written(ws)


def test_lookarounds_and_backreferences_still_work(make_ws, cli):
    spec = NOTES_SPEC.replace("match: '^(?P<id>N-\\d+):?\\s*(?P<title>.*)$'",
                              "match: '^(?P<id>N-\\d+)(?=:):\\s*(?P<title>(\\w)\\3.*)$'")
    ws = make_ws({"specs/x.yaml": spec, "docs/a.md": "## N-1: aab\n## N-2: abc\n"})
    r = run(cli, ws, "sync")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(ws / ".syncspec" / "t.db")
    try:
        assert con.execute("SELECT id, title FROM notes").fetchall() == [("N-1", "aab")]
    finally:
        con.close()
