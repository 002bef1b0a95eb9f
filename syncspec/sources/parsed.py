"""One source file's text plus its markdown, front matter and JSON/YAML forms, each parsed on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from .documents import load_document
from .frontmatter import FrontMatter, read_front_matter
from .markdown import MarkdownDoc, parse
from .records import Origin
from .text import SourceText


class Parsed:
    """What the strategies of one spec read from one file; a fallback chain parses each form once."""

    def __init__(self, src: SourceText, path: Path, depth: int = 0):
        self.src = src
        self.path = path
        self.depth = depth              # deepest pointer of the spec's json/yaml strategies
        self._documents: dict[str, tuple[Any, Callable[[tuple], int], Origin]] = {}

    @cached_property
    def markdown(self) -> MarkdownDoc:
        return parse(self.src.text)

    @cached_property
    def front(self) -> FrontMatter | None:
        return read_front_matter(self.src)

    def document(self, kind: str) -> tuple[Any, Callable[[tuple], int], Origin]:
        """(data, line of a path, origin of single values) of the file read as ``json`` or ``yaml``."""
        if kind not in self._documents:
            self._documents[kind] = load_document(kind, self.src, self.depth)
        return self._documents[kind]
