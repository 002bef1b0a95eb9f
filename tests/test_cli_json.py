"""--json means JSON on every path: every verb, --version, usage errors, failing runs and checks."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from syncspec.cli import VERBS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def parsed(r, code: int = 0):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


def edit_source(ws: Path) -> None:
    src = ws / "docs" / "BUILD_HISTORY.md"
    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("## BUILD-169: Qdrant embedding backfill", "## BUILD-169: Qdrant backfill", 1),
                   encoding="utf-8")
    future = time.time() + 5
    os.utime(src, (future, future))


@pytest.fixture
def plan_example(tmp_path):
    dest = tmp_path / "plan"
    shutil.copytree(EXAMPLES / "plan", dest, ignore=shutil.ignore_patterns(".syncspec"))
    return dest


def test_every_verb_prints_json(ledger_ws, plan_example, tmp_path, cli):
    ws = ["--project", str(ledger_ws)]
    seen = set()

    def verb(*args: str, code: int = 0):
        seen.add(next(a for a in args if a in VERBS))
        return parsed(cli(*args, "--json"), code)

    assert verb("init", str(tmp_path / "fresh"))["next"][0].startswith("syncspec preview notes")
    assert verb("validate", *ws)["valid"] is True
    assert verb("schema")["$id"] == "urn:syncspec:schema:spec"
    assert verb("plan", *ws)["inserted"] > 0
    assert verb("sync", *ws)["inserted"] > 0
    assert verb("verify", *ws)["inserted"] == 0
    assert {s["state"] for s in verb("status", *ws)["specs"]} == {"current"}
    assert verb("history", *ws)[0]["state"] == "succeeded"
    assert verb("patch", "--project", str(plan_example), "status")["patches"]
    assert verb("render", *ws)["sections"] == []
    assert verb("hooks", *ws, "status", code=1)["code"] == "SS110"     # not a git repository: JSON too
    seen.add("watch")     # runs until stopped, one JSON object per line: tests/triggers/test_watch.py
    r = cli("preview", *ws, "build_history", "--json")           # JSON Lines: one document per line
    seen.add("preview")
    assert r.returncode == 0 and all(json.loads(line)["file"] for line in r.stdout.splitlines())
    assert seen == set(VERBS)


def test_version_json(cli):
    import syncspec

    assert parsed(cli("--version", "--json")) == {"version": syncspec.__version__}
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"syncspec {syncspec.__version__}"


@pytest.mark.parametrize("argv", [["plan", "--bogus"], ["history", "-n", "many"], ["preview"], ["frobnicate"]])
def test_usage_error_json(argv, cli):
    data = parsed(cli(*argv, "--json"), 2)
    assert (data["error"], data["code"], data["exit_code"]) == ("UsageError", "SS201", 2)
    assert data["message"] and data["problems"] == []


def test_usage_error_text_is_argparse_shaped(cli):
    r = cli("plan", "--bogus")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("usage: syncspec")
    assert "syncspec: error: SS201 unrecognized arguments: --bogus" in r.stderr
    r = cli("history", "-n", "many")
    assert r.returncode == 2 and r.stderr.startswith("usage: syncspec history")
    assert "syncspec history: error: SS201 argument -n/--limit: invalid int value: 'many'" in r.stderr


def test_failing_run_json(tmp_path, cli):
    data = parsed(cli("validate", "--json", cwd=tmp_path), 1)
    assert data["error"] == "ConfigError" and data["exit_code"] == 1
    assert data["problems"][0]["code"] == "SS111" and "syncspec.yaml" in data["problems"][0]["message"]


def test_failed_check_is_one_json_document_naming_the_drift(ledger_ws, cli):
    ws = ["--project", str(ledger_ws)]
    parsed(cli("sync", *ws, "--json"))
    edit_source(ledger_ws)
    for verb, code in (("verify", "SS601"), ("plan", "SS602")):
        data = parsed(cli(verb, *ws, *(["--check"] if verb == "plan" else []), "--json"), 6)
        assert (data["error"], data["code"], data["exit_code"]) == ("CheckFailed", code, 6)
        (problem,) = data["problems"]
        assert problem["file"] == "specs/build_history.yaml" and "sot_entries" in problem["message"]
        assert "BUILD-169" in problem["message"] and problem["code"] == code
        assert data["result"]["updated"] == 1
    data = parsed(cli("status", *ws, "--check", "--json"), 6)
    assert data["code"] == "SS603" and [p["message"].split(" ")[1] for p in data["problems"]] == ["build_history"]


def test_failed_check_text_names_what_is_pending(ledger_ws, cli):
    ws = ["--project", str(ledger_ws)]
    cli("sync", *ws)
    edit_source(ledger_ws)
    r = cli("plan", *ws, "--check")
    assert r.returncode == 6 and "~ sot_entries autopack/build/BUILD-169" in r.stdout
    assert r.stderr.startswith("error: specs/build_history.yaml: SS602 table sot_entries (spec build_history) is "
                               "not up to date: 0 to insert, 1 to update, 0 to delete (autopack/build/BUILD-169)")
    assert "hint: run `syncspec sync`" in r.stderr


def test_patch_check_json(plan_example, cli):
    data = parsed(cli("patch", "--project", str(plan_example), "apply", "--check", "--json"), 6)
    assert data["code"] == "SS604" and data["pending"] == len(data["problems"]) > 0
    assert all(p["file"].startswith("patches/") for p in data["problems"])
