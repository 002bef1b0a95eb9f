"""Value errors: located at the value's own line, never a traceback; date formats; on_error; children."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncspec import Workspace
from syncspec.errors import MappingError, SourceError, SyncSpecError

TYPES = ("text", "integer", "real", "boolean", "date", "datetime", "json")
COLUMNS = "\n".join(f"    c_{t}: {{type: {t}, from: v}}" for t in TYPES)


def _spec(name: str, files: str, records: str, key: str = "{type: text, from: $path}") -> str:
    return (f"sync: {name}\nsource:\n  files: {files}\n  records: {records}\ntarget:\n  table: {name}\n"
            f"  key: [k]\n  columns:\n    k: {key}\n{COLUMNS}\n")


def rows(url: str, sql: str) -> list[tuple]:
    db = sqlite3.connect(url.split("sqlite:///", 1)[1])
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# YAML scalars as people (and fuzzers) write them: dates, impossible dates, timestamps with offsets at the
# ends of the calendar, explicit tags that do not fit, numbers of every spelling, mappings with odd keys
yaml_scalars = st.one_of(
    st.dates().map(str),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99),
              st.integers(0, 99)),
    st.builds(lambda d, h, z: f"{d}T{h:02d}:00:00{z}", st.dates(), st.integers(0, 29),
              st.sampled_from(["", "Z", "+05:00", "-11:30", "+24:00"])),
    st.integers().map(str), st.floats().map(str),
    st.sampled_from(["!!int abc", "!!bool maybe", "!!float x", "!!timestamp nope", "!!binary '@@'", "~", "''",
                     "{1: a, b: c}", "{2020-01-01: a}", "[1, {a: 2020-01-01}]", ".nan", "-.inf", "0o17", "0x_1f",
                     "1_000", "yes", "0001-01-01 00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2020-02-30",
                     "!!str 2020-30-01", "1e999", "[]", "{}", "'a: b'"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
    .map(lambda s: "'" + s.replace("'", "''") + "'"),
)


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "specs").mkdir()
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(f"project: p\ndatabase: sqlite:///{root / 't.db'}\nspecs: specs/\n")
    (root / "specs/fm.yaml").write_text(_spec("fm", "docs/a.md", "[frontmatter]"))
    (root / "specs/yml.yaml").write_text(_spec("yml", "docs/a.yaml", "[{yaml: {pointer: /items/*}}]"))
    (root / "specs/js.yaml").write_text(_spec("js", "docs/a.json", "[{json: {pointer: /items/*}}]",
                                              key="{type: text, from: $pointer}"))
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(value=yaml_scalars, as_json=st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=12),
                                              st.booleans(), st.lists(st.integers(), max_size=2)))
@example(value="2020-30-01", as_json="2020-30-01")
@example(value="0001-01-01 00:00:00+05:00", as_json=None)
def test_random_scalars_raise_only_syncspec_errors(fuzz_ws, value, as_json):
    import json

    (fuzz_ws / "docs/a.md").write_text(f"---\nv: {value}\n---\n# x\n")
    (fuzz_ws / "docs/a.yaml").write_text(f"items:\n  - v: {value}\n")
    (fuzz_ws / "docs/a.json").write_text(json.dumps({"items": [{"v": as_json}]}, allow_nan=False)
                                         if not (isinstance(as_json, float) and as_json != as_json or
                                                 as_json in (float("inf"), float("-inf"))) else '{"items": []}')
    ws = Workspace.open(fuzz_ws)
    for name in ("fm", "yml", "js"):
        try:
            ws.preview(name)
        except SyncSpecError:
            pass
    try:
        ws.sync(allow_empty=True)
    except SyncSpecError as exc:
        assert all(p.file for p in exc.problems), exc


def test_an_impossible_date_in_front_matter_names_its_line(make_ws):
    ws = make_ws({"specs/fm.yaml": _spec("fm", "docs/*.md", "[frontmatter]"),
                  "docs/a.md": "---\ntitle: A\nv: 2020-30-01\n---\n# A\n"})
    with pytest.raises(SourceError) as err:
        Workspace.open(ws).sync()
    (p,) = err.value.problems
    assert (p.file, p.line, p.column) == ("docs/a.md", 3, 4)
    assert "value '2020-30-01' cannot be read as a date: month must be in 1..12" in p.message


def test_an_impossible_date_in_a_yaml_source_names_its_line(make_ws):
    ws = make_ws({"specs/y.yaml": _spec("y", "data.yaml", "[{yaml: {pointer: /items/*}}]"),
                  "data.yaml": "items:\n  - v: 2021-01-01\n  - v: 2021-02-30\n"})
    with pytest.raises(SourceError) as err:
        Workspace.open(ws).plan()
    (p,) = err.value.problems
    assert (p.file, p.line) == ("data.yaml", 3) and "day is out of range for month" in p.message


DATES_SPEC = """\
sync: releases
source:
  files: docs/releases.md
  records:
    - sections: {level: 2, match: '^(?P<version>v[\\d.]+)$', fields: [list]}
target:
  table: releases
  key: [version]
  columns:
    version: text
    released: {type: date, from: fields.released, formats: ['%B %d %Y', '%d-%m-%Y']}
    reviewed: {type: datetime, from: fields.reviewed, formats: '%d/%m/%Y %H:%M', on_error: null}
    size:     {type: integer, from: fields.size, on_error: warn}
"""
RELEASES = """\
# Releases

## v1.0

