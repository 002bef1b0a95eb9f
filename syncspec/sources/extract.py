"""Resolve a spec's files inside the workspace and run its strategies on each."""

from __future__ import annotations

import glob as _glob
import os
import stat
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError
from ..spec.model import DocumentStrategy, FrontmatterStrategy, Spec, Strategy
from ..spec.regexes import RegexTimeout
from . import chunks, filters
from .chunks import chunk_level, has_definitions, pieces
from .documents import extract_document
from .files import extract_whole_file
from .frontmatter import extract_frontmatter
from .parsed import Parsed
from .pieces import describe, piece_starts, reusable
from .pieces import plan as plan_reuse
from .records import Record
from .sections import extract_sections
from .tables import extract_table
from .tasks import extract_tasks
from .text import is_utf8, normalize_newlines, read_bytes, read_source

# kind -> records of one strategy from one parsed file
EXTRACTORS: dict[str, Callable[[Any, Parsed], Iterable[Record]]] = {
    "sections": lambda s, p: extract_sections(s, p.src, p.markdown),
    "table": lambda s, p: extract_table(s, p.src, p.markdown),
    "tasks": lambda s, p: extract_tasks(s, p.src, p.markdown),
    "frontmatter": lambda s, p: extract_frontmatter(s, p.src, p.front),
    "file": lambda s, p: extract_whole_file(s, p.src, p.path, lambda: p.markdown, lambda: p.front),
    "json": lambda s, p: extract_document(s, p.src, p.document("json")),
    "yaml": lambda s, p: extract_document(s, p.src, p.document("yaml")),
}


@dataclass(frozen=True)
class FileRecords:
    """The records of one file and the strategy that produced them."""

    file: str
    strategy: str | None
    records: list[Record]
    pieces: list[list] | None = None          # [digest, length, first line] of the sections parsed


@dataclass(frozen=True)
class ReusedSections:
    """Sections unchanged since the last sync (sources/pieces.py): their rows stand, nothing is parsed."""

    file: str
    entries: list[tuple[tuple, str, int]]     # (key, hash, first line of its section) as last synced
    sections: list[list]                      # their stored [digest, length, rows, lines]


@dataclass(frozen=True)
class OldFile:
    """A file's entries and sections at its last sync: what section reuse starts from."""

    entries: list                             # [[key, hash], ...] in file order
    sections: list[list] | None               # [[digest, length, rows, lines], ...] or None


def resolve_files(spec: Spec, root: Path) -> list[tuple[Path, str]]:
    """Every file the spec reads, sorted, as (absolute path, workspace-relative name)."""
    found: dict[str, Path] = {}
    parents: dict[str, str] = {}
    root = root.resolve()
    root_str = str(root)
    root_prefix = os.path.join(root_str, "")
    listed = not isinstance(spec.raw.get("source", {}).get("files"), str)
    for i, pattern in enumerate(spec.files):
        where = f"$.source.files[{i}]" if listed else "$.source.files"
        line, col = spec.locate(where)   # errors point at the spec line naming the pattern
        if _glob.has_magic(pattern):
            # root_dir: a workspace path holding glob characters ('[', '*') must not be expanded
            matches = _glob.glob(pattern, root_dir=root, recursive=True)
        else:
            if not (root / pattern).is_file():
                raise SourceError(problems=[Problem(
                    f"source file {pattern!r} of spec {spec.name!r} does not exist", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="create the file, or fix source.files in the spec")], spec=spec.name)
            matches = [pattern]
        for rel in matches:
            # plain os.path on strings: a no-op sync of 1,000s of files spends its time here
            full = os.path.join(root_str, rel)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                real = Path(full).resolve()        # symlinked files individually
                if not real.is_file():
                    continue
            elif not stat.S_ISREG(st.st_mode):
                continue
            else:
                # resolve each folder once; a file inside is its folder's real path plus its name
                head, name = os.path.split(full)
                folder = parents.get(head)
                if folder is None:
                    folder = parents[head] = os.path.realpath(head)
                real = Path(folder, name)
            if not str(real).startswith(root_prefix):
                raise SourceError(problems=[Problem(
                    f"{Path(full)} resolves outside the workspace ({real})", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="sources must stay inside the workspace; remove the symlink or the pattern")])
            found[str(real)[len(root_prefix):].replace(os.sep, "/")] = real
    if spec.exclude and found:
        skip = excluded(spec.exclude)
        found = {name: path for name, path in found.items() if not skip(name)}
    if not found:
        line, col = spec.locate("$.source.files")
        raise SourceError(problems=[Problem(
            f"source.files of spec {spec.name!r} matched no files: {', '.join(spec.files)}"
            + (f" (less source.exclude: {', '.join(spec.exclude)})" if spec.exclude else ""), file=spec.file,
            line=line, column=col, json_path="$.source.files",
            hint="check the pattern; an empty source would delete every row of this spec")], spec=spec.name)
    return [(found[name], name) for name in sorted(found)]


