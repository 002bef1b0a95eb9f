"""Baselines for the benchmark: the regex floor parser, raw sqlite3 upserts (all rows, or key+hash diff) and sqlite-utils."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from operator import itemgetter
from pathlib import Path
from typing import Iterable

TABLE = "sot_entries"
KEY = ("project_id", "file_type", "entry_id")
COLUMNS = (*KEY, "title", "status", "date", "category", "owner", "content", "content_hash")
VALUES = itemgetter(*COLUMNS)

HEADING_RE = re.compile(r"\n## ([^\n]*)")  # searched in "\n" + text: a literal prefix is much faster than ^ with re.M
ID_RE = re.compile(r"^(?P<entry_id>BUILD-\d+):?\s*(?P<title>.*)$")
FIELD_RE = re.compile(r"\n\*\*([^*\n]+)\*\*:[ \t]*([^\n]*)")  # searched in "\n" + body: literal prefix, fast
SNAKE_RE = re.compile(r"[^0-9a-z]+")

_DUMPS = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode  # ASCII-escaped: faster, still canonical


def content_hash(row: dict) -> str:
    """sha256[:16] of the canonical JSON of ``row`` (sorted keys, compact separators, ASCII escapes)."""
    return hashlib.sha256(_DUMPS(row).encode("utf-8")).hexdigest()[:16]


def regex_parse(paths: Iterable[Path | str], project: str = "bench", file_type: str = "build") -> list[dict]:
    """The floor parser: split each file on ``^## `` lines (code fences not honoured) into hashed rows."""
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            text = "\n" + fh.read()
        heads = list(HEADING_RE.finditer(text))
        for k, head in enumerate(heads):
            m = ID_RE.match(head.group(1))
            if m is None:
                continue
            end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
            body = text[head.end():end].strip()
            fields = {SNAKE_RE.sub("_", key.strip().lower()).strip("_"): value.strip()
                      for key, value in FIELD_RE.findall("\n" + body)}
            row = {
                "project_id": project,
                "file_type": file_type,
                "entry_id": m.group("entry_id"),
                "title": m.group("title").strip(),
                "status": fields.get("status"),
                "date": fields.get("date"),
                "category": fields.get("category"),
                "owner": fields.get("owner"),
                "content": body,
            }
            row["content_hash"] = content_hash(row)
            rows.append(row)
    return rows


CREATE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "project_id TEXT NOT NULL, file_type TEXT NOT NULL, entry_id TEXT NOT NULL, "
    "title TEXT, status TEXT, date TEXT, category TEXT, owner TEXT, content TEXT, content_hash TEXT, "
    "PRIMARY KEY (project_id, file_type, entry_id))"
)
UPSERT_SQL = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    f"ON CONFLICT({', '.join(KEY)}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in KEY)
)
DELETE_SQL = f"DELETE FROM {TABLE} WHERE project_id = ? AND file_type = ? AND entry_id = ?"
SELECT_HASH_SQL = f"SELECT project_id, file_type, entry_id, content_hash FROM {TABLE}"


def connect(db_path: Path | str) -> sqlite3.Connection:
    """A stdlib connection in autocommit mode (explicit BEGIN/COMMIT), WAL, synchronous=NORMAL."""
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(CREATE_SQL)
    return conn


def raw_sqlite_upsert(db_path: Path | str, rows: list[dict]) -> int:
    """The write floor: one transaction, ``executemany`` upsert of every row. Returns rows written."""
    conn = connect(db_path)
    try:
        conn.execute("BEGIN")
        conn.executemany(UPSERT_SQL, map(VALUES, rows))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(rows)


