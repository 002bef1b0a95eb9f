"""Render back: a markdown section written from a target's current rows (the seed's display sync).

A spec declares ``render:`` items; each names a file, a section and a one-line template::

    render:
      - file: docs/TASKS.md
        section: status
        template: '- {id}: {state} {hot_state}'
        require: [hot_state]            # only entries someone is working on
        commit: '[Display Sync] {section}: {rows} entries'
        quiet_seconds: 5                # a cold-state commit touched the file: skip this round

The text goes between ``<!-- syncspec:begin NAME -->`` and ``<!-- syncspec:end NAME -->`` (which
the file must hold, outside any front matter); every byte outside them stays as it was, and the
file is written only when the section's text changes. Rows are read through the Target interface
(``index`` + ``fetch``), so any kind renders; a Redis target's named hot keys are fields too.
"""

from __future__ import annotations

import os
import re
import string
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CheckFailed, ConfigError, Problem, SourceError, SpecError
from .records import canonical
from .spec.model import Spec
from .targets import DEFAULT_URLS, open_target
from .targets.base import Binding, Target
from .workspace import WorkspaceConfig

BEGIN = "<!-- syncspec:begin {name} -->"
END = "<!-- syncspec:end {name} -->"


@dataclass(frozen=True)
class Section:
    """One ``render:`` item of a spec."""

    spec: Spec
    index: int
    file: str
    name: str
    template: str
    target: str | None = None
    order: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    empty: str = ""
    missing: str = ""
    commit: str | None = None
    quiet_seconds: float = 0
    header: str = ""

    @property
    def json_path(self) -> str:
        return f"$.render[{self.index}]"


@dataclass(frozen=True)
class Rendered:
    """What rendering one section did: ``written``, ``current`` (same text), ``stale`` (check only)
    or ``skipped`` (a recent commit touched the file)."""

    spec: str
    file: str
    section: str
    state: str
    rows: int
    committed: bool = False
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sections_of(spec: Spec) -> list[Section]:
    out = []
    for i, item in enumerate(spec.raw.get("render") or ()):
        out.append(Section(spec, i, str(item["file"]), str(item["section"]), str(item["template"]),
                           item.get("target"), tuple(item.get("order") or ()), tuple(item.get("require") or ()),
                           str(item.get("empty", "")), str(item.get("missing", "")), item.get("commit"),
                           float(item.get("quiet_seconds", 0)), str(item.get("header", ""))))
    return out


def render(cfg: WorkspaceConfig, specs: list[Spec], check: bool = False, now: float | None = None) -> list[Rendered]:
    """Render every section the specs declare; ``check``: write nothing, raise CheckFailed if one is stale."""
    from .engine import bindings_of

    results: list[Rendered] = []
    opened: dict[str, Target] = {}
    try:
        for spec in specs:
            for sec in sections_of(spec):
                binding = _binding(sec, bindings_of(spec))
                target = opened.get(binding.ref.use)
                if target is None:
                    target = opened[binding.ref.use] = _open(cfg, spec, binding)
                results.append(_one(cfg.root, sec, target, binding, check, time.time() if now is None else now))
    finally:
        for t in opened.values():
            t.close()
    stale = [r for r in results if r.state == "stale"]
    if check and stale:
        raise CheckFailed(problems=[Problem(f"section {r.section!r} is stale (spec {r.spec!r})",
                                            file=r.file, hint="run `syncspec render` to rewrite it")
                                    for r in stale])
    return results


def _binding(sec: Section, bindings: list[Binding]) -> Binding:
    if sec.target is None:
        return bindings[0]
    for b in bindings:
        if sec.target in (b.ref.use, b.ref.kind):
            return b
    raise SpecError(problems=[Problem(
        f"render target {sec.target!r} is not a target of spec {sec.spec.name!r}", file=sec.spec.file,
        json_path=f"{sec.json_path}.target", hint=f"one of: {', '.join(b.ref.use for b in bindings)}")])


def _open(cfg: WorkspaceConfig, spec: Spec, binding: Binding) -> Target:
    ref = binding.ref
    found = cfg.target_url(ref.use)
    if found is None and ref.kind in DEFAULT_URLS:
        found = (ref.kind, DEFAULT_URLS[ref.kind].format(name=ref.use))
    if found is None:
        raise ConfigError(problems=[Problem(f"target {ref.use!r} is not declared in syncspec.yaml",
                                            file=spec.file, json_path=f"{ref.json_path}.use")])
    target = open_target(ref.use, ref.kind, found[1], cfg.root)
    try:
        target.open(write=False)
    except Exception as exc:
        err = target.error(exc)
        if err is not None:
            raise err from None
        raise
    return target


