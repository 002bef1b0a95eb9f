"""Target kinds, chosen from one registry by ``kind:`` or by URL scheme; drivers import lazily.

A new kind is one module with a class implementing ``base.Target`` and one line here
(plus its keys in the spec schema); the engine does not change.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, TargetUnavailable

if TYPE_CHECKING:
    from .base import Target

# kind -> "module:Class" (imported only when a run uses the kind)
KINDS: dict[str, str] = {
    "sql": "syncspec.targets.sql:SqlTarget",
    "memory": "syncspec.targets.memory:MemoryTarget",
    "redis": "syncspec.targets.redis:RedisTarget",
}
# URL scheme -> kind
SCHEMES: dict[str, str] = {
    "sqlite": "sql", "postgresql": "sql", "postgres": "sql", "mysql": "sql", "mariadb": "sql",
    "memory": "memory",
    "redis": "redis", "rediss": "redis",
}
# a kind's URL when the workspace names none for it (none for redis: a Redis target is always declared)
DEFAULT_URLS: dict[str, str] = {"memory": "memory://{name}"}


def kind_of(url: str) -> str | None:
    """The kind a URL's scheme names (``postgresql+psycopg2://`` counts as ``postgresql``)."""
    scheme = url.split("://", 1)[0].lower().split("+", 1)[0] if "://" in url else ""
    return SCHEMES.get(scheme)


def open_target(name: str, kind: str, url: str, root: Path) -> Target:
    """An unopened Target of ``kind`` for ``url``."""
    where = KINDS.get(kind)
    if where is None:
        raise TargetUnavailable(problems=[Problem(f"unknown target kind {kind!r} for target {name!r}",
                                                  hint=f"kinds: {', '.join(KINDS)}")])
    module, cls = where.split(":")
    target: Target = getattr(import_module(module), cls)(name, url, root)
    return target
