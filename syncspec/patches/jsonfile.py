"""JSON files kept stable for git: read with located errors, write back in their own format, atomically.

A plan file is re-serialized with the indent, separators, line ending,
trailing newline and ASCII escaping it already has; ``json`` keeps key
insertion order, so a one-value change is a one-line diff. Writes go to a
temporary file in the same folder, are fsynced, then ``os.replace``d over the
original (and the folder fsynced): a reader sees the old file or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, SourceError


@dataclass(frozen=True)
class JsonFormat:
    """How a JSON file is laid out, detected from its text."""

    indent: int | str | None = 2
    separators: tuple[str, str] = (",", ": ")
    newline: str = "\n"
    trailing_newline: bool = True
    ensure_ascii: bool = False
    bom: bool = False

    def render(self, data: Any) -> str:
        text = json.dumps(data, indent=self.indent, separators=self.separators, ensure_ascii=self.ensure_ascii)
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text + (self.newline if self.trailing_newline else "")


def detect_format(text: str) -> JsonFormat:
    """The layout of ``text``: indent of the first indented line, separators, newline, escaping."""
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.rstrip("\r\n")
    trailing = len(body) != len(text)
    ensure_ascii = text.isascii() and "\\u" in text
    lines = body.split(newline)
    if len(lines) == 1:
        compact = re.search(r'[,:] ', _strip_strings(body)) is None
        return JsonFormat(None, (",", ":") if compact else (", ", ": "), newline, trailing, ensure_ascii, bom)
    indent: int | str = 0
    for line in lines[1:]:
        stripped = line.lstrip(" \t")
        if stripped != line:
            lead = line[: len(line) - len(stripped)]
            indent = lead if "\t" in lead else len(lead)
            break
    key_sep = ": " if re.search(r'": ', body) or not re.search(r'":', body) else ":"
    return JsonFormat(indent, (",", key_sep), newline, trailing, ensure_ascii, bom)


def _strip_strings(text: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


@dataclass(frozen=True)
class JsonFile:
    """A JSON file's data, its text and format; ``locate`` maps a pointer to (line, column)."""

    path: Path
    display: str
    text: str
    data: Any
    format: JsonFormat

    @property
    def canonical_format(self) -> bool:
        """True when writing the data back unchanged reproduces the file byte for byte."""
        return self.format.render(self.data) == self.text

    def locate(self, tokens: tuple) -> tuple[int | None, int | None]:
        """Line and column of the value at ``tokens`` (or its nearest ancestor); JSON is read as YAML."""
        from ..spec.yamlfile import load_yaml

        try:
            # tabs may only be whitespace in JSON, and YAML refuses them as indentation
            located = load_yaml(self.text.replace("\t", " "), self.display)
        except Exception:  # noqa: BLE001 - a location is a courtesy; the JSON itself parsed
            return None, None
        path = tuple(int(t) if isinstance(t, str) and t.isdigit() and _is_list_at(self.data, tokens, i) else t
                     for i, t in enumerate(tokens))
        return located.where(path)


def _is_list_at(data: Any, tokens: tuple, depth: int) -> bool:
    node = data
    for token in tokens[:depth]:
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            return False
    return isinstance(node, list)


def read_json(path: Path, display: str, what: str = "file") -> JsonFile:
    """Read and parse a JSON file; a syntax error names its line and column."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(problems=[Problem(f"{what} does not exist", file=display,
                                            hint="create it, or fix its path in syncspec.yaml (patches:)")]) from None
    except OSError as exc:
        raise SourceError(problems=[Problem(f"cannot read {what}: {exc.strerror}", file=display)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(problems=[Problem(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", file=display,
                                            line=line, hint="save the file as UTF-8")]) from None
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise SourceError(problems=[Problem(f"invalid JSON: {exc.msg}", file=display, line=exc.lineno,
                                            column=exc.colno, hint=f"fix the JSON syntax of this {what}")]) from None
    return JsonFile(path, display, text, data, detect_format(text))


def canonical(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces (what checksums are taken over)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file in the same folder, fsync, ``os.replace``, fsync the folder."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
