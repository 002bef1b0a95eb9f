"""The patch workflow as library calls: ``status``, ``pending``, ``plan``, ``apply``, ``new``.

>>> from syncspec import Workspace                        # doctest: +SKIP
>>> from syncspec.patches import api                      # doctest: +SKIP
>>> ws = Workspace.open("examples/plan")                  # doctest: +SKIP
>>> api.plan(ws).status.pending                           # doctest: +SKIP
('006-core-state-implementation', '007-...', ...)
>>> api.apply(ws).applied                                 # doctest: +SKIP
"""

from __future__ import annotations

import copy
import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import CheckFailed, LockNotAcquired, Problem, SpecError
from ..workspace import WorkspaceConfig
from .apply import OpChange, apply_patch, check_plan, load_validator, unified_diff
from .config import PatchConfig, patch_config
from .jsonfile import sha256
from .ledger import LedgerEntry, commit, settle_journal
from .order import Conflict, conflicts
from .scaffold import new_patch
from .state import PatchInfo, PatchStatus, State, read_state


@dataclass(frozen=True)
class PatchStep:
    """What one pending patch does to the plan: its operations and the text diff of the plan file."""

    id: str
    file: str
    title: str
    changes: tuple[OpChange, ...]
    post_conditions: int
    diff: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "title": self.title,
                "operations": [c.as_dict() for c in self.changes], "post_conditions": self.post_conditions,
                "diff": self.diff}


@dataclass(frozen=True)
class PatchPlan:
    """The dry run of ``apply``: steps in order, conflicts, and what blocks applying."""

    status: PatchStatus
    steps: tuple[PatchStep, ...]
    conflicts: tuple[Conflict, ...]
    problems: tuple[Problem, ...]       # conflicts and edited applied patches: apply refuses these
    reformats: bool                     # the plan file is not in json.dumps layout: the first write reformats it

    def as_dict(self) -> dict[str, Any]:
        return {**self.status.as_dict(), "steps": [s.as_dict() for s in self.steps],
                "conflicts": [c.as_dict() for c in self.conflicts],
                "problems": [p.as_dict() for p in self.problems], "reformats": self.reformats}


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply`` wrote: the patches applied (in order), and the database mirror's outcome."""

    status: PatchStatus                 # as it was before applying
    applied: tuple[str, ...]
    steps: tuple[PatchStep, ...]
    written: bool
    mirrored: int = 0
    warning: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"plan": self.status.plan, "ledger": self.status.ledger, "applied": list(self.applied),
                "written": self.written, "mirrored": self.mirrored, "warning": self.warning,
                "steps": [s.as_dict() for s in self.steps], "warnings": list(self.status.warnings)}


Ws = Any  # a Workspace, or its WorkspaceConfig


def config(ws: Ws) -> PatchConfig:
    """The patch settings of a Workspace (or WorkspaceConfig)."""
    return patch_config(ws if isinstance(ws, WorkspaceConfig) else ws.config)


def status(ws: Ws) -> PatchStatus:
    """Every patch and its state; read-only."""
    return read_state(config(ws)).status


def pending(ws: Ws) -> tuple[PatchInfo, ...]:
    """The pending patches, in the order ``apply`` would apply them."""
    st = status(ws)
    by_id = {p.id: p for p in st.patches}
    return tuple(by_id[pid] for pid in st.pending)


def plan(ws: Ws) -> PatchPlan:
    """Apply every pending patch in memory and report diffs and conflicts; writes nothing.

    A patch that does not apply cleanly raises SpecError (file, operation, pointer).
    """
    return _plan(read_state(config(ws)))[0]


