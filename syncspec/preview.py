"""What a spec extracts, for spec authors: records with file:line and strategy, rows, and why files yield none."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, SourceError
from .children import Children
from .records import Mapper
from .sources.explain import explain
from .sources.extract import parse_file, run_strategy
from .spec.model import META_KEYS, Spec


@dataclass(frozen=True)
class Preview:
    """What a spec extracts from its files, for spec authors."""

    spec: str
    records: list[dict[str, Any]]   # {file, line, strategy, data, row}
    missing: dict[str, int]          # column -> records lacking a value
    problems: list[Problem]
    files: list[dict[str, Any]] = field(default_factory=list)   # {file, strategy, records, tried: [[kind, why]]}
    notes: list[str] = field(default_factory=list)              # for people: empty columns, files without records
    warnings: list[Problem] = field(default_factory=list)       # bad values of on_error: warn columns


def preview(spec: Spec, files: list[tuple[Path, str]], context: dict[str, str], limit: int | None = None) -> Preview:
    """Run ``spec`` on ``files`` the way a sync would, keeping what a spec author needs to see."""
    mapper = Mapper(spec, context)
    children = Children(spec, context, strict=False) if spec.parent is not None else None
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    mapped: list[dict[str, Any]] = []
    for path, display in files:
        if limit is not None and len(out) >= limit:
            break
        tried: list[list[str]] = []
        winner, records = None, []
        try:
            parsed = parse_file(spec, path, display)
            for strategy in spec.strategies:
                records = run_strategy(strategy, parsed)
                if records and children is not None:
                    records = children.records(records)
                if records:
                    winner = strategy.kind
                    break
                tried.append([strategy.kind, explain(strategy, parsed)])
        except SourceError as exc:
            problems.extend(exc.problems)
            summaries.append({"file": display, "strategy": None, "records": 0, "tried": tried,
                              "error": exc.problems[0].message if exc.problems else str(exc)})
            continue
        summaries.append({"file": display, "strategy": winner, "records": len(records), "tried": tried})
        for record in records:
            row = mapper.map(record, problems)
            if row is not None:
                mapped.append(row.values)
            out.append({"file": record.file, "line": record.line, "strategy": record.strategy,
                        "data": record.data, "row": row.values if row else None})
            if limit is not None and len(out) >= limit:
                break
    missing = {c.name: sum(1 for v in mapped if v.get(c.name) is None) for c in spec.columns if not c.is_constant}
    missing = {k: v for k, v in missing.items() if v}
    notes = _column_notes(spec, out, mapped, missing)
    noted = {n.split("'")[1] for n in notes if n.startswith("column '")}
    # a column with a default is never empty, so a typo in its from: shows only here
    notes += [p.message.replace(f" of spec {spec.name!r}", "") for p in mapper.unread_paths()
              if p.message.split("'")[1] not in noted]
    notes += _file_notes(summaries)
    return Preview(spec.name, out, missing, problems, summaries, notes, mapper.warnings)


def _column_notes(spec: Spec, records: list[dict[str, Any]], mapped: list[dict[str, Any]],
                  missing: dict[str, int]) -> list[str]:
    """A note per column without values; for one that reads a path no record has, the closest path."""
    notes = []
    paths = record_paths(r["data"] for r in records)
    partial = [f"{name} ({count} of {len(mapped)})" for name, count in missing.items() if count < len(mapped)]
    if partial:
        notes.append(f"some records have no value for: {', '.join(partial)}")
    for name, count in missing.items():
        col = spec.column(name)
        if count < len(mapped):
            continue
        path = ".".join(col.path) if col.path else ""
        wanted = ".".join(col.path[:2]) if col.path else ""
        if not wanted or wanted in paths or not records:
            source = f" (from {path})" if path else ""
            notes.append(f"column {name!r}{source} is empty in all {len(mapped)} record(s)")
            continue
        close = closest_path(wanted, paths)
        listed = ", ".join(sorted(paths)[:24]) + (" ..." if len(paths) > 24 else "")
        notes.append(f"column {name!r} reads {path!r}, which no record has; "
                     + (f"did you mean {close!r}?" if close else f"records have: {listed}"))
    return notes


def closest_path(wanted: str, paths: set[str]) -> str | None:
    """``fields.stauts`` -> ``fields.status``: the closest key at the level where the path goes wrong."""
    head, _, tail = wanted.partition(".")
    if tail and head in paths:
        subs = [p.split(".", 1)[1] for p in paths if p.startswith(head + ".")]
        close = difflib.get_close_matches(tail, subs, n=1, cutoff=0.6)
        return f"{head}.{close[0]}" if close else None
    close = difflib.get_close_matches(head, [p for p in paths if "." not in p], n=1, cutoff=0.6)
    return (close[0] + (f".{tail}" if tail else "")) if close else None


_DETAILS = re.compile(r"'[^']*'|\d+")


def _file_notes(summaries: list[dict[str, Any]]) -> list[str]:
    """Why each file without records has none (files that fell back: see ``fallback_notes``).

    Files failing for the same reason (the same text but for quoted headings and numbers) share
    one note with their count, so 38 files needing ``level: 3`` do not print 38 notes.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for s in summaries:
        if s["strategy"] is None and "error" not in s:
            why = "; ".join(f"{kind}: {reason}" for kind, reason in s["tried"])
            groups.setdefault(_DETAILS.sub("_", why), []).append((s["file"], why))
    notes = []
    for same in groups.values():
        first, why = same[0]
        more = f" and {len(same) - 1} more file(s) like it" if len(same) > 1 else ""
        notes.append(f"{first}{more}: no records. {why}")
    return notes


def fallback_notes(pv: Preview, why: bool = False) -> list[str]:
    """Files whose records came from a fallback strategy; with ``why``, what the strategies before it found."""
    fell = [s for s in pv.files if s["strategy"] is not None and s["tried"]]
    if why:
        return [f"{s['file']}: {s['records']} record(s) from {s['strategy']}, after "
                + "; ".join(f"{kind}: {reason}" for kind, reason in s["tried"]) for s in fell]
    if len(fell) > 3:
        return [f"{len(fell)} files took their records from a fallback strategy (--why says why the ones "
                "before it found none)"]
    return [f"{s['file']}: {s['records']} record(s) from the fallback {s['strategy']} strategy (--why says why "
            "the ones before it found none)" for s in fell]


def record_paths(datas) -> set[str]:
    """Every path a column can read, from sample record data: top-level keys and one level below.

    An object whose keys are data (``tasks: {TSK-1: ..., TSK-2: ...}``) shows as ``tasks.*``.
    """
    paths: set[str] = set(META_KEYS)
    below: dict[str, Counter[str]] = {}
    holders: Counter[str] = Counter()
    for data in datas:
        for key, value in data.items():
            paths.add(str(key))
            if isinstance(value, dict) and value and not str(key).startswith("$"):
                below.setdefault(str(key), Counter()).update(str(sub) for sub in value)
                holders[str(key)] += 1
    for key, subs in below.items():
        ids = holders[key] > 1 and max(subs.values()) == 1   # no two records share a sub-key: they are data
        paths.update([f"{key}.*"] if ids or len(subs) > 12 else (f"{key}.{sub}" for sub in subs))
    return paths