def raw_sqlite_diff_upsert(db_path: Path | str, rows: list[dict]) -> int:
    """Raw key+hash diff: read the stored hashes, upsert changed rows, delete missing keys. Returns rows written."""
    conn = connect(db_path)
    try:
        conn.execute("BEGIN")
        stored = {(p, f, e): h for p, f, e, h in conn.execute(SELECT_HASH_SQL)}
        changed = []
        for row in rows:
            key = (row["project_id"], row["file_type"], row["entry_id"])
            if stored.pop(key, None) != row["content_hash"]:
                changed.append(VALUES(row))
        if changed:
            conn.executemany(UPSERT_SQL, changed)
        if stored:
            conn.executemany(DELETE_SQL, list(stored))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(changed) + len(stored)


def sqlite_utils_upsert(db_path: Path | str, rows: list[dict]) -> int:
    """The peer: sqlite-utils ``upsert_all`` (WAL, one transaction like the floor). Returns rows written."""
    import sqlite_utils

    db = sqlite_utils.Database(str(db_path))
    try:
        db.enable_wal()
        with db.atomic():
            db[TABLE].upsert_all(rows, pk=KEY)
    finally:
        db.close()
    return len(rows)


def dlt_merge(db_path: Path | str, rows: list[dict], pipelines_dir: Path | str | None = None) -> int:
    """The other peer: a dlt pipeline, ``write_disposition="merge"`` on the key, into SQLite via SQLAlchemy.

    Its pipeline state lives beside the database, so a second call is dlt's own
    incremental (no-op) run. Returns rows handed to dlt.
    """
    import warnings

    import dlt

    warnings.filterwarnings("ignore", message="implicitly coercing SELECT")   # SQLAlchemy, inside dlt
    db_path = Path(db_path)
    pipe = dlt.pipeline(pipeline_name="bench_" + db_path.stem,
                        destination=dlt.destinations.sqlalchemy(f"sqlite:///{db_path}"),
                        dataset_name="main", pipelines_dir=str(pipelines_dir or db_path.parent / "dlt"))
    pipe.run(rows, table_name=TABLE, write_disposition="merge", primary_key=list(KEY))
    return len(rows)


def dlt_available() -> str | None:
    """None if the dlt peer can run, else why not."""
    try:
        import dlt  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        return f"dlt peer skipped: {exc.name} is not installed (pip install -e '.[dev]')"
    return None


def syncspec_parse(root: Path | str) -> list[dict]:
    """syncspec's own parse and mapping of the workspace (pyromark, field lines, coercion, hash) as row dicts:
    what sqlite-utils is fed for the goal "cold no slower than sqlite-utils fed by our parser"."""
    from syncspec import Workspace
    from syncspec.records import Mapper
    from syncspec.sources import extract_file, resolve_files

    ws = Workspace.open(root)
    (spec,) = ws.specs()
    mapper = Mapper(spec, dict(ws.config.context, sync=spec.name))
    rows, problems = [], []
    for path, display in resolve_files(spec, Path(root)):
        for record in extract_file(spec, path, display).records:
            row = mapper.map(record, problems)
            rows.append({**row.values, "date": row.values["date"] and row.values["date"].isoformat(),
                         "content_hash": row.hash})
    return rows


def row_mismatches(floor_rows: list[dict], our_rows: list[dict], limit: int = 3) -> list[str]:
    """How the floor's rows differ from syncspec's (compared by key, every column): [] when they agree.

    The floor is only a fair floor while it reads the same rows, so the runner checks this on every corpus.
    """
    ours = {tuple(r[k] for k in KEY): r for r in our_rows}
    out = []
    if len(ours) != len(floor_rows):
        out.append(f"{len(floor_rows)} floor rows, {len(ours)} syncspec rows")
    for row in floor_rows:
        other = ours.get(tuple(row[k] for k in KEY))
        diff = [c for c in COLUMNS if other is None or row[c] != other.get(c)]
        if diff:
            what = "missing from syncspec" if other is None else ", ".join(
                f"{c} {row[c]!r:.60} != {other.get(c)!r:.60}" for c in diff)
            out.append(f"{row['entry_id']}: {what}")
            if len(out) >= limit:
                break
    return out
