"""State machines on columns: illegal moves are refused with nothing written, legal ones sync,
warn mode writes and warns, terminal states stay put, new rows start in an initial state."""

from __future__ import annotations

import json

import pytest

from syncspec import Workspace
from syncspec.errors import SpecError, StateTransitionError

SPEC = """\
sync: runs
source:
  files: docs/runs.md
  records:
    - sections: {level: 2, match: '^(?P<run_id>RUN-\\d+)$'}
target:
  table: runs
  key: [run_id]
  columns:
    run_id: text
    status:
      from: fields.status
      states:
        initial: [pending, running]
        transitions:
          pending: [running, canceled]
          running: [succeeded, failed, quarantined, canceled]
        terminal: [succeeded, failed, quarantined, canceled]
        on_violation: error
    note: {from: fields.note}
"""
OTHER = """\
sync: notes
source:
  files: docs/notes.md
  records:
    - sections: {level: 2, match: '^(?P<note_id>N-\\d+)$'}
target:
  table: notes
  key: [note_id]
  columns:
    note_id: text
"""


def runs_md(*entries: tuple[str, str], note: str = "") -> str:
    out = ["# Runs", ""]
    for run_id, status in entries:
        out += [f"## {run_id}", "", f"- **Status:** {status}"]
        if note:
            out.append(f"- **Note:** {note}")
        out.append("")
    return "\n".join(out)


@pytest.fixture
def ws(make_ws, db_url):
    def make(spec: str = SPEC, **files: str) -> Workspace:
        root = make_ws({"specs/runs.yaml": spec, "specs/notes.yaml": OTHER,
                        "docs/notes.md": "# Notes\n\n## N-1\n",
                        "docs/runs.md": runs_md(("RUN-1", "pending"), ("RUN-2", "running")),
                        **{f"docs/{k}.md": v for k, v in files.items()}})
        return Workspace.open(root, database_url=db_url)
    return make


def snapshot(w: Workspace) -> tuple:
    """Rows of the target table and every ledger table, to compare before/after a refused run."""
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(w.config.database_url))
    try:
        # every table but the run records: since issue 11 a refused run is itself on the record (one
        # `failed` row in syncspec_runs and its lifecycle events), while all else stays byte-identical
        tables = ["runs", "notes", "syncspec_step_attempts", "syncspec_source_files"]
        out = []
        for t in tables:
            cursor = db.execute_sql(f"SELECT * FROM {t}")
            out.append((t, sorted(map(repr, cursor.fetchall()))))
        cursor = db.execute_sql("SELECT * FROM syncspec_run_events WHERE event_type NOT IN ('run:running', 'run:succeeded', 'run:failed', 'run:canceled')")
        out.append(("syncspec_run_events", sorted(map(repr, cursor.fetchall()))))
        cursor = db.execute_sql("SELECT * FROM syncspec_runs WHERE state <> 'failed'")
        out.append(("syncspec_runs", sorted(map(repr, cursor.fetchall()))))
        return tuple(out)
    finally:
        db.close()


def stored(w: Workspace) -> dict[str, str]:
    from syncspec.targets.sql.database import connect, parse_target

    db = connect(parse_target(w.config.database_url))
    try:
        return dict(db.execute_sql("SELECT run_id, status FROM runs").fetchall())
    finally:
        db.close()


def write(w: Workspace, text: str) -> None:
    (w.root / "docs/runs.md").write_text(text, encoding="utf-8")


