"""JSON Pointers with wildcards (``/phases/{phase}/workstreams/*``): parse, match, explain a miss."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_NAME_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")


class PointerSyntaxError(ValueError):
    """A pointer that cannot be parsed; the message says what to write instead."""


@dataclass(frozen=True)
class Pointer:
    """A parsed pointer: literal segments, and wildcards (``*`` or ``{name}``; name None for ``*``)."""

    source: str
    parts: tuple[str, ...]
    wild: tuple[bool, ...]
    names: tuple[str | None, ...]

    @classmethod
    def parse(cls, text: str, implicit_key: bool = False) -> Pointer:
        """``/a/*/b/{name}``; RFC 6901 escapes (``~0`` = ``~``, ``~1`` = ``/``) in literal segments.

        With ``implicit_key``, a text without a leading ``/`` is one top-level key (``prs``).
        """
        if implicit_key and not text.startswith("/"):
            text = "/" + text.replace("~", "~0").replace("/", "~1")
        if text and not text.startswith("/"):
            raise PointerSyntaxError(f"a JSON Pointer starts with '/' (write '/{text}')")
        parts, wild, names = [], [], []
        for raw in text.split("/")[1:] if text else []:
            if re.search(r"~(?![01])", raw):
                raise PointerSyntaxError(f"'~' must be escaped as '~0' in segment {raw!r}")
            m = _NAME_RE.match(raw)
            if raw == "*" or m:
                name = m.group(1) if m else None
                if name is not None and name in names:
                    raise PointerSyntaxError(f"the wildcard name {name!r} is used twice")
                parts.append(raw)
                wild.append(True)
                names.append(name)
            elif "{" in raw or "}" in raw:
                raise PointerSyntaxError(f"segment {raw!r}: a named wildcard is '{{name}}' "
                                         "(letters, digits, underscores) and fills the whole segment")
            else:
                parts.append(raw.replace("~1", "/").replace("~0", "~"))
                wild.append(False)
                names.append(None)
        return cls(text, tuple(parts), tuple(wild), tuple(names))

    def child(self) -> Pointer:
        """This pointer with ``/*`` appended: every element of what it points at."""
        return Pointer(self.source + "/*", self.parts + ("*",), self.wild + (True,), self.names + (None,))

    @property
    def captures(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if n)

    def match(self, data: Any) -> Iterator[tuple[tuple, list[str], Any]]:
        """Every ``(concrete path, wildcard segments, value)`` the pointer matches, in document order."""
        stack: list[tuple[int, tuple, list[str], Any]] = [(0, (), [], data)]
        depth = len(self.parts)
        while stack:
            i, path, segs, value = stack.pop()
            if i == depth:
                yield path, segs, value
                continue
            found = list(_children(value, self.parts[i], self.wild[i]))
            for key, child in reversed(found):
                stack.append((i + 1, path + (key,), (segs + [str(key)]) if self.wild[i] else segs, child))

    def explain(self, data: Any, what: str = "the document") -> str:
        """Why the pointer matches nothing: where the deepest partial match stops."""
        frontier: list[tuple[tuple, Any]] = [((), data)]
        for i, (part, wild) in enumerate(zip(self.parts, self.wild)):
            nxt = [(path + (k,), v) for path, value in frontier for k, v in _children(value, part, wild)]
            if not nxt:
                path, value = frontier[0]
                where = format_path(path) or what
                extra = f" (and {len(frontier) - 1} more like it)" if len(frontier) > 1 else ""
                if wild:
                    return f"{where}{extra} is {_describe(value)}, which has no elements for '*' to match"
                if isinstance(value, dict):
                    keys = [str(k) for k in value]
                    close = difflib.get_close_matches(part, keys, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    return f"{where}{extra} has no key {part!r} (keys: {_list(keys)}){hint}"
                if isinstance(value, list):
                    return f"{where}{extra} is a list of {len(value)}: {part!r} is not an index in it (use '*')"
                return f"{where}{extra} is {_describe(value)}, not an object or list"
            frontier = nxt
        return f"{self.source} matches {len(frontier)} value(s)"


def _children(value: Any, part: str, wild: bool) -> Iterator[tuple[Any, Any]]:
    if isinstance(value, dict):
        if wild:
            yield from value.items()
        elif part in value:
            yield part, value[part]
        else:   # YAML keys may be numbers or dates: compare as text
            for key, child in value.items():
                if not isinstance(key, str) and str(key) == part:
                    yield key, child
                    break
    elif isinstance(value, list):
        if wild:
            yield from enumerate(value)
        elif part.isdigit() and (part == "0" or not part.startswith("0")) and int(part) < len(value):
            yield int(part), value[int(part)]


def format_path(path: tuple) -> str:
    """``('phases', 'PH-1', 0)`` -> ``/phases/PH-1/0`` (RFC 6901 escaped)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an empty object" if not value else "an object"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    kind = ("a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else
            "a string" if isinstance(value, str) else f"a {type(value).__name__}")
    return f"{kind} ({_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _list(keys: list[str], n: int = 8) -> str:
    return ", ".join(keys[:n]) + (f", ... ({len(keys)} keys)" if len(keys) > n else "") if keys else "none"
