"""PostgreSQL's bulk paths for big writes (issue 16).

A big write (``COPY_MIN`` / ``UPSERT_MIN`` rows or more) into PostgreSQL, inside a transaction, skips
psycopg2's ``execute_values`` (which renders every value with ``mogrify`` into one long
VALUES list):

- a plain insert (the ledger's events and file states) is ``COPY ... FROM STDIN`` in text
  format, straight into the table;
- an upsert is a statement with one parameter: the rows as a JSON array of arrays,
  ``INSERT INTO t (cols) SELECT (r->>0), (r->>1)::date, ... FROM jsonb_array_elements(%s::jsonb) r
  ON CONFLICT (key) DO UPDATE ...``, the conflict clause the VALUES upsert has (table.py builds
  both with peewee). Text columns take the extracted text by assignment, as they take a
  literal (so a value too long for VARCHAR(255) fails as before); other types are cast from
  text by their input functions, as a quoted literal is.

Either takes at most PAGE rows a statement.

Measured against COPY into a temporary staging table (``ON COMMIT DROP``) plus
``INSERT ... SELECT ... ON CONFLICT``: staging takes a second round trip and a TRUNCATE per
batch, whose file truncation waited on I/O (pg_stat_activity: DataFileTruncate): less CPU than
execute_values at 100 rows a batch but no less wall time; the JSON statement is one round trip,
no temporary table, no TEMP privilege. A COPY straight into a table created by the run (no
conflict clause) saved another third of the server's CPU but no measurable wall time, and would have
turned an upsert into an error should a key ever come twice: not taken.

Values go as the text the server parses for the column's type, the text psycopg2 sends:
str as is, dates in ISO form, naive datetimes with a space, booleans as t/f (JSON
true/false), ints and floats as Python writes them (JSON numbers), NULL as ``\\N`` (null).
A batch holding anything else (a NUL character, a datetime with a time zone, an int past
64 bits in COPY, NaN or an infinity in JSON, a type this module does not know, text the
connection's encoding cannot carry) is refused (None): the caller takes the usual path,
which raises what it always raised.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

# rows in one write from which PostgreSQL takes these paths; measured in one process against
# execute_values at 5, 20, 50 and 100 rows a batch: COPY was ahead from 5 rows, the JSON upsert
# even at 50 and ahead at 100
COPY_MIN = 10
UPSERT_MIN = 100
PAGE = 5000         # rows a statement at most (one statement's text stays a few MB)

_INT64 = 2 ** 63
_FLOATS = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}


class _Unfit(Exception):
    """A value these paths cannot carry exactly as psycopg2 would send it."""


def _text(value: Any) -> str:
    """A value other than str as PostgreSQL input text, or _Unfit."""
    kind = type(value)
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.datetime:
        if value.tzinfo is not None:       # psycopg2 sends timestamptz, converted in the session's zone
            raise _Unfit
        return value.isoformat(" ")
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        if not -_INT64 <= value < _INT64:
            raise _Unfit
        return str(value)
    if kind is float:
        text = repr(value)
        return _FLOATS.get(text, text)
    raise _Unfit


def _text_or_null(value: Any) -> str:
    return "\x00N" if value is None else _text(value)


def _json_default(value: Any) -> str:
    """What JSON has no type for (dates, datetimes) as PostgreSQL input text, called by json.dumps."""
    return _text(value) if type(value) in (dt.date, dt.datetime) else _unsupported(value)


def _unsupported(value: Any) -> str:
    raise _Unfit


def usable(db: Any, rows: int, minimum: int) -> bool:
    """Is this write big enough (``minimum`` rows), on PostgreSQL, inside a transaction?"""
    if rows < minimum:
        return False
    import peewee as pw

    return isinstance(db, pw.PostgresqlDatabase) and db.in_transaction()


def _encoding(db: Any) -> str:
    from psycopg2.extensions import encodings

    return encodings.get(db.connection().encoding, "utf-8")


# -- COPY, plain inserts ------------------------------------------------------------------------
def copy_text(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes | None:
    """Rows as COPY text format (tab between columns, a newline after each row, backslash escapes),
    or None when a value cannot go that way (see the module doc).

    A row's values are joined by NUL, which PostgreSQL text cannot hold (so a value with one is
    refused, by count), and escaped as one string: backslash, tab, newline and carriage return
    become ``\\\\ \\t \\n \\r``, then NUL the column separator. A row holding NULLs joins by the
    two-character tokens NUL-t and NUL-N instead (every NUL starts a token, so they cannot be
    confused with values)."""
    if not rows:
        return None
    last = len(rows[0]) - 1
    out = []
    try:
        for row in rows:
            if None in row:
                line = "\x00t".join([v if type(v) is str else _text_or_null(v) for v in row])
                if line.count("\x00") != last + row.count(None):
                    return None
                out.append(line.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                           .replace("\r", "\\r").replace("\x00t", "\t").replace("\x00N", "\\N"))
            else:
                line = "\x00".join([v if type(v) is str else _text(v) for v in row])
                if line.count("\x00") != last:
                    return None
                out.append(line.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                           .replace("\r", "\\r").replace("\x00", "\t"))
        out.append("")
        return "\n".join(out).encode(encoding)
    except (_Unfit, TypeError, UnicodeError):
        return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_insert(db: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Plain INSERT of ``rows`` (values in ``columns`` order) as COPY into ``table``, PAGE rows a COPY;
    returns how many rows (a prefix) went: the rest cannot go that way (the caller writes them)."""
    encoding = _encoding(db)
    cols = ", ".join(_quote(c) for c in columns)
    done = 0
    while done < len(rows):
        data = copy_text(rows[done:done + PAGE], encoding)
        if data is None:
            break
        db.cursor().copy_expert(f"COPY {_quote(table)} ({cols}) FROM STDIN", io.BytesIO(data))
        done += PAGE
    return min(done, len(rows))


# -- one JSON parameter, upserts ----------------------------------------------------------------
CASTS = {"date": "::date", "datetime": "::timestamp", "integer": "::bigint", "real": "::double precision",
         "boolean": "::boolean", "json": "::jsonb"}
SOURCE = "jsonb_array_elements(%s::jsonb)"


def select_list(types: Sequence[str]) -> str:
    """``(r->>0), (r->>1)::date, ...`` over SOURCE for columns of these types (text: none)."""
    return ", ".join(f"(r->>{i}){CASTS.get(t, '')}" for i, t in enumerate(types))


def json_payload(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> str | None:
    """Rows as one JSON array of arrays, or None when a value cannot go that way (see the module doc)."""
    try:       # str, None, booleans and numbers as JSON; NaN and infinities refused (allow_nan)
        payload = json.dumps(rows, ensure_ascii=False, check_circular=False, allow_nan=False, default=_json_default)
        if "\\u0000" in payload:         # NUL: jsonb refuses it, psycopg2 refused it before (ValueError)
            return None
        payload.encode(encoding)         # text the connection cannot carry fails as it did (UnicodeEncodeError)
    except (_Unfit, TypeError, ValueError, UnicodeError):
        return None
    return payload


def json_upsert(db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Run ``sql`` (one ``%s``: the rows as JSON) for ``rows``, PAGE rows a statement; returns how many
    rows (a prefix) went: the rest cannot go that way (the caller writes them)."""
    encoding = _encoding(db)
    done = 0
    while done < len(rows):
        payload = json_payload(rows[done:done + PAGE], encoding)
        if payload is None:
            break
        db.cursor().execute(sql, (payload,))
        done += PAGE
    return min(done, len(rows))
