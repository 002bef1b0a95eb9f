"""The Redis target: each entry of a spec becomes one Redis key, named by a template from its columns.

``redis://[:password@]host:port/db`` (or ``rediss://`` for TLS), declared in the workspace
``targets:`` (there is no default: a Redis target is always named). An optional key prefix
for everything syncspec writes comes from ``targets: {cache: {url: ..., prefix: "app:"}}``
or the URL's ``?prefix=app:`` query.

Spec keys (``target`` or an ``also`` item of ``kind: redis``):

- ``key_template``: the Redis key of an entry, ``{spec}:{key}`` by default; ``{key}`` is the
  key parts joined by ``:``, and any column may be named (``pr:{id}:cold_state``). Python
  format syntax: a literal brace (a Redis Cluster hash tag) is doubled, ``{{pr:{id}}}:cold``.
- ``value``: ``hash`` (a Redis hash of the columns, the default), ``json`` (a string holding
  the canonical JSON of the columns) or ``string`` (one column's text, named by ``column``).
- ``ttl``: seconds; every key written gets this expiry.

Ownership: per binding one Redis hash ``{prefix}syncspec:index:{label}`` maps each entry's key
(canonical JSON of the key tuple) to ``[content hash, redis key]`` (``[..., true]`` once marked
deleted), so ``index()`` never uses KEYS or SCAN and keys syncspec did not write are never
touched. A value and its index entry are written together in one MULTI/EXEC per batch.

No transactions across a run and no lock of its own: the engine keeps this target's state in
the workspace state database, locks that, and holds the writes back until the run's input
checked out (ADR 0005); writes are idempotent by key and hash, so a run cut short converges.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import Problem, SpecError, SyncSpecError, TargetError, TargetUnavailable
from ..records import canonical, coerce
from .base import Binding, Capabilities, Index, Key

DEFAULT_TEMPLATE = "{spec}:{key}"
VALUE_KINDS = ("hash", "json", "string")
BATCH = 1000


def _mask(url: str) -> str:
    from ..workspace import mask_url

    return mask_url(url)


def split_prefix(url: str) -> tuple[str, str]:
    """(URL without syncspec's own ``prefix`` query parameter, the prefix)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = "".join(v for k, v in query if k == "prefix")
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class _Layout:
    """How one binding's entries are laid out in Redis (from the spec's redis keys)."""

    def __init__(self, binding: Binding, prefix: str):
        ref, spec = binding.ref, binding.spec
        self.template = str(ref.option("key_template", DEFAULT_TEMPLATE))
        self.value = ref.option("value", "hash")
        self.column = ref.option("column")
        ttl = ref.option("ttl")
        self.ttl = int(ttl) if ttl else None
        self.types = {c.name: c.type for c in spec.columns}
        self.spec_name = spec.name
        self.key_names = spec.key
        self.prefix = prefix
        self.index = f"{prefix}syncspec:index:{binding.label}"
        fields = {f for _, f, _, _ in string.Formatter().parse(self.template) if f}
        unknown = sorted(fields - {"spec", "key", *self.types})
        where = f"{ref.json_path}"
        if unknown:
            raise SpecError(problems=[Problem(
                f"key_template names {', '.join(map(repr, unknown))}, not a column of spec {spec.name!r}",
                file=spec.file, json_path=f"{where}.key_template",
                hint=f"use {{spec}}, {{key}} or a column: {', '.join(self.types)}")])
        if self.value not in VALUE_KINDS:
            raise SpecError(problems=[Problem(f"value {self.value!r} is not one of {', '.join(VALUE_KINDS)}",
                                              file=spec.file, json_path=f"{where}.value")])
        if self.value == "string" and self.column not in self.types:
            raise SpecError(problems=[Problem(
                "value: string needs `column:` naming one column", file=spec.file, json_path=f"{where}.column",
                hint=f"columns: {', '.join(self.types)}")])
        # the Redis key is a function of the entry key alone: no read before a write to find renames
        self.stable = fields <= {"spec", "key", *self.key_names}

    def name(self, key: Key, values: dict[str, Any]) -> str:
        fields = {n: _text(v) for n, v in values.items()}
        fields.update(spec=self.spec_name, key=":".join(_text(k) for k in key))
        return self.prefix + self.template.format_map(fields)

    def encode(self, values: dict[str, Any]) -> Any:
        """What is stored under the entry's key: a mapping (hash), or text (json, string), or None."""
        if self.value == "hash":
            return {n: _text(v) if self.types.get(n) != "json" else canonical(v)
                    for n, v in values.items() if v is not None}
        if self.value == "json":
            return canonical(values)
        v = values.get(self.column)
        return None if v is None else _text(v)

    def decode(self, stored: Any) -> dict[str, Any] | None:
        """Stored value -> column values as the mapper makes them (None: nothing stored)."""
        if stored is None or stored == {}:
            return None
        if self.value == "string":
            return {self.column: coerce(stored, self.types[self.column])}
        raw = stored if self.value == "hash" else json.loads(stored)
        out: dict[str, Any] = {}
        for name, ctype in self.types.items():
            v = raw.get(name)
            if v is None:
                out[name] = None
            elif ctype == "json":
                out[name] = json.loads(v) if self.value == "hash" else v
            else:
                out[name] = coerce(v, ctype)
        return out


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return canonical(value)
    return str(value)


def _field(key: Key) -> str:
    return canonical(list(key))


def _entry(raw: str) -> tuple[str | None, str, bool]:
    """An index value -> (content hash, Redis key, marked deleted?)."""
    v = json.loads(raw)
    return v[0], v[1], bool(v[2]) if len(v) > 2 else False


class RedisTarget:
    """Entries as Redis keys; which keys are ours lives in one index hash per binding."""

    kind = "redis"
    capabilities = Capabilities(transactions=False, locks=False, schema=False, values=True, soft_delete=True)

    def __init__(self, name: str, url: str, root: Path | None = None):
        self.name = name
        self.url, self.prefix = split_prefix(url)
        self.label = _mask(self.url) + (f" (prefix {self.prefix})" if self.prefix else "")
        self.client: Any = None
        self._layouts: dict[str, _Layout] = {}
        self._fresh: dict[str, bool] = {}

    # -- connection -----------------------------------------------------------
    def open(self, write: bool) -> None:
        try:
            import redis
        except ImportError:
            raise TargetUnavailable(problems=[Problem(
                f"target {self.name!r} ({self.label}) needs the redis package",
                hint="pip install 'syncspec[redis]'")]) from None
        self.client = redis.Redis.from_url(self.url, decode_responses=True, socket_connect_timeout=5,
                                           socket_timeout=30)
        self.client.ping()          # unreachable: a ConnectionError, made a TargetError by error()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def irreversible(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                     allow_destructive: bool) -> bool:
        return False

    def bound(self, lock_seconds: float, max_seconds: float | None) -> None:
        pass                     # socket timeouts bound every wait on the server already

    def lock(self, timeout: float):
        """No lock of its own (``locks=False``): the engine locks the workspace state database instead."""
        return nullcontext()

    def state_store(self) -> None:
        return None

    def error(self, exc: BaseException) -> SyncSpecError | None:
        try:
            from redis.exceptions import RedisError
        except ImportError:
            return None
        if not isinstance(exc, RedisError):
            return None
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return TargetError(problems=[Problem(
            f"redis error on {self.label}: {detail}",
            hint="check that the Redis server is up and reachable; a rerun converges (writes are idempotent)")],
            target=self.label)

    # -- structure (none) -----------------------------------------------------
    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        for b in bindings:
            self._layout(b)
        return {}

    @contextmanager
    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> Iterator[dict[str, list[str]]]:
        for b in bindings:
            self._layout(b)
            self._fresh[b.label] = not self.exists(b)
        yield {}

    def _layout(self, binding: Binding) -> _Layout:
        layout = self._layouts.get(binding.label)
        if layout is None:
            layout = self._layouts[binding.label] = _Layout(binding, self.prefix)
        return layout

    def fresh(self, binding: Binding) -> bool:
        return self._fresh.get(binding.label, not self.exists(binding))

    def exists(self, binding: Binding) -> bool:
        return bool(self.client.exists(self._layout(binding).index))

    # -- rows -----------------------------------------------------------------
    def index(self, binding: Binding) -> Index:
        out: Index = {}
        for field, raw in self.client.hgetall(self._layout(binding).index).items():
            h, _, deleted = _entry(raw)
            out[tuple(json.loads(field))] = (h, deleted)
        return out

    def count(self, binding: Binding) -> int:
        """Entries in the ownership index (one HLEN), less the marked ones when marks are in use."""
        layout = self._layout(binding)
        if binding.spec.on_missing != "mark":
            return int(self.client.hlen(layout.index))
        return sum(not deleted for _, deleted in self.index(binding).values())

    def _entries(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, tuple[str | None, str, bool]]:
        layout = self._layout(binding)
        out = {}
        for i in range(0, len(keys), BATCH):
            chunk = list(keys[i:i + BATCH])
            if not chunk:
                continue
            for key, raw in zip(chunk, self.client.hmget(layout.index, [_field(k) for k in chunk])):
                if raw is not None:
                    out[tuple(key)] = _entry(raw)
        return out

    def lookup(self, binding: Binding, keys: Sequence[Key]) -> Index:
        return {k: (h, d) for k, (h, _, d) in self._entries(binding, keys).items()}

    def upsert(self, binding: Binding, rows: Sequence[Any], now: dt.datetime) -> None:
        layout = self._layout(binding)
        for i in range(0, len(rows), BATCH):
            chunk = rows[i:i + BATCH]
            old = {} if layout.stable else self._entries(binding, [r.key for r in chunk])
            pipe = self.client.pipeline(transaction=True)
            index: dict[str, str] = {}
            for row in chunk:
                name = layout.name(row.key, row.values)
                prev = old.get(tuple(row.key))
                if prev is not None and prev[1] != name:
                    pipe.delete(prev[1])
                value = layout.encode(row.values)
                if layout.value == "hash":
                    pipe.delete(name)
                    if value:
                        pipe.hset(name, mapping=value)
                        if layout.ttl:
                            pipe.expire(name, layout.ttl)
                elif value is None:
                    pipe.delete(name)
                else:
                    pipe.set(name, value, ex=layout.ttl)
                index[_field(row.key)] = canonical([row.hash, name])
            if index:
                pipe.hset(layout.index, mapping=index)
            pipe.execute()

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None:
        layout = self._layout(binding)
        found = self._entries(binding, keys)
        items = list(found.items())
        for i in range(0, len(items), BATCH):
            chunk = items[i:i + BATCH]
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(*[name for _, (_, name, _) in chunk])
            pipe.hdel(layout.index, *[_field(k) for k, _ in chunk])
            pipe.execute()

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None:
        """on_missing: mark: the entry's key stays; its index entry says deleted (a hash value also
        gets a ``deleted_at`` field)."""
        layout = self._layout(binding)
        items = list(self._entries(binding, keys).items())
        for i in range(0, len(items), BATCH):
            pipe = self.client.pipeline(transaction=True)
            for key, (h, name, _) in items[i:i + BATCH]:
                if layout.value == "hash":
                    pipe.hset(name, "deleted_at", now.isoformat())
                pipe.hset(layout.index, _field(key), canonical([h, name, True]))
            pipe.execute()

    def _stored(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        layout = self._layout(binding)
        found = list(self._entries(binding, keys).items())
        out: dict[Key, dict[str, Any]] = {}
        for i in range(0, len(found), BATCH):
            chunk = found[i:i + BATCH]
            pipe = self.client.pipeline(transaction=False)
            for _, (_, name, _) in chunk:
                pipe.hgetall(name) if layout.value == "hash" else pipe.get(name)
            for (key, _), stored in zip(chunk, pipe.execute()):
                decoded = layout.decode(stored)
                if decoded is not None:
                    out[key] = decoded
        return out

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        return {k: tuple(v.get(n) for n in names) for k, v in self._stored(binding, keys).items()}

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        return self._stored(binding, keys)
