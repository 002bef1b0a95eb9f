"""Typed, frozen Spec objects built from validated spec documents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .pointer import Pointer

if TYPE_CHECKING:
    from ..errors import Problem
    from .regexes import SpecRegex

COLUMN_TYPES = ("text", "integer", "real", "boolean", "date", "datetime", "json")
FIELD_STYLES = ("bold", "list", "plain", "dataview")
TEMPLATE_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_$][\w.$]*)\}")
# Record keys every strategy provides besides its own (see sources/records.py).
META_KEYS = ("$path", "$file", "$stem", "$line", "$strategy")
# Keys of a child record (target.children): the element, where it sits, and the parent row's values.
CHILD_KEYS = ("$item", "$key", "$index", "$position", "$parent")
# Keys of records matched by a pointer (json, yaml, frontmatter items).
POINTER_KEYS = ("$key", "$pointer", "$match", "$value")
TASK_KEYS = ("text", "checked", "mark", "depth", "heading", "headings", "position", "parent", "links")
FILE_KEYS = ("path", "name", "stem", "suffix", "dir", "title", "heading", "frontmatter", "body", "text",
             "size", "lines", "mtime", "fields", "sections")


@dataclass(frozen=True)
class Filter:
    """``where:`` / ``unless:`` on a strategy: keep records whose value at ``path`` matches (or not)."""

    path: tuple[str, ...]
    rx: SpecRegex
    keep: bool = True                       # where: True; unless: False


@dataclass(frozen=True)
class SectionsStrategy:
    """Records from headings of one level whose text matches ``match``."""

    match: SpecRegex
    level: int = 2
    fields: tuple[str, ...] = ("bold", "list")
    field_keys: str = "snake_case"
    subsections: str | None = None          # None | "items" | "text"
    ends: str = "level"                     # a section ends at a heading of its level or above | "any" heading
    continues: SpecRegex | None = None   # headings that continue the current entry (mis-levelled subsections)
    markup: str = "text"                    # "raw": heading text as written (backticks, emphasis kept)
    where: tuple[Filter, ...] = ()
    kind: str = "sections"

    def record_keys(self) -> set[str] | None:
        extra = {"subsections", "items"} if self.subsections else set()
        return set(self.match.groupindex) | {"heading", "level", "body", "fields", "links", *extra, *META_KEYS}


@dataclass(frozen=True)
class TableStrategy:
    """Records from the rows of markdown tables (optionally under a heading)."""

    under: SpecRegex | None = None
    columns: tuple[tuple[str, str], ...] = ()
    header: tuple[str, ...] = ()            # only tables whose header row has these cells (any order, any case)
    layout: str = "rows"                    # "rows": a record per row | "key_value": the table is one record
    markup: str = "text"                    # "raw": cells as written (code spans, <Angle> words, links kept)
    where: tuple[Filter, ...] = ()
    kind: str = "table"

    def record_keys(self) -> set[str] | None:
        return {key for _, key in self.columns} | {"heading", "body", "fields", "links", "extra", *META_KEYS}


@dataclass(frozen=True)
class TasksStrategy:
    """Records from task-list items (``- [ ]`` / ``- [x]``), optionally under a heading or matching a regex."""

    under: SpecRegex | None = None
    match: SpecRegex | None = None
    markup: str = "text"                    # "raw": item text as written (~~struck~~, `code`, links kept)
    where: tuple[Filter, ...] = ()
    kind: str = "tasks"

    def record_keys(self) -> set[str] | None:
        groups = set(self.match.groupindex) if self.match is not None else set()
        return groups | set(TASK_KEYS) | set(META_KEYS)


@dataclass(frozen=True)
class FrontmatterStrategy:
    """One record per file from its YAML front matter, or one per element of a list inside it."""

    items: Pointer | None = None
    where: tuple[Filter, ...] = ()
    kind: str = "frontmatter"

    def record_keys(self) -> set[str] | None:
        return None   # the front matter's own keys: known only from the files


@dataclass(frozen=True)
class FileStrategy:
    """One record per file: path, name, title, front matter, body, size, modified time."""

    fields: tuple[str, ...] = ("bold", "list")   # field lines of the preamble (before the first heading
    field_keys: str = "snake_case"               # and in the title's section)
    siblings: tuple[tuple[str, str], ...] = ()   # record key -> a file beside this one (metadata.yaml), read
    where: tuple[Filter, ...] = ()
    kind: str = "file"

    def record_keys(self) -> set[str] | None:
        return set(FILE_KEYS) | set(META_KEYS) | {key for key, _ in self.siblings}


@dataclass(frozen=True)
class DocumentStrategy:
    """Records from a JSON or YAML document: every value a wildcard pointer matches."""

    pointer: Pointer
    where: tuple[Filter, ...] = ()
    kind: str = "json"                      # "json" | "yaml"

    def record_keys(self) -> set[str] | None:
        return None   # the matched objects' own keys: known only from the files


Strategy = (SectionsStrategy | TableStrategy | TasksStrategy | FrontmatterStrategy | FileStrategy
            | DocumentStrategy)


@dataclass(frozen=True)
class Template:
    """A ``{placeholder}`` string; ``parts`` alternates literal text and record paths."""

    source: str
    parts: tuple[tuple[str, tuple[str, ...] | None], ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        parts: list[tuple[str, tuple[str, ...] | None]] = []
        pos = 0
        for m in TEMPLATE_RE.finditer(text):
            literal = text[pos:m.start()]
            if m.group(0) in ("{{", "}}"):
                parts.append((literal + m.group(0)[0], None))
            else:
                parts.append((literal, tuple(m.group(1).split("."))))
            pos = m.end()
        parts.append((text[pos:], None))
        return cls(text, tuple(parts))

    @property
    def paths(self) -> list[tuple[str, ...]]:
        return [p for _, p in self.parts if p is not None]

    def render(self, lookup) -> str:
        out = []
        for literal, path in self.parts:
            out.append(literal)
            if path is not None:
                value = lookup(path)
                out.append("" if value is None else str(value))
        return "".join(out)


@dataclass(frozen=True)
class StateMachine:
    """A column's states and the moves allowed between them (checked against the stored row)."""

    states: tuple[Any, ...]                                   # every state, in order of first mention
    transitions: tuple[tuple[Any, tuple[Any, ...]], ...]      # (from, allowed next states)
    terminal: tuple[Any, ...] = ()
    initial: tuple[Any, ...] | None = None                    # None: a new row may start in any state
    on_violation: str = "error"                               # "error" | "warn"

    def next_states(self, state: Any) -> tuple[Any, ...]:
        """States ``state`` may move to (itself excluded: staying is always allowed)."""
        for source, targets in self.transitions:
            if source == state:
                return targets
        return ()

    def allows(self, old: Any, new: Any) -> bool:
        return old == new or new in self.next_states(old)


