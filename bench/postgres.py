"""PostgreSQL side of the benchmark: a throwaway database and the COPY floor."""

from __future__ import annotations

import csv
import io
import os
import uuid
from contextlib import contextmanager
from typing import Iterator

from .baselines import COLUMNS, KEY, TABLE

ADMIN = os.environ.get("SYNCSPEC_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def available() -> str | None:
    """None when a server answers at ADMIN, else why not."""
    try:
        import psycopg2

        psycopg2.connect(ADMIN, connect_timeout=2).close()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip the PostgreSQL rows
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@contextmanager
def database() -> Iterator[str]:
    """A fresh, uniquely named database, dropped afterwards; yields its URL."""
    import psycopg2

    name = f"syncspec_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        cur = admin.cursor()
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def copy_floor(url: str, rows: list[dict]) -> int:
    """The PostgreSQL floor: CREATE TABLE + COPY FROM STDIN of every row, one transaction."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cols = ", ".join(f'"{c}" TEXT' + (" NOT NULL" if c in KEY else "") for c in COLUMNS)
        cur.execute(f'CREATE TABLE IF NOT EXISTS "{TABLE}" ({cols}, PRIMARY KEY ({", ".join(KEY)}))')
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in rows:
            writer.writerow([row[c] for c in COLUMNS])
        buf.seek(0)
        cur.copy_expert(f'COPY "{TABLE}" ({", ".join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)', buf)
        conn.commit()
        return len(rows)
    finally:
        conn.close()
