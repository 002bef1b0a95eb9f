"""PostgreSQL's bulk paths (targets/sql/bulk.py, issue 16): a batch of UPSERT_MIN rows or more is upserted
through one JSON parameter and the ledger's events are COPYed; what lands must be byte for byte what the
small-batch path (execute_values) writes, and failures must look and roll back as they did."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from syncspec import Workspace
from syncspec.errors import TargetError
from syncspec.targets.sql import bulk

ROWS = 300          # > UPSERT_MIN and COPY_MIN: one JSON file is one batch

SPEC = """\
sync: {name}
source:
  files: data/*.json
  records:
    - json: {{pointer: '/items/{{id}}'}}
target:
  table: {name}
  key: [id]
  columns:
    id: text
    body: text
    note: text
    meta: json
    day: date
    at: datetime
    flag: boolean
    n: integer
    x: real
"""

AWKWARD = [
    "tab\there", "new\nline", "crlf\r\nend", "back\\slash", "\\N", "\\.", "line\n\\.\nafter", "\\\\t not a tab",
    "quotes ' \" `", "", " leading and trailing ", "emoji 😀 and 𝄞", "accents é ü ñ, combining e\u0301",
    "rtl שלום مرحبا", "zero\u200bwidth", "bell\x07 and del\x7f and esc\x1b", "percent %s %(x)s {}",
    "E'not an escape'", "$$dollar$$", "x" * 300_000,
]


def items() -> dict:
    out = {}
    for i in range(ROWS):
        item: dict = {
            "body": AWKWARD[i % len(AWKWARD)] + f" #{i}",
            "meta": {"s": AWKWARD[(i + 3) % len(AWKWARD)][:1000], "list": [1, "two", None, True, {"q": "\"\\\n\t"}],
                     "n": i, "f": 0.1 * i, "unicode": "ü😀"},
            "day": f"20{i % 100:02d}-0{1 + i % 9}-1{i % 10}",
            "at": f"2026-12-01T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i:06d}",
            "flag": i % 3 == 0,
            "n": [0, 1, -1, 2 ** 63 - 1, -(2 ** 63), 42][i % 6],
            "x": [0.1, 1e300, -2.5e-300, 3.0, -0.0, 123456.789][i % 6],
        }
        if i % 4:
            item["note"] = AWKWARD[(i + 7) % len(AWKWARD)][:500]      # else NULL
        if i % 5 == 0:
            item.pop("meta")                                       # NULL json
            item.pop("day")
        out[f"r{i:04d}"] = item
    return out


def text(value: str | None) -> str | None:
    """A text value as the mapper keeps it: stripped, empty as NULL."""
    return (value or "").strip() or None


def workspace(root: Path, url: str, name: str, data: dict) -> Path:
    (root / "specs").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "syncspec.yaml").write_text(f"project: bulk\ndatabase: {url}\nspecs: specs/\n")
    (root / "specs" / f"{name}.yaml").write_text(SPEC.format(name=name))
    (root / "data" / "items.json").write_text(json.dumps({"items": data}, ensure_ascii=False))
    return root


def stored(url: str, table: str) -> list[tuple]:
    """Every column as PostgreSQL's own text of the value (canonical per type), and the raw values."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT id, body, note, meta::text, day::text, at::text, flag::text, n::text, x::text, '
                    f'content_hash, body, meta, day, at, flag, n, x FROM "{table}" ORDER BY id')
        return cur.fetchall()
    finally:
        conn.close()


def events(url: str, table: str) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT event_type, entry_key, old_hash, new_hash, file, line FROM syncspec_run_events "
                    "WHERE table_name = %s ORDER BY event_id", (table,))
        return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture
def spy(monkeypatch):
    """Counts the writes that took the bulk paths."""
    taken = {"json": 0, "copy": 0}
    json_upsert, copy_insert = bulk.json_upsert, bulk.copy_insert

    def counted_json(*args):
        done = json_upsert(*args)
        taken["json"] += done > 0
        return done

    def counted_copy(*args):
        done = copy_insert(*args)
        taken["copy"] += done > 0
        return done

    monkeypatch.setattr(bulk, "json_upsert", counted_json)
    monkeypatch.setattr(bulk, "copy_insert", counted_copy)
    return taken


def test_big_batch_round_trips_byte_exact_and_as_the_small_batch_path(pg_url, tmp_path, spy, monkeypatch):
    data = items()
    result = Workspace.open(workspace(tmp_path / "big", pg_url, "big", data)).sync()
    assert result.inserted == ROWS
    assert spy == {"json": 1, "copy": 1}                # the rows, their events
    monkeypatch.setattr(bulk, "UPSERT_MIN", 10 ** 9)   # the small-batch path: execute_values
    monkeypatch.setattr(bulk, "COPY_MIN", 10 ** 9)
    result = Workspace.open(workspace(tmp_path / "small", pg_url, "small", data)).sync()
    assert result.inserted == ROWS
    assert spy == {"json": 1, "copy": 1}
    big, small = stored(pg_url, "big"), stored(pg_url, "small")
    assert big == small
    assert events(pg_url, "big") == events(pg_url, "small")
    for row in big:                                    # and what the source says, byte for byte
        item = data[row[0]]
        assert row[10] == text(item["body"])
        assert row[1].encode() == text(item["body"]).encode()
        assert row[2] == text(item.get("note"))
        assert row[11] == item.get("meta")
        assert row[12] == (dt.date.fromisoformat(item["day"]) if "day" in item else None)
        assert row[13] == dt.datetime.fromisoformat(item["at"])
        assert (row[14], row[15], row[16]) == (item["flag"], item["n"], item["x"])


def test_big_batch_updates_as_the_small_batch_path(pg_url, tmp_path, spy, monkeypatch):
    """Conflicts: a second sync that changes every row updates them (created_at kept, the rest replaced)."""
    data = items()
    roots = {name: workspace(tmp_path / name, pg_url, name, data) for name in ("big", "small")}
    for name, root in roots.items():
        monkeypatch.setattr(bulk, "UPSERT_MIN", 100 if name == "big" else 10 ** 9)
        monkeypatch.setattr(bulk, "COPY_MIN", 10 if name == "big" else 10 ** 9)
        Workspace.open(root).sync()
        changed = {k: {**v, "body": v["body"] + "\tchanged\\", "flag": not v["flag"]} for k, v in data.items()}
        (root / "data" / "items.json").write_text(json.dumps({"items": changed}, ensure_ascii=False))
        result = Workspace.open(root).sync()
        assert (result.inserted, result.updated) == (0, ROWS)
    assert spy["json"] == 2
    assert stored(pg_url, "big") == stored(pg_url, "small")
    assert events(pg_url, "big") == events(pg_url, "small")


def _unique_clash(root: Path) -> None:
    spec = root / "specs" / (root.name + ".yaml")
    spec.write_text(spec.read_text().replace("    n: integer\n", "    n: {type: integer, unique: true}\n"))


def test_a_database_error_in_a_big_batch_reads_as_before_and_rolls_back(pg_url, tmp_path, spy, monkeypatch):
    """n repeats (unique: true): the database refuses the batch with the same message on both paths,
    and the failed first run leaves no table and no succeeded run."""
    import psycopg2

    data = items()
    messages = {}
    for name in ("big", "small"):
        monkeypatch.setattr(bulk, "UPSERT_MIN", 100 if name == "big" else 10 ** 9)
        monkeypatch.setattr(bulk, "COPY_MIN", 10 if name == "big" else 10 ** 9)
        root = workspace(tmp_path / name, pg_url, name, data)
        _unique_clash(root)
        with pytest.raises(TargetError) as caught:
            Workspace.open(root).sync()
        messages[name] = [(p.message.replace(name, "T"), p.hint) for p in caught.value.problems]
        conn = psycopg2.connect(pg_url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT to_regclass(%s)", (name,))
            assert cur.fetchone() == (None,)
            cur.execute("SELECT state FROM syncspec_runs WHERE command = 'sync' ORDER BY created_at DESC LIMIT 1")
            assert cur.fetchone() == ("failed",)
        finally:
            conn.close()
    assert spy["json"] == 0                             # the batch failed inside the bulk statement
    assert messages["big"] == messages["small"]
    assert "duplicate key value violates unique constraint" in messages["big"][0][0]


def test_values_the_bulk_paths_cannot_carry_take_the_usual_path(pg_url, tmp_path, spy):
    """A NUL character: refused by both bulk encoders, so the usual path raises what it always raised."""
    assert bulk.copy_text([("a\x00b", None)]) is None
    assert bulk.json_payload([("a\x00b", None)]) is None
    assert bulk.copy_text([(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),)]) is None
    assert bulk.json_payload([(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),)]) is None
    assert bulk.copy_text([(2 ** 63,)]) is None
    assert bulk.json_payload([(float("nan"),)]) is None
    assert bulk.copy_text([(object(),)]) is None
    assert bulk.copy_text([("\ud800",)]) is None              # a lone surrogate cannot be UTF-8
    assert bulk.json_payload([("\ud800",)]) is None


def test_pages_and_a_row_they_cannot_carry(pg_url, monkeypatch):
    """PAGE rows a statement; a page holding a value the path cannot carry stops it there, and the caller
    writes the rest the usual way (here: psycopg2 refusing the NUL, as it always did)."""
    import peewee as pw

    monkeypatch.setattr(bulk, "PAGE", 100)
    name = pg_url.rsplit("/", 1)[1]
    db = pw.PostgresqlDatabase(name, host="127.0.0.1", user="postgres")
    rows = [(f"k{i}", "x\x00y" if i == 150 else f"v{i}") for i in range(300)]
    try:
        db.execute_sql("CREATE TABLE t (k text PRIMARY KEY, v text)")
        with db.atomic():
            assert bulk.copy_insert(db, "t", ["k", "v"], rows) == 100
            sql = 'INSERT INTO t (k, v) SELECT (r->>0), (r->>1) FROM jsonb_array_elements(%s::jsonb) AS r ' \
                  'ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v'
            assert bulk.json_upsert(db, sql, [(k, v + "!") for k, v in rows]) == 100
            assert db.execute_sql("SELECT count(*), min(v), max(v) FROM t").fetchone() == (100, "v0!", "v99!")
            assert bulk.json_upsert(db, sql, [(k, v + "?") for k, v in rows[:150]]) == 150    # two pages
            assert db.execute_sql("SELECT count(*), min(v), max(v) FROM t").fetchone() == (150, "v0?", "v9?")
            with pytest.raises(ValueError, match="NUL"):
                db.execute_sql("INSERT INTO t VALUES (%s, %s)", rows[150])
    finally:
        db.close()


def test_copy_text_escapes(pg_url):
    """The COPY encoder straight into a table, against INSERT of the same values."""
    import psycopg2

    rows = [(s, None if i % 3 == 0 else s[::-1], i, i % 2 == 0, dt.date(2000 + i % 30, 1, 1),
             dt.datetime(2026, 12, 1, 0, 0, i % 60, i), float(i) / 7)
            for i, s in enumerate(AWKWARD * 4)]
    conn = psycopg2.connect(pg_url)
    try:
        cur = conn.cursor()
        for t in ("a", "b"):
            cur.execute(f"CREATE TABLE {t} (s text, r text, i bigint, b boolean, d date, ts timestamp, f float8)")
        data = bulk.copy_text(rows)
        assert data is not None
        import io

        cur.copy_expert("COPY a (s, r, i, b, d, ts, f) FROM STDIN", io.BytesIO(data))
        cur.executemany("INSERT INTO b VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        cur.execute("SELECT * FROM a")
        got = cur.fetchall()
        cur.execute("SELECT * FROM b")
        assert got == cur.fetchall() == rows
    finally:
        conn.close()


def test_small_batches_keep_the_usual_path(pg_url, tmp_path, spy):
    data = dict(list(items().items())[:min(bulk.UPSERT_MIN, bulk.COPY_MIN) - 1])
    Workspace.open(workspace(tmp_path / "few", pg_url, "few", data)).sync()
    assert spy == {"json": 0, "copy": 0}
    assert len(stored(pg_url, "few")) == len(data)

