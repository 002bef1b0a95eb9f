"""Read source files: declared encoding, BOM, byte offsets to line numbers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, SourceError


@dataclass
class SourceText:
    """A decoded source file; ``data`` is its UTF-8 bytes (offsets refer to it)."""

    display: str
    text: str
    data: bytes
    first_line: int = 1     # line number of data's first line (a piece of a larger file starts later)
    _starts: list[int] | None = field(default=None, repr=False)
    _cursor: tuple[int, int] = (0, 0)   # (offset, newlines before it) of the last lookup

    def line_of(self, offset: int) -> int:
        """1-based line number of a byte offset into ``data``.

        Strategies ask in document order, so counting newlines from the previous
        answer (in C) beats building the table of every line start.
        """
        at, lines = self._cursor
        if offset >= at:
            lines += self.data.count(b"\n", at, offset)
            self._cursor = (offset, lines)
            return lines + self.first_line
        if self._starts is None:
            starts = [0]
            find = self.data.find
            pos = find(b"\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find(b"\n", pos + 1)
            self._starts = starts
        return bisect_right(self._starts, offset) + self.first_line - 1


def normalize_newlines(raw: bytes) -> bytes:
    """CRLF and lone CR as LF, so a Windows checkout (core.autocrlf), an old Mac file and a Linux checkout
    give the same values, hashes and line numbers (CommonMark and YAML break lines at all three).

    For UTF-8 bytes (a CR byte is never part of a multi-byte character); a no-op without a CR.
    """
    if b"\r" not in raw:
        return raw
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def read_bytes(path: Path, display: str) -> bytes:
    """A source file's bytes, with a located error when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(problems=[Problem("source file does not exist", file=display,
                                            hint="create it, or fix source.files in the spec")]) from None
    except OSError as exc:
        raise SourceError(problems=[Problem(f"cannot read source file: {exc.strerror}", file=display)]) from None


def read_source(path: Path, display: str, encoding: str = "utf-8", raw: bytes | None = None,
                offset: int = 0, first_line: int = 1) -> SourceText:
    """Decode a file (or its already-read bytes); an undecodable byte is an error naming line and offset.

    ``offset`` and ``first_line`` place ``raw`` inside its file when it is a piece of it (sources/chunks.py).
    """
    if raw is None:
        raw = read_bytes(path, display)
    utf8 = is_utf8(encoding)
    skip = 0
    if offset == 0 and raw.startswith(b"\xef\xbb\xbf"):
        skip = 3
        utf8 = True
    try:
        text = raw[skip:].decode("utf-8" if utf8 else encoding)
    except UnicodeDecodeError as exc:
        at = exc.start + skip         # in the file as it is on disk, BOM included
        line = raw.count(b"\n", 0, at) + first_line
        col = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise SourceError(problems=[Problem(
            f"cannot decode byte 0x{raw[at]:02x} at byte offset {at + offset} as {encoding}",
            file=display, line=line, column=col,
            hint="save the file as UTF-8, or declare its encoding in the spec (source.encoding: cp1252)")]) from None
    except LookupError:
        raise SourceError(problems=[Problem(
            f"unknown text encoding {encoding!r}", file=display,
            hint="set source.encoding to a codec such as utf-8, latin-1, cp1252")]) from None
    raw = raw[skip:] if skip else raw
    if "\r" in text:   # values are one text whatever the checkout's line endings
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        raw = normalize_newlines(raw) if utf8 else raw
    data = raw if utf8 else text.encode("utf-8")
    return SourceText(display=display, text=text, data=data, first_line=first_line)
