"""syncspec: declarative YAML specs that sync markdown truth into derived indexes.

Names are imported lazily (PEP 562) so ``syncspec --version`` and git hooks
start fast; ``from syncspec import Workspace`` works as usual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0.dev0"

_EXPORTS = {
    "Workspace": "api", "Preview": "preview", "SpecStatus": "api",
    "PlanResult": "engine", "SyncResult": "engine",
    "ChangeSet": "plan",
    "RunRecord": "ledger", "StepRecord": "ledger", "EventRecord": "ledger",
    "Problem": "errors", "SyncSpecError": "errors", "ConfigError": "errors", "SpecError": "errors",
    "SourceError": "errors", "DuplicateKeyError": "errors", "MappingError": "errors",
    "StateTransitionError": "errors", "TargetError": "errors", "TargetUnavailable": "errors",
    "TimeLimitExceeded": "errors",
    "LockNotAcquired": "errors", "CheckFailed": "errors", "SchemaChangeRefused": "errors",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'syncspec' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from .api import SpecStatus, Workspace
    from .engine import PlanResult, SyncResult
    from .preview import Preview
    from .errors import (CheckFailed, ConfigError, DuplicateKeyError, LockNotAcquired, MappingError, Problem,
                         SchemaChangeRefused, SourceError, SpecError, StateTransitionError, SyncSpecError,
                         TargetError, TargetUnavailable, TimeLimitExceeded)
    from .ledger import EventRecord, RunRecord, StepRecord
    from .plan import ChangeSet
