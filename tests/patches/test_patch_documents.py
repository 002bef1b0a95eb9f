"""Patch documents: schema and semantic errors with file:line:col, JSON files, `patch new` scaffolds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import config_of

from syncspec.errors import SpecError
from syncspec.patches import api
from syncspec.patches.document import load_patches
from syncspec.patches.config import patch_config


def problems(ws) -> list[str]:
    with pytest.raises(SpecError) as err:
        load_patches(patch_config(config_of(ws.root)))
    return [p.format() for p in err.value.problems]


def test_schema_errors_are_located_with_hints(plan_ws):
    plan_ws.raw_patch("001-a.yaml", """\
id: 001-a
title: A
priorty: high
operations:
  - {op: ad, path: /meta/x, value: 1}
  - {op: replace, path: /meta/updated}
  - {op: move, path: /meta/y}
  - {op: remove, path: meta/name}
""")
    assert problems(plan_ws) == [
        "patches/001-a.yaml:5:10: SS105 $.operations[0].op: 'ad' is not one of 'add', 'remove', 'replace', 'move', "
        "'copy', 'test'\n    hint: did you mean 'add'?",
        "patches/001-a.yaml:8:24: SS105 $.operations[3].path: 'meta/name' is not a JSON Pointer\n"
        "    hint: start it with '/', e.g. '/meta/name' ('' is the whole plan; write ~1 for '/' and ~0 for '~' "
        "inside a key)",
        "patches/001-a.yaml:6:5: SS107 $.operations[1]: missing required key 'value'\n"
        "    hint: add 'value:' here (see patch.schema.json)",
        "patches/001-a.yaml:7:5: SS107 $.operations[2]: missing required key 'from'\n"
        "    hint: add 'from:' here (see patch.schema.json)",
        "patches/001-a.yaml:3:1: SS106 $.priorty: unknown key 'priorty'\n    hint: did you mean 'priority'?",
    ]


def test_semantic_errors(plan_ws):
    plan_ws.raw_patch("001-a.yaml", "id: 001-b\ntitle: A\nrequires: [001-b]\noperations: []\n"
                                    "post_conditions:\n  - {pointer: /meta, exists: true, count: 2}\n"
                                    "  - {pointer: /meta}\n")
    plan_ws.raw_patch("001-c.yaml", "id: 001-c\ntitle: C\nstatus: draft\noperations: []\n")
    plan_ws.raw_patch("notes.yaml", "just: notes\n")
    assert problems(plan_ws) == [
        "patches/001-a.yaml:1:5: SS130 $.id: id '001-b' differs from the file name '001-a.yaml'\n"
        "    hint: write 'id: 001-a', or rename the file to 001-b.yaml",
        "patches/001-a.yaml:3:12: SS130 $.requires[0]: a patch cannot require itself\n    hint: remove it from requires",
        "patches/001-a.yaml:4:13: SS130 $.operations: a ready patch needs at least one operation\n"
        "    hint: add operations, or keep 'status: draft' until it has some",
        "patches/001-a.yaml:6:5: SS130 $.post_conditions[0]: a post-condition needs exactly one of exists, count, equals "
        "(has exists, count)\n    hint: split it into one post-condition per check",
        "patches/001-a.yaml:7:5: SS130 $.post_conditions[1]: a post-condition needs exactly one of exists, count, equals\n"
        "    hint: split it into one post-condition per check",
        "patches/notes.yaml: SS130 'notes.yaml' is not a patch file name\n"
        "    hint: name patches NNN-slug.yaml (`syncspec patch new TITLE` does)",
    ]


def test_duplicate_numbers(plan_ws):
    plan_ws.patch("002-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/b", "value": 1}])
    found = problems(plan_ws)
    assert len(found) == 2 and "patch number 2 is used by 2 files: patches/002-a.yaml, patches/002-b.yaml" in found[0]


def test_yaml_syntax_and_duplicate_keys(plan_ws):
    plan_ws.raw_patch("001-a.yaml", "id: 001-a\ntitle: A\ntitle: B\noperations: []\n")
    assert problems(plan_ws)[0].startswith("patches/001-a.yaml:3:1: SS103 $.title: duplicate key 'title'")


def test_yaml_timestamps_stay_as_written_and_non_json_values_are_errors(plan_ws):
    plan_ws.raw_patch("001-a.yaml", "id: 001-a\ntitle: A\ncreated: 2025-11-23T11:38:49.896Z\noperations:\n"
                                    "  - {op: add, path: /meta/released, value: 2025-12-01}\n")
    api.apply(config_of(plan_ws.root), mirror=False)
    assert plan_ws.plan()["meta"]["released"] == "2025-12-01"
    assert api.status(config_of(plan_ws.root)).patches[0].id == "001-a"
    plan_ws.raw_patch("002-b.yaml", "id: 002-b\ntitle: B\noperations:\n  - {op: add, path: /meta/x, value: {1: one}}\n")
    assert problems(plan_ws) == ["patches/002-b.yaml:4:38: SS130 $.operations[0].value[1]: key 1 is not a string\n"
                                 "    hint: quote it: '1': ... (JSON keys are strings)"]


def test_json_patch_documents(plan_ws):
    plan_ws.raw_patch("001-a.json", json.dumps({
        "id": "001-a", "title": "A", "operations": [{"op": "add", "path": "/meta/big", "value": 1e5}]}, indent="\t"))
    api.apply(config_of(plan_ws.root), mirror=False)
    assert plan_ws.plan()["meta"]["big"] == 100000.0  # JSON semantics, not YAML 1.1's (which reads 1e5 as text)
    plan_ws.raw_patch("002-b.json", '{"id": "002-b",\n "title": "B", "operations": [\n  {"op": "nope", "path": ""}]}')
    assert problems(plan_ws)[0].startswith("patches/002-b.json:3:10: SS105 $.operations[0].op: 'nope' is not one of")
    plan_ws.raw_patch("002-b.json", '{"id": "002-b",\n "title": }')
    assert problems(plan_ws) == ["patches/002-b.json:2:11: SS102 invalid JSON: Expecting value\n"
                                 "    hint: fix the JSON syntax"]


def test_new_scaffolds_the_next_number_and_validates(plan_ws, cli):
    plan_ws.patch("007-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    api.apply(config_of(plan_ws.root), mirror=False)
    (plan_ws.root / "patches" / "007-a.yaml").unlink()  # the ledger still holds 007
    path = api.new(config_of(plan_ws.root), "Core state: tests & fixtures!",
                   now=dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.timezone.utc))
    assert path.name == "008-core-state-tests-fixtures.yaml"
    text = path.read_text()
    assert 'title: "Core state: tests & fixtures!"' in text and 'created: "2026-01-31T12:00:00Z"' in text
    assert (plan_ws.root / "patches" / "patch.schema.json").is_file()
    status = api.status(config_of(plan_ws.root))
    assert [(p.id, p.state) for p in status.patches] == [("008-core-state-tests-fixtures", "draft"),
                                                          ("007-a", "missing")]
    proc = cli("--project", str(plan_ws.root), "patch", "new", "Second", "one")
    assert proc.returncode == 0 and "created patches/009-second-one.yaml (status: draft)" in proc.stdout
    # a scaffold turned ready with an operation applies
    p = plan_ws.root / "patches" / "009-second-one.yaml"
    p.write_text(p.read_text().replace("status: draft", "status: ready")
                 .replace("operations: []", "operations:\n  - {op: add, path: /meta/z, value: 1}"))
    assert api.apply(config_of(plan_ws.root), mirror=False).applied == ("009-second-one",)


def test_new_keeps_the_number_width(plan_ws):
    plan_ws.patch("0041-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    assert api.new(config_of(plan_ws.root), "b").name == "0042-b.yaml"


def test_packaged_patch_schema_is_valid():
    from jsonschema import Draft202012Validator

    from syncspec.spec.schema import load_schema

    Draft202012Validator.check_schema(load_schema("patch.schema.json"))
