"""One pass of pyromark (CommonMark + GFM) over a file: headings, tables, opaque blocks.

pyromark's ranges are byte offsets into the UTF-8 text; everything here keeps
byte offsets and converts to lines only for the records that need them.

Front matter is found here, not by pulldown-cmark: its YAML metadata-block
option opens a block at *any* ``---`` line followed by text, anywhere in the
file, and swallows everything up to the next ``---`` -- headings included
(``## A\n---\n## B\n---`` loses B). So a front matter block at the top is
blanked out (same byte length, so offsets hold) and the rest parsed plainly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyromark

from .prescan import blank_plain_paragraphs

OPTIONS = (pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_TASKLISTS
           | pyromark.Options.ENABLE_STRIKETHROUGH)
_FENCE_RE = re.compile(r"---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M)
_NOT_NEWLINE_RE = re.compile(r"[^\r\n]+")
_BR_RE = re.compile(r"<br\s*/?>\Z", re.I)
_LEVELS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    start: int      # byte offset of the heading's first byte
    end: int        # byte offset just past the heading (incl. setext underline)
    links: list[str] | None = None


@dataclass(slots=True)
class Cell:
    text: str
    links: list[str] = field(default_factory=list)
    start: int = 0      # byte range of the cell between its pipes (markup: raw reads it)
    end: int = 0


@dataclass(slots=True)
class Table:
    start: int
    end: int
    heading: Heading | None
    header: list[Cell]
    rows: list[tuple[int, int, list[Cell]]]   # (start, end, cells)


@dataclass(slots=True)
class Item:
    """A list item; ``task`` is None for a plain item, else whether its box is checked."""

    start: int
    end: int
    depth: int                  # 1 = an item of a top-level list
    parent: int                 # index of the enclosing item in MarkdownDoc.items, or -1
    task: bool | None = None
    text: str = ""              # its own text (nested lists excluded), inline markup removed
    links: list[str] | None = None
    mark: str | None = None     # the character in its task box as written: 'x', 'X', ' '


@dataclass(slots=True)
class MarkdownDoc:
    headings: list[Heading]
    tables: list[Table]
    opaque: list[tuple[int, int]]   # code blocks, HTML blocks, front matter: never fields
    front_matter: tuple[int, int] | None = None   # byte range of the YAML between the fences
    items: list[Item] = field(default_factory=list)   # list items, in document order


def front_matter_span(text: str) -> tuple[int, int]:
    """``(start, end)`` character offsets of the YAML of a leading front matter block, or (0, 0).

    The block opens with ``---`` on the first line, is not followed by a blank
    line (that is a thematic break), and closes with a ``---`` or ``...`` line.
    """
    opening = _FENCE_RE.match(text)
    if opening is None or text[opening.end():opening.end() + 1] in ("\n", "\r", ""):
        return 0, 0
    closing = _CLOSE_RE.search(text, opening.end())
    if closing is None:
        return 0, 0
    return opening.end(), closing.start()


_TOML_OPEN_RE = re.compile(r"\+\+\+[ \t]*\r?\n")
_TOML_CLOSE_RE = re.compile(r"^\+\+\+[ \t]*(?:\r?\n|\Z)", re.M)


def front_matter_block(text: str) -> tuple[int, int, int, str] | None:
    """``(start, end, block_end, kind)`` of a leading front matter block: YAML between ``---`` fences,
    or TOML between ``+++`` fences (Hugo, Zola); None if the file has none."""
    start, end = front_matter_span(text)
    if end:
        return start, end, _CLOSE_RE.match(text, end).end(), "yaml"  # type: ignore[union-attr]
    opening = _TOML_OPEN_RE.match(text)
    if opening is None:
        return None
    closing = _TOML_CLOSE_RE.search(text, opening.end())
    if closing is None:
        return None
    return opening.end(), closing.start(), closing.end(), "toml"


def parse(text: str) -> MarkdownDoc:
    """Scan ``text`` once and keep only the structure the strategies need.

    A shortcut reference link (``[1.2.0]``) keeps its brackets in heading, cell
    and item text, so text does not change when its definition is added or removed.
    """
    headings: list[Heading] = []
    tables: list[Table] = []
    opaque: list[tuple[int, int]] = []
    items: list[Item] = []
    front = None
    block = front_matter_block(text) if text[:1] in ("-", "+") else None
    if block is not None:
        yaml_start, yaml_end, block_end, _ = block
        head = text[:block_end]
        # blank lines of the same UTF-8 length keep every later byte offset valid
        text = _NOT_NEWLINE_RE.sub(lambda m: " " * len(m.group(0).encode("utf-8")), head) + text[block_end:]
        to_bytes = len(head[:yaml_start].encode("utf-8"))
        front = (to_bytes, to_bytes + len(head[yaml_start:yaml_end].encode("utf-8")))
        opaque.append((0, len(head.encode("utf-8"))))
    text = blank_plain_paragraphs(text)   # top-level paragraphs give nothing: fewer events (issue 16)
    _walk(text, headings, tables, opaque, items)
    return MarkdownDoc(headings, tables, opaque, front, items)


def _walk(text: str, headings: list[Heading], tables: list[Table], opaque: list[tuple[int, int]],
          items: list[Item]) -> None:
    """Walk pyromark's events once, appending to the lists given.

    Text goes to ``sink``: the open heading's parts, else the open cell's, else
    the innermost open item's (not inside a code block), else nowhere; it is
    recomputed only when one of those opens or closes. Events are told apart
    with as few dict lookups as the common ones allow (text, starts, ends).
    """
    heading_parts: list[str] | None = None
    heading_links: list[str] | None = None
    table: Table | None = None
    cells: list[Cell] | None = None
    cell: Cell | None = None
    cell_parts: list[str] = []
    row_start = 0
    lists = 0                           # open lists
    open_items: list[Item] = []         # the open items, innermost last
    open_parts: list[list[str]] = []    # and their text so far
    parent = -1                         # index in items of the innermost open item
    in_code = False
    closers: list[str] = []             # per open link: "]" for a shortcut reference, else ""
    sink: list[str] | None = None
    encoded = b""                       # only task marks need the bytes: encoded on the first

    events: Iterable[tuple[Any, Any]] = pyromark.events_with_range(text, options=OPTIONS)
    for event, rng in events:
        if event.__class__ is str:          # SoftBreak, HardBreak, Rule
            if sink is not None and event != "Rule":
                sink.append(" ")
            continue
        value = event.get("Text")
        if value is not None:
            if sink is not None:
                sink.append(value)
            continue
        start = event.get("Start")
        if start is not None:
            if start.__class__ is str:
                if start == "Item":
                    item = Item(rng["start"], rng["end"], lists, parent)
                    parent = len(items)
                    items.append(item)
                    open_items.append(item)
                    open_parts.append([])
                    if heading_parts is None and cell is None and not in_code:
                        sink = open_parts[-1]
                elif start == "HtmlBlock":
                    opaque.append((rng["start"], rng["end"]))
                elif table is not None:
                    if start == "TableCell":
                        cell = Cell("", [], rng["start"], rng["end"])
                        cell_parts = []
                        if heading_parts is None:
                            sink = cell_parts
                    elif start == "TableHead" or start == "TableRow":
                        cells = []
                        row_start = rng["start"]
            elif "Heading" in start:
                sink = heading_parts = []
                heading_links = None
            elif "List" in start:
                lists += 1
            elif "Link" in start:
                link = start["Link"]
                shortcut = link["link_type"] == "Shortcut"
                closers.append("]" if shortcut else "")
                if shortcut and sink is not None:
                    sink.append("[")
                if heading_parts is not None:
                    heading_links = (heading_links or []) + [link["dest_url"]]
                elif cell is not None:
                    cell.links.append(link["dest_url"])
                elif open_items and not in_code:
                    item = open_items[-1]
                    item.links = (item.links or []) + [link["dest_url"]]
            elif "CodeBlock" in start:
                opaque.append((rng["start"], rng["end"]))
                in_code = True
                if heading_parts is None and cell is None:
                    sink = None
            elif "Table" in start:
                table = Table(rng["start"], rng["end"], headings[-1] if headings else None, [], [])
            continue
        end = event.get("End")
        if end is not None:
            if end.__class__ is str:
                if end == "Item":
                    if open_items:
                        item = open_items.pop()
                        item.text = " ".join("".join(open_parts.pop()).split())
                        parent = item.parent
                        if heading_parts is None and cell is None:
                            sink = open_parts[-1] if open_parts and not in_code else None
                elif end == "CodeBlock":
                    in_code = False
                    if heading_parts is None and cell is None and open_parts:
                        sink = open_parts[-1]
                elif end == "Link":
                    closer = closers.pop() if closers else ""
                    if closer and sink is not None:
                        sink.append(closer)
                elif end == "Paragraph":
                    if open_parts:
                        open_parts[-1].append(" ")
                elif table is not None:
                    if end == "TableCell":
                        if cells is not None and cell is not None:
                            cell.text = "".join(cell_parts).strip()
                            cells.append(cell)
                            cell = None
                            if heading_parts is None:
                                sink = open_parts[-1] if open_parts and not in_code else None
                    elif end == "TableRow":
                        if cells is not None:
                            table.rows.append((row_start, rng["end"], cells))
                            cells = None
                    elif end == "TableHead":
                        if cells is not None:
                            table.header = cells
                            cells = None
                    elif end == "Table":
                        tables.append(table)
                        table = None
            elif "Heading" in end:
                if heading_parts is not None:
                    headings.append(Heading(_LEVELS[end["Heading"]], "".join(heading_parts).strip(),
                                            rng["start"], rng["end"], heading_links))
                    heading_parts = None
                    sink = (cell_parts if cell is not None
                            else open_parts[-1] if open_parts and not in_code else None)
            elif "List" in end:
                lists -= 1
            continue
        value = event.get("Code")
        if value is not None:
            if sink is not None:
                sink.append(value)
            continue
        marker = event.get("TaskListMarker")
        if marker is not None:
            if open_items:
                if not encoded:
                    encoded = text.encode("utf-8")
                item = open_items[-1]
                item.task = marker
                item.mark = encoded[rng["start"] + 1:rng["end"] - 1].decode("utf-8")
            continue
        html = event.get("InlineHtml")
        if html is not None and sink is not None and _BR_RE.match(html):
            sink.append(" ")   # "a<br>b" in a table cell is two lines, not the word "ab"
