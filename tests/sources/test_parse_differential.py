"""Differential test: ``parse`` (pre-scan + pyromark) gives exactly the MarkdownDoc of the full walk.

``parse_reference`` below is a verbatim copy of ``syncspec.sources.markdown.parse``
before the pre-scan that blanks plain paragraphs (issue 16): every paragraph
goes through pyromark and every event is walked. Do not optimise it. The
generated documents are lines drawn from a grammar of the constructs where
CommonMark's block structure is subtle (fences of both kinds, setext
underlines, the HTML block starts and ends, list markers, table rows, link
reference definitions, block quotes, indentation, lazy continuation, CR/CRLF,
unicode), so that most paragraphs sit next to something that could change
what they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyromark
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncspec.sources.markdown import Cell, Heading, Item, MarkdownDoc, Table, front_matter_block, parse
from syncspec.sources.prescan import blank_plain_paragraphs

OPTIONS = (pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_TASKLISTS
           | pyromark.Options.ENABLE_STRIKETHROUGH)
_NOT_NEWLINE_RE = re.compile(r"[^\r\n]+")
_BR_RE = re.compile(r"<br\s*/?>\Z", re.I)
_LEVELS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}


def parse_reference(text: str) -> MarkdownDoc:
    """``parse`` before the pre-scan: every event of the whole text walked.

    A shortcut reference link (``[1.2.0]``) keeps its brackets in heading, cell
    and item text, so text does not change when its definition is added or removed.
    """
    headings: list[Heading] = []
    tables: list[Table] = []
    opaque: list[tuple[int, int]] = []
    items: list[Item] = []
    front = None
    block = front_matter_block(text) if text[:1] in ("-", "+") else None
    if block is not None:
        yaml_start, yaml_end, block_end, _ = block
        head = text[:block_end]
        # blank lines of the same UTF-8 length keep every later byte offset valid
        text = _NOT_NEWLINE_RE.sub(lambda m: " " * len(m.group(0).encode("utf-8")), head) + text[block_end:]
        to_bytes = len(head[:yaml_start].encode("utf-8"))
        front = (to_bytes, to_bytes + len(head[yaml_start:yaml_end].encode("utf-8")))
        opaque.append((0, len(head.encode("utf-8"))))
    heading_parts: list[str] | None = None
    heading_links: list[str] | None = None
    table: Table | None = None
    cells: list[Cell] | None = None
    cell: Cell | None = None
    row_start = 0
    lists = 0                       # open lists
    open_items: list[int] = []      # indexes into items
    parts: dict[int, list[str]] = {}
    in_code = False
    closers: list[str] = []         # per open link: "]" for a shortcut reference, else ""

    encoded: list[bytes] = []

    def text_bytes() -> bytes:   # only task marks need the bytes: encode once, on the first
        if not encoded:
            encoded.append(text.encode("utf-8"))
        return encoded[0]

    def add(value: str) -> None:
        if heading_parts is not None:
            heading_parts.append(value)
        elif cell is not None:
            cell.text += value
        elif open_items and not in_code:
            parts[open_items[-1]].append(value)

    events: Iterable[tuple[Any, Any]] = pyromark.events_with_range(text, options=OPTIONS)
    for event, rng in events:
        if type(event) is dict:
            if "Text" in event or "Code" in event:
                value = event.get("Text") or event.get("Code") or ""
                if heading_parts is not None:
                    heading_parts.append(value)
                elif cell is not None:
                    cell.text += value
                elif open_items and not in_code:
                    parts[open_items[-1]].append(value)
                continue
            start = event.get("Start")
            if start is not None:
                if type(start) is dict:
                    if "Heading" in start:
                        heading_parts = []
                        heading_links = None
                    elif "CodeBlock" in start:
                        opaque.append((rng["start"], rng["end"]))
                        in_code = True
                    elif "Table" in start:
                        table = Table(rng["start"], rng["end"], headings[-1] if headings else None, [], [])
                    elif "List" in start:
                        lists += 1
                    elif "Link" in start:
                        link = start["Link"]
                        shortcut = link["link_type"] == "Shortcut"
                        closers.append("]" if shortcut else "")
                        if shortcut:
                            add("[")
                        if heading_parts is not None:
                            heading_links = (heading_links or []) + [link["dest_url"]]
                        elif cell is not None:
                            cell.links.append(link["dest_url"])
                        elif open_items and not in_code:
                            item = items[open_items[-1]]
                            item.links = (item.links or []) + [link["dest_url"]]
                elif start == "HtmlBlock":
                    opaque.append((rng["start"], rng["end"]))
                elif start == "Item":
                    open_items.append(len(items))
                    parts[len(items)] = []
                    items.append(Item(rng["start"], rng["end"], lists, open_items[-2] if len(open_items) > 1 else -1))
                elif table is not None:
                    if start == "TableHead" or start == "TableRow":
                        cells = []
                        row_start = rng["start"]
                    elif start == "TableCell":
                        cell = Cell("", [], rng["start"], rng["end"])
                continue
            end = event.get("End")
            if end is not None:
                if type(end) is dict:
                    if "Heading" in end and heading_parts is not None:
                        headings.append(Heading(_LEVELS[end["Heading"]], "".join(heading_parts).strip(),
                                                rng["start"], rng["end"], heading_links))
                        heading_parts = None
                    elif "List" in end:
                        lists -= 1
                elif end == "CodeBlock":
                    in_code = False
                elif not (open_items or closers or table is not None):
                    pass   # the common case: a paragraph or emphasis outside lists, links and tables
                elif end == "Link":
                    closer = closers.pop() if closers else ""
                    if closer:
                        add(closer)
                elif end == "Item" and open_items:
                    index = open_items.pop()
                    items[index].text = " ".join("".join(parts.pop(index)).split())
                elif end == "Paragraph" and open_items:
                    parts[open_items[-1]].append(" ")
                elif table is not None:
                    if end == "TableCell" and cells is not None and cell is not None:
                        cell.text = cell.text.strip()
                        cells.append(cell)
                        cell = None
                    elif end == "TableHead" and cells is not None:
                        table.header = cells
                        cells = None
                    elif end == "TableRow" and cells is not None:
                        table.rows.append((row_start, rng["end"], cells))
                        cells = None
                    elif end == "Table":
                        tables.append(table)
                        table = None
                continue
            marker = event.get("TaskListMarker")
            if marker is not None:
                if open_items:
                    items[open_items[-1]].task = marker
                    items[open_items[-1]].mark = text_bytes()[rng["start"] + 1:rng["end"] - 1].decode("utf-8")
                continue
            html = event.get("InlineHtml")
            if html is not None and _BR_RE.match(html):
                add(" ")   # "a<br>b" in a table cell is two lines, not the word "ab"
            continue
        elif event == "SoftBreak" or event == "HardBreak":
            if heading_parts is not None:
                heading_parts.append(" ")
            elif cell is not None:
                cell.text += " "
            elif open_items and not in_code:
                parts[open_items[-1]].append(" ")
    return MarkdownDoc(headings, tables, opaque, front, items)


# --- the grammar -------------------------------------------------------------------------------

# lines that are (or look like, or nearly are) the start or the end of a block, by kind: a kind is drawn
# first, so each is as likely as any other however many lines it has
HAZARDS = {
    "atx": ["# H1", "## BUILD-00042: title", "### Notes", "#", "# closed #", "#\tx", "## A `c` [l](u) [ref] [x][1]",
            "#tag", "####### seven", "# comment in a fence", "- a\n#tag", "- a\n####### seven"],
    "setext": ["===", "---", "--", "-", "=", "== x", "-- x"],
    "break": ["***", "* * *", "___", "_ _ _", "- - -", "***x", "__init__"],
    "fence": ["```", "```py", "````", "~~~", "~~~~ x", "``", "``` a`b", "~~", "   ```", "    ```"],
    "html_open": ["<div>", "<div class='x'>", "<!--", "<script>", "<pre>", "<style>", "<textarea>", "<?php",
                  "<!DOCTYPE", "<![CDATA[", "<custom-tag>", "<a href='x'>", "<br>", "<notatag", "<!-- one -->",
                  "<!--\n\nx --> y", "<?php\n\nend ?> here", "<script>\n\nx </script> y", "<![CDATA[\n\na]]>b",
                  "<!X\n\nx > y", "<pre>\n\n</pre>"],
    "html_end": ["</div>", "-->", "x --> y", "</script>", "</pre>", "</style>", "</textarea>", "?>", "end ?> here",
                 "a]]>b", ">", "x > y", "<!DOCTYPE html>", "</custom-tag>"],
    "bullet": ["- item", "* item", "+ item", "-", "- [ ] task", "- [x] done", "* [X] upper", "- [ ]", "-\titem",
               "- see [ref] and [x][1]", "- item with [link](http://l) and `code`", "+plus", "-dash", "*star",
               "- a\n``` a`b", "- a\n\n  b"],
    "ordered": ["1. one", "1) one", "2. two", "10. ten", "1. [ ] numbered", "1.5 items", "1.x", "2025 was"],
    "table": ["| a | b |", "|---|---|", "| 1 | 2 |", "a | b", "--|--", "| x |", "|:-:|", ":-|-:", "x | y",
              "| [l](u) \\| y | [ref] |", "|x", "a | b\n--|--", "x | y\n:-|-:\n1 | 2",
              "| a |\n|---|"],
    "definition": ["[1]: http://ref", "[ref]: /u 'title'", "[ref]:", "[ref]: <>", "   [d]: /x", "'title line'",
                   "[x]: y", "[not a def] text", "[ref]", "[ref]: /u\n\n- [ref] [x][1]",
                   "[1]: http://ref\n\n## [x][1] [ref]"],
    "quote": ["> quote", "> ## quoted heading", ">", "> - quoted item", "> ```", ">> deeper", "> q"],
    "odd": ["a\rb", "a\r- item", "a\r## h", "\ufeffbom", "\ufeff# bom", "\x0cff", "\x0bvt", "\x00nul", "é😀 日本語",
            "word\u00a0nbsp", "trailing backslash\\", "\\# escaped", "&#35; entity", "~~gone~~ ~x~", "a <b>c</b> d"],
}
KINDS = sorted(HAZARDS)
SAFE = ["word", "more words here", "**Status**: x", "**Date**: 2025-01-02", "text `code` [l](u) [ref] [x][1]",
        "é😀 日本語", "Sentence one. Sentence two.", "*emph* _em_ ![img](i.png)"]
INDENTS = ["", "", "", "", "", " ", "  ", "   ", "    ", "\t", "  \t", "> ", "- ", "  - ", "1. ", "     "]


@st.composite
def lines(draw) -> str:
    if draw(st.booleans()):
        line = draw(st.sampled_from(SAFE))
    else:
        line = draw(st.sampled_from(HAZARDS[draw(st.sampled_from(KINDS))]))
    return (draw(st.sampled_from(INDENTS)) if draw(st.integers(0, 4)) == 0 else "") + line


@st.composite
def documents(draw) -> str:
    """Blocks of 1-3 lines, mostly (not always) apart by blank lines; half the lines plain, half hazards,
    some indented or in a container."""
    out: list[str] = []
    for _ in range(draw(st.integers(0, 10))):
        if draw(st.integers(0, 3)):
            out.extend(draw(st.sampled_from(["", "", " ", "\t"])) for _ in range(draw(st.integers(1, 2))))
        out.extend(draw(lines()) for _ in range(draw(st.integers(1, 3))))
    eol = draw(st.sampled_from(["\n", "\n", "\n", "\r\n"]))
    text = eol.join(out)
    if draw(st.booleans()):
        text += eol
    if draw(st.integers(0, 7)) == 0:
        text = draw(st.sampled_from(["---\ntitle: x\n---\n", "---\na: 1\n...\n\n", "+++\na = 1\n+++\n", "---\n\n"])) + text
    return text


def _same(text: str) -> None:
    blanked = blank_plain_paragraphs(text)
    assert len(blanked.encode("utf-8")) == len(text.encode("utf-8"))
    assert parse(text) == parse_reference(text), blanked


EXAMPLES = [
    "## H\n\n**Status**: x\n**Date**: y\n\ntext `c` [l](u)\n\n- a\n  - b\n\n### Notes\n\nn\n\n```\n# c\n```\n",
    "- a\n\npara\n\n- b\n",               # the paragraph separates two lists: blanked to a's, not spaces
    "- a\n\npara\n\n  b\n",               # ... and keeps the indented line out of the item
    "    code\n\npara\n\n    more\n",       # ... and two indented code blocks apart
    "- a\n```a`b\n\npara\n\n  x\n",        # not a fence: a lazy line of the item
    "```\n\npara\n\n```\n",                # inside a fence: literal text
    "<!--\n\npara\n\n-->\n## H\n",          # inside a comment
    "<!--\n\npara -->\n\n## H\n",           # the comment's end is on a paragraph-looking line
    "para\n===\n", "para\n--\n", "para\n| a |\n|---|\n",
    "[1]: http://x\n\n- [l][1]\n", "para\n[1]: http://x\n\n- [l][1]\n",
    "\ufeff# bom heading\n\npara\n",
    "a\rb\n\n- x\n", "para\r- item\n",
    "> q\n\npara\n\n> r\n",
    "## H\n\npara\n\n- a\n\npara 2\n\n- b\n",
    "x\n\na | b\n--|--\n",                # a table without a leading pipe
    "x | y\n:-|-:\n", "para\n+ item\n\n- [ref]\n\n[ref]: /u\n",
    "***\n    code\n", "## H\n\npara\n***\n    code\n",   # after a thematic break: indented code
    "- a\n#tag\n\npara\n\n  more\n",       # '#tag' is a lazy line of the item, not a heading: a's
    "[ref]: /u\n\n- [ref]\n", "[ref]: /u\nmore\n\n- [ref]\n", "para\r- item\nmore\n",
    "para\n1. item\n", "para\n1) item\n\n2025 was\na year\n",   # an ordered list from 1 interrupts a paragraph
]
# a group of one line is left alone: each example again with its paragraphs of two lines
EXAMPLES += [e.replace("para", "para\nline two") for e in EXAMPLES if "para" in e]


@given(documents())
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_agrees_with_the_full_walk(text):
    _same(text)


for _example in EXAMPLES:
    test_parse_agrees_with_the_full_walk = example(_example)(test_parse_agrees_with_the_full_walk)


def test_the_repository_markdown_agrees():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    files = [p for top in ("examples", "tests", "docs") for p in (root / top).rglob("*.md")]
    files += [root / "README.md", root / "CHANGELOG.md"]
    assert files
    for path in files:
        _same(path.read_text(encoding="utf-8", errors="replace"))


def test_plain_paragraphs_are_blanked():
    text = ("## H\n\n**Status**: x\n**Owner**: y\n\n- a\n\nafter\na list\n\n- b\n\none line\n\n### N\n\nnotes\n\n"
            "```\n# c\n```\n\nmore\nnotes\n")
    assert blank_plain_paragraphs(text) == (   # a paragraph of one line is not worth it: left
        "## H\n\n" + " " * len("**Status**: x\n**Owner**: y") + "\n\n- a\n\n" + "a" * len("after\na list")
        + "\n\n- b\n\none line\n\n### N\n\nnotes\n\n```\n# c\n```\n\n" + " " * len("more\nnotes") + "\n")
    assert parse(text) == parse_reference(text)


UNDER_HEADINGS = [
    "## PR-1: x\n**State**: ready\n**Owner**: a\n\n## PR-2: y\n**State**: done\n**Owner**: b\n",
    "<div>\n## H\nline one\nline two\n\n## After\n", "```\n## H\nline one\nline two\n\n```\n",
    "- item\n## H\nline one\nline two\n\n- b\n", "> q\n## H\nline one\nline two\n\n> r\n",
    "## H\nline one\nline two\n---\n", "## H\nline one\nline two\n- item\n", "## H\nline one\n| a |\n\n",
    "## H\nline one\nline > two\n\n", "## H\nline one\r\nline two\r\n\r\n", "## H\nl1\rl2\nl3\n\n",
    "<!--\n## H\nline one\nline two\n\n-->\n", "## H\n[ref]: /u\nline two\n\n- [ref]\n",
    "## H\nline one\n    indented\n\n", "## H\nline one é\nline two 😀\n\n## I\n",
    "## H\nx | y\n:-|-:\n\n",                      # a table without a leading pipe
    "<!--\n## H\nline one\nline two -->\n\n## After\n",  # the comment ends inside the run
    "## H\nline one\rline two\nthree\n\n- a\n",       # a lone CR ends a line
]


@given(st.sampled_from(UNDER_HEADINGS), documents())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_runs_right_under_headings_agree(under, around):
    """Lines right under a heading line (no blank line between) are blanked too: as a's, whatever block
    the heading line is really in."""
    _same(under)
    _same(around + "\n" + under)
    _same(under + around)
