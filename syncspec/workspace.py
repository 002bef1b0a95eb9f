"""Find and read a workspace (syncspec.yaml): project, target URL, specs folder."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .errors import ConfigError, Problem, SpecError
from .spec.yamlfile import Located, json_path, load_yaml, read_text
from .urls import mask, parse_url

WORKSPACE_FILE = "syncspec.yaml"
DEFAULT_DATABASE = "sqlite:///.syncspec/{project}.db"
DEFAULT_STATE = "sqlite:///.syncspec/state.db"   # state of targets without transactions (ADR 0005)
ENV_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def find_root(start: Path | None = None) -> Path:
    """Walk up from ``start`` (default: cwd) to the folder holding syncspec.yaml."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_FILE).is_file():
            return folder
    raise ConfigError(
        f"no {WORKSPACE_FILE} found in {here} or any parent folder",
        problems=[Problem(f"no {WORKSPACE_FILE} found in {here} or any parent folder",
                          hint="run `syncspec init` to create a workspace here, or pass --project DIR",
                          code="SS111")])


def expand_env(value: str, env: Mapping[str, str] | None = None) -> str:
    """Expand ``${VAR}`` and ``${VAR:-default}``; ``$$`` is a literal ``$``.

    >>> expand_env("${NOPE:-sqlite:///x.db}", {})
    'sqlite:///x.db'
    """
    values: Mapping[str, str] = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name, default = m.group(1), m.group(2)
        if values.get(name):
            return values[name]
        if default is not None:
            return default
        raise KeyError(name)

    return ENV_RE.sub(sub, value)


def mask_url(url: str) -> str:
    """Hide the password in a URL (``postgresql://u:***@host/db``) and secret query values (urls.mask)."""
    return mask(url)


@dataclass(frozen=True)
class WorkspaceConfig:
    """The settings of syncspec.yaml after env expansion, paths resolved."""

    root: Path
    project: str
    database_url: str
    specs_dir: Path
    lock_timeout: float = 10.0
    patches: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, tuple[str | None, str]] = field(default_factory=dict)   # name -> (kind, url)
    state_url: str = ""
    disabled: frozenset[str] = frozenset()      # targets with enabled: false: they run only when named (--only)

    def target_url(self, name: str) -> tuple[str | None, str] | None:
        """(kind or None: from the scheme, URL) of a named target; ``database`` is the workspace database."""
        if name == "database":
            return None, self.database_url
        return self.targets.get(name)

    @property
    def masked_url(self) -> str:
        return mask_url(self.database_url)

    @property
    def context(self) -> dict[str, str]:
        return {"project": self.project}


