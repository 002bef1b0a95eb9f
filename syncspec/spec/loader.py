"""Load every spec of a workspace, reporting all problems of all files together."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import Problem, SpecError
from .build import build_children, build_spec
from .model import Spec
from .schema import validate_document
from .validated import ValidatedCache
from .yamlfile import Located, load_yaml, read_text


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_specs(root: Path, specs_dir: Path, context: dict[str, str],
               only: list[str] | None = None) -> list[Spec]:
    """Parse, validate and build all specs; raise one SpecError listing every problem."""
    problems: list[Problem] = []
    specs: list[Spec] = []
    docs: dict[str, Located] = {}
    validated = ValidatedCache()          # unchanged specs skip jsonschema (spec/validated.py)
    if not specs_dir.is_dir():
        raise SpecError(problems=[Problem(f"specs folder {_rel(specs_dir, root)!r} does not exist",
                                          file="syncspec.yaml",
                                          hint="create it, or point 'specs:' in syncspec.yaml at your specs folder "
                                               "(`syncspec init` scaffolds one)", code="SS113")])
    for path in spec_files(specs_dir):
        display = _rel(path, root)
        try:
            doc = load_yaml(read_text(path, display), display)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        if doc.data is None:
            problems.append(Problem("spec file is empty", file=display, line=1,
                                    hint="write a spec (see `syncspec init`) or delete the file", code="SS108"))
            continue
        found = validate_document(doc, cache=validated)
        if found:
            problems.extend(found)
            continue
        spec = build_spec(doc, dict(context, sync=doc.data["sync"]), problems)
        if spec is not None:
            specs.append(spec)
            docs[spec.name] = doc
            for child in build_children(doc, spec, dict(context, sync=spec.name), problems):
                specs.append(child)
                docs[child.name] = doc
    validated.save()
    _check_across(specs, docs, problems)
    _check_foreign_keys(specs, docs, problems)
    if problems:
        raise SpecError(problems=problems)
    specs = parents_first(specs, docs)
    if only:
        only = [_by_file(n, specs, root) for n in only]
        names = {s.name for s in specs}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise SpecError(f"no spec named {', '.join(map(repr, unknown))}; specs: {', '.join(sorted(names))}",
                            code="SS109")
        specs = [s for s in specs if s.name in only or (s.parent is not None and s.parent.name in only)]
    return specs


def _by_file(selector: str, specs: list[Spec], root: Path) -> str:
    """A spec is named by its ``sync:`` name or by its file's path (``specs/x.yaml``), as users type either."""
    if selector.endswith((".yaml", ".yml")):
        wanted = Path(selector).resolve()
        for spec in specs:
            if (root / spec.file).resolve() == wanted:
                return spec.name
    return selector


def _check_across(specs: list[Spec], docs: dict[str, Located], problems: list[Problem]) -> None:
    """Two specs may share a name never, and a table only compatibly."""
    by_name: dict[str, Spec] = {}
    by_table: dict[str, list[Spec]] = {}
    for spec in specs:
        if spec.name in by_name:
            first = by_name[spec.name]
            problems.append(docs[spec.name].problem(("sync",), f"sync name {spec.name!r} is also used by {first.file}",
                                                    hint="give each spec a unique 'sync:' name"))
            continue
        by_name[spec.name] = spec
        by_table.setdefault(spec.table, []).append(spec)
    for table, group in by_table.items():
        first = group[0]
        for other in group[1:]:
            doc = docs[other.name]
            if other.key != first.key:
                problems.append(doc.problem(("target", "key"), f"table {table!r} is keyed by {list(first.key)} in "
                                            f"{first.file} but by {list(other.key)} here",
                                            hint="specs sharing a table must declare the same key"))
                continue
            if other.hash_column != first.hash_column:
                problems.append(doc.problem(("hash", "column"), f"table {table!r} keeps its hash in "
                                            f"{first.hash_column!r} ({first.file}), not {other.hash_column!r}"))
            first_types = {c.name: c.type for c in first.columns}
            for col in other.columns:
                if col.name in first_types and first_types[col.name] != col.type:
                    problems.append(doc.problem(("target", "columns", col.name),
                                                f"column {col.name!r} of {table!r} is {first_types[col.name]} in "
                                                f"{first.file} but {col.type} here",
                                                hint="use one type per column across specs sharing a table"))
        # each spec must own a distinct slice: constant key values that differ
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                shared = set(a.partition) & set(b.partition)
                if not shared or all(a.partition[k] == b.partition[k] for k in shared):
                    problems.append(docs[b.name].problem(
                        ("target", "key"),
                        f"specs {a.name!r} ({a.file}) and {b.name!r} both write table {table!r} and "
                        f"could delete each other's rows",
                        hint="give both a constant key column with different values, "
                             "e.g. file_type: {type: text, value: build}"))


