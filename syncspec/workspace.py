"""Find and read a workspace (syncspec.yaml): project, target URL, specs folder."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .errors import ConfigError, Problem, SpecError
from .spec.yamlfile import Located, load_yaml, read_text

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
                          hint="run `syncspec init` to create a workspace here, or pass --project DIR")])


def expand_env(value: str, env: dict[str, str] | None = None) -> str:
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
    """Hide the password in a URL: ``postgresql://u:***@host/db``."""
    return re.sub(r"^([a-z0-9+]+://[^:/@]*):[^@/]*@", r"\1:***@", url, flags=re.I)


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
                                            hint="write at least 'project: NAME' (see `syncspec init`)")])
    from .spec.validated import ValidatedCache

    validated = ValidatedCache()
    problems = validate_document(doc, WORKSPACE_SCHEMA, cache=validated)
    validated.save()
    if problems:
        raise ConfigError(problems=problems)
    data = doc.data
    project = _expand(doc, ("project",), data["project"])
    url = database_url or _expand(doc, ("database",), data.get("database", DEFAULT_DATABASE.format(project=project)))
    url = resolve_sqlite_path(url, root)
    specs_dir = (root / _expand(doc, ("specs",), data.get("specs", "specs/"))).resolve()
    targets: dict[str, tuple[str | None, str]] = {}
    for name, conf in (data.get("targets") or {}).items():
        kind, raw = (None, conf) if isinstance(conf, str) else (conf.get("kind"), conf.get("url", ""))
        where = ("targets", name) if isinstance(conf, str) else ("targets", name, "url")
        turl = resolve_sqlite_path(_expand(doc, where, raw), root) if raw else ""
        if not isinstance(conf, str) and conf.get("prefix"):       # a key prefix (redis): rides on the URL
            prefix = _expand(doc, ("targets", name, "prefix"), conf["prefix"])
            turl += ("&" if "?" in turl else "?") + urlencode({"prefix": prefix})
        targets[name] = (kind, turl)
    state = resolve_sqlite_path(_expand(doc, ("state",), data.get("state", DEFAULT_STATE)), root)
    return WorkspaceConfig(root=root, project=project, database_url=url, specs_dir=specs_dir,
                           lock_timeout=float(data.get("lock_timeout", 10)), patches=data.get("patches", {}),
                           targets=targets, state_url=state)


def _expand(doc: Located, path: tuple, value: str) -> str:
    try:
        return expand_env(value)
    except KeyError as exc:
        name = exc.args[0]
        raise ConfigError(problems=[doc.problem(path, f"environment variable {name} is not set",
                                                hint=f"export {name}=..., or write ${{{name}:-default}}")]) from None


def resolve_sqlite_path(url: str, root: Path) -> str:
    """``sqlite:///rel.db`` is relative to the workspace root; ``sqlite:////abs.db`` absolute."""
    if not url.startswith("sqlite:///"):
        return url
    rest = url[len("sqlite:///"):]
    if rest.startswith(":memory:") or rest.startswith("/"):
        return url
    query = ""
    if "?" in rest:
        rest, query = rest.split("?", 1)
        query = "?" + query
    return "sqlite:///" + str((root / rest).resolve()) + query
