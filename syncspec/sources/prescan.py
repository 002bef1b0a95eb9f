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
A paragraph of one line (and a group whose first paragraph is one line) is
left as it is: it makes a few events at most, less than what the pre-scan
costs per group.

Speed: the regexes start with a literal newline (re skips ahead to it) and
first read line content as ``.*``; only a group holding ``|``, ``>`` or a lone
CR is read again with the strict line pattern.
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
    # a group of one line is not worth its cost (a few events at most): the next line must not be blank
    two = r"(?=.*+\n[ \t]*+[^ \t\r\n])"
    return re.compile(r"\n[ \t]*\r?\n" + two + "(" + group + ")"), re.compile(two + group)


_GROUP, _FIRST = _groups(_REST)
# a run of two or more lines right under a column-0 ATX heading line (no blank line between): field
# lines under entry headings look so; as a's it stays one paragraph (or, inside a fence or an HTML
# block, literal lines that keep the block's range)
_AFTER_HEADING = re.compile(r"(?:\A|\n)\#{1,6}(?:[ \t][^\r\n]*)?\r?\n(?=.*+\n[ \t]*+[^ \t\r\n])("
                            + _FIRST_START + r".*+(?:\n" + _NEXT_START + r".*+)*+)(?=\n[ \t]*\r?(?:\n|\Z)|\Z)")
# the same with any line content: scans faster; a group it finds with '|', '>' or '\r' is scanned again
_LOOSE_GROUP, _LOOSE_FIRST = _groups(r".*+")
_LONE_CR = re.compile(r"\r(?!\n)")
_GROUP_SAFE = re.compile(_FIRST_START + _REST + r"(?:\n" + _NEXT_START + _REST + r")*+")   # a run, strictly
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


def _strict(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The strict groups within a loose one (which starts after a blank line and ends before one)."""
    m = _FIRST.match(text, start, end)
    spans = []
    pos = start
    if m is not None:
        spans.append((start - 1 if start else -1, start, m.end()))
        pos = m.end()
    spans += [(m.start(), *m.span(1)) for m in _GROUP.finditer(text, pos, end)]
    return spans


def blank_plain_paragraphs(text: str) -> str:
    """``text`` with its plain top-level paragraphs overwritten (same UTF-8 length, same block structure)."""
    m = _LOOSE_FIRST.match(text)
    matches: list = [(-1, 0, m.end())] if m is not None else []
    matches += _LOOSE_GROUP.finditer(text, m.end() if m is not None else 0)
    under = [h.span(1) for h in _AFTER_HEADING.finditer(text)]
    if under:               # their lines may hold nothing the strict pattern refuses: else left alone
        under = [(a, b) for a, b in under if _GROUP_SAFE.fullmatch(text, a, b) is not None]
    if not matches and not under:
        return text
    cr = "\r" in text and _LONE_CR.search(text) is not None   # a CRLF's CR is read right by the loose regex
    ascii_only = text.isascii()
    find = text.find
    rfind = text.rfind
    # (start, end, spaces?): a run under a heading becomes a's, not spaces: the "heading" may be a line
    # inside an HTML block of kind 6 or 7, which a blank line would end early
    spans: list[tuple[int, int, bool]] = [(a, b, False) for a, b in under]
    for m in matches:
        line_end, start, end = m if m.__class__ is tuple else (m.start(), *m.span(1))
        if find("|", start, end) < 0 and find(">", start, end) < 0 and not (cr and find("\r", start, end) >= 0):
            groups = [(line_end, start, end)]
        else:
            groups = _strict(text, start, end)
        for line_end, start, end in groups:
            # the line before the blank line before the group: a heading or a fence line lets spaces in
            line_start = rfind("\n", 0, line_end) + 1 if line_end > 0 else line_end
            first = text[line_start] if line_start < line_end else ""
            if first == "#" or first == "`" or first == "~":
                closed = _CLOSED.fullmatch(text, line_start, line_end) is not None
            elif first and first not in " \t\r":
                closed = False
            else:
                closed = _after_closed_line(text, start)
            if not closed and find("\n", start, end) < 0:
                continue     # one line of a's: as many events as the paragraph had (strict groups)
            spans.append((start, end, closed))
    if not spans:
        return text
    # runs under headings never overlap the groups after blank lines (no blank line before them, and
    # a group's runs never start with '#'): in text order, each is overwritten once
    spans.sort()
    pieces: list[str] = []
    pos = 0             # text[:pos] is in pieces
    for start, end, closed in spans:
        pieces.append(text[pos:start])
        pieces.append((" " if closed else "a") * (end - start if ascii_only else len(text[start:end].encode("utf-8"))))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)

