"""JSON and YAML sources: load with located errors, match a wildcard pointer, one record per match."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from ..errors import Problem, SourceError
from ..spec.model import DocumentStrategy
from ..spec.pointer import Pointer, format_path
from ..limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_JSON_SOURCE_BYTES, MAX_YAML_SOURCE_BYTES
from ..spec.yamlfile import Refused, _walk, _yaml_problem, check_tree, make_loader
from .jsonlines import is_json_lines, load_json_lines
from .origins import JsonOrigin, MarksOrigin
from .records import Origin, Record
from .yamlvalues import SourceLoader
from .text import SourceText

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')
_SPACE = re.compile(r"\s*")
YAML_HINT = "fix the YAML syntax (indentation, quotes, a ':' after each key)"


def load_yaml_source(text: str, display: str, line_offset: int = 0,
                     where: str = "") -> tuple[Any, dict[tuple, tuple[int, int]]]:
    """YAML data and the (line, column) of every path; ``line_offset`` lines precede ``text`` in the file.

    ``where`` (" in the front matter") is added to error messages.
    """
    if len(text) > MAX_YAML_SOURCE_BYTES:
        raise SourceError(problems=[Problem(
            f"YAML{where} is {len(text):,} characters, more than the {MAX_YAML_SOURCE_BYTES:,} syncspec parses",
            file=display, line=line_offset + 1, hint="split the file, or keep large data as JSON (parsed in C)")])
    padded = "\n" * line_offset + text   # so every mark and message names the file's own lines
    try:
        loader = make_loader(padded, display, where, cls=SourceLoader)   # a control character: checked first
    except Refused as exc:
        raise SourceError(problems=[exc.problem]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {(): (line_offset + 1, 1)}
        check_tree(node, loader, display, where)   # alias bombs, depth, huge integers
        marks: dict[tuple, tuple[int, int]] = {}
        problems: list[Problem] = []
        _walk(node, (), marks, {}, problems, display, loader)
        if problems:   # duplicate keys
            raise SourceError(problems=[Problem(p.message + where, file=p.file, line=p.line, column=p.column,
                                                json_path=p.json_path, hint=p.hint) for p in problems])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        found = _yaml_problem(exc, padded, display)
        hint = ("a YAML source holds one document: remove the '---' that starts a second one"
                if "single document" in found.message else YAML_HINT)
        message = found.message.replace("invalid YAML", f"invalid YAML{where}", 1)
        raise SourceError(problems=[Problem(message, file=display, line=found.line, column=found.column,
                                            hint=hint)]) from None
    except yaml.YAMLError as exc:
        raise SourceError(problems=[Problem(f"invalid YAML{where}: {exc}", file=display, hint=YAML_HINT)]) from None
    except Refused as exc:
        raise SourceError(problems=[exc.problem]) from None
    except RecursionError:
        mark = loader.get_mark()
        raise SourceError(problems=[Problem(f"YAML{where} nested too deeply to parse", file=display,
                                            line=mark.line + 1, column=mark.column + 1,
                                            hint="flatten the document")]) from None
    finally:
        loader.dispose()
    return data, marks


class _Duplicate(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """object_pairs_hook: json.loads keeps the last of two equal keys silently; a source must not."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate()
    return obj


def _no_constant(name: str) -> Any:
    """parse_constant: NaN, Infinity and -Infinity are JavaScript, not JSON (RFC 8259)."""
    raise ValueError(name)


