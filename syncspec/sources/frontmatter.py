"""Frontmatter strategy: a file's YAML front matter as one record, or one record per element of a list in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, SourceError
from ..spec.model import FrontmatterStrategy
from .documents import load_yaml_source, pointer_records
from .markdown import front_matter_block
from .origins import MarksOrigin
from .records import Record
from .text import SourceText
from .toml import load_toml


@dataclass(frozen=True)
class FrontMatter:
    """The parsed front matter of one file, and the markdown after it."""

    data: Any
    marks: dict[tuple, tuple[int, int]]
    body: str


def read_front_matter(src: SourceText) -> FrontMatter | None:
    """The file's leading ``---`` YAML block, parsed (None if it has none)."""
    text = src.text
    block = front_matter_block(text)
    if block is None:
        return None
    start, end, block_end, kind = block
    first_line = text.count("\n", 0, start)
    if kind == "toml":
        data: Any = load_toml(text[start:end], src.display, line_offset=first_line, where=" in the front matter")
        marks: dict[tuple, tuple[int, int]] = {(): (first_line + 1, 1)}
    else:
        data, marks = load_yaml_source(text[start:end], src.display, line_offset=first_line,
                                       where=" in the front matter")
    return FrontMatter({} if data is None else data, marks, text[block_end:].strip())


def extract_frontmatter(strategy: FrontmatterStrategy, src: SourceText, front: FrontMatter | None) -> Iterator[Record]:
    if front is None:
        return
    data = front.data
    if strategy.items is not None:
        yield from pointer_records(strategy.items, data, lambda p: front.marks.get(p, (1, 1))[0], src.display,
                                   "frontmatter", {"frontmatter": data}, MarksOrigin(front.marks, "frontmatter"))
        return
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else "a string" if isinstance(data, str) else f"a {type(data).__name__}"
        raise SourceError(problems=[Problem(
            f"the front matter is {what}, not a mapping of keys", file=src.display,
            line=front.marks.get((), (2, 1))[0],
            hint="write 'key: value' lines between the '---' fences")])
    record = dict(data)
    record.setdefault("frontmatter", data)
    record.setdefault("body", front.body)
    yield Record(record, src.display, 1, "frontmatter", MarksOrigin(front.marks, "frontmatter"))
