"""The change classifier: which source files of a spec changed since its last sync, and why.

One answer for every verb that asks (``sync``, ``plan``, ``status``, later ``watch`` and the
git hooks), so they cannot disagree: a file whose size and mtime match its stored state is
unchanged; one whose bytes hash to the stored sha256 is only *touched* (re-stamped, not parsed);
anything else is changed. A spec whose definition changed, or that was never synced, is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, SourceError
from .ledger import FileState
from .sources.listing import resolve_files
from .sources.text import read_bytes
from .spec.model import Spec

RACY_NS = 2_000_000_000   # a file modified this close to a sync is re-hashed next time (as git does)


@dataclass
class SourceFile:
    """One file of a spec as it is on disk now."""

    path: Path
    display: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0
    inode: int = 0
    raw: bytes | None = None      # read once when hashed, handed on to the parser, then dropped
    sha: str = ""

    def read(self) -> bytes:
        if self.raw is None:
            self.raw = read_bytes(self.path, self.display)
            self.sha = hashlib.sha256(self.raw).hexdigest()
        return self.raw

    @property
    def stamp(self) -> int:
        return stable_mtime(self.mtime_ns)

    def touched(self) -> tuple[str, int, int, int, int]:
        """What the ledger re-stamps for a file whose bytes did not change."""
        return (self.display, self.size, self.stamp, self.ctime_ns, self.inode)


@dataclass
class Classification:
    """A spec's files sorted by what the next sync must do with them."""

    files: list[SourceFile]
    rebuild: str | None = None                 # why every file must be parsed (None: incremental)
    changed: list[SourceFile] = field(default_factory=list)     # bytes differ: parse
    unchanged: list[SourceFile] = field(default_factory=list)   # same size + mtime, or same bytes
    touched: list[SourceFile] = field(default_factory=list)     # same bytes, new mtime: re-stamp only
    removed: list[str] = field(default_factory=list)            # in the states, gone from disk
    problems: list[Problem] = field(default_factory=list)       # unreadable files

    @property
    def stale(self) -> bool:
        return bool(self.rebuild or self.changed or self.removed)

    def reason(self) -> str:
        if self.rebuild:
            return self.rebuild
        names = sorted(f.display for f in self.changed) + sorted(self.removed)
        if not names:
            return "up to date"
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return f"source files changed since last sync: {', '.join(names[:3])}{more}"


def state_hash(spec: Spec) -> str:
    """What file states are valid for: the spec and the syncspec version (an upgrade may parse differently)."""
    from . import __version__

    return hashlib.sha256(f"{spec.spec_hash}:{__version__}".encode()).hexdigest()[:16]


def stable_mtime(mtime_ns: int) -> int:
    """A file touched within the racy window gets no trusted mtime, so it is re-hashed next time."""
    return -1 if time.time_ns() - mtime_ns < RACY_NS else mtime_ns


def list_files(spec: Spec, root: Path) -> list[SourceFile]:
    """The spec's files with their size and mtime (one stat each: the no-op path)."""
    out = []
    for path, display in resolve_files(spec, root):
        try:
            st = os.stat(path)
        except FileNotFoundError:       # deleted between the listing and now: it is simply gone
            continue
        out.append(SourceFile(path, display, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return out


def classify(spec: Spec, root: Path, states: Mapping[str, FileState], state_hash: str,
             rebuild: str | None = None, files: list[SourceFile] | None = None,
             rehash: bool = False) -> Classification:
    """Compare the spec's files on disk with their stored states."""
    return classify_files(list_files(spec, root) if files is None else files, states, state_hash, rebuild, rehash)


def classify_files(files: list[SourceFile], states: Mapping[str, FileState], state_hash: str,
                   rebuild: str | None = None, rehash: bool = False) -> Classification:
    """Sort ``files`` by their stored states (``rebuild`` forces a reason; ``rehash`` compares every
    file's bytes instead of trusting size + mtime: what ``--all`` does)."""
    if rebuild is None:
        if not states:
            rebuild = "never synced"
        elif any(s.spec_hash != state_hash for s in states.values()):
            rebuild = "spec changed since last sync"
    out = Classification(files, rebuild=rebuild)
    if rebuild:
        out.changed = list(files)
        return out
    present = set()
    for f in files:
        present.add(f.display)
        old = states.get(f.display)
        same_stat = (old is not None and old.size == f.size and old.mtime_ns == f.mtime_ns
                     and (not old.inode or (old.ctime_ns, old.inode) == (f.ctime_ns, f.inode)))
        if same_stat and not rehash:
            out.unchanged.append(f)
            continue
        try:
            f.read()
        except SourceError as exc:
            out.problems.extend(exc.problems)
            continue
        if old is not None and old.sha256 == f.sha:
            out.unchanged.append(f)
            f.raw = None                  # not parsed: do not hold its bytes
            if not same_stat:
                out.touched.append(f)
        else:
            out.changed.append(f)
    out.removed = [p for p in states if p not in present]
    return out


def drop_bytes(c: Classification) -> None:
    """``status`` only needs the verdict: do not keep the files it hashed."""
    for f in c.files:
        f.raw = None
