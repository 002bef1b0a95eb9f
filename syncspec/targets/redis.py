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
  the canonical JSON of the columns), ``string`` (one column's text, named by ``column``) or
  ``set`` (a Redis set of the members of one json column's list, named by ``column``; read back
  as ``Members``, compared by membership, so a member added or removed by hand is drift and the
  source list's order is not).
- ``ttl``: seconds; every key written gets this expiry. An expired key reads as missing, so the next
  sync writes it again (the count guard sees it): the TTL bounds how stale the cache gets while
  syncspec is not running, it does not make the key go away for good.
- ``hot_keys``: keys *others* write beside an entry (``pr:{id}:hot_state``), never written by
  syncspec, cleared when the spec says: ``clear_on: [removed]`` (the entry left the source),
  ``changed`` (the entry's cold state changed: what its value key holds, or only the hot key's
  ``columns:`` of it; an edit to a column Redis does not hold, or to another column, is no
  change), ``expired`` (the binding's ``heartbeat`` key for that
  entry is gone: the agent that wrote it died). A hot key's template names only the entry key.
- ``heartbeat``: the template of the key whose absence means ``expired`` (itself usually a hot key
  with ``clear_on: [removed]``).

Ownership: per binding one Redis hash ``{prefix}syncspec:index:{label}`` maps each entry's key
(canonical JSON of the key tuple) to ``[content hash, redis key]`` (``[..., true]`` once marked
deleted), so ``index()`` never uses KEYS or SCAN and keys syncspec did not write are never
touched. A value and its index entry are written together by one Lua script call per batch of
1000 (atomic like MULTI/EXEC, one command on the wire instead of two or three per entry).
An index entry whose value key is gone (deleted by hand, expired, a FLUSHDB of the values) reads
as not held: ``index``/``count`` check the value keys server-side in one Lua call, so the count
guard of a plain sync and ``verify`` see it and the sync writes it again.

No transactions across a run and no lock of its own: the engine keeps this target's state in
the workspace state database, locks that, and holds the writes back until the run's input
checked out (ADR 0005); writes are idempotent by key and hash, so a run cut short converges.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import Problem, SpecError, SyncSpecError, TargetError, TargetUnavailable, first_line
from ..records import canonical, coerce
from .base import Binding, Capabilities, Index, Key, WithoutTransactions

DEFAULT_TEMPLATE = "{spec}:{key}"
VALUE_KINDS = ("hash", "json", "string", "set")
BATCH = 1000
CLEAR_ON = ("removed", "changed", "expired")

# Redis Cluster and these scripts. A Cluster runs a script on one node and lets it touch only keys of
# one hash slot, declared in KEYS; each call below covers a batch of up to 1000 entries (1000 slots)
# plus the binding's index hash, with key names in ARGV. So on a Cluster (found at open: INFO cluster)
# the target uses RedisCluster and does what each script does with plain commands in per-node
# pipelines instead (_scan_cluster, _upsert_cluster, _hot_cluster): not atomic per batch, but every
# write is idempotent and ordered so that a batch cut anywhere converges on the next run. A key
# template with a hash tag, "{{pr:{id}}}:cold_state" (the key {pr:PR-7}:cold_state), with hot keys and
# heartbeat tagged alike, puts all of one entry's keys in one slot: an agent's own MULTI or script over
# one entry (read its cold state, write its hot state) then works on a Cluster too.

# One pass over a binding's index on the server: which entries' value keys are gone, and how many
# live (present, not marked) entries there are. No data crosses the wire but the missing fields.
_SCAN_INDEX = """
local all = redis.call('HGETALL', KEYS[1])
local missing, live = {}, 0
for i = 1, #all, 2 do
  local v = cjson.decode(all[i + 1])
  if v[3] == true then
    -- marked deleted: not live, and its key may be gone
  elseif v[4] ~= true and redis.call('EXISTS', v[2]) == 0 then
    missing[#missing + 1] = all[i]
  else
    live = live + 1
  end
end
return {live, missing}
"""

# One batch of upserts, atomically (a script runs alone, like MULTI/EXEC) and as one command with
# one argument: the batch as JSON (decoded by cjson on the server, so the client packs no per-row
# arguments). ARGV[1] = [index key, kind (hash|set|text), ttl (0: none), rows, hot keys to clear], a row
# = [name, previous name ("": none), index field, index value, value (hash: [field, value, ...];
# set: [member, ...]; text: the string, or null to delete)].
_UPSERT = """
-- unpack() of more than ~8000 values overflows Lua's C stack: a big hash, set or index write goes in
-- slices of 1000 (even, so hash field/value pairs stay together)
local function call(cmd, name, args)
  for i = 1, #args, 1000 do redis.call(cmd, name, unpack(args, i, math.min(i + 999, #args))) end
end
local batch = cjson.decode(ARGV[1])
local index, kind, ttl = batch[1], batch[2], batch[3]
local entries = {}
for _, row in ipairs(batch[4]) do
  local name, prev, value = row[1], row[2], row[5]
  if prev ~= '' and prev ~= name then redis.call('DEL', prev) end
  if kind == 'hash' or kind == 'set' then
    redis.call('DEL', name)
    if #value > 0 then
      call(kind == 'hash' and 'HSET' or 'SADD', name, value)
      if ttl > 0 then redis.call('EXPIRE', name, ttl) end
    end
  elseif value == cjson.null then
    redis.call('DEL', name)
  elseif ttl > 0 then
    redis.call('SET', name, value, 'EX', ttl)
  else
    redis.call('SET', name, value)
  end
  entries[#entries + 1] = row[3]
  entries[#entries + 1] = row[4]
end
if #entries > 0 then call('HSET', index, entries) end
local clear = batch[5]
for i = 1, #clear, 1000 do redis.call('DEL', unpack(clear, i, math.min(i + 999, #clear))) end
return #batch[4]
"""

# Hot keys that should be gone: ARGV[1] = 'check' (report only: verify, plan) or 'clear' (sync, repair),
# then pairs (hot key, heartbeat key or '' for "unconditionally": its entry is marked deleted). A pair
# counts when the hot key exists and its heartbeat does not; returns those hot keys (deleted on 'clear').
_HOT_CONFLICTS = """
local found = {}
for i = 2, #ARGV, 2 do
  if redis.call('EXISTS', ARGV[i]) == 1 and (ARGV[i + 1] == '' or redis.call('EXISTS', ARGV[i + 1]) == 0) then
    found[#found + 1] = ARGV[i]
    if ARGV[1] == 'clear' then redis.call('DEL', ARGV[i]) end
  end
end
return found
"""


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
        if self.value == "set" and self.types.get(self.column) != "json":
            lists = [n for n, t in self.types.items() if t == "json"]
            raise SpecError(problems=[Problem(
                "value: set needs `column:` naming a json column (a list: its elements are the set's members)",
                file=spec.file, json_path=f"{where}.column",
                hint=f"json columns: {', '.join(lists)}" if lists else "declare a column of type: json")])
        # the Redis key is a function of the entry key alone: its expected name is known from the key
        self.stable = fields <= {"spec", "key", *self.key_names}
        self._compiled: dict[str, tuple[str, tuple[int, ...]]] = {}   # template -> key_name's format + parts
        self.watch: dict[str, tuple[str, ...]] = {}      # hot key template -> the columns `changed` watches
        self.hot = self._hot_keys(binding)
        beat = ref.option("heartbeat")
        self.heartbeat = str(beat) if beat else None
        if self.heartbeat:
            self._check_key_template(self.heartbeat, binding, f"{where}.heartbeat")
        if any("expired" in on for _, on, _ in self.hot) and not self.heartbeat:
            raise SpecError(problems=[Problem(
                "hot_keys clear_on: expired needs `heartbeat:` (the key whose absence means expired)",
                file=spec.file, json_path=f"{where}.heartbeat", hint="e.g. heartbeat: 'pr:{id}:heartbeat'")])

    def _check_key_template(self, template: str, binding: Binding, where: str) -> None:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        extra = sorted(fields - {"spec", "key", *self.key_names})
        if extra:
            raise SpecError(problems=[Problem(
                f"{template!r} names {', '.join(map(repr, extra))}: a hot key may name only the entry key",
                file=binding.spec.file, json_path=where,
                hint=f"use {{spec}}, {{key}} or a key column: {', '.join(self.key_names)}")])

    def _hot_keys(self, binding: Binding) -> tuple[tuple[str, frozenset[str], str | None], ...]:
        out = []
        for i, item in enumerate(binding.ref.option("hot_keys") or ()):
            where = f"{binding.ref.json_path}.hot_keys[{i}]"
            item = {"template": item} if isinstance(item, str) else dict(item)
            template = str(item.get("template", ""))
            self._check_key_template(template, binding, f"{where}.template")
            on = frozenset(item.get("clear_on", ["removed"]))
            if not on <= set(CLEAR_ON):
                raise SpecError(problems=[Problem(
                    f"clear_on {sorted(on - set(CLEAR_ON))} is not one of {', '.join(CLEAR_ON)}",
                    file=binding.spec.file, json_path=f"{where}.clear_on")])
            name = item.get("name") or _last_segment(template)
            out.append((template, on, name))
            cols = item.get("columns")
            if cols is not None:
                held = self.held_columns()
                if "changed" not in on or not set(cols) <= set(held):
                    raise SpecError(problems=[Problem(
                        "hot key `columns:` name what `clear_on: changed` watches: columns the Redis value "
                        f"holds ({', '.join(held)})" if "changed" in on else
                        "hot key `columns:` needs clear_on: changed (they name what a change is)",
                        file=binding.spec.file, json_path=f"{where}.columns")])
                self.watch[template] = tuple(cols)
        return tuple(out)

    def held_columns(self) -> tuple[str, ...]:
        """The columns the value key holds (all, or the one of a string or set value)."""
        return (str(self.column),) if self.value in ("string", "set") else tuple(self.types)

    def cold(self, raw: Any) -> dict[str, Any]:
        """The value key's content, stored (``raw``: what HGETALL/GET/SMEMBERS gave) or about to be (what
        ``encode`` made), as column -> comparable text: what ``clear_on: changed`` compares."""
        if self.value == "hash":
            return {n: v for n, v in (raw or {}).items() if n != "deleted_at"}
        if self.value == "json":
            try:
                doc = json.loads(raw) if raw else {}
            except ValueError:
                doc = {}
            return {n: canonical(v) for n, v in doc.items()} if isinstance(doc, dict) else {}
        if self.value == "set":
            return {self.column: frozenset(raw or ())}
        return {self.column: raw}

    def changed_hot(self, key: Key, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        """The ``clear_on: changed`` hot keys of an entry whose cold state went from ``before`` to ``after``
        (``cold`` views): each watches its ``columns:``, or the whole value."""
        out = []
        for t, on, _ in self.hot:
            if "changed" not in on:
                continue
            cols = self.watch.get(t) or {*before, *after}
            if any(before.get(c) != after.get(c) for c in cols):
                out.append(self.key_name(t, key))
        return out

    def key_name(self, template: str, key: Key) -> str:
        """A key named from the entry key alone (hot keys, heartbeats, a stable value key)."""
        compiled = self._compiled.get(template)
        if compiled is None:
            fmt, getters = _compile(template)
            at = {n: i for i, n in enumerate(self.key_names)}
            compiled = self._compiled[template] = (fmt, tuple(at[g] + 2 if g not in (0, 1) else g for g in getters))
        fmt, where = compiled
        return self.prefix + fmt.format(*[self.spec_name if g == 0 else _key_text(key) if g == 1 else
                                          _text(key[g - 2]) for g in where])

    def hot_names(self, key: Key, why: str) -> list[str]:
        """The hot keys of an entry that ``why`` (removed, changed) clears."""
        return [self.key_name(t, key) for t, on, _ in self.hot if why in on]

    def name(self, key: Key, values: dict[str, Any]) -> str:
        return self._namer(key, values)

    @functools.cached_property
    def _namer(self) -> Any:
        """``name`` for this template, compiled once: formats only the fields the template uses (one column
        -- ``pr:{id}:cold_state`` -- is one dict lookup and one format call per entry)."""
        fmt, getters = _compile(self.template)
        prefix, spec_name = self.prefix, self.spec_name
        if len(getters) == 1 and getters[0] not in (0, 1):
            column = getters[0]

            def one(key: Key, values: dict[str, Any]) -> str:
                v = values.get(column)
                return prefix + fmt.format(v if type(v) is str else _text(v))
            return one

        def many(key: Key, values: dict[str, Any]) -> str:
            return prefix + fmt.format(*[spec_name if g == 0 else _key_text(key) if g == 1 else _text(values.get(g))
                                         for g in getters])
        return many

    def encode_flat(self, values: dict[str, Any]) -> Any:
        """``encode``, with a hash as the flat [field, value, ...] list HSET takes (no dict per row)."""
        if self.value != "hash":
            return self.encode(values)
        if not self._json:
            return [x for n, v in values.items() if v is not None for x in (n, v if type(v) is str else _text(v))]
        conv = self._conv
        return [x for n, v in values.items() if v is not None for x in (n, conv[n](v))]

    @functools.cached_property
    def _conv(self) -> dict[str, Any]:
        return {n: canonical if t == "json" else _text for n, t in self.types.items()}

    @functools.cached_property
    def _json(self) -> frozenset[str]:
        return frozenset(n for n, t in self.types.items() if t == "json")

    def encode(self, values: dict[str, Any]) -> Any:
        """What is stored under the entry's key: a mapping (hash), or text (json, string), or None."""
        if self.value == "hash":
            return {n: _text(v) if self.types.get(n) != "json" else canonical(v)
                    for n, v in values.items() if v is not None}
        if self.value == "json":
            return canonical(values)
        v = values.get(self.column)
        if self.value == "set":
            return _members(v)
        return None if v is None else _text(v)

    def decode(self, stored: Any) -> dict[str, Any] | None:
        """Stored value -> column values as the mapper makes them (None: nothing stored)."""
        if stored is None or stored == {} or stored == set():
            # one column's value, and there was nothing to hold (an empty list, no text): no key, which
            # reads as that empty value (a key missing behind syncspec's back is found by the index scan)
            if self.value == "set":
                return {self.column: Members()}
            return {self.column: None} if self.value == "string" else None
        if self.value == "string":
            return {self.column: coerce(stored, self.types[self.column])}
        if self.value == "set":
            return {self.column: Members(stored)}
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


def _members(value: Any) -> list[str]:
    """A ``value: set`` column's members: a list's elements as text (nested lists and mappings as canonical
    JSON), duplicates dropped, in order; anything else is one member; None or an empty list, none."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return list(dict.fromkeys(_text(v) for v in items))


class Members(frozenset):
    """A Redis set read back: its members as text. Compared with the source's list by membership (a set
    has no order and no duplicates), so ``verify`` sees a member added or removed by hand, never the
    order; it renders as the sorted canonical JSON list."""

    def matches(self, value: Any) -> bool:
        return self == frozenset(_members(value))

    def __str__(self) -> str:
        return canonical(sorted(self))

    def __repr__(self) -> str:
        return f"Members({sorted(self)!r})"


def _last_segment(template: str) -> str | None:
    """A hot key's default name (what a render template calls it): ``hot_state`` of ``pr:{id}:hot_state``."""
    last = template.rsplit(":", 1)[-1]
    return last if last.isidentifier() else None


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# canonical() with its encoder built once (json.dumps builds one per call when given options: ~3 us)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable).encode
_quote = json.encoder.encode_basestring        # a JSON string literal, as ensure_ascii=False writes it
_BATCH_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _compile(template: str) -> tuple[str, tuple[Any, ...]]:
    """A key template -> (a positional format string, what fills each place: 0 the spec name, 1 the key
    parts joined by ':', else a column name), so naming a key formats only the fields it uses."""
    parts: list[str] = []
    getters: list[Any] = []
    for literal, field, spec, conv in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        parts.append("{" + str(len(getters)) + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}")
        getters.append(0 if field == "spec" else 1 if field == "key" else field)
    return "".join(parts), tuple(getters)


def _key_text(key: Key) -> str:
    return ":".join(k if type(k) is str else _text(k) for k in key)


def _field(key: Key) -> str:
    """The index field of an entry: its key as canonical JSON (built by hand for text and integer parts,
    as the encoder would: per-call encoder setup was most of the write phase's Python time)."""
    parts = []
    for k in key:
        t = type(k)
        if t is str:
            parts.append(_quote(k))
        elif t is int:
            parts.append(str(k))
        else:
            return _CANONICAL(list(key))
    return "[" + ",".join(parts) + "]"


def _entry(raw: str) -> tuple[str | None, str, bool]:
    """An index value -> (content hash, Redis key, marked deleted?).

    ``[hash, key]``, ``[hash, key, true]`` once marked, ``[hash, key, false, true]`` when the entry
    has nothing to store (every column empty: no value key exists, and none is missing)."""
    v = json.loads(raw)
    return v[0], v[1], bool(v[2]) if len(v) > 2 else False


def _index_value(digest: str | None, name: str, marked: bool, empty: bool) -> str:
    if not (marked or empty) and digest is not None:
        return "[" + _quote(digest) + "," + _quote(name) + "]"        # what _CANONICAL gives, faster
    if empty:
        return _CANONICAL([digest, name, marked, True])
    return _CANONICAL([digest, name, True] if marked else [digest, name])


class RedisTarget(WithoutTransactions):      # socket timeouts bound every wait on the server
    """Entries as Redis keys; which keys are ours lives in one index hash per binding."""

    kind = "redis"
    capabilities = Capabilities(transactions=False, locks=False, schema=False, values=True, soft_delete=True)

    def __init__(self, name: str, url: str, root: Path | None = None):
        self.name = name
        self.url, self.prefix = split_prefix(url)
        self.label = _mask(self.url) + (f" (prefix {self.prefix})" if self.prefix else "")
        self.client: Any = None
        self.cluster = False             # a Redis Cluster: RedisCluster, and plain commands for the scripts
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
        try:
            self.client.ping()
            if self.client.info("cluster").get("cluster_enabled"):
                self._open_cluster()
        except redis.exceptions.ResponseError as exc:
            if "cluster mode" not in str(exc):
                raise
            self.client.close()
            self.client = None
            raise TargetUnavailable(problems=[Problem(
                f"target {self.name!r} ({self.label}) is a Redis Cluster, which has database 0 only",
                hint="end the URL with /0 (or no database), e.g. redis://host:7000/0")], target=self.label) from None
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            # Unreachable before the run began (refused, no route, bad password): the target the run needs
            # is unavailable, exit 4, nothing written anywhere. Losing it later, mid-run, is a TargetError
            # (exit 2, ``error``): some keys may be in, and the next run converges.
            self.client.close()
            self.client = None
            detail = first_line(exc)
            raise TargetUnavailable(problems=[Problem(
                f"target {self.name!r} ({self.label}) is unreachable: {detail}",
                hint=f"start the Redis server or fix the URL; nothing was written to any target. "
                     f"`--only KIND_OR_NAME` (e.g. --only sql) syncs the others, and `enabled: false` "
                     f"on target {self.name!r} in syncspec.yaml leaves it out until named")],
                target=self.label) from None

    def _open_cluster(self) -> None:
        """The URL names a node of a Redis Cluster: talk to the whole cluster (commands go to the node owning
        each key's slot). syncspec's batch scripts touch keys of many slots, which a cluster refuses, so
        here each one is plain commands in per-node pipelines instead (not atomic per batch; every write is
        idempotent and ordered so an interrupted batch converges on the next run, as after a lost connection)."""
        from redis.cluster import RedisCluster

        self.client.close()
        self.client = RedisCluster.from_url(self.url, decode_responses=True, socket_connect_timeout=5,
                                            socket_timeout=30)
        self.cluster = True

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def error(self, exc: BaseException) -> SyncSpecError | None:
        try:
            from redis.exceptions import RedisError
        except ImportError:
            return None
        if not isinstance(exc, RedisError):
            return None
        detail = first_line(exc)
        return TargetError(problems=[Problem(
            f"redis error on {self.label}: {detail}",
            hint="check that the Redis server is up and reachable; a rerun converges (writes are idempotent)")],
            target=self.label)

    # -- structure (none) -----------------------------------------------------
    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        """Plan and verify: no structure to change, but hot keys that a sync would clear are conflicts
        (reported, exit 6 under verify / plan --check; ``verify --repair`` or any sync clears them)."""
        notes: dict[str, list[str]] = {}
        for b in bindings:
            self._layout(b)
            if self.exists(b):
                for name, why in self.hot_conflicts(b):
                    notes.setdefault(b.label, []).append(f"clear hot key {name}: {why}")
        return notes

    @contextmanager
    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> Iterator[dict[str, list[str]]]:
        for b in bindings:
            self._layout(b)
            self._fresh[b.label] = not self.exists(b)
        yield {}
        for b in bindings:              # the run's writes are in: clear hot keys whose heartbeat is gone
            self.expire_hot(b)

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
    def _scan(self, binding: Binding) -> tuple[int, set[str]]:
        """(live entries, index fields whose value key is gone), from one server-side pass."""
        if self.cluster:
            return self._scan_cluster(binding)
        live, missing = self.client.eval(_SCAN_INDEX, 1, self._layout(binding).index)
        return int(live), set(missing)

    def _scan_cluster(self, binding: Binding) -> tuple[int, set[str]]:
        """_SCAN_INDEX as plain commands: the index, then EXISTS of every live entry's key (per-node
        pipelines of BATCH). An entry marked deleted is not live; one with nothing to store is."""
        live, missing = 0, set()
        todo = []
        for field, raw in self.client.hgetall(self._layout(binding).index).items():
            v = json.loads(raw)
            if len(v) > 2 and v[2] is True:
                continue
            if len(v) > 3 and v[3] is True:
                live += 1
            else:
                todo.append((field, v[1]))
        for i in range(0, len(todo), BATCH):
            pipe = self.client.pipeline(transaction=False)
            for _, name in todo[i:i + BATCH]:
                pipe.exists(name)
            for (field, _), there in zip(todo[i:i + BATCH], pipe.execute()):
                if there:
                    live += 1
                else:
                    missing.add(field)
        return live, missing

    def index(self, binding: Binding) -> Index:
        """Every entry the index names whose value key exists (a missing one reads as not held, so the
        diff writes it again); an entry stored under another name than the key template gives now reads
        with no hash (so it is rewritten, and the old key removed)."""
        layout = self._layout(binding)
        _, missing = self._scan(binding)
        out: Index = {}
        for field, raw in self.client.hgetall(layout.index).items():
            if field in missing:
                continue
            h, name, deleted = _entry(raw)
            key = tuple(json.loads(field))
            if layout.stable and name != layout.key_name(layout.template, key):
                h = None
            out[key] = (h, deleted)
        return out

    def count(self, binding: Binding) -> int:
        """Live entries whose value key exists: a key deleted, expired or flushed behind syncspec's back
        makes the count differ from the ledger's, so a plain sync takes the full path and restores it.
        One Lua pass over the index on the server (O(entries) there, nothing sent back)."""
        return self._scan(binding)[0]

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
        """Write each row's value and index entry; an entry whose name moved loses its old key, and one
        whose cold state changed loses its ``clear_on: changed`` hot keys (all in the batch's one script call).
        Per entry only Python string work: a compiled key template, a flat HSET list, the index field and
        value built without a JSON encoder per call; the batch goes as one JSON argument."""
        layout = self._layout(binding)
        script = self.client.register_script(_UPSERT)
        kind = layout.value if layout.value in ("hash", "set") else "text"
        watching = any("changed" in on for _, on, _ in layout.hot)
        for i in range(0, len(rows), BATCH):
            chunk = rows[i:i + BATCH]
            # a binding with no index when the session began has no old entries (a cold hydration)
            old = {} if self._fresh.get(binding.label) else self._entries(binding, [r.key for r in chunk])
            batch: list[list[Any]] = []
            clear: list[str] = []
            before = self._cold_before(layout, chunk, old) if old and watching else {}
            for row in chunk:
                name = layout.name(row.key, row.values)
                value = layout.encode_flat(row.values)
                prev = old.get(tuple(row.key)) if old else None
                if prev is not None and prev[0] != row.hash and watching:
                    key = tuple(row.key)
                    now_held = dict(zip(value[::2], value[1::2])) if kind == "hash" else value
                    clear.extend(layout.changed_hot(key, before.get(key, {}), layout.cold(now_held)))
                batch.append([name, prev[1] if prev is not None else "", _field(row.key),
                              _index_value(row.hash, name, False, not value), value])
            if self.cluster:
                self._upsert_cluster(layout.index, kind, layout.ttl or 0, batch, clear)
            else:
                script(keys=[], args=[_BATCH_JSON([layout.index, kind, layout.ttl or 0, batch, clear])])

    def _upsert_cluster(self, index: str, kind: str, ttl: int, batch: list[list[Any]], clear: list[str]) -> None:
        """_UPSERT as plain commands, in an order that converges if cut anywhere: moved keys' old names go
        first, then the index entries (a value key they name that is not there yet reads as missing, so the
        next run writes it), then the values, then the hot keys to clear."""
        gone = [prev for name, prev, _, _, _ in batch if prev and prev != name]
        if gone:
            self.client.delete(*gone)
        self.client.hset(index, mapping={field: entry for _, _, field, entry, _ in batch})
        pipe = self.client.pipeline(transaction=False)
        for name, _, _, _, value in batch:
            if kind in ("hash", "set"):
                pipe.delete(name)
                if value:
                    if kind == "hash":
                        pipe.hset(name, mapping=dict(zip(value[::2], value[1::2])))
                    else:
                        pipe.sadd(name, *value)
                    if ttl:
                        pipe.expire(name, ttl)
            elif value is None:
                pipe.delete(name)
            else:
                pipe.set(name, value, ex=ttl or None)
        pipe.execute()
        if clear:
            self.client.delete(*clear)

    def _cold_before(self, layout: _Layout, rows: Sequence[Any], old: dict[Key, tuple[str | None, str, bool]]
                     ) -> dict[Key, dict[str, Any]]:
        """The stored cold state (``cold`` views) of the rows whose content changed: read before the batch
        writes, so ``clear_on: changed`` fires only when what Redis holds (or the named columns) moves."""
        changed = [(tuple(r.key), old[tuple(r.key)][1]) for r in rows
                   if tuple(r.key) in old and old[tuple(r.key)][0] != r.hash]
        if not changed:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for _, name in changed:
            _queue_read(pipe, layout.value, name)
        return {key: layout.cold(raw) for (key, _), raw in zip(changed, pipe.execute())}

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None:
        """Orphans: the value key, its index entry and its ``clear_on: removed`` hot keys go."""
        layout = self._layout(binding)
        found = self._entries(binding, keys)
        items = list(found.items())
        for i in range(0, len(items), BATCH):
            chunk = items[i:i + BATCH]
            names = [name for _, (_, name, _) in chunk]
            names += [n for k, _ in chunk for n in layout.hot_names(k, "removed")]
            pipe = self.client.pipeline(transaction=not self.cluster)   # a cluster: no MULTI across slots
            _delete(pipe, names, self.cluster)
            pipe.hdel(layout.index, *[_field(k) for k, _ in chunk])
            pipe.execute()

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None:
        """on_missing: mark: the entry's key stays; its index entry says deleted (a hash value also
        gets a ``deleted_at`` field); its ``clear_on: removed`` hot keys go."""
        layout = self._layout(binding)
        items = list(self._entries(binding, keys).items())
        for i in range(0, len(items), BATCH):
            pipe = self.client.pipeline(transaction=not self.cluster)
            hot: list[str] = []
            for key, (h, name, _) in items[i:i + BATCH]:
                if layout.value == "hash":
                    pipe.hset(name, "deleted_at", now.isoformat())
                pipe.hset(layout.index, _field(key), _index_value(h, name, True, False))
                hot.extend(layout.hot_names(key, "removed"))
            if hot:
                _delete(pipe, hot, self.cluster)
            pipe.execute()

    def expire_hot(self, binding: Binding) -> int:
        """Clear the hot keys that should be gone (``hot_conflicts``); returns how many went."""
        return len(self.hot_conflicts(binding, clear=True))

    def hot_conflicts(self, binding: Binding, clear: bool = False) -> list[tuple[str, str]]:
        """(hot key, why) for every hot key that exists but should not: ``clear_on: expired`` ones whose
        entry's heartbeat is gone, ``clear_on: removed`` ones of entries marked deleted (an agent wrote
        them after the mark). ``clear`` deletes them (at the end of every sync, and so by verify --repair);
        without it nothing is written (verify, plan). One Lua call per 1000 entries, so a heartbeat
        written meanwhile is seen. (Hot keys of entries that left the index entirely cannot be found
        without SCAN, which syncspec never runs; they went with their entry's delete.)"""
        layout = self._layout(binding)
        expired = [t for t, on, _ in layout.hot if "expired" in on] if layout.heartbeat else []
        removed = [t for t, on, _ in layout.hot if "removed" in on]
        if not expired and not (removed and binding.spec.on_missing == "mark"):
            return []
        out: list[tuple[str, str]] = []
        entries = list(self.client.hgetall(layout.index).items())
        for i in range(0, len(entries), BATCH):
            argv: list[str] = ["clear" if clear else "check"]
            why: dict[str, str] = {}
            for field, raw in entries[i:i + BATCH]:
                key = tuple(json.loads(field))
                if _entry(raw)[2]:
                    for t in removed:
                        name = layout.key_name(t, key)
                        argv += [name, ""]
                        why[name] = f"its entry {':'.join(_text(k) for k in key)} is marked deleted"
                elif expired:
                    beat = layout.key_name(str(layout.heartbeat), key)
                    for t in expired:
                        name = layout.key_name(t, key)
                        argv += [name, beat]
                        why[name] = f"heartbeat {beat} is gone"
            if len(argv) > 1:
                found = self._hot_cluster(argv) if self.cluster else self.client.eval(_HOT_CONFLICTS, 0, *argv)
                out += [(n, why[n]) for n in found]
        return out

    def _hot_cluster(self, argv: list[str]) -> list[str]:
        """_HOT_CONFLICTS as plain commands: EXISTS of each hot key and its heartbeat, then DEL on clear."""
        pairs = list(zip(argv[1::2], argv[2::2]))
        pipe = self.client.pipeline(transaction=False)
        for hot, beat in pairs:
            pipe.exists(hot)
            pipe.exists(beat) if beat else pipe.exists(hot)
        got = pipe.execute()
        found = [hot for (hot, beat), there, beating in zip(pairs, got[::2], got[1::2])
                 if there and (not beat or not beating)]
        if found and argv[0] == "clear":
            self.client.delete(*found)
        return found

    def hot_fields(self, binding: Binding) -> tuple[str, ...]:
        """The names of the binding's hot keys, as a render template uses them."""
        return tuple(n for _, _, n in self._layout(binding).hot if n)

    def hot_values(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, str | None]]:
        """key -> {hot key name: its value (None: absent)} for the named hot keys (render reads them)."""
        layout = self._layout(binding)
        named = [(t, n) for t, _, n in layout.hot if n]
        out: dict[Key, dict[str, str | None]] = {}
        if not named:
            return out
        for i in range(0, len(keys), BATCH):
            chunk = list(keys[i:i + BATCH])
            pipe = self.client.pipeline(transaction=False)
            for key in chunk:
                for t, _ in named:           # GET on a hash would fail: TYPE-agnostic read of strings only
                    pipe.get(layout.key_name(t, key))
            got = pipe.execute(raise_on_error=False)
            for j, key in enumerate(chunk):
                vals = got[j * len(named):(j + 1) * len(named)]
                out[key] = {n: (v if isinstance(v, str) else None) for (_, n), v in zip(named, vals)}
        return out

    def stored_columns(self, binding: Binding) -> tuple[str, ...]:
        """The columns a value holds (verify compares only these: a ``string`` value holds one)."""
        layout = self._layout(binding)
        return layout.held_columns()

    def _stored(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        layout = self._layout(binding)
        found = list(self._entries(binding, keys).items())
        out: dict[Key, dict[str, Any]] = {}
        for i in range(0, len(found), BATCH):
            chunk = found[i:i + BATCH]
            pipe = self.client.pipeline(transaction=False)
            for _, (_, name, _) in chunk:
                _queue_read(pipe, layout.value, name)
            for (key, _), stored in zip(chunk, pipe.execute()):
                decoded = layout.decode(stored)
                if decoded is not None:
                    out[key] = decoded
        return out

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        return {k: tuple(v.get(n) for n in names) for k, v in self._stored(binding, keys).items()}

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        return self._stored(binding, keys)


def _queue_read(pipe: Any, value: str, name: str) -> None:
    """Queue the read of one value key as its kind stores it (hash, set, or a string: JSON or text)."""
    if value == "hash":
        pipe.hgetall(name)
    elif value == "set":
        pipe.smembers(name)
    else:
        pipe.get(name)


def _delete(pipe: Any, names: list[str], cluster: bool) -> None:
    """DEL of many keys in a pipeline: one command, or on a cluster one per key (keys of many slots)."""
    if cluster:
        for name in names:
            pipe.delete(name)
    elif names:
        pipe.delete(*names)
