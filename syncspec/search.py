"""Semantic search over the specs that feed a vector target (``syncspec search``, ``Workspace.search``).

Each spec's vector binding is asked for its nearest points; hits from several specs are
merged by score. A hit's source line is read again from the file as it is now (an entry
whose text did not change is not rewritten, so the line stored with its point may be
old), falling back to the stored one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .errors import ConfigError, Problem, SyncSpecError
from .spec.model import Spec
from .targets.base import Binding
from .workspace import WorkspaceConfig

SEARCHABLE = ("qdrant",)          # target kinds that answer ``search``


@runtime_checkable
class Searchable(Protocol):
    def search(self, binding: Binding, query: str, limit: int) -> list[tuple[float, dict[str, Any]]]: ...


@dataclass(frozen=True)
class SearchHit:
    """One match: how close, which entry, and where it is written."""

    score: float
    spec: str
    key: tuple
    title: str | None
    file: str | None
    line: int | None
    target: str                   # the binding's label, e.g. qdrant:vectors/sot_entries

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else self.file or ""

    def as_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 6), "spec": self.spec, "key": list(self.key), "title": self.title,
                "file": self.file, "line": self.line, "target": self.target}


def search(cfg: WorkspaceConfig, specs: list[Spec], query: str, limit: int = 10) -> list[SearchHit]:
    """The ``limit`` best matches for ``query`` across ``specs``' vector targets, best first."""
    from .engine import Targets

    if limit < 1:
        raise ConfigError(problems=[Problem(f"limit must be 1 or more, not {limit}", hint="pass --limit 10")])
    run = Targets(cfg, specs, specs, SEARCHABLE)
    if not run.targets:
        raise ConfigError(problems=[Problem(
            "no spec feeds a vector target" + (f" (specs: {', '.join(s.name for s in specs)})" if specs else ""),
            hint="add `also: [{kind: qdrant}]` under a spec's target: (see README, Vector target), then sync")])
    hits: list[SearchHit] = []
    try:
        for t in run.targets.values():
            t.open(write=False)
        for b in run.selected():
            target = run.targets[b.ref.use]
            if not isinstance(target, Searchable):
                continue
            for score, p in target.search(b, query, limit):
                hits.append(SearchHit(score, b.spec.name, tuple(p.get("_key") or ()), p.get("_title"),
                                      p.get("_file"), p.get("_line"), b.label))
    except BaseException as exc:
        err = run.error(exc)
        if err is not None and err is not exc:
            raise err from None
        raise
    finally:
        for t in run.targets.values():
            t.close()
    hits.sort(key=lambda h: -h.score)
    return _current_lines(cfg, {s.name: s for s in specs}, hits[:limit])


def _current_lines(cfg: WorkspaceConfig, specs: dict[str, Spec], hits: list[SearchHit]) -> list[SearchHit]:
    """Hits with the line each entry has in its file now (one parse per file that has hits)."""
    from dataclasses import replace

    from .preview import preview

    lines: dict[tuple[str, str], dict[tuple, int]] = {}
    out = []
    for hit in hits:
        spec = specs.get(hit.spec)
        if spec is None or not hit.file:
            out.append(hit)
            continue
        where = (hit.spec, hit.file)
        if where not in lines:
            lines[where] = {}
            path = Path(cfg.root) / hit.file
            try:
                if path.is_file():
                    found = preview(spec, [(path, hit.file)], dict(cfg.context, sync=spec.name))
                    lines[where] = {tuple(str(r["row"].get(k)) for k in spec.key): r["line"]
                                    for r in found.records if r["row"] is not None}
            except (SyncSpecError, OSError):
                pass                # the stored line stands
        line = lines[where].get(tuple(str(k) for k in hit.key))
        out.append(replace(hit, line=line) if line else hit)
    return out
