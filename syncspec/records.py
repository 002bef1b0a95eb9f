"""Map Records to rows: column values, type coercion, checks and the content hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .dates import to_date as _date
from .dates import to_datetime as _datetime
from .dates import with_formats
from .errors import Problem
from .limits import INT64_MAX, INT64_MIN, MAX_JSON_DEPTH, MAX_KEY_TEXT
from .sources.records import Record
from .spec.model import Column, Spec
from .spec.regexes import RegexTimeout
from .transforms import compile_steps

_TRUE = {"true", "yes", "y", "1", "on", "x", "✓", "✔", "done", "checked"}
_FALSE = {"false", "no", "n", "0", "off", "", "unchecked"}


@dataclass(frozen=True, slots=True)
class Row:
    """A mapped row: key tuple, column values, content hash and its origin."""

    key: tuple
    values: dict[str, Any]
    hash: str
    file: str
    line: int


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return canonical(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("is not a finite number")
        if not value.is_integer():
            raise ValueError("has a fractional part")
        number = int(value)
    else:
        number = int(str(value).strip().replace("_", "").replace(",", ""))
    if not INT64_MIN <= number <= INT64_MAX:   # BIGINT on every backend; SQLite would store it as REAL
        raise ValueError(f"does not fit in 64 bits ({INT64_MIN} to {INT64_MAX}); use a text column")
    return number


def _real(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).strip().replace(",", ""))
    except OverflowError:
        raise ValueError("is too large for a double") from None
    if not math.isfinite(number):   # NULL on SQLite, NaN on PostgreSQL, refused by MariaDB: one source, 3 tables
        raise ValueError("is not a finite number (NaN and infinity are stored differently by every database)")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("use true/false, yes/no, 1/0 or x")


def _json(value: Any) -> Any:
    """Check that ``value`` is JSON every backend stores alike: serializable (TypeError otherwise; dates
    become ISO text), no NaN/Infinity (not JSON), no NUL (PostgreSQL refuses \\u0000 in jsonb), at most
    limits.MAX_JSON_DEPTH levels (MariaDB refuses deeper). One dumps, then substring scans in C."""
    try:
        text = json.dumps(value, default=_jsonable, allow_nan=False)
    except ValueError:
        raise ValueError("holds NaN or Infinity, which JSON cannot hold (and databases refuse)") from None
    if "\\u0000" in text and _any_text(value, lambda t: "\x00" in t):
        raise ValueError("holds a NUL character (\\u0000), which PostgreSQL cannot store; remove it")
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:
        depth = _depth(value)
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"is nested {depth} levels deep; MariaDB refuses JSON deeper than {MAX_JSON_DEPTH}")
    return value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _any_text(value: Any, test: Callable[[str], bool]) -> bool:
    if isinstance(value, str):
        return test(value)
    if isinstance(value, dict):
        return any(_any_text(k, test) or _any_text(v, test) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_text(v, test) for v in value)
    return False


COERCERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "integer": _integer, "real": _real, "boolean": _boolean, "date": _date,
    "datetime": _datetime, "json": _json,
}


def coerce(value: Any, ctype: str) -> Any:
    """Convert ``value`` to the Python value of column type ``ctype`` (ValueError if not)."""
    convert = COERCERS.get(ctype)
    if convert is None:
        raise ValueError(f"unknown type {ctype}")
    return convert(value)


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, dates as ISO strings."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)
    except TypeError:
        # YAML mapping keys may be numbers or dates beside text ({1: a, b: c}): JSON keys are text anyway
        return json.dumps(_text_keys(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=_jsonable)


_quote = json.encoder.encode_basestring     # what json.dumps(ensure_ascii=False) quotes text with (C)


def canonical_row(values: dict[str, Any], names: list[str], heads: list[str]) -> str:
    """``canonical(values)`` for one mapped row, built without ``json.dumps`` (a third of a row's mapping
    cost): ``names`` are the row's column names sorted, ``heads`` their quoted ``"name":`` prefixes. The
    text is byte-identical to canonical()'s (tests/test_records_hash.py), so stored hashes stay valid."""
    if len(values) != len(names):
        return canonical(values)
    parts = []
    for name, head in zip(names, heads):
        v = values[name]
        k = v.__class__
        if k is str:
            parts.append(head + _quote(v))
        elif v is None:
            parts.append(head + "null")
        elif k is int:
            parts.append(head + int.__repr__(v))
        elif k is bool:
            parts.append(head + ("true" if v else "false"))
        elif k is dt.date or k is dt.datetime:
            parts.append(head + '"' + v.isoformat() + '"')
        else:
            parts.append(head + canonical(v))
    return "{" + ",".join(parts) + "}"


