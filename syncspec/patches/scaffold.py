"""`patch new`: write the next numbered patch document (a valid draft) and the schema editors use."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ..errors import ConfigError, Problem, SpecError
from .config import PatchConfig
from .document import NAME_RE, PATCH_SCHEMA, load_patch, patch_files
from .jsonfile import read_json

TEMPLATE = """\
# yaml-language-server: $schema=patch.schema.json
id: {id}
title: {title}
created: "{created}"
priority: medium
status: draft            # drafts are listed but never applied: set 'ready' once reviewed
requires: []             # ids of patches that must be applied first{latest}
description: |
  Why this change, and what it adds to {plan}.

# RFC 6902 operations, applied in order (add, remove, replace, move, copy, test)
operations: []
#  - {{op: test, path: /phases/PH-000/estimated_duration_hours, value: 9.5}}
#  - {{op: replace, path: /phases/PH-000/estimated_duration_hours, value: 11.5}}
#  - op: add
#    path: /phases/PH-000/workstreams/WS-000-010
#    value: {{name: Core state database tests, estimated_hours: 2.0, tasks: {{}}}}

# checked after the operations: a pointer and one of exists / count / equals
post_conditions: []
#  - {{pointer: /phases/PH-000/workstreams/WS-000-010, exists: true}}
#  - {{pointer: /phases/PH-000/workstreams, count: 10, note: Phase 0 has 10 workstreams}}
#  - {{pointer: /phases/PH-000/estimated_duration_hours, equals: 11.5}}
"""


def slug(title: str) -> str:
    """``'Core state: implementation!'`` -> ``'core-state-implementation'``."""
    text = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return text[:48].rstrip("-") or "patch"


def next_id(cfg: PatchConfig, title: str) -> str:
    """The next free number (after every patch file and every ledger entry), zero-padded, plus a slug."""
    numbers = [m.group("number") for p in patch_files(cfg) if (m := NAME_RE.match(p.stem))]
    if cfg.ledger.exists():
        data = read_json(cfg.ledger, cfg.display(cfg.ledger), "patch ledger").data
        for entry in data.get("applied", []) if isinstance(data, dict) else []:
            if isinstance(entry, dict) and (m := NAME_RE.match(str(entry.get("id", "")))):
                numbers.append(m.group("number"))
    width = max([3] + [len(n) for n in numbers])
    number = max([int(n) for n in numbers], default=0) + 1
    return f"{number:0{width}d}-{slug(title)}"


def _number(pid: str) -> tuple[int, str]:
    match = NAME_RE.match(pid)
    return (int(match.group("number")) if match else 0, pid)


def new_patch(cfg: PatchConfig, title: str, now: dt.datetime | None = None) -> Path:
    """Write ``patches/NNN-slug.yaml`` (status draft) and ``patches/patch.schema.json``; return the path."""
    from ..spec.schema import schema_text

    if not title.strip():
        raise ConfigError(problems=[Problem("a patch needs a title", hint='syncspec patch new "Add core state tests"')])
    now = now or dt.datetime.now(dt.timezone.utc)
    pid = next_id(cfg, title)
    latest = [p.stem for p in patch_files(cfg) if NAME_RE.match(p.stem)]
    path = cfg.dir / f"{pid}.yaml"
    text = TEMPLATE.format(id=pid, title=json.dumps(title.strip(), ensure_ascii=False),
                           created=now.strftime("%Y-%m-%dT%H:%M:%SZ"), plan=cfg.display(cfg.plan),
                           latest=f"; the latest is {max(latest, key=_number)}" if latest else "")
    cfg.dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ConfigError(problems=[Problem(f"{cfg.display(path)} already exists", file=cfg.display(path),
                                            hint="choose another title")]) from None
    schema = cfg.dir / PATCH_SCHEMA
    if not schema.exists() or schema.read_text(encoding="utf-8") != schema_text(PATCH_SCHEMA):
        schema.write_text(schema_text(PATCH_SCHEMA), encoding="utf-8")
    problems: list[Problem] = []
    if load_patch(path, cfg.display(path), problems) is None:  # pragma: no cover - the template is tested
        raise SpecError(problems=problems)
    return path
