"""The applied-patch ledger mirrored into syncspec_patches; an unreachable database is only a warning."""

from __future__ import annotations

import dataclasses
import datetime as dt

from conftest import config_of

from syncspec.patches import api
from syncspec.patches.dbmirror import mirrored


def with_url(root, url):
    return dataclasses.replace(config_of(root), database_url=url)


def test_apply_mirrors_the_ledger_append_only(plan_ws, db_url):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}], title="Add a")
    result = api.apply(with_url(plan_ws.root, db_url), now=dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.timezone.utc))
    assert (result.mirrored, result.warning) == (1, None)
    first = mirrored(db_url, "demo")
    assert [(r["patch_id"], r["title"], r["plan_file"], r["applied_at"]) for r in first] == [
        ("001-a", "Add a", "plans/plan.json", dt.datetime(2026, 1, 31, 12, 0))]
    assert first[0]["checksum"] == plan_ws.ledger()["applied"][0]["checksum"]
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/b", "value": 2}])
    assert api.apply(with_url(plan_ws.root, db_url)).mirrored == 1
    rows = mirrored(db_url, "demo")
    assert [r["patch_id"] for r in rows] == ["001-a", "002-b"] and rows[0] == first[0]
    assert api.apply(with_url(plan_ws.root, db_url)).mirrored == 0  # nothing applied: nothing mirrored


def test_unreachable_database_warns_and_the_files_are_written(plan_ws, cli, sqlite_url):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    down = "postgresql://nobody@127.0.0.1:1/none"
    proc = cli("--project", str(plan_ws.root), "--database-url", down, "patch", "apply")
    assert proc.returncode == 0, proc.stderr
    assert "warning: ledger not mirrored into the database:" in proc.stderr
    assert "the plan and the ledger file are written and canonical" in proc.stderr
    assert [e["id"] for e in plan_ws.ledger()["applied"]] == ["001-a"]
    # the next apply that applies something catches the mirror up
    plan_ws.patch("002-b", [{"op": "add", "path": "/meta/b", "value": 2}])
    assert api.apply(with_url(plan_ws.root, sqlite_url)).mirrored == 2
    assert [r["patch_id"] for r in mirrored(sqlite_url, "demo")] == ["001-a", "002-b"]


def test_no_mirror_flag(plan_ws, cli):
    plan_ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    proc = cli("--project", str(plan_ws.root), "patch", "apply", "--no-mirror")
    assert proc.returncode == 0 and "mirrored" not in proc.stdout
    assert not (plan_ws.root / ".syncspec" / "demo.db").exists()
