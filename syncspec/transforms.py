"""Per-column value steps: ``pattern`` extraction, then the ``transform:`` list, compiled into one closure.

Steps (each documented in the README's spec reference):

    strip, lower, upper, collapse, snake_case, number   text -> text (on a list: on each text element)
    split / {split: SEP}       text -> list of stripped, non-empty parts (SEP default ",")
    join / {join: SEP}         list -> text (SEP default ", ")
    first, last                list -> its first / last element (None if empty)
    count                      list or object -> number of elements; text -> 1
    parse_json                 JSON text -> its value (a field line holding {"trigger": "cron"})
    link_text                  [text](url) and <url> -> text (on a list: on each text element)
    {map: {FROM: TO}}          a value found in the map is replaced (Fixes -> Fixed); others pass
    {find_all: REGEX}          text -> list of every match (group 'value', or 1, or the whole match)
    {replace: {pattern, with}} regex substitution; with may use \\1 and \\g<name>
    {add: N}, {multiply: N}    arithmetic on a number or numeric text (a 1-based depth to 0-based)

A step that has nothing to work on passes the value through unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .sources.records import snake_case
from .spec.model import Column
from .spec.regexes import SpecRegex, compile_regex

Step = Callable[[Any], Any]
# digits with thousands separators (1,200 / 1_000), a decimal part after '.' or a decimal comma
# (1,5 h), an exponent (-3e5)
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d[\d_]*)(?:[.,]\d+)?(?:[eE][-+]?\d+)?|[-+]?[.,]\d+")
_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])|<((?:https?|mailto):[^>\s]+)>")


def _number(text: str) -> str | None:
    m = _NUMBER.search(text)
    if m is None:
        return None
    found = m.group(0)
    digits, _, exponent = found.lower().partition("e")
    if "." in digits or re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+", digits):
        digits = digits.replace(",", "")          # 1,200 and 1,200.5: thousands
    digits = digits.replace(",", ".").replace("_", "")   # 1,5: a decimal comma
    if not exponent:
        return digits
    value = float(f"{digits}e{exponent}")
    return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)


def _link_text(text: str) -> str:
    return _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


_TEXT_STEPS: dict[str, Callable[[str], Any]] = {
    "strip": str.strip,
    "lower": str.lower,
    "upper": str.upper,
    "collapse": lambda text: " ".join(text.split()),
    "snake_case": snake_case,
    "number": _number,
    "link_text": _link_text,
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
        if isinstance(value, (list, dict)) or value is None:
            return value
        return [value]     # a YAML number or date where other files have text: a list all the same
    return step


def _map(table: dict[Any, Any]) -> Step:
    by_text = {str(k): v for k, v in table.items()}

    def one(value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return value
        found = by_text.get(value if isinstance(value, str) else str(value).lower()
                            if isinstance(value, bool) else str(value), _MISSING)
        return value if found is _MISSING else found

    def step(value: Any) -> Any:
        return [one(v) for v in value] if isinstance(value, list) else one(value)
    return step


_MISSING = object()


def _find_all(rx: re.Pattern[str] | SpecRegex) -> Step:
    group: Any = "value" if "value" in rx.groupindex else 1 if rx.groups else 0

    def step(value: Any) -> Any:
        if isinstance(value, list):
            return [m.group(group) for v in value if isinstance(v, str) for m in rx.finditer(v)]
        if not isinstance(value, str):
            return value
        return [m.group(group) for m in rx.finditer(value)]
    return step


def _replace(rx: re.Pattern[str] | SpecRegex, template: str) -> Step:
    def sub(text: str) -> str:
        try:
            return rx.sub(template, text)
        except (re.error, IndexError) as exc:
            raise ValueError(f"replace: {exc}") from None
    return _on_text(sub)


def _arithmetic(op: str, operand: float) -> Step:
    def one(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"{op}: a boolean is not a number")
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text)
            except ValueError:
                try:
                    value = float(text)
                except ValueError:
                    raise ValueError(f"{op}: {text!r} is not a number (use the number step first)") from None
        if not isinstance(value, (int, float)):
            return value
        result = value + operand if op == "add" else value * operand
        return int(result) if isinstance(result, float) and result.is_integer() and isinstance(value, int) \
            and float(operand).is_integer() else result

    def step(value: Any) -> Any:
        return [one(v) for v in value] if isinstance(value, list) else one(value)
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
    """One transform step by name (``arg``: its option, e.g. the separator of split/join)."""
    if name in _TEXT_STEPS:
        return _on_text(_TEXT_STEPS[name])
    if name == "split":
        return _split("," if arg is None else arg)
    if name == "join":
        return _join(", " if arg is None else arg)
    if name == "map":
        return _map(arg)
    if name == "find_all":
        return _find_all(arg if isinstance(arg, (re.Pattern, SpecRegex)) else compile_regex(arg))
    if name == "replace":
        pattern = arg["pattern"]
        rx = pattern if isinstance(pattern, (re.Pattern, SpecRegex)) else compile_regex(pattern)
        return _replace(rx, str(arg.get("with", "")))
    if name in ("add", "multiply"):
        return _arithmetic(name, arg)
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
