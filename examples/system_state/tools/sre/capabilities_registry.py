"""Capabilities registry (retired): one row per tool file, now specs/capabilities.yaml."""

raise SystemExit("retired: run `syncspec sync --spec capabilities`")
