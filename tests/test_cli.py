"""Happy paths of every verb through the real CLI (a subprocess), on the ledger example in SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPECS = ("build_history", "debug_log", "decisions")


def db_file(ws: Path) -> Path:
    return ws / ".syncspec" / "autopack.db"


def run_json(cli, *args: str):
    r = cli(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


@pytest.fixture
def synced(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "sync")
    assert r.returncode == 0, r.stderr
    return ledger_ws


def edit_source(ws: Path) -> None:
    """Change one entry's title, and push the file's mtime past the last sync."""
    src = ws / "docs" / "BUILD_HISTORY.md"
    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("## BUILD-169: Qdrant embedding backfill", "## BUILD-169: Qdrant backfill", 1),
                   encoding="utf-8")
    future = time.time() + 5
    os.utime(src, (future, future))


def test_version(cli):
    import syncspec

    r = cli("--version")
    assert r.returncode == 0
    assert syncspec.__version__ in r.stdout


def test_validate_lists_the_three_specs(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "validate")
    assert r.returncode == 0, r.stderr
    for name in SPECS:
        assert name in r.stdout
    assert "3 spec(s) valid" in r.stdout
    data = run_json(cli, "validate", "--project", str(ledger_ws))
    assert data["valid"] is True
    assert sorted(s["sync"] for s in data["specs"]) == list(SPECS)
    assert not db_file(ledger_ws).exists(), "validate must not create the database"


def test_plan_writes_nothing(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "plan")
    assert r.returncode == 0, r.stderr
    assert "to insert" in r.stdout
    assert not db_file(ledger_ws).exists(), "plan created the SQLite file"
    assert not (ledger_ws / ".syncspec").exists() or not any((ledger_ws / ".syncspec").iterdir())

    assert cli("--project", str(ledger_ws), "sync").returncode == 0
    edit_source(ledger_ws)
    before = db_file(ledger_ws).read_bytes()
    plan = run_json(cli, "--project", str(ledger_ws), "plan")
    assert plan["updated"] == 1 and plan["inserted"] == 0 and plan["deleted"] == 0
    assert db_file(ledger_ws).read_bytes() == before, "plan changed the database file"


def test_sync_twice_then_history(ledger_ws, cli):
    ws = str(ledger_ws)
    first = run_json(cli, "--project", ws, "sync")
    assert first["inserted"] >= 60 and first["updated"] == 0 and first["deleted"] == 0
    r = cli("--project", ws, "sync")
    assert r.returncode == 0, r.stderr
    assert "0 inserted, 0 updated, 0 deleted" in r.stdout
    assert "target: sqlite:///" in r.stdout

    runs = run_json(cli, "--project", ws, "history")
    assert len(runs) == 2
    assert [r_["state"] for r_ in runs] == ["succeeded", "succeeded"]
    assert runs[0]["inserted"] == 0 and runs[1]["inserted"] == first["inserted"]
    assert runs[1]["run_id"] == first["run_id"]

    r = cli("--project", ws, "history")
    assert r.returncode == 0
    assert first["run_id"][:8] in r.stdout and runs[0]["run_id"][:8] in r.stdout
    assert r.stdout.count("succeeded") == 2

    events = run_json(cli, "--project", ws, "history", "--run", first["run_id"])
    assert len(events) == first["inserted"]
    assert {e["event_type"] for e in events} == {"insert"}
    assert all(e["new_hash"] and e["file"] and e["line"] for e in events)
    # the 8-character prefix that `history` prints is enough
    assert run_json(cli, "--project", ws, "history", "--run", first["run_id"][:8]) == events
    assert run_json(cli, "--project", ws, "history", "--run", runs[0]["run_id"]) == []


def test_history_unknown_run_is_an_error(synced, cli):
    r = cli("--project", str(synced), "history", "--run", "0000dead")
    no_traceback(r)
    assert r.returncode == 1
    assert "0000dead" in r.stderr and "hint:" in r.stderr


def test_status_current_then_stale(synced, cli):
    ws = str(synced)
    data = run_json(cli, "--project", ws, "status")
    assert {s["spec"]: s["state"] for s in data["specs"]} == dict.fromkeys(SPECS, "current")
    r = cli("--project", ws, "status", "--check")
    assert r.returncode == 0 and "current" in r.stdout

    # a touched source (no byte changed) is not stale: status asks the change classifier sync uses
    # (issue 10: before, status said stale while plan --check and sync found nothing to do)
    src = synced / "docs" / "DEBUG_LOG.md"
    future = time.time() + 5
    os.utime(src, (future, future))
    edit_source(synced)
    data = run_json(cli, "--project", ws, "status")
    states = {s["spec"]: s["state"] for s in data["specs"]}
    assert states == {"build_history": "stale", "debug_log": "current", "decisions": "current"}
    r = cli("--project", ws, "status", "--check")
    assert r.returncode == 6
    assert "stale" in r.stdout


def test_status_never_synced(ledger_ws, cli):
    data = run_json(cli, "--project", str(ledger_ws), "status")
    assert {s["state"] for s in data["specs"]} == {"never-synced"}
    assert not db_file(ledger_ws).exists()


def test_verify_and_plan_check(synced, cli):
    ws = str(synced)
    r = cli("--project", ws, "verify")
    assert r.returncode == 0, r.stderr
    assert "no drift" in r.stdout
    assert cli("--project", ws, "plan", "--check").returncode == 0

    edit_source(synced)
    r = cli("--project", ws, "verify")
    assert r.returncode == 6
    assert "drift" in r.stderr
    no_traceback(r)
    r = cli("--project", ws, "plan", "--check")
    assert r.returncode == 6
    assert "BUILD-169" in r.stdout


def test_plan_shows_exact_changes(synced, cli):
    src = synced / "docs" / "BUILD_HISTORY.md"
    text = src.read_text(encoding="utf-8")
    text = text.replace("## BUILD-169: Qdrant embedding backfill", "## BUILD-169: Qdrant backfill", 1)
    text = text.replace("## BUILD-168:", "## BUILD-999:", 1)  # one deleted, one added
    src.write_text(text, encoding="utf-8")
    plan = run_json(cli, "--project", str(synced), "plan")
    assert (plan["inserted"], plan["updated"], plan["deleted"]) == (1, 1, 1)
    r = cli("--project", str(synced), "plan")
    assert "+ sot_entries autopack/build/BUILD-999" in r.stdout
    assert "~ sot_entries autopack/build/BUILD-169" in r.stdout and "(title)" in r.stdout
    assert "- sot_entries autopack/build/BUILD-168" in r.stdout
    done = run_json(cli, "--project", str(synced), "sync")
    assert (done["inserted"], done["updated"], done["deleted"]) == (1, 1, 1)


def test_preview_json_lines(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "preview", "build_history", "--json")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) >= 20
    for rec in lines:
        assert rec["file"] == "docs/BUILD_HISTORY.md"
        assert isinstance(rec["line"], int) and rec["line"] > 0
        assert rec["strategy"] == "sections"
    assert lines[0]["row"]["entry_id"].startswith("BUILD-")
    assert not db_file(ledger_ws).exists()


def test_preview_table_strategy(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "preview", "debug_log")
    assert r.returncode == 0, r.stderr
    assert "docs/DEBUG_LOG.md:" in r.stdout
    assert "table" in r.stdout and "sections" not in r.stdout.split("\n", 2)[-1]
    assert "DBG-001" in r.stdout
    r = cli("--project", str(ledger_ws), "preview", "debug_log", "docs/DEBUG_LOG.md", "-n", "2")
    assert r.returncode == 0, r.stderr
    assert "DBG-001" in r.stdout and "DBG-003" not in r.stdout


def test_preview_unknown_spec(ledger_ws, cli):
    r = cli("--project", str(ledger_ws), "preview", "nope")
    no_traceback(r)
    assert r.returncode == 1
    assert "nope" in r.stderr and "build_history" in r.stderr


def test_preview_piped_into_head_exits_quietly(ledger_ws):
    """A reader that goes away (`| head -1`) is no error worth a traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "syncspec", "--project", str(ledger_ws), "preview",
                             "build_history", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the child writes: its first flush finds no reader
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=30)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141  # 128 + SIGPIPE, as a shell reports a command killed by SIGPIPE


