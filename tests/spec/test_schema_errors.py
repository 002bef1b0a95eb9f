"""Schema violations: unknown keys with did-you-mean, wrong types, enums, missing keys."""

from __future__ import annotations

import pytest

# BASE's lines: 1 sync  2 source  3 files  4 records  5 - sections  6 target  7 table
#               8 key  9 columns  10 id  11 title  12 body
BASE = """\
sync: notes
source:
  files: docs/notes.md
  records:
    - sections: {level: 2, match: '^(?P<id>N-\\d+):?\\s*(?P<title>.*)$'}
target:
  table: notes
  key: [id]
  columns:
    id: text
    title: text
    body: {type: text, from: body}
"""


def test_base_spec_is_valid(load_specs):
    (spec,) = load_specs({"notes.yaml": BASE})
    assert (spec.name, spec.table, spec.key) == ("notes", "notes", ("id",))


def test_unknown_top_level_key_with_did_you_mean(spec_errors):
    # only the typo is reported: "missing required key 'target'" would say the same thing twice
    assert spec_errors(BASE.replace("target:", "targt:")) == [
        "specs/x.yaml:6:1: SS106 $.targt: unknown key 'targt'\n    hint: did you mean 'target'?"]


def test_unknown_key_far_from_any_lists_the_allowed_keys(spec_errors):
    assert spec_errors(BASE + "frobnicate: 1\n") == [
        "specs/x.yaml:13:1: SS106 $.frobnicate: unknown key 'frobnicate'\n"
        "    hint: allowed keys: blocking, description, hash, on_missing, render, source, sync, target, trigger"]


def test_unknown_column_option_is_named_at_its_own_key(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: text, requird: true}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:25: SS106 $.target.columns.title.requird: unknown key 'requird'\n"
        "    hint: did you mean 'required'?"]


def test_unknown_strategy_name(spec_errors):
    text = BASE.replace("    - sections:", "    - section:")
    assert spec_errors(text) == [
        "specs/x.yaml:5:7: SS106 $.source.records[0].section: unknown key 'section'\n"
        "    hint: did you mean 'sections'?"]


def test_misspelled_column_type(spec_errors):
    assert spec_errors(BASE.replace("    title: text", "    title: txt")) == [
        "specs/x.yaml:11:12: SS105 $.target.columns.title: 'txt' is not one of "
        "'text', 'integer', 'real', 'boolean', 'date', 'datetime', 'json'\n"
        "    hint: did you mean 'text'?"]


def test_from_and_value_together(spec_errors):
    text = BASE.replace("    title: text", "    title: {from: heading, value: x}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:12: SS105 $.target.columns.title: 'from' and 'value' cannot be used together\n"
        "    hint: keep one of them"]


def test_level_given_as_a_string(spec_errors):
    assert spec_errors(BASE.replace("level: 2", 'level: "two"')) == [
        "specs/x.yaml:5:25: SS105 $.source.records[0].sections.level: 'two' is not of type 'integer'"]


def test_level_out_of_range(spec_errors):
    assert spec_errors(BASE.replace("level: 2", "level: 7")) == [
        "specs/x.yaml:5:25: SS105 $.source.records[0].sections.level: 7 is greater than the maximum of 6"]


def test_key_given_as_a_string_suggests_a_list(spec_errors):
    assert spec_errors(BASE.replace("key: [id]", "key: id")) == [
        "specs/x.yaml:8:8: SS105 $.target.key: 'id' is not of type 'array'\n    hint: write a list: [id]"]


def test_on_missing_enum_lists_the_options(spec_errors):
    assert spec_errors(BASE + "on_missing: remove\n") == [
        "specs/x.yaml:13:13: SS105 $.on_missing: 'remove' is not one of 'delete', 'keep', 'mark'\n"
        "    hint: use one of: 'delete', 'keep', 'mark'"]


