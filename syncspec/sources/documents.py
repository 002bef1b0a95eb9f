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
from ..spec.yamlfile import _walk, _yaml_problem
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
    padded = "\n" * line_offset + text   # so every mark and message names the file's own lines
    try:
        loader = SourceLoader(padded)
    except yaml.reader.ReaderError as exc:   # a control character: PyYAML checks them first
        line = padded.count("\n", 0, exc.position) + 1
        col = exc.position - (padded.rfind("\n", 0, exc.position) + 1) + 1
        raise SourceError(problems=[Problem(
            f"invalid YAML{where}: character {exc.character!r} is not allowed", file=display, line=line,
            column=col, hint="remove the control character (YAML allows printable characters, tabs and newlines)")
        ]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {(): (line_offset + 1, 1)}
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
    except RecursionError:
        raise SourceError(problems=[Problem("YAML nested too deeply", file=display)]) from None
    finally:
        loader.dispose()
    return data, marks


def load_json_source(src: SourceText) -> Any:
    """JSON data, or a SourceError naming the line and column of the syntax error."""
    try:
        return json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise SourceError(problems=[Problem(
            f"invalid JSON: {exc.msg}", file=src.display, line=exc.lineno, column=exc.colno,
            hint="one JSON document per line is JSON Lines: name the file .jsonl (or .ndjson)"
            if exc.msg == "Extra data" else "fix the JSON syntax (a missing comma or quote, or a trailing comma?)")
        ]) from None
    except RecursionError:
        raise SourceError(problems=[Problem("JSON nested too deeply", file=src.display)]) from None


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
        elif c == "[":
            objects.append(False)
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
        return data, json_lines(src.text, depth), JsonOrigin(src.text, data, json_lines)
    data, marks = load_yaml_source(src.text, src.display)
    return data, lambda p: marks.get(p, (1, 1))[0], MarksOrigin(marks)


def extract_document(strategy: DocumentStrategy, src: SourceText,
                     loaded: tuple[Any, Callable[[tuple], int], Origin]) -> Iterator[Record]:
    data, line_of, origin = loaded
    yield from pointer_records(strategy.pointer, data, line_of, src.display, strategy.kind, origin=origin)