def _plan(state: State, diffs: bool = True) -> tuple[PatchPlan, Any]:
    """The plan, and the plan data after every pending patch."""
    problems = state.modified_problems()
    found = conflicts(list(state.ordered), state.plan.data, state.known)
    known = state.known
    for c in found:
        other, mine = known[c.first[0]], known[c.second[0]]
        problems.append(mine.problem(("operations", c.second[1], "path"),
                                     f"conflicts with {other.id} (operation {c.first[1]}): both change {c.pointer}",
                                     hint=f"if this patch should go last, add '{other.id}' to its requires; "
                                          "otherwise merge the two patches"))
    steps: list[PatchStep] = []
    final = state.plan.data
    if state.ordered:
        # plan shows each patch's values and diff, so each patch works on a copy; apply copies once
        current = state.plan.data if diffs else copy.deepcopy(state.plan.data)
        text = state.plan.text
        for doc in state.ordered:
            try:
                done = apply_patch(current, doc, in_place=not diffs)
            except SpecError as exc:
                if not problems:
                    raise
                problems.extend(exc.problems)  # most likely caused by the conflict: report both, stop here
                break
            after = state.plan.format.render(done.after) if diffs else ""
            steps.append(PatchStep(doc.id, doc.file, doc.title, done.changes, len(doc.post_conditions),
                                   unified_diff(text, after, state.plan.display) if diffs else ""))
            current, text = done.after, after
        final = current
        if not problems:
            _check_schema(state, final)
    return PatchPlan(state.status, tuple(steps), tuple(found), tuple(problems),
                     bool(state.ordered) and not state.plan.canonical_format), final


def _check_schema(state: State, final: Any) -> None:
    """The plan written must satisfy its schema; on failure, blame the plan itself or the first patch that breaks it.

    Validation is the slow part on big plans (pure-Python jsonschema), so the
    common case validates once; the per-patch replay runs only to explain a failure.
    """
    validator, schema_file = load_validator(state.cfg)
    if validator is None or validator.is_valid(final):
        return
    check_plan(state.plan, validator, schema_file or "")   # raises if the plan was already invalid
    current = state.plan.data
    for doc in state.ordered:
        current = apply_patch(current, doc, validator, schema_file).after  # raises at the culprit
    raise AssertionError("the final plan is invalid but no single patch is")  # pragma: no cover


def apply(ws: Ws, check: bool = False, now: dt.datetime | None = None, mirror: bool = True) -> ApplyResult:
    """Apply pending patches in order and write plan + ledger atomically; ``check`` only reports.

    With ``check``, raises CheckFailed (exit 6) listing pending and edited
    patches, and writes nothing. Otherwise every pending patch is applied in
    memory first; any failure raises before a byte is written.
    """
    cfg = config(ws)
    if check:
        state = read_state(cfg)
        problems = state.modified_problems() + state.pending_problems()
        if problems:
            raise CheckFailed(problems=problems, code="SS604", pending=len(state.status.pending),
                              modified=len(state.status.modified))
        return ApplyResult(state.status, (), (), False)
    with _lock(cfg):
        state = read_state(cfg)
        settle_journal(cfg, state.ledger)
        planned, final = _plan(state, diffs=False)
        if planned.problems:
            raise SpecError(problems=list(planned.problems))
        if not planned.steps:
            return ApplyResult(state.status, (), (), False)
        stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries = [LedgerEntry(doc.id, doc.checksum, stamp, doc.title) for doc in state.ordered]
        plan_bytes = state.plan.format.render(final).encode("utf-8")
        ledger_bytes = state.ledger.render(state.plan.display, sha256(final), entries)
        commit(cfg, plan_bytes, ledger_bytes)
    mirrored, warning = 0, None
    if mirror:
        from .dbmirror import mirror as mirror_db

        mirrored, warning = mirror_db(cfg.database_url, cfg.project, state.plan.display,
                                      list(state.ledger.entries) + entries)
    return ApplyResult(state.status, tuple(e.id for e in entries), planned.steps, True, mirrored, warning)


def new(ws: Ws, title: str, now: dt.datetime | None = None) -> Path:
    """Scaffold the next numbered patch (a valid draft) and return its path."""
    return new_patch(config(ws), title, now)


@contextmanager
def _lock(cfg: PatchConfig) -> Iterator[None]:
    """One apply at a time per workspace."""
    from filelock import FileLock, Timeout

    cfg.lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(cfg.lock_path))
    try:
        lock.acquire(timeout=cfg.lock_timeout)
    except Timeout:
        raise LockNotAcquired(problems=[Problem(
            f"another `syncspec patch apply` holds {cfg.display(cfg.lock_path)} (waited {cfg.lock_timeout:g}s)",
            hint="wait for it to finish, or raise lock_timeout in syncspec.yaml")]) from None
    try:
        yield
    finally:
        lock.release()
