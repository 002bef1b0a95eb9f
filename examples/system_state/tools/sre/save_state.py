#!/usr/bin/env python3
"""Save state: analyse changes, check documentation, sync derived databases, commit."""

import subprocess


def sync_derived_databases() -> bool:
    # one command keeps capabilities.db and system_state.db together (Phase 238)
    return subprocess.run(["syncspec", "sync"], check=False).returncode == 0
