"""Turn a schema-valid spec document into a Spec, checking what a schema cannot."""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import hashlib
import json
import math
import re
import typing
from typing import Any

import regex

from ..errors import Problem
from ..limits import INT64_MAX, INT64_MIN
from .model import (CHILD_KEYS, TargetRef, COLUMN_TYPES, Column, DocumentStrategy, FileStrategy, Filter, ForeignKey,
                    FrontmatterStrategy,
                    Index, SectionsStrategy, Spec, StateMachine, Strategy, TableStrategy, TasksStrategy, Template)
from .pointer import Pointer, PointerSyntaxError
from .regexes import SpecRegex, compile_regex
from .trigger import parse_trigger
from .yamlfile import Located, json_path

RESERVED = ("created_at", "updated_at", "deleted_at")
# The SQL target builds a peewee Model class whose attributes are the column names, so a column named like
# a Model attribute that peewee or the target calls replaces it: `select` -> "TypeError: 'TextField' object
# is not callable" mid-sync. Reserved: what fails a sync/plan on some backend today (select, insert, update,
# delete, create_table, validate_model, _normalize_data, _meta, _schema, Meta) and the rest of the query and
# DDL builders on the class, which a target may call next. Every other Model attribute (get, filter, index,
# save, create, copy, dependencies...) only shadows instance helpers syncspec never uses: those are fine as
# columns, and tests/spec/test_identifiers.py syncs them all on every backend. Kept here, not read from
# peewee, so loading specs does not import it; the same test checks the list against the installed peewee.
# (The SQL target could lift this by naming fields apart from their columns: Field(column_name=...).)
MODEL_ATTRIBUTES = frozenset((
    "select", "insert", "insert_many", "insert_from", "update", "delete", "replace", "replace_many", "raw",
    "create_table", "drop_table", "truncate_table", "table_exists", "add_index", "validate_model", "bind",
    "bind_ctx", "alias", "DoesNotExist", "Meta", "_meta", "_schema", "_normalize_data", "_pk", "_pk_expr",
    "_coerce", "_populate_unsaved_relations", "_prune_fields"))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def build_spec(doc: Located, context: dict[str, str], problems: list[Problem]) -> Spec | None:
    """Build one Spec; semantic problems are appended, None if any were found."""
    data = doc.data
    before = len(problems)
    number_problems(doc, data, (), problems)
    source = data["source"]
    files = (source["files"],) if isinstance(source["files"], str) else tuple(source["files"])
    for i, pattern in enumerate(files):
        where = ("source", "files") if isinstance(source["files"], str) else ("source", "files", i)
        if pattern.startswith("/") or ".." in pattern.replace("\\", "/").split("/"):
            problems.append(doc.problem(where, f"path {pattern!r} leaves the workspace",
                                        hint="use a path relative to the workspace root, without '..'"))
    encoding = source.get("encoding", "utf-8")
    try:
        # rot13, base64, hex... are codecs too, but not text encodings: bytes.decode refuses them
        known = getattr(codecs.lookup(encoding), "_is_text_encoding", True)
    except LookupError:
        known = False
    if not known:
        problems.append(doc.problem(("source", "encoding"), f"unknown encoding {encoding!r}",
                                    hint="use a Python codec name such as utf-8, latin-1, cp1252"))

    strategies: list[Strategy] = []
    for i, item in enumerate(source["records"]):
        strategy = _strategy(doc, i, item, problems)
        if strategy is not None:
            strategies.append(strategy)

    target = data["target"]
    key = tuple(target["key"])
    hash_conf = data.get("hash", {})
    hash_column = hash_conf.get("column", "content_hash")
    timestamps = target.get("timestamps", True)
    columns: list[Column] = []
    for name, conf in target["columns"].items():
        col = _column(doc, name, conf, context, problems)
        if col is not None:
            columns.append(col)
        if name == hash_column:
            problems.append(doc.problem(("target", "columns", name), f"column {name!r} is also the hash column",
                                        hint="rename the column or set hash.column to another name", key=True))
        if timestamps and name in RESERVED:
            problems.append(doc.problem(("target", "columns", name), f"column name {name!r} is reserved",
                                        hint="syncspec keeps created_at/updated_at/deleted_at itself; "
                                             "rename it or set target.timestamps: false", key=True))
    names = list(target["columns"])
    kinds = [target.get("kind", "sql")] + [item.get("kind", "sql") for item in target.get("also", ())]
    if "sql" in kinds:   # table and column names a SQL target cannot take
        identifier_problems(doc, ("target", "table"), target.get("table", data["sync"]),
                            [(("target", "columns", n), n) for n in names]
                            + ([(("hash", "column"), hash_column)] if "column" in hash_conf else []), problems)
    for i, k in enumerate(key):
        if k not in target["columns"]:
            close = difflib.get_close_matches(k, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"declare it under target.columns (columns: {', '.join(names)})"
            problems.append(doc.problem(("target", "key", i),
                                        f"{k!r} is not a column of table {target.get('table', data['sync'])!r} (columns: {', '.join(names)})",
                                        hint=hint))
    for col in columns:
        if col.name in key and col.type == "json":
            problems.append(doc.problem(("target", "columns", col.name), f"key column {col.name!r} cannot be of type json",
                                        hint="use text, integer or date for key columns"))
    _check_paths(doc, columns, key, strategies, context, problems)
    indexes = _indexes(doc, target, columns, problems)
    foreign_keys = _foreign_keys(doc, target, columns, key, problems)
    indexed = {c for i in indexes for c in i.columns} | {c for fk in foreign_keys for c in fk.columns}
    for col in columns:
        if col.type == "json" and (col.unique or col.name in indexed):
            problems.append(doc.problem(("target", "columns", col.name),
                                        f"json column {col.name!r} cannot be unique, indexed or a foreign key",
                                        hint="index a text column extracted from the same value instead"))
    targets = _targets(doc, target, problems)
    triggers = parse_trigger(doc, data, problems)
    if len(problems) > before:
        return None
    return Spec(
        name=data["sync"], file=doc.file, files=files, strategies=tuple(strategies),
        table=target.get("table", data["sync"]), key=key, columns=tuple(columns), description=data.get("description", ""),
        exclude=(source["exclude"],) if isinstance(source.get("exclude"), str) else tuple(source.get("exclude", ())),
        encoding=encoding, hash_algorithm=hash_conf.get("algorithm", "sha256"),
        hash_length=hash_conf.get("length", 16), hash_column=hash_column,
        on_missing=data.get("on_missing", "delete"), **triggers,
        timestamps=timestamps, indexes=indexes, foreign_keys=foreign_keys, targets=targets,
        spec_hash=hashlib.sha256(canonical_json({"spec": _synced(data), "context": context}).encode()).hexdigest()[:16],
        raw=data, locations={json_path(path): mark for path, mark in doc.marks.items()},
        warnings=tuple(deprecations(doc)),
    )


def _synced(data: dict) -> dict:
    """The spec as far as syncing goes: ``render`` (read back only) changes no row, so no file state."""
    return {k: v for k, v in data.items() if k != "render"}


def deprecations(doc: Located) -> list[Problem]:
    """Warnings for deprecated spellings still accepted: a column's ``null:`` (now ``nullable:``)."""
    target = doc.data.get("target") or {}
    places: list[tuple[tuple, dict]] = [(("target", "columns"), target.get("columns") or {})]
    places += [(("target", "children", i, "columns"), child.get("columns") or {})
               for i, child in enumerate(target.get("children") or ()) if isinstance(child, dict)]
    out = []
    for where, columns in places:
        for name, conf in columns.items():
            if isinstance(conf, dict) and "null" in conf:
                out.append(doc.problem(where + (name, "null"), f"column {name!r}: 'null:' is deprecated, "
                                       "write 'nullable:'", key=True,
                                       hint="most YAML loaders read the key null as a null key, so other tools "
                                            f"reject the spec: rename it to nullable: {str(conf['null']).lower()}"))
    return out


def number_problems(doc: Located, value: Any, path: tuple, problems: list[Problem]) -> None:
    """Numbers in a spec must fit the targets: integers in signed 64 bits, floats finite (``1e999`` is
    infinity, which no JSON column or CHECK literal holds). Depth is bounded by the loader."""
    if isinstance(value, dict):
        for k, v in value.items():
            number_problems(doc, v, path + (k,), problems)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            number_problems(doc, v, path + (i,), problems)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        problems.append(doc.problem(path, f"integer {_digits(value)} does not fit in 64 bits",
                                    hint=f"use a value between {INT64_MIN} and {INT64_MAX}, or quote it as text"))
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append(doc.problem(path, f"number {value!r} is not finite (1.0e+999 overflows to infinity)",
                                    hint="write a finite number, or quote it as text"))


def _digits(value: int) -> str:
    text = str(value)
    return text if len(text) <= 30 else f"{text[:12]}...({len(text)} digits)"


def identifier_problems(doc: Located, table_path: tuple, table: str, columns: list[tuple[tuple, str]],
                        problems: list[Problem]) -> None:
    """Names that pass the schema's identifier pattern but break the target: a table SQLite reserves
    (``sqlite_*``) or the ledger owns (``syncspec_*``), columns that shadow a peewee Model attribute or
    are dunders, and columns equal but for case (one column to SQLite and MySQL)."""
    lowered = table.lower()
    if lowered.startswith("sqlite_"):
        problems.append(doc.problem(table_path, f"table name {table!r} is reserved: SQLite keeps its own tables "
                                                "under the prefix sqlite_", hint="choose another table name"))
    elif lowered.startswith("syncspec_"):
        problems.append(doc.problem(table_path, f"table name {table!r} is reserved: syncspec keeps its run "
                                                "history and schema in syncspec_* tables",
                                    hint="choose a table name that does not start with syncspec_"))
    seen: dict[str, str] = {}
    for path, name in columns:
        if name in MODEL_ATTRIBUTES or name.startswith("__"):
            what = "a Python special name" if name.startswith("__") else "a peewee Model attribute"
            other = name.strip("_") + "_value"
            problems.append(doc.problem(path, f"column name {name!r} is reserved: the SQL target's model uses "
                                              f"it ({what})", key=True,
                                        hint=f"rename the column; {other}: {{from: {name}}} still reads the "
                                             f"record's {name!r}"))
        if name.lower() in seen and seen[name.lower()] != name:
            problems.append(doc.problem(path, f"column {name!r} and column {seen[name.lower()]!r} differ only in "
                                              "case: SQLite and MySQL/MariaDB take them for one column",
                                        key=True, hint="rename one of them"))
        seen.setdefault(name.lower(), name)


TARGET_CORE = ("kind", "use", "also", "table", "key", "columns", "timestamps", "unique", "indexes", "foreign_keys",
               "children")


def _targets(doc: Located, target: dict, problems: list[Problem]) -> tuple[TargetRef, ...]:
    """``target`` (its kind's own keys beside the shared ones) and each ``target.also`` entry."""
    from ..targets import KINDS

    refs = []
    items = [(("target",), target, TARGET_CORE)] + [(("target", "also", i), item, ("kind", "use"))
                                                     for i, item in enumerate(target.get("also", ()))]
    for path, item, core in items:
        kind = item.get("kind", "sql")
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, list(KINDS), n=1)
            problems.append(doc.problem(path + ("kind",), f"unknown target kind {kind!r} (kinds: {', '.join(KINDS)})",
                                        hint=f"did you mean {close[0]!r}?" if close else "use one of the kinds listed"))
        use = item.get("use", "database" if kind == "sql" else kind)
        options = tuple(sorted((k, v) for k, v in item.items() if k not in core))
        refs.append(TargetRef(kind=kind, use=use, options=options, json_path=json_path(path)))
    seen: set[tuple[str, Any]] = set()
    for ref, (path, _, _) in zip(refs, items):
        ident = (ref.use, ref.option("table", target.get("table")))
        if ident in seen:
            problems.append(doc.problem(path, f"target {ref.use!r} is named twice in this spec",
                                        hint="feed each target once; remove one of the entries"))
        seen.add(ident)
    return tuple(refs)


