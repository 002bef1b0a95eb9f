"""What extraction hands the engine per file: records, or sections reused as last synced.

Kept apart from extract.py so the engine's types import without the parsers (a no-op sync
parses nothing and should not pay for importing them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Record


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
