"""Tasks strategy: one record per task-list item (``- [ ]`` / ``- [x]``), with its headings and nesting."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from ..spec.model import TasksStrategy
from .markdown import Heading, MarkdownDoc
from .raw import task_text as raw_task_text
from .records import Record
from .text import SourceText


def heading_chains(headings: list[Heading]) -> list[tuple[int, ...]]:
    """For each heading, the indexes of the headings enclosing it (outermost first), itself last."""
    chains: list[tuple[int, ...]] = []
    stack: list[int] = []
    for i, h in enumerate(headings):
        while stack and headings[stack[-1]].level >= h.level:
            stack.pop()
        stack.append(i)
        chains.append(tuple(stack))
    return chains


def extract_tasks(strategy: TasksStrategy, src: SourceText, doc: MarkdownDoc) -> Iterator[Record]:
    headings = doc.headings
    starts = [h.start for h in headings]
    chains = heading_chains(headings)
    items = doc.items
    positions: dict[int, int] = {}
    under, match = strategy.under, strategy.match
    raw = strategy.markup == "raw"
    data = src.data
    for index, item in enumerate(items):
        task, mark = item.task, item.mark
        text = item.text
        if task is None:
            if not text.startswith("[]"):
                continue
            # `- [] todo`: not a task list item in GFM, but what people write for an open one
            task, mark, text = False, "", text[2:].strip()
        nearest = bisect_right(starts, item.start) - 1
        # numbered among all task items under the nearest heading, before any filter: stable ids
        position = positions[nearest] = positions.get(nearest, 0) + 1
        texts = [headings[i].text for i in chains[nearest]] if nearest >= 0 else []
        if under is not None and not any(under.search(t) for t in texts):
            continue
        m = None
        if raw:
            child = items[index + 1].start if index + 1 < len(items) and items[index + 1].parent == index else None
            text = raw_task_text(data, item, child)
            if item.task is None:
                text = text[2:].strip() if text.startswith("[]") else text
        if match is not None:
            m = match.search(text)
            if m is None:
                continue
        record = {"text": text, "checked": task, "mark": mark, "depth": item.depth,
                  "heading": texts[-1] if texts else "", "headings": texts, "position": position,
                  "parent": items[item.parent].text if item.parent >= 0 else None, "links": item.links or []}
        if m is not None:   # named groups win over the built-in keys of their names
            record.update((k, v.strip() if isinstance(v, str) else v) for k, v in m.groupdict().items())
        yield Record(record, src.display, src.line_of(item.start), "tasks")