def _strategy(doc: Located, i: int, item: Any, problems: list[Problem]) -> Strategy | None:
    """One entry of source.records (a mapping, or a bare strategy name) -> its Strategy."""
    (kind, conf), = item.items() if isinstance(item, dict) else ((item, None),)
    conf = conf or {}
    base = ("source", "records", i, kind)
    before = len(problems)
    strategy = _strategy_of(doc, kind, conf, base, problems)
    where = _filters(doc, base, conf, problems)
    if strategy is None or len(problems) > before:
        return None
    keys = strategy.record_keys() or set()
    for f in where if strategy.record_keys() is not None else ():
        if f.path[0] not in keys:      # a typo here would drop every record without a word
            option = "where" if f.keep else "unless"
            close = difflib.get_close_matches(f.path[0], sorted(keys), n=1)
            problems.append(doc.problem(base + (option, ".".join(f.path)),
                                        f"{option} reads {'.'.join(f.path)!r}, but {kind} records have no "
                                        f"{f.path[0]!r}", hint=f"did you mean {close[0]!r}?" if close else
                                        f"record keys: {', '.join(sorted(keys))}", key=True))
    if len(problems) > before:
        return None
    return dataclasses.replace(strategy, where=where) if where else strategy


def _styles(conf: dict[str, Any], default: tuple[str, ...]) -> tuple[str, ...]:
    styles = conf.get("fields", list(default))
    return () if styles == "none" else ((styles,) if isinstance(styles, str) else tuple(styles))