def excluded(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a workspace-relative path is excluded, with gitignore semantics (``docs/archive/``, ``!keep.md``)."""
    import pathspec   # only specs that exclude something pay for the import

    return pathspec.GitIgnoreSpec.from_lines(patterns).match_file


def parse_file(spec: Spec, path: Path, display: str, raw: bytes | None = None) -> Parsed:
    """Read and decode one file; its markdown/YAML/JSON forms are parsed when a strategy asks."""
    depth = max((len(_pointer(s).parts) for s in spec.strategies if _pointer(s) is not None), default=0)
    return Parsed(read_source(path, display, spec.encoding, raw), path, depth)


def run_strategy(strategy: Strategy, parsed: Parsed) -> list[Record]:
    """The strategy's records of one file, less those its ``where:`` / ``unless:`` filters drop."""
    try:
        if strategy.where:
            return filters.apply(strategy.where, EXTRACTORS[strategy.kind](strategy, parsed))
        return list(EXTRACTORS[strategy.kind](strategy, parsed))
    except RegexTimeout as exc:   # a spec regex ran out of time: name the file its text came from
        raise exc.at(parsed.src.display) from None


def extract_file(spec: Spec, path: Path, display: str, raw: bytes | None = None) -> FileRecords:
    """Run the strategies in order on one file; the first that yields records wins."""
    parsed = parse_file(spec, path, display, raw)
    for strategy in spec.strategies:
        records = run_strategy(strategy, parsed)
        if records:
            return FileRecords(display, strategy.kind, records)
    return FileRecords(display, None, [])


def extract_batches(spec: Spec, path: Path, display: str, raw: bytes | None = None,
                    min_bytes: int | None = None, chunk: int | None = None,
                    old: OldFile | None = None) -> Iterator[FileRecords | ReusedSections]:
    """The file's records in order: as one batch, or, for a large markdown file, piece by piece
    (sources/chunks.py), so memory holds the file's bytes and one piece's records.

    For a spec whose sections can be reused (sources/pieces.py) each batch also describes the
    sections it parsed; given the file's ``old`` state, the unchanged sections at its start and
    end are not parsed at all but yielded as ReusedSections.
    """
    level = chunk_level(spec)
    if raw is None:
        raw = read_bytes(path, display)
    if is_utf8(spec.encoding) or raw.startswith(b"\xef\xbb\xbf"):
        # before pieces are cut and digested, so stored sections and new bytes compare in one form
        raw = normalize_newlines(raw)
    if level is None:
        yield extract_file(spec, path, display, raw)
        return
    skip = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    data = raw[skip:] if skip else raw
    definitions = has_definitions(data)     # then it cannot be cut, and its sections are not reused
    keep = reusable(spec, level) and not definitions
    strategy = spec.strategies[0]
    if keep and old is not None and old.sections:
        done = yield from _reusing(spec, path, display, data, skip, level, old)
        if done:
            return
    whole = definitions or len(raw) < (chunks.MIN_FILE_BYTES if min_bytes is None else min_bytes)
    for start, end, line in [(0, len(data), 1)] if whole else pieces(data, level, chunk):
        src = (read_source(path, display, spec.encoding, raw) if whole else
               read_source(path, display, spec.encoding, data[start:end], offset=start + skip, first_line=line))
        parsed = Parsed(src, path)
        records = run_strategy(strategy, parsed)
        described = describe(src.data, piece_starts(parsed.markdown, src.data, level), line) if keep else None
        yield FileRecords(display, strategy.kind if records else None, records, described)


def _reusing(spec: Spec, path: Path, display: str, data: bytes, skip: int, level: int,
             previous: OldFile) -> Generator[FileRecords | ReusedSections, None, bool]:
    """Unchanged sections as ReusedSections, the changed bytes between them parsed; returns False,
    having yielded nothing, when a changed range does not end where an unchanged section can resume."""
    batches: list[FileRecords | ReusedSections] = []
    line = 1
    kind = spec.strategies[0].kind
    old = previous.sections or []
    for what, a, b in plan_reuse(data, level, old):
        if what == "reuse":
            at = sum(p[2] for p in old[:a])
            entries = []
            for section in old[a:b]:
                entries += [(tuple(key), digest, line) for key, digest in previous.entries[at:at + section[2]]]
                at += section[2]
                line += section[3]
            batches.append(ReusedSections(display, entries, old[a:b]))
            continue
        body = data[a:b]
        tail = b""
        if b < len(data):          # prove the parser is clean where the next unchanged section starts
            nl = data.find(b"\n", b)
            tail = data[b:len(data) if nl == -1 else nl + 1]
        src = read_source(path, display, spec.encoding, body + tail, offset=a + skip, first_line=line)
        parsed = Parsed(src, path)
        doc = parsed.markdown
        if tail and not any(h.start == len(body) and h.level <= level for h in doc.headings):
            return False
        resume = line + body.count(b"\n")
        records = [rec for rec in run_strategy(spec.strategies[0], parsed) if not tail or rec.line < resume]
        described = describe(src.data, piece_starts(doc, src.data, level), line, end=len(body))
        batches.append(FileRecords(display, kind if records else None, records, described))
        line = resume
    yield from batches
    return True


def _pointer(strategy: Strategy):
    if isinstance(strategy, DocumentStrategy):
        return strategy.pointer
    if isinstance(strategy, FrontmatterStrategy):
        return strategy.items
    return None
