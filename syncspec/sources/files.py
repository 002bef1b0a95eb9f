"""File strategy: one record per file (path, name, title, front matter, body, size, modified time)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from ..spec.model import FileStrategy
from .frontmatter import FrontMatter
from .markdown import MarkdownDoc
from .records import Record
from .text import SourceText

# Only these are read as markdown: a '# comment' in a .py file is not a title.
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx"})


def is_markdown(display: str) -> bool:
    return PurePosixPath(display).suffix.lower() in MARKDOWN_SUFFIXES


def extract_whole_file(strategy: FileStrategy, src: SourceText, path: Path,
                       markdown: Callable[[], MarkdownDoc], front: Callable[[], FrontMatter | None]) -> Iterator[Record]:
    name = PurePosixPath(src.display)
    st = os.stat(path)
    text = src.text
    heading = matter = None
    body = text.strip()
    if is_markdown(src.display):
        fm = front()
        if fm is not None:
            matter, body = fm.data, fm.body
        doc = markdown()
        heading = doc.headings[0].text if doc.headings else None
    title = matter.get("title") if isinstance(matter, dict) and matter.get("title") else heading
    yield Record({
        "path": src.display,
        "name": name.name,
        "stem": name.stem,
        "suffix": name.suffix,
        "dir": name.parent.as_posix() if name.parent.as_posix() != "." else "",
        "title": title,
        "heading": heading,
        "frontmatter": matter if matter is not None else {},
        "body": body,
        "text": text,
        "size": st.st_size,
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "mtime": dt.datetime.fromtimestamp(st.st_mtime, tz=dt.timezone.utc).isoformat(timespec="seconds"),
    }, src.display, 1, strategy.kind)