def _strategy_of(doc: Located, kind: str, conf: dict[str, Any], base: tuple,
                 problems: list[Problem]) -> Strategy | None:
    markup = conf.get("markup", "text")
    if kind == "sections":
        rx = _regex(doc, base + ("match",), conf["match"], problems)
        cont = _regex(doc, base + ("continues",), conf["continues"], problems) if "continues" in conf else None
        if rx is None or ("continues" in conf and cont is None):
            return None
        return SectionsStrategy(match=rx, level=conf.get("level", 2), fields=_styles(conf, ("bold", "list")),
                                field_keys=conf.get("field_keys", "snake_case"), subsections=conf.get("subsections"),
                                ends=conf.get("ends", "level"), continues=cont, markup=markup)
    if kind == "table":
        under = _regex(doc, base + ("under",), conf["under"], problems, flags=re.I) if "under" in conf else None
        if "under" in conf and under is None:
            return None
        header = conf.get("header", ())
        return TableStrategy(under=under, columns=tuple(conf.get("columns", {}).items()),
                             header=(header,) if isinstance(header, str) else tuple(header),
                             layout=conf.get("layout", "rows"), markup=markup)
    if kind == "tasks":
        before = len(problems)
        under = _regex(doc, base + ("under",), conf["under"], problems, flags=re.I) if "under" in conf else None
        match = _regex(doc, base + ("match",), conf["match"], problems) if "match" in conf else None
        return TasksStrategy(under=under, match=match, markup=markup) if len(problems) == before else None
    if kind == "file":
        siblings = tuple(conf.get("siblings", {}).items())
        for key, rel in siblings:
            if rel.startswith("/") or ".." in rel.replace("\\", "/").split("/"):
                problems.append(doc.problem(base + ("siblings", key), f"sibling {rel!r} leaves the file's folder",
                                            hint="name a file in the same folder or below it, without '..'"))
        return FileStrategy(fields=_styles(conf, ("bold", "list")), field_keys=conf.get("field_keys", "snake_case"),
                            siblings=siblings)
    if kind == "frontmatter":
        if "items" not in conf:
            return FrontmatterStrategy()
        pointer = _pointer(doc, base + ("items",), conf["items"], problems, implicit_key=True)
        return FrontmatterStrategy(items=pointer.child()) if pointer is not None else None
    pointer = _pointer(doc, base + ("pointer",), conf["pointer"], problems)
    return DocumentStrategy(pointer=pointer, kind=kind) if pointer is not None else None


