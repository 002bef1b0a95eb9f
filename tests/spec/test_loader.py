"""Whole-workspace loading: every problem of every file at once, and checks across specs."""

from __future__ import annotations

import shutil

import pytest

from syncspec import Workspace
from syncspec.errors import SpecError

# A spec writing one slice (file_type) of the shared table 'entries'.
# Lines: 1 sync  2 source  3 files  4 records  5 - sections  6 target  7 table  8 key
#        9 columns  10 file_type  11 id  12 title
SHARED = """\
sync: {name}
source:
  files: docs/{name}.md
  records:
    - sections: {{match: '^(?P<id>[A-Z]+-\\d+)\\s*(?P<title>.*)$'}}
target:
  table: entries
  key: [file_type, id]
  columns:
    file_type: {{type: text, value: {name}}}
    id: text
    title: text
"""


def shared(name: str, **replace: str) -> str:
    text = SHARED.format(name=name)
    for old, new in replace.items():
        text = text.replace(old.replace("_", " "), new)
    return text


def test_example_ledger_workspace_validates(ledger_ws):
    specs = Workspace.open(ledger_ws).validate()
    assert [s.name for s in specs] == ["build_history", "debug_log", "decisions"]
    assert {s.table for s in specs} == {"sot_entries"}
    assert [s.partition for s in specs] == [
        {"project_id": "autopack", "file_type": "build"},
        {"project_id": "autopack", "file_type": "debug"},
        {"project_id": "autopack", "file_type": "decision"},
    ]
    assert [[st.kind for st in s.strategies] for s in specs] == [["sections", "table"]] * 3


def test_validate_works_from_a_subfolder_of_the_workspace(ledger_ws):
    specs = Workspace.open(ledger_ws / "docs").validate()
    assert len(specs) == 3


def test_specs_sharing_a_table_with_distinct_constant_keys_are_fine(load_specs):
    specs = load_specs({"a.yaml": shared("alpha"), "b.yaml": shared("beta")})
    assert [s.partition for s in specs] == [{"file_type": "alpha"}, {"file_type": "beta"}]


def test_two_broken_spec_files_are_reported_together(spec_errors):
    problems = spec_errors({
        "a.yaml": "sync: a\nsource: [\n",
        "b.yaml": shared("beta").replace("key: [file_type, id]", "key: [file_type, slug]"),
        "c.yaml": shared("gamma"),
    })
    assert problems == [
        "specs/a.yaml:2:9: SS102 invalid YAML: while parsing a flow node: "
        "expected the node content, but found '<stream end>'\n"
        "    hint: fix the YAML syntax (indentation, quotes, a ':' after each key)",
        "specs/b.yaml:8:20: SS120 $.target.key[1]: 'slug' is not a column of table 'entries' "
        "(columns: file_type, id, title)\n"
        "    hint: declare it under target.columns (columns: file_type, id, title)",
    ]


def test_one_spec_error_holds_all_problems_and_formats_them_with_a_count(load_specs):
    with pytest.raises(SpecError) as info:
        load_specs({"a.yaml": "sync: a\n  x: 1\n", "b.yaml": "- 1\n"})
    err = info.value
    assert [(p.file, p.line) for p in err.problems] == [("specs/a.yaml", 2), ("specs/b.yaml", 1)]
    assert str(err).splitlines()[0] == "2 problems:"
    assert err.as_dict()["exit_code"] == 1 and len(err.as_dict()["problems"]) == 2


def test_same_sync_name_in_two_files(spec_errors):
    assert spec_errors({"a.yaml": shared("alpha"), "b.yaml": shared("alpha")}) == [
        "specs/b.yaml:1:7: SS120 $.sync: sync name 'alpha' is also used by specs/a.yaml\n"
        "    hint: give each spec a unique 'sync:' name"]


def test_shared_table_with_different_keys(spec_errors):
    other = shared("beta").replace("key: [file_type, id]", "key: [file_type, id, title]")
    assert spec_errors({"a.yaml": shared("alpha"), "b.yaml": other}) == [
        "specs/b.yaml:8:8: SS120 $.target.key: table 'entries' is keyed by ['file_type', 'id'] in specs/a.yaml "
        "but by ['file_type', 'id', 'title'] here\n"
        "    hint: specs sharing a table must declare the same key"]


def test_shared_table_with_different_column_types(spec_errors):
    other = shared("beta").replace("    title: text", "    title: integer")
    assert spec_errors({"a.yaml": shared("alpha"), "b.yaml": other}) == [
        "specs/b.yaml:12:12: SS120 $.target.columns.title: column 'title' of 'entries' is text in specs/a.yaml "
        "but integer here\n"
        "    hint: use one type per column across specs sharing a table"]


def test_shared_table_with_different_hash_columns(spec_errors):
    other = shared("beta") + "hash: {column: row_hash}\n"
    assert spec_errors({"a.yaml": shared("alpha"), "b.yaml": other}) == [
        "specs/b.yaml:13:16: SS120 $.hash.column: table 'entries' keeps its hash in 'content_hash' (specs/a.yaml), "
        "not 'row_hash'"]


@pytest.mark.parametrize("beta_file_type", [
    "{type: text, value: alpha}",     # the same constant: both own the same slice
    "{type: text, from: heading}",    # not a constant: no slice at all
])
def test_shared_table_without_a_distinguishing_constant_key(spec_errors, beta_file_type):
    other = shared("beta").replace("{type: text, value: beta}", beta_file_type)
    assert spec_errors({"a.yaml": shared("alpha"), "b.yaml": other}) == [
        "specs/b.yaml:8:8: SS120 $.target.key: specs 'alpha' (specs/a.yaml) and 'beta' both write table 'entries' "
        "and could delete each other's rows\n"
        "    hint: give both a constant key column with different values, "
        "e.g. file_type: {type: text, value: build}"]


def test_yml_files_are_specs_and_other_files_are_not(load_specs):
    specs = load_specs({"a.yml": shared("alpha"), "notes.txt": "not a spec", "README.md": "# hi\n",
                        "schema.json": "{}"})
    assert [s.file for s in specs] == ["specs/a.yml"]


def test_missing_specs_folder(make_ws):
    ws = make_ws({})
    shutil.rmtree(ws / "specs", ignore_errors=True)
    with pytest.raises(SpecError) as info:
        Workspace.open(ws).validate()
    assert [p.format() for p in info.value.problems] == [
        "syncspec.yaml: SS113 specs folder 'specs' does not exist\n"
        "    hint: create it, or point 'specs:' in syncspec.yaml at your specs folder (`syncspec init` scaffolds one)"]


def test_only_selects_specs_by_name_and_names_unknown_ones(load_specs, make_ws):
    ws = make_ws({"specs/a.yaml": shared("alpha"), "specs/b.yaml": shared("beta")})
    workspace = Workspace.open(ws)
    assert [s.name for s in workspace.specs(["beta"])] == ["beta"]
    with pytest.raises(SpecError) as info:
        workspace.specs(["gamma"])
    assert str(info.value) == "SS109 no spec named 'gamma'; specs: alpha, beta"
