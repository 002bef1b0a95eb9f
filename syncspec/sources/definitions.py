"""A file's link reference definitions, for section reuse in files that have some.

``[text][1]`` in one section reads ``[1]: https://...`` from anywhere in the file, so a
section's records depend on its bytes *and* the file's definitions. pyromark's
``reference_definitions`` (its block pass only, in Rust) gives the definitions as the
whole-file parse resolves them (first of a label wins). Section digests are keyed with
them (pieces.digest), so a section is reused only when its bytes and the definitions
are as last synced. A range parsed alone (a changed range, a piece of a large file)
gets the definitions as a canonical block: before it when it starts at a heading (the
whole file's first definition of a label comes first, so it wins as in the whole
file), else after the heading line that ends it (a range at the file's start holds the
file's first definitions itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pyromark

from .markdown import front_matter_block


@dataclass(frozen=True)
class Definitions:
    key: bytes          # keys the section digests (pieces.digest); b"" when the file has none
    block: bytes        # the definitions as lines to append to a range parsed alone
    seen: dict          # label -> (dest, title), as the whole file resolves them


NONE = Definitions(b"", b"", {})


def of(data: bytes, spans: list[tuple[int, int]] | None = None) -> Definitions | None:
    """The file's definitions, or None when they cannot be written back as a block that parses to the
    same definitions (then the file is parsed whole, as before). ``spans``: the pieces of a large file,
    read one at a time (pyromark's block pass over a whole 100 MB file holds several times its size);
    their definitions, concatenated in order, resolve as the whole file's (first of a label wins)."""
    blocks = []
    for start, end in spans or [(0, len(data))]:
        try:
            text = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        found = _found(text) if start == 0 else _pairs(pyromark.reference_definitions(text))
        block = _block(found)
        if _found(block.decode("utf-8")) != found:
            return None
        blocks.append(block)
    joined = b"".join(blocks)
    if not joined:
        return NONE                # "]:" only in code, or in text that defines nothing
    seen = _found(joined.decode("utf-8"))
    block = _block(seen)
    if _found(block.decode("utf-8")) != seen:
        return None
    return Definitions(hashlib.blake2b(block, digest_size=32).digest(), block, seen)


def _block(found: dict) -> bytes:
    return "".join(f"[{label}]: <{_escape(dest, '<>')}>" + (f' "{_escape(title, chr(34))}"' if title else "")
                   + "\n" for label, (dest, title) in found.items()).encode("utf-8")


def _found(text: str) -> dict:
    """label -> (dest, title) as markdown.parse resolves them: its front matter is blanked first."""
    block = front_matter_block(text) if text[:1] in ("-", "+") else None
    if block is not None:
        text = text[block[2]:]
    return _pairs(pyromark.reference_definitions(text))


def _pairs(found: dict[str, Any]) -> dict:
    return {label: (d["dest"], d["title"]) for label, d in found.items()}


def _escape(value: str, specials: str) -> str:
    out = value.replace("\\", "\\\\")
    for ch in specials:
        out = out.replace(ch, "\\" + ch)
    return out
