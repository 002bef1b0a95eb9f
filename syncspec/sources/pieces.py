"""Section-level change detection: which sections of a changed file are byte-for-byte as last synced.

A file of sections is a run of pieces, each starting at an ATX heading of the
section level or above (at a line start, as pyromark found it: never inside a
fence or HTML block). Such a heading closes every open block, so a piece's
records depend only on its bytes and the file's link reference definitions (a
file that has some keys its digests with them: definitions.py) -- as long as no
column reads ``$line``. The ledger keeps each piece's digest, length, row count
and line count; when the file changes, the unchanged pieces at its start
and at its end keep their rows without being parsed, and only the bytes between
them are parsed. An edit to one entry of a 1,000-entry file parses one section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..spec.model import Spec
from .markdown import MarkdownDoc

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


def digest(view: memoryview, start: int, end: int, key: bytes = b"") -> str:
    """A piece's digest; ``key`` is the file's link definitions (definitions.py): a section is as last
    synced only if its bytes and the definitions it was read with both are (empty key: the plain digest)."""
    return hashlib.blake2b(view[start:end], digest_size=12, key=key).hexdigest()


def piece_starts(doc: MarkdownDoc, data: bytes, level: int) -> list[int]:
    """0 and the offset of each ATX heading of ``level`` or above that starts a line."""
    out = [0]
    for h in doc.headings:
        s = h.start
        if h.level <= level and s > 0 and data[s - 1] == 10 and data[s] == 35:   # "\n" then "#"
            out.append(s)
    return out


def describe(data: bytes, starts: list[int], first_line: int, end: int | None = None, key: bytes = b"") -> list[list]:
    """[digest, length, first line, newlines] of each piece of ``data`` (up to ``end``) at ``starts``."""
    view = memoryview(data)
    stop = len(data) if end is None else end
    bounds = [s for s in starts if s < stop] + [stop]
    out, line = [], first_line
    for a, b in zip(bounds, bounds[1:]):
        lines = data.count(b"\n", a, b)
        out.append([digest(view, a, b, key), b - a, line, lines])
        line += lines
    return out


RESYNC_LINES = 64    # after a changed section, heading lines to try for the next unchanged one
RESYNC_AHEAD = 4     # old sections to try at each (an edit, an insert, a few deletes)


def plan(data: bytes, level: int, old: list[list], key: bytes = b"") -> list[tuple[str, int, int]]:
    """Cover the new bytes with ("reuse", i, j) runs of old sections and ("parse", start, end) ranges.

    Old sections are matched forward (after an edit, at the next heading lines, a few sections
    ahead) and backward from the end; whatever no old section matches is parsed. A reused run
    that follows a parsed range is only sound if the parser is clean where it starts: the caller
    proves that by parsing the range with the run's first heading line appended.
    """
    head = _HEADS.get(level)
    if head is None:
        head = _HEADS[level] = re.compile(rb"#{1,%d}(?:[ \t]|\r?\n|\r?\Z)" % level)
    view = memoryview(data)
    n = len(data)

    def fits(k: int, at: int) -> bool:   # old section k lies intact at ``at``, before the unchanged tail
        e = at + old[k][1]
        return e <= end and (e == n or head.match(data, e) is not None) and digest(view, at, e, key) == old[k][0]

    # backward first: the unchanged tail, so forward matching stops where it starts
    j, end = len(old), n
    while j > 0:
        s = end - old[j - 1][1]
        if s < 0 or (s > 0 and (data[s - 1] != 10 or not head.match(data, s))) or digest(view, s, end, key) != old[j - 1][0]:
            break
        end, j = s, j - 1
    out: list[tuple[str, int, int]] = []
    off, i = 0, 0
    while off < end:
        if i < j and fits(i, off):
            if out and out[-1][0] == "reuse" and out[-1][2] == i:
                out[-1] = ("reuse", out[-1][1], i + 1)
            else:
                out.append(("reuse", i, i + 1))
            off += old[i][1]
            i += 1
            continue
        found = _resync(data, off, end, i, j, fits)
        if found is None:
            out.append(("parse", off, end))
            off, i = end, j
            break
        b, k = found
        if b > off:
            out.append(("parse", off, b))
        off, i = b, k
    if j < len(old):
        if out and out[-1][0] == "reuse" and out[-1][2] == j:
            out[-1] = ("reuse", out[-1][1], len(old))
        else:
            out.append(("reuse", j, len(old)))
    return out


def _resync(data: bytes, off: int, end: int, i: int, j: int, fits) -> tuple[int, int] | None:
    """(offset, old index) of the next old section found intact at a heading line after ``off``."""
    ahead = range(i, min(j, i + RESYNC_AHEAD))
    for k in ahead:
        if k > i and fits(k, off):          # sections deleted at ``off``
            return off, k
    pos = off
    for _ in range(RESYNC_LINES):
        nl = data.find(b"\n#", pos, end)
        if nl == -1:
            return None
        b = pos = nl + 1
        for k in ahead:
            if fits(k, b):
                return b, k
    return None
