"""`syncspec watch` as a real subprocess: reconcile at start, an edit reaches the table within
seconds, a failing sync does not end it, SIGTERM stops it with no run left `running`."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from conftest import edit, git_env, rows, runs

TITLE_238 = "## Phase 238: System State Documentation Refresh"


def wait_for(check, timeout: float = 20.0, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = check()
        except Exception:  # noqa: BLE001 - the database may not exist yet
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def start(root, *args):
    return subprocess.Popen([sys.executable, "-m", "syncspec", "--project", str(root), "watch", "--debounce", "300",
                             "--quiet-ms", "100", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=git_env())


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"watch did not stop on SIGTERM:\n{out}")
    return out


def title(root):
    found = rows(root, "SELECT title FROM phases WHERE phase = 238")
    return found[0][0] if found else None


def test_watch_syncs_an_edit_within_seconds_and_stops_cleanly_on_sigterm(seed_repo):
    proc = start(seed_repo)
    out = ""
    try:
        wait_for(lambda: title(seed_repo) == "System State Documentation Refresh", what="the reconcile at start")
        edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Watched")
        started = time.monotonic()
        wait_for(lambda: title(seed_repo) == "Watched", timeout=10, what="the edit to reach the table")
        assert time.monotonic() - started < 10
        # a failing sync is logged, and watching goes on
        with open(seed_repo / "SYSTEM_STATE.md", "a", encoding="utf-8") as fh:
            fh.write("\n## Phase 238: duplicate\n")
        time.sleep(1.5)
        edit(seed_repo, "SYSTEM_STATE.md", "\n## Phase 238: duplicate\n", "\n## Phase 242: After the failure\n")
        wait_for(lambda: rows(seed_repo, "SELECT title FROM phases WHERE phase = 242") == [("After the failure",)],
                 timeout=10, what="a sync after a failed one")
    except AssertionError as exc:
        out = stop(proc)
        raise AssertionError(f"{exc}\nwatch said:\n{out}") from None
    finally:
        if proc.returncode is None:
            out = stop(proc)
    assert proc.returncode == 0, out
    assert "reconcile at start" in out and "system_state failed" in out and "still watching" in out
    assert "SIGTERM" in out and "stopped after" in out
    states = {state for _, state, _ in runs(seed_repo)}
    assert "running" not in states and states <= {"succeeded", "failed", "canceled"}


def test_sigterm_during_a_sync_lets_it_finish(seed_repo):
    proc = start(seed_repo)
    try:
        wait_for(lambda: title(seed_repo), what="the reconcile at start")
        edit(seed_repo, "SYSTEM_STATE.md", TITLE_238, "## Phase 238: Mid-run")
        time.sleep(0.35)                  # inside the debounce or the sync: either way nothing is half-written
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    assert all(state != "running" for _, state, _ in runs(seed_repo))
    assert title(seed_repo) in ("System State Documentation Refresh", "Mid-run")


def test_interval_specs_run_on_schedule(make_ws):
    root = make_ws({"a.md": "# A\n", "specs/a.yaml": (
        "sync: a\nsource: {files: a.md, records: [file]}\ntarget: {table: a, key: [path], columns: {path: text}}\n"
        "trigger: [{interval: 1s}]\n")}, project="demo")
    proc = start(root, "--no-reconcile")
    try:
        wait_for(lambda: len(runs(root, "t.db")) >= 2, timeout=15, what="two scheduled runs")
    except AssertionError:
        raise AssertionError(stop(proc))
    finally:
        out = stop(proc)
    assert "scheduled" in out, out