@dataclass(frozen=True)
class Column:
    """One target column: where its value comes from and how it is checked."""

    name: str
    type: str = "text"
    path: tuple[str, ...] | None = None       # from: record path
    template: Template | None = None          # value: with record placeholders
    constant: Any = None                      # value: fully resolved at load time
    is_constant: bool = False
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] | None = None
    pattern: SpecRegex | None = None
    transforms: tuple[tuple[str, Any], ...] = ()   # (name, argument or None), in order
    length: int | None = None
    states: StateMachine | None = None
    nullable: bool = True                     # nullable: false -> NOT NULL (key columns are always NOT NULL)
    unique: bool = False                      # unique: true -> a unique index on this column alone
    formats: tuple[str, ...] = ()             # date/datetime: strptime formats tried in order before ISO
    on_error: str = "error"                   # a bad value: "error" (the run fails) | "null" | "warn"
    items: str | None = None                  # json: the type of each element of a list


ON_DELETE = ("cascade", "set null", "restrict", "no action")


@dataclass(frozen=True)
class TargetRef:
    """One place a spec's rows go: a workspace target (``use``) of a ``kind``, with the kind's own keys.

    ``target:`` itself is the first (``kind: sql`` in the workspace ``database`` by default);
    ``target.also`` adds more, fed from the same parse.
    """

    kind: str = "sql"
    use: str = "database"
    options: tuple[tuple[str, Any], ...] = ()     # the kind's own keys, as written
    json_path: str = "$.target"

    def option(self, name: str, default: Any = None) -> Any:
        for key, value in self.options:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Index:
    """target.indexes / target.unique: an index over ``columns`` (``name`` None: derived from the table)."""

    columns: tuple[str, ...]
    unique: bool = False
    name: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    """target.foreign_keys: ``columns`` reference ``table(references)``; the database enforces it."""

    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]
    on_delete: str = "no action"
    json_path: str = ""                       # where it is declared, for errors of later checks


@dataclass(frozen=True)
class Spec:
    """A validated spec: source, strategies, target table, hashing, policies."""

    name: str
    file: str
    files: tuple[str, ...]
    strategies: tuple[Strategy, ...]
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    exclude: tuple[str, ...] = ()             # gitignore-style patterns of files not to read
    encoding: str = "utf-8"
    hash_algorithm: str = "sha256"
    hash_length: int = 16
    hash_column: str = "content_hash"
    on_missing: str = "delete"
    trigger: tuple[str, ...] = ("change", "commit")   # spec/trigger.py: what runs it by itself
    interval: float | None = None             # trigger {interval: 30s}: seconds between scheduled runs (watch)
    blocking: bool = False                    # the pre-commit hook runs it and a failure aborts the commit
    timestamps: bool = True
    spec_hash: str = ""
    # a child spec (target.children): its records are the elements at ``each`` of the parent's records
    parent: Spec | None = field(default=None, compare=False, repr=False)
    each: tuple[str, ...] | None = None
    indexes: tuple[Index, ...] = ()           # target.indexes and target.unique (unique=True)
    foreign_keys: tuple[ForeignKey, ...] = ()
    targets: tuple[TargetRef, ...] = (TargetRef(),)   # target (first) and target.also
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # JSON path ("$.source.files[0]") -> (line, column) in the spec file, for later stages' errors
    locations: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    # deprecations found while building (``null:`` for ``nullable:``); ``validate`` prints them on stderr
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    def locate(self, json_path: str) -> tuple[int | None, int | None]:
        """Line and column of ``json_path`` in the spec file, or of its nearest located ancestor."""
        path = json_path
        while path:
            if path in self.locations:
                return self.locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return None, None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def partition(self) -> dict[str, Any]:
        """Constant key columns: the slice of a shared table this spec owns."""
        return {c.name: c.constant for c in self.columns if c.name in self.key and c.is_constant}
