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

# after optional indentation: what could open a block or end a paragraph (or is a blank line)
_STOP = (r"(?![ \t]*+(?=[#`~<>|*+\-_=0-9\r\n]|\Z)"
         r"(?:\r?(?:\n|\Z)"                       # a blank line: the paragraph ends before it
         r"|\#{1,6}(?:[ \t\r]|$)|```|~~~|[<>|]"   # ATX heading, fence, HTML, block quote, table
         r"|[*+-](?:[ \t\r]|$)"                    # bullet
         r"|[0-9]{1,9}[.)](?:[ \t\r]|$)"           # ordered list item
         r"|[*_-][ \t]*[*_-][ \t]*[*_-]"           # thematic break (and more: '***x' is refused too)
         r"|[-=]+[ \t]*\r?$))")                    # setext underline
_LINE = r"[^\n\r|>]*+\r?"
_BODY = (r"(?P<run>(?![ \t\r\n\[\ufeff])" + _STOP + _LINE
         + r"(?:\n" + _STOP + _LINE + r")*+)"
         r"(?=\n[ \t]*\r?(?:\n|\Z)|\Z)")
_RUN = re.compile(r"\n[ \t]*\r?\n" + _BODY, re.M)    # the literal "\n" lets re skip ahead fast
_FIRST = re.compile(_BODY, re.M)
# a line that no block reaches past a blank line from: ATX heading, fence line (column 0)
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


def blank_plain_paragraphs(text: str) -> str:
    """``text`` with its plain top-level paragraphs overwritten (same UTF-8 length, same block structure)."""
    if "\n" not in text:
        return text
    ascii_only = text.isascii()
    pieces: list[str] = []
    pos = 0             # text[:pos] is in pieces
    start = end = -1    # the group of runs (separated by blank lines only) being collected
    m = _FIRST.match(text)
    spans = [m.span("run")] if m is not None else []
    spans += [m.span("run") for m in _RUN.finditer(text)]
    for s, e in spans:
        if start >= 0 and not text[end:s].strip(" \t\r\n"):
            end = e          # only blank lines between: one group
            continue
        if start >= 0:
            pieces.append(text[pos:start])
            pieces.append(_fill(text, start, end, ascii_only))
            pos = end
        start, end = s, e
    if start < 0:
        return text
    pieces.append(text[pos:start])
    pieces.append(_fill(text, start, end, ascii_only))
    pieces.append(text[end:])
    return "".join(pieces)


def _fill(text: str, start: int, end: int, ascii_only: bool) -> str:
    n = end - start if ascii_only else len(text[start:end].encode("utf-8"))
    return (" " if _after_closed_line(text, start) else "a") * n