def test_init_validate_sync(tmp_path, cli):
    ws = tmp_path / "fresh project"
    ws.mkdir()
    r = cli("init", str(ws))
    assert r.returncode == 0, r.stderr
    for rel in ("syncspec.yaml", "specs/notes.yaml", "specs/syncspec.schema.json", "docs/NOTES.md"):
        assert (ws / rel).is_file(), rel
    assert (ws / "specs" / "notes.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert ".syncspec/" in (ws / ".gitignore").read_text(encoding="utf-8")

    r = cli("--project", str(ws), "validate")
    assert r.returncode == 0, r.stderr
    assert "notes" in r.stdout
    done = run_json(cli, "--project", str(ws), "sync")
    assert done["inserted"] == 2, done
    again = run_json(cli, "--project", str(ws), "sync")
    assert (again["inserted"], again["updated"], again["deleted"]) == (0, 0, 0)

    before = (ws / "specs" / "notes.yaml").read_text(encoding="utf-8")
    (ws / "specs" / "notes.yaml").write_text(before + "# mine\n", encoding="utf-8")
    r = cli("init", str(ws))
    no_traceback(r)
    assert r.returncode == 1
    assert "already exists" in r.stderr and "--force" in r.stderr
    assert (ws / "specs" / "notes.yaml").read_text(encoding="utf-8").endswith("# mine\n"), "init overwrote a file"
    r = cli("init", str(ws), "--force")
    assert r.returncode == 0, r.stderr
    assert (ws / "specs" / "notes.yaml").read_text(encoding="utf-8") == before


def test_init_in_cwd(tmp_path, cli):
    r = cli("init", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "syncspec.yaml").is_file()
    # the workspace is found by walking up from a subfolder
    r = cli("validate", cwd=tmp_path / "docs")
    assert r.returncode == 0, r.stderr


def test_schema_is_valid_json_schema(tmp_path, cli):
    from jsonschema import Draft202012Validator

    r = cli("schema")
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    Draft202012Validator.check_schema(schema)
    r = cli("schema", "--workspace")
    assert r.returncode == 0
    Draft202012Validator.check_schema(json.loads(r.stdout))

    out = tmp_path / "s.json"
    r = cli("schema", "-o", str(out))
    assert r.returncode == 0 and json.loads(out.read_text(encoding="utf-8")) == schema
    r = cli("schema", "-o", str(tmp_path / "missing" / "dir" / "s.json"))
    no_traceback(r)
    assert r.returncode == 1 and "hint:" in r.stderr


def test_no_workspace_found(tmp_path, cli):
    r = cli("validate", cwd=tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    assert "syncspec.yaml" in r.stderr and "hint:" in r.stderr


def test_no_verb_prints_help(cli):
    r = cli()
    assert r.returncode == 0
    assert "usage:" in r.stdout and "sync" in r.stdout


# -- invoke ------------------------------------------------------------------------------------------

def invoke(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "invoke", "-r", str(REPO), *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_invoke_collection_runs_the_cli(synced):
    r = invoke("plan", "--project", str(synced))
    assert r.returncode == 0, r.stderr
    assert "0 to insert, 0 to update, 0 to delete" in r.stdout

    edit_source(synced)
    r = invoke("verify", "--project", str(synced))
    assert r.returncode == 6, (r.stdout, r.stderr)
    r = invoke("sync", "--project", str(synced), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["updated"] == 1
    r = invoke("verify", "--project", str(synced))
    assert r.returncode == 0, r.stderr


def test_invoke_collection_has_every_verb():
    from syncspec.cli import VERBS
    from syncspec.tasks import ns

    missing = sorted(set(VERBS) - set(ns.task_names))
    assert not missing, f"verbs without an invoke task: {missing}"
