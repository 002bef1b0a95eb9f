"""The applied-patch ledger: a JSON file committed with the plan (id, checksum, applied_at per patch).

    {
      "plan": "plans/master_plan.json",
      "plan_sha256": "<sha256 of the plan's canonical JSON after the last apply>",
      "applied": [
        {"id": "006-core-state-implementation", "title": "...", "checksum": "sha256:...",
         "applied_at": "2026-01-31T12:00:00Z"}
      ]
    }

Entries are only ever appended. The plan and the ledger are two files, so an
apply commits them with a journal: the new ledger is written (fsynced) to
``applied.json.next``, then the plan is replaced, then the journal is renamed
over the ledger. A run killed in between leaves a journal whose
``plan_sha256`` tells which side of the plan replace it stopped on: if the plan
already has the new content the journal is the ledger (rolled forward by the
next apply), otherwise it is discarded. Either way plan and ledger agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from .config import PatchConfig
from .jsonfile import JsonFile, JsonFormat, atomic_write, fsync_dir, read_json

LEDGER_FORMAT = JsonFormat(indent=2)
REQUIRED = ("id", "checksum", "applied_at")


@dataclass(frozen=True)
class LedgerEntry:
    """One applied patch as recorded."""

    id: str
    checksum: str
    applied_at: str
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "checksum": self.checksum, "applied_at": self.applied_at}


@dataclass(frozen=True)
class Ledger:
    """The ledger as read; ``journal`` is 'recovered' or 'stale' when an interrupted apply left one."""

    display: str
    entries: tuple[LedgerEntry, ...]
    plan_sha256: str | None
    raw: dict[str, Any]
    format: JsonFormat
    journal: str | None = None

    @property
    def applied(self) -> dict[str, LedgerEntry]:
        return {e.id: e for e in self.entries}

    def render(self, plan_display: str, plan_sha256: str, new: list[LedgerEntry]) -> bytes:
        """The ledger with ``new`` entries appended (old entries kept exactly as they were)."""
        data = dict(self.raw) if self.raw else {}
        data["plan"] = plan_display
        data["plan_sha256"] = plan_sha256
        data["applied"] = list(data.get("applied", [])) + [e.as_dict() for e in new]
        return self.format.render(data).encode("utf-8")


def journal_path(cfg: PatchConfig) -> Path:
    return cfg.ledger.with_name(cfg.ledger.name + ".next")


def read_ledger(cfg: PatchConfig, plan_sha256: str) -> Ledger:
    """The ledger file (or an empty one), settled against a journal left by an interrupted apply."""
    display = cfg.display(cfg.ledger)
    journal = journal_path(cfg)
    if journal.exists():
        pending = _parse(read_json(journal, cfg.display(journal), "patch ledger journal"), display)
        if pending.plan_sha256 == plan_sha256:
            return Ledger(display, pending.entries, pending.plan_sha256, pending.raw, pending.format, "recovered")
        current = _load(cfg, display)
        return Ledger(display, current.entries, current.plan_sha256, current.raw, current.format, "stale")
    return _load(cfg, display)


def _load(cfg: PatchConfig, display: str) -> Ledger:
    if not cfg.ledger.exists():
        return Ledger(display, (), None, {}, LEDGER_FORMAT)
    return _parse(read_json(cfg.ledger, display, "patch ledger"), display)


def _parse(file: JsonFile, display: str) -> Ledger:
    data = file.data

    def bad(tokens: tuple, message: str) -> SourceError:
        line, col = file.locate(tokens)
        path = "$" + "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in tokens)
        return SourceError(problems=[Problem(message, file=file.display, line=line, column=col, json_path=path,
                                             hint="restore the ledger from git (`git checkout -- "
                                                  f"{display}`); it is written by `syncspec patch apply`")])

    if not isinstance(data, dict) or not isinstance(data.get("applied", []), list):
        raise bad((), "the patch ledger must be an object with an 'applied' list")
    entries = []
    for i, item in enumerate(data.get("applied", [])):
        if not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in REQUIRED):
            raise bad(("applied", i), f"ledger entry {i} needs string values for {', '.join(REQUIRED)}")
        entries.append(LedgerEntry(item["id"], item["checksum"], item["applied_at"], item.get("title")))
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.id in seen:
            raise bad(("applied", i), f"patch {entry.id!r} is recorded twice")
        seen.add(entry.id)
    sha = data.get("plan_sha256")
    return Ledger(display, tuple(entries), sha if isinstance(sha, str) else None, data, file.format)


def settle_journal(cfg: PatchConfig, ledger: Ledger) -> None:
    """Finish (roll forward) or discard the journal of an interrupted apply; called under the apply lock."""
    journal = journal_path(cfg)
    if ledger.journal == "recovered":
        os.replace(journal, cfg.ledger)
        fsync_dir(cfg.ledger.parent)
    elif ledger.journal == "stale":
        journal.unlink()


def commit(cfg: PatchConfig, plan_bytes: bytes, ledger_bytes: bytes) -> None:
    """Write plan and ledger so that a crash at any point leaves them consistent (see the module doc)."""
    journal = journal_path(cfg)
    cfg.ledger.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(journal, ledger_bytes)
    atomic_write(cfg.plan, plan_bytes)
    os.replace(journal, cfg.ledger)
    fsync_dir(cfg.ledger.parent)
