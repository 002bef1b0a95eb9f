"""Split one large markdown file into pieces that parse alone exactly as they parse together.

A sync streams file by file; a single 100 MB ledger would still be parsed whole
(its bytes, its text, pyromark's event list and every record at once: ~5x the
file in memory). Cutting it at ATX headings of the spec's section level keeps
memory to the bytes plus one piece.

A cut is made only where CommonMark guarantees the pieces parse the same: at a
line that starts with ``#`` .. ``#`` * level and a space (an ATX heading, which
closes every open paragraph, list, quote and table), outside fenced code and HTML
blocks. Link reference definitions (``[x]: url`` anywhere can change how text
before it parses) are handed to every piece (extract._alone, sources/definitions.py). Only specs whose one strategy is
``sections`` are cut: a section's body ends at the next heading of its level or
above, so no record spans a cut, and the first-strategy-that-yields rule is per
file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..spec.model import SectionsStrategy, Spec

CHUNK_BYTES = 1 << 20        # a piece is at least this big (the last one may be smaller)
MIN_FILE_BYTES = 2 << 20     # smaller files are parsed whole (pyromark's events: ~20x the text parsed)

_HTML_ENDS = [   # CommonMark HTML block kinds 1-5: (start, end marker); kinds 6-7 end at a blank line
    (re.compile(rb"<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I), re.compile(rb"</(?:script|pre|style|textarea)>", re.I)),
    (re.compile(rb"<!--"), re.compile(rb"-->")),
    (re.compile(rb"<\?"), re.compile(rb"\?>")),
    (re.compile(rb"<![A-Za-z]"), re.compile(rb">")),
    (re.compile(rb"<!\[CDATA\["), re.compile(rb"\]\]>")),
]
_BLANK = re.compile(rb"^[ \t]*\r?$", re.M)
_RX_CACHE: dict[int, re.Pattern[bytes]] = {}


def chunk_level(spec: Spec) -> int | None:
    """The heading level to cut a file of ``spec`` at, or None if its files are parsed whole."""
    if len(spec.strategies) != 1 or not isinstance(spec.strategies[0], SectionsStrategy):
        return None
    if spec.encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        return None
    if spec.strategies[0].continues is not None:   # a continuing heading of the section level is no cut
        return None
    return spec.strategies[0].level


def cuts(data: bytes, level: int, chunk: int | None = None) -> list[int]:
    """Byte offsets (line starts) where ``data`` may be cut, each at least ``chunk`` after the previous."""
    chunk = CHUNK_BYTES if chunk is None else chunk
    rx = _RX_CACHE.get(level)
    if rx is None:
        rx = _RX_CACHE[level] = re.compile(
            rb"^(?: {0,3}(?P<fence>`{3,}|~{3,})|#{1,%d}(?:[ \t]|\r?$)| {0,3}(?P<html><))" % level, re.M)
    out: list[int] = []
    last = 0
    pos = 0
    while True:
        m = rx.search(data, pos)
        if m is None:
            return out
        fence = m.group("fence")
        if fence is not None:
            line_end = data.find(b"\n", m.end())
            line_end = len(data) if line_end == -1 else line_end
            if fence[:1] == b"`" and b"`" in data[m.end():line_end]:
                pos = line_end          # ``` followed by a backtick: inline code, not a fence
                continue
            close = re.compile(rb"^ {0,3}" + re.escape(fence[:1]) + rb"{%d,}[ \t]*\r?$" % len(fence), re.M)
            c = close.search(data, line_end)
            if c is None:
                return out              # an unclosed fence runs to the end: no more cuts
            pos = c.end()
            continue
        if m.group("html") is not None:
            end = _html_end(data, m.start(), m.end() - 1)
            if end is None:
                return out
            pos = end
            continue
        if m.start() - last >= chunk:
            out.append(m.start())
            last = m.start()
        pos = m.end()


def _html_end(data: bytes, line_start: int, lt: int) -> int | None:
    """Where an HTML block starting at ``lt`` surely ends (conservatively: maybe not a block at all)."""
    for start, end in _HTML_ENDS:
        if start.match(data, lt):
            m = end.search(data, lt)
            return None if m is None else m.end()
    m = _BLANK.search(data, lt)
    return len(data) if m is None else m.end()


def pieces(data: bytes, level: int, chunk: int | None = None) -> Iterator[tuple[int, int, int]]:
    """(byte start, byte end, 1-based line of the start) of each piece of ``data``."""
    start, line = 0, 1
    for cut in cuts(data, level, chunk):
        yield start, cut, line
        line += data.count(b"\n", start, cut)
        start = cut
    yield start, len(data), line
