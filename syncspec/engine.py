"""One run: open the targets, lock, prepare, run every spec's lanes, commit, record.

The engine knows targets only through targets/base.py. Each target's data and the ledger
that describes it commit together: inside the target's own transaction where it has one
(SQL), else in the workspace state database after the target's writes, which are
idempotent and held back until the whole run's input has been checked (ADR 0005).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import subprocess
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .changes import state_hash
from .errors import ConfigError, Problem, SyncSpecError
from .lane import Lane
from .plan import ChangeSet, changed_columns
from .results import Collected, Deadline, Options, PlanResult, Progress, SyncResult
from .spec.model import Spec, TargetRef
from .state import StateStore, WorkspaceState
from .step import run_spec
from .targets import DEFAULT_URLS, kind_of, open_target
from .targets.base import Binding, Target
from .workspace import WorkspaceConfig
from .writer import Writer

__all__ = ["Options", "PlanResult", "Progress", "SyncResult", "execute", "state_hash", "bindings_of"]


def bindings_of(spec: Spec, only: tuple[str, ...] = ()) -> list[Binding]:
    """Where a spec's rows go: its target, then each of target.also (``only``: kinds or names)."""
    out = []
    for i, ref in enumerate(spec.targets):
        if only and ref.kind not in only and ref.use not in only:
            continue
        table = ref.option("table", spec.table)
        out.append(Binding(spec if table == spec.table else dataclasses.replace(spec, table=table), ref, i == 0))
    return out


class Targets:
    """The run's targets by workspace name, opened once, plus the workspace state store if needed."""

    def __init__(self, cfg: WorkspaceConfig, specs: list[Spec], all_specs: list[Spec], only: tuple[str, ...]):
        self.cfg = cfg
        self.bindings = {spec.name: [b for b in bindings_of(spec, only)   # enabled: false -> only when named
                                     if b.ref.use not in cfg.disabled or b.ref.use in only or b.ref.kind in only]
                         for spec in specs}
        self.everything = [b for spec in all_specs for b in bindings_of(spec)]
        self.targets: dict[str, Target] = {}
        for spec in specs:
            for b in self.bindings[spec.name]:
                if b.ref.use not in self.targets:
                    self.targets[b.ref.use] = self._open_target(spec, b.ref)
        self.state = (WorkspaceState(cfg.state_url)
                      if any(not t.capabilities.transactions for t in self.targets.values()) else None)

    def _open_target(self, spec: Spec, ref: TargetRef) -> Target:
        found = self.cfg.target_url(ref.use)
        if found is None and ref.kind in DEFAULT_URLS:
            found = (ref.kind, DEFAULT_URLS[ref.kind].format(name=ref.use))
        line, col = spec.locate(ref.json_path)
        if found is None:
            raise ConfigError(problems=[Problem(
                f"target {ref.use!r} is not declared in syncspec.yaml", file=spec.file, line=line, column=col,
                json_path=f"{ref.json_path}.use",
                hint=f"add it under targets: in syncspec.yaml ({ref.use}: URL), or use `database`")])
        kind, url = found
        kind = kind or kind_of(url) or ref.kind
        if kind != ref.kind:
            raise ConfigError(problems=[Problem(
                f"target {ref.use!r} is a {kind} target, but the spec uses it as kind {ref.kind!r}",
                file=spec.file, line=line, column=col, json_path=f"{ref.json_path}.kind",
                hint=f"set kind: {kind}, or point `use` at a {ref.kind} target")])
        return open_target(ref.use, kind, url, self.cfg.root)

    @property
    def label(self) -> str:
        return ", ".join(t.label for t in self.targets.values()) or self.cfg.masked_url

    def of(self, target: Target, bindings: list[Binding]) -> list[Binding]:
        return [b for b in bindings if b.ref.use == target.name]

    def selected(self) -> list[Binding]:
        return [b for bs in self.bindings.values() for b in bs]

    def open(self, write: bool) -> None:
        for t in self.targets.values():
            t.open(write)
        if self.state is not None:
            self.state.open(write)

    def close(self) -> None:
        """Close every target; a close that fails changes nothing the run did (it committed or rolled back)."""
        closing: list[Any] = [*self.targets.values(), *([self.state] if self.state is not None else [])]
        for t in closing:
            try:
                t.close()
            except Exception:  # noqa: BLE001 - e.g. a connection already lost after the commit
                pass

    def error(self, exc: BaseException) -> SyncSpecError | None:
        if isinstance(exc, SyncSpecError):
            return exc
        for t in [*self.targets.values(), *([self.state.target] if self.state else [])]:
            err = t.error(exc)
            if err is not None:
                return err
        return None


