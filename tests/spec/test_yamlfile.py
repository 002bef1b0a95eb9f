"""Broken YAML and duplicate keys: located at the line a person has to fix."""

from __future__ import annotations

import pytest

from syncspec.errors import SpecError
from syncspec.spec.yamlfile import json_path, load_yaml

HINT = "    hint: fix the YAML syntax (indentation, quotes, a ':' after each key)"


def test_bad_indentation_names_the_misindented_line(spec_errors):
    text = "sync: notes\nsource:\n  files: docs/notes.md\n records: []\n"
    assert spec_errors(text) == [
        "specs/x.yaml:4:2: SS102 invalid YAML: while parsing a block mapping started on line 1: "
        "expected <block end>, but found '<block mapping start>'\n" + HINT]


def test_value_indented_under_a_scalar_is_reported_on_its_line(spec_errors):
    assert spec_errors("sync: notes\n  source: 1\n") == [
        "specs/x.yaml:2:9: SS102 invalid YAML: mapping values are not allowed here\n" + HINT]


def test_unclosed_quote_points_at_the_opening_quote_not_the_end_of_file(spec_errors):
    text = "sync: notes\ndescription: 'never closed\nsource:\n  files: x.md\n"
    assert spec_errors(text) == [
        "specs/x.yaml:2:14: SS102 invalid YAML: while scanning a quoted scalar: found unexpected end of stream\n"
        + HINT]


def test_unclosed_flow_mapping_points_at_its_brace(spec_errors):
    text = "sync: notes\nsource: {files: x.md\n"
    assert spec_errors(text) == [
        "specs/x.yaml:2:9: SS102 invalid YAML: while parsing a flow mapping: "
        "expected ',' or '}', but got '<stream end>'\n" + HINT]


def test_unclosed_flow_sequence_names_both_lines(spec_errors):
    text = "sync: notes\ntrigger: [change, commit\non_missing: keep\n"
    assert spec_errors(text) == [
        "specs/x.yaml:3:11: SS102 invalid YAML: while parsing a flow sequence started on line 2: "
        "expected ',' or ']', but got ':'\n" + HINT]


def test_tab_indentation(spec_errors):
    assert spec_errors("sync: notes\nsource:\n\tfiles: x.md\n") == [
        "specs/x.yaml:3:1: SS102 invalid YAML: while scanning for the next token: "
        "found character '\\t' that cannot start any token\n" + HINT]


def test_two_documents_in_one_spec_file(spec_errors):
    assert spec_errors("sync: a\n---\nsync: b\n") == [
        "specs/x.yaml:2:1: SS102 invalid YAML: expected a single document in the stream started on line 1: "
        "but found another document\n"
        "    hint: write one spec per file: move the document after '---' into a file of its own"]


def test_duplicate_key_names_both_lines(spec_errors):
    text = ("sync: notes\nsource:\n  files: docs/notes.md\n  records:\n    - sections: {match: x}\n"
            "target:\n  table: notes\n  key: [id]\n  columns:\n    id: text\n    title: text\n    id: integer\n")
    assert spec_errors(text) == [
        "specs/x.yaml:12:5: SS103 $.target.columns.id: duplicate key 'id' (first defined on line 10)\n"
        "    hint: remove one of the two; YAML keeps only the last silently"]


def test_duplicate_keys_in_flow_mappings_and_at_top_level_are_all_reported(spec_errors):
    text = "sync: a\nsync: b\nsource: {files: x, files: y}\n"
    assert spec_errors(text) == [
        "specs/x.yaml:2:1: SS103 $.sync: duplicate key 'sync' (first defined on line 1)\n"
        "    hint: remove one of the two; YAML keeps only the last silently",
        "specs/x.yaml:3:20: SS103 $.source.files: duplicate key 'files' (first defined on line 3)\n"
        "    hint: remove one of the two; YAML keeps only the last silently"]


def test_empty_spec_file(spec_errors):
    assert spec_errors("# only a comment\n") == [
        "specs/x.yaml:1: SS108 spec file is empty\n    hint: write a spec (see `syncspec init`) or delete the file"]


def test_spec_file_that_is_not_utf8(load_specs, make_ws):
    from syncspec import Workspace

    ws = make_ws({"specs/x.yaml": b"sync: notes\ndescription: caf\xe9\n"})
    with pytest.raises(SpecError) as info:
        Workspace.open(ws).validate()
    assert [p.format() for p in info.value.problems] == [
        "specs/x.yaml:2: SS104 not valid UTF-8 (byte 0xe9 at offset 28)\n    hint: save the file as UTF-8"]


def test_marks_are_one_based_for_values_and_keys():
    doc = load_yaml("a:\n  b: [1, {c: x}]\n", "f.yaml")
    assert doc.data == {"a": {"b": [1, {"c": "x"}]}}
    assert doc.where(("a", "b", 1, "c")) == (2, 14)
    assert doc.where(("a", "b", 1, "c"), key=True) == (2, 11)
    assert doc.where(("a", "b", 0)) == (2, 7)
    # an unknown path falls back to its nearest located ancestor
    assert doc.where(("a", "b", 5, "zz")) == (2, 6)


def test_json_path_quotes_keys_that_are_not_identifiers():
    assert json_path(("target", "key", 1)) == "$.target.key[1]"
    assert json_path(("target", "columns", "my col")) == "$.target.columns['my col']"
    assert json_path(()) == "$"


def test_yaml_anchors_and_aliases_still_load(load_specs):
    text = ("sync: notes\nsource:\n  files: docs/notes.md\n  records:\n    - sections: {match: '(?P<id>N-1)'}\n"
            "target:\n  table: notes\n  key: [id]\n  columns:\n    id: &t text\n    title: {type: *t, from: heading}\n")
    (spec,) = load_specs({"x.yaml": text})
    assert [(c.name, c.type) for c in spec.columns] == [("id", "text"), ("title", "text")]


def test_a_spec_with_bom_and_crlf_loads_and_keeps_its_lines(make_ws):
    from syncspec import Workspace

    text = ("sync: notes\nsource:\n  files: docs/notes.md\n  records:\n    - sections: {match: '(?P<id>N-1)'}\n"
            "target:\n  table: notes\n  key: [slug]\n  columns:\n    id: text\n")
    ws = make_ws({"specs/x.yaml": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()})
    with pytest.raises(SpecError) as info:
        Workspace.open(ws).validate()
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.json_path) == (8, 9, "$.target.key[0]")
