"""The library API: open a workspace, then validate, plan, sync and read history.

>>> ws = Workspace.open("examples/ledger")            # doctest: +SKIP
>>> result = ws.sync()                               # doctest: +SKIP
>>> result.inserted, result.updated, result.deleted  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import Options, PlanResult, Progress, execute, state_hash
from .errors import Problem, SourceError
from .ledger import EventRecord, Ledger, RunRecord
from .preview import Preview, preview as _preview
from .sources import resolve_files
from .spec.loader import load_specs
from .spec.model import Spec
from .workspace import WorkspaceConfig, find_root, read_config


@dataclass(frozen=True)
class SpecStatus:
    """Is a spec's target current? Compares spec hash and file times with its last sync."""

    spec: str
    table: str
    state: str                  # never-synced | stale | current
    reason: str
    last_sync: Any = None
    last_counts: dict[str, int] | None = None
    schema_version: int | None = None   # of its table, from syncspec_schema (None: never recorded)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        return d


class Workspace:
    """A syncspec workspace: its config, specs and target database."""

    def __init__(self, config: WorkspaceConfig):
        self.config = config
        self._specs: list[Spec] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, database_url: str | None = None) -> "Workspace":
        """Find syncspec.yaml at or above ``path`` (default: cwd) and read it."""
        root = find_root(Path(path) if path else None)
        return cls(read_config(root, database_url or None))

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def target(self) -> str:
        """The target URL with any password masked (safe to print)."""
        return self.config.masked_url

    def specs(self, only: list[str] | None = None) -> list[Spec]:
        """Load and validate every spec (SpecError lists all problems)."""
        if self._specs is None:
            self._specs = load_specs(self.root, self.config.specs_dir, self.config.context)
        if only:
            return load_specs(self.root, self.config.specs_dir, self.config.context, only=only)
        return self._specs

    validate = specs

    # -- plan / sync --------------------------------------------------------------
    def plan(self, only: list[str] | None = None, max_seconds: float | None = None,
             progress: Progress | None = None, details: bool = False, full: bool = False,
             allow_empty: bool = False) -> PlanResult:
        """Parse, map and diff; writes nothing (SQLite is opened read-only, and never created).

        Only files changed since the last sync are parsed; ``full=True`` parses every
        file and diffs against the target table itself (what ``verify`` does).
        """
        opts = Options(max_seconds=max_seconds, progress=progress, details=details, full=full,
                       allow_empty=allow_empty)
        return execute(self.config, self.specs(only), self.target, write=False, opts=opts, all_specs=self.specs())

    def sync(self, only: list[str] | None = None, max_seconds: float | None = None,
             lock_timeout: float | None = None, progress: Progress | None = None, full: bool = False,
             allow_empty: bool = False, allow_destructive: bool = False) -> PlanResult:
        """Write what changed, all-or-nothing, and record the run in the ledger.

        A table change that drops a column or changes a column's type is refused
        (SchemaChangeRefused, exit 1) unless ``allow_destructive``.
        """
        opts = Options(max_seconds=max_seconds, lock_timeout=lock_timeout, progress=progress, full=full,
                       allow_empty=allow_empty, allow_destructive=allow_destructive)
        return execute(self.config, self.specs(only), self.target, write=True, opts=opts, all_specs=self.specs())

    # -- read ---------------------------------------------------------------------
    def _read_db(self):
        from .targets.database import connect, parse_target

        target = parse_target(self.config.database_url)
        path = target.sqlite_path
        if path is not None and not path.exists():
            return None
        return connect(target, readonly=target.backend == "sqlite")

    def history(self, limit: int = 20, spec: str | None = None) -> list[RunRecord]:
        """Recent runs, newest first, each with its step attempts."""
        db = self._read_db()
        if db is None:
            return []
        try:
            return Ledger(db).runs(limit, spec)
        finally:
            db.close()

    def events(self, run_id: str) -> list[EventRecord]:
        """Every row-level change a run made."""
        db = self._read_db()
        if db is None:
            return []
        try:
            return Ledger(db).events(run_id)
        finally:
            db.close()

    def find_run(self, run: str) -> str:
        """The full ID of the run named exactly or by a unique prefix (as `history` prints it)."""
        import re

        from .errors import ConfigError

        text = run.strip().lower()
        matches: list[str] = []
        db = self._read_db() if re.fullmatch(r"[0-9a-f-]+", text) else None
        if db is not None:
            try:
                ledger = Ledger(db)
                if ledger.exists():
                    R = ledger.Run
                    matches = [r.run_id for r in R.select(R.run_id).where(R.run_id == text)]
                    if not matches:
                        matches = [r.run_id for r in R.select(R.run_id).where(R.run_id.startswith(text))
                                   .order_by(R.created_at.desc()).limit(5)]
            finally:
                db.close()
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ConfigError(problems=[Problem(f"no run {run!r} in the ledger of {self.target}",
                                                hint="`syncspec history` lists the runs; "
                                                     "pass a run ID or a unique prefix of one")])
        raise ConfigError(problems=[Problem(f"run {run!r} is ambiguous: {', '.join(m[:13] for m in matches)}"
                                            f"{' and more' if len(matches) == 5 else ''} start with it",
                                            hint="pass more characters of the run ID")])

    def status(self) -> list[SpecStatus]:
        """Which specs are stale: spec changed, or source files added, removed or changed
        (by size and mtime, as the next sync will see them) since the last successful sync."""
        specs = self.specs()
        db = self._read_db()
        last, states, versions = {}, {}, {}
        if db is not None:
            try:
                from .targets.schema import stored_versions

                versions = {table: v for table, (v, _) in stored_versions(db).items()}
                ledger = Ledger(db)
                last = ledger.last_steps()
                states = {s.name: ledger.file_states(s.name) for s in specs}
            finally:
                db.close()
        out = []
        for spec in specs:
            status = self._status_of(spec, last, states)
            out.append(dataclasses.replace(status, schema_version=versions.get(spec.table)))
        return out

    def _status_of(self, spec: Spec, last: dict, states: dict) -> SpecStatus:
        """One spec's state against its last successful sync."""
        import os

        step = last.get(spec.name)
        if step is None:
            return SpecStatus(spec.name, spec.table, "never-synced", "no successful sync recorded")
        counts = {k: getattr(step, k) for k in ("inserted", "updated", "deleted", "unchanged")}

        def stale(reason: str) -> SpecStatus:
            return SpecStatus(spec.name, spec.table, "stale", reason, step.started_at, counts)

        known = states.get(spec.name, {})
        if step.spec_hash != spec.spec_hash or any(st.spec_hash != state_hash(spec) for st in known.values()):
            return stale("spec changed since last sync")
        try:
            files = resolve_files(spec, self.root)
        except SourceError as exc:
            return stale(exc.problems[0].message)
        changed = []
        for path, display in files:
            st, old = os.stat(path), known.get(display)
            if old is None or old.size != st.st_size:
                changed.append(display)
            elif old.mtime_ns != st.st_mtime_ns and (old.mtime_ns != -1 or _sha256(path) != old.sha256):
                changed.append(display)   # mtime -1: written just before that sync, so compare content
        gone = set(known) - {d for _, d in files}
        if changed or gone:
            names = sorted(changed) + sorted(gone)
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            return stale(f"source files changed since last sync: {', '.join(names[:3])}{more}")
        return SpecStatus(spec.name, spec.table, "current", "up to date", step.started_at, counts)

    def preview(self, spec_name: str, file: str | None = None, limit: int | None = None) -> Preview:
        """Records a spec extracts (from one file or all), the row each maps to, and why files yield none."""
        spec = self.specs([spec_name])[0]
        if file:
            path = (self.root / file).resolve() if not Path(file).is_absolute() else Path(file).resolve()
            if self.root.resolve() not in path.parents:
                raise SourceError(problems=[Problem(f"{file} is outside the workspace {self.root}",
                                                    hint="preview files inside the workspace only")])
            if not path.is_file():
                raise SourceError(problems=[Problem(f"{file} is not a file", hint="name a file of the workspace")])
            files = [(path, path.relative_to(self.root.resolve()).as_posix())]
        else:
            files = resolve_files(spec, self.root)
        return _preview(spec, files, dict(self.config.context, sync=spec.name), limit)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