def read_config(root: Path, database_url: str | None = None) -> WorkspaceConfig:
    """Read ``root/syncspec.yaml``; ``database_url`` (from --database-url) wins."""
    from .spec.schema import WORKSPACE_SCHEMA, validate_document

    path = root / WORKSPACE_FILE
    try:
        doc = load_yaml(read_text(path, WORKSPACE_FILE), WORKSPACE_FILE)
    except SpecError as exc:
        raise ConfigError(problems=exc.problems) from None
    if doc.data is None:
        raise ConfigError(problems=[Problem("workspace file is empty", file=WORKSPACE_FILE, line=1,
                                            hint="write at least 'project: NAME' (see `syncspec init`)",
                                            code="SS108")])
    from .spec.validated import ValidatedCache

    validated = ValidatedCache()
    problems = validate_document(doc, WORKSPACE_SCHEMA, cache=validated)
    validated.save()
    if problems:
        raise ConfigError(problems=problems)
    data = doc.data
    project = _expand(doc, ("project",), data["project"])
    url = database_url or _expand(doc, ("database",), data.get("database", DEFAULT_DATABASE.format(project=project)))
    url = resolve_sqlite_path(_checked_url(doc, url, ("database",) if not database_url else None), root)
    specs_dir = _inside(doc, root, ("specs",), _expand(doc, ("specs",), data.get("specs", "specs/")))
    for key, value in (data.get("patches") or {}).items():
        if key in ("dir", "plan", "schema", "ledger") and isinstance(value, str):
            _inside(doc, root, ("patches", key), value)
    targets: dict[str, tuple[str | None, str]] = {}
    disabled: set[str] = set()
    for name, conf in (data.get("targets") or {}).items():
        on = conf.get("enabled", True) if isinstance(conf, dict) else True
        if isinstance(on, str):
            on = _expand(doc, ("targets", name, "enabled"), on).strip().lower() not in ("", "0", "false", "no", "off")
        if not on:
            disabled.add(name)
        kind, raw = (None, conf) if isinstance(conf, str) else (conf.get("kind"), conf.get("url", ""))
        where = ("targets", name) if isinstance(conf, str) else ("targets", name, "url")
        turl = _expand(doc, where, raw) if raw else ""
        if turl:
            _checked_url(doc, turl, where)       # a located error for a malformed URL; the text is kept
        turl = resolve_sqlite_path(turl, root) if turl else ""
        if not isinstance(conf, str) and conf.get("prefix"):       # a key prefix (redis): rides on the URL
            prefix = _expand(doc, ("targets", name, "prefix"), conf["prefix"])
            turl += ("&" if "?" in turl else "?") + urlencode({"prefix": prefix})
        targets[name] = (kind, turl)
    state = resolve_sqlite_path(_checked_url(doc, _expand(doc, ("state",), data.get("state", DEFAULT_STATE)),
                                             ("state",)), root)
    return WorkspaceConfig(root=root, project=project, database_url=url, specs_dir=specs_dir,
                           lock_timeout=float(data.get("lock_timeout", 10)), patches=data.get("patches", {}),
                           targets=targets, state_url=state, disabled=frozenset(disabled))


def _inside(doc: Located, root: Path, path: tuple, value: str) -> Path:
    """``value`` resolved against the workspace root; a ConfigError if it (or a symlink in it) leads outside,
    since specs and patches are read (and plans written) there."""
    base = root.resolve()
    resolved = (base / value).resolve()
    if resolved != base and base not in resolved.parents:
        raise ConfigError(problems=[doc.problem(path, f"{value!r} is outside the workspace ({resolved})",
                                                hint="use a folder inside the workspace, relative to syncspec.yaml "
                                                     "(e.g. specs/), without '..'")])
    return resolved


def _expand(doc: Located, path: tuple, value: str) -> str:
    try:
        return expand_env(value)
    except KeyError as exc:
        name = exc.args[0]
        raise ConfigError(problems=[doc.problem(path, f"environment variable {name} is not set",
                                                hint=f"export {name}=..., or write ${{{name}:-default}}",
                                                code="SS112")]) from None


def _checked_url(doc: Located, url: str, path: tuple | None) -> str:
    """The URL parsed (urls.parse_url) and written back in one form: the driver suffix dropped, user and
    password percent-encoded, so the target opens what the user meant. A malformed URL is a ConfigError
    at ``path`` in syncspec.yaml (None: it came from --database-url)."""
    try:
        return parse_url(url).render()
    except ConfigError as exc:
        problem = exc.problems[0]
        if path is not None:
            line, col = doc.where(path)
            located = Problem(problem.message, file=doc.file, line=line, column=col, json_path=json_path(path),
                              hint=problem.hint)
        else:
            located = Problem(f"--database-url: {problem.message}", hint=problem.hint)
        raise ConfigError(problems=[located]) from None


def resolve_sqlite_path(url: str, root: Path) -> str:
    """``sqlite:///rel.db`` is relative to the workspace root; ``sqlite:////abs.db`` absolute."""
    if not url.lower().startswith("sqlite:"):
        return url
    parsed = parse_url(url)
    path = parsed.database
    if path.startswith(":memory:") or path.startswith("/"):
        return url
    return replace(parsed, database=str((root / path).resolve())).render()