def _filters(doc: Located, base: tuple, conf: dict[str, Any], problems: list[Problem]) -> tuple[Filter, ...]:
    """``where:`` (every listed path must match) and ``unless:`` (none may): record path -> regex."""
    out: list[Filter] = []
    for option, keep in (("where", True), ("unless", False)):
        for path, text in conf.get(option, {}).items():
            rx = _regex(doc, base + (option, path), str(text), problems)
            if rx is not None:
                out.append(Filter(tuple(str(path).split(".")), rx, keep))
    return tuple(out)


def _pointer(doc: Located, path: tuple, text: str, problems: list[Problem],
             implicit_key: bool = False) -> Pointer | None:
    try:
        return Pointer.parse(text, implicit_key=implicit_key)
    except PointerSyntaxError as exc:
        problems.append(doc.problem(path, f"invalid pointer {text!r}: {exc}",
                                    hint="write a JSON Pointer such as /phases/{phase_id}/workstreams/*"))
        return None


def _regex(doc: Located, path: tuple, text: str, problems: list[Problem], flags: int = 0) -> SpecRegex | None:
    """A spec regex, time-limited per match (spec/regexes.py), located for the error it may raise."""
    line, col = doc.where(path)
    try:
        return compile_regex(text, flags, where=(doc.file, line, col, json_path(path)))
    except re.error as exc:
        problems.append(doc.problem(path, f"regex does not compile: {exc.msg} at position {exc.pos}",
                                    hint="in YAML, quote regexes with single quotes so backslashes stay literal"))
    except regex.error as exc:
        problems.append(doc.problem(path, f"regex does not compile: {exc}",
                                    hint="in YAML, quote regexes with single quotes so backslashes stay literal"))
    return None


