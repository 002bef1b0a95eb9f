"""The one exception tree of syncspec, and the exit code each branch maps to.

    SyncSpecError                 exit 1  SS100  (base; anything a user can cause)
    ├── ConfigError               exit 1  SS110  syncspec.yaml, env expansion, paths
    ├── SpecError                 exit 1  SS120  spec YAML / schema / semantic checks
    ├── SourceError               exit 1  SS140  unreadable or undecodable source files
    │   └── DuplicateKeyError     exit 1  SS101  two records with one key
    ├── MappingError              exit 1  SS150  values that do not coerce, required/choices
    │   └── StateTransitionError  exit 1  SS151  a state change the column's states: do not allow
    ├── TargetError               exit 2  SS200  database connection or write errors
    │   └── SchemaChangeRefused   exit 1  SS160  a table change would lose data (--allow-destructive) or
    │                                            existing rows violate a new constraint; nothing changed
    ├── TargetUnavailable         exit 4  SS400  a driver or mode that is not installed
    ├── UsageError                exit 2  SS201  a command line argparse rejects (argparse's own exit 2)
    ├── TimeLimitExceeded         exit 3  SS300  --max-seconds passed
    ├── LockNotAcquired           exit 5  SS500  another run holds the target
    └── CheckFailed               exit 6  SS600  drift or pending work found by a check

Errors carry their context as attributes (``problems``, ``target``, ``run_id``)
so callers can act on them without parsing text; ``str(err)`` is the one-screen
message the CLI prints.

Every problem carries a stable code (``SS101``) that a user can search for and
a CI log can be grepped for; the hundreds digit is the exit code. Each class
has a default code, filled into the problems it is raised with; a raise site
that knows better names it: ``Problem("...", file=f, code="SS103")``. A new
code goes into ``CODES`` (and the README's table, which a test compares).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: The exit codes of the CLI and of invoke tasks (the README and ``syncspec --help`` show this table).
EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "invalid spec, workspace file or source input",
    2: "database/target connection or write error; also a command-line usage error",
    3: "time limit (--max-seconds) exceeded; nothing was committed",
    4: "a required target driver or mode is unavailable",
    5: "lock not acquired: another run holds the target",
    6: "drift, stale specs or pending patches found by a check",
    70: "internal error: a bug in syncspec (report it with the --debug output)",
    130: "interrupted (Ctrl-C); nothing was committed",
    141: "the reader of stdout went away (`syncspec ... | head`); not an error",
}

#: Every problem code -> what it means (the README lists what to do about each).
CODES: dict[str, str] = {
    "SS100": "an input error with no more specific code",
    "SS101": "duplicate key: two records map to one target key",
    "SS102": "YAML or JSON syntax error in a spec, patch or workspace file",
    "SS103": "a mapping key appears twice in one YAML mapping",
    "SS104": "a spec or workspace file cannot be read or is not UTF-8",
    "SS105": "schema violation: a value has the wrong type or form",
    "SS106": "schema violation: unknown key",
    "SS107": "schema violation: missing required key",
    "SS108": "a spec, patch or workspace file is empty",
    "SS109": "no spec of that name",
    "SS110": "workspace configuration error (syncspec.yaml)",
    "SS111": "no syncspec.yaml in this folder or any parent",
    "SS112": "an environment variable the workspace file needs is not set",
    "SS113": "the specs folder does not exist",
    "SS114": "init would overwrite files",
    "SS115": "unknown column",
    "SS116": "a file cannot be written",
    "SS117": "warning: a schema copy beside the specs or patches is stale",
    "SS120": "a spec is valid YAML and schema but does not make sense (semantic check)",
    "SS121": "foreign keys form a cycle between specs",
    "SS130": "a patch document, the plan file or a patch operation is invalid",
    "SS140": "a source file is missing, unreadable or cannot be decoded",
    "SS150": "a value does not fit its column (type, required, choices)",
    "SS151": "a state change its column's states: do not allow",
    "SS160": "a table change refused: it would lose data or existing rows violate it",
    "SS200": "database/target connection failed or refused a write",
    "SS201": "command-line usage error (unknown option, missing argument)",
    "SS300": "time limit exceeded",
    "SS400": "a target driver or mode is unavailable",
    "SS500": "lock busy: another run holds the target",
    "SS600": "a check found work pending",
    "SS601": "drift: a target differs from its sources",
    "SS602": "plan --check: a sync would change something",
    "SS603": "status --check: a spec is stale or never synced",
    "SS604": "patch apply --check: a patch is pending or an applied one was edited",
}


@dataclass(frozen=True)
class Problem:
    """One located complaint: ``file:line:col: SS105 $.json.path: message (hint)``.

    ``code`` is optional: the exception a problem is raised with fills in its class default.
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    json_path: str | None = None
    hint: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        if self.code is not None and self.code not in CODES:
            raise ValueError(f"unregistered problem code {self.code!r}: add it to syncspec.errors.CODES")

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
        code = f"{self.code} " if self.code else ""
        text = f"{loc}{code}{path}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class SyncSpecError(Exception):
    """Root of every error a user can cause; ``exit_code`` is the CLI's."""

    exit_code = 1
    code = "SS100"

    def __init__(self, message: str = "", problems: list[Problem] | None = None, *, code: str | None = None,
                 **attrs: Any):
        if code is not None:
            if code not in CODES:
                raise ValueError(f"unregistered problem code {code!r}: add it to syncspec.errors.CODES")
            self.code = code
        self.problems: list[Problem] = [p if p.code else replace(p, code=self.code) for p in problems or []]
        if not message and self.problems:
            message = self.problems[0].message
        self.message = message
        self.attrs = attrs
        for key, value in attrs.items():
            setattr(self, key, value)
        super().__init__(message)

    def __str__(self) -> str:
        if not self.problems:
            return f"{self.code} {self.message}" if self.message else self.code
        lines = [p.format() for p in self.problems]
        if len(self.problems) > 1:
            lines.insert(0, f"{len(self.problems)} problems:")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "code": self.code,
            "exit_code": self.exit_code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
            **{k: v for k, v in self.attrs.items() if isinstance(v, (str, int, float, type(None), dict, list))},
        }


