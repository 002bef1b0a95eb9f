"""Table strategy: one record per row of a markdown table, or per key/value table (optionally under a heading)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..spec.model import TableStrategy
from .markdown import Cell, MarkdownDoc, Table
from .raw import cell as raw_cell
from .records import Record, snake_case
from .text import SourceText

_PIPE = re.compile(r"(?<!\\)\|")


def extract_table(strategy: TableStrategy, src: SourceText, doc: MarkdownDoc) -> Iterator[Record]:
    mapping = {header.strip().lower(): key for header, key in strategy.columns}
    wanted = {h.strip().lower() for h in strategy.header}
    data = src.data
    raw = strategy.markup == "raw"
    for table in doc.tables:
        heading = table.heading.text if table.heading else ""
        if strategy.under is not None and not strategy.under.search(heading):
            continue
        if wanted and not wanted <= {c.text.strip().lower() for c in table.header}:
            continue
        if strategy.layout == "key_value":
            pairs = _key_value(table, data, mapping, raw, heading)
            if pairs is not None:
                yield Record(pairs, src.display, src.line_of(table.start), "table")
            continue
        headers = [c.text for c in table.header]
        names = _field_names(headers)
        for start, end, cells in table.rows:
            extra = _extra_cells(data, start, end, cells) if cells else []
            if all(not c.text for c in cells) and not extra:
                continue  # a placeholder row (| | |) holds no entry
            record: dict = {}
            fields: dict[str, str | None] = {}
            links: dict[str, list[str]] = {}
            for i, header in enumerate(headers):
                cell = cells[i] if i < len(cells) else None
                text = (raw_cell(data, cell.start, cell.end) if raw else cell.text) if cell is not None else ""
                value = text if text != "" else None
                fields[names[i]] = value
                if cell is not None and cell.links:
                    links[names[i]] = cell.links
                key = mapping.get(header.strip().lower())
                if key is not None and key not in record:
                    record[key] = value
            # a header mapped to 'heading' or 'body' wins over the built-in key of that name
            record.setdefault("heading", heading)
            record.setdefault("fields", fields)
            record.setdefault("links", links)
            record.setdefault("extra", extra)
            record.setdefault("body", data[start:end].decode("utf-8").strip())
            yield Record(record, src.display, src.line_of(start), "table")


def _key_value(table: Table, data: bytes, mapping: dict[str, str], raw: bool, heading: str) -> dict | None:
    """A two-column table (``| Status | Accepted |``) as one record: first cell -> second cell."""
    fields: dict[str, str | None] = {}
    links: dict[str, list[str]] = {}
    record: dict = {}
    for _, _, cells in table.rows:
        if not cells or not cells[0].text:
            continue
        label = cells[0].text
        name = snake_case(label) or label
        value_cell = cells[1] if len(cells) > 1 else None
        text = "" if value_cell is None else raw_cell(data, value_cell.start, value_cell.end) if raw else value_cell.text
        if name in fields:
            continue
        fields[name] = text or None
        if value_cell is not None and value_cell.links:
            links[name] = value_cell.links
        key = mapping.get(label.strip().lower())
        if key is not None and key not in record:
            record[key] = text or None
    if not fields:
        return None
    record.setdefault("heading", heading)
    record.setdefault("fields", fields)
    record.setdefault("links", links)
    record.setdefault("extra", [])
    record.setdefault("body", data[table.start:table.end].decode("utf-8").strip())
    return record


def _extra_cells(data: bytes, start: int, end: int, cells: list[Cell]) -> list[str]:
    """Cells beyond the header's width, which the parser drops: read from the row's own bytes."""
    tail = data[cells[-1].end:end]
    if tail.count(b"|") < 2 and not tail.strip(b" \t\r\n|"):
        return []
    parts = _PIPE.split(tail.decode("utf-8").strip())
    if parts and parts[0].strip() == "":
        parts = parts[1:]          # the pipe closing the last known cell
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]         # the row's closing pipe
    return [p.strip().replace("\\|", "|") for p in parts]


def _field_names(headers: list[str]) -> list[str]:
    """snake_case header names; an empty header is column_N, a repeated one gets _2, _3."""
    names: list[str] = []
    for i, header in enumerate(headers):
        name = snake_case(header) or f"column_{i + 1}"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names
