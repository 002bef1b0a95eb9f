"""Table strategy: one record per row of a markdown table (optionally under a heading)."""

from __future__ import annotations

from collections.abc import Iterator

from ..spec.model import TableStrategy
from .markdown import MarkdownDoc
from .records import Record, snake_case
from .text import SourceText


def extract_table(strategy: TableStrategy, src: SourceText, doc: MarkdownDoc) -> Iterator[Record]:
    mapping = {header.strip().lower(): key for header, key in strategy.columns}
    for table in doc.tables:
        heading = table.heading.text if table.heading else ""
        if strategy.under is not None and not strategy.under.search(heading):
            continue
        headers = [c.text for c in table.header]
        names = _field_names(headers)
        for start, end, cells in table.rows:
            if all(not c.text for c in cells):
                continue  # a placeholder row (| | |) holds no entry
            record: dict = {}
            fields: dict[str, str | None] = {}
            links: dict[str, list[str]] = {}
            for i, header in enumerate(headers):
                cell = cells[i] if i < len(cells) else None
                value = cell.text if cell is not None and cell.text != "" else None
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
            record.setdefault("body", src.data[start:end].decode("utf-8").strip())
            yield Record(record, src.display, src.line_of(start), "table")


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
