"""``syncspec watch``: keep the targets fresh while files change.

- At start, every spec that watch runs (trigger change, watch or interval) is reconciled once with a
  full sync (``--all``: every file parsed and diffed against the target itself), so a target that
  was restarted or emptied while nobody watched is whole again at once.
- File events (watchfiles, debounced: a burst of writes is one batch) are matched against the
  specs' globs (select.py); the specs concerned run in one pass, one ledger run (triggers/run.py).
  A changed spec file or syncspec.yaml reloads the workspace first.
- ``trigger: [{interval: 30s}]`` specs are re-checked against their target (full) on schedule.
- A failing sync is logged and watching goes on; an invalid spec waits for the next edit.
- SIGTERM or Ctrl-C stop it between syncs: a sync under way finishes (or, on a second Ctrl-C, is
  rolled back and recorded as canceled by the engine), so no run is left half-written.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .select import WORKSPACE_FILE, SpecInfo, affected

DEFAULT_DEBOUNCE_MS = 1600     # the longest a burst is gathered
DEFAULT_STEP_MS = 200          # quiet time that ends a burst


def _missing_watchfiles():
    from ..errors import Problem, TargetUnavailable

    return TargetUnavailable(problems=[Problem("syncspec watch needs the watchfiles package",
                                               hint="pip install 'watchfiles>=0.21' (or: pip install syncspec[watch])")])


class Watcher:
    """One workspace under watch. ``log(text)`` receives one line per thing done."""

    def __init__(self, root: Path, log: Callable[[str], None], debounce_ms: int = DEFAULT_DEBOUNCE_MS,
                 step_ms: int = DEFAULT_STEP_MS, reconcile: bool = True):
        self.root = Path(root).resolve()
        self.log = log
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.reconcile = reconcile
        self.stop = threading.Event()
        self.ws: Any = None
        self.infos: list[SpecInfo] = []
        self.due: dict[str, float] = {}          # interval spec -> monotonic time of its next run
        self.runs = 0

    # -- the workspace ------------------------------------------------------------------------------
    def load(self) -> bool:
        """(Re)read syncspec.yaml and the specs; False (logged) if they do not load."""
        from ..api import Workspace
        from ..errors import SyncSpecError
        from .select import write_index

        try:
            ws = Workspace.open(self.root)
            specs = ws.specs()
        except SyncSpecError as exc:
            self.log(f"specs do not load; waiting for an edit:\n{exc}")
            self.ws, self.infos = None, []
            return False
        self.ws = ws
        self.infos = write_index(ws.root, ws.config.specs_dir, specs)
        now = time.monotonic()
        self.due = {i.name: self.due.get(i.name, now + i.interval) for i in self.infos if i.interval}
        return True

    def ignored(self) -> list[str]:
        """Paths whose events are ours (the state folder, SQLite files and their journals)."""
        out = [str(self.root / ".syncspec")]
        if self.ws is not None:
            for url in (self.ws.config.database_url, self.ws.config.state_url):
                if url.startswith("sqlite:///"):
                    path = url[len("sqlite:///"):].split("?", 1)[0]
                    out += [path + suffix for suffix in ("", "-wal", "-shm", "-journal", ".lock")]
        return out

    # -- running ------------------------------------------------------------------------------------
    def sync(self, names: list[str], why: str, full: bool = False) -> None:
        from .run import run_specs

        if not names or self.ws is None:
            return
        started = time.perf_counter()
        try:
            outcome = run_specs(self.ws, names, full=full)
        except Exception as exc:  # noqa: BLE001 - a bug or a lost database must not end the watch
            self.log(f"{why}: sync failed ({type(exc).__name__}: {exc}); still watching")
            return
        self.runs += 1
        took = time.perf_counter() - started
        if outcome.ok:
            self.log(f"{why}: {outcome.summary()} in {took:.2f}s")
        else:
            self.log(f"{why}: {outcome.summary()}; still watching")

    def changed(self, paths: list[str]) -> None:
        """One debounced batch of workspace-relative paths."""
        spec_files = {i.file for i in self.infos}
        specs_dir = self.ws.config.specs_dir if self.ws is not None else self.root / "specs"
        reload = WORKSPACE_FILE in paths or self.ws is None or any(
            p in spec_files or (self.root / p).parent == specs_dir for p in paths)
        if reload and not self.load():
            return
        names = affected(self.infos, paths, "watch")
        shown = ", ".join(sorted(paths)[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        self.sync(names, f"changed {shown}")

    def tick(self) -> None:
        """Run the interval specs that are due."""
        now = time.monotonic()
        due = [name for name, at in self.due.items() if at <= now]
        if not due:
            return
        for name in due:
            info = next(i for i in self.infos if i.name == name)
            self.due[name] = now + (info.interval or 0)
        self.sync(due, "scheduled", full=True)

    def is_set(self) -> bool:
        """What the watcher polls every step: stop, or an interval spec is due (it returns, we tick)."""
        return self.stop.is_set() or (bool(self.due) and min(self.due.values()) <= time.monotonic())

    def run(self) -> int:
        try:
            from watchfiles import Change, DefaultFilter
            from watchfiles._rust_notify import RustNotify
        except ImportError:
            raise _missing_watchfiles() from None
        self.load()
        root = str(self.root)
        # one notifier for the whole watch, watching before the reconcile: events that arrive during a
        # sync (the reconcile included) wait for the next batch instead of being lost
        with RustNotify([root], False, False, 300, True, False) as notifier:
            self.log(f"watching {self.root} (Ctrl-C or SIGTERM stops)")
            if self.reconcile and self.ws is not None:
                names = [i.name for i in self.infos if i.runs_on("watch") or i.runs_on("interval")]
                self.sync(names, "reconcile at start", full=True)
            while not self.stop.is_set():
                flt = DefaultFilter(ignore_paths=tuple(self.ignored()))
                raw = notifier.watch(self.debounce_ms, self.step_ms, 1000 if self.due else 5000, self)
                if raw == "signal":
                    break
                if isinstance(raw, set):
                    found = {os.path.relpath(path, root).replace(os.sep, "/") for change, path in raw
                             if flt(Change(change), path)}
                    paths = sorted(p for p in found if not p.startswith(".."))
                    if paths and not self.stop.is_set():
                        self.changed(paths)
                if not self.stop.is_set():
                    self.tick()
        self.log(f"stopped after {self.runs} sync run(s)")
        return 0


def watch_workspace(root: Path, log: Callable[[str], None], **kwargs: Any) -> int:
    """Watch until SIGTERM / SIGINT (handled between syncs; a second Ctrl-C interrupts the sync under way)."""
    watcher = Watcher(root, log, **kwargs)
    previous = {}

    def stop(signum, frame):
        if watcher.stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log(f"{signal.Signals(signum).name}: stopping after the sync under way, if any")
        watcher.stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, stop)
    try:
        return watcher.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stamp() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")
