"""Applying patches: all six operations, failures that leave the plan byte-identical, idempotence, checksums."""

from __future__ import annotations

import json

import pytest
from conftest import PLAN, SCHEMA, config_of

from syncspec.errors import CheckFailed, SourceError, SpecError
from syncspec.patches import api


def apply(ws, **kw):
    return api.apply(config_of(ws.root), mirror=False, **kw)


def test_all_six_operations(plan_ws):
    plan_ws.patch("001-six", [
        {"op": "test", "path": "/phases/PH-000/estimated_duration_hours", "value": 9.5},
        {"op": "add", "path": "/phases/PH-001/workstreams/WS-001-001", "value": {"name": "Orchestrator", "hours": 6}},
        {"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 11.5},
        {"op": "remove", "path": "/notes/1"},
        {"op": "move", "from": "/phases/PH-000/workstreams/WS-000-002", "path": "/phases/PH-001/workstreams/WS-001-002"},
        {"op": "copy", "from": "/meta/updated", "path": "/meta/created"},
        {"op": "add", "path": "/notes/-", "value": "fourth"},
    ])
    ops = [c.as_dict() for c in api.plan(config_of(plan_ws.root)).steps[0].changes]
    assert ops[2] == {"index": 2, "op": "replace", "path": "/phases/PH-000/estimated_duration_hours",
                      "old": 9.5, "new": 11.5}
    assert ops[3] == {"index": 3, "op": "remove", "path": "/notes/1", "old": "second"}
    assert ops[6]["new"] == "fourth"
    result = apply(plan_ws)
    assert result.applied == ("001-six",)
    plan = plan_ws.plan()
    assert plan["phases"]["PH-000"] == {"name": "Foundation", "estimated_duration_hours": 11.5, "workstreams": {
        "WS-000-001": {"name": "Layout", "hours": 1.0, "tags": ["a", "b"]}}}
    assert plan["phases"]["PH-001"]["workstreams"] == {
        "WS-001-001": {"name": "Orchestrator", "hours": 6},
        "WS-001-002": {"name": "Standards", "hours": 1.5, "tags": []}}
    assert plan["notes"] == ["first", "third", "fourth"]
    assert plan["meta"] == {"name": "demo plan", "updated": "2025-11-20", "created": "2025-11-20"}


def test_plan_shows_each_patch_as_it_was_then(plan_ws):
    """A value added by one patch and changed by a later one shows as added, not as it ends up."""
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/owner", "value": {"name": "dana"}}])
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/owner/team", "value": "core"}], requires=["001-a"])
    steps = api.plan(config_of(plan_ws.root)).steps
    assert steps[0].changes[0].new == {"name": "dana"}
    assert plan_ws.root.joinpath("patches/001-a.yaml").read_text().count("team") == 0
    apply(plan_ws)
    assert plan_ws.plan()["meta"]["owner"] == {"name": "dana", "team": "core"}


def test_failing_test_op_leaves_plan_byte_identical(plan_ws, cli):
    plan_ws.patch("001-ok", [{"op": "add", "path": "/meta/a", "value": 1}])
    plan_ws.patch("002-bad", [
        {"op": "add", "path": "/meta/b", "value": 2},
        {"op": "test", "path": "/phases/PH-000/estimated_duration_hours", "value": 10},
    ])
    before = plan_ws.plan_bytes()
    proc = cli("--project", str(plan_ws.root), "patch", "apply")
    assert proc.returncode == 1
    assert proc.stderr == (
        "error: patches/002-bad.yaml:7:28: SS130 $.operations[1].path: operation 1 (test "
        "/phases/PH-000/estimated_duration_hours): test failed: /phases/PH-000/estimated_duration_hours is 9.5, "
        "expected 10\n"
        "    hint: the plan is not in the state this patch was written against: apply the patches it builds on first "
        "(requires:), or update the expected value; the plan was not changed\n")
    assert plan_ws.plan_bytes() == before
    assert not plan_ws.ledger_path.exists()  # 001 applied cleanly in memory, but nothing is half-written


def test_failing_op_error_attributes(plan_ws):
    plan_ws.patch("001-bad", [{"op": "remove", "path": "/phases/PH-009/name"}])
    with pytest.raises(SpecError) as err:
        apply(plan_ws)
    assert (err.value.patch, err.value.operation, err.value.pointer) == ("001-bad", 0, "/phases/PH-009/name")
    assert err.value.problems[0].message == (
        "operation 0 (remove /phases/PH-009/name): /phases/PH-009 does not exist; /phases has PH-000, PH-001 "
        "(did you mean 'PH-001'?)")


@pytest.mark.parametrize("op, message", [
    ({"op": "add", "path": "/nope/x", "value": 1},
     "/nope does not exist; the plan has meta, phases, notes"),
    ({"op": "replace", "path": "/notes/7", "value": 1}, "/notes is an array of 3 items; '7' is not an index of it"),
    ({"op": "add", "path": "/meta/name/x", "value": 1}, '/meta/name is "demo plan", so it has no member \'x\''),
    ({"op": "copy", "from": "/meta/missing", "path": "/meta/x"}, "/meta/missing does not exist; /meta has name, "
                                                                 "updated"),
    ({"op": "test", "path": "/meta/missing", "value": 1}, "test failed: /meta/missing does not exist"),
    ({"op": "test", "path": "/notes/0", "value": True}, 'test failed: /notes/0 is "first", expected true'),
])
def test_operation_failures_explain_the_pointer(plan_ws, op, message):
    plan_ws.patch("001-x", [op])
    before = plan_ws.plan_bytes()
    with pytest.raises(SpecError) as err:
        apply(plan_ws)
    assert err.value.problems[0].message.split("): ", 1)[1] == message
    assert plan_ws.plan_bytes() == before


def test_failed_post_condition_leaves_plan_byte_identical(plan_ws):
    plan_ws.patch("001-x", [{"op": "add", "path": "/phases/PH-001/workstreams/WS-001-001",
                             "value": {"name": "x", "hours": 1}}],
                  post=[{"pointer": "/phases/PH-001/workstreams", "count": 1},
                        {"pointer": "/phases/PH-001/workstreams", "count": 2, "note": "Phase 1 has 2 workstreams"},
                        {"pointer": "/phases/PH-001/estimated_duration_hours", "equals": 14},
                        {"pointer": "/phases/PH-001/estimated_duration_hours", "equals": 15.5},
                        {"pointer": "/phases/PH-002", "exists": True},
                        {"pointer": "/phases/PH-000", "exists": False}])
    before = plan_ws.plan_bytes()
    with pytest.raises(SpecError) as err:
        apply(plan_ws)
    assert [p.format().splitlines()[0] for p in err.value.problems] == [
        "patches/001-x.yaml:9:5: SS130 $.post_conditions[1]: post-condition 1 failed: /phases/PH-001/workstreams has 1 "
        "items, expected 2 [Phase 1 has 2 workstreams]",
        "patches/001-x.yaml:11:5: SS130 $.post_conditions[3]: post-condition 3 failed: "
        "/phases/PH-001/estimated_duration_hours is 14.0, expected 15.5",
        "patches/001-x.yaml:12:5: SS130 $.post_conditions[4]: post-condition 4 failed: /phases/PH-002 does not exist",
        "patches/001-x.yaml:13:5: SS130 $.post_conditions[5]: post-condition 5 failed: /phases/PH-000 still exists",
    ]
    assert err.value.pointer == "/phases/PH-001/workstreams"
    assert plan_ws.plan_bytes() == before


def test_plan_schema_violation_names_the_pointer(make_plan_ws):
    ws = make_plan_ws(schema=SCHEMA)
    ws.patch("001-ok", [{"op": "add", "path": "/phases/PH-001/workstreams/WS-001-001",
                         "value": {"name": "x", "hours": 1}}])
    ws.patch("002-bad", [{"op": "add", "path": "/meta/a", "value": 1},
                         {"op": "add", "path": "/phases/PH-001/workstreams/WS-001-002",
                          "value": {"name": "y", "hours": "two"}}])
    before = ws.plan_bytes()
    with pytest.raises(SpecError) as err:
        apply(ws)
    assert err.value.pointer == "/phases/PH-001/workstreams/WS-001-002/hours"
    assert err.value.problems[0].format() == (
        "patches/002-bad.yaml:7:5: SS130 $.operations[1]: after this patch the plan does not validate against "
        "plans/plan.schema.json at /phases/PH-001/workstreams/WS-001-002/hours: 'two' is not of type 'number'\n"
        "    hint: fix the operation's value, or change the plan schema first; the plan was not changed")
    assert ws.plan_bytes() == before


def test_plan_invalid_before_any_patch_blames_the_plan(make_plan_ws):
    plan = json.loads(json.dumps(PLAN))
    plan["phases"]["PH-000"]["estimated_duration_hours"] = -1
    ws = make_plan_ws(plan=plan, schema=SCHEMA)
    ws.patch("001-ok", [{"op": "add", "path": "/meta/a", "value": 1}])
    with pytest.raises(SourceError) as err:
        apply(ws)
    problem = err.value.problems[0]
    assert (problem.file, problem.line, problem.json_path) == ("plans/plan.json", 9, "$.phases['PH-000']"
                                                                                     ".estimated_duration_hours")
    assert problem.message == "does not validate against plans/plan.schema.json: -1 is less than the minimum of 0"


def test_a_patch_may_repair_an_invalid_plan(make_plan_ws):
    """The schema checks what would be written: the result of all pending patches."""
    plan = json.loads(json.dumps(PLAN))
    plan["phases"]["PH-000"]["estimated_duration_hours"] = -1
    ws = make_plan_ws(plan=plan, schema=SCHEMA)
    ws.patch("001-fix", [{"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 9.5}])
    assert apply(ws).applied == ("001-fix",)


def test_apply_twice_changes_nothing(plan_ws, cli):
    plan_ws.patch("001-a", [{"op": "replace", "path": "/meta/updated", "value": "2025-12-01"}])
    assert cli("--project", str(plan_ws.root), "patch", "apply").returncode == 0
    plan, ledger = plan_ws.plan_bytes(), plan_ws.ledger_path.read_bytes()
    proc = cli("--project", str(plan_ws.root), "patch", "apply")
    assert proc.returncode == 0 and "nothing to apply (1 applied)" in proc.stdout
    assert plan_ws.plan_bytes() == plan and plan_ws.ledger_path.read_bytes() == ledger
    assert cli("--project", str(plan_ws.root), "patch", "apply", "--check").returncode == 0


def test_check_exits_6_listing_pending_then_0(plan_ws, cli):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}], title="Add a")
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/b", "value": 2}], title="Add b")
    before = plan_ws.plan_bytes()
    proc = cli("--project", str(plan_ws.root), "patch", "apply", "--check")
    assert proc.returncode == 6
    assert proc.stderr.splitlines() == [
        "error: 2 problems:",
        "patches/001-a.yaml:1: SS604 patch 001-a is pending: Add a",
        "    hint: run `syncspec patch apply` and commit the plan and the ledger with the patch",
        "patches/002-b.yaml:1: SS604 patch 002-b is pending: Add b",
        "    hint: run `syncspec patch apply` and commit the plan and the ledger with the patch",
    ]
    assert plan_ws.plan_bytes() == before
    apply(plan_ws)
    proc = cli("--project", str(plan_ws.root), "patch", "apply", "--check")
    assert proc.returncode == 0, proc.stderr


def test_edited_applied_patch_is_caught(plan_ws, cli):
    path = plan_ws.patch("001-a", [{"op": "replace", "path": "/meta/updated", "value": "2025-12-01"}])
    apply(plan_ws)
    # comments and layout are not edits: the checksum is over the canonical JSON of the document
    path.write_text("# reviewed by dana\n" + path.read_text(encoding="utf-8").replace("ready", "'ready'"),
                    encoding="utf-8")
    assert api.status(config_of(plan_ws.root)).modified == []
    path.write_text(path.read_text(encoding="utf-8").replace("2025-12-01", "2025-12-02"), encoding="utf-8")
    status = api.status(config_of(plan_ws.root))
    assert [p.state for p in status.patches] == ["modified"]
    with pytest.raises(CheckFailed) as err:
        apply(plan_ws, check=True)
    assert err.value.problems[0].message.startswith("patch 001-a was edited after it was applied on ")
    proc = cli("--project", str(plan_ws.root), "patch", "apply", "--check")
    assert proc.returncode == 6 and "patches/001-a.yaml:1: SS604 patch 001-a was edited after it was applied" in proc.stderr
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/b", "value": 2}])
    before = plan_ws.plan_bytes()
    proc = cli("--project", str(plan_ws.root), "patch", "apply")
    assert proc.returncode == 1 and "was edited after it was applied" in proc.stderr
    assert plan_ws.plan_bytes() == before


def test_missing_applied_patch_is_a_warning(plan_ws):
    path = plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    apply(plan_ws)
    path.unlink()
    status = api.status(config_of(plan_ws.root))
    assert [p.state for p in status.patches] == ["missing"]
    assert "applied patch 001-a has no file" in status.warnings[0]
    assert status.clean


def test_plan_changed_outside_patches_is_a_warning(plan_ws):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    apply(plan_ws)
    assert api.status(config_of(plan_ws.root)).warnings == ()
    plan_ws.plan_path.write_text(plan_ws.plan_path.read_text().replace("demo plan", "hand edit"))
    assert "was changed outside patches" in api.status(config_of(plan_ws.root)).warnings[0]


def test_ledger_records_id_checksum_time_and_plan_hash(plan_ws):
    import datetime as dt
    import hashlib

    path = plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}], title="Add a")
    apply(plan_ws, now=dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.timezone.utc))
    from syncspec.spec.yamlfile import load_yaml

    canonical = json.dumps(load_yaml(path.read_text(), "x").data, sort_keys=True, separators=(",", ":"))
    assert plan_ws.ledger() == {
        "plan": "plans/plan.json",
        "plan_sha256": hashlib.sha256(json.dumps(plan_ws.plan(), sort_keys=True, separators=(",", ":"))
                                      .encode()).hexdigest(),
        "applied": [{"id": "001-a", "title": "Add a",
                     "checksum": "sha256:" + hashlib.sha256(canonical.encode()).hexdigest(),
                     "applied_at": "2026-01-31T12:00:00Z"}]}


def test_status_and_plan_json(plan_ws, cli):
    plan_ws.patch("001-a", [{"op": "replace", "path": "/meta/updated", "value": "2025-12-01"}])
    proc = cli("--project", str(plan_ws.root), "patch", "plan", "--json")
    data = json.loads(proc.stdout)
    assert data["pending"] == ["001-a"]
    assert data["steps"][0]["operations"] == [{"index": 0, "op": "replace", "path": "/meta/updated",
                                               "old": "2025-11-20", "new": "2025-12-01"}]
    assert '-    "updated": "2025-11-20"\n+    "updated": "2025-12-01"\n' in data["steps"][0]["diff"]
    proc = cli("--project", str(plan_ws.root), "--json", "patch", "status")
    assert json.loads(proc.stdout)["patches"][0]["state"] == "pending"


def test_patches_need_configuration(make_ws, cli):
    root = make_ws({"specs/.keep": ""})
    proc = cli("--project", str(root), "patch", "status")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: syncspec.yaml:1:1: SS110 $: no plan file is configured for patches\n")
