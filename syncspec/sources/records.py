"""The Record: one extracted entry, with where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

_SNAKE_RE = re.compile(r"[\W_]+")   # unicode-aware: "Priorität" stays a word, not "priorit_t"


class Origin(Protocol):
    """Where in its file a record's values were written; asked only when a value is in error."""

    def locate(self, record: Record, path: tuple[str, ...]) -> tuple[int, int | None] | None: ...


@dataclass(frozen=True, slots=True)
class Record:
    """Values a strategy read from one place in one file.

    ``origin`` (one object per file, shared by its records) finds the line of a single value,
    so a bad field is reported at its own line rather than at the record's first.
    """

    data: dict[str, Any]
    file: str
    line: int
    strategy: str
    origin: Origin | None = None

    def where(self, path: tuple[str, ...] | None) -> tuple[int, int | None]:
        """(line, column) of the value at ``path``: the record's own line when not known."""
        if self.origin is None or not path:
            return self.line, None
        try:
            return self.origin.locate(self, path) or (self.line, None)
        except (LookupError, ValueError, TypeError):   # a best effort for a message: never an error of its own
            return self.line, None

    def get(self, path: tuple[str, ...]) -> Any:
        """Value at a dotted record path; ``$path``/``$line``/... are record metadata."""
        head = path[0]
        if head[0] == "$":
            value: Any = self.meta(head)
        else:
            value = self.data.get(head)
        for part in path[1:]:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    def meta(self, name: str) -> Any:
        if name in ("$path", "$file"):
            return self.file
        if name == "$stem":
            base = self.file.rsplit("/", 1)[-1]
            return base.rsplit(".", 1)[0]
        if name == "$line":
            return self.line
        if name == "$strategy":
            return self.strategy
        return self.data.get(name)   # $key, $pointer, $match, $value of pointer-matched records


@lru_cache(maxsize=4096)   # field names repeat in every section: 100k entries, a handful of distinct keys
def snake_case(key: str) -> str:
    """``'Last Updated'`` -> ``'last_updated'``; ``'Größe (cm)'`` -> ``'größe_cm'``."""
    return _SNAKE_RE.sub("_", key).strip("_").lower()