def lines_of(sec: Section, target: Target, binding: Binding) -> list[str]:
    """The section's lines from the binding's live rows (ordered by ``order``, else the key)."""
    spec = binding.spec
    keys = sorted((k for k, (_, deleted) in target.index(binding).items() if not deleted), key=_sortable)
    stored = target.fetch(binding, keys) if keys else {}
    hot_values = getattr(target, "hot_values", None)
    hot = hot_values(binding, keys) if hot_values is not None and keys else {}
    names = _fields(sec.template)
    known = {"key", *(c.name for c in spec.columns), *_hot_names(target, binding)}
    unknown = sorted(names - known)
    if unknown:
        raise SpecError(problems=[Problem(
            f"render template names {', '.join(map(repr, unknown))}: not a column or hot key of spec "
            f"{spec.name!r}", file=spec.file, json_path=f"{sec.json_path}.template",
            hint=f"columns: {', '.join(c.name for c in spec.columns)}")])
    rows = []
    for key in keys:
        values: dict[str, Any] = dict(zip(spec.key, key))
        values.update(stored.get(key, {}))
        values.update(hot.get(key, {}))
        values["key"] = ":".join(_text(k) for k in key)
        if any(values.get(n) in (None, "") for n in sec.require):
            continue
        rows.append(values)
    if sec.order:
        rows.sort(key=lambda v: tuple(_sortable((v.get(n),)) for n in sec.order))
    return [sec.template.format_map({n: sec.missing if v is None else _text(v) for n, v in row.items()}
                                    | {n: sec.missing for n in names if n not in row}) for row in rows]


def _hot_names(target: Target, binding: Binding) -> set[str]:
    fields = getattr(target, "hot_fields", None)          # a kind with keys others write (Redis)
    return set(fields(binding)) if fields is not None else set()


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def _sortable(key: tuple) -> tuple:
    """Natural order (PR-2 before PR-10): numbers first, then text with its digit runs as numbers."""
    return tuple((0, k, ()) if isinstance(k, (int, float)) and not isinstance(k, bool) else
                 (1, 0, tuple((int(p), "") if p.isdigit() else (-1, p) for p in _DIGITS.split(_text(k))))
                 if k is not None else (2, 0, ()) for k in key)


_DIGITS = re.compile(r"(\d+)")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return canonical(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def splice(text: str, name: str, body: list[str], empty: str = "") -> str:
    """``text`` with the section ``name`` holding ``body``; every byte outside the markers as it was."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    head = _front_matter_end(text)                  # markers inside front matter are not markers
    start = text.find(begin, head)
    if start < 0:
        raise ValueError(f"{begin} is only inside the front matter (syncspec never writes there)"
                         if begin in text[:head] else f"needs a line {begin}")
    if text.find(begin, start + 1) >= 0:
        raise ValueError(f"holds {begin} twice")
    stop = text.find(end, start)
    if stop < 0:
        raise ValueError(f"has {begin} but no {end} after it")
    nl = "\r\n" if "\r\n" in text[:stop] else "\n"
    lines = body or ([empty] if empty else [])
    inner = nl + "".join(line + nl for line in lines)
    return text[:start + len(begin)] + inner + text[stop:]


def _front_matter_end(text: str) -> int:
    """Where a leading ``---`` YAML front matter block ends (0: none)."""
    m = re.match(r"---\r?\n.*?^---[ \t]*(\r?\n|\Z)", text, re.S | re.M)
    return m.end() if m else 0


def _one(root: Path, sec: Section, target: Target, binding: Binding, check: bool, now: float) -> Rendered:
    path = root / sec.file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(problems=[Problem(f"render file {sec.file}: {exc.strerror or exc}", file=sec.spec.file,
                                            json_path=f"{sec.json_path}.file",
                                            hint="create it with the section's markers")]) from None
    text = raw.decode("utf-8")
    lines = lines_of(sec, target, binding)
    try:
        body = (sec.header.splitlines() + lines) if lines else []
        new = splice(text, sec.name, body, sec.empty)
    except ValueError as exc:
        raise SourceError(problems=[Problem(f"the file {exc}", file=sec.file,
                                            hint=f"add the lines {BEGIN.format(name=sec.name)} and "
                                                 f"{END.format(name=sec.name)} where the section goes")]) from None
    out = dict(spec=sec.spec.name, file=sec.file, section=sec.name, rows=len(lines))
    if new == text:
        return Rendered(state="current", **out)       # type: ignore[arg-type]
    if check:
        return Rendered(state="stale", **out)         # type: ignore[arg-type]
    if sec.quiet_seconds:
        last = _last_commit(root, sec.file)
        if last is not None and now - last < sec.quiet_seconds:
            return Rendered(state="skipped", reason=f"a commit touched {sec.file} {now - last:.0f}s ago",
                            **out)                    # type: ignore[arg-type]
    _write(path, new.encode("utf-8"))
    committed = False
    if sec.commit:
        message = sec.commit.format(section=sec.name, file=sec.file, rows=len(lines), lines="\n".join(lines))
        committed = _git_commit(root, sec.file, message)
    return Rendered(state="written", committed=committed, **out)   # type: ignore[arg-type]


def _write(path: Path, data: bytes) -> None:
    """Atomically (a crash leaves the old file or the new one), keeping the file's mode."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)


def _last_commit(root: Path, file: str) -> float | None:
    """Commit time of the last commit touching ``file`` (None: not in git)."""
    try:
        out = _git(root, "log", "-1", "--format=%ct", "--", file)
    except (OSError, subprocess.SubprocessError):
        return None
    return float(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def _git_commit(root: Path, file: str, message: str) -> bool:
    """Commit only ``file`` (other staged changes stay staged); False when not a git work tree."""
    try:
        if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
            return False
        _git(root, "add", "--", file)
        done = _git(root, "commit", "-q", "-m", message, "--only", "--", file)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