def _column(doc: Located, name: str, conf: Any, context: dict[str, str], problems: list[Problem],
            base: tuple = ()) -> Column | None:
    base = base or ("target", "columns", name)
    if isinstance(conf, str):
        return Column(name=name, type=conf, path=(name,))
    ctype = conf.get("type", "text")
    kwargs: dict[str, Any] = dict(name=name, type=ctype, default=conf.get("default"),
                                  required=conf.get("required", False), length=conf.get("length"),
                                  nullable=conf.get("nullable", conf.get("null", True)), unique=conf.get("unique", False))
    if "null" in conf and "nullable" in conf:
        problems.append(doc.problem(base + ("null",), "both null: and nullable: are given", key=True,
                                    hint="keep nullable: (null: is its deprecated spelling)"))
    _value_options(doc, base, conf, ctype, kwargs, problems)
    if "pattern" in conf:
        rx = _regex(doc, base + ("pattern",), conf["pattern"], problems)
        if rx is None:
            return None
        kwargs["pattern"] = rx
    if "transform" in conf:
        steps = []
        for j, step in enumerate(conf["transform"]):
            step_name, arg = next(iter(step.items())) if isinstance(step, dict) else (step, None)
            arg = typing.cast(Any, arg)
            where = base + ("transform", j, step_name)
            if step_name == "find_all":
                arg = _regex(doc, where, arg, problems)
            elif step_name == "replace":
                rx = _regex(doc, where + ("pattern",), arg["pattern"], problems)
                arg = dict(arg, pattern=rx)
            steps.append((step_name, arg))
        kwargs["transforms"] = tuple(steps)
    if "value" in conf:
        value = conf["value"]
        if isinstance(value, str):
            tpl = Template.parse(value)
            record_paths = [p for p in tpl.paths if not _is_context(p, context)]
            if record_paths:
                kwargs["template"] = tpl
            else:
                kwargs.update(constant=tpl.render(lambda p: context[p[0]]), is_constant=True)
        else:
            kwargs.update(constant=value, is_constant=True)
    else:
        kwargs["path"] = tuple(conf.get("from", name).split("."))
    if "choices" in conf:
        from ..records import coerce  # late import: records imports spec.model

        choices = []
        for i, choice in enumerate(conf["choices"]):
            try:
                choices.append(coerce(choice, ctype))
            except ValueError as exc:
                article = "an" if ctype[0] in "aeiou" else "a"
                problems.append(doc.problem(base + ("choices", i),
                                            f"choice {choice!r} is not {article} {ctype}: {exc}"))
        kwargs["choices"] = tuple(choices)
    if "states" in conf:
        machine = _states(doc, base + ("states",), conf["states"], ctype, kwargs.get("choices"), problems)
        if machine is None:
            return None
        kwargs["states"] = machine
        kwargs.setdefault("choices", machine.states)   # the states are the values a row may hold
    assert ctype in COLUMN_TYPES
    return Column(**kwargs)


def _value_options(doc: Located, base: tuple, conf: dict[str, Any], ctype: str, kwargs: dict[str, Any],
                   problems: list[Problem]) -> None:
    """``formats``, ``items`` and ``on_error``: how a value is read, and what a bad one does."""
    kwargs["on_error"] = conf.get("on_error", "error") or "null"     # YAML reads a bare null as None
    if "items" in conf:
        if ctype != "json":
            problems.append(doc.problem(base + ("items",), f"items: declares the elements of a json list, but the "
                                                           f"column is {ctype}", hint="declare type: json"))
        kwargs["items"] = conf["items"]
    if "formats" in conf:
        formats = [conf["formats"]] if isinstance(conf["formats"], str) else list(conf["formats"])
        if "date" not in (ctype, conf.get("items", "")) and "datetime" not in (ctype, conf.get("items", "")):
            problems.append(doc.problem(base + ("formats",), f"formats: reads dates, but the column is {ctype}",
                                        hint="declare type: date or datetime (or items: date on a json column)"))
        for i, fmt in enumerate(formats):
            if "%" not in fmt:
                problems.append(doc.problem(base + ("formats", i) if not isinstance(conf["formats"], str) else
                                            base + ("formats",), f"format {fmt!r} has no % directive",
                                            hint="write strptime formats such as '%B %d %Y' or '%d-%m-%Y'"))
        kwargs["formats"] = tuple(formats)


