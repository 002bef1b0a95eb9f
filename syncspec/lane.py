"""One spec's rows on their way into one target (a *lane*): select, diff, write, summarize.

A spec with several targets runs one lane per target over a single parse: each lane
decides which files it needs (its own file states), diffs the shared rows against its
own stored index and writes through its own Writer. Stages:

    select   which files to parse: rebuild (every file), verify (--all: every file whose
             bytes or target rows differ) or incremental (the change classifier)
    reuse    unchanged sections' stored entries stand (sources.extract.ReusedSections)
    take     one batch's mapped rows: duplicate keys, diff, state checks, write
    finish   deletes and marks, the empty-source guard, the ChangeSet
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .changes import Classification, SourceFile, classify_files, state_hash
from .errors import DuplicateKeyError, Problem, SourceError, StateTransitionError
from .plan import ChangeSet
from .records import Row
from .seen import SeenKeys
from .sources.batches import FileRecords, OldFile, ReusedSections
from .spec.model import Spec
from .states import StateCheck
from .targets.base import Binding, Index, Key, Target

if TYPE_CHECKING:
    from .results import Collected, Options
    from .state import StateStore
    from .writer import Writer


KEEP = 10_000      # rows a sync's ChangeSet lists per kind; beyond, only counted (memory flat in the corpus)
SAVE_EVERY = 20_000   # entries of parsed files a sync holds before it saves their states


@dataclass(frozen=True)
class ParsedFile:
    """A parsed file's new state, saved with the run: what the next run's change detection reads."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    count: int                         # entries
    entries: str                       # JSON: [[key, hash], ...] in file order, or {"e": those, "p": sections}
    ctime_ns: int = 0                  # (sections: [[digest, length, rows, lines], ...], sources/pieces.py)
    inode: int = 0

    @classmethod
    def of(cls, f: SourceFile, entries: list, sections: list[list] | None) -> ParsedFile:
        """Encoded as the ledger stores it as soon as the file is done: a run keeps ~50 bytes per entry to
        its end instead of a list of lists (memory flat in the corpus size, issue 16)."""
        text = json.dumps(entries if sections is None else {"e": entries, "p": sections}, separators=(",", ":"),
                          ensure_ascii=False)
        return cls(f.display, f.size, f.stamp, f.sha, len(entries), text, f.ctime_ns, f.inode)

    def as_tuple(self) -> tuple:
        return (self.path, self.size, self.mtime_ns, self.sha256, self.count, self.entries, self.ctime_ns,
                self.inode)