- Released: July 15 2021
- Reviewed: 16/07/2021 09:30
- Size: 12

## v1.1

- Released: 23-07-2014
- Reviewed: not yet
- Size: big

## v1.2

- Released: 2020-12-1
- Size: 3

## v1.3

- Released: 2020/05/18
"""


def test_dates_with_declared_formats_and_lenient_iso(make_ws, sqlite_url):
    ws = make_ws({"specs/r.yaml": DATES_SPEC, "docs/releases.md": RELEASES})
    Workspace.open(ws, database_url=sqlite_url).sync()
    assert rows(sqlite_url, "SELECT version, released, reviewed, size FROM releases ORDER BY version") == [
        ("v1.0", "2021-07-15", "2021-07-16 09:30:00", 12),
        ("v1.1", "2014-07-23", None, None),          # on_error: null and warn store NULL, the run goes on
        ("v1.2", "2020-12-01", None, 3),
        ("v1.3", "2020-05-18", None, None),
    ]


def test_on_error_warn_is_a_located_warning_in_preview(make_ws):
    ws = make_ws({"specs/r.yaml": DATES_SPEC, "docs/releases.md": RELEASES})
    pv = Workspace.open(ws).preview("releases")
    assert pv.problems == []
    assert [(w.file, w.line) for w in pv.warnings] == [("docs/releases.md", 13)]
    assert "value 'big' is not a valid integer" in pv.warnings[0].message
    assert "(stored as NULL)" in pv.warnings[0].message


def test_a_bad_date_is_an_error_at_the_field_line_and_names_the_formats(make_ws, sqlite_url):
    ws = make_ws({"specs/r.yaml": DATES_SPEC,
                  "docs/releases.md": RELEASES.replace("23-07-2014", "the 23rd")})
    with pytest.raises(MappingError) as err:
        Workspace.open(ws, database_url=sqlite_url).sync()
    (p,) = err.value.problems
    assert (p.file, p.line, p.column) == ("docs/releases.md", 11, 13)     # '- Released: the 23rd'
    assert p.message == ("column 'released' of spec 'releases': value 'the 23rd' is not a valid date (matches none "
                         "of the formats '%B %d %Y', '%d-%m-%Y' and is not an ISO date)")


def test_front_matter_and_json_value_errors_name_the_value_line(make_ws):
    spec = ("sync: n\nsource:\n  files: docs/*.md\n  records: [frontmatter]\ntarget:\n  table: n\n"
            "  key: [k]\n  columns:\n    k: {type: text, from: $path}\n    due: {type: date, from: due}\n")
    ws = make_ws({"specs/n.yaml": spec, "docs/a.md": "---\ntitle: A\n\ndue: someday\n---\n"})
    with pytest.raises(MappingError) as err:
        Workspace.open(ws).plan()
    assert [(p.file, p.line, p.column) for p in err.value.problems] == [("docs/a.md", 4, 6)]

    spec = ("sync: j\nsource:\n  files: plan.json\n  records: [{json: {pointer: /tasks/*}}]\ntarget:\n  table: j\n"
            "  key: [id]\n  columns:\n    id: text\n    hours: {type: real, from: effort.hours}\n")
    doc = '{"tasks": [\n  {"id": "a", "effort": {"hours": 2}},\n  {"id": "b",\n   "effort": {\n    "hours": "lots"}}\n]}\n'
    ws = make_ws({"specs/j.yaml": spec, "plan.json": doc})
    with pytest.raises(MappingError) as err:
        Workspace.open(ws).plan()
    assert [(p.file, p.line) for p in err.value.problems] == [("plan.json", 5)]


CHILD_SPEC = """\
sync: runs
source:
  files: docs/runs*.md
  records:
    - sections: {level: 2, match: '^(?P<run_id>RUN-\\d+)$', subsections: items}
target:
  table: runs
  key: [run_id]
  columns:
    run_id: text
    started: {type: date, from: fields.started}
  children:
    - table: run_steps
      each: subsections.steps
      columns:
        step: {from: $item}
"""


def test_a_parent_value_error_with_children_is_reported_as_itself(make_ws, sqlite_url):
    ws = make_ws({"specs/runs.yaml": CHILD_SPEC,
                  "docs/runs1.md": "## RUN-1\n\n- Started: 2024-01-02\n\n### Steps\n\n- build\n- test\n",
                  "docs/runs2.md": "## RUN-2\n\n- Started: 2024-01-03\n\n### Steps\n\n- lint\n\n"
                                   "## RUN-3\n\n- Started: soon\n\n### Steps\n\n- deploy\n\n"
                                   "## RUN-4\n\n- Started: 2024-01-05\n\n### Steps\n\n- ship\n"})
    with pytest.raises(MappingError) as err:
        Workspace.open(ws, database_url=sqlite_url).sync()
    (p,) = err.value.problems
    assert (p.file, p.line) == ("docs/runs2.md", 11) and "'soon' is not a valid date" in p.message
    assert rows(sqlite_url, "SELECT name FROM sqlite_master WHERE name = 'runs'") == []   # rolled back


def test_on_error_warn_reaches_the_sync_result_once(make_ws, sqlite_url):
    ws = make_ws({"specs/r.yaml": DATES_SPEC, "docs/releases.md": RELEASES})
    result = Workspace.open(ws, database_url=sqlite_url).sync()
    (cs,) = result.changes
    assert [(w.file, w.line) for w in cs.warnings] == [("docs/releases.md", 13)]
