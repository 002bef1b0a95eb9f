"""Differential test: our pyromark scan agrees with markdown-it-py, an independent CommonMark parser.

For every markdown file in examples/ and tests/ (and some tricky inline
documents), the headings (level, text, line), the tables (line, header, row
count), the opaque blocks (code, HTML, front matter; start lines) and the task
items (line, checked, text) must be the same on both sides. markdown-it-py has
no task lists in its core, so the reference applies the GFM rule itself: a list
item whose first paragraph starts with ``[ ]``, ``[x]`` or ``[X]`` and a space.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncspec.sources.markdown import parse

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a dev dependency) is not installed")

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(p for top in ("examples", "tests") for p in (REPO / top).rglob("*.md")
               if not any(part.startswith(".") for part in p.relative_to(REPO).parts))

TRICKY = {
    "fences_and_comments": "# A\n\n```\n## not\n```\n\n~~~~\n# not\n~~~~\n\n    # not\n\n<!--\n# not\n-->\n",
    "setext": "Setext 1\n===\n\nSetext 2\n---\n\nmulti\nline\n---\n\nTitle\n===\n---\n",
    "ragged_table": "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n| 4 | 5 | 6 |\n",
    "table_after_paragraph": "para\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "table_without_outer_pipes": "a | b\n--|--\n1 | 2\n",
    "escaped_pipe_in_code": "| a |\n|---|\n| `x \\| y` |\n| [l \\| m](u) |\n",
    "table_in_quote_and_list": "> ## quoted\n>\n> | a |\n> |---|\n> | 1 |\n\n- ## in list\n\n  | a |\n  |---|\n  | 1 |\n",
    "inline_markup_in_heading":
        "## A &amp; B &#35; \\# *em* `code` ~~del~~ <b>html</b> ![alt *x*](i.png) [l](u)\n",
    "html_block_then_heading": "<details>\n<summary>x</summary>\n\n## inside details\n\n</details>\n",
    "closing_hashes": "## heading ###   \n#   spaced   #\n#\n",
    "unclosed_fence": "```\nunclosed fence\n## not a heading\n",
    "table_lazy_line_and_heading": "| a | b |\n| --- | --- |\n| 1 | 2 |\nlazy line\n# heading ends it\n",
    "crlf": "## A\r\n\r\n| a |\r\n|---|\r\n| 1 |\r\n\r\nSetext\r\n---\r\n\r\n```\r\n# x\r\n```\r\n",
    "unicode": "## X-1 é😀 日本語\n\n| 名前 | 値 |\n|---|---|\n| ä | ö |\n\nΣ\n---\n",
    "tabs": "\t## tab indented is code\n\n  \t## mixed\n",
    "front_matter": "---\ntitle: Zoë\n---\n\n# After front matter\n",
    "not_front_matter_blank_line": "---\n\n## a thematic break, then a heading\n",
    "hr_between_entries": "## A\n---\n## B\n---\n## C\n\ntext\n\n---\n**Status**: x\n\n## D\n\n---\n",
    "unclosed_comment": "<!-- never closed\n## hidden\n",
    "reference_definition": "[ref]: http://x\n## after a reference definition\n",
    "br_in_cells": "## A<br>B\n\n| a | b |\n|---|---|\n| x<br>y | <b>z</b><br/>w |\n",
    "empty": "",
    "tasks": "- [ ] open\n- [x] done\n- [X] upper\n- [ ]\n- [x]  spaced\n- [ ]no space\n- [y] other\n",
    "nested_tasks": "1. [ ] one\n   - [x] nested *em* `code`\n     - [ ] deeper\n2. plain\n\n* [ ] star\n+ [x] plus\n",
    "loose_task": "- [ ] first paragraph\n\n  second paragraph\n\n- [x] next\n",
    "tasks_in_code_and_quotes": "```\n- [ ] fenced\n```\n\n    - [ ] indented\n\n> - [x] quoted\n\n<!--\n- [ ] x\n-->\n",
    "task_with_links": "## [1.0.0]\n\n- [ ] see [docs](u) and [1.0.0]\n\n[1.0.0]: http://x\n",
    "task_crlf": "- [ ] a\r\n  - [x] b\r\n",
}


def _blank_front_matter(text: str) -> tuple[str, bool]:
    """Front matter is not CommonMark: blank it (keeping lines) the way static site generators read it."""
    m = re.match(r"---[ \t]*\r?\n(?=[^\r\n])(?:.*\r?\n)*?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text)
    if m is None:
        return text, False
    return re.sub(r"[^\n]", "", m.group(0)) + text[m.end():], True


def _normal(text: str) -> str:
    # single tildes: GFM (and pulldown-cmark) strike ~x~ through, markdown-it only ~~x~~; compare without them
    return " ".join(text.replace("~", "").split())


def _inline_text(token, children=None) -> str:
    out = []
    children = token.children or [] if children is None else children
    i = 0
    while i < len(children):
        child = children[i]
        if child.type in ("text", "text_special", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
                child.type == "html_inline" and re.fullmatch(r"<br\s*/?>", child.content, re.I)):
            out.append(" ")
        elif child.type == "image":
            out.append(_inline_text(child))
        elif child.type == "link_open" and "label" in child.meta:
            # a shortcut reference ([1.2.0]) keeps its brackets in our text, as written
            end = next(k for k in range(i + 1, len(children)) if children[k].type == "link_close")
            inner = _inline_text(token, children[i + 1:end])
            shortcut = re.search(r"\[" + re.escape(inner) + r"\](?![\[(])", token.content or "")
            out.append(f"[{inner}]" if shortcut else inner)
            i = end
        i += 1
    return "".join(out)


TASK_MARKER = re.compile(r"\[([ xX])\](?:[ \t]+|$)")


def _reference_tasks(tokens) -> list[tuple[int, bool, str]]:
    """(line, checked, text) of each task item: the GFM rule over markdown-it-py's list items."""
    tasks = []
    for i, tok in enumerate(tokens):
        if tok.type != "list_item_open" or tokens[i + 1].type != "paragraph_open":
            continue
        first = tokens[i + 2]
        m = TASK_MARKER.match(first.content)
        if m is None:
            continue
        parts, depth = [], tok.level
        for j in range(i + 2, len(tokens)):
            if tokens[j].type == "list_item_close" and tokens[j].level == depth:
                break
            if tokens[j].type == "inline" and tokens[j].level == depth + 2 and tokens[j - 1].type == "paragraph_open":
                parts.append(_inline_text(tokens[j]))
        parts[0] = TASK_MARKER.sub("", parts[0], count=1)
        tasks.append((tok.map[0] + 1, m.group(1) != " ", _normal(" ".join(parts))))
    return tasks


