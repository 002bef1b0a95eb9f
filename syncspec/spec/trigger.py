"""``trigger:`` and ``blocking:`` of a spec -> what runs it by itself (see syncspec/triggers/).

    change          a plain ``syncspec sync`` and ``syncspec watch`` run it when its sources or spec changed
    commit          the git hooks (``syncspec hooks install``), ``sync --staged`` and ``--changed-since``
    watch           ``syncspec watch`` runs it on file events (and a plain ``sync`` does not)
    interval: 30s   ``syncspec watch`` also runs it on that schedule
    manual          nothing runs it by itself: only ``sync --spec NAME`` (alone: not with other triggers)

``blocking: true``: the git pre-commit hook runs it, and a failure aborts the commit.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem
from .yamlfile import Located

DEFAULT = ("change", "commit")
NAMES = ("change", "commit", "watch", "manual")
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")


def seconds(text: str) -> float | None:
    """``'30s'`` -> 30.0, ``'1.5m'`` -> 90.0, ``'250ms'`` -> 0.25; None if not a duration."""
    m = DURATION.match(str(text))
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def parse_trigger(doc: Located, data: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The Spec fields ``trigger`` (names; ``interval`` among them when scheduled), ``interval`` (s), ``blocking``."""
    raw = data.get("trigger", list(DEFAULT))
    items = [raw] if isinstance(raw, (str, dict)) else list(raw)
    names: list[str] = []
    interval: float | None = None
    for i, item in enumerate(items):
        where = ("trigger",) if not isinstance(raw, list) else ("trigger", i)
        if isinstance(item, dict):
            value = seconds(item.get("interval", ""))
            if value is None or value <= 0:
                problems.append(doc.problem(where + ("interval",), f"{item.get('interval')!r} is not a duration",
                                            hint="write a number and a unit: 250ms, 30s, 5m, 1h"))
                continue
            interval = value
            names.append("interval")
        else:
            names.append(item)
    if "manual" in names and len(names) > 1:
        problems.append(doc.problem(("trigger",), "'manual' means only when named, so it cannot be combined with "
                                    f"{', '.join(repr(n) for n in names if n != 'manual')}",
                                    hint="write trigger: manual, or drop 'manual' from the list"))
    return {"trigger": tuple(dict.fromkeys(names)), "interval": interval, "blocking": bool(data.get("blocking", False))}
