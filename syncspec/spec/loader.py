"""Load every spec of a workspace, reporting all problems of all files together."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SpecError
from .build import build_children, build_spec
from .model import Spec
from .schema import validate_document
from .yamlfile import Located, load_yaml, read_text


def spec_files(specs_dir: Path) -> list[Path]:
    return sorted(p for p in specs_dir.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_specs(root: Path, specs_dir: Path, context: dict[str, str],
               only: list[str] | None = None) -> list[Spec]:
    """Parse, validate and build all specs; raise one SpecError listing every problem."""
    problems: list[Problem] = []
    specs: list[Spec] = []
    docs: dict[str, Located] = {}
    if not specs_dir.is_dir():
        raise SpecError(problems=[Problem(f"specs folder {_rel(specs_dir, root)!r} does not exist",
                                          file="syncspec.yaml",
                                          hint="create it, or point 'specs:' in syncspec.yaml at your specs folder "
                                               "(`syncspec init` scaffolds one)")])
    for path in spec_files(specs_dir):
        display = _rel(path, root)
        try:
            doc = load_yaml(read_text(path, display), display)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        if doc.data is None:
            problems.append(Problem("spec file is empty", file=display, line=1,
                                    hint="write a spec (see `syncspec init`) or delete the file"))
            continue
        found = validate_document(doc)
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
    _check_across(specs, docs, problems)
    if problems:
        raise SpecError(problems=problems)
    if only:
        only = [_by_file(n, specs, root) for n in only]
        names = {s.name for s in specs}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise SpecError(f"no spec named {', '.join(map(repr, unknown))}; specs: {', '.join(sorted(names))}")
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


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
