"""Markup as written (``markup: raw``): heading, cell and task text with code spans, emphasis and HTML kept.

The parser reduces inline markup to text, which is right for keys and titles but loses what a
column may need (`` `code` `` in a heading, ``~~done~~`` in a task, an ``<AngleWord>`` in a cell);
these read the same place in the file's bytes instead.
"""

from __future__ import annotations

import re

from .markdown import Heading, Item

_ATX_OPEN = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_TASK_START = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[^\]]\][ \t]?)?")


def heading(data: bytes, h: Heading) -> str:
    """``## Use `yaml.safe_load` ##`` -> ``Use `yaml.safe_load```; a setext heading without its underline."""
    text = data[h.start:h.end].decode("utf-8").replace("\r\n", "\n").rstrip("\n")
    m = _ATX_OPEN.match(text)
    if m is not None:
        return _ATX_CLOSE.sub("", text[m.end():]).strip()
    lines = text.split("\n")
    return " ".join(line.strip() for line in lines[:-1]).strip()


def cell(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("utf-8").strip()


def task_text(data: bytes, item: Item, child_start: int | None) -> str:
    """The item's own markdown after its ``[x]`` box, nested lists excluded, lines joined."""
    end = item.end if child_start is None else child_start
    text = data[item.start:end].decode("utf-8")
    m = _TASK_START.match(text)
    body = text[m.end():] if m else text
    return " ".join(body.split())
