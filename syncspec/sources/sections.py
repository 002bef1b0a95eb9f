"""Sections strategy: one record per matching heading, with its field lines and body."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from ..spec.model import SectionsStrategy
from .markdown import MarkdownDoc
from .origins import FieldLinesOrigin
from .raw import heading as raw_heading
from .records import Record, snake_case
from .text import SourceText

_STYLE_RES = {
    # **Key**: v, **Key:** v, and the underscore spelling __Key__: v
    "bold": r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*(?P<bk>[^*\n]+?)(?::\*\*|\*\*[ \t]*:)|__(?P<uk>[^_\n]+?)(?::__|__[ \t]*:))"
            r"[ \t]*(?P<bv>[^\n]*)$",
    # Obsidian Dataview inline fields: a Key:: v line, or [Key:: v] anywhere in a line
    "dataview": r"^[ \t]*(?:[-*+][ \t]+)?(?P<dk>[^\W\d_][\w /.()-]{0,60}?)[ \t]*::[ \t]*(?P<dv>[^\n]*?)[ \t\r]*$"
                r"|\[(?P<ik>[^\W\d_][\w /.()-]{0,60}?)[ \t]*::[ \t]*(?P<iv>[^\]\n]*?)[ \t]*\]",
    "list": r"^[ \t]*[-*+][ \t]+(?P<lk>[^\W\d_][\w /.()-]{0,60}?)[ \t]*:[ \t]+(?P<lv>[^\n]*\S)[ \t\r]*$",
    "plain": r"^(?P<pk>[^\W\d_][\w /.()-]{0,60}?)[ \t]*:[ \t]+(?P<pv>[^\n]*\S)[ \t\r]*$",
}
_COMPILED: dict[tuple[str, ...], re.Pattern[str]] = {}
_PAIRS = (("bk", "bv"), ("uk", "bv"), ("lk", "lv"), ("dk", "dv"), ("ik", "iv"), ("pk", "pv"))   # key group, value group
# link reference definitions (and blank lines) closing a file, as keep-a-changelog puts them
_BULLET = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")


def field_regex(styles: tuple[str, ...]) -> re.Pattern[str] | None:
    """One multiline regex alternating the declared field-line styles."""
    if not styles:
        return None
    rx = _COMPILED.get(styles)
    if rx is None:
        ordered = [s for s in ("bold", "list", "dataview", "plain") if s in styles]
        rx = _COMPILED[styles] = re.compile("|".join(_STYLE_RES[s] for s in ordered), re.M)
    return rx


def read_fields(rx: re.Pattern[str], pairs: list[tuple[str, str]], text: str, snake: bool,
                fields: dict[str, str]) -> None:
    """Field lines of ``text`` into ``fields`` (the first of a repeated key wins)."""
    for fm in rx.finditer(text):
        for kg, vg in pairs:
            key = fm.group(kg)
            if key:
                value = fm.group(vg)
                break
        else:
            continue
        key = snake_case(key) if snake else key.strip()
        if key and key not in fields:
            fields[key] = value.strip()


def field_pairs(rx: re.Pattern[str] | None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in _PAIRS if rx is not None and k in rx.groupindex]


def extract_sections(strategy: SectionsStrategy, src: SourceText, doc: MarkdownDoc) -> Iterator[Record]:
    headings = doc.headings
    level = strategy.level
    data = src.data
    cont = strategy.continues
    any_end = strategy.ends == "any"
    # end of each heading's section: the line of the next heading of level <= ours (any level with
    # ends: any), unless it continues the entry; its line, so a "> " or "- " before it stays out
    eof = definitions_start(data, doc)
    ends = [eof] * len(headings)
    nxt = eof
    for i in range(len(headings) - 1, -1, -1):
        ends[i] = nxt
        h = headings[i]
        if (h.level <= level or any_end) and (cont is None or not cont.search(h.text)):
            nxt = data.rfind(b"\n", 0, h.start) + 1
    rx_fields = field_regex(strategy.fields)
    pairs = field_pairs(rx_fields)
    raw = strategy.markup == "raw"
    snake = strategy.field_keys == "snake_case"
    opaque = doc.opaque
    opaque_ends = [o_end for _, o_end in opaque]   # sorted: blocks never overlap
    search = strategy.match.search
    item_starts: list[int] | None = None

    def span(record: Record) -> tuple[int, int] | None:   # asked only for the line of a bad field value
        for i, h in enumerate(headings):
            if h.level == level and src.line_of(h.start) == record.line:
                return h.end, ends[i]
        return None
    origin = FieldLinesOrigin(src, rx_fields, snake, span)
    for i, h in enumerate(headings):
        if h.level != level:
            continue
        m = search(h.text)
        if m is None or (cont is not None and cont.search(h.text)):
            continue
        groups = m.groupdict()
        record = {"heading": raw_heading(data, h) if raw else h.text, "level": level, "links": h.links or []}
        start, end = h.end, ends[i]
        body = data[start:end].decode("utf-8")
        record["body"] = body.strip()
        fields: dict[str, str] = {}
        if rx_fields is not None:
            text = _without(data, start, end, opaque, opaque_ends) if opaque else body
            read_fields(rx_fields, pairs, text, snake, fields)
        record["fields"] = fields
        if strategy.subsections:
            if item_starts is None:
                item_starts = [item.start for item in doc.items]
            record["subsections"], record["items"] = _subsections(strategy, data, doc, i, end, item_starts)
        for k, v in groups.items():   # a named group wins over the built-in key of its name
            record[k] = v.strip() if isinstance(v, str) else v
        yield Record(record, src.display, src.line_of(h.start), "sections", origin)


def definitions_start(data: bytes, doc: MarkdownDoc) -> int:
    """Where the link reference definitions at the end of the file start (its length if there are none).

    They belong to the file (keep-a-changelog's ``[1.2.0]: https://...`` lines),
    not to the body of its last section.
    """
    if b"]:" not in data[-4096:]:
        return len(data)
    start = tail_start(data, max(0, len(data) - 65536))
    if start is None or any(o_start <= start < o_end for o_start, o_end in doc.opaque[-3:]):
        return len(data)
    return start


_DEFINITION_LINE = re.compile(rb"[ \t]{0,3}\[[^\]\r\n]+\]:[ \t]*\S[^\r\n]*\r?\Z|[ \t]*\r?\Z")


def tail_start(data: bytes, base: int) -> int | None:
    """Where the run of definition and blank lines that ends ``data`` starts (a line start at or after
    ``base``), walking back line by line. It was a regex (tests/sources/test_definitions_tail.py keeps it
    as the reference) that tried every offset of the last 64 KB of such files: 1.3 ms a file, 7% of a
    cold sync of a corpus whose files end in link definitions."""
    end = len(data)
    ends_line = end == 0 or data[-1:] == b"\n"
    start = end if ends_line and end >= base else None     # the empty line after a final newline
    pos = end - 1 if ends_line else end                    # just past the text of the line looked at
    last = True
    while pos >= 0 and end > 0:
        head = data.rfind(b"\n", 0, pos) + 1
        if head < base or _DEFINITION_LINE.fullmatch(data, head, pos) is None or \
                (last and not ends_line and data[pos - 1:pos] == b"\r"):   # a final "\r" ends no line
            break
        start, last = head, False
        pos = head - 1
    return start


def _subsections(strategy: SectionsStrategy, data: bytes, doc: MarkdownDoc, i: int, end: int,
                 item_starts: list[int]) -> tuple[dict, list]:
    """Headings one level deeper inside section ``i`` (or matching ``continues``): key -> items (or text),
    and every item in file order as ``{subsection, text}`` (repeated subsections stay where they are).

    Items are the subsection's top-level list items (bullet removed, continuation
    lines dedented) and, as items of their own, any text before, between or after them.
    """
    headings = doc.headings
    level = strategy.level + 1
    cont = strategy.continues
    out: dict = {}
    flat: list = []

    def opens(h) -> bool:
        return h.level == level or (cont is not None and cont.search(h.text) is not None)
    j = i + 1
    while j < len(headings) and headings[j].start < end:
        h = headings[j]
        j += 1
        if not opens(h):
            continue
        k = j
        while k < len(headings) and headings[k].start < end and headings[k].level > level and not opens(headings[k]):
            k += 1
        sub_end = data.rfind(b"\n", 0, headings[k].start) + 1 if k < len(headings) and headings[k].start < end else end
        key = snake_case(h.text) if strategy.field_keys == "snake_case" else h.text.strip()
        if strategy.subsections == "text":
            text = _block(data, h.end, sub_end)
            out[key] = f"{out[key]}\n\n{text}" if out.get(key) else text
            if text:
                flat.append({"subsection": key, "text": text})
            continue
        inside = doc.items[bisect_left(item_starts, h.end):bisect_left(item_starts, sub_end)]
        top = min((item.depth for item in inside), default=0)
        items, pos = [], h.end
        for item in inside:
            if item.depth != top:
                continue
            items.append(_block(data, pos, item.start))   # text between list items is an item too
            items.append(_item_markdown(data[item.start:item.end]))
            pos = item.end
        items.append(_block(data, pos, sub_end))
        kept = [item for item in items if item]
        out.setdefault(key, []).extend(kept)
        flat.extend({"subsection": key, "text": item} for item in kept)
    return out, flat


def _block(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("utf-8").replace("\r\n", "\n").strip() if end > start else ""


def _item_markdown(raw: bytes) -> str:
    """A list item's markdown without its bullet, continuation lines dedented."""
    lines = raw.decode("utf-8").replace("\r\n", "\n").split("\n")
    m = _BULLET.match(lines[0])
    indent = m.end() if m else 0
    out = [lines[0][indent:]]
    for line in lines[1:]:
        stripped = line.lstrip(" ")
        out.append(line[min(indent, len(line) - len(stripped)):])
    return "\n".join(out).strip()


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
