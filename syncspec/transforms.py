"""Per-column value steps: ``pattern`` extraction, then the ``transform:`` list, compiled into one closure.

Steps (each documented in the README's spec reference):

    strip, lower, upper, collapse, snake_case, number   text -> text (on a list: on each text element)
    split / {split: SEP}       text -> list of stripped, non-empty parts (SEP default ",")
    join / {join: SEP}         list -> text (SEP default ", ")
    first, last                list -> its first / last element (None if empty)
    count                      list or object -> number of elements; text -> 1
    parse_json                 JSON text -> its value (a field line holding {"trigger": "cron"})

A step that has nothing to work on passes the value through unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .sources.records import snake_case
from .spec.model import Column
from .spec.regexes import SpecRegex

Step = Callable[[Any], Any]
_NUMBER = re.compile(r"[-+]?(?:\d[\d,_]*(?:\.\d+)?|\.\d+)")


def _number(text: str) -> str | None:
    m = _NUMBER.search(text)
    return m.group(0).replace(",", "").replace("_", "") if m else None


_TEXT_STEPS: dict[str, Callable[[str], Any]] = {
    "strip": str.strip,
    "lower": str.lower,
    "upper": str.upper,
    "collapse": lambda text: " ".join(text.split()),
    "snake_case": snake_case,
    "number": _number,
}


def _on_text(fn: Callable[[str], Any]) -> Step:
    def step(value: Any) -> Any:
        if isinstance(value, str):
            return fn(value)
        if isinstance(value, list):
            return [fn(v) if isinstance(v, str) else v for v in value]
        return value
    return step


def _split(sep: str) -> Step:
    def step(value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(sep) if part.strip()]
        return value
    return step


def _join(sep: str) -> Step:
    def step(value: Any) -> Any:
        if isinstance(value, list):
            return sep.join("" if v is None else str(v) for v in value)
        return value
    return step


def _first(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _last(value: Any) -> Any:
    return (value[-1] if value else None) if isinstance(value, list) else value


def _parse_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at character {exc.pos}") from None


def _count(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict)) else 1


def make_step(name: str, arg: Any = None) -> Step:
    """One transform step by name (``arg``: the separator of split/join)."""
    if name in _TEXT_STEPS:
        return _on_text(_TEXT_STEPS[name])
    if name == "split":
        return _split("," if arg is None else arg)
    if name == "join":
        return _join(", " if arg is None else arg)
    return {"first": _first, "last": _last, "count": _count, "parse_json": _parse_json}[name]


def _pattern_step(rx: SpecRegex) -> Step:
    search = rx.search
    group: Any = "value" if "value" in rx.groupindex else 1 if rx.groups else 0

    def step(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        m = search(value)
        return m.group(group) if m else None
    return step


def compile_steps(col: Column) -> Step | None:
    """The column's pattern and transforms as one function of a non-empty value, or None if it has neither."""
    steps = ([_pattern_step(col.pattern)] if col.pattern is not None else []) + \
        [make_step(name, arg) for name, arg in col.transforms]
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def run(value: Any) -> Any:
        for step in steps:
            if value is None:
                return None
            value = step(value)
        return value
    return run
