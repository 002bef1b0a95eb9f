"""Which specs a set of changed files concerns, and which runner each spec's ``trigger`` allows.

A path concerns a spec when it matches one of the spec's ``source.files`` globs (the same rules
as the engine's glob: ``**`` spans folders, ``*`` and ``?`` do not cross ``/``), or is the spec
file itself; ``syncspec.yaml`` concerns every spec. This only *selects*: the engine's change
classifier (changes.py) still decides, file by file, what a selected spec must parse.

The hooks run on every commit, so what they need of the specs (name, file, globs, triggers) is
kept in ``.syncspec/triggers.json`` with the size and mtime of syncspec.yaml and of every spec
file: while none of them changed, a hook decides without YAML, jsonschema or peewee. Any change,
and the specs are loaded and validated again (and the index rewritten).
"""

from __future__ import annotations

import json
import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, NamedTuple

INDEX = ".syncspec/triggers.json"
WORKSPACE_FILE = "syncspec.yaml"
RACY_NS = 2_000_000_000

# runner -> the trigger names that let it run a spec (spec/trigger.py; naming a spec always runs it)
RUNNERS = {
    "sync": ("change",),              # a plain `syncspec sync` / `plan`
    "commit": ("commit",),            # git hooks, --staged, --changed-since
    "watch": ("change", "watch"),     # `syncspec watch`, on file events
    "interval": ("interval",),        # `syncspec watch`, on schedule
}


class SpecInfo(NamedTuple):
    """What selection needs of one (top-level) spec (a NamedTuple: the hooks skip importing dataclasses)."""

    name: str
    file: str                          # the spec file, relative to the workspace root
    files: tuple[str, ...]             # source.files globs
    trigger: tuple[str, ...]
    interval: float | None = None
    blocking: bool = False
    exclude: tuple[str, ...] = ()      # source.exclude (gitignore patterns)

    @classmethod
    def of(cls, spec: Any) -> "SpecInfo":
        return cls(spec.name, spec.file, tuple(spec.files), tuple(spec.trigger), spec.interval, spec.blocking,
                   tuple(getattr(spec, "exclude", ())))

    def runs_on(self, runner: str) -> bool:
        if runner == "pre-commit":
            return self.blocking
        return any(t in self.trigger for t in RUNNERS[runner])

    def concerns(self, path: str) -> bool:
        if path == self.file:
            return True
        if not any(glob_regex(g).match(path) for g in self.files):
            return False
        if self.exclude:
            from ..sources.listing import excluded   # only when a glob matched and the spec excludes something

            return not excluded(self.exclude)(path)
        return True


def runs_on(spec: Any, runner: str) -> bool:
    """Does ``spec`` (a Spec; a child follows its parent) run under ``runner`` without being named?"""
    return SpecInfo.of(spec.parent or spec).runs_on(runner)


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A source.files glob as a regex over workspace-relative POSIX paths (glob.glob's rules, recursive)."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "]") else i + 1)
            if j < 0:
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1:j]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def affected(infos: Iterable[SpecInfo], paths: Iterable[str], runner: str) -> list[str]:
    """Names of the specs that run under ``runner`` and that one of ``paths`` concerns, in spec order."""
    paths = [p.replace(os.sep, "/") for p in paths]
    infos = [i for i in infos if i.runs_on(runner)]
    if WORKSPACE_FILE in paths:
        return [i.name for i in infos]
    return [i.name for i in infos if any(i.concerns(p) for p in paths)]


# -- the index: spec infos kept beside the stat of the files they came from ----------------------------
def _stamp(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _spec_stamps(specs_dir: str) -> dict[str, list[int]]:
    try:
        entries = list(os.scandir(specs_dir))
    except OSError:
        return {}
    return {e.name: [st.st_size, st.st_mtime_ns] for e in entries
            if e.name.endswith((".yaml", ".yml")) and e.is_file() for st in (e.stat(),)}


def read_index(root: Path) -> list[SpecInfo] | None:
    """The cached infos if syncspec.yaml and every spec file are as they were when it was written, else None."""
    from .. import __version__

    try:
        with open(os.path.join(root, INDEX), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    try:
        if data["version"] != __version__ or data["workspace"] != _stamp(os.path.join(root, WORKSPACE_FILE)):
            return None
        if data["spec_files"] != _spec_stamps(data["specs_dir"]):
            return None
        return [SpecInfo(s["name"], s["file"], tuple(s["files"]), tuple(s["trigger"]), s["interval"], s["blocking"],
                         tuple(s["exclude"])) for s in data["specs"]]
    except (KeyError, TypeError):
        return None


def write_index(root: Path, specs_dir: Path, specs: Iterable[Any]) -> list[SpecInfo]:
    """Remember the infos of validated ``specs`` (top-level ones); not if a file is too fresh to trust its mtime."""
    from .. import __version__

    infos = [SpecInfo.of(s) for s in specs if getattr(s, "parent", None) is None]
    stamps = _spec_stamps(str(specs_dir))
    workspace = _stamp(os.path.join(root, WORKSPACE_FILE))
    now = time.time_ns()
    if any(now - mtime < RACY_NS for _, mtime in [*stamps.values(), *([workspace] if workspace else [])]):
        return infos                  # same size + mtime could still hide an edit in this tick: do not cache
    data = {"version": __version__, "workspace": workspace, "specs_dir": str(specs_dir), "spec_files": stamps,
            "specs": [i._asdict() for i in infos]}
    path = Path(root, INDEX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass                          # a read-only checkout: no cache, only slower hooks
    return infos


def spec_infos(root: Path) -> list[SpecInfo]:
    """Every top-level spec's info: from the index if it is current, else by loading (and validating) the specs."""
    found = read_index(root)
    if found is not None:
        return found
    from ..api import Workspace

    ws = Workspace.open(root)
    return write_index(ws.root, ws.config.specs_dir, ws.specs())