def _states(doc: Located, base: tuple, conf: dict[str, Any], ctype: str, choices: tuple[Any, ...] | None,
            problems: list[Problem]) -> StateMachine | None:
    """``states:`` -> a StateMachine; the states are those named under ``transitions`` (as a source
    or a target), so a typo in ``initial`` or ``terminal`` is caught rather than made a new state."""
    from ..records import coerce  # late import: records imports spec.model

    before = len(problems)
    if ctype not in ("text", "integer"):
        problems.append(doc.problem(base, f"states need a text or integer column, not {ctype}",
                                    hint="declare the column as type: text (or integer)"))
        return None

    def state(value: Any, path: tuple) -> Any:
        try:
            return coerce(value, ctype)
        except ValueError as exc:
            problems.append(doc.problem(path, f"state {value!r} is not an {ctype}: {exc}"))
            return value

    known: list[Any] = []
    transitions: list[tuple[Any, tuple[Any, ...]]] = []
    for source, targets in conf["transitions"].items():
        path = base + ("transitions", source)
        old = state(source, path)
        new = tuple(state(t, path + (i,)) for i, t in enumerate(targets))
        transitions.append((old, new))
        known.extend(s for s in (old, *new) if s not in known)

    def named(part: str) -> tuple[Any, ...]:
        out = []
        for i, value in enumerate(conf.get(part, ())):
            value = state(value, base + (part, i))
            if value not in known:
                close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
                problems.append(doc.problem(base + (part, i), f"{part} state {value!r} is not a state of the machine "
                                                              f"(states: {', '.join(map(str, known))})",
                                            hint=(f"did you mean {close[0]!r}? " if close else "")
                                            + f"or list it under transitions (e.g. {value}: [])"))
            out.append(value)
        return tuple(out)

    terminal = named("terminal")
    initial = named("initial") if "initial" in conf else None
    for (source, targets), raw in zip(transitions, conf["transitions"]):
        if source in terminal and targets:
            problems.append(doc.problem(base + ("transitions", raw), f"terminal state {source!r} has transitions "
                                                                     f"to {', '.join(map(str, targets))}",
                                        hint=f"remove them, or drop {source!r} from terminal"))
    missing = [value for value in known if choices is not None and value not in choices]
    if missing:
        problems.append(doc.problem(base[:-1] + ("choices",), f"state(s) {', '.join(map(str, missing))} "
                                                              "missing from the column's choices",
                                    hint="add them to choices, or drop choices: the states imply them"))
    if len(problems) > before:
        return None
    return StateMachine(states=tuple(known), transitions=tuple(transitions), terminal=terminal, initial=initial,
                        on_violation=conf.get("on_violation", "error"))


def _is_context(path: tuple[str, ...], context: dict[str, str]) -> bool:
    """``{project}``/``{sync}`` in a template come from the workspace, not the record."""
    return len(path) == 1 and path[0] in context


def _check_paths(doc: Located, columns: list[Column], key: tuple[str, ...], strategies: list[Strategy],
                 context: dict[str, str], problems: list[Problem], where: tuple = ("target", "columns"),
                 extra: tuple[str, ...] = ()) -> None:
    """Record paths a column reads must be produced by the strategies (or be ``extra`` keys)."""
    if not strategies:
        return
    provided = [s.record_keys() for s in strategies]
    closed = [keys for keys in provided if keys is not None]
    # frontmatter, json and yaml records carry the document's own keys: any root may exist
    open_ended = len(closed) < len(provided)
    every = set().union(*closed) | set(extra)
    for col in columns:
        roots = ([col.path] if col.path else
                 [p for p in col.template.paths if not _is_context(p, context)] if col.template else [])
        for path in roots:
            root = path[0]
            if root in extra:
                continue
            base = where + (col.name,)
            if root not in every and not open_ended:
                close = difflib.get_close_matches(root, sorted(every), n=1)
                hint = (f"did you mean {close[0]!r}?" if close else
                        f"record keys available: {', '.join(sorted(every))}")
                problems.append(doc.problem(base, f"column {col.name!r} reads {'.'.join(path)!r}, "
                                                  f"but no record strategy produces {root!r}", hint=hint))
            elif (col.name in key or col.required) and col.default is None:
                for strategy, keys in zip(strategies, provided):
                    if keys is not None and root not in keys:
                        problems.append(doc.problem(
                            base, f"key/required column {col.name!r} reads {root!r}, which the "
                                  f"{strategy.kind} strategy does not produce", hint=_produce_hint(strategy, root)))


