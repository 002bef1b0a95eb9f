"""examples/state_store (seed 002): CHECK'd state machines, cascade delete and JSON, on every backend."""

from __future__ import annotations

import shutil
from pathlib import Path

from syncspec import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "state_store"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "state_store"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".syncspec"))
    return root


def _snapshot(real, url: str) -> list:
    return [real(url).sql(f'SELECT * FROM "{t}" ORDER BY 1, 2') for t in ("runs", "step_attempts", "run_events")] + \
        [real(url).sql('SELECT COUNT(*) FROM "syncspec_runs"')]


def test_an_illegal_transition_is_refused_and_nothing_is_written(tmp_path, db_url, cli, real):
    root = _copy(tmp_path)
    assert cli("sync", "--database-url", db_url, cwd=root).returncode == 0
    before = _snapshot(real, db_url)
    log = root / "RUNS.md"
    text = log.read_text()
    # a legal change in the same run (RUN-0004 starts) must not land either
    text = text.replace("- **State**: pending", "- **State**: running")
    log.write_text(text.replace("- **State**: succeeded", "- **State**: running", 1))
    proc = cli("sync", "--database-url", db_url, cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "entry RUN-0001: state cannot change from 'succeeded' to 'running'" in proc.stderr
    assert "RUNS.md:7" in proc.stderr
    after = _snapshot(real, db_url)
    assert after[:3] == before[:3]                       # the target's tables: untouched
    assert after[3][0][0] == before[3][0][0] + 1         # the refused run itself is on the record (issue 11)


def test_runs_move_forward_and_a_removed_run_takes_its_steps_and_events(tmp_path, db_url, real):
    root = _copy(tmp_path)
    ws = Workspace.open(root, database_url=db_url)
    ws.sync()
    log = root / "RUNS.md"
    text = log.read_text()
    text = text.replace("- `S1` apply-patch: running", "- `S1` apply-patch: succeeded (exit 0)")
    text = text.replace("- **State**: running", "- **State**: succeeded\n- **Exit code**: 0")
    start = text.index("## RUN-0002")
    text = text[:start] + text[text.index("## RUN-0003"):]
    log.write_text(text)
    result = ws.sync()
    counts = {c.spec: c.counts for c in result.changes}
    assert counts["runs"]["deleted"] == 1 and counts["runs"]["updated"] == 1
    assert real(db_url).sql('SELECT "run_id", "state", "exit_code" FROM "runs" WHERE "run_id" = \'RUN-0003\'') == [
        ("RUN-0003", "succeeded", 0)]
    assert real(db_url).sql('SELECT "state" FROM "step_attempts" WHERE "run_id" = \'RUN-0003\'') == [("succeeded",)]
    for table in ("step_attempts", "run_events"):
        assert real(db_url).sql(f'SELECT COUNT(*) FROM "{table}" WHERE "run_id" = \'RUN-0002\'') == [(0,)]
    assert ws.plan().empty


def test_the_database_itself_enforces_states_and_cascades(tmp_path, db_url, real):
    import peewee

    root = _copy(tmp_path)
    Workspace.open(root, database_url=db_url).sync()
    target = real(db_url)
    if db_url.startswith("sqlite"):
        target.sql("PRAGMA foreign_keys = ON")
    try:
        with target.db.atomic():
            target.sql('UPDATE "runs" SET "state" = \'exploded\' WHERE "run_id" = \'RUN-0001\'')
        raise AssertionError("the CHECK constraint let a state that is not declared through")
    except (peewee.IntegrityError, peewee.OperationalError):   # MariaDB: 4025 CONSTRAINT failed
        pass
    target.sql('DELETE FROM "runs" WHERE "run_id" = \'RUN-0001\'')
    for table in ("step_attempts", "run_events"):
        assert real(db_url).sql(f'SELECT COUNT(*) FROM "{table}" WHERE "run_id" = \'RUN-0001\'') == [(0,)]
    assert real(db_url).sql('SELECT COUNT(*) FROM "step_attempts"') == [(3,)]