def test_enum_typo_gets_did_you_mean(spec_errors):
    assert spec_errors(BASE + "on_missing: delte\n") == [
        "specs/x.yaml:13:13: SS105 $.on_missing: 'delte' is not one of 'delete', 'keep', 'mark'\n"
        "    hint: did you mean 'delete'?"]


def test_field_style_typo(spec_errors):
    text = BASE.replace("{level: 2,", "{level: 2, fields: boldd,")
    assert spec_errors(text) == [
        "specs/x.yaml:5:36: SS105 $.source.records[0].sections.fields: 'boldd' is not one of "
        "'bold', 'list', 'plain', 'dataview', 'none'\n    hint: did you mean 'bold'?"]


def test_files_of_the_wrong_kind_names_both_forms(spec_errors):
    assert spec_errors(BASE.replace("files: docs/notes.md", "files: 3")) == [
        "specs/x.yaml:3:10: SS105 $.source.files: 3 is not valid here: expected glob or a list\n"
        "    hint: see `syncspec schema` for the accepted forms"]


def test_missing_required_keys_each_at_their_mapping(spec_errors):
    text = "sync: notes\nsource:\n  files: docs/notes.md\ntarget:\n  key: [id]\n  columns: {id: text}\n"
    assert spec_errors(text) == [
        "specs/x.yaml:3:3: SS107 $.source: missing required key 'records'\n"
        "    hint: add 'records:' here (see `syncspec schema`)",
        "specs/x.yaml:5:3: SS107 $.target: missing required key 'table'\n"
        "    hint: add 'table:' here (see `syncspec schema`)"]


def test_sync_name_pattern(spec_errors):
    assert spec_errors(BASE.replace("sync: notes", "sync: Notes-1")) == [
        "specs/x.yaml:1:7: SS105 $.sync: 'Notes-1' does not match '^[a-z][a-z0-9_]{0,62}$'\n"
        "    hint: name syncs like python identifiers in lowercase, e.g. build_history"]


def test_a_spec_that_is_a_list(spec_errors):
    assert spec_errors("- sync: notes\n") == ["specs/x.yaml:1:1: SS105 $: [{'sync': 'notes'}] is not of type 'object'"]


@pytest.mark.parametrize("column, problem", [
    ("'bad name': text", "$.target.columns['bad name']: name 'bad name' does not match "
                         "'^[A-Za-z_][A-Za-z0-9_]{0,62}$'\n"
                         "    hint: use letters, digits and underscores, starting with a letter"),
    ("2: text", "$.target.columns[2]: name 2 is not a string\n"
                "    hint: use letters, digits and underscores, starting with a letter"),
    ("on: text", "$.target.columns[True]: name True is not a string\n"
                 "    hint: YAML reads on/off/yes/no as true/false: quote the key ('on':) if you meant the word"),
])
def test_column_names_must_be_identifiers_and_are_located_at_the_key(spec_errors, column, problem):
    assert spec_errors(BASE.replace("    title: text", f"    {column}")) == [f"specs/x.yaml:11:5: SS105 {problem}"]


def test_yaml_boolean_keys_get_a_hint(spec_errors):
    assert spec_errors(BASE + "yes: 1\n") == [
        "specs/x.yaml:13:1: SS106 $[True]: unknown key True\n"
        "    hint: YAML reads on/off/yes/no as true/false: quote the key ('on':) if you meant the word"]


def test_every_schema_problem_of_a_file_is_reported(spec_errors):
    text = BASE.replace("level: 2", "level: 0").replace("key: [id]", "key: []") + "on_missing: nope\n"
    assert [p.split(": ", 2)[:2] for p in spec_errors(text)] == [
        ["specs/x.yaml:5:25", "SS105 $.source.records[0].sections.level"],
        ["specs/x.yaml:8:8", "SS105 $.target.key"],
        ["specs/x.yaml:13:13", "SS105 $.on_missing"],
    ]
