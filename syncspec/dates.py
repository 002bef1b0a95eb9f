"""Dates and datetimes as people write them: declared strptime formats tried in order, then lenient ISO.

``2020-12-1`` and ``2020/05/18`` are ISO in all but padding and separator, so they are read
without a declared format; anything else (``July 15 2021``, ``23-07-2014``) needs
``formats:`` on the column, because ``03-04-2021`` is ambiguous without one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

# year first, then month and day of one or two digits, separated by - / or .; a time may follow
_LENIENT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?=$|[T ])")


def _lenient(text: str) -> str:
    m = _LENIENT.match(text)
    if m is None:
        return text
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}{text[m.end():]}"


def to_date(value: Any) -> dt.date:
    """A date from a date, a datetime or ISO text (``2026-01-31``, ``2026-1-31``, ``2026/01/31``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        fixed = _lenient(text)
        if fixed is text:
            raise
        return dt.date.fromisoformat(fixed[:10])


def to_datetime(value: Any) -> dt.datetime:
    """A naive UTC datetime from a datetime, a date or ISO text (an offset or ``Z`` is converted to UTC)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            fixed = _lenient(text)
            if fixed is text:
                raise
            parsed = dt.datetime.fromisoformat(fixed)
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise ValueError("out of range once converted to UTC") from None
    return parsed


def with_formats(formats: tuple[str, ...], kind: str) -> Callable[[Any], Any]:
    """A coercer trying each strptime format in order, then the lenient ISO reading."""
    iso = to_date if kind == "date" else to_datetime

    def convert(value: Any) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return iso(value)
        text = " ".join(str(value).split())
        for fmt in formats:
            try:
                parsed = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            return parsed.date() if kind == "date" else iso(parsed)
        try:
            return iso(text)
        except ValueError:
            raise ValueError(f"matches none of the formats {', '.join(map(repr, formats))} "
                             "and is not an ISO date") from None
    return convert
