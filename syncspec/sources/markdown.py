"""One pass of pyromark (CommonMark + GFM) over a file: headings, tables, opaque blocks.

pyromark's ranges are byte offsets into the UTF-8 text; everything here keeps
byte offsets and converts to lines only for the records that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyromark

OPTIONS = (pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_TASKLISTS
           | pyromark.Options.ENABLE_STRIKETHROUGH | pyromark.Options.ENABLE_YAML_STYLE_METADATA_BLOCKS)
_LEVELS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    start: int      # byte offset of the heading's first byte
    end: int        # byte offset just past the heading (incl. setext underline)


@dataclass(slots=True)
class Cell:
    text: str
    links: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Table:
    start: int
    end: int
    heading: Heading | None
    header: list[Cell]
    rows: list[tuple[int, int, list[Cell]]]   # (start, end, cells)


@dataclass(slots=True)
class MarkdownDoc:
    headings: list[Heading]
    tables: list[Table]
    opaque: list[tuple[int, int]]   # code blocks, HTML blocks, metadata: never fields


def parse(text: str) -> MarkdownDoc:
    """Scan ``text`` once and keep only the structure the strategies need."""
    headings: list[Heading] = []
    tables: list[Table] = []
    opaque: list[tuple[int, int]] = []
    heading_parts: list[str] | None = None
    table: Table | None = None
    cells: list[Cell] | None = None
    cell: Cell | None = None
    row_start = 0
    for event, rng in pyromark.events_with_range(text, options=OPTIONS):
        if type(event) is dict:
            if "Text" in event or "Code" in event:
                value = event.get("Text") or event.get("Code") or ""
                if heading_parts is not None:
                    heading_parts.append(value)
                elif cell is not None:
                    cell.text += value
                continue
            start = event.get("Start")
            if start is not None:
                if type(start) is dict:
                    if "Heading" in start:
                        heading_parts = []
                    elif "CodeBlock" in start:
                        opaque.append((rng["start"], rng["end"]))
                    elif "Table" in start:
                        table = Table(rng["start"], rng["end"], headings[-1] if headings else None, [], [])
                    elif "Link" in start and cell is not None:
                        cell.links.append(start["Link"]["dest_url"])
                elif start == "HtmlBlock" or start == "MetadataBlock":
                    opaque.append((rng["start"], rng["end"]))
                elif table is not None:
                    if start == "TableHead" or start == "TableRow":
                        cells = []
                        row_start = rng["start"]
                    elif start == "TableCell":
                        cell = Cell("")
                continue
            end = event.get("End")
            if end is not None:
                if type(end) is dict:
                    if "Heading" in end and heading_parts is not None:
                        headings.append(Heading(_LEVELS[end["Heading"]], "".join(heading_parts).strip(),
                                                rng["start"], rng["end"]))
                        heading_parts = None
                elif table is not None:
                    if end == "TableCell" and cells is not None and cell is not None:
                        cell.text = cell.text.strip()
                        cells.append(cell)
                        cell = None
                    elif end == "TableHead" and cells is not None:
                        table.header = cells
                        cells = None
                    elif end == "TableRow" and cells is not None:
                        table.rows.append((row_start, rng["end"], cells))
                        cells = None
                    elif end == "Table":
                        tables.append(table)
                        table = None
                continue
            if "InlineHtml" in event or "Html" in event:
                continue
        elif event == "SoftBreak" or event == "HardBreak":
            if heading_parts is not None:
                heading_parts.append(" ")
            elif cell is not None:
                cell.text += " "
    return MarkdownDoc(headings, tables, opaque)
