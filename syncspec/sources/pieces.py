"""Section-level change detection: which sections of a changed file are byte-for-byte as last synced.

A file of sections is a run of pieces, each starting at an ATX heading of the
section level or above (at a line start, as pyromark found it: never inside a
fence or HTML block). Such a heading closes every open block, so a piece's
records depend only on its bytes -- as long as the file holds no link reference
definitions and no column reads ``$line``. The ledger keeps each piece's digest,
length, row count and line count; when the file changes, the unchanged pieces at its start
and at its end keep their rows without being parsed, and only the bytes between
them are parsed. An edit to one entry of a 1,000-entry file parses one section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..spec.model import Spec
from .markdown import MarkdownDoc

_DEFINITION = re.compile(rb"^ {0,3}\[[^\]\r\n]+\]:", re.M)
_HEADS: dict[int, re.Pattern[bytes]] = {}


def reusable(spec: Spec, level: int | None) -> bool:
    """Sections may be reused for this spec: one sections strategy, and no column reads ``$line``."""
    if level is None:
        return False
    for col in spec.columns + (spec.parent.columns if spec.parent is not None else ()):
        paths = [col.path] if col.path else list(col.template.paths) if col.template else []
        if any(p and p[0] == "$line" for p in paths):
            return False
    return True


def has_definitions(data: bytes) -> bool:
    """Link reference definitions can change how text anywhere parses: such files are parsed whole."""
    return b"]:" in data and _DEFINITION.search(data) is not None


def digest(view: memoryview, start: int, end: int) -> str:
    return hashlib.blake2b(view[start:end], digest_size=12).hexdigest()


def piece_starts(doc: MarkdownDoc, data: bytes, level: int) -> list[int]:
    """0 and the offset of each ATX heading of ``level`` or above that starts a line."""
    out = [0]
    for h in doc.headings:
        s = h.start
        if h.level <= level and s > 0 and data[s - 1] == 10 and data[s] == 35:   # "\n" then "#"
            out.append(s)
    return out


def describe(data: bytes, starts: list[int], first_line: int, end: int | None = None) -> list[list]:
    """[digest, length, first line, newlines] of each piece of ``data`` (up to ``end``) at ``starts``."""
    view = memoryview(data)
    stop = len(data) if end is None else end
    bounds = [s for s in starts if s < stop] + [stop]
    out, line = [], first_line
    for a, b in zip(bounds, bounds[1:]):
        lines = data.count(b"\n", a, b)
        out.append([digest(view, a, b), b - a, line, lines])
        line += lines
    return out


@dataclass(frozen=True)
class Reuse:
    """Old pieces [0, prefix) end at byte ``start``; [suffix, n) start at byte ``end``; parse between."""

    prefix: int
    start: int
    end: int
    suffix: int


def plan(data: bytes, level: int, old: list[list]) -> Reuse:
    """Match the old pieces (digest, length, rows) against the new bytes from both ends."""
    head = _HEADS.get(level)
    if head is None:
        head = _HEADS[level] = re.compile(rb"#{1,%d}(?:[ \t]|\r?\n|\r?\Z)" % level)
    view = memoryview(data)
    n = len(data)
    i, off = 0, 0
    while i < len(old):
        d, length = old[i][0], old[i][1]
        e = off + length
        if e > n or (e < n and not head.match(data, e)) or digest(view, off, e) != d:
            break
        off, i = e, i + 1
    j, end = len(old), n
    while j > i:
        d, length = old[j - 1][0], old[j - 1][1]
        s = end - length
        if s < off or s == 0 or data[s - 1] != 10 or not head.match(data, s) or digest(view, s, end) != d:
            break
        end, j = s, j - 1
    return Reuse(i, off, end, j)