class ConfigError(SyncSpecError):
    """The workspace file, an environment variable or a path is wrong."""

    code = "SS110"


class SpecError(SyncSpecError):
    """A spec does not parse, validate against the schema, or make sense."""

    code = "SS120"


class SourceError(SyncSpecError):
    """A source file is missing, unreadable or undecodable."""

    code = "SS140"


class DuplicateKeyError(SourceError):
    """Two records of one spec map to the same target key."""

    code = "SS101"


class MappingError(SyncSpecError):
    """A record value does not fit its column (type, required, choices)."""

    code = "SS150"


class StateTransitionError(MappingError):
    """A row would move from its stored state to one its column's ``states:`` do not allow."""

    code = "SS151"


class TargetError(SyncSpecError):
    """The target database cannot be reached or refused a write."""

    code = "SS200"
    exit_code = 2


class SchemaChangeRefused(TargetError):
    """A declared table change would drop or convert data, or existing rows violate a new constraint.

    Exit 1, not 2: like bad input, it is fixed in the specs (or with --allow-destructive), not the server.
    """

    code = "SS160"
    exit_code = 1


class TargetUnavailable(SyncSpecError):
    """A target driver or mode is not installed or not configured."""

    code = "SS400"
    exit_code = 4


class UsageError(SyncSpecError):
    """The command line does not parse (an unknown option, a missing argument); exit 2 as argparse's."""

    code = "SS201"
    exit_code = 2


class TimeLimitExceeded(SyncSpecError):
    """The run passed ``--max-seconds``; nothing was committed."""

    code = "SS300"
    exit_code = 3


class LockNotAcquired(SyncSpecError):
    """Another run holds the lock on this target."""

    code = "SS500"
    exit_code = 5


class CheckFailed(SyncSpecError):
    """A check (``verify``, ``plan --check``) found drift or pending work."""

    code = "SS600"
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


def first_line(exc: BaseException) -> str:
    """An exception's message for a Problem: its first line, or its type's name when it says nothing
    (driver and client errors carry multi-line server text)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
