"""Bad input through the real CLI: documented exit code, a one-screen located error with a hint,
no traceback, and a target left exactly as it was.

Each test syncs the valid ledger example first, snapshots the target (every row of sot_entries,
the number of runs in the ledger, and for SQLite a dump of every table), breaks one input,
runs `syncspec sync` and compares.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

MAX_STDERR_LINES = 25  # "one screen"


# -- helpers -------------------------------------------------------------------------------------

def sqlite_path(ws: Path) -> Path:
    return ws / ".syncspec" / "autopack.db"


def snapshot_sqlite(path: Path) -> dict:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(sot_entries)")]
        rows = con.execute("SELECT * FROM sot_entries ORDER BY project_id, file_type, entry_id").fetchall()
        runs = con.execute("SELECT COUNT(*) FROM syncspec_runs").fetchone()[0]
        dump = list(con.iterdump())
    finally:
        con.close()
    return {"columns": cols, "rows": rows, "runs": runs, "dump": dump}


def snapshot_url(url: str) -> dict:
    """Rows of sot_entries and the run count in any target database."""
    if url.startswith("sqlite:///"):
        return snapshot_sqlite(Path(url[len("sqlite:///"):]))
    from playhouse.db_url import connect

    db = connect(url)
    try:
        rows = db.execute_sql("SELECT * FROM sot_entries ORDER BY project_id, file_type, entry_id").fetchall()
        runs = db.execute_sql("SELECT COUNT(*) FROM syncspec_runs").fetchone()[0]
    finally:
        db.close()
    return {"rows": [tuple(r) for r in rows], "runs": runs}


@pytest.fixture
def synced(ledger_ws, cli):
    """The ledger example synced once into its default SQLite file; returns (workspace, snapshot)."""
    r = cli("--project", str(ledger_ws), "sync")
    assert r.returncode == 0, r.stderr
    snap = snapshot_sqlite(sqlite_path(ledger_ws))
    assert len(snap["rows"]) >= 60 and snap["runs"] == 1
    return ledger_ws, snap


def assert_user_error(r, code: int, *needles: str, location: str | None = None) -> str:
    """Exit code, one screen, a hint, no traceback; every needle (and location regex) in stderr."""
    err = r.stderr
    assert r.returncode == code, f"exit {r.returncode}, expected {code}\nstdout:\n{r.stdout}\nstderr:\n{err}"
    assert "Traceback" not in err and "Traceback" not in r.stdout, err
    assert "hint:" in err, err
    assert 0 < len(err.splitlines()) <= MAX_STDERR_LINES, err
    for needle in needles:
        assert needle in err, f"{needle!r} not in stderr:\n{err}"
    if location is not None:
        assert re.search(location, err), f"no location matching {location!r} in stderr:\n{err}"
    return err


RUN_RECORD = ('INSERT INTO "syncspec_runs"', 'INSERT INTO "syncspec_run_events"')


def assert_unchanged(ws: Path, before: dict) -> None:
    """The target and the ledger's file states are byte-identical. Since issue 11 (every run is on the
    record) a run refused for bad input adds one `failed` run row (and its lifecycle events), no more."""
    after = snapshot_sqlite(sqlite_path(ws))
    assert after["rows"] == before["rows"]
    assert [l for l in after["dump"] if not l.startswith(RUN_RECORD)] == \
        [l for l in before["dump"] if not l.startswith(RUN_RECORD)]
    assert after["runs"] in (before["runs"], before["runs"] + 1)
    if after["runs"] > before["runs"]:
        con = sqlite3.connect(f"file:{sqlite_path(ws)}?mode=ro", uri=True)
        try:
            state, code, error = con.execute("SELECT state, exit_code, error_message FROM syncspec_runs "
                                             "ORDER BY created_at DESC").fetchone()
        finally:
            con.close()
        assert (state, code) == ("failed", 1) and error


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing needle."""
    seen = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> int:
    """Append text to a markdown file; returns the line number its first line lands on."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"
    first = data.count(b"\n") + 1
    path.write_bytes(data + text.encode("utf-8"))
    return first


def sync(cli, ws: Path, *args: str):
    return cli("--project", str(ws), "sync", *args)


SPEC = "specs/build_history.yaml"
SOURCE = "docs/BUILD_HISTORY.md"


# -- spec errors ---------------------------------------------------------------------------------

def test_broken_yaml(synced, cli):
    ws, before = synced
    spec = ws / SPEC
    edit(spec, "on_missing: delete", "on_missing: [delete")
    line = line_of(spec, "on_missing: [delete")
    r = sync(cli, ws)
    assert_user_error(r, 1, "YAML", location=rf"specs/build_history\.yaml:{line}\b")
    assert_unchanged(ws, before)


def test_unknown_key_did_you_mean(synced, cli):
    ws, before = synced
    spec = ws / SPEC
    edit(spec, "on_missing: delete", "on_misssing: delete")
    line = line_of(spec, "on_misssing")
    r = sync(cli, ws)
    assert_user_error(r, 1, "on_misssing", "did you mean", "on_missing", location=rf"specs/build_history\.yaml:{line}\b")
    assert_unchanged(ws, before)


def test_mistyped_nested_key(synced, cli):
    ws, before = synced
    spec = ws / SPEC
    edit(spec, "    title:      {type: text, required: true}", "    title:      {type: text, requird: true}")
    line = line_of(spec, "requird")
    r = sync(cli, ws)
    assert_user_error(r, 1, "requird", "did you mean", "required", location=rf"specs/build_history\.yaml:{line}\b")
    assert_unchanged(ws, before)


def test_regex_does_not_compile(synced, cli):
    ws, before = synced
    spec = ws / SPEC
    edit(spec, r"(?P<entry_id>BUILD-\d+)", r"(?P<entry_id>BUILD-(\d+)")
    line = line_of(spec, "match: '^(?P<entry_id>BUILD-(")
    r = sync(cli, ws)
    assert_user_error(r, 1, "regex", "match", location=rf"specs/build_history\.yaml:{line}\b")
    assert_unchanged(ws, before)


def test_missing_source_file(synced, cli):
    ws, before = synced
    spec = ws / SPEC
    edit(spec, "files: docs/BUILD_HISTORY.md", "files: docs/BUILD_HISTRY.md")
    line = line_of(spec, "files: docs/BUILD_HISTRY.md")
    r = sync(cli, ws)
    # the location a user can act on is the spec line that names the file
    assert_user_error(r, 1, "docs/BUILD_HISTRY.md", location=rf"specs/build_history\.yaml:{line}\b")
    assert_unchanged(ws, before)


# -- source errors -------------------------------------------------------------------------------

def test_non_utf8_source(synced, cli):
    ws, before = synced
    src = ws / SOURCE
    line = append(src, "## BUILD-990: Latin-1 slipped in\n\n**Status**: PLANNED\n")
    data = src.read_bytes().replace("Latin-1 slipped".encode(), b"Latin-1 sl\xefpped")  # cp1252 'ï'
    src.write_bytes(data)
    offset = data.index(b"\xef" + b"pped")
    r = sync(cli, ws)
    err = assert_user_error(r, 1, f"offset {offset}", location=rf"docs/BUILD_HISTORY\.md:{line}\b")
    assert "0xef" in err.lower()
    assert_unchanged(ws, before)


def test_duplicate_id_within_one_file(synced, cli):
    ws, before = synced
    src = ws / SOURCE
    first = line_of(src, "## BUILD-169:")
    second = append(src, "## BUILD-169: The same ID again\n\n**Status**: PLANNED\n")
    r = sync(cli, ws)
    err = assert_user_error(r, 1, "BUILD-169", "duplicate")
    assert re.search(rf"docs/BUILD_HISTORY\.md:{first}\b", err), err
    assert re.search(rf"docs/BUILD_HISTORY\.md:{second}\b", err), err
    assert_unchanged(ws, before)


def test_duplicate_id_across_two_files_of_one_spec(synced, cli):
    ws, before = synced
    edit(ws / SPEC, "files: docs/BUILD_HISTORY.md", "files: [docs/BUILD_HISTORY.md, docs/BUILD_HISTORY_2025.md]")
    (ws / "docs" / "BUILD_HISTORY_2025.md").write_text(
        "# Build History 2025\n\n## BUILD-100: Old build\n\n**Status**: COMPLETE\n\n"
        "## BUILD-163: Copied by mistake\n\n**Status**: COMPLETE\n", encoding="utf-8")
    first = line_of(ws / SOURCE, "## BUILD-163:")
    r = sync(cli, ws)
    err = assert_user_error(r, 1, "BUILD-163", "duplicate")
    assert re.search(rf"docs/BUILD_HISTORY\.md:{first}\b", err), err
    assert re.search(r"docs/BUILD_HISTORY_2025\.md:7\b", err), err
    assert_unchanged(ws, before)


def test_value_that_does_not_coerce(synced, cli):
    ws, before = synced
    src = ws / SOURCE
    line = append(src, "## BUILD-991: When was this\n\n**Status**: PLANNED\n**Date**: yesterday\n")
    r = sync(cli, ws)
    # at the field's own line (the heading's + 3), not the entry's heading
    err = assert_user_error(r, 1, "yesterday", "date", location=rf"docs/BUILD_HISTORY\.md:{line + 3}\b")
    assert re.search(r"\bcolumn\b|\$\.target\.columns\.date", err), err
    assert_unchanged(ws, before)


def test_choices_violation(synced, cli):
    ws, before = synced
    # without its pattern the status column sees raw values such as "Superseded by DEC-015"
    spec = ws / "specs" / "decisions.yaml"
    edit(spec, "pattern: '(?P<value>Proposed|Accepted|Superseded|Deprecated|Rejected)', ", "")
    r = sync(cli, ws)
    err = assert_user_error(r, 1, "status", "choices", location=r"docs/ARCHITECTURE_DECISIONS\.md:\d+")
    assert "Accepted" in err  # the allowed values are listed
    assert_unchanged(ws, before)


def test_all_problems_of_a_run_are_reported_together(synced, cli):
    ws, before = synced
    edit(ws / SPEC, "on_missing: delete", "on_misssing: delete")
    edit(ws / "specs" / "decisions.yaml", "on_missing: delete", "on_mising: delete")
    r = sync(cli, ws)
    err = assert_user_error(r, 1, "build_history.yaml", "decisions.yaml")
    assert_unchanged(ws, before)
    assert err.count("hint:") >= 2


# -- target errors -------------------------------------------------------------------------------

def test_database_down_password_masked(synced, cli):
    ws, before = synced
    r = sync(cli, ws, "--database-url", "postgresql://u:secret@127.0.0.1:1/x")
    assert_user_error(r, 2, "127.0.0.1")
    assert "secret" not in r.stdout + r.stderr
    assert "u:***@" in r.stdout + r.stderr
    assert_unchanged(ws, before)


def test_database_refuses_password(synced, cli, mysql_url):
    ws, before = synced
    bad = mysql_url.replace("root@", "root:wrong@", 1)
    assert "wrong" in bad
    r = sync(cli, ws, "--database-url", bad)
    assert_user_error(r, 2)
    assert "wrong" not in r.stdout + r.stderr
    assert "root:***@" in r.stdout + r.stderr
    assert_unchanged(ws, before)
    # and nothing was created in the database the password would have opened
    from playhouse.db_url import connect

    db = connect(mysql_url)
    try:
        assert not db.table_exists("sot_entries") and not db.table_exists("syncspec_runs")
    finally:
        db.close()


def test_unsupported_url_scheme(synced, cli):
    ws, before = synced
    r = sync(cli, ws, "--database-url", "oracle://scott:secret@db.example/orcl")
    assert_user_error(r, 4, "oracle")
    assert "secret" not in r.stdout + r.stderr
    assert_unchanged(ws, before)


def test_lock_held_by_another_process(synced, cli):
    from filelock import FileLock

    ws, before = synced
    append(ws / SOURCE, "## BUILD-992: Waiting for the lock\n\n**Status**: PLANNED\n")
    lock = FileLock(str(sqlite_path(ws)) + ".lock")
    with lock.acquire(timeout=5):
        r = sync(cli, ws, "--lock-timeout", "0.2")
    assert_user_error(r, 5, "lock")
    assert_unchanged(ws, before)
    # once the lock is free, the same sync goes through
    assert sync(cli, ws).returncode == 0


def test_time_limit_writes_nothing(synced, cli):
    ws, before = synced
    append(ws / SOURCE, "## BUILD-993: Too slow\n\n**Status**: PLANNED\n")
    r = sync(cli, ws, "--max-seconds", "0")
    assert_user_error(r, 3, "time limit")
    after = snapshot_sqlite(sqlite_path(ws))
    assert after["rows"] == before["rows"] and after["columns"] == before["columns"]
    # the timed-out run itself is on record (failed, exit 3); its writes are not
    assert after["runs"] == before["runs"] + 1
    con = sqlite3.connect(f"file:{sqlite_path(ws)}?mode=ro", uri=True)
    state, code = con.execute("SELECT state, exit_code FROM syncspec_runs ORDER BY created_at DESC").fetchone()
    events = con.execute("SELECT COUNT(*) FROM syncspec_run_events WHERE event_type = 'insert' "
                         "AND entry_key LIKE '%BUILD-993%'").fetchone()[0]
    con.close()
    assert (state, code, events) == ("failed", 3, 0)


def test_json_error_object(synced, cli):
    ws, before = synced
    edit(ws / SPEC, "on_missing: delete", "on_misssing: delete")
    r = cli("--project", str(ws), "sync", "--json")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    data = json.loads(r.stdout)
    assert data["exit_code"] == 1
    assert data["problems"], data
    problem = data["problems"][0]
    assert problem["file"].endswith("build_history.yaml") and problem["line"] >= 1 and problem["hint"]
    assert_unchanged(ws, before)

    r = cli("--project", str(ws), "--json", "sync", "--database-url", "postgresql://u:secret@127.0.0.1:1/x")
    assert r.returncode in (1, 2)  # the spec error or the connection, whichever is checked first
    data = json.loads(r.stdout)
    assert data["exit_code"] == r.returncode and data["problems"]
    assert "secret" not in r.stdout + r.stderr


# -- the same guarantee on every backend -----------------------------------------------------------

def test_bad_value_leaves_every_backend_unchanged(ledger_ws, cli, db_url):
    r = cli("--project", str(ledger_ws), "sync", "--database-url", db_url)
    assert r.returncode == 0, r.stderr
    before = snapshot_url(db_url)
    assert before["runs"] == 1 and len(before["rows"]) >= 60
    edit(ledger_ws / SOURCE, "**Date**: 2026-01-19", "**Date**: someday")
    edit(ledger_ws / SOURCE, "## BUILD-169: Qdrant embedding backfill", "## BUILD-169: Qdrant embedding backfill v2")
    r = cli("--project", str(ledger_ws), "sync", "--database-url", db_url)
    assert_user_error(r, 1, "someday")
    after = snapshot_url(db_url)
    assert after["rows"] == before["rows"] and after["runs"] == before["runs"] + 1   # the refused run, recorded