def _produce_hint(strategy: Strategy, root: str) -> str:
    if strategy.kind in ("sections", "tasks"):
        return f"add a named group (?P<{root}>...) to its match regex"
    if strategy.kind == "table":
        return f"map a table header to it, e.g. columns: {{ID: {root}}}"
    return f"{strategy.kind} records have: {', '.join(sorted(strategy.record_keys() or ()))}"


def build_children(doc: Located, parent: Spec, context: dict[str, str], problems: list[Problem]) -> list[Spec]:
    """``target.children`` -> one child Spec per entry, reading the parent's files with its strategies.

    A child spec's records are the elements at ``each`` of the parent's records; its key is the
    parent's key (held in link columns) plus its own key, so an entry's children are replaced with it
    and leave with it.
    """
    out: list[Spec] = []
    by_name = {c.name: c for c in parent.columns}
    hash_column = parent.hash_column
    for i, conf in enumerate(doc.data["target"].get("children", ())):
        base = ("target", "children", i)
        before = len(problems)
        table = conf["table"]
        if table == parent.table:
            problems.append(doc.problem(base + ("table",), f"child table {table!r} is the parent's own table",
                                        hint="give the child rows a table of their own"))
        link = conf.get("parent") or {f"{parent.table}_{k}": k for k in parent.key}
        identifier_problems(doc, base + ("table",), table,
                            [(base + ("parent", n), n) for n in conf.get("parent") or ()]
                            + [(base + ("columns", n), n) for n in conf["columns"]], problems)
        columns: list[Column] = []
        for name, key_col in link.items():
            if key_col not in parent.key:
                problems.append(doc.problem(base + ("parent", name), f"{key_col!r} is not a key column of the parent "
                                            f"table {parent.table!r} (key: {', '.join(parent.key)})",
                                            hint="a child links to its parent by the parent's key columns"))
                continue
            pc = by_name[key_col]
            columns.append(Column(name=name, type=pc.type, path=("$parent", key_col), length=pc.length))
        for name, col_conf in conf["columns"].items():
            where = base + ("columns", name)
            if name in link:
                problems.append(doc.problem(where, f"column {name!r} is the parent link column; it holds the "
                                            f"parent's {link[name]!r} already", hint="remove it from columns", key=True))
                continue
            if name == hash_column or (conf.get("timestamps", True) and name in RESERVED):
                problems.append(doc.problem(where, f"column name {name!r} is reserved", key=True,
                                            hint="rename the column"))
                continue
            col = _column(doc, name, col_conf, context, problems, base=where)
            if col is not None:
                columns.append(col)
        own_key = conf.get("key")
        if own_key is None:
            own_key = ["position"]
            if "position" not in conf["columns"]:
                columns.append(Column(name="position", type="integer", path=("$position",)))
        names = [c.name for c in columns]
        for j, k in enumerate(own_key):
            if k in link:
                problems.append(doc.problem(base + ("key", j), f"{k!r} is the parent link column, which is "
                                            "always the first part of the key", hint="leave it out of key"))
            elif k not in names:
                close = difflib.get_close_matches(k, names, n=1)
                problems.append(doc.problem(base + ("key", j), f"{k!r} is not a column of child table {table!r}",
                                            hint=f"did you mean {close[0]!r}?" if close else
                                            "declare it under columns"))
        key = tuple(link) + tuple(k for k in own_key if k not in link)
        for col in columns:
            if col.name in key and col.type == "json":
                problems.append(doc.problem(base + ("columns", col.name),
                                            f"key column {col.name!r} cannot be of type json",
                                            hint="use text, integer or date for key columns"))
        each = tuple(conf["each"].split("."))
        probe = Column(name="each", path=each)
        _check_paths(doc, [probe], (), list(parent.strategies), context, problems, where=base, extra=CHILD_KEYS)
        _check_paths(doc, columns, key, list(parent.strategies), context, problems, where=base + ("columns",),
                     extra=CHILD_KEYS)
        if len(problems) > before:
            continue
        name = f"{parent.name}.{table}"
        out.append(dataclasses.replace(
            parent, name=name, table=table, key=key, columns=tuple(columns),
            description=f"children of {parent.name}: one row per element of {conf['each']}",
            timestamps=conf.get("timestamps", True), indexes=(),
            # the database follows the markdown too: a parent row deleted by hand takes its children along
            foreign_keys=(ForeignKey(tuple(link), parent.table, tuple(link.values()), "cascade",
                                     json_path(base + ("parent",))),),
            spec_hash=hashlib.sha256(f"{parent.spec_hash}:{name}".encode()).hexdigest()[:16],
            parent=parent, each=each, targets=parent.targets[:1],   # child rows go to the parent's database
            warnings=()))   # the parent reports the file's deprecations
    return out


