"""Resolve a spec's files inside the workspace and run its strategies on each."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..spec.model import DocumentStrategy, FrontmatterStrategy, Spec, Strategy
from ..spec.regexes import RegexTimeout
from . import chunks, filters
from . import definitions as link_definitions
from .chunks import chunk_level, has_definitions, pieces
from .documents import extract_document
from .files import extract_whole_file
from .frontmatter import extract_frontmatter
from .parsed import Parsed
from .pieces import describe, piece_starts, reusable
from .pieces import plan as plan_reuse
from .batches import FileRecords, OldFile, ReusedSections
from .listing import resolve_files
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
    definitions = has_definitions(data)     # then it cannot be cut, and its sections are keyed with them
    keep = reusable(spec, level)
    defs = (link_definitions.of(data) if definitions else link_definitions.NONE) if keep else None
    keep = defs is not None
    key = defs.key if defs is not None else b""
    strategy = spec.strategies[0]
    if defs is not None and old is not None and old.sections:
        done = yield from _reusing(spec, path, display, data, skip, level, old, defs)
        if done:
            return
    whole = definitions or len(raw) < (chunks.MIN_FILE_BYTES if min_bytes is None else min_bytes)
    for start, end, line in [(0, len(data), 1)] if whole else pieces(data, level, chunk):
        src = (read_source(path, display, spec.encoding, raw) if whole else
               read_source(path, display, spec.encoding, data[start:end], offset=start + skip, first_line=line))
        parsed = Parsed(src, path)
        records = run_strategy(strategy, parsed)
        described = describe(src.data, piece_starts(parsed.markdown, src.data, level), line, key=key) if keep else None
        yield FileRecords(display, strategy.kind if records else None, records, described)


def _reusing(spec: Spec, path: Path, display: str, data: bytes, skip: int, level: int,
             previous: OldFile, defs: link_definitions.Definitions
             ) -> Generator[FileRecords | ReusedSections, None, bool]:
    """Unchanged sections as ReusedSections, the changed bytes between them parsed; returns False,
    having yielded nothing, when a changed range does not end where an unchanged section can resume,
    or (a file with link definitions) when it cannot be parsed alone with the file's definitions."""
    batches: list[FileRecords | ReusedSections] = []
    line = 1
    kind = spec.strategies[0].kind
    old = previous.sections or []
    for what, a, b in plan_reuse(data, level, old, defs.key):
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
        if defs.block:             # the definitions after the heading line that ends the range
            if not tail:
                return False
            tail += b"\n" + defs.block
            if not link_definitions.resolves_alike(body + tail, defs):
                return False
        src = read_source(path, display, spec.encoding, body + tail, offset=a + skip, first_line=line)
        parsed = Parsed(src, path)
        doc = parsed.markdown
        if tail and not any(h.start == len(body) and h.level <= level for h in doc.headings):
            return False
        resume = line + body.count(b"\n")
        records = [rec for rec in run_strategy(spec.strategies[0], parsed) if not tail or rec.line < resume]
        described = describe(src.data, piece_starts(doc, src.data, level), line, end=len(body), key=defs.key)
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
