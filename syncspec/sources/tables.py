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
        for start, end, cells in table.rows:
            record: dict = {}
            fields: dict[str, str | None] = {}
            links: dict[str, list[str]] = {}
            for i, header in enumerate(headers):
                cell = cells[i] if i < len(cells) else None
                value = cell.text if cell is not None and cell.text != "" else None
                fields[snake_case(header) or f"column_{i + 1}"] = value
                if cell is not None and cell.links:
                    links[snake_case(header)] = cell.links
                key = mapping.get(header.strip().lower())
                if key is not None:
                    record[key] = value
            record["heading"] = heading
            record["fields"] = fields
            record["links"] = links
            record["body"] = src.data[start:end].decode("utf-8").strip()
            yield Record(record, src.display, src.line_of(start), "table")