@dataclass
class Lane:
    binding: Binding
    target: Target
    store: StateStore | None
    sink: Writer | None = None
    fresh: bool = False                                  # its table/collection did not exist before this run
    rebuild: str | None = None                           # why every file is parsed
    to_parse: set[str] = field(default_factory=set)
    old: dict[str, OldFile] = field(default_factory=dict)
    index: Index = field(default_factory=dict)
    claim_new_keys: bool = False                         # incremental: new keys are looked up in the target
    seen: SeenKeys = field(default_factory=SeenKeys)     # every key read this run: duplicates across files
    unread: int = 0                                      # entries of files not parsed
    unchanged: int = 0
    touched: list[tuple] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    inserts: list[Row] = field(default_factory=list)
    inserts_omitted: int = 0                             # written, counted, not listed (see KEEP)
    updates_omitted: int = 0
    updates: list[tuple[Row, str | None]] = field(default_factory=list)
    parsed: list[ParsedFile] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    state_problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    keep_values: bool = False                            # plan --details: keep some updates' values
    check_values: bool = False                           # verify: stored values vs the source's, row by row
    changed: dict[Key, tuple[str, ...]] = field(default_factory=dict)   # drifted rows -> columns
    spec: Spec = field(init=False)
    state_check: StateCheck = field(init=False)
    _entries: list[tuple] = field(default_factory=list)
    _saved: bool = False
    _state_hash: str = field(init=False)
    _sections: list[list] | None = None

    def __post_init__(self) -> None:
        self.spec = self.binding.spec
        self._state_hash = state_hash(self.spec)
        self.state_check = StateCheck(self.spec, self.target, self.binding)

    # -- select -------------------------------------------------------------
    def select(self, files: list[SourceFile], opts: Options, problems: Collected) -> None:
        """Decide which files this lane parses, and what it compares their rows with."""
        store = self.store
        states = store.file_states(self.binding.state_key) if store is not None else {}
        reason = "its target is new" if self.fresh else None
        if reason is None and not self.target.exists(self.binding):
            reason = "its target holds nothing yet"
        if reason is None and states and not opts.full:
            reason = self._count_guard(states)
        found = classify_files(files, states, state_hash(self.spec), rebuild=reason, rehash=opts.full)
        self.rebuild = found.rebuild
        if found.rebuild:
            self.to_parse = {f.display for f in files}
            self.index = self.target.index(self.binding)
            return
        assert store is not None
        problems.add(SourceError, found.problems)
        self.removed = found.removed
        self.touched = [f.touched() for f in found.touched]
        if opts.full and opts.values:          # every stored value is compared: every file is parsed
            self.index = self.target.index(self.binding)
            self.to_parse = {f.display for f in found.changed} | {f.display for f in found.unchanged}
            self.touched = []
            return
        if opts.full:
            self._select_verify(found, store)
            return
        self.to_parse = {f.display for f in found.changed}
        self.unread = sum(states[f.display].entry_count for f in found.unchanged)
        self.unchanged = self.unread
        known = [f.display for f in found.changed if f.display in states] + self.removed
        self.old = {path: OldFile(*entries) for path, entries in store.file_details(self.binding.state_key,
                                                                                    known).items()}
        self.index = {tuple(key): (digest, False) for old in self.old.values() for key, digest in old.entries}
        self.claim_new_keys = True

    def _count_guard(self, states: dict) -> str | None:
        """One count against the ledger's: rows removed or added behind syncspec's back switch this
        spec to the full path (every file parsed, diffed against the target itself), which repairs them."""
        held = sum(s.entry_count for s in states.values())
        live = self.target.count(self.binding)
        if live == held:
            return None
        reason = (f"{self.binding.label} holds {live} rows of spec {self.spec.name!r} where its last sync left "
                  f"{held}: every file re-checked against the target, and the difference repaired")
        self.warnings.append(Problem(reason, hint="rows were changed behind syncspec's back; "
                                                  "`syncspec verify` shows drift without writing"))
        return reason

    def _select_verify(self, found: Classification, store: StateStore) -> None:
        """--all: the target itself is the index; a file is skipped only when its bytes are as last synced
        and the target holds exactly the rows that file held."""
        self.index = self.target.index(self.binding)
        held: dict[str, list[tuple[tuple, str]]] = {}
        for key, (digest, path) in store.file_entries(self.binding.state_key,
                                                      [f.display for f in found.unchanged] + self.removed).items():
            held.setdefault(path, []).append((key, digest))
        self.to_parse = {f.display for f in found.changed}
        touched = {f.display for f in found.touched}
        self.touched = []
        for f in found.unchanged:
            entries = held.get(f.display, [])
            if all(self.index.get(key) == (digest, False) for key, digest in entries):
                for key, _ in entries:          # the target holds exactly what this file held
                    del self.index[key]
                self.seen.claim([(key, f.display, 0) for key, _ in entries])
                self.unchanged += len(entries)
                if f.display in touched:
                    self.touched.append(f.touched())
            else:
                self.to_parse.add(f.display)    # the target drifted from this file: parse and repair

    # -- per file -------------------------------------------------------------
    def start_file(self) -> None:
        self._entries, self._sections = [], []

    def reuse(self, batch: ReusedSections) -> None:
        """Sections as last synced: their entries stand (still checked for duplicate keys)."""
        firsts = self.seen.claim([(key, batch.file, line) for key, _, line in batch.entries])
        for (key, digest, line), first in zip(batch.entries, firsts):
            if first is not None:
                self.duplicates.append(duplicate(self.spec.name, key, batch.file, line, first))
                continue
            self.index.pop(key, None)
            self.unchanged += 1
            self._entries.append((key, digest))
        if self._sections is not None:
            self._sections.extend(batch.sections)

    def take(self, batch: FileRecords, mapped: list[Row], writing: bool) -> None:
        """One batch's rows: drop duplicates, diff against the index, check states, write."""
        rows: list[Row] = []
        for row, first in zip(mapped, self.seen.claim([(r.key, r.file, r.line) for r in mapped])):
            if first is not None:
                self.duplicates.append(duplicate(self.spec.name, row.key, row.file, row.line, first))
                continue
            rows.append(row)
        if self.claim_new_keys:
            self._claim(rows)
        inserts: list[Row] = []
        updates: list[tuple[Row, str | None]] = []
        for row in rows:
            self._entries.append((row.key, row.hash))
            stored = self.index.pop(row.key, None)
            if stored is None:
                inserts.append(row)
            elif stored[0] != row.hash or stored[1]:
                updates.append((row, stored[0]))
            else:
                self.unchanged += 1
        if self.check_values:
            updates.extend(self._drifted(rows, inserts, updates))
        self._count_sections(batch, rows)
        if self.state_check and (updates or (self.state_check.on_inserts and inserts)):
            errors, warned = self.state_check.check(inserts, updates)   # before these rows are written
            self.state_problems.extend(errors)
            self.warnings.extend(warned)
        if self.sink is not None and writing and not (self.duplicates or self.state_problems):
            self.sink.rows(inserts, updates)
        if self.sink is not None:        # a sync lists the first KEEP rows; the ledger has every one
            inserts, self.inserts_omitted = self._keep(inserts, self.inserts, self.inserts_omitted)
            updates, self.updates_omitted = self._keep(updates, self.updates, self.updates_omitted)
        self.inserts.extend(light(r) for r in inserts)
        self.updates.extend((r if self.keep_values and len(self.updates) < 200 else light(r), old)
                            for r, old in updates)

    @staticmethod
    def _keep(new: list, kept: list, omitted: int) -> tuple[list, int]:
        room = max(KEEP - len(kept), 0)
        return new[:room], omitted + max(len(new) - room, 0)

    def _drifted(self, rows: list[Row], inserts: list[Row], updates: list[tuple[Row, str | None]]
                 ) -> list[tuple[Row, str | None]]:
        """Rows whose hash matches but whose stored values do not (edited behind syncspec's back)."""
        from .plan import changed_columns

        changing = {r.key for r in inserts} | {r.key for r, _ in updates}
        same = [r for r in rows if r.key not in changing]
        if not same or not self.target.capabilities.values:
            return []
        stored = self.target.fetch(self.binding, [r.key for r in same])
        types = {c.name: c.type for c in self.spec.columns}
        out: list[tuple[Row, str | None]] = []
        held = getattr(self.target, "stored_columns", None)     # a target storing only some columns
        readable = set(held(self.binding)) | {"deleted_at"} if held is not None else None
        for row in same:
            got = stored.get(row.key, {})
            cols = changed_columns(types, got, row)
            if readable is not None and got:
                cols = tuple(c for c in cols if c in readable)
            if cols:
                self.changed[row.key] = cols
                self.unchanged -= 1
                out.append((row, row.hash))
        return out

    def _count_sections(self, batch: FileRecords, rows: list[Row]) -> None:
        if batch.pieces is None:
            self._sections = None
        elif self._sections is not None:
            starts = [p[2] for p in batch.pieces]
            counts = [0] * len(starts)
            for row in rows:
                counts[bisect.bisect_right(starts, row.line) - 1] += 1
            self._sections.extend([d, length, c, lines] for (d, length, _, lines), c in zip(batch.pieces, counts))

    def _claim(self, rows: list[Row]) -> None:
        """A key new to the changed files may be a soft-deleted row (restore it) or belong to a file
        that did not change (a duplicate)."""
        new_keys = [r.key for r in rows if r.key not in self.index]
        stored = self.target.lookup(self.binding, new_keys) if new_keys else {}
        clashes = set()
        for key, (digest, soft) in stored.items():
            if soft:
                self.index[key] = (digest, True)
            else:
                clashes.add(key)
        if clashes:
            assert self.store is not None
            owners = self.store.owner_of(self.binding.state_key, clashes)
            for row in rows:
                if row.key in clashes:
                    self.duplicates.append(duplicate(self.spec.name, row.key, row.file, row.line,
                                                     owners.get(row.key, f"table {self.spec.table}")))

    def vanished(self, display: str) -> None:
        """The file went away mid-run: nothing of it was kept, and its stored state is dropped."""
        self._entries, self._sections = [], []
        self.removed.append(display)

    def end_file(self, f: SourceFile) -> None:
        if self.sink is not None:           # only a sync saves file states
            self.parsed.append(ParsedFile.of(f, self._entries, self._sections))
            if sum(p.count for p in self.parsed) >= SAVE_EVERY:
                self.save_states()
        self._entries, self._sections = [], []

    def save_states(self, final: bool = False) -> None:
        """Save the parsed files' new states as the run goes (in its transaction: a failed run rolls them
        back), so a run does not hold every file's entries to its end; ``final`` adds the touched and
        removed files. A rebuild replaces the spec's states, once, before the first file is saved."""
        if not (self.parsed or final):
            return
        assert self.store is not None
        self.store.save_files(self.binding.state_key, self._state_hash, [p.as_tuple() for p in self.parsed],
                              self.touched if final else [], self.removed if final else [],
                              self.rebuild is not None and not self._saved)
        self._saved = True
        self.parsed = []

    # -- finish -----------------------------------------------------------------
    def report(self, problems: Collected) -> bool:
        """Add this lane's own problems to the run's; True if there were any."""
        problems.add(DuplicateKeyError, self.duplicates)
        problems.add(StateTransitionError, self.state_problems)
        return bool(self.duplicates or self.state_problems)

    def finish(self, files: int, strategies: dict[str, int], allow_empty: bool,
               problems: Collected) -> ChangeSet | None:
        if self.report(problems):
            return None
        spec = self.spec
        deletes: list[tuple[Key, str | None]] = []
        marks: list[tuple[Key, str | None]] = []
        if spec.on_missing != "keep":
            for key, (old_hash, soft) in self.index.items():   # what no parsed file claimed
                if spec.on_missing == "delete":
                    deletes.append((key, old_hash))
                elif not soft:
                    marks.append((key, old_hash))
        records = len(self.seen) + self.unread
        if not allow_empty and records == 0 and (deletes or marks):
            line, col = spec.locate("$.source.records")
            problems.add(SourceError, [Problem(
                f"spec {spec.name!r} extracted no records from {files} file(s); syncing would delete "
                f"all {len(deletes) + len(marks)} of its rows", file=spec.file, line=line, column=col,
                json_path="$.source.records",
                hint=f"check the strategies with `syncspec preview {spec.name}`; if the source is really "
                     "empty now, pass --allow-empty")])
            return None
        if self.sink is not None:
            self.sink.finish(deletes, marks)
        self.seen.close()
        return ChangeSet(spec.name, self.binding.label, tuple(self.inserts), tuple(self.updates), tuple(deletes),
                         tuple(marks), self.unchanged, files=files, parsed=len(self.to_parse), records=records,
                         strategies=strategies, warnings=tuple(self.warnings), changed=dict(self.changed),
                         omitted=(self.inserts_omitted, self.updates_omitted))


def light(row: Row) -> Row:
    """The row without its values: what a ChangeSet keeps once the row is written (memory). The empty
    values are one shared dict: nothing writes to a light row."""
    return Row(row.key, _NO_VALUES, row.hash, row.file, row.line)


_NO_VALUES: dict = {}


def duplicate(spec: str, key: tuple, file: str, line: int | None, first: str) -> Problem:
    return Problem(f"duplicate key {list(key)} in spec {spec!r}; first at {first}", file=file, line=line,
                   hint="entry IDs must be unique across the spec's files; rename or merge one of them")
