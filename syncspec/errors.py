"""The one exception tree of syncspec, and the exit code each branch maps to.

    SyncSpecError                 exit 1  (base; anything a user can cause)
    ├── ConfigError               exit 1  syncspec.yaml, env expansion, paths
    ├── SpecError                 exit 1  spec YAML / schema / semantic checks
    ├── SourceError               exit 1  unreadable or undecodable source files
    │   └── DuplicateKeyError     exit 1  two records with one key
    ├── MappingError              exit 1  values that do not coerce, required/choices
    │   └── StateTransitionError  exit 1  a state change the column's states: do not allow
    ├── TargetError               exit 2  database connection or write errors
    │   └── SchemaChangeRefused   exit 1  a table change would lose data (--allow-destructive) or
    │                                     existing rows violate a new constraint; nothing changed
    ├── TargetUnavailable         exit 4  a driver or mode that is not installed
    ├── TimeLimitExceeded         exit 3  --max-seconds passed
    ├── LockNotAcquired           exit 5  another run holds the target
    └── CheckFailed               exit 6  drift or pending work found by a check

Errors carry their context as attributes (``problems``, ``target``, ``run_id``)
so callers can act on them without parsing text; ``str(err)`` is the one-screen
message the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located complaint: ``file:line:col: $.json.path: message (hint)``."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    json_path: str | None = None
    hint: str | None = None

    def format(self) -> str:
        loc = ""
        if self.file:
            loc = self.file
            if self.line is not None:
                loc += f":{self.line}"
                if self.column is not None:
                    loc += f":{self.column}"
            loc += ": "
        path = f"{self.json_path}: " if self.json_path else ""
        text = f"{loc}{path}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class SyncSpecError(Exception):
    """Root of every error a user can cause; ``exit_code`` is the CLI's."""

    exit_code = 1

    def __init__(self, message: str = "", problems: list[Problem] | None = None, **attrs: Any):
        self.problems: list[Problem] = list(problems or [])
        if not message and self.problems:
            message = self.problems[0].message
        self.message = message
        self.attrs = attrs
        for key, value in attrs.items():
            setattr(self, key, value)
        super().__init__(message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [p.format() for p in self.problems]
        if len(self.problems) > 1:
            lines.insert(0, f"{len(self.problems)} problems:")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "exit_code": self.exit_code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
            **{k: v for k, v in self.attrs.items() if isinstance(v, (str, int, float, type(None)))},
        }


class ConfigError(SyncSpecError):
    """The workspace file, an environment variable or a path is wrong."""


class SpecError(SyncSpecError):
    """A spec does not parse, validate against the schema, or make sense."""


class SourceError(SyncSpecError):
    """A source file is missing, unreadable or undecodable."""


class DuplicateKeyError(SourceError):
    """Two records of one spec map to the same target key."""


class MappingError(SyncSpecError):
    """A record value does not fit its column (type, required, choices)."""


class StateTransitionError(MappingError):
    """A row would move from its stored state to one its column's ``states:`` do not allow."""


class TargetError(SyncSpecError):
    """The target database cannot be reached or refused a write."""

    exit_code = 2


class SchemaChangeRefused(TargetError):
    """A declared table change would drop or convert data, or existing rows violate a new constraint.

    Exit 1, not 2: like bad input, it is fixed in the specs (or with --allow-destructive), not the server.
    """

    exit_code = 1


class TargetUnavailable(SyncSpecError):
    """A target driver or mode is not installed or not configured."""

    exit_code = 4


class TimeLimitExceeded(SyncSpecError):
    """The run passed ``--max-seconds``; nothing was committed."""

    exit_code = 3


class LockNotAcquired(SyncSpecError):
    """Another run holds the lock on this target."""

    exit_code = 5


class CheckFailed(SyncSpecError):
    """A check (``verify``, ``plan --check``) found drift or pending work."""

    exit_code = 6


@dataclass
class ProblemList:
    """Collects problems across a whole run so all are reported together."""

    items: list[Problem] = field(default_factory=list)
    limit: int = 200

    def add(self, problem: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, cls: type[SyncSpecError], message: str = "") -> None:
        if self.items:
            raise cls(message, problems=list(self.items))