def _unknown_columns(doc: Located, where: tuple, names: list[str], columns: list[Column],
                     problems: list[Problem]) -> bool:
    """Problems for names that are not columns of this spec; True if all are."""
    known = [c.name for c in columns]
    ok = True
    for i, name in enumerate(names):
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            problems.append(doc.problem(where + (i,), f"{name!r} is not a column of this spec",
                                        hint=f"did you mean {close[0]!r}?" if close else
                                        f"declare it under target.columns (columns: {', '.join(known)})"))
            ok = False
    return ok


def _indexes(doc: Located, target: dict, columns: list[Column], problems: list[Problem]) -> tuple[Index, ...]:
    """target.unique and target.indexes (a bare list of names is a non-unique index)."""
    out: list[Index] = []
    for i, names in enumerate(target.get("unique", [])):
        if _unknown_columns(doc, ("target", "unique", i), names, columns, problems):
            out.append(Index(tuple(names), unique=True))
    for i, item in enumerate(target.get("indexes", [])):
        conf: dict[str, Any] = {"columns": item} if isinstance(item, list) else item
        where = ("target", "indexes", i) + (() if isinstance(item, list) else ("columns",))
        if _unknown_columns(doc, where, conf["columns"], columns, problems):
            out.append(Index(tuple(conf["columns"]), unique=bool(conf.get("unique", False)), name=str(conf["name"]) if conf.get("name") else None))
    return tuple(out)


def _foreign_keys(doc: Located, target: dict, columns: list[Column], key: tuple[str, ...],
                  problems: list[Problem]) -> tuple[ForeignKey, ...]:
    """target.foreign_keys; whether the referenced table exists is checked across specs (loader)."""
    out: list[ForeignKey] = []
    by_name = {c.name: c for c in columns}
    for i, conf in enumerate(target.get("foreign_keys", [])):
        base = ("target", "foreign_keys", i)
        ref = conf["references"]
        if isinstance(ref, str):
            table, _, cols = ref.partition(".")
            ref_table, ref_cols = table, tuple(cols.split(","))
        else:
            ref_table, ref_cols = ref["table"], tuple(ref["columns"])
        names = conf["columns"]
        if not _unknown_columns(doc, base + ("columns",), names, columns, problems):
            continue
        if len(names) != len(ref_cols):
            problems.append(doc.problem(base + ("references",),
                                        f"{len(names)} column(s) {names} reference {len(ref_cols)} column(s) "
                                        f"{list(ref_cols)} of {ref_table!r}",
                                        hint="list as many referenced columns as referencing ones, in order"))
            continue
        on_delete = conf.get("on_delete", "no action")
        if on_delete == "set null":
            strict = [n for n in names if n in key or not by_name[n].nullable]
            if strict:
                verb = "is" if len(strict) == 1 else "are"
                problems.append(doc.problem(base + ("on_delete",),
                                            f"on_delete: set null needs nullable columns, but {', '.join(strict)} "
                                            f"{verb} NOT NULL (a key column or nullable: false)",
                                            hint="use on_delete: cascade, or make the column nullable"))
                continue
        out.append(ForeignKey(tuple(names), ref_table, ref_cols, on_delete, json_path(base)))
    return tuple(out)