def reference_view(text: str):
    """Headings, tables, opaque blocks and task items as markdown-it-py sees them (lines are 1-based)."""
    text, front = _blank_front_matter(text)
    tokens = markdown_it.MarkdownIt("commonmark", {"store_labels": True}).enable(["table", "strikethrough"]).parse(text)
    headings, tables, blocks = [], [], [1] if front else []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            headings.append((int(tok.tag[1]), _normal(_inline_text(tokens[i + 1])), tok.map[0] + 1))
        elif tok.type == "table_open":
            tables.append([tok.map[0] + 1, [], 0])
        elif tok.type == "th_open":
            tables[-1][1].append(_normal(_inline_text(tokens[i + 1])))
        elif tok.type == "tr_open":
            tables[-1][2] += 1
        elif tok.type in ("fence", "code_block", "html_block"):
            blocks.append(tok.map[0] + 1)
    return headings, [(line, header, rows - 1) for line, header, rows in tables], blocks, _reference_tasks(tokens)


def our_view(text: str):
    """The same, from syncspec.sources.markdown.parse (byte offsets mapped to lines)."""
    doc = parse(text)
    data = text.encode("utf-8")

    def line(offset: int) -> int:
        return data.count(b"\n", 0, offset) + 1

    headings = [(h.level, _normal(h.text), line(h.start)) for h in doc.headings]
    tables = [(line(t.start), [_normal(c.text) for c in t.header], len(t.rows)) for t in doc.tables]
    tasks = [(line(item.start), item.task, _normal(item.text)) for item in doc.items if item.task is not None]
    return headings, tables, [line(start) for start, _ in doc.opaque], tasks


def _assert_agree(text: str) -> None:
    ours, reference = our_view(text), reference_view(text)
    for what, a, b in zip(("headings", "tables", "blocks", "task items"), ours, reference):
        assert a == b, f"{what} differ:\n  syncspec:    {a}\n  markdown-it: {b}"


def test_there_are_markdown_files_to_compare():
    assert any(p.parts[-3:-1] == ("ledger", "docs") for p in FILES)
    assert any(p.name == "irregular_ledger.md" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(REPO).as_posix() for p in FILES])
def test_markdown_files_agree_with_markdown_it(path):
    _assert_agree(path.read_bytes().decode("utf-8-sig"))


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_documents_agree_with_markdown_it(name):
    _assert_agree(TRICKY[name])


def test_the_comparison_can_fail():
    # a regex scan over raw lines would see this heading; both parsers must not
    ours, reference = our_view("```\n## X-1\n```\n"), reference_view("```\n## X-1\n```\n")
    assert ours[0] == reference[0] == []
    assert our_view("## X-1\n")[0] == [(2, "X-1", 1)] != ours[0]


def test_task_items_are_compared():
    assert our_view("- [x] a\n  - [ ] b\n")[3] == reference_view("- [x] a\n  - [ ] b\n")[3] == [
        (1, True, "a"), (2, False, "b")]
    assert our_view("```\n- [ ] a\n```\n")[3] == []
    assert any(p.parts[-3:] == ("tasks", "docs", "task-list.md") for p in FILES)
