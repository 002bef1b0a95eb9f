"""The vector target kind: a spec's rows as points in a Qdrant collection, for semantic search.

Embedded local mode by default (qdrant-client keeps the collection in a folder, default
``.syncspec/qdrant``: no server; ``qdrant://rel/path`` or ``qdrant:///abs/path`` for another),
or a server when the URL is ``http(s)://host:6333``.
No transactions and no lock of its own, so the engine holds writes back until the run's
input checked out and keeps this target's state in the workspace state database
(ADR 0005). Writes are idempotent: a point's ID is a UUID5 of spec name and key (the
same on every machine), its payload carries the content hash, and only rows the engine
reports as new or changed are embedded.

Spec keys (``target`` or a ``target.also`` item of kind qdrant): ``collection`` (default:
the table name; several specs may share one, each owns its points by ``_spec``), ``text``
(the columns joined into the text to embed), ``payload`` (the columns stored; default
all), ``title`` (the column search shows), ``distance`` and ``embedder``. The embedder
names the collection's vector, so a new embedder (or distance) rebuilds the collection,
and a changed ``text``/``payload``/embedder layout marks every point stale (re-embedded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, LockNotAcquired, Problem, SyncSpecError, TargetError, TargetUnavailable, first_line
from ..workspace import mask_url
from .base import Binding, Capabilities, Index, Key, WithoutTransactions
from .embedders import Embedder, embedder_for

if TYPE_CHECKING:
    from ..records import Row

DEFAULT_PATH = ".syncspec/qdrant"
POINT_NAMESPACE = uuid.UUID("6f1c2a8e-4b7d-5e39-9a01-73c5d2e8b4f6")   # never change: point IDs derive from it
DISTANCES = {"cosine": "Cosine", "dot": "Dot", "euclid": "Euclid", "manhattan": "Manhattan"}
BATCH = 256                                                         # texts embedded / points upserted at once
META = ("_spec", "_key", "_hash", "_layout", "_deleted")            # what index reads of each point
_LOCAL: dict[str, list[Any]] = {}     # resolved folder -> [client, users]: local mode locks its folder per client


class NotStored(str):
    """A column left out of ``payload:``: verify and plan cannot compare it, so it equals any value
    (its content is still covered by the row's hash)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


NOT_STORED = NotStored("")


def point_id(spec_name: str, key: Key) -> str:
    """The point of ``key``: stable across runs and machines (UUID5 of spec name and canonical key JSON)."""
    return str(uuid.uuid5(POINT_NAMESPACE, spec_name + "\n" + _canonical([_jsonable(k) for k in key])))


@dataclass(frozen=True)
class Layout:
    """How one binding's rows become points: the collection, its vector, the text and payload columns."""

    collection: str
    embedder: Embedder
    distance: str                       # Qdrant's name: Cosine, Dot, ...
    text: tuple[str, ...]
    payload: tuple[str, ...]
    title: str | None
    types: dict[str, str]

    @property
    def vector(self) -> str:
        """The named vector: the embedder's ident, so a collection always says which model filled it."""
        return re.sub(r"[^A-Za-z0-9._-]", "_", self.embedder.ident)

    @property
    def signature(self) -> str:
        """Stored in each point: a point written under another text/payload/embedder layout is stale."""
        return hashlib.sha256(_canonical([self.embedder.ident, self.text, self.payload, self.title]).encode()
                              ).hexdigest()[:12]

    def text_of(self, values: dict[str, Any]) -> str:
        return "\n\n".join(str(_jsonable(values[c])) for c in self.text if values.get(c) not in (None, ""))


def layout_of(binding: Binding) -> Layout:
    """The binding's layout from its spec keys (checked: unknown columns are config errors)."""
    spec, ref = binding.spec, binding.ref
    types = {c.name: c.type for c in spec.columns}
    names = list(types)

    def columns(option: str, default: list[str]) -> tuple[str, ...]:
        value = ref.option(option)
        chosen = default if value is None else [value] if isinstance(value, str) else list(value)
        unknown = [c for c in chosen if c not in types]
        if unknown:
            line, col = spec.locate(f"{ref.json_path}.{option}")
            raise ConfigError(problems=[Problem(
                f"{option}: {', '.join(map(repr, unknown))} is not a column of spec {spec.name!r}",
                file=spec.file, line=line, column=col, json_path=f"{ref.json_path}.{option}",
                hint=f"columns: {', '.join(names)}")])
        return tuple(chosen)

    text = columns("text", [c.name for c in spec.columns if c.type == "text" and c.name not in spec.key])
    payload = columns("payload", names)
    payload += tuple(c.name for c in spec.columns if c.states is not None and c.name not in payload)  # state checks
    title_opt = ref.option("title")
    title = columns("title", [title_opt] if title_opt else ["title"] if "title" in types else [])
    distance = str(ref.option("distance", "cosine")).lower()
    return Layout(collection=str(ref.option("collection", spec.table)), embedder=embedder_for(ref.option("embedder")),
                  distance=DISTANCES.get(distance, "Cosine"), text=text or tuple(names),
                  payload=payload, title=title[0] if title else None, types=types)


class QdrantTarget(WithoutTransactions):
    """One Qdrant (a local folder or a server); every binding owns the points of its spec in a collection."""

    kind = "qdrant"
    capabilities = Capabilities(transactions=False, locks=False, schema=False, values=True, soft_delete=True)

    def __init__(self, name: str, url: str, root: Path | None = None):
        self.name = name
        self.root = Path(root or ".")
        raw = url[len("qdrant://"):] if url.lower().startswith("qdrant://") else url
        self.server = raw.lower().startswith(("http://", "https://"))
        self.path: Path | None = None
        if self.server:
            self.url = raw
            self.label = mask_url(raw)
        else:
            path = Path(raw or DEFAULT_PATH)
            self.path = (path if path.is_absolute() else self.root / path).resolve()
            shown = os.path.relpath(self.path, self.root.resolve()) if self.root else str(self.path)
            self.label = f"qdrant://{shown if not shown.startswith('..') else self.path}"
        self.client: Any = None
        self.write = False
        self._layouts: dict[str, Layout] = {}
        self._created: set[str] = set()        # collections this run's session made (or rebuilt)
        self._info: dict[str, dict[str, tuple[int, str]] | None] = {}   # collection -> its vectors, read once
        self._tuned: set[str] = set()
        self._owners: dict[str, set[str]] = {}   # collection -> the specs writing it (from the run's bindings)

    # -- connection ---------------------------------------------------------
    def open(self, write: bool) -> None:
        """Check the driver and connect to a server; a local folder is opened on first use (it loads
        every point into memory, seconds for 10k: a no-op run reads the collections' metadata only)."""
        import importlib.util

        if importlib.util.find_spec("qdrant_client") is None:
            raise TargetUnavailable(problems=[Problem(
                f"target {self.name!r} is a Qdrant vector index, and qdrant-client is not installed",
                hint="pip install 'syncspec[qdrant]'")])
        self.write = write
        if not self.server:
            return
        from qdrant_client import QdrantClient

        self.client = QdrantClient(url=self.url, api_key=os.environ.get("QDRANT_API_KEY") or None, timeout=30)
        try:
            self.client.get_collections()
        except Exception as exc:  # noqa: BLE001 - httpx/grpc errors differ by transport: all mean unreachable
            raise TargetError(problems=[Problem(f"cannot reach Qdrant at {self.label}: {first_line(exc)}",
                                                hint="start the server or fix the URL; nothing was written")],
                              target=self.label) from None

    def _c(self) -> Any:
        """The client, opening the local folder now if need be (None: read-only and nothing there yet)."""
        if self.client is None and not self.server:
            assert self.path is not None
            if not self.write and not (self.path / "meta.json").exists():
                return None
            from qdrant_client import QdrantClient

            self.client = _local_client(self.path, QdrantClient)
        return self.client

    def close(self) -> None:
        self._info.clear()
        self._tuned.clear()
        if self.client is not None and not self.server:
            _release(self.path)
        elif self.client is not None:
            self.client.close()
        self.client = None

    def error(self, exc: BaseException) -> SyncSpecError | None:
        """qdrant-client's server errors as a TargetError (exit 2)."""
        try:
            from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse
        except ImportError:
            return None
        if isinstance(exc, (UnexpectedResponse, ResponseHandlingException)):
            return TargetError(problems=[Problem(f"Qdrant error on {self.label}: {first_line(exc)}",
                                                 hint="rerun: writes are idempotent, the next run converges")],
                               target=self.label)
        return None

    # -- structure ----------------------------------------------------------
    def layout(self, binding: Binding) -> Layout:
        found = self._layouts.get(binding.state_key)
        if found is None:
            found = self._layouts[binding.state_key] = layout_of(binding)
        return found

    def _vectors(self, collection: str) -> dict[str, tuple[int, str]] | None:
        """name -> (size, distance) of a collection's vectors; None if it does not exist (read once per run)."""
        if collection in self._info:
            return self._info[collection]
        found: dict[str, tuple[int, str]] | None = None
        if self.client is None and not self.server:
            found = self._local_meta(collection)
        elif self.client.collection_exists(collection):
            vectors = self.client.get_collection(collection).config.params.vectors
            if not isinstance(vectors, dict):
                vectors = {"": vectors} if vectors is not None else {}
            found = {name: (int(p.size), str(getattr(p.distance, "value", p.distance))) for name, p in vectors.items()}
        self._info[collection] = found
        return found

    def _local_meta(self, collection: str) -> dict[str, tuple[int, str]] | None:
        """A local folder's collection config from its meta.json (what qdrant-client itself reads on open),
        without loading the points; the client answers if the file is not as expected."""
        assert self.path is not None
        try:
            meta = json.loads((self.path / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            meta = None
        try:
            conf = meta["collections"].get(collection) if meta is not None else None
            if conf is None and meta is not None:
                return None
            vectors = conf["vectors"] if conf is not None else None
            if isinstance(vectors, dict) and "size" not in vectors:
                return {name: (int(v["size"]), str(v["distance"])) for name, v in vectors.items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
        client = self._c()              # an unnamed vector or another layout: ask qdrant-client
        return self._vectors(collection) if client is not None else None

    def _matches(self, layout: Layout) -> bool:
        """The collection exists and holds this layout's vector (same embedder and distance)."""
        vectors = self._vectors(layout.collection)
        return vectors is not None and vectors.get(layout.vector, (0, ""))[1] == layout.distance

    def _plan(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, tuple[Layout, str, str]]:
        """collection -> (layout, label, what to do: "" / create / rebuild) for the collections ``bindings`` write."""
        mine = [b for b in everything if b.ref.use == self.name] or list(bindings)
        wanted: dict[str, Layout] = {}
        for b in mine:
            lay = self.layout(b)
            self._owners.setdefault(lay.collection, set()).add(b.spec.name)
            first = wanted.setdefault(lay.collection, lay)
            if (first.vector, first.distance) != (lay.vector, lay.distance):
                line, col = b.spec.locate(b.ref.json_path)
                raise ConfigError(problems=[Problem(
                    f"collection {lay.collection!r} is shared with another spec that uses {first.vector} "
                    f"({first.distance}); spec {b.spec.name!r} uses {lay.vector} ({lay.distance})",
                    file=b.spec.file, line=line, column=col, json_path=b.ref.json_path,
                    hint="give the specs sharing a collection the same embedder and distance, or set collection:")])
        out: dict[str, tuple[Layout, str, str]] = {}
        for b in bindings:
            lay = self.layout(b)
            if lay.collection in out:
                continue
            vectors = self._vectors(lay.collection)
            action = "create" if vectors is None else "" if self._matches(lay) else "rebuild"
            out[lay.collection] = (lay, b.label, action)
        return out

    def describe(self, bindings: Sequence[Binding], everything: Sequence[Binding]) -> dict[str, list[str]]:
        notes: dict[str, list[str]] = {}
        for name, (lay, label, action) in self._plan(bindings, everything).items():
            if action == "create":
                notes.setdefault(label, []).append(f"create collection {name} (vector {lay.vector}, {lay.distance})")
            elif action == "rebuild":
                old = ", ".join(self._vectors(name) or {}) or "none"
                notes.setdefault(label, []).append(
                    f"rebuild collection {name}: vector {old} -> {lay.vector} ({lay.distance}); every point re-embedded")
        return notes

    @contextmanager
    def session(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                allow_destructive: bool) -> Iterator[dict[str, list[str]]]:
        """Create missing collections; rebuild those filled by another embedder (a derived index: no data lost)."""
        from qdrant_client import models

        notes = self.describe(bindings, everything)
        for name, (lay, _, action) in self._plan(bindings, everything).items():
            if not action:
                continue
            if action == "rebuild":
                self._c().delete_collection(name)
            self._c().create_collection(name, vectors_config={
                lay.vector: models.VectorParams(size=lay.embedder.dim, distance=models.Distance(lay.distance))})
            if self.server:      # local mode scans; a server filters by spec through an index
                self.client.create_payload_index(name, "_spec", field_schema=models.PayloadSchemaType.KEYWORD)
            self._created.add(name)
            self._info.pop(name, None)
        yield notes

    def irreversible(self, bindings: Sequence[Binding], everything: Sequence[Binding],
                     allow_destructive: bool) -> bool:
        """Rebuilding a collection (another embedder) drops its points: let the engine check the input first."""
        return any(action == "rebuild" for _, _, action in self._plan(bindings, everything).values())

    def bound(self, lock_seconds: float, max_seconds: float | None) -> None:
        """Nothing waits on locks here; a server's requests time out after 30 s (set at open)."""

    def fresh(self, binding: Binding) -> bool:
        lay = self.layout(binding)
        return lay.collection in self._created or not self._matches(lay)

    def exists(self, binding: Binding) -> bool:
        """The collection exists with this binding's vector (as SQL: the table exists; ``verify`` checks points)."""
        return self._matches(self.layout(binding))

    # -- read ---------------------------------------------------------------
    def _owned(self, binding: Binding, live: bool = False) -> Any:
        from qdrant_client import models

        must: list[Any] = [models.FieldCondition(key="_spec", match=models.MatchValue(value=binding.spec.name))]
        not_deleted: list[Any] | None = [models.FieldCondition(key="_deleted", match=models.MatchValue(value=True))] if live else None
        return models.Filter(must=must, must_not=not_deleted)

    def _stored(self, binding: Binding, point: Any) -> tuple[Key, tuple[str | None, bool]]:
        lay = self.layout(binding)
        p = point.payload or {}
        key = tuple(_from_json(lay.types.get(name, "text"), v) for name, v in zip(binding.spec.key, p.get("_key", ())))
        digest = p.get("_hash") if p.get("_layout") == lay.signature else None      # another layout: stale
        return key, (digest, bool(p.get("_deleted")))

    def index(self, binding: Binding) -> Index:
        lay = self.layout(binding)
        if not self._matches(lay):
            return {}
        out: Index = {}
        offset = None
        while True:
            points, offset = self._c().scroll(lay.collection, scroll_filter=self._owned(binding), limit=1000,
                                                offset=offset, with_payload=list(META), with_vectors=False)
            for point in points:
                key, stored = self._stored(binding, point)
                out[key] = stored
            if offset is None:
                return out

    def count(self, binding: Binding) -> int:
        """Live points of the binding: the drift guard every sync runs. A local collection that only this
        spec writes (and that holds no marked points) is counted in its SQLite file, without loading it."""
        lay = self.layout(binding)
        if not self._matches(lay):
            return 0
        if self.client is None and not self.server and binding.spec.on_missing != "mark" \
                and self._owners.get(lay.collection) == {binding.spec.name}:
            found = self._local_rows(lay.collection)
            if found is not None:
                return found
        return int(self._c().count(lay.collection, count_filter=self._owned(binding, live=True), exact=True).count)

    def _local_rows(self, collection: str) -> int | None:
        """Points in a local collection's storage file (qdrant-client keeps one row per point), or None."""
        import sqlite3

        assert self.path is not None
        file = self.path / "collection" / collection / "storage.sqlite"
        if not file.is_file():
            return None
        try:
            db = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)
            try:
                return int(db.execute("SELECT count(DISTINCT id) FROM points").fetchone()[0])
            finally:
                db.close()
        except sqlite3.Error:
            return None

    def _retrieve(self, binding: Binding, keys: Sequence[Key], payload: Any = True) -> dict[Key, Any]:
        lay = self.layout(binding)
        if not keys or not self._matches(lay):
            return {}
        ids = {point_id(binding.spec.name, k): k for k in keys}
        found = self._c().retrieve(lay.collection, list(ids), with_payload=payload, with_vectors=False)
        return {ids[str(p.id)]: p for p in found if (p.payload or {}).get("_spec") == binding.spec.name}

    def lookup(self, binding: Binding, keys: Sequence[Key]) -> Index:
        return {k: self._stored(binding, p)[1] for k, p in self._retrieve(binding, keys, list(META)).items()}

    def values(self, binding: Binding, keys: Sequence[Key], names: Sequence[str]) -> dict[Key, tuple]:
        lay = self.layout(binding)
        return {k: tuple(_from_json(lay.types.get(n, "text"), (p.payload or {}).get(n)) for n in names)
                for k, p in self._retrieve(binding, keys).items()}

    def fetch(self, binding: Binding, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
        lay = self.layout(binding)
        out = {}
        for k, p in self._retrieve(binding, keys).items():
            payload = p.payload or {}
            row: dict[str, Any] = {n: NOT_STORED for n in lay.types}
            row.update({n: _from_json(lay.types.get(n, "text"), payload.get(n)) for n in lay.payload})
            if payload.get("_deleted"):
                row["deleted_at"] = payload.get("_deleted_at")
            out[k] = row
        return out

    # -- write --------------------------------------------------------------
    def upsert(self, binding: Binding, rows: Sequence[Row], now: dt.datetime) -> None:
        """Embed and write ``rows`` in batches: the engine passes only new and changed rows."""
        from qdrant_client import models

        if not rows:
            return
        lay = self.layout(binding)
        name = binding.spec.name
        self._tune_local(lay.collection)
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            vectors = lay.embedder.embed([lay.text_of(r.values) for r in batch])
            points = [models.PointStruct(id=point_id(name, r.key), vector={lay.vector: vec},
                                         payload=self._payload(binding, lay, r, now))
                      for r, vec in zip(batch, vectors)]
            self._c().upsert(lay.collection, points=points, wait=True)

    def _tune_local(self, collection: str) -> None:
        """Local mode commits (and fsyncs) its SQLite file once per point: ~25 ms each on a plain disk,
        40 points/s. In WAL mode with synchronous=NORMAL a commit is a write, not a sync; a power loss
        may then lose the last writes, which `verify` finds and `sync --all` rewrites (a derived index).
        Best effort: qdrant-client's internals may move, and then it is only slower."""
        if self.server or collection in self._tuned:
            return
        self._tuned.add(collection)
        try:
            conn = self._c()._client.collections[collection].storage.storage
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        except Exception:  # noqa: BLE001 - not the layout this was written against: leave it as it is
            pass

    @staticmethod
    def _payload(binding: Binding, lay: Layout, row: Row, now: dt.datetime) -> dict[str, Any]:
        payload = {c: _jsonable(row.values.get(c)) for c in lay.payload}
        payload.update(_spec=binding.spec.name, _key=[_jsonable(k) for k in row.key], _hash=row.hash,
                       _layout=lay.signature, _file=row.file, _line=row.line, _deleted=False,
                       _title=_jsonable(row.values.get(lay.title)) if lay.title else None,
                       _updated_at=now.isoformat())
        return payload

    def delete(self, binding: Binding, keys: Sequence[Key]) -> None:
        from qdrant_client import models

        lay = self.layout(binding)
        if keys and self._matches(lay):
            self._tune_local(lay.collection)
            ids: list[Any] = [point_id(binding.spec.name, k) for k in keys]
            self._c().delete(lay.collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def mark(self, binding: Binding, keys: Sequence[Key], now: dt.datetime) -> None:
        """on_missing: mark keeps the point, flagged: search skips it, a returning entry restores it."""
        lay = self.layout(binding)
        held = self._retrieve(binding, keys, ["_spec"])
        if held:
            self._tune_local(lay.collection)
            self._c().set_payload(lay.collection, payload={"_deleted": True, "_deleted_at": now.isoformat()},
                                    points=[p.id for p in held.values()], wait=True)

    # -- search -------------------------------------------------------------
    def search(self, binding: Binding, query: str, limit: int) -> list[tuple[float, dict[str, Any]]]:
        """(score, payload) of the ``limit`` points of this binding nearest to ``query``."""
        lay = self.layout(binding)
        if not self._matches(lay):
            return []
        vector = lay.embedder.embed([query])[0]
        found = self._c().query_points(lay.collection, query=vector, using=lay.vector,
                                         query_filter=self._owned(binding, live=True), limit=limit,
                                         with_payload=True)
        return [(float(p.score), dict(p.payload or {})) for p in found.points]


def _local_client(path: Path, factory: Any) -> Any:
    """The process's client for a local folder (qdrant-client locks the folder per client instance);
    another process holding it is waited for, then LockNotAcquired (exit 5)."""
    where = str(path)
    held = _LOCAL.get(where)
    if held is not None:
        held[1] += 1
        return held[0]
    deadline = time.monotonic() + float(os.environ.get("SYNCSPEC_QDRANT_WAIT", "10"))
    while True:
        try:
            client = factory(path=where)
            break
        except RuntimeError as exc:
            if "already accessed" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise LockNotAcquired(problems=[Problem(
                    f"the Qdrant folder {where} is in use by another process",
                    hint="wait for the other syncspec run (or search) to finish, or use a Qdrant server "
                         "(url: http://host:6333) for concurrent access")]) from None
            time.sleep(0.2)
    _LOCAL[where] = [client, 1]
    return client


def _release(path: Path | None) -> None:
    held = _LOCAL.get(str(path))
    if held is None:
        return
    held[1] -= 1
    if held[1] <= 0:
        del _LOCAL[str(path)]
        held[0].close()


def _jsonable(value: Any) -> Any:
    """A payload value: dates as ISO text, containers recursively, everything else as JSON has it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _from_json(kind: str, value: Any) -> Any:
    """A payload value back as the mapper makes it (dates were stored as ISO text)."""
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
