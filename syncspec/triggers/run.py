"""Run the specs a trigger selected: one pass (one ledger run) for all of them; if that pass fails,
each spec again on its own, so one broken source does not keep the others stale (seed 000: the
capabilities scan ran and the system-state sync did not). Used by the hooks, ``watch`` and
``sync --staged`` / ``--changed-since``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import git
from .select import affected, spec_infos


@dataclass
class Outcome:
    """What a triggered run did: per spec ``ok`` or the error, the results, and what was skipped and why."""

    ran: list[str] = field(default_factory=list)
    failed: dict[str, Any] = field(default_factory=dict)        # spec (or "*") -> the SyncSpecError
    results: list[Any] = field(default_factory=list)            # PlanResults
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> tuple[int, int, int]:
        return (sum(r.inserted for r in self.results), sum(r.updated for r in self.results),
                sum(r.deleted for r in self.results))

    def summary(self) -> str:
        ins, upd, dele = self.counts()
        parts = []
        done = [n for n in self.ran if n not in self.failed]
        if done:
            parts.append(f"synced {', '.join(done)} (+{ins} ~{upd} -{dele})")
        for name, why in self.skipped.items():
            parts.append(f"skipped {name}: {why}")
        for name, err in self.failed.items():
            parts.append(f"{name} failed: {err}")
        return "; ".join(parts) or "nothing to sync"


def git_files(root: Path, staged: bool = False, since: str | None = None) -> list[str]:
    """The files git reports (workspace-relative): staged ones, and/or those changed since ``since``."""
    from ..errors import ConfigError, Problem

    found: set[str] = set()
    try:
        if not git.is_repo(root):
            raise git.GitError(f"{root} is not inside a git repository")
        if staged:
            found.update(git.staged(root))
        if since:
            found.update(git.changed_since(root, since))
    except git.GitError as exc:
        raise ConfigError(problems=[Problem(f"git: {exc}", hint="--staged and --changed-since need a git "
                                            "work tree and a REF that names a commit (a branch, tag or hash)")]) from None
    return sorted(found)


def select(root: Path, paths: list[str], runner: str = "commit") -> list[str]:
    """Specs that ``runner`` runs and that one of ``paths`` concerns (no heavy import while the index is current)."""
    if not paths:
        return []
    return affected(spec_infos(root), paths, runner)


def run_specs(ws: Any, names: list[str], force: bool = False, full: bool = False,
              lock_timeout: float | None = None) -> Outcome:
    """Sync ``names`` in one pass; on failure, each on its own, so the healthy ones still land."""
    from ..errors import SyncSpecError

    out = Outcome()
    if not names:
        return out
    try:
        result = ws.sync(names, force=force, full=full, lock_timeout=lock_timeout)
    except SyncSpecError as exc:
        if len(names) == 1:
            out.ran, out.failed = list(names), {names[0]: exc}
            return out
        for name in names:
            try:
                result = ws.sync([name], force=force, full=full, lock_timeout=lock_timeout)
            except SyncSpecError as one:
                out.failed[name] = one
            else:
                out.results.append(result)
                out.skipped.update(result.details.get("skipped", {}))
            out.ran.append(name)
        return out
    out.results.append(result)
    out.skipped.update(result.details.get("skipped", {}))
    out.ran = [n for n in names if n not in out.skipped]
    return out
