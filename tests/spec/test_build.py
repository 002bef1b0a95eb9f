"""Checks beyond the schema: regexes, key columns, record paths, templates, paths, encodings."""

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
REGEX_HINT = "    hint: in YAML, quote regexes with single quotes so backslashes stay literal"


def test_sections_match_that_does_not_compile(spec_errors):
    text = BASE.replace("(?P<id>N-\\d+)", "(?P<id>N-(\\d+)")
    assert spec_errors(text) == [
        "specs/x.yaml:5:35: $.source.records[0].sections.match: regex does not compile: "
        "missing ), unterminated subpattern at position 1\n" + REGEX_HINT]


def test_table_under_that_does_not_compile(spec_errors):
    text = BASE.replace("    - sections:", "    - table: {under: '[INDEX', columns: {ID: id}}\n    - sections:")
    assert spec_errors(text) == [
        "specs/x.yaml:5:22: $.source.records[0].table.under: regex does not compile: "
        "unterminated character set at position 0\n" + REGEX_HINT]


def test_column_pattern_that_does_not_compile(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: text, pattern: '(?P<value'}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:34: $.target.columns.title.pattern: regex does not compile: "
        "missing >, unterminated name at position 4\n" + REGEX_HINT]


def test_key_column_that_is_not_a_column(spec_errors):
    assert spec_errors(BASE.replace("key: [id]", "key: [slug]")) == [
        "specs/x.yaml:8:9: $.target.key[0]: 'slug' is not a column of table 'notes' (columns: id, title, body)\n"
        "    hint: declare it under target.columns (columns: id, title, body)"]


def test_key_column_typo_gets_did_you_mean(spec_errors):
    assert spec_errors(BASE.replace("key: [id]", "key: [id, titel]")) == [
        "specs/x.yaml:8:13: $.target.key[1]: 'titel' is not a column of table 'notes' (columns: id, title, body)\n"
        "    hint: did you mean 'title'?"]


def test_column_reading_a_record_key_nobody_produces_gets_did_you_mean(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: text, from: titel}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:12: $.target.columns.title: column 'title' reads 'titel', "
        "but no record strategy produces 'titel'\n    hint: did you mean 'title'?"]


def test_metadata_path_typo(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: integer, from: $lin}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:12: $.target.columns.title: column 'title' reads '$lin', "
        "but no record strategy produces '$lin'\n    hint: did you mean '$line'?"]


def test_column_reading_an_unknown_key_lists_what_exists(spec_errors):
    text = BASE.replace("    title: text", "    title: text\n    owner: text")
    assert spec_errors(text) == [
        "specs/x.yaml:12:12: $.target.columns.owner: column 'owner' reads 'owner', "
        "but no record strategy produces 'owner'\n"
        "    hint: record keys available: $file, $line, $path, $stem, $strategy, body, fields, heading, "
        "id, level, links, title"]


def test_key_column_that_a_fallback_strategy_cannot_produce(spec_errors):
    text = BASE.replace("    - sections:", "    - table: {under: INDEX, columns: {Title: title}}\n    - sections:")
    assert spec_errors(text) == [
        "specs/x.yaml:11:9: $.target.columns.id: key/required column 'id' reads 'id', "
        "which the table strategy does not produce\n"
        "    hint: map a table header to it, e.g. columns: {ID: id}"]


def test_required_column_that_the_sections_strategy_cannot_produce(spec_errors):
    text = (BASE.replace("    - sections:", "    - table: {columns: {ID: id, Owner: owner}}\n    - sections:")
            .replace("    title: text", "    title: text\n    owner: {type: text, required: true}"))
    # the table has no Title header either: title is neither key nor required, so that is fine
    assert spec_errors(text) == [
        "specs/x.yaml:13:12: $.target.columns.owner: key/required column 'owner' reads 'owner', "
        "which the sections strategy does not produce\n"
        "    hint: add a named group (?P<owner>...) to its match regex"]


def test_a_default_makes_a_required_column_safe_for_every_strategy(load_specs):
    text = (BASE.replace("    - sections:", "    - table: {columns: {ID: id, Owner: owner}}\n    - sections:")
            .replace("    title: text", "    title: text\n    owner: {type: text, required: true, default: nobody}"))
    (spec,) = load_specs({"x.yaml": text})
    assert [s.kind for s in spec.strategies] == ["table", "sections"]


def test_templates_may_mix_workspace_and_record_placeholders(load_specs):
    text = BASE.replace("    title: text", "    title: text\n"
                                           "    uid: {type: text, value: '{project}/{sync}/{id}'}\n"
                                           "    origin: {type: text, value: '{project}'}")
    (spec,) = load_specs({"x.yaml": text})
    uid, origin = spec.column("uid"), spec.column("origin")
    assert uid.template is not None and [p for p in uid.template.paths] == [("project",), ("sync",), ("id",)]
    assert (origin.is_constant, origin.constant) == (True, "demo")


def test_template_with_an_unknown_record_placeholder(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: text, value: '{project}-{idd}'}")
    assert spec_errors(text) == [
        "specs/x.yaml:11:12: $.target.columns.title: column 'title' reads 'idd', "
        "but no record strategy produces 'idd'\n    hint: did you mean 'id'?"]


def test_choices_are_checked_against_the_column_type(spec_errors):
    text = BASE.replace("    title: text", "    title: text\n    n: {type: integer, from: title, choices: [1, x]}")
    assert spec_errors(text) == [
        "specs/x.yaml:12:50: $.target.columns.n.choices[1]: choice 'x' is not an integer: "
        "invalid literal for int() with base 10: 'x'"]


