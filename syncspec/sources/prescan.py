"""Blank out plain top-level paragraphs before pyromark sees them (issue 16: parse only what is needed).

``markdown.parse`` keeps headings, tables, list items and opaque blocks; a
paragraph at the top level gives it nothing, yet its inline markup (``**Key**``
fields, code spans, links) is most of pyromark's events, and each event is a
Python dict or two. So the paragraphs that are certainly plain are overwritten
before the parse, with ASCII of the same UTF-8 length (every byte offset
holds), as a one-line paragraph of ``a``'s -- or, where nothing before it can
reach over blank lines, as spaces (a blank line: no events at all).

A run is blanked only when every one of its lines is safe:

* it follows a blank line (or the start of the text) and is followed by one (or
  the end); its first line starts in column 0 and not with ``[`` (a link
  reference definition opens a paragraph, and links elsewhere resolve against it);
* no line starts (after any indentation) with anything that could open a block
  or end a paragraph: ATX heading, fence, ``<``, ``>``, ``|``, bullet or ordered
  list marker, thematic break, setext underline;
* no line holds ``|`` (a table row), ``>`` (every end condition of the HTML
  blocks that run across blank lines has one) or a carriage return other than
  a CRLF's (a lone CR ends a line for CommonMark, not for these regexes).

After a blank line, a line in column 0 closes every container (list item,
block quote, indented code, HTML blocks of kinds 6 and 7); what it cannot
close is a top-level fence or an HTML block of kinds 1-5 -- and inside those
the run's lines are literal text, which no record reads (the block's range is
kept: its closing line is never a safe line). So no block structure has to be
tracked here: where the first line is outside such a block, the run is exactly
one paragraph.

Spaces instead of ``a``'s also drop the paragraph itself, which joins the
blank lines around it; that changes nothing only if the block before it
cannot continue over blank lines (a list would take in the list after it, an
item's range would grow). So spaces are used only at the start of the text or
when the last non-blank line before the run is an ATX heading or a fence line
in column 0 (a heading or a fence's first or last line, or a line inside one).
"""

from __future__ import annotations

import re

# how a line of a run may start: not with anything that could open a block or end a paragraph -- ATX
# heading, fence, HTML, block quote, table, bullet, ordered list marker (digits then '.' or ')'),
# thematic break, setext underline, blank line -- and in the first line not with '[' (a link
# reference definition) nor indented; '**' and '__' are let through (bold, never a marker or break)
_FIRST_START = r"(?:[^#`~<>|*+\-_=0-9\[ \t\r\n\ufeff]|\*\*[^* \t\r\n]|__[^_ \t\r\n]|[0-9]++(?![.)]))"
_NEXT_START = r"[ \t]*+(?:[^#`~<>|*+\-_=0-9 \t\r\n\ufeff]|\*\*[^* \t\r\n]|__[^_ \t\r\n]|[0-9]++(?![.)]))"
_REST = r"[^\n\r|>]*+\r?"          # no '|', no '>', no CR but a CRLF's


def _groups(rest: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    run = _FIRST_START + rest + r"(?:\n" + _NEXT_START + rest + r")*+(?=\n[ \t]*\r?(?:\n|\Z)|\Z)"
    group = run + r"(?:(?:\n[ \t]*\r?)+\n" + run + r")*+"    # runs apart by blank lines only
    # the literal "\n" in front lets re skip ahead fast
    return re.compile(r"\n[ \t]*\r?\n(" + group + ")"), re.compile(group)


_GROUP, _FIRST = _groups(_REST)
# the same with any line content: scans faster; a group it finds with '|', '>' or '\r' is scanned again
_LOOSE_GROUP, _LOOSE_FIRST = _groups(r".*+")
# a line no block reaches past a blank line from: ATX heading, fence line (column 0)
_CLOSED = re.compile(r"(?:\#{1,6}(?:[ \t][^|\r\n]*)?|`{3,}[^`\r\n]*|~{3,}[^\r\n]*)\r?")


def _after_closed_line(text: str, start: int) -> bool:
    """Whether the last non-blank line before ``start`` (a run's start) is one no block reaches past."""
    end = start - 1          # the newline ending the line before the run (a blank line), or -1
    for _ in range(8):
        if end < 0:
            return True      # nothing but blank lines before the run
        begin = text.rfind("\n", 0, end) + 1
        if text[begin:end].strip(" \t\r"):
            return _CLOSED.fullmatch(text, begin, end) is not None
        end = begin - 1
    return False


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the groups of plain runs are: (start, end) character offsets."""
    cr = "\r" in text
    m = _LOOSE_FIRST.match(text)
    loose = [(0, m.end())] if m is not None else []
    loose += [m.span(1) for m in _LOOSE_GROUP.finditer(text, loose[0][1] if loose else 0)]
    find = text.find
    spans = []
    for start, end in loose:
        if find("|", start, end) < 0 and find(">", start, end) < 0 and not (cr and find("\r", start, end) >= 0):
            spans.append((start, end))
            continue
        # again, strictly, within the loose group (it starts after a blank line, and ends before one)
        m = _FIRST.match(text, start, end)
        pos = start
        if m is not None:
            spans.append((start, m.end()))
            pos = m.end()
        spans += [m.span(1) for m in _GROUP.finditer(text, pos, end)]
    return spans


def blank_plain_paragraphs(text: str) -> str:
    """``text`` with its plain top-level paragraphs overwritten (same UTF-8 length, same block structure)."""
    spans = _spans(text)
    if not spans:
        return text
    ascii_only = text.isascii()
    pieces: list[str] = []
    pos = 0             # text[:pos] is in pieces
    rfind = text.rfind
    for start, end in spans:
        pieces.append(text[pos:start])
        n = end - start if ascii_only else len(text[start:end].encode("utf-8"))
        # the line before the blank line before the run: a heading or a fence line lets spaces in
        line_end = start - 2 if text[start - 2:start] == "\n\n" else -1
        first = text[rfind("\n", 0, line_end) + 1] if line_end > 0 else ""
        if first == "#" or first == "`" or first == "~":
            closed = _CLOSED.fullmatch(text, rfind("\n", 0, line_end) + 1, line_end) is not None
        elif first and first not in " \t\r\n":
            closed = False
        else:
            closed = _after_closed_line(text, start)
        pieces.append((" " if closed else "a") * n)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
