"""Patch workspaces in tmp dirs: a small plan, optional schema, and patch files written as YAML text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "plan"

PLAN = {
    "meta": {"name": "demo plan", "updated": "2025-11-20"},
    "phases": {
        "PH-000": {
            "name": "Foundation",
            "estimated_duration_hours": 9.5,
            "workstreams": {
                "WS-000-001": {"name": "Layout", "hours": 1.0, "tags": ["a", "b"]},
                "WS-000-002": {"name": "Standards", "hours": 1.5, "tags": []},
            },
        },
        "PH-001": {"name": "Engine", "estimated_duration_hours": 14.0, "workstreams": {}},
    },
    "notes": ["first", "second", "third"],
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["meta", "phases"],
    "properties": {
        "phases": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["name", "estimated_duration_hours", "workstreams"],
            "properties": {
                "estimated_duration_hours": {"type": "number", "minimum": 0},
                "workstreams": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["name", "hours"],
                    "properties": {"hours": {"type": "number"}}}}}}},
    },
}


class PlanWs:
    """A workspace with plans/plan.json and patches/; helpers to write patches and read results."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def plan_path(self) -> Path:
        return self.root / "plans" / "plan.json"

    @property
    def ledger_path(self) -> Path:
        return self.root / "patches" / "applied.json"

    def plan_bytes(self) -> bytes:
        return self.plan_path.read_bytes()

    def plan(self) -> Any:
        return json.loads(self.plan_path.read_text(encoding="utf-8"))

    def ledger(self) -> dict:
        return json.loads(self.ledger_path.read_text(encoding="utf-8"))

    def patch(self, pid: str, operations: list[dict], requires: list[str] | None = None,
              post: list[dict] | None = None, status: str = "ready", title: str | None = None) -> Path:
        """Write patches/<pid>.yaml; operations one flow mapping per line (so op i is on line 6 + i)."""
        lines = [f"id: {pid}", f"title: {json.dumps(title or 'Patch ' + pid)}", f"status: {status}",
                 f"requires: {json.dumps(requires or [])}", "operations:"]
        lines += [f"  - {json.dumps(op)}" for op in operations]
        if post:
            lines.append("post_conditions:")
            lines += [f"  - {json.dumps(cond)}" for cond in post]
        path = self.root / "patches" / f"{pid}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def raw_patch(self, name: str, text: str) -> Path:
        path = self.root / "patches" / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def make_plan_ws(tmp_path):
    """make_plan_ws(plan=..., schema=..., plan_text=...) -> PlanWs."""
    counter = iter(range(1000))

    def make(plan: Any = None, schema: dict | None = None, plan_text: str | None = None,
             extra: str = "") -> PlanWs:
        root = tmp_path / f"ws{next(counter)}"
        (root / "plans").mkdir(parents=True)
        (root / "patches").mkdir()
        (root / "specs").mkdir()
        config = {"dir": "patches/", "plan": "plans/plan.json"}
        if schema is not None:
            (root / "plans" / "plan.schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
            config["schema"] = "plans/plan.schema.json"
        (root / "syncspec.yaml").write_text(
            "project: demo\ndatabase: sqlite:///.syncspec/demo.db\nspecs: specs/\n"
            + yaml.safe_dump({"patches": config}, sort_keys=False) + extra, encoding="utf-8")
        text = plan_text if plan_text is not None else json.dumps(PLAN if plan is None else plan, indent=2) + "\n"
        (root / "plans" / "plan.json").write_text(text, encoding="utf-8", newline="")
        return PlanWs(root)

    return make


@pytest.fixture
def plan_ws(make_plan_ws) -> PlanWs:
    return make_plan_ws()


@pytest.fixture
def example_ws(tmp_path) -> Path:
    """A private copy of examples/plan (without any local database)."""
    dest = tmp_path / "plan"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(".syncspec", "applied.json"))
    return dest


def config_of(root: Path):
    from syncspec.workspace import read_config

    return read_config(root)