def load_json_source(src: SourceText) -> Any:
    """JSON data, or a SourceError naming the line and column of the problem.

    Stricter than ``json.loads``: duplicate keys, NaN/Infinity, lone surrogates (``"\\ud800"``, which
    no database or UTF-8 file can hold), nesting deeper than limits.MAX_DEPTH and integers too long to
    convert are located errors. The strict path costs ~15% of a plain parse; locating is only done on error.
    """
    text = src.text
    if len(text) > MAX_JSON_SOURCE_BYTES:
        raise SourceError(problems=[Problem(f"JSON source is {len(text):,} characters, more than the "
                                            f"{MAX_JSON_SOURCE_BYTES:,} syncspec parses", file=src.display, line=1,
                                            hint="split the document into several files")])
    try:
        data = json.loads(text, object_pairs_hook=_unique_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SourceError(problems=[Problem(
            f"invalid JSON: {exc.msg}", file=src.display, line=exc.lineno, column=exc.colno,
            hint="one JSON document per line is JSON Lines: name the file .jsonl (or .ndjson)"
            if exc.msg == "Extra data" else "fix the JSON syntax (a missing comma or quote, or a trailing comma?)")
        ]) from None
    except _Duplicate:
        at, key, first = json_scan(text, "duplicate")
        raise _located(src, at, f"duplicate key {key!r} in a JSON object (first defined on line "
                                f"{text.count(chr(10), 0, first) + 1})",
                       "remove one of the two; JSON parsers keep only the last silently") from None
    except RecursionError:
        at, _, _ = json_scan(text, "depth")
        raise _located(src, at, f"JSON nested deeper than {MAX_DEPTH} levels", "flatten the document") from None
    except ValueError as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            at, _, _ = json_scan(text, "constant")
            raise _located(src, at, f"{exc} is not JSON (RFC 8259 has no NaN or Infinity)",
                           "write null, or the number as a string") from None
        at, _, _ = json_scan(text, "long")
        raise _located(src, at, f"integer with more than {MAX_INT_DIGITS} digits is too large",
                       "write it as a string") from None
    if "\\u" in text:
        lone = lone_surrogate(text)
        if lone is not None:
            raise _located(src, lone, f"{text[lone:lone + 6]} is half of a UTF-16 surrogate pair (a lone "
                                      "surrogate): no UTF-8 text or database can hold it",
                           "write the whole pair (\\ud83d\\ude00) or the character itself")
    return data


def _located(src: SourceText, offset: int, message: str, hint: str) -> SourceError:
    text = src.text
    line = text.count("\n", 0, offset) + src.first_line
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SourceError(problems=[Problem(message, file=src.display, line=line, column=col, hint=hint)])


_SCAN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|-?Infinity|NaN|-?\d+')
_HALF = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")


def json_scan(text: str, what: str) -> tuple[int, Any, int]:
    """Where the first ``what`` is (error path only): a ``duplicate`` key (offset, key, first offset), a
    ``depth`` beyond MAX_DEPTH, a NaN/Infinity ``constant``, a ``long`` integer. (0, None, 0) if not found."""
    stack: list[dict[str, int] | None] = []     # per open container: its keys (objects) or None (arrays)
    expect_key = False
    for m in _SCAN.finditer(text):
        token = m.group()
        c = token[0]
        if c == '"':
            if expect_key and stack and stack[-1] is not None:
                key = json.loads(token)
                if what == "duplicate" and key in stack[-1]:
                    return m.start(), key, stack[-1][key]
                stack[-1].setdefault(key, m.start())
            expect_key = False
        elif c in "{[":
            stack.append({} if c == "{" else None)
            if what == "depth" and len(stack) > MAX_DEPTH:
                return m.start(), None, 0
            expect_key = c == "{"
        elif c in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif c == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif c == ":":
            expect_key = False
        elif what == "constant" and token.lstrip("-")[0] in "IN":
            return m.start(), None, 0
        elif what == "long" and len(token.lstrip("-")) > MAX_INT_DIGITS:
            return m.start(), None, 0
    return 0, None, 0


def lone_surrogate(text: str) -> int | None:
    """Offset of the first ``\\uD800``-``\\uDFFF`` escape that is not half of a high+low pair, or None."""
    pair_end = -1
    for m in _HALF.finditer(text):
        if len(m.group(1)) % 2 == 0:          # "\\\\ud800": an escaped backslash, then text
            continue
        at = m.end() - 6
        if at < pair_end:
            continue
        if int(m.group(2), 16) < 0xDC00:       # high: a low must follow at once
            low = _HALF.match(text, m.end())
            if low is not None and len(low.group(1)) == 1 and int(low.group(2), 16) >= 0xDC00:
                pair_end = low.end()
                continue
        return at
    return None


class _TooDeep(Exception):
    def __init__(self, offset: int):
        super().__init__(offset)
        self.offset = offset


def json_lines(text: str, depth: int) -> Callable[[tuple], int]:
    """``line(path)`` for values up to ``depth`` levels deep, from one scan of the JSON tokens."""
    if depth == 0:
        return lambda p: 1
    offsets: dict[tuple, int] = {}
    path: list[Any] = []
    objects: list[bool] = []     # open containers: True = object, False = array
    key: Any = None
    awaiting_key = False
    for m in _TOKENS.finditer(text):
        token = m.group()
        c = token[0]
        if c == '"':
            if awaiting_key:
                key = json.loads(token) if "\\" in token else token[1:-1]
                awaiting_key = False
        elif c == ":":
            path.append(key)
            if len(path) <= depth:
                offsets[tuple(path)] = m.end()
        elif c == ",":
            if objects and objects[-1]:
                if len(path) == len(objects):
                    path.pop()
                awaiting_key = True
            elif path:
                path[-1] += 1
                if len(path) <= depth:
                    offsets[tuple(path)] = m.end()
        elif c == "{":
            objects.append(True)
            awaiting_key = True
            if len(objects) > MAX_DEPTH:
                raise _TooDeep(m.start())
        elif c == "[":
            objects.append(False)
            if len(objects) > MAX_DEPTH:
                raise _TooDeep(m.start())
            path.append(0)
            if len(path) <= depth:
                offsets[tuple(path)] = m.end()
        elif objects:   # } or ]
            if len(path) == len(objects):
                path.pop()
            objects.pop()
            awaiting_key = False
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line(p: tuple) -> int:
        offset = offsets.get(p)
        if offset is None:
            return 1
        offset = _SPACE.match(text, offset).end()  # type: ignore[union-attr]
        return bisect_right(newlines, offset - 1) + 1
    return line


def pointer_records(pointer: Pointer, data: Any, line_of: Callable[[tuple], int], display: str, kind: str,
                    extra: dict[str, Any] | None = None, origin: Origin | None = None) -> Iterator[Record]:
    """One Record per value ``pointer`` matches: the value's own keys, named wildcards, ``$`` metadata."""
    names = [n for n, w in zip(pointer.names, pointer.wild) if w]
    for path, segs, value in pointer.match(data):
        record: dict[str, Any] = dict(value) if isinstance(value, dict) else {"value": value}
        for name, seg in zip(names, segs):
            if name:
                record[name] = seg
        record["$key"] = path[-1] if path else None
        record["$pointer"] = format_path(path)
        record["$match"] = segs
        record["$value"] = value
        if extra:
            for k, v in extra.items():
                record.setdefault(k, v)
        yield Record(record, display, line_of(path), kind, origin)


def load_document(kind: str, src: SourceText, depth: int) -> tuple[Any, Callable[[tuple], int], Origin]:
    """(data, line-of-path, origin of single values) of a JSON or YAML source."""
    if kind == "json" and is_json_lines(src.display):
        return load_json_lines(src, load_json_source)
    if kind == "json":
        data = load_json_source(src)
        try:
            return data, json_lines(src.text, max(depth, 1)), JsonOrigin(src.text, data, json_lines)
        except _TooDeep as exc:
            raise _located(src, exc.offset, f"JSON nested deeper than {MAX_DEPTH} levels",
                           "flatten the document") from None
    data, marks = load_yaml_source(src.text, src.display)
    return data, lambda p: marks.get(p, (1, 1))[0], MarksOrigin(marks)


def extract_document(strategy: DocumentStrategy, src: SourceText,
                     loaded: tuple[Any, Callable[[tuple], int], Origin]) -> Iterator[Record]:
    data, line_of, origin = loaded
    yield from pointer_records(strategy.pointer, data, line_of, src.display, strategy.kind, origin=origin)