RETRIES = 3      # attempts of a run that failed on a transient server error (deadlock, dropped connection)


def execute(cfg: WorkspaceConfig, specs: list[Spec], target_label: str | None, write: bool, opts: Options,
            all_specs: list[Spec] | None = None) -> PlanResult:
    """Plan (``write=False``, read-only) or sync every spec into its targets.

    ``all_specs`` (every spec of the workspace) define shared structure: a table shared with an
    unselected spec keeps that spec's columns, and referenced parent tables exist. A run that failed
    on a transient server error rolled back whole, so it is run again with backoff (tenacity), at
    most RETRIES times and never past ``--max-seconds``; every attempt is on the record.
    """
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential

    stop: Any = stop_after_attempt(RETRIES)
    if opts.max_seconds is not None:
        stop = stop | stop_after_delay(opts.max_seconds)
    for attempt in Retrying(stop=stop, wait=wait_exponential(multiplier=0.2, max=2), reraise=True,
                            retry=retry_if_exception(lambda e: bool(getattr(e, "transient", False)))):
        with attempt:
            return _execute_once(cfg, specs, write, opts, all_specs)
    raise AssertionError("unreachable")  # pragma: no cover


def _execute_once(cfg: WorkspaceConfig, specs: list[Spec], write: bool, opts: Options,
                  all_specs: list[Spec] | None) -> PlanResult:
    started = time.perf_counter()
    run = Targets(cfg, specs, all_specs or specs, opts.only)
    label = run.label
    stores: dict[str, StateStore] = {}
    run_id: str | None = None
    committing = False
    try:
        run.open(write)
        if not write:
            return _plan(cfg, specs, run, label, opts, started)
        with ExitStack() as stack:
            timeout = cfg.lock_timeout if opts.lock_timeout is None else opts.lock_timeout
            for t in run.targets.values():
                stack.enter_context(t.lock(timeout))
                t.bound(timeout, opts.max_seconds)
            if run.state is not None:
                stack.enter_context(run.state.lock(timeout))
            for t in run.targets.values():
                stores[t.name] = t.state_store() or run.state.ledger   # type: ignore[union-attr,assignment]
            run_id = str(uuid.uuid4())
            commit = git_commit(cfg.root)
            for store in _distinct(stores.values()):    # on the record as running, before anything changes
                store.begin_run(cfg.project, "sync", label, commit, utcnow(), run_id)
            if any(t.irreversible(run.of(t, run.selected()), run.of(t, run.everything), opts.allow_destructive)
                   for t in run.targets.values()):
                _plan(cfg, specs, run, label, opts, time.perf_counter())   # input problems raise here, pre-DDL
            notes: dict[str, list[str]] = {}
            for t in run.targets.values():
                notes.update(stack.enter_context(t.session(run.of(t, run.selected()), run.of(t, run.everything),
                                                           opts.allow_destructive)))
            if run.state is not None:
                stack.enter_context(run.state.transaction())
            result = _sync(cfg, specs, run, stores, run_id, label, notes, opts, Deadline(opts.max_seconds))
            committing = True          # leaving the stack commits: from here a failure's outcome is unknown
    except BaseException as exc:
        err = run.error(exc)
        if committing and err is not None and not isinstance(exc, SyncSpecError):
            err = _unknown_outcome(err, run_id)
        if run_id is not None:        # bad input too: the targets are untouched, the run and its problems recorded
            for store in _distinct(stores.values()):
                _record_failure(store, cfg, run_id, label, exc, err)
        if err is not None and err is not exc:
            raise err from None
        raise
    finally:
        run.close()
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def _unknown_outcome(err: SyncSpecError, run_id: str | None) -> SyncSpecError:
    """A connection lost while committing: the data may be in, so never say "nothing was written"."""
    problems = [dataclasses.replace(p, hint=f"the commit's outcome is unknown: `syncspec history` shows whether "
                                            f"run {(run_id or '')[:8]} succeeded, `syncspec verify` whether the "
                                            "target matches the sources") for p in err.problems]
    return type(err)(problems=problems, **err.attrs)


