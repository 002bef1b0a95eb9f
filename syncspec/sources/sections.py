"""Sections strategy: one record per matching heading, with its field lines and body."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from ..spec.model import SectionsStrategy
from .markdown import MarkdownDoc
from .records import Record, snake_case
from .text import SourceText

_STYLE_RES = {
    "bold": r"^[ \t]*(?:[-*+][ \t]+)?\*\*(?P<bk>[^*\n]+?)(?::\*\*|\*\*[ \t]*:)[ \t]*(?P<bv>[^\n]*)$",
    "list": r"^[ \t]*[-*+][ \t]+(?P<lk>[^\W\d_][\w /.()-]{0,60}?)[ \t]*:[ \t]+(?P<lv>[^\n]*\S)[ \t\r]*$",
    "plain": r"^(?P<pk>[^\W\d_][\w /.()-]{0,60}?)[ \t]*:[ \t]+(?P<pv>[^\n]*\S)[ \t\r]*$",
}
_COMPILED: dict[tuple[str, ...], re.Pattern[str]] = {}


def field_regex(styles: tuple[str, ...]) -> re.Pattern[str] | None:
    """One multiline regex alternating the declared field-line styles."""
    if not styles:
        return None
    rx = _COMPILED.get(styles)
    if rx is None:
        ordered = [s for s in ("bold", "list", "plain") if s in styles]
        rx = _COMPILED[styles] = re.compile("|".join(_STYLE_RES[s] for s in ordered), re.M)
    return rx


def extract_sections(strategy: SectionsStrategy, src: SourceText, doc: MarkdownDoc) -> Iterator[Record]:
    headings = doc.headings
    level = strategy.level
    data = src.data
    # end of each heading's section: the line of the next heading of level <= ours
    # (its line, so a "> " or "- " before a heading in a quote or list item stays out)
    ends = [len(data)] * len(headings)
    nxt = len(data)
    for i in range(len(headings) - 1, -1, -1):
        ends[i] = nxt
        if headings[i].level <= level:
            nxt = data.rfind(b"\n", 0, headings[i].start) + 1
    rx_fields = field_regex(strategy.fields)
    snake = strategy.field_keys == "snake_case"
    opaque = doc.opaque
    opaque_ends = [o_end for _, o_end in opaque]   # sorted: blocks never overlap
    search = strategy.match.search
    for i, h in enumerate(headings):
        if h.level != level:
            continue
        m = search(h.text)
        if m is None:
            continue
        record = {k: (v.strip() if isinstance(v, str) else v) for k, v in m.groupdict().items()}
        record["heading"] = h.text
        record["level"] = level
        start, end = h.end, ends[i]
        body = data[start:end].decode("utf-8")
        record["body"] = body.strip()
        fields: dict[str, str] = {}
        if rx_fields is not None:
            text = _without(data, start, end, opaque, opaque_ends) if opaque else body
            for fm in rx_fields.finditer(text):
                key = fm.group("bk") if "bk" in rx_fields.groupindex and fm.group("bk") else None
                if key is not None:
                    value = fm.group("bv")
                else:
                    key = next(fm.group(g) for g in ("lk", "pk") if g in rx_fields.groupindex and fm.group(g))
                    value = fm.group("lv") if "lv" in rx_fields.groupindex and fm.group("lk") else fm.group("pv")
                key = snake_case(key) if snake else key.strip()
                if key and key not in fields:
                    fields[key] = value.strip()
        record["fields"] = fields
        yield Record(record, src.display, src.line_of(h.start), "sections")


def _without(data: bytes, start: int, end: int, opaque: list[tuple[int, int]], opaque_ends: list[int]) -> str:
    """Section text with code/HTML blocks blanked out (so no fields are read there).

    Only the blocks inside the section are visited (bisect), so a file with n
    sections and n code blocks costs n log n, not n * n.
    """
    pieces = []
    pos = start
    i = bisect_right(opaque_ends, start)
    while i < len(opaque) and opaque[i][0] < end:
        o_start, o_end = opaque[i]
        pieces.append(data[pos:max(pos, o_start)])
        pieces.append(b"\n")
        pos = max(pos, min(o_end, end))
        i += 1
    pieces.append(data[pos:end])
    return b"".join(pieces).decode("utf-8")
