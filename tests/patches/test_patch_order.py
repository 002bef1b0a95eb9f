"""Apply order (requires, then number), unknown requirements, cycles and conflicts."""

from __future__ import annotations

import pytest
from conftest import config_of

from syncspec.errors import SpecError
from syncspec.patches import api

REPLACE = {"op": "replace", "path": "/meta/updated", "value": "2025-12-01"}


def test_order_by_requires_then_number(plan_ws):
    plan_ws.patch("001-first", [{"op": "add", "path": "/phases/PH-001/workstreams/WS-001-001",
                                 "value": {"name": "x", "hours": 1}}], requires=["004-fourth"])
    plan_ws.patch("002-second", [{"op": "add", "path": "/meta/a", "value": 1}])
    plan_ws.patch("003-third", [{"op": "add", "path": "/meta/b", "value": 2}], requires=["001-first"])
    plan_ws.patch("004-fourth", [{"op": "add", "path": "/meta/c", "value": 3}])
    status = api.status(config_of(plan_ws.root))
    assert status.pending == ("002-second", "004-fourth", "001-first", "003-third")
    result = api.apply(config_of(plan_ws.root), mirror=False)
    assert result.applied == status.pending
    assert [e["id"] for e in plan_ws.ledger()["applied"]] == list(status.pending)


def test_numbers_sort_numerically_not_as_text(plan_ws):
    plan_ws.patch("10-ten", [{"op": "add", "path": "/meta/ten", "value": 10}])
    plan_ws.patch("9-nine", [{"op": "add", "path": "/meta/nine", "value": 9}])
    assert api.status(config_of(plan_ws.root)).pending == ("9-nine", "10-ten")


def test_requirement_on_an_applied_patch_is_met(plan_ws):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    api.apply(config_of(plan_ws.root), mirror=False)
    plan_ws.patch("002-b", [{"op": "test", "path": "/meta/a", "value": 1}], requires=["001-a"])
    assert api.status(config_of(plan_ws.root)).pending == ("002-b",)


def test_cycle_is_an_error_naming_the_patches(plan_ws):
    plan_ws.patch("001-a", [REPLACE], requires=["003-c"])
    plan_ws.patch("002-b", [REPLACE], requires=["001-a"])
    plan_ws.patch("003-c", [REPLACE], requires=["002-b"])
    plan_ws.patch("004-d", [REPLACE], requires=["003-c"])  # waits on the cycle; not part of it
    before = plan_ws.plan_bytes()
    with pytest.raises(SpecError) as err:
        api.apply(config_of(plan_ws.root), mirror=False)
    assert str(err.value) == (
        "patches/001-a.yaml:4:12: SS130 $.requires[0]: requires cycle: 001-a requires 003-c requires 002-b requires 001-a\n"
        "    hint: patches cannot require each other in a circle; drop one requirement "
        "(patches/001-a.yaml, patches/003-c.yaml, patches/002-b.yaml)")
    assert err.value.cycle == "001-a requires 003-c requires 002-b requires 001-a"
    assert plan_ws.plan_bytes() == before
    assert not plan_ws.ledger_path.exists()


def test_two_patch_cycle_via_cli(plan_ws, cli):
    plan_ws.patch("001-a", [REPLACE], requires=["002-b"])
    plan_ws.patch("002-b", [REPLACE], requires=["001-a"])
    proc = cli("--project", str(plan_ws.root), "patch", "plan")
    assert proc.returncode == 1
    assert "patches/001-a.yaml:4:12: SS130 $.requires[0]: requires cycle: 001-a requires 002-b requires 001-a" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_requirement_names_the_line_and_guesses(plan_ws):
    plan_ws.patch("001-core-state", [REPLACE])
    plan_ws.patch("002-b", [REPLACE], requires=["001-core", "009-nope"])
    with pytest.raises(SpecError) as err:
        api.status(config_of(plan_ws.root))
    assert [p.format() for p in err.value.problems] == [
        "patches/002-b.yaml:4:12: SS130 $.requires[0]: requires '001-core', which is no patch\n"
        "    hint: did you mean '001-core-state'?",
        "patches/002-b.yaml:4:24: SS130 $.requires[1]: requires '009-nope', which is no patch\n"
        "    hint: known patches: 001-core-state, 002-b",
    ]


