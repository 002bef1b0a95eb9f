"""System state ETL (retired): SYSTEM_STATE.md -> system_state.db, now specs/system_state.yaml."""

raise SystemExit("retired: run `syncspec sync --spec system_state`")
