"""Specs and source rows of the two-table workspace (runs <- steps) the relational tests share."""

RUNS_SPEC = """\
sync: runs
source:
  files: data/runs.json
  records:
    - json: {pointer: /runs/*}
target:
  table: runs
  key: [run_id]
  columns:
    run_id: text
    state: {type: text, choices: [open, done], null: false, default: open}
    owner: {type: text, unique: true}
    info: json
%(extra)s  indexes:
    - [state]
    - {columns: [owner, state], name: runs_owner_state}
  unique:
    - [state, run_id]
"""

# a_ sorts before b_: the loader must still put runs (the parent) first
STEPS_SPEC = """\
sync: steps
source:
  files: data/steps.json
  records:
    - json: {pointer: /steps/*}
target:
  table: steps
  key: [step_id]
  columns:
    step_id: text
    run_id: {type: text, null: false}
    reviewer: text
    n: integer
  foreign_keys:
    - {columns: [run_id], references: runs.run_id, on_delete: cascade}
    - {columns: [reviewer], references: {table: runs, columns: [owner]}, on_delete: set null}
"""

RUNS = [{"run_id": "r1", "state": "open", "owner": "alice", "info": {"a": 1}},
        {"run_id": "r2", "state": "done", "owner": "bob", "info": [1, 2]},
        {"run_id": "r3", "owner": "carol"}]
STEPS = [{"step_id": "s1", "run_id": "r1", "reviewer": "bob", "n": 1},
         {"step_id": "s2", "run_id": "r2", "reviewer": "alice", "n": 2},
         {"step_id": "s3", "run_id": "r1", "n": 3}]