def test_requiring_a_draft_is_an_error(plan_ws):
    plan_ws.patch("001-a", [REPLACE], status="draft")
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/x", "value": 1}], requires=["001-a"])
    with pytest.raises(SpecError) as err:
        api.plan(config_of(plan_ws.root))
    assert err.value.problems[0].message == "requires '001-a', a draft that is not applied"
    assert "status: ready" in err.value.problems[0].hint


def test_drafts_are_listed_but_not_applied(plan_ws):
    plan_ws.patch("001-a", [REPLACE], status="draft")
    status = api.status(config_of(plan_ws.root))
    assert status.pending == () and [p.state for p in status.patches] == ["draft"]
    assert api.apply(config_of(plan_ws.root), mirror=False).applied == ()


# -- conflicts --------------------------------------------------------------------------------------------------

def test_same_pointer_in_two_unordered_patches_is_a_conflict(plan_ws, cli):
    plan_ws.patch("001-a", [{"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 11.5}])
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/x", "value": 1},
                            {"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 12}])
    planned = api.plan(config_of(plan_ws.root))
    assert [c.as_dict() for c in planned.conflicts] == [{
        "pointer": "/phases/PH-000/estimated_duration_hours",
        "first": {"patch": "001-a", "operation": 0}, "second": {"patch": "002-b", "operation": 1}}]
    assert planned.problems[0].format() == (
        "patches/002-b.yaml:7:31: SS130 $.operations[1].path: conflicts with 001-a (operation 0): both change "
        "/phases/PH-000/estimated_duration_hours\n"
        "    hint: if this patch should go last, add '001-a' to its requires; otherwise merge the two patches")
    before = plan_ws.plan_bytes()
    proc = cli("--project", str(plan_ws.root), "patch", "plan", "--no-diff")
    assert proc.returncode == 1 and "conflicts with 001-a" in proc.stderr
    proc = cli("--project", str(plan_ws.root), "patch", "apply")
    assert proc.returncode == 1 and "conflicts with 001-a" in proc.stderr
    assert plan_ws.plan_bytes() == before


def test_requires_orders_them_so_no_conflict(plan_ws):
    plan_ws.patch("001-a", [{"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 11.5}])
    plan_ws.patch("002-b", [{"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 12}],
                  requires=["001-a"])
    assert api.plan(config_of(plan_ws.root)).conflicts == ()
    api.apply(config_of(plan_ws.root), mirror=False)
    assert plan_ws.plan()["phases"]["PH-000"]["estimated_duration_hours"] == 12


@pytest.mark.parametrize("a, b, conflict", [
    ({"op": "remove", "path": "/phases/PH-001"}, {"op": "add", "path": "/phases/PH-001/workstreams/WS-1",
                                                   "value": {"name": "x", "hours": 1}}, True),
    ({"op": "add", "path": "/notes/-", "value": "x"}, {"op": "add", "path": "/notes/-", "value": "y"}, False),
    ({"op": "remove", "path": "/notes/0"}, {"op": "replace", "path": "/notes/2", "value": "z"}, True),
    ({"op": "replace", "path": "/notes/0", "value": "y"}, {"op": "replace", "path": "/notes/2", "value": "z"}, False),
    ({"op": "replace", "path": "/meta/updated", "value": "x"}, {"op": "copy", "from": "/meta/updated",
                                                                 "path": "/meta/copy"}, False),
    ({"op": "move", "from": "/meta/updated", "path": "/meta/changed"}, {"op": "replace", "path": "/meta/updated",
                                                                          "value": "x"}, True),
    ({"op": "replace", "path": "/phases/PH-000/name", "value": "a"}, {"op": "replace", "path": "/phases/PH-001/name",
                                                                      "value": "b"}, False),
])
def test_what_counts_as_a_conflict(plan_ws, a, b, conflict):
    plan_ws.patch("001-a", [a])
    plan_ws.patch("002-b", [b])
    assert bool(api.plan(config_of(plan_ws.root)).conflicts) is conflict