def _check_foreign_keys(specs: list[Spec], docs: dict[str, Located], problems: list[Problem]) -> None:
    """A foreign key must reference columns some spec writes, which are that table's key or a unique set."""
    by_table: dict[str, list[Spec]] = {}
    for spec in specs:
        by_table.setdefault(spec.table, []).append(spec)
    for spec in specs:
        doc = docs.get(spec.name)
        if doc is None:
            continue
        for fk in spec.foreign_keys:
            path = _path_of(fk.json_path) + ("references",)
            parents = by_table.get(fk.table)
            if not parents:
                tables = sorted(by_table)
                close = difflib.get_close_matches(fk.table, tables, n=1)
                problems.append(doc.problem(path, f"foreign key references table {fk.table!r}, which no spec "
                                                  "of this workspace writes",
                                            hint=f"did you mean {close[0]!r}?" if close else
                                            f"tables written by specs: {', '.join(tables)}"))
                continue
            types = {c.name: c.type for p in parents for c in p.columns}
            missing = [c for c in fk.references if c not in types]
            if missing:
                problems.append(doc.problem(path, f"table {fk.table!r} ({parents[0].file}) has no column(s) "
                                                  f"{', '.join(missing)}",
                                            hint=f"its columns: {', '.join(types)}", code="SS115"))
                continue
            uniques = [set(parents[0].key)] + [set(i.columns) for p in parents for i in p.indexes if i.unique] + [
                {c.name} for p in parents for c in p.columns if c.unique]
            if set(fk.references) not in uniques:
                problems.append(doc.problem(path, f"{fk.table}({', '.join(fk.references)}) is neither the key nor "
                                                  f"a unique set of table {fk.table!r} ({parents[0].file})",
                                            hint=f"reference its key ({', '.join(parents[0].key)}), or declare "
                                                 f"unique: [[{', '.join(fk.references)}]] in that spec's target"))
                continue
            mine = {c.name: c.type for c in spec.columns}
            for col, ref in zip(fk.columns, fk.references):
                if mine[col] != types[ref]:
                    problems.append(doc.problem(path, f"column {col!r} is {mine[col]} but {fk.table}.{ref} is "
                                                      f"{types[ref]}",
                                                hint="a foreign key column needs the referenced column's type"))


def parents_first(specs: list[Spec], docs: dict[str, Located] | None = None) -> list[Spec]:
    """Order specs so that those writing referenced (parent) tables run before those referencing them.

    Stable: without foreign keys the order is unchanged. A cycle is a SpecError naming its specs.
    """
    writers: dict[str, list[str]] = {}
    for spec in specs:
        writers.setdefault(spec.table, []).append(spec.name)
    needs = {s.name: {w for fk in s.foreign_keys for w in writers.get(fk.table, ()) if fk.table != s.table}
             for s in specs}
    done: list[Spec] = []
    placed: set[str] = set()
    pending = list(specs)
    while pending:
        ready = next((s for s in pending if needs[s.name] <= placed), None)
        if ready is None:
            names = [s.name for s in pending if needs[s.name] - placed]
            spec = next(s for s in pending if s.name == names[0])
            line, col = spec.locate("$.target.foreign_keys")
            raise SpecError(problems=[Problem(
                f"foreign keys form a cycle between specs {', '.join(map(repr, names))}: none can be synced first",
                file=spec.file, line=line, column=col, json_path="$.target.foreign_keys",
                hint="remove one foreign key of the cycle (or make it a plain column)", code="SS121")])
        done.append(ready)
        placed.add(ready.name)
        pending.remove(ready)
    return done


def _path_of(json_path: str) -> tuple:
    """``$.target.foreign_keys[0]`` -> ``('target', 'foreign_keys', 0)``."""
    import re

    return tuple(name or int(index) for name, index in re.findall(r"\.(\w+)|\[(\d+)\]", json_path))


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
