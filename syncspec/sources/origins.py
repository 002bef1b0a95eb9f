"""Lines of single values inside a record: a bad value is reported where it is written.

One origin object per file is shared by the file's records; it does its work only when the
Mapper asks for the line of a value in error, so records that map cleanly cost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .records import Record, snake_case
from .text import SourceText


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def pointer_parts(record: Record) -> tuple[str, ...]:
    """The record's own place in its document (``$pointer``), as text segments."""
    pointer = record.data.get("$pointer")
    if not isinstance(pointer, str) or not pointer:
        return ()
    return tuple(_unescape(p) for p in pointer.split("/")[1:])


class MarksOrigin:
    """YAML (a source or front matter): the node marks of the composed document."""

    def __init__(self, marks: dict[tuple, tuple[int, int]], whole: str | None = None):
        self.marks = marks
        self.whole = whole          # the record key holding the whole document ("frontmatter")
        self._by_text: dict[tuple[str, ...], tuple[int, int]] | None = None

    def locate(self, record: Record, path: tuple[str, ...]) -> tuple[int, int | None] | None:
        if path[0].startswith("$"):
            return None
        if self._by_text is None:
            self._by_text = {tuple(str(p) for p in k): v for k, v in self.marks.items()}
        full = path[1:] if path[0] == self.whole else pointer_parts(record) + path
        for n in range(len(full), 0, -1):
            found = self._by_text.get(full[:n])
            if found is not None:
                return found
        return None


class JsonOrigin:
    """JSON: a token scan deep enough for the value, made on the first question and kept."""

    def __init__(self, text: str, data: Any, scan: Callable[[str, int], Callable[[tuple], int]]):
        self.text, self.data, self.scan = text, data, scan
        self._depth = -1
        self._line: Callable[[tuple], int] | None = None

    def locate(self, record: Record, path: tuple[str, ...]) -> tuple[int, int | None] | None:
        if path[0].startswith("$"):
            return None
        typed: list[Any] = []
        value = self.data
        for part in pointer_parts(record) + path:
            if isinstance(value, list) and part.isdigit():
                typed.append(int(part))
                value = value[int(part)] if int(part) < len(value) else None
            elif isinstance(value, dict) and part in value:
                typed.append(part)
                value = value[part]
            else:
                break
        if self._line is None or self._depth < len(typed):
            self._depth = len(typed)
            self._line = self.scan(self.text, self._depth)
        for n in range(len(typed), 0, -1):
            found = self._line(tuple(typed[:n]))
            if found > 1 or n == 1:
                return found, None
        return None


class FieldLinesOrigin:
    """Markdown field lines (``**Key**: v``) of a section or a file's preamble."""

    def __init__(self, src: SourceText, rx: re.Pattern[str] | None, snake: bool,
                 span: Callable[[Record], tuple[int, int] | None]):
        self.src, self.rx, self.snake, self.span = src, rx, snake, span

    def locate(self, record: Record, path: tuple[str, ...]) -> tuple[int, int | None] | None:
        if path[0] != "fields" or len(path) < 2 or self.rx is None:
            return None
        where = self.span(record)
        if where is None:
            return None
        start, end = where
        text = self.src.data[start:end].decode("utf-8", "replace")
        for m in self.rx.finditer(text):
            key = next((v for k, v in m.groupdict().items() if k.endswith("k") and v), None)
            if key is None:
                continue
            if (snake_case(key) if self.snake else key.strip()) == path[1]:
                value = next((g for g in m.re.groupindex if g.endswith("v") and m.group(g) is not None), None)
                at = m.start(value) if value is not None else m.start()
                column = at - text.rfind("\n", 0, at)     # 1-based, in characters
                return self.src.line_of(start + len(text[:m.start()].encode("utf-8"))), column
        return None
