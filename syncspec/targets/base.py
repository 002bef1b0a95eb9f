"""The one interface every target kind implements; the engine talks to nothing else.

A *target* is one place rows go (a database, a Redis server, a vector store), opened
once per run and shared by every *binding* (one spec's rows in it: a table, a key
space, a collection). A kind declares what it can do (``Capabilities``) and the engine
adapts: where the target has transactions its rows and the run's ledger commit
together (``state_store()`` returns a store inside the target); where it has none,
writes are idempotent by key and hash and the workspace state store commits after
them (docs/decisions/0005-target-interface-and-state.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import SyncSpecError
from ..spec.model import Spec, TargetRef

if TYPE_CHECKING:
    from ..records import Row
    from ..state import StateStore

Key = tuple
Stored = tuple[str | None, bool]        # (content hash, soft-deleted?) of a stored row
Index = dict[Key, Stored]


@dataclass(frozen=True)
class Capabilities:
    """What a target kind can do; the engine never asks which kind it is."""

    transactions: bool = False   # writes roll back as a whole, and the ledger can live inside
    locks: bool = False          # the target serializes runs itself (else the state store's lock)
    schema: bool = False         # declares structure (tables, columns) and migrates it
    values: bool = False         # stored column values can be read back (verify, state checks)
    soft_delete: bool = False    # on_missing: mark keeps rows with a deleted_at stamp


@dataclass(frozen=True)
class Binding:
    """One spec's rows in one target: the spec (its table/partition for SQL) and how it is addressed.

    ``state_key`` names the binding in file states and step records: the spec name for a spec's
    first target (what every ledger written before targets existed holds), ``spec@target`` after.
    """

    spec: Spec
    ref: TargetRef
    primary: bool = True

    @property
    def state_key(self) -> str:
        return self.spec.name if self.primary else f"{self.spec.name}@{self.ref.use}"

    @property
    def label(self) -> str:
        """What the binding writes, as plan and history show it (a table name for SQL)."""
        return self.spec.table if self.ref.kind == "sql" else f"{self.ref.kind}:{self.ref.use}/{self.spec.table}"


class WithoutTransactions:
    """The Protocol's answers for a kind with no transactions and no lock of its own (ADR 0005): the
    engine locks the workspace state database and keeps the state there; nothing waits on the server
    for locks, and no structure change outlives a failed run. Kinds override what differs."""

    def lock(self, timeout: float) -> AbstractContextManager[None]:
        return nullcontext()

    def bound(self, lock_seconds: float, max_seconds: float | None) -> None:
        pass

    def irreversible(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                     allow_destructive: bool) -> bool:
        return False

    def state_store(self) -> None:
        return None


@runtime_checkable
class Target(Protocol):
    """A derived index the engine keeps true to the sources."""

    name: str            # the workspace's name for it (`database`, or a key of `targets:`)
    kind: str
    label: str           # printable: credentials masked
    capabilities: Capabilities

    def open(self, write: bool) -> None:
        """Connect (read-only when not ``write``; a target that does not exist yet reads as empty)."""

    def close(self) -> None: ...

    def lock(self, timeout: float) -> AbstractContextManager[None]:
        """Serialize runs on this target (LockNotAcquired, exit 5, after ``timeout``)."""

    def bound(self, lock_seconds: float, max_seconds: float | None) -> None:
        """Make every wait on the server end: row locks after ``lock_seconds``, statements after
        ``max_seconds`` (their errors then map to exit 5 / exit 3 in ``error``)."""

    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        """Plan: the structural changes a sync would make, per binding label (writes nothing)."""

    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> AbstractContextManager[dict[str, list[str]]]:
        """Sync: prepare structure for ``bindings`` (``everything`` of the workspace defines shared
        structure) and hold the run's transaction where there is one; yields the changes applied.
        Leaving it normally commits; an exception rolls back what can be rolled back."""

    def irreversible(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                     allow_destructive: bool) -> bool:
        """Would ``session`` make structural changes a failed run cannot undo? (The engine then checks
        the run's whole input first, so bad input never leaves a migrated target.) Changes that would
        be refused raise here, first, as ``session`` would."""

    def state_store(self) -> StateStore | None:
        """The ledger inside this target (transactional kinds), or None: the workspace's is used."""

    def error(self, exc: BaseException) -> SyncSpecError | None:
        """This kind's driver error as a TargetError (exit 2); None for anything else."""

    def fresh(self, binding: Binding) -> bool:
        """The binding's structure did not exist when the run's session began (file states mean nothing)."""

    def exists(self, binding: Binding) -> bool: ...

    def index(self, binding: Binding) -> Index:
        """key -> (hash, soft-deleted) of every row the binding owns."""

    def count(self, binding: Binding) -> int:
        """How many live (not soft-deleted) rows the binding holds: the cheap drift guard of every sync."""

    def lookup(self, binding: Binding, keys: Sequence[Key]) -> Index:
        """Like ``index``, for a few keys only (new keys of an incremental run)."""

    def upsert(self, binding: Binding, rows: Sequence[Row], now: dt.datetime) -> None: ...

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None: ...

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None: ...

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        """key -> stored values of the columns ``names`` (state checks, verify), as the mapper makes them."""

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        """key -> every stored column value, as the mapper makes them (plan details, verify)."""

    # Optional: ``stored_columns(binding) -> tuple[str, ...]``, the columns a kind stores when it stores
    # only some (a Redis string value holds one); verify then compares only those. Not part of the
    # Protocol, so kinds storing every column need not declare it.