def test_json_key_column(spec_errors):
    assert spec_errors(BASE.replace("    id: text", "    id: json")) == [
        "specs/x.yaml:10:9: $.target.columns.id: key column 'id' cannot be of type json\n"
        "    hint: use text, integer or date for key columns"]


def test_reserved_and_hash_column_names(spec_errors):
    text = BASE.replace("    body: {type: text, from: body}",
                        "    created_at: {type: text, from: body}\n    content_hash: {type: text, from: body}")
    assert spec_errors(text) == [
        "specs/x.yaml:12:5: $.target.columns.created_at: column name 'created_at' is reserved\n"
        "    hint: syncspec keeps created_at/updated_at/deleted_at itself; rename it or set target.timestamps: false",
        "specs/x.yaml:13:5: $.target.columns.content_hash: column 'content_hash' is also the hash column\n"
        "    hint: rename the column or set hash.column to another name"]


@pytest.mark.parametrize("files, where", [
    ("../outside.md", "$.source.files"),
    ("docs/../../outside.md", "$.source.files"),
    ("/etc/passwd", "$.source.files"),
    ("[docs/a.md, ../b.md]", "$.source.files[1]"),
])
def test_paths_leaving_the_workspace_are_rejected_at_validation(spec_errors, files, where):
    (problem,) = spec_errors(BASE.replace("files: docs/notes.md", f"files: {files}"))
    assert problem.startswith("specs/x.yaml:3:")
    assert f": {where}: path " in problem and "leaves the workspace" in problem
    assert problem.endswith("hint: use a path relative to the workspace root, without '..'")


@pytest.mark.parametrize("encoding", ["latin-2x", "rot13", "base64"])
def test_unknown_or_non_text_encodings_are_rejected(spec_errors, encoding):
    text = BASE.replace("files: docs/notes.md", f"files: docs/notes.md\n  encoding: {encoding}")
    assert spec_errors(text) == [
        f"specs/x.yaml:4:13: $.source.encoding: unknown encoding {encoding!r}\n"
        "    hint: use a Python codec name such as utf-8, latin-1, cp1252"]


def test_declared_encoding_and_defaults_reach_the_spec(load_specs):
    text = BASE.replace("files: docs/notes.md", "files: [docs/a.md, 'docs/**/*.md']\n  encoding: cp1252")
    (spec,) = load_specs({"x.yaml": text})
    assert spec.files == ("docs/a.md", "docs/**/*.md")
    assert spec.encoding == "cp1252"
    assert (spec.hash_algorithm, spec.hash_length, spec.hash_column) == ("sha256", 16, "content_hash")
    assert (spec.on_missing, spec.trigger, spec.timestamps) == ("delete", ("change", "commit"), True)
    (sections,) = spec.strategies
    assert (sections.level, sections.fields, sections.field_keys) == (2, ("bold", "list"), "snake_case")


def test_spec_hash_changes_with_the_spec_and_with_the_project(load_specs, make_ws):
    from syncspec import Workspace

    (a,) = load_specs({"x.yaml": BASE})
    (b,) = load_specs({"x.yaml": BASE.replace("title: text", "title: {type: text, default: x}")})
    (c,) = Workspace.open(make_ws({"specs/x.yaml": BASE}, project="other")).validate()
    assert len({a.spec_hash, b.spec_hash, c.spec_hash}) == 3


# -- nullable: (issue 11, defect 11) ---------------------------------------------------------------

def test_nullable_false_makes_a_not_null_column_without_warnings(load_specs):
    spec, = load_specs({"x.yaml": BASE.replace("    title: text", "    title: {type: text, nullable: false}")})
    assert spec.column("title").nullable is False and spec.column("body").nullable is True
    assert spec.warnings == ()


def test_null_is_still_accepted_with_a_deprecation_warning(load_specs):
    spec, = load_specs({"x.yaml": BASE.replace("    title: text", "    title: {type: text, null: false}")})
    assert spec.column("title").nullable is False
    assert [w.format() for w in spec.warnings] == [
        "specs/x.yaml:11:25: $.target.columns.title.null: column 'title': 'null:' is deprecated, write 'nullable:'\n"
        "    hint: most YAML loaders read the key null as a null key, so other tools reject the spec: "
        "rename it to nullable: false"]


def test_null_and_nullable_together_is_an_error(spec_errors):
    text = BASE.replace("    title: text", "    title: {type: text, null: false, nullable: false}")
    assert spec_errors(text)[0].startswith(
        "specs/x.yaml:11:25: $.target.columns.title.null: both null: and nullable: are given")


def test_validate_prints_the_deprecation_on_stderr(make_ws, cli):
    ws = make_ws({"specs/x.yaml": BASE.replace("    title: text", "    title: {type: text, null: false}"),
                  "docs/notes.md": "## N-1: one\n"})
    r = cli("--project", str(ws), "validate")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("warning: specs/x.yaml:11:25: $.target.columns.title.null: column 'title': "
                               "'null:' is deprecated, write 'nullable:'")
    r = cli("--project", str(ws), "validate", "--json")
    import json

    assert json.loads(r.stdout)["warnings"][0]["json_path"] == "$.target.columns.title.null"


def test_shipped_examples_use_nullable_and_load_with_a_standard_yaml_loader():
    """An independent validator (plain yaml.safe_load + jsonschema) accepts every shipped spec."""
    from pathlib import Path

    import jsonschema
    import yaml

    from syncspec.spec.schema import schema_text

    repo = Path(__file__).resolve().parents[2]
    schema = __import__("json").loads(schema_text())
    specs = sorted(repo.glob("examples/*/specs/*.yaml")) + sorted(repo.glob("specs/*.yaml"))
    assert specs
    for path in specs:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(data)
