"""JSON Lines (``.jsonl``, ``.ndjson``): the file read as the JSON array of its non-blank lines.

So ``json: {pointer: /*}`` is one record per line, at its own line; each line goes through the
same JSON loading (and checks) as a whole JSON file, its errors moved to the line in the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..errors import Problem, SourceError
from .origins import MarksOrigin
from .text import SourceText

SUFFIXES = frozenset({".jsonl", ".ndjson"})


def is_json_lines(display: str) -> bool:
    return PurePosixPath(display).suffix.lower() in SUFFIXES


def load_json_lines(src: SourceText, load: Callable[[SourceText], Any]) -> tuple[list, Callable[[tuple], int],
                                                                                 MarksOrigin]:
    """(documents, line of a path, origin); ``load`` reads one line's JSON (documents.load_json_source)."""
    data: list[Any] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for n, line in enumerate(src.text.split("\n"), src.first_line):
        if not line.strip():
            continue
        try:
            data.append(load(SourceText(src.display, line, b"")))
        except SourceError as exc:
            problems.extend(dataclasses.replace(p, line=n if p.line is None else p.line + n - 1)
                            for p in exc.problems)
            continue
        lines.append(n)
    if problems:
        raise SourceError(problems=problems)
    marks: dict[tuple, tuple[int, int]] = {(i,): (line, 1) for i, line in enumerate(lines)}
    marks[()] = (1, 1)

    def line_of(path: tuple) -> int:
        return lines[path[0]] if path and isinstance(path[0], int) and path[0] < len(lines) else 1
    return data, line_of, MarksOrigin(marks)
