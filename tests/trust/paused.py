"""A sync held inside its run (lock taken, `running` recorded, nothing written yet), for tests that
look at the world while a run is in progress."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syncspec import Workspace


@contextmanager
def paused_sync(root: Path, monkeypatch, wait: float = 20) -> Iterator[None]:
    """Start a sync of ``root`` in a thread and yield once it is inside its run; let it finish on exit."""
    import syncspec.step as step

    entered, release = threading.Event(), threading.Event()
    real = step.run_spec

    def slow(*args, **kwargs):
        entered.set()
        release.wait(wait)
        return real(*args, **kwargs)

    monkeypatch.setattr("syncspec.engine.run_spec", slow)
    worker = threading.Thread(target=lambda: Workspace.open(root).sync())
    worker.start()
    try:
        assert entered.wait(wait)
        yield
    finally:
        release.set()
        worker.join(wait)
        monkeypatch.undo()
