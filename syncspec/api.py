"""The library API: open a workspace, then validate, plan, sync and read history.

>>> ws = Workspace.open("examples/ledger")            # doctest: +SKIP
>>> result = ws.sync()                               # doctest: +SKIP
>>> result.inserted, result.updated, result.deleted  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .changes import classify, drop_bytes, state_hash
from .engine import Options, PlanResult, Progress, bindings_of, execute
from .errors import Problem, SourceError
from .ledger import EventRecord, Ledger, RunRecord
from .sources.listing import resolve_files
from .spec.loader import load_specs
from .spec.model import Spec
from .workspace import WorkspaceConfig, find_root, read_config

if TYPE_CHECKING:
    from .preview import Preview


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
    trigger: tuple[str, ...] = ()       # what runs it by itself (spec/trigger.py)
    last_commit: str | None = None      # the git commit it was last synced from

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
             allow_empty: bool = False, targets: list[str] | None = None, force: bool = False) -> PlanResult:
        """Parse, map and diff; writes nothing (SQLite is opened read-only, and never created).

        Only files changed since the last sync are parsed; ``full=True`` parses every
        file and diffs against the target table itself (what ``verify`` does), for every spec,
        manual ones included. Otherwise the selection is ``sync``'s (see there).
        """
        opts = Options(max_seconds=max_seconds, progress=progress, details=details, full=full,
                       allow_empty=allow_empty, only=self._only(targets))
        specs, skipped = self.selection(only, every=full, force=force)
        return self._execute(specs, skipped, write=False, opts=opts)

    def sync(self, only: list[str] | None = None, max_seconds: float | None = None,
             lock_timeout: float | None = None, progress: Progress | None = None, full: bool = False,
             allow_empty: bool = False, allow_destructive: bool = False,
             targets: list[str] | None = None, force: bool = False) -> PlanResult:
        """Write what changed, all-or-nothing, and record the run in the ledger.

        Without ``only``, the specs whose ``trigger`` has ``change`` run (``manual``, ``commit``-only
        or ``watch``-only specs are listed as skipped); named specs run whatever their trigger. A spec
        last synced from a commit that the checked-out one is an ancestor of is skipped and says so
        (the stale-commit guard), unless ``force``. Skipped specs: ``result.details["skipped"]``.

        A table change that drops a column or changes a column's type is refused
        (SchemaChangeRefused, exit 1) unless ``allow_destructive``.
        """
        opts = Options(max_seconds=max_seconds, lock_timeout=lock_timeout, progress=progress, full=full,
                       allow_empty=allow_empty, allow_destructive=allow_destructive, only=self._only(targets))
        specs, skipped = self.selection(only, force=force)
        return self._execute(specs, skipped, write=True, opts=opts)

    # -- triggers: what a run takes without being named; the stale-commit guard --------------
    def selection(self, only: list[str] | None = None, runner: str = "sync", every: bool = False,
                  force: bool = False) -> tuple[list[Spec], dict[str, str]]:
        """The specs a run takes, and {spec: why not} for the ones it leaves out.

        Named specs (``only``) are taken whatever their trigger; else those that ``runner``
        (triggers/select.py RUNNERS) runs, or all with ``every``. Then, unless ``force``, the guard.
        """
        from .triggers.select import runs_on

        specs = self.specs(only)
        skipped: dict[str, str] = {}
        if not only and not every:
            for spec in specs:
                if spec.parent is None and not runs_on(spec, runner):
                    skipped[spec.name] = (f"trigger: {', '.join(spec.trigger)} (runs only when named: --spec "
                                          f"{spec.name})" if spec.trigger == ("manual",) else
                                          f"trigger: {', '.join(spec.trigger)} (not run by a plain {runner}; "
                                          f"--spec {spec.name} runs it)")
            specs = [s for s in specs if runs_on(s, runner)]
        if not force and specs:
            behind = self.behind(specs)
            skipped.update(behind)
            specs = [s for s in specs if (s.parent or s).name not in behind]
        return specs, skipped

    def behind(self, specs: list[Spec] | None = None) -> dict[str, str]:
        """{spec: why} for specs last synced from a commit that HEAD is an ancestor of (a stale CI job,
        an old branch): syncing them would take the target back in time."""
        from .triggers import git

        now = git.head(self.root)
        if now is None:
            return {}
        last = self.last_commits()
        verdicts: dict[str, bool] = {}
        out: dict[str, str] = {}
        for spec in specs if specs is not None else self.specs():
            then = last.get(spec.name)
            if spec.parent is not None or not then or then == now:
                continue
            if then not in verdicts:
                verdicts[then] = git.is_ancestor(self.root, now, then)
            if verdicts[then]:
                out[spec.name] = (f"stale commit: HEAD {now[:12]} is an ancestor of {then[:12]}, the commit "
                                  f"{spec.name} was last synced from; nothing planned (--force syncs it anyway)")
        return out

    def last_commits(self) -> dict[str, str | None]:
        """The git commit each spec was last synced from (the run of its latest succeeded step)."""
        merged: dict[str, str | None] = {}
        for found in self._read(lambda ledger: ledger.last_commits()):
            for name, commit in found.items():
                merged.setdefault(name, commit)
        return merged

    def _only(self, targets: list[str] | None) -> tuple[str, ...]:
        """``--only`` values (each may list several: ``sql,redis``) checked against the target kinds and
        the workspace's target names, so a typo is an error rather than a run that syncs nothing."""
        from .errors import UsageError
        from .targets import KINDS

        names = tuple(n.strip() for t in targets or () for n in t.split(",") if n.strip())
        known = {*KINDS, "database", *self.config.targets}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(problems=[Problem(
                f"--only {', '.join(unknown)}: not a target kind or a target of this workspace",
                hint=f"kinds: {', '.join(KINDS)}; targets: {', '.join(['database', *self.config.targets])}")])
        return names

    def _execute(self, specs: list[Spec], skipped: dict[str, str], write: bool, opts: Options) -> PlanResult:
        if not specs and skipped:
            result = PlanResult(self.target, ())
        else:
            result = execute(self.config, specs, None, write=write, opts=opts, all_specs=self.specs())
        return dataclasses.replace(result, details={**result.details, "skipped": skipped}) if skipped else result

    def verify(self, only: list[str] | None = None, repair: bool = False, max_seconds: float | None = None,
               progress: Progress | None = None, targets: list[str] | None = None,
               lock_timeout: float | None = None, allow_empty: bool = False) -> PlanResult:
        """Compare what every target really holds with the sources: missing, extra and edited rows
        (every stored value, not only the stored hashes). ``repair`` rewrites exactly those rows."""
        opts = Options(max_seconds=max_seconds, progress=progress, details=True, full=True, values=True,
                       lock_timeout=lock_timeout, only=self._only(targets), allow_empty=allow_empty)
        return execute(self.config, self.specs(only), None, write=repair, opts=opts, all_specs=self.specs())

    # -- read ---------------------------------------------------------------------
    def _ledgers(self) -> list[tuple[Any, Ledger]]:
        """(open target, its ledger) for the workspace database and the state database, where they exist."""
        from .targets.sql import SqlTarget

        out = []
        for name, url in (("database", self.config.database_url), ("state", self.config.state_url)):
            if name == "state" and not self.config.targets:
                continue                 # no targets without transactions: no state database
            target = SqlTarget(name, url)
            path = target.url.sqlite_path
            if path is not None and not path.exists():
                continue
            target.open(write=False)
            out.append((target, Ledger(target.db)))
        return out

    def _read(self, read):
        """``read(ledger)`` over every ledger of the workspace, closing what it opened."""
        opened = self._ledgers()
        try:
            return [read(ledger) for _, ledger in opened]
        finally:
            for target, _ in opened:
                target.close()

    def history(self, limit: int = 20, spec: str | None = None) -> list[RunRecord]:
        """Recent runs, newest first, each with its step attempts (one run across several stores: merged)."""
        merged: dict[str, RunRecord] = {}
        for runs in self._read(lambda ledger: ledger.runs(limit, spec)):
            for r in runs:
                first = merged.get(r.run_id)
                merged[r.run_id] = r if first is None else dataclasses.replace(first, steps=first.steps + r.steps)
        return sorted(merged.values(), key=lambda r: r.created_at or dt.datetime.min, reverse=True)[:limit]

    def events(self, run_id: str) -> list[EventRecord]:
        """Every row-level change a run made."""
        return [e for events in self._read(lambda ledger: ledger.events(run_id)) for e in events]

    def find_run(self, run: str) -> str:
        """The full ID of the run named exactly or by a unique prefix (as `history` prints it)."""
        import re

        from .errors import ConfigError

        text = run.strip().lower()
        matches: list[str] = []
        if re.fullmatch(r"[0-9a-f-]+", text):
            matches = sorted({m for found in self._read(lambda ledger: ledger.find_runs(text)) for m in found})
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
        """Which specs are stale, and why: the change classifier that ``sync`` uses, against the state
        of each spec's first target (spec changed, files added, removed or with other bytes)."""
        from .targets.sql.schema import stored_versions

        specs = self.specs()
        last: dict[str, Any] = {}
        states: dict[str, dict] = {}
        versions: dict[str, int] = {}
        opened = self._ledgers()
        try:
            for target, ledger in opened:
                if target.name == "database":
                    versions = {table: v for table, (v, _) in stored_versions(target.db).items()}
                for name, step in ledger.last_steps().items():
                    last.setdefault(name, step)
                for spec in specs:
                    key = bindings_of(spec)[0].state_key
                    states.setdefault(spec.name, {}).update(ledger.file_states(key))
        finally:
            for target, _ in opened:
                target.close()
        out = [dataclasses.replace(self._status_of(spec, last, states), schema_version=versions.get(spec.table),
                                   trigger=(spec.parent or spec).trigger)
               for spec in specs]
        return self._with_commits(out, specs)

    def _with_commits(self, found: list[SpecStatus], specs: list[Spec]) -> list[SpecStatus]:
        """Add the commit each spec was last synced from, and say so when commits since then changed its files
        or when HEAD is behind it (the stale-commit guard would skip it)."""
        from .triggers import git
        from .triggers.select import SpecInfo

        commits = self.last_commits()
        now = git.head(self.root)
        by_name = {s.name: s for s in specs}
        changed: dict[str, list[str] | None] = {}
        behind = self.behind(specs) if now else {}
        out = []
        for st in found:
            then = commits.get(st.spec)
            reason = st.reason
            if now and then and then != now and st.state == "stale":
                if then not in changed:
                    try:
                        changed[then] = git.changed_between(self.root, then, now)
                    except git.GitError:
                        changed[then] = None
                info = SpecInfo.of(by_name[st.spec].parent or by_name[st.spec])
                if any(info.concerns(p) for p in changed[then] or ()):
                    reason += f" (changed by commits since {then[:12]})"
            if st.spec in behind:
                reason += f"; HEAD is behind {then and then[:12]}, the commit it was last synced from (sync --force)"
            out.append(dataclasses.replace(st, reason=reason, last_commit=then))
        return out

    def last_run(self) -> RunRecord | None:
        """The newest run of the workspace, whatever its state (a failed run names its error)."""
        found = [r for r in self._read(lambda ledger: ledger.last_run()) if r is not None]
        return max(found, key=lambda r: r.created_at or dt.datetime.min) if found else None

    def _status_of(self, spec: Spec, last: dict, states: dict) -> SpecStatus:
        """One spec's state against its last successful sync."""
        step = last.get(spec.name)
        if step is None:
            return SpecStatus(spec.name, spec.table, "never-synced", "no successful sync recorded")
        counts = {k: getattr(step, k) for k in ("inserted", "updated", "deleted", "unchanged")}
        known = states.get(spec.name, {})
        rebuild = "spec changed since last sync" if step.spec_hash != spec.spec_hash else None
        try:
            found = classify(spec, self.root, known, state_hash(spec), rebuild=rebuild)
        except SourceError as exc:
            return SpecStatus(spec.name, spec.table, "stale", exc.problems[0].message, step.started_at, counts)
        drop_bytes(found)
        if found.stale or found.problems:
            reason = found.problems[0].message if found.problems and not found.stale else found.reason()
            return SpecStatus(spec.name, spec.table, "stale", reason, step.started_at, counts)
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
        from .preview import preview   # the parsers: only the verbs that read sources import them

        return preview(spec, files, dict(self.config.context, sync=spec.name), limit)

    # -- render back ----------------------------------------------------------------
    def render(self, only: list[str] | None = None, check: bool = False) -> list[Any]:
        """Write each spec's ``render:`` sections from its target's current rows (only where the text
        changed); ``check``: write nothing, CheckFailed (exit 6) if one is stale (syncspec/render.py)."""
        from .render import render

        return render(self.config, self.specs(only), check=check)

    def search(self, query: str, spec: str | None = None, limit: int = 10) -> list[Any]:
        """Best matches for ``query`` in the vector targets (all specs feeding one, or ``spec``), as SearchHits."""
        from .search import search

        return search(self.config, self.specs([spec] if spec else None), query, limit)
