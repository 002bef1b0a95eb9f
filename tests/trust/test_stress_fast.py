"""The fast versions of `invoke stress` (bench/stress.py): a few of each, on real processes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stress import fuzz, kills, parallel, terminate  # noqa: E402


def test_sigkill_mid_sync_leaves_before_or_after_and_converges():
    found = kills(4, n=1000)
    assert found.trials == 4 and found.partial == 0 and found.not_converged == 0, found
    assert found.before + found.after == 4


def test_concurrent_processes_serialize():
    found = parallel(4, 1, n=500)
    assert (found.partial, found.not_converged, found.errors) == (0, 0, [])


def test_terminated_postgresql_backend_converges(pg_url):
    found = terminate(2, pg_url, n=1000)
    assert (found.partial, found.not_converged) == (0, 0), found


def test_fuzzed_sources_and_specs_raise_only_syncspec_errors():
    found = fuzz(25, seed=3)
    assert found.trials >= 75 and found.errors == [], found.errors
