"""Where every patch stands (applied, pending, modified, draft, missing), read without writing anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from .config import PatchConfig
from .document import PatchDoc, load_patches
from .jsonfile import JsonFile, read_json, sha256
from .ledger import Ledger, read_ledger
from .order import order

STATES = ("applied", "pending", "modified", "draft", "missing")


@dataclass(frozen=True)
class PatchInfo:
    """One patch and its state; ``applied_checksum`` is what the ledger recorded."""

    id: str
    file: str | None
    title: str | None
    state: str
    priority: str | None = None
    requires: tuple[str, ...] = ()
    checksum: str | None = None
    applied_at: str | None = None
    applied_checksum: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["requires"] = list(self.requires)
        return d


@dataclass(frozen=True)
class PatchStatus:
    """Every patch of a workspace; ``pending`` lists ids in the order ``apply`` would use."""

    plan: str
    ledger: str
    patches: tuple[PatchInfo, ...]
    pending: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def of(self, state: str) -> list[PatchInfo]:
        return [p for p in self.patches if p.state == state]

    @property
    def modified(self) -> list[PatchInfo]:
        return self.of("modified")

    @property
    def clean(self) -> bool:
        """Nothing pending and no applied patch edited (what ``apply --check`` requires)."""
        return not self.pending and not self.modified

    def as_dict(self) -> dict[str, Any]:
        return {"plan": self.plan, "ledger": self.ledger, "pending": list(self.pending),
                "patches": [p.as_dict() for p in self.patches], "warnings": list(self.warnings)}


@dataclass(frozen=True)
class State:
    """Everything read from disk for one command: plan, patches, ledger, and the derived status."""

    cfg: PatchConfig
    plan: JsonFile
    docs: tuple[PatchDoc, ...]
    ledger: Ledger
    ordered: tuple[PatchDoc, ...]
    status: PatchStatus

    @property
    def known(self) -> dict[str, PatchDoc]:
        return {d.id: d for d in self.docs}

    def modified_problems(self) -> list[Problem]:
        out = []
        for info in self.status.modified:
            doc = self.known[info.id]
            out.append(Problem(f"patch {info.id} was edited after it was applied on {info.applied_at} "
                               f"(checksum {_short(info.applied_checksum)} then, {_short(info.checksum)} now)",
                               file=doc.file, line=1,
                               hint=f"an applied patch is history: restore it from git (`git checkout HEAD -- "
                                    f"{doc.file}` if the edit is not committed yet) and put the change in a new "
                                    "patch (`syncspec patch new TITLE`)", code="SS604"))
        return out

    def pending_problems(self) -> list[Problem]:
        known = self.known
        return [Problem(f"patch {pid} is pending: {known[pid].title}", file=known[pid].file, line=1,
                        hint="run `syncspec patch apply` and commit the plan and the ledger with the patch",
                        code="SS604")
                for pid in self.status.pending]


def read_state(cfg: PatchConfig) -> State:
    """Read plan, patches and ledger; order the pending patches (SpecError on bad requires)."""
    plan = read_json(cfg.plan, cfg.display(cfg.plan), "plan file")
    docs = load_patches(cfg)
    plan_sha = sha256(plan.data)
    ledger = read_ledger(cfg, plan_sha)
    applied = ledger.applied
    infos: list[PatchInfo] = []
    pending: list[PatchDoc] = []
    for doc in docs:
        entry = applied.get(doc.id)
        if entry is not None:
            state = "applied" if entry.checksum == doc.checksum else "modified"
        else:
            state = "draft" if doc.status == "draft" else "pending"
            if state == "pending":
                pending.append(doc)
        infos.append(PatchInfo(doc.id, doc.file, doc.title, state, doc.priority, doc.requires, doc.checksum,
                               entry.applied_at if entry else None, entry.checksum if entry else None))
    have = {d.id for d in docs}
    missing = [e for e in ledger.entries if e.id not in have]
    infos += [PatchInfo(e.id, None, e.title, "missing", applied_at=e.applied_at, applied_checksum=e.checksum)
              for e in missing]
    ordered = order(pending, applied, {d.id: d for d in docs})
    warnings = []
    if ledger.journal == "recovered":
        warnings.append(f"an interrupted apply had replaced {plan.display} but not yet {ledger.display}; "
                        "the next `syncspec patch apply` completes it")
    elif ledger.journal == "stale":
        warnings.append(f"an interrupted apply left {ledger.display}.next before changing {plan.display}; "
                        "the next `syncspec patch apply` removes it")
    elif ledger.plan_sha256 is not None and ledger.plan_sha256 != plan_sha:
        warnings.append(f"{plan.display} was changed outside patches since the last apply "
                        "(its content differs from what the ledger recorded)")
    for entry in missing:
        warnings.append(f"applied patch {entry.id} has no file in {cfg.display(cfg.dir)} any more "
                        "(the plan keeps its changes; restore the file to keep the review record)")
    status = PatchStatus(plan.display, ledger.display, tuple(infos), tuple(d.id for d in ordered), tuple(warnings))
    return State(cfg, plan, tuple(docs), ledger, tuple(ordered), status)


def _short(checksum: str | None) -> str:
    return (checksum or "-").removeprefix("sha256:")[:12]
