"""Issue 11 defect 19: --max-seconds holds inside one big file, not only between files."""

from __future__ import annotations

import re

import pytest

from syncspec import TimeLimitExceeded, Workspace

from test_keys_and_lookups import _workspace


def test_one_big_file_stops_near_the_limit_and_writes_nothing(tmp_path):
    notes = "".join(f"## N-{i}: entry {i}\n\nbody of entry {i}\n\n" for i in range(60_000))
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", notes)
    with pytest.raises(TimeLimitExceeded) as err:
        Workspace.open(root).sync(max_seconds=0.5)
    # before: checked only between files, so this file ran to its end (and the error said "committing")
    assert re.search(r"while (reading|mapping|writing) docs/NOTES\.md", err.value.problems[0].message)
    assert Workspace.open(root).history()[0].state == "failed"
    assert not Workspace.open(root).plan().empty   # nothing was written
