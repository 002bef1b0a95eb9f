"""Resolve a spec's files inside the workspace and run its strategies on each."""

from __future__ import annotations

import glob as _glob
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, SourceError
from ..spec.model import SectionsStrategy, Spec
from .markdown import parse
from .records import Record
from .sections import extract_sections
from .tables import extract_table
from .text import read_source


@dataclass(frozen=True)
class FileRecords:
    """The records of one file and the strategy that produced them."""

    file: str
    strategy: str | None
    records: list[Record]


def resolve_files(spec: Spec, root: Path) -> list[tuple[Path, str]]:
    """Every file the spec reads, sorted, as (absolute path, workspace-relative name)."""
    found: dict[str, Path] = {}
    parents: dict[Path, Path] = {}
    root = root.resolve()
    listed = not isinstance(spec.raw.get("source", {}).get("files"), str)
    for i, pattern in enumerate(spec.files):
        where = f"$.source.files[{i}]" if listed else "$.source.files"
        line, col = spec.locate(where)   # errors point at the spec line naming the pattern
        if _glob.has_magic(pattern):
            # root_dir: a workspace path holding glob characters ('[', '*') must not be expanded
            matches = [root / p for p in _glob.glob(pattern, root_dir=root, recursive=True)]
        else:
            path = root / pattern
            if not path.is_file():
                raise SourceError(problems=[Problem(
                    f"source file {pattern!r} of spec {spec.name!r} does not exist", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="create the file, or fix source.files in the spec")], spec=spec.name)
            matches = [path]
        for path in matches:
            if not path.is_file():
                continue
            # resolve each folder once (a hot path with 1,000s of files); symlinked files individually
            folder = parents.get(path.parent)
            if folder is None:
                folder = parents[path.parent] = path.parent.resolve()
            real = path.resolve() if path.is_symlink() else folder / path.name
            if root not in real.parents:
                raise SourceError(problems=[Problem(
                    f"{path} resolves outside the workspace ({real})", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="sources must stay inside the workspace; remove the symlink or the pattern")])
            found[real.relative_to(root).as_posix()] = real
    if not found:
        line, col = spec.locate("$.source.files")
        raise SourceError(problems=[Problem(
            f"source.files of spec {spec.name!r} matched no files: {', '.join(spec.files)}", file=spec.file,
            line=line, column=col, json_path="$.source.files",
            hint="check the pattern; an empty source would delete every row of this spec")], spec=spec.name)
    return [(found[name], name) for name in sorted(found)]


def extract_file(spec: Spec, path: Path, display: str, raw: bytes | None = None) -> FileRecords:
    """Run the strategies in order on one file; the first that yields records wins."""
    src = read_source(path, display, spec.encoding, raw)
    doc = parse(src.text)
    for strategy in spec.strategies:
        if isinstance(strategy, SectionsStrategy):
            records = list(extract_sections(strategy, src, doc))
        else:
            records = list(extract_table(strategy, src, doc))
        if records:
            return FileRecords(display, strategy.kind, records)
    return FileRecords(display, None, [])
