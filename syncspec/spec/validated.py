"""Documents that passed schema validation before, so an unchanged spec skips jsonschema.

jsonschema is the largest import of a no-op sync (and of every git hook that has to load specs).
Validation is a pure function of the document and the schema, so a digest of both that passed
once passes again: ``validated.json`` in the user's cache folder (``$SYNCSPEC_CACHE_DIR``, else
``$XDG_CACHE_HOME/syncspec``, else ``~/.cache/syncspec``; not the workspace, so read-only verbs
leave it untouched) keeps such digests (the document's data with its types tagged, so the date
2024-01-01 and the string '2024-01-01' differ; the schema's own text). An edited spec has a new
digest and is validated in full. Not writable: nothing is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

KEEP = 512


def cache_dir() -> Path:
    explicit = os.environ.get("SYNCSPEC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "syncspec"


def _tag(value: Any) -> str:
    return f"<{type(value).__name__}:{value}>"


def _canon(value: Any) -> Any:
    """JSON-able, with mapping keys and non-JSON scalars tagged by type (YAML keys may be 2 or true, not only text)."""
    if isinstance(value, dict):
        return ["<map>", sorted([_tag(k), _canon(v)] for k, v in value.items())]
    if isinstance(value, (list, tuple)):
        return [_canon(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _tag(value)


class ValidatedCache:
    """Digests of (schema, document) pairs that validated (content-addressed: shared by every workspace)."""

    def __init__(self) -> None:
        self.path = cache_dir() / "validated.json"
        try:
            self.known: list[str] = list(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            self.known = []
        self._known = set(self.known)
        self.used: list[str] = []
        self.dirty = False
        self._schemas: dict[str, str] = {}

    def digest(self, schema: str, data: Any) -> str:
        if schema not in self._schemas:
            from .schema import schema_text

            self._schemas[schema] = hashlib.sha256(schema_text(schema).encode()).hexdigest()
        text = json.dumps(_canon(data), separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{self._schemas[schema]}\0{type(data).__name__}\0{text}".encode()).hexdigest()[:32]

    def hit(self, digest: str) -> bool:
        if digest in self._known:
            self.used.append(digest)
            return True
        return False

    def add(self, digest: str) -> None:
        self.used.append(digest)
        self._known.add(digest)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        keep = list(dict.fromkeys(self.used + self.known))[:KEEP]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(keep), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass
        self.dirty = False
