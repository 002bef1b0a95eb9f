"""examples/plan: the seed's patch 006 and two more apply cleanly; the invoke task runs the same code."""

from __future__ import annotations

import json

from conftest import EXAMPLE, config_of

from syncspec.patches import api
from syncspec.spec.schema import schema_text


def test_example_applies_in_order_with_its_post_conditions(example_ws):
    status = api.status(config_of(example_ws))
    assert status.pending == ("006-core-state-implementation", "007-state-gap-closure", "008-foundation-cleanup")
    planned = api.plan(config_of(example_ws))
    assert planned.conflicts == () and planned.problems == () and planned.reformats is False
    ops = [(c.op, c.path) for c in planned.steps[0].changes]
    # the seed's operations summary: 7 add, 1 replace (plus a test of the state it was written against)
    assert sorted(op for op, _ in ops).count("add") == 7 and [op for op, _ in ops].count("replace") == 1
    api.apply(config_of(example_ws), mirror=False)
    plan = json.loads((example_ws / "plans" / "master_plan.json").read_text())
    assert len(plan["phases"]["PH-000"]["workstreams"]) == 10
    assert plan["phases"]["PH-000"]["estimated_duration_hours"] == 11.5
    assert plan["phases"]["PH-001"]["workstreams"]["WS-001-004"]["covers"] == [
        "WorkerLifecycle table", "PatchLedger table", "TestGate table"]
    assert api.status(config_of(example_ws)).clean


def test_example_patch_schema_copy_is_current():
    assert (EXAMPLE / "patches" / "patch.schema.json").read_text(encoding="utf-8") == schema_text("patch.schema.json")


def test_invoke_patch_task(example_ws, monkeypatch):
    import pytest
    from invoke import Context, Exit

    from syncspec.tasks import patch

    monkeypatch.chdir(example_ws)
    with pytest.raises(Exit) as err:
        patch(Context(), check=True)
    assert err.value.code == 6
    patch(Context())
    patch(Context(), check=True)
    patch(Context(), new="Next step")
    assert (example_ws / "patches" / "009-next-step.yaml").is_file()
