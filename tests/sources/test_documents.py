"""JSON and YAML sources: records by wildcard pointer, matched segments, lines, located errors."""

from __future__ import annotations

import json

import pytest

from syncspec.errors import SourceError
from syncspec.sources.documents import json_lines

PLAN = {
    "meta": {"name": "plan", "updated": "2025-11-20"},
    "phases": {
        "PH-000": {"name": "Foundation", "workstreams": {
            "WS-000-001": {"name": "Layout", "hours": 1.0, "tasks": {"T-1": {"title": "first"}}},
            "WS-000-002": {"name": "Zoë's \"standards\"", "hours": 1.5, "tasks": {}},
        }},
        "PH-001": {"name": "Engine", "workstreams": {
            "WS-001-001": {"name": "Parser", "hours": 4, "tasks": {"T-2": {"title": "a/b ~ c"}}},
        }},
        "PH-002": {"name": "Empty", "workstreams": {}},
    },
    "notes": ["first", {"text": "second"}, 3],
    "we/ird~key": {"x": 1},
}
WORKSTREAMS = "- json: {pointer: '/phases/{phase}/workstreams/{workstream}'}"


def line_of(text: str, key: str) -> int:
    """The line holding ``"key":`` (each key occurs once in PLAN)."""
    return text.count("\n", 0, text.index(f'"{key}":')) + 1


@pytest.mark.parametrize("indent", [2, 4, None])
def test_named_wildcards_become_keys_and_lines_point_at_each_value(extract, indent):
    text = json.dumps(PLAN, indent=indent, ensure_ascii=False)
    found = extract(text, records=WORKSTREAMS, name="plans/plan.json")
    assert found.strategy == "json"
    got = [(r.data["phase"], r.data["workstream"], r.data["name"], r.data["$match"]) for r in found.records]
    assert got == [("PH-000", "WS-000-001", "Layout", ["PH-000", "WS-000-001"]),
                   ("PH-000", "WS-000-002", 'Zoë\'s "standards"', ["PH-000", "WS-000-002"]),
                   ("PH-001", "WS-001-001", "Parser", ["PH-001", "WS-001-001"])]
    assert [r.line for r in found.records] == [line_of(text, k) for k in ("WS-000-001", "WS-000-002", "WS-001-001")]


def test_anonymous_wildcards_key_pointer_and_value(extract):
    text = json.dumps(PLAN, indent=2)
    found = extract(text, records="- json: {pointer: /phases/*/workstreams/*/tasks/*}", name="plan.json")
    assert [(r.data["$key"], r.data["$match"], r.data["$pointer"], r.data["title"]) for r in found.records] == [
        ("T-1", ["PH-000", "WS-000-001", "T-1"], "/phases/PH-000/workstreams/WS-000-001/tasks/T-1", "first"),
        ("T-2", ["PH-001", "WS-001-001", "T-2"], "/phases/PH-001/workstreams/WS-001-001/tasks/T-2", "a/b ~ c"),
    ]
    assert found.records[0].data["$value"] == {"title": "first"}


def test_arrays_scalars_and_escaped_keys(extract):
    text = json.dumps(PLAN, indent=2)
    found = extract(text, records="- json: {pointer: /notes/*}", name="plan.json")
    assert [(r.data["$key"], r.data.get("value"), r.data.get("text")) for r in found.records] == [
        (0, "first", None), (1, None, "second"), (2, 3, None)]
    lines = text.splitlines()
    assert [lines[r.line - 1].strip() for r in found.records] == ['"first",', "{", "3"]
    found = extract(text, records="- json: {pointer: /we~1ird~0key}", name="plan.json")
    assert [(r.data["x"], r.data["$pointer"]) for r in found.records] == [(1, "/we~1ird~0key")]
    found = extract(text, records="- json: {pointer: /notes/1}", name="plan.json")
    assert [r.data["text"] for r in found.records] == ["second"]


def test_root_pointer_is_the_whole_document(extract):
    found = extract('[{"id": 1}, {"id": 2}]', records="- json: {pointer: ''}", name="list.json")
    assert [r.data["value"] for r in found.records] == [[{"id": 1}, {"id": 2}]]
    found = extract('\n[{"id": 1},\n {"id": 2}]', records="- json: {pointer: /*}", name="list.json")
    assert [(r.line, r.data["id"]) for r in found.records] == [(2, 1), (3, 2)]


