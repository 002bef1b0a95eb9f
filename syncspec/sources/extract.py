"""Resolve a spec's files inside the workspace and run its strategies on each."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..spec.model import DocumentStrategy, FrontmatterStrategy, Spec, Strategy
from ..spec.regexes import RegexTimeout
from . import chunks, filters
from . import definitions as link_definitions
from .chunks import chunk_level, pieces
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
    small = len(raw) < (chunks.MIN_FILE_BYTES if min_bytes is None else min_bytes)
    spans = None if small else list(pieces(data, level, chunk))
    # link reference definitions resolve from anywhere in the file: pieces and reused sections carry them
    defs = link_definitions.NONE if b"]:" not in data else \
        link_definitions.of(data, None if spans is None else [(a, b) for a, b, _ in spans])
    if spans is not None and defs is not None and len(defs.block) > max(16 << 10, 2 * (chunk or chunks.CHUNK_BYTES)):
        # every piece parses the definitions again: pieces at least half their size keep that within twice
        # the file's size (hostile input: a file of a million definitions), where pieces of 1 MB each
        # re-reading 50 MB of definitions would not end
        spans = list(pieces(data, level, len(defs.block) // 2))
    keep = defs is not None and reusable(spec, level)
    key = defs.key if defs is not None else b""
    strategy = spec.strategies[0]
    if keep and old is not None and old.sections:
        assert defs is not None
        done = yield from _reusing(spec, path, display, data, skip, level, old, defs)
        if done:
            return
    if spans is None or defs is None:
        parsed = Parsed(read_source(path, display, spec.encoding, raw), path)
        records = run_strategy(strategy, parsed)
        described = describe(parsed.src.data, piece_starts(parsed.markdown, parsed.src.data, level), 1,
                             key=key) if keep else None
        yield FileRecords(display, strategy.kind if records else None, records, described)
        return
    for start, end, line in spans:        # cut at headings proven clean (chunks.cuts)
        yield _alone(spec, path, display, data, skip, level, start, end, line, defs, keep)[0]


def _alone(spec: Spec, path: Path, display: str, data: bytes, skip: int, level: int, start: int, end: int,
           line: int, defs: link_definitions.Definitions, keep: bool) -> tuple[FileRecords, bool]:
    """Parse ``data[start:end]`` alone as it parses in the whole file (a piece of a large file, or a
    changed range between reused sections): followed by the heading line that comes next (its records
    are dropped), and with the file's link definitions before it when it starts at a heading, else
    after that heading line. Also says whether that line did parse as a heading of the section level:
    if not, the parser is not clean there (an unclosed fence swallows what follows)."""
    tail = b""
    if end < len(data):      # its text ends as in the whole file (never in definition lines, which the
        nl = data.find(b"\n", end)    # last section's body leaves out)
        tail = data[end:len(data) if nl == -1 else nl + 1]
    before = defs.block + b"\n" if defs.block and start > 0 else b""
    after = b"\n" + defs.block if defs.block and start == 0 and tail else b""
    text = before + data[start:end] + tail + after if before or tail else data[start:end]
    src = read_source(path, display, spec.encoding, text, offset=start + skip - len(before),
                      first_line=line - before.count(b"\n"))
    parsed = Parsed(src, path)
    doc = parsed.markdown
    at = len(before)
    clean = not tail or any(h.start == at + end - start and h.level <= level for h in doc.headings)
    records = run_strategy(spec.strategies[0], parsed)
    if tail:
        resume = line + data.count(b"\n", start, end)
        records = [r for r in records if r.line < resume]
    described = None
    if keep:
        starts = [s - at for s in piece_starts(doc, src.data, level) if s >= at]
        described = describe(src.data[at:] if at else src.data, starts if starts[:1] == [0] else [0, *starts],
                             line, end=end - start, key=defs.key)
    return FileRecords(display, spec.strategies[0].kind if records else None, records, described), clean


def _reusing(spec: Spec, path: Path, display: str, data: bytes, skip: int, level: int,
             previous: OldFile, defs: link_definitions.Definitions
             ) -> Generator[FileRecords | ReusedSections, None, bool]:
    """Unchanged sections as ReusedSections, the changed bytes between them parsed; returns False,
    having yielded nothing, when a changed range does not end where an unchanged section can resume."""
    batches: list[FileRecords | ReusedSections] = []
    line = 1
    old = previous.sections or []
    plan = plan_reuse(data, level, old, defs.key)
    if len(defs.block) * sum(what == "parse" for what, _, _ in plan) > len(data):
        return False               # each range parses the definitions again: the whole file is less work
    for what, a, b in plan:
        if what == "reuse":
            at = sum(p[2] for p in old[:a])
            entries = []
            for section in old[a:b]:
                entries += [(tuple(key), digest, line) for key, digest in previous.entries[at:at + section[2]]]
                at += section[2]
                line += section[3]
            batches.append(ReusedSections(display, entries, old[a:b]))
            continue
        batch, clean = _alone(spec, path, display, data, skip, level, a, b, line, defs, True)
        if not clean:
            return False
        batches.append(batch)
        line += data.count(b"\n", a, b)
    yield from batches
    return True


def _pointer(strategy: Strategy):
    if isinstance(strategy, DocumentStrategy):
        return strategy.pointer
    if isinstance(strategy, FrontmatterStrategy):
        return strategy.items
    return None