def _sync(cfg: WorkspaceConfig, specs: list[Spec], run: Targets, stores: dict[str, StateStore], run_id: str,
          label: str, notes: dict[str, list[str]], opts: Options, deadline: Deadline) -> PlanResult:
    """Every spec's lanes with writers; input problems of the whole run raised together, before commit."""
    problems = Collected()
    changes: list[ChangeSet] = []
    deferred: list = []
    held_back: list[Writer] = []       # targets without transactions are written once the input is known good
    with _no_gc():
        for seq, spec in enumerate(specs, 1):
            step_start = utcnow()
            lanes = []
            for b in run.bindings[spec.name]:
                target = run.targets[b.ref.use]
                sink = Writer(target, b, stores[b.ref.use], run_id, str(uuid.uuid4()), step_start, deferred,
                              hold=not target.capabilities.transactions)
                if sink.hold:
                    held_back.append(sink)
                lanes.append(Lane(b, target, stores[b.ref.use], sink=sink, fresh=target.fresh(b),
                                  check_values=opts.values))
            found = run_spec(cfg.root, cfg.context, spec, lanes, opts, deadline, problems)
            if found is None or problems.by_kind:
                continue
            for lane, cs in zip(lanes, found):
                cs = dataclasses.replace(cs, schema_changes=tuple(notes.pop(cs.table, [])))
                store = stores[lane.binding.ref.use]
                assert lane.sink is not None
                store.add_step(run_id, seq, lane.binding.state_key, spec.spec_hash, cs.table, step_start, utcnow(),
                               dict(files=cs.files, records=cs.records, **cs.counts), cs.strategies,
                               step_id=lane.sink.step_id)
                lane.save_states(final=True)
                changes.append(cs)
    problems.raise_if_any()       # bad input: every target rolls back or was never written, nothing is recorded
    for writer in held_back:
        deadline.check("writing")
        writer.flush(opts.progress)
    for writer, deletes, marks in reversed(deferred):    # children before parents
        writer.apply_deletes(deletes, marks)
    deadline.check("committing")
    result = PlanResult(label, tuple(changes), run_id=run_id)
    for store in _distinct(stores.values()):
        store.finish_run(run_id, "succeeded", utcnow(), 0,
                         {k: getattr(result, k) for k in ("inserted", "updated", "deleted", "unchanged")})
    return result


def _plan(cfg: WorkspaceConfig, specs: list[Spec], run: Targets, label: str, opts: Options,
          started: float) -> PlanResult:
    notes: dict[str, list[str]] = {}
    for t in run.targets.values():
        notes.update(t.describe(run.of(t, run.selected()), run.of(t, run.everything)))
    shared = run.state.ledger if run.state is not None else None
    problems = Collected()
    changes: list[ChangeSet] = []
    deadline = Deadline(opts.max_seconds)
    with _no_gc():
        for spec in specs:
            lanes = [Lane(b, run.targets[b.ref.use], run.targets[b.ref.use].state_store() or shared,
                          keep_values=opts.details, check_values=opts.values) for b in run.bindings[spec.name]]
            found = run_spec(cfg.root, cfg.context, spec, lanes, opts, deadline, problems)
            for lane, cs in zip(lanes, found or []):
                cs = dataclasses.replace(cs, schema_changes=tuple(notes.pop(cs.table, ())))
                if opts.details:
                    cs = _with_changed_columns(cs, lane)
                changes.append(cs)
    problems.raise_if_any()
    return PlanResult(label, tuple(changes), seconds=time.perf_counter() - started)


def _with_changed_columns(cs: ChangeSet, lane: Lane, limit: int = 200) -> ChangeSet:
    """Name the columns each (of the first ``limit``) updates changes; reads only those rows."""
    if not cs.updates or not lane.target.capabilities.values:
        return cs
    rows = [r for r, _ in cs.updates[:limit]]
    stored = lane.target.fetch(lane.binding, [r.key for r in rows])
    types = {c.name: c.type for c in lane.spec.columns}
    changed = {r.key: changed_columns(types, stored[r.key], r) for r in rows if r.key in stored}
    return dataclasses.replace(cs, changed={**changed, **cs.changed})


def _distinct(stores: Any) -> list[StateStore]:
    out: list[StateStore] = []
    for s in stores:
        if s is not None and all(s is not o for o in out):
            out.append(s)
    return out


class _no_gc:
    """Parsing allocates millions of small acyclic objects: ~20% faster without GC passes."""

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_on:
            gc.enable()


def _record_failure(store: StateStore, cfg: WorkspaceConfig, run_id: str, label: str, exc: BaseException,
                    err: SyncSpecError | None) -> None:
    """The run's own rows rolled back with it: record that it failed, in a transaction of its own."""
    state = "canceled" if isinstance(exc, KeyboardInterrupt) else "failed"
    code = err.exit_code if err is not None else 130 if state == "canceled" else 70
    try:
        store.record_failure(cfg.project, label, git_commit(cfg.root), run_id, state, code, str(err or exc)[:2000],
                             utcnow())
    except Exception:  # noqa: BLE001 - the target may be gone; the original error matters more
        pass


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