def test_illegal_transition_is_refused_and_nothing_is_written(ws, cli):
    w = ws()
    w.sync()
    before = snapshot(w)
    # RUN-2 running -> pending is illegal; RUN-3 is new; notes change too: none of it may be written
    write(w, runs_md(("RUN-1", "running"), ("RUN-2", "pending"), ("RUN-3", "pending")))
    (w.root / "docs/notes.md").write_text("# Notes\n\n## N-1\n\n## N-2\n", encoding="utf-8")
    proc = cli("sync", "--project", str(w.root), "--database-url", w.config.database_url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("docs/runs.md:7: $.target.columns.status.states: spec 'runs', entry RUN-2: status cannot change "
            "from 'running' to 'pending' (allowed from 'running': 'succeeded', 'failed', 'quarantined', "
            "'canceled')") in proc.stderr
    assert "hint: fix status in docs/runs.md, or declare the transition in specs/runs.yaml" in proc.stderr
    assert snapshot(w) == before
    plan = cli("plan", "--project", str(w.root), "--database-url", w.config.database_url)
    assert plan.returncode == 1 and "cannot change from 'running' to 'pending'" in plan.stderr
    with pytest.raises(StateTransitionError) as err:
        w.sync()
    assert [p.line for p in err.value.problems] == [7]
    assert snapshot(w) == before


def test_legal_transitions_are_written(ws):
    w = ws()
    w.sync()
    write(w, runs_md(("RUN-1", "running"), ("RUN-2", "succeeded")))
    assert w.plan().updated == 2
    result = w.sync()
    assert result.updated == 2 and not any(cs.warnings for cs in result.changes)
    assert stored(w) == {"RUN-1": "running", "RUN-2": "succeeded"}
    # another column changing while the state stays is fine too
    write(w, runs_md(("RUN-1", "running"), ("RUN-2", "succeeded"), note="retried"))
    assert w.sync().updated == 2


def test_terminal_state_cannot_move(ws):
    w = ws()
    w.sync()
    write(w, runs_md(("RUN-1", "canceled"), ("RUN-2", "failed")))
    w.sync()
    write(w, runs_md(("RUN-1", "canceled"), ("RUN-2", "running")))
    with pytest.raises(StateTransitionError) as err:
        w.sync()
    (problem,) = err.value.problems
    assert problem.message == ("spec 'runs', entry RUN-2: status cannot change from 'failed' to 'running' "
                               "('failed' is terminal)")
    assert (problem.file, problem.line) == ("docs/runs.md", 7)
    assert stored(w) == {"RUN-1": "canceled", "RUN-2": "failed"}


def test_new_rows_must_start_in_an_initial_state(ws):
    w = ws(runs=runs_md(("RUN-1", "pending"), ("RUN-2", "succeeded")))
    with pytest.raises(StateTransitionError) as err:
        w.sync()
    (problem,) = err.value.problems
    assert problem.message == ("spec 'runs', entry RUN-2: new entry starts with status 'succeeded' "
                               "(new entries start in: 'pending', 'running')")
    assert problem.line == 7
    assert w.history() == [] or all(r.state != "succeeded" for r in w.history())
    write(w, runs_md(("RUN-1", "pending")))
    assert w.sync().changes[0].counts["inserted"] == 1


def test_warn_mode_writes_and_warns(ws, cli):
    w = ws(SPEC.replace("on_violation: error", "on_violation: warn"))
    w.sync()
    write(w, runs_md(("RUN-1", "succeeded"), ("RUN-2", "running")))
    plan = cli("plan", "--project", str(w.root), "--database-url", w.config.database_url)
    assert plan.returncode == 0, plan.stderr
    warning = ("warning: docs/runs.md:3: $.target.columns.status.states: spec 'runs', entry RUN-1: status "
               "cannot change from 'pending' to 'succeeded' (allowed from 'pending': 'running', 'canceled')")
    assert warning in plan.stderr
    proc = cli("sync", "--project", str(w.root), "--database-url", w.config.database_url, "--json")
    assert proc.returncode == 0, proc.stderr
    (runs,) = [s for s in json.loads(proc.stdout)["specs"] if s["spec"] == "runs"]
    assert runs["updated"] == 1 and runs["warnings"][0]["line"] == 3
    assert stored(w) == {"RUN-1": "succeeded", "RUN-2": "running"}


def test_unchanged_rows_are_not_checked(ws):
    """A row stored before its spec declared states (or changed by hand) is left alone until it changes."""
    w = ws(SPEC.replace("        initial: [pending, running]\n", ""))
    w.sync()
    assert w.sync().unchanged == 3   # 2 runs + 1 note: nothing to check, nothing refused


SPEC_ERRORS = [
    ("        terminal: [succeeded, failed, quarantined, canceled]",
     "        terminal: [succeded, failed, quarantined, canceled]",
     "specs/runs.yaml:18:20: $.target.columns.status.states.terminal[0]: terminal state 'succeded' is not a state "
     "of the machine (states: pending, running, canceled, succeeded, failed, quarantined)\n"
     "    hint: did you mean 'succeeded'? or list it under transitions (e.g. succeded: [])"),
    ("        initial: [pending, running]", "        initial: [queued]",
     "specs/runs.yaml:14:19: $.target.columns.status.states.initial[0]: initial state 'queued' is not a state "
     "of the machine (states: pending, running, canceled, succeeded, failed, quarantined)\n"
     "    hint: or list it under transitions (e.g. queued: [])"),
    ("          running: [succeeded, failed, quarantined, canceled]",
     "          running: [succeeded, failed, quarantined, canceled]\n          failed: [running]",
     "specs/runs.yaml:18:19: $.target.columns.status.states.transitions.failed: terminal state 'failed' has "
     "transitions to running\n    hint: remove them, or drop 'failed' from terminal"),
    ("      from: fields.status", "      from: fields.status\n      choices: [pending, running]",
     "specs/runs.yaml:13:16: $.target.columns.status.choices: state(s) canceled, succeeded, failed, quarantined "
     "missing from the column's choices\n    hint: add them to choices, or drop choices: the states imply them"),
]


@pytest.mark.parametrize("old,new,message", SPEC_ERRORS, ids=["terminal", "initial", "terminal-moves", "choices"])
def test_spec_errors_name_the_spec_line(make_ws, old, new, message):
    assert old in SPEC
    root = make_ws({"specs/runs.yaml": SPEC.replace(old, new), "docs/runs.md": "# Runs\n"})
    with pytest.raises(SpecError) as err:
        Workspace.open(root).specs()
    assert message in str(err.value)


def test_states_imply_choices(make_ws):
    root = make_ws({"specs/runs.yaml": SPEC, "docs/runs.md": runs_md(("RUN-1", "pendng"))})
    from syncspec.errors import MappingError

    with pytest.raises(MappingError) as err:
        Workspace.open(root).plan()
    assert "value 'pendng' is not one of the choices" in str(err.value)
    assert "did you mean 'pending'?" in str(err.value)


def test_full_diff_checks_too(make_ws, sqlite_url):
    """--all diffs against the target itself (another path through plan_spec): same check."""
    root = make_ws({"specs/runs.yaml": SPEC, "docs/runs.md": runs_md(("RUN-1", "pending"), ("RUN-2", "running"))})
    w = Workspace.open(root, database_url=sqlite_url)
    w.sync()
    write(w, runs_md(("RUN-1", "pending"), ("RUN-2", "pending")))
    with pytest.raises(StateTransitionError, match="cannot change from 'running' to 'pending'"):
        w.sync(full=True)
    with pytest.raises(StateTransitionError):
        w.plan(full=True)
    assert stored(w) == {"RUN-1": "pending", "RUN-2": "running"}