def test_crlf_bom_and_declared_encoding(extract):
    text = json.dumps(PLAN, indent=2, ensure_ascii=False)
    lf = extract(text, records=WORKSTREAMS, name="p.json")
    crlf = extract(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"), records=WORKSTREAMS, name="p.json")
    assert [(r.line, r.data) for r in lf.records] == [(r.line, r.data) for r in crlf.records]
    latin = extract(text.replace("Zoë", "Zoé").encode("latin-1"), records=WORKSTREAMS, name="p.json",
                    encoding="latin-1")
    assert latin.records[1].data["name"] == 'Zoé\'s "standards"'


def test_json_lines_handles_strings_holding_brackets():
    text = '{"a": "}{][,:", "b": {"c\\"}": [1, {"d": 2}]}}'
    line = json_lines(text, 4)
    assert line(("b", "c\"}", 1)) == 1
    text = '{\n"a": "x,\\"y",\n"b": [\n  "[", \n  {"c": 1}\n]}'
    line = json_lines(text, 2)
    assert (line(("a",)), line(("b",)), line(("b", 0)), line(("b", 1))) == (2, 3, 4, 5)


def test_invalid_json_names_line_and_column(extract):
    with pytest.raises(SourceError) as info:
        extract('{\n  "a": [1, 2,],\n}\n', records="- json: {pointer: /a/*}", name="bad.json")
    assert [p.format() for p in info.value.problems] == [
        "bad.json:2:14: SS140 invalid JSON: Expecting value\n"
        "    hint: fix the JSON syntax (a missing comma or quote, or a trailing comma?)"]


YAML_DOC = """\
# the same plan, in YAML
phases:
  PH-000:
    name: Foundation
    workstreams:
      WS-000-001: {name: Layout, hours: 1.0}
      WS-000-002:
        name: Zoë's standards
        hours: 1.5
  PH-001:
    name: Engine
    workstreams:
      WS-001-001:
        name: Parser
2024: a number key
"""


def test_yaml_documents(extract):
    found = extract(YAML_DOC, records=WORKSTREAMS.replace("json:", "yaml:"), name="plan.yaml")
    assert found.strategy == "yaml"
    assert [(r.line, r.data["phase"], r.data["workstream"], r.data["name"]) for r in found.records] == [
        (6, "PH-000", "WS-000-001", "Layout"), (8, "PH-000", "WS-000-002", "Zoë's standards"),
        (14, "PH-001", "WS-001-001", "Parser")]
    found = extract(YAML_DOC, records="- yaml: {pointer: /2024}", name="plan.yaml")
    assert [(r.line, r.data["value"], r.data["$key"]) for r in found.records] == [(15, "a number key", 2024)]


@pytest.mark.parametrize("doc, message", [
    ("a: 1\n---\nb: 2\n", "plan.yaml:2:1: SS140 invalid YAML: expected a single document in the stream"),
    ("a: [1\nb: 2\n", "plan.yaml:2:2: SS140 invalid YAML: while parsing a flow sequence started on line 1"),
    ("a: 1\na: 2\n", "plan.yaml:2:1: SS140 $.a: duplicate key 'a' (first defined on line 1)"),
])
def test_invalid_yaml_is_located(extract, doc, message):
    with pytest.raises(SourceError) as info:
        extract(doc, records="- yaml: {pointer: /a}", name="plan.yaml")
    assert info.value.problems[0].format().startswith(message)


def test_a_second_yaml_document_gets_its_own_hint(extract):
    with pytest.raises(SourceError) as info:
        extract("a: 1\n---\nb: 2\n", records="- yaml: {pointer: /a}", name="plan.yaml")
    assert info.value.problems[0].hint == "a YAML source holds one document: remove the '---' that starts a second one"


def test_nothing_matched_falls_back(extract):
    records = "- json: {pointer: /phases/*/workstreams/*}\n- json: {pointer: /notes/*}"
    found = extract(json.dumps({"notes": [{"a": 1}]}), records=records, name="p.json")
    assert (found.strategy, [r.data["a"] for r in found.records]) == ("json", [1])
