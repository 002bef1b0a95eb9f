"""File strategy: one record per file (path, name, title, front matter, body, size, modified time)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from typing import Any

from ..spec.model import FileStrategy
from .documents import load_json_source, load_yaml_source
from .frontmatter import FrontMatter
from .markdown import MarkdownDoc
from .origins import FieldLinesOrigin
from .records import Record, snake_case
from .sections import _without, definitions_start, field_pairs, field_regex, read_fields
from .text import SourceText, read_source
from .toml import load_toml

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
    fields: dict[str, str] = {}
    sections: dict[str, str] = {}
    origin = None
    if is_markdown(src.display):
        doc = markdown()
        snake = strategy.field_keys == "snake_case"
        span = _preamble(src, doc)
        rx = field_regex(strategy.fields)
        if rx is not None:
            start, end = span
            preamble = _without(src.data, start, end, doc.opaque, [e for _, e in doc.opaque])
            read_fields(rx, field_pairs(rx), preamble, snake, fields)
            origin = FieldLinesOrigin(src, rx, snake, lambda record: span)
        sections = _sections(src, doc, snake)
    record = {
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
        "fields": fields,
        "sections": sections,
    }
    for key, rel in strategy.siblings:
        record.setdefault(key, read_sibling(path, src.display, rel))
    yield Record(record, src.display, 1, strategy.kind, origin)


def _preamble(src: SourceText, doc: MarkdownDoc) -> tuple[int, int]:
    """Bytes holding header fields: before the first heading and, after a title heading, up to the next.

    Front matter is opaque (blanked), so fields may follow it, a title line or an HTML comment.
    """
    headings = doc.headings
    start = doc.opaque[0][1] if doc.front_matter is not None and doc.opaque else 0
    if not headings:
        return start, len(src.data)
    title = headings[0].level <= min(h.level for h in headings)   # a title: its section holds header fields too
    end = headings[1].start if len(headings) > 1 and title else headings[0].start if not title else len(src.data)
    return start, src.data.rfind(b"\n", 0, end) + 1 if end < len(src.data) else end


def _sections(src: SourceText, doc: MarkdownDoc, snake: bool) -> dict[str, str]:
    """Every heading's section by heading text (``## Status`` -> sections.status): its markdown up to the
    next heading of its level or above; the first of two headings of one name wins."""
    headings = doc.headings
    data = src.data
    eof = definitions_start(data, doc)
    out: dict[str, str] = {}
    for i, h in enumerate(headings):
        key = snake_case(h.text) if snake else h.text.strip()
        if not key or key in out:
            continue
        end = eof
        for nxt in headings[i + 1:]:
            if nxt.level <= h.level:
                end = data.rfind(b"\n", 0, nxt.start) + 1
                break
        out[key] = data[h.end:max(h.end, end)].decode("utf-8").replace("\r\n", "\n").strip()
    return out


def read_sibling(path: Path, display: str, rel: str) -> Any:
    """A file beside the record's file (``kep.yaml`` next to ``README.md``): YAML, JSON or TOML as data,
    anything else as text; None when it is not there."""
    folder = path.parent
    sibling = folder / rel
    name = str(PurePosixPath(display).parent / rel)
    if not sibling.is_file() or not str(sibling.resolve()).startswith(str(folder.resolve())):
        return None
    src = read_source(sibling, name)
    suffix = sibling.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_yaml_source(src.text, name)[0]
    if suffix == ".json":
        return load_json_source(src)
    if suffix == ".toml":
        return load_toml(src.text, name)
    return src.text
