"""Each example workspace of a record shape syncs into SQLite and PostgreSQL, and a second sync writes nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3

from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.records import canonical

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# example -> {table: rows}, and spot checks: (sql, expected rows)
EXPECTED = {
    "system_state": ({"phases": 5, "capabilities": 6}, [
        ("SELECT phase, status, date FROM phases ORDER BY phase",
         [(233, "COMPLETE", "2025-12-01"), (234, "BLOCKED", None), (235, "IN_PROGRESS", "2025-12-18"),
          (237, "COMPLETE", "2026-01-02"), (238, "COMPLETE", "2026-01-06")]),
        ("SELECT files FROM phases WHERE phase = 238",
         [('["SYSTEM_STATE.md","claude/tools/sre/save_state.py"]',)]),
        ("SELECT path, category, kind, title, description FROM capabilities ORDER BY path",
         [("tools/docs/README.md", "docs", ".md", "Tool documentation", None),
          ("tools/docs/agent_handoff.md", "docs", ".md", "Agent handoff checklist", None),
          ("tools/security/secret_scan.py", "security", ".py", None,
           "Secret scan: block commits that add AWS keys or private keys (Phase 235)."),
          ("tools/sre/capabilities_registry.py", "sre", ".py", None,
           "Capabilities registry (retired): one row per tool file, now specs/capabilities.yaml."),
          ("tools/sre/save_state.py", "sre", ".py", None,
           "Save state: analyse changes, check documentation, sync derived databases, commit."),
          ("tools/sre/system_state_etl.py", "sre", ".py", None,
           "System state ETL (retired): SYSTEM_STATE.md -> system_state.db, now specs/system_state.yaml.")]),
    ]),
    "tasks": ({"prs": 7, "pr_tasks": 12, "pr_dependencies": 9}, [
        ("SELECT pr_id, depends_on, position FROM pr_dependencies WHERE pr_id = 'PR-010' ORDER BY position",
         [("PR-010", "PR-003", 1), ("PR-010", "PR-004", 2), ("PR-010", "PR-009", 3)]),
        ("SELECT pr_id, cold_state, dependencies, depends_on, dependency_count, estimate_min FROM prs "
         "WHERE pr_id IN ('PR-001', 'PR-010') ORDER BY pr_id",
         [("PR-001", "completed", "[]", None, 0, None),
          ("PR-010", "ready", '["PR-003","PR-004","PR-009"]', "PR-003, PR-004, PR-009", 3, 60)]),
        ("SELECT pr_id, list, position, done, depth, parent FROM pr_tasks WHERE pr_id = 'PR-010' AND depth = 2",
         [("PR-010", "acceptance_criteria", 5, False, 2, "Reconciliation handles conflicts"),
          ("PR-010", "acceptance_criteria", 6, False, 2, "Reconciliation handles conflicts")]),
        ("SELECT count(*) FROM pr_tasks WHERE done", [(3,)]),
    ]),
    "plan": ({"plan_phases": 2, "plan_workstreams": 12, "plan_tasks": 13, "patch_reviews": 3}, [
        ("SELECT phase_id, name, hours, workstreams FROM plan_phases ORDER BY phase_id",
         [("PH-000", "Foundation", 9.5, 9), ("PH-001", "Core engine", 14.0, 3)]),
        ("SELECT workstream_id, phase_id, status, tasks FROM plan_workstreams WHERE workstream_id = 'WS-001-002'",
         [("WS-001-002", "PH-001", "planned", 1)]),
        ("SELECT task_id, phase_id, workstream_id, pointer FROM plan_tasks WHERE task_id = 'TSK-000-002-002'",
         [("TSK-000-002-002", "PH-000", "WS-000-002", "/phases/PH-000/workstreams/WS-000-002/tasks/TSK-000-002-002")]),
    ]),
    "state_store": ({"runs": 4, "step_attempts": 5, "run_events": 5}, [
        ("SELECT run_id, state, exit_code FROM runs ORDER BY run_id",
         [("RUN-0001", "succeeded", 0), ("RUN-0002", "failed", 1), ("RUN-0003", "running", None),
          ("RUN-0004", "pending", None)]),
        ("SELECT run_id, step_id, sequence, tool_id, state, exit_code FROM step_attempts WHERE run_id = 'RUN-0002'",
         [("RUN-0002", "S1", 1, "migrate", "succeeded", 0), ("RUN-0002", "S2", 2, "verify", "failed", 1)]),
        ("SELECT event_type FROM run_events WHERE run_id = 'RUN-0001' ORDER BY position",
         [("started",), ("finished",)]),
    ]),
    "changelog": ({"releases": 5, "release_changes": 11}, [
        ("SELECT kind, text FROM release_changes WHERE version = '1.2.0' ORDER BY position",
         [("added", "Task lists: `- [ ]` and `- [x]` items become rows, with their heading\nand nesting depth."),
          ("added", "JSON Pointer sources with wildcards (`/phases/*/workstreams/*`)."),
          ("changed", "Front matter dates are read as dates, not text."),
          ("fixed", "A `|` inside inline code no longer splits a table cell ([#41])."),
          ("fixed", "Crash on an empty `CHANGELOG.md` (reported by Zoë Álvarez).")]),
        ("SELECT version, released, yanked, compare FROM releases ORDER BY version",
         [("1.0.0", "2024-01-15", False, "https://github.com/example/tidy/releases/tag/v1.0.0"),
          ("1.1.0", "2024-03-10", False, "https://github.com/example/tidy/compare/v1.0.0...v1.1.0"),
          ("1.1.1", "2024-03-22", True, "https://github.com/example/tidy/compare/v1.1.0...v1.1.1"),
          ("1.2.0", "2024-05-01", False, "https://github.com/example/tidy/compare/v1.1.1...v1.2.0"),
          ("Unreleased", None, False, "https://github.com/example/tidy/compare/v1.2.0...HEAD")]),
        ("SELECT fixed, notes FROM releases WHERE version = '1.0.0'",
         [(None, "Initial release: sections, tables, SQLite and PostgreSQL.")]),
    ]),
}


def query(url: str, sql: str) -> list[tuple]:
    """Rows as plain Python values (dates as ISO text, 0/1 as booleans where PostgreSQL has booleans)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("sqlite:///", 1)[1])
    else:
        import psycopg2

        conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return [tuple(_plain(v) for v in row) for row in cur.fetchall()]
    finally:
        conn.close()


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_syncs_and_a_second_sync_writes_nothing(name, backend, tmp_path, request):
    url = request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "pg_url"}[backend])
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns(".syncspec"))
    ws = Workspace.open(root, database_url=url)
    counts, checks = EXPECTED[name]
    first = ws.sync()
    assert first.inserted == sum(counts.values()) and first.updated == first.deleted == 0
    for table, n in counts.items():
        assert query(url, f"SELECT count(*) FROM {table}") == [(n,)], table
    for sql, expected in checks:
        # json columns are JSONB on PostgreSQL (read back parsed): compare their canonical text
        got = [tuple(canonical(v) if isinstance(v, (list, dict)) else v for v in row) for row in query(url, sql)]
        if backend == "sqlite":   # SQLite has no booleans: 0/1
            expected = [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in expected]
        assert got == expected, sql
    again = ws.sync()
    assert (again.inserted, again.updated, again.deleted) == (0, 0, 0)
    # and parsing everything again, against the table itself, finds nothing to change either
    assert Workspace.open(root, database_url=url).plan(full=True).empty


def test_examples_have_a_spec_per_shape():
    kinds = set()
    for name in EXPECTED:
        for spec in Workspace.open(EXAMPLES / name).specs():
            kinds.update(s.kind for s in spec.strategies)
    assert kinds >= {"sections", "file", "frontmatter", "tasks", "json"}


def test_the_plan_example_follows_its_patches(tmp_path):
    from syncspec.patches import api
    from syncspec.workspace import read_config

    root = tmp_path / "plan"
    shutil.copytree(EXAMPLES / "plan", root, ignore=shutil.ignore_patterns(".syncspec"))
    ws = Workspace.open(root)
    ws.sync()
    api.apply(read_config(root), mirror=False)
    result = Workspace.open(root).sync(only=["phases", "workstreams", "plan_tasks"])
    by_spec = {c.spec: c for c in result.changes}
    assert len(by_spec["workstreams"].inserts) >= 2          # patch 006 and 007 add workstreams
    url = f"sqlite:///{root / '.syncspec' / 'uet.db'}"
    assert query(url, "SELECT covers FROM plan_workstreams WHERE workstream_id = 'WS-001-004'") == [
        (json.dumps(["WorkerLifecycle table", "PatchLedger table", "TestGate table"], separators=(",", ":")),)]