def _text_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_text(k) if k is not None else "null": _text_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_keys(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def key_part(value: Any) -> Any:
    """Normalize one key value so target values and mapped values compare equal."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


class Mapper:
    """Maps one spec's records to rows; collects problems instead of raising.

    Everything that depends only on the spec (getters, pattern + transform
    closures, coercers, required flags) is resolved once here, so ``map`` --
    run once per record, 100k times on a cold sync -- only calls closures.
    """

    def __init__(self, spec: Spec, context: dict[str, str]):
        self.spec = spec
        self.context = context
        self.columns = spec.columns
        self.key_names = spec.key
        self.warnings: list[Problem] = []     # bad values of on_error: warn columns (the rows are written)
        self.getters: list[tuple[Column, Callable[[Record], Any]]] = [(c, self._getter(c)) for c in spec.columns]
        self._plan = [(col.name, get, compile_steps(col), col.default, col.required or col.name in spec.key,
                       _coercer(col), col.type == "text" and col.items is None, col.choices, col)
                      for col, get in self.getters]
        # longest text a column holds the same on every backend: its VARCHAR(length), or a key's VARCHAR(255)
        self._text_limits = {c.name: c.length or (MAX_KEY_TEXT if c.name in spec.key else sys.maxsize)
                             for c in spec.columns if c.type == "text"}
        algorithm = spec.hash_algorithm
        length = spec.hash_length
        make = getattr(hashlib, algorithm, None) or (lambda data: hashlib.new(algorithm, data))
        self._hash = lambda text: make(text.encode("utf-8")).hexdigest()[:length]
        self._names = sorted(c.name for c in spec.columns)
        self._heads = [_quote(n) + ":" for n in self._names]
        # column -> the record path it reads, until a record is seen that has it (see unread_paths)
        self._unseen: dict[str, tuple[str, ...]] = {c.name: c.path for c in spec.columns
                                                    if c.path is not None and not c.is_constant}
        self._sample: list[dict[str, Any]] = []
        self.mapped = 0

    def _getter(self, col: Column) -> Callable[[Record], Any]:
        if col.is_constant:
            constant = col.constant
            return lambda record: constant
        if col.template is not None:
            tpl, ctx = col.template, self.context

            def render(record: Record) -> Any:
                return tpl.render(lambda p: ctx[p[0]] if p[0] in ctx and len(p) == 1 else record.get(p))
            return render
        path = col.path or (col.name,)
        if path[0].startswith("$"):
            return lambda record: record.get(path)
        if len(path) == 1:
            name = path[0]
            return lambda record: record.data.get(name)
        if len(path) == 2:
            head, tail = path

            def get2(record: Record) -> Any:   # fields.status: the common nested read, without the loop
                value = record.data.get(head)
                if value.__class__ is dict:
                    return value.get(tail)
                return None if value is None else record.get(path)
            return get2
        return lambda record: record.get(path)

    def map(self, record: Record, problems: list[Problem]) -> Row | None:
        values: dict[str, Any] = {}
        text_limits = self._text_limits
        ok = True
        if self._unseen:       # empty after the first records, as a rule: then this costs one test
            self._track(record)
        for name, get, steps, default, strict, convert, is_text, choices, col in self._plan:
            value = get(record)
            try:
                if value.__class__ is str:
                    value = value.strip()
                    if steps is not None and value:
                        value = steps(value)
                elif steps is not None and value is not None:
                    value = steps(value)
            except (ValueError, TypeError, OverflowError) as exc:
                ok = self._bad(record, col, f"value {_short(value)}: {exc}",
                               "fix the value in the source, or the column's transform", problems, values) and ok
                continue
            except RegexTimeout as exc:   # the column's pattern: ends the run, naming the record
                raise exc.at(f"{record.file}:{record.line}") from None
            if value is None or value == "":
                if default is not None:
                    value = default
                elif strict:
                    problems.append(self._problem(record, col, "has no value",
                                                  "add the value to the source, or give the column a default"))
                    ok = False
                    continue
                else:
                    values[name] = None
                    continue
            if not is_text or value.__class__ is not str:
                try:
                    value = convert(value)
                except (ValueError, TypeError, OverflowError) as exc:
                    ok = self._bad(record, col, f"value {_short(value)} is not a valid {col.type} ({exc})",
                                   _type_hint(col), problems, values) and ok
                    continue
            if is_text and ("\x00" in value or len(value) > text_limits[name]):   # the slow path explains
                self._text_problem(record, col, value, problems)
                ok = False
                continue
            if choices is not None and value not in choices:
                close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
                hint = (f"did you mean {close[0]!r}? " if close else "") + \
                    f"allowed: {', '.join(map(str, choices))}; or add a pattern: to extract one of them"
                ok = self._bad(record, col, f"value {_short(value)} is not one of the choices", hint,
                               problems, values) and ok
                continue
            values[name] = value
        if not ok:
            return None
        key = tuple(key_part(values[k]) for k in self.key_names)
        try:
            digest = self._hash(canonical_row(values, self._names, self._heads))
        except UnicodeEncodeError:
            self._surrogates(record, values, problems)
            return None
        return Row(key, values, digest, record.file, record.line)

    def _text_problem(self, record: Record, col: Column, value: str, problems: list[Problem]) -> None:
        """Text every backend stores as given: no NUL (PostgreSQL refuses it), within the column's length
        (PostgreSQL and MariaDB refuse longer text, SQLite stores it)."""
        if "\x00" in value:
            problems.append(self._problem(record, col, f"value {_short(value)} holds a NUL character (\\x00), "
                                                       "which PostgreSQL cannot store",
                                          "remove the NUL from the source (or add a pattern: that skips it)"))
            return
        limit = self._text_limits[col.name]
        what = "length:" if col.length else "key text limit"
        hint = (f"shorten the value, or raise the column's length: (now {limit})" if col.length else
                "shorten the value, or key the table by a shorter column (key text columns are VARCHAR(255))")
        problems.append(self._problem(record, col, f"value {_short(value)} has {len(value)} characters, more "
                                                   f"than the column's {what} {limit}", hint))

    def _surrogates(self, record: Record, values: dict[str, Any], problems: list[Problem]) -> None:
        """A lone UTF-16 surrogate ("\\ud800" in a YAML or JSON string) cannot be encoded, stored or hashed."""
        for col in self.columns:
            try:
                canonical(values.get(col.name)).encode("utf-8")
            except UnicodeEncodeError:
                problems.append(self._problem(record, col, "value holds a lone UTF-16 surrogate (such as "
                                                           "\\ud800), which no UTF-8 text or database can hold",
                                              "write the whole surrogate pair, or the character itself"))
                return

    def _track(self, record: Record) -> None:
        self.mapped += 1
        if len(self._sample) < 50:
            self._sample.append(record.data)
        for name, path in list(self._unseen.items()):
            if has_path(record, path):
                del self._unseen[name]

    def unread_paths(self) -> list[Problem]:
        """Columns whose ``from:`` path no record mapped so far has, though one close to it is there.

        ``fields.stauts`` beside records holding ``fields.status`` is a typo that would store NULL
        (or the default) in every row: an error. A path like nothing the records hold may be an
        optional key not written yet (a plan's ``covers``); preview notes those.
        """
        from .preview import closest_path, record_paths   # late import: preview imports this module

        if not self._unseen or not self._sample:
            return []
        paths = record_paths(self._sample)
        out = []
        for name, path in self._unseen.items():
            wanted = ".".join(path[:2])
            close = closest_path(wanted, paths)
            if close is None or close == wanted:
                continue
            full = close + ("." + ".".join(path[2:]) if len(path) > 2 else "")
            line, col = self.spec.locate(f"$.target.columns.{name}.from")
            out.append(Problem(f"column {name!r} of spec {self.spec.name!r} reads {'.'.join(path)!r}, which no "
                               f"record has; did you mean {full!r}?", file=self.spec.file, line=line, column=col,
                               json_path=f"$.target.columns.{name}.from",
                               hint=f"fix from: in {self.spec.file} (from: {full})"))
        return out

    def _bad(self, record: Record, col: Column, what: str, hint: str, problems: list[Problem],
             values: dict[str, Any]) -> bool:
        """A value that does not convert: a problem (on_error: error), else the column's default or NULL.

        False when the row cannot be built (an error, or a key/required column left without a value).
        """
        problem = self._problem(record, col, what, hint)
        if col.on_error == "error":
            problems.append(problem)
            return False
        if col.default is not None:
            values[col.name] = coerce(col.default, col.type)
        elif col.required or col.name in self.key_names:
            problems.append(problem)
            return False
        else:
            values[col.name] = None
        if col.on_error == "warn":
            self.warnings.append(dataclasses.replace(problem, message=problem.message + " (stored as "
                                         + ("NULL" if values[col.name] is None else repr(values[col.name])) + ")"))
        return True

    def _problem(self, record: Record, col: Column, what: str, hint: str) -> Problem:
        line, column = record.where(col.path)
        return Problem(f"column {col.name!r} of spec {self.spec.name!r}: {what}", file=record.file,
                       line=line, column=column, json_path=f"$.target.columns.{col.name}", hint=hint)


def has_path(record: Record, path: tuple[str, ...]) -> bool:
    """Whether the record holds ``path`` at all (a key present with a null value counts)."""
    head = path[0]
    if head[0] == "$":
        if len(path) == 1:
            return True
        value: Any = record.meta(head)
    elif head in record.data:
        value = record.data[head]
    else:
        return False
    for part in path[1:]:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit():
            if int(part) >= len(value):
                return True      # an index: the list is there, this record's list is only shorter
            value = value[int(part)]
        else:
            return False
    return True


def _coercer(col: Column) -> Callable[[Any], Any]:
    """The column's type conversion: declared date formats, and element types of a json list."""
    if col.formats and col.type in ("date", "datetime"):
        return with_formats(col.formats, col.type)
    if col.items is not None:
        inner = with_formats(col.formats, col.items) if col.formats and col.items in ("date", "datetime") \
            else COERCERS[col.items]

        def elements(value: Any) -> list:
            items = value if isinstance(value, list) else [value]
            out = []
            for i, item in enumerate(items):
                if item is None or item == "":
                    continue
                try:
                    out.append(inner(item.strip() if isinstance(item, str) else item))
                except (ValueError, TypeError, OverflowError) as exc:
                    raise ValueError(f"element {i} {_short(item)} is not a valid {col.items}: {exc}") from None
            return out
        return elements
    return COERCERS[col.type]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_hint(col: Column) -> str:
    return {
        "integer": "write a whole number, or add a pattern: to extract the digits",
        "real": "write a number such as 3.5",
        "boolean": "write true/false, yes/no, 1/0 or x",
        "date": "write an ISO date such as 2026-01-31, or declare its formats: ['%d-%m-%Y'] on the column",
        "datetime": "write an ISO date-time such as 2026-01-31T12:00:00, or declare its formats:",
        "json": "the value must be JSON-serializable",
    }.get(col.type, "fix the value in the source")
