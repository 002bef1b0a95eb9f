"""Property tests: generated documents, every record where it claims to be, nothing else raised.

Ledgers are built from random sections (ATX or setext headings, unicode
titles) whose bodies hold decoys: code fences and indented code with
``## X-n`` lines, HTML comments, escaped and space-less ``#`` lines. Task
lists nest random items among fenced, commented and inline look-alikes; front
matter holds a random list of items. JSON/YAML and arbitrary bytes go through
every strategy, which may only raise syncspec's own errors.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncspec.errors import SyncSpecError
from syncspec.sources import extract_file
from syncspec.spec.model import (DocumentStrategy, FileStrategy, FrontmatterStrategy, SectionsStrategy, Spec,
                                 TableStrategy, TasksStrategy)
from syncspec.spec.pointer import Pointer

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SECTIONS = SectionsStrategy(match=re.compile(r"^(?P<id>X-\d+)(?:\s+(?P<title>.*))?$"), level=2,
                            fields=("bold", "list", "plain"))
TABLE = TableStrategy(under=None, columns=(("ID", "id"),))
SPEC = Spec(name="t", file="specs/t.yaml", files=("doc.md",), strategies=(SECTIONS,), table="t",
            key=("id",), columns=())
FALLBACK_SPEC = Spec(name="t", file="specs/t.yaml", files=("doc.md",), strategies=(SECTIONS, TABLE),
                     table="t", key=("id",), columns=())

FENCED = "FENCED-SENTINEL"   # a field value only ever written inside code or comments
# Text that cannot end a line by itself: no control characters, surrogates or
# unicode line separators.
text_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
words = st.text(text_chars, max_size=40).map(lambda s: s.strip())
ids = st.integers(min_value=0, max_value=10**6)


def _paragraph(text: str) -> str:
    # a leading letter keeps the line a paragraph (not a list, heading, quote or table)
    return "p " + text


decoy = st.one_of(
    words.map(_paragraph),
    st.builds(lambda n, t: f"```\n## X-{n} {t}\n**Status**: {FENCED}\n- Owner: {FENCED}\n```", ids, words),
    st.just(f"<!--\n**Status**: {FENCED}\n-->"),
    st.builds(lambda n, t: f"~~~~ text\n## X-{n} {t}\n~~~~", ids, words),
    # after a paragraph: right after a list item, an indented line would continue the item
    st.builds(lambda n: f"p code follows\n\n    ## X-{n} indented code", ids),
    st.builds(lambda n: f"<!--\n## X-{n} commented out\n-->", ids),
    st.builds(lambda n: f"#X-{n} no space", ids),
    st.builds(lambda n: f"\\## X-{n} escaped", ids),
    st.builds(lambda n: f"### X-{n} deeper level", ids),
    st.builds(lambda v: f"**Status**: {v}", words),
    st.builds(lambda v: f"- Owner: {v or 'x'}", words),
    st.just("| a | b |\n|---|---|\n| 1 | 2 |"),
    st.just(""),
)


@st.composite
def ledgers(draw):
    """(document text, the entry ids in order) for a random ledger."""
    entry_ids = draw(st.lists(ids, unique=True, max_size=8))
    blocks = ["# " + draw(words) if draw(st.booleans()) else "Preamble"]
    blocks += draw(st.lists(decoy, max_size=3))
    for n in entry_ids:
        title = draw(words)
        style = draw(st.sampled_from(["atx", "atx_closed", "setext"]))
        heading = f"X-{n} {title}".rstrip()
        if style == "atx":
            blocks.append(f"## {heading}")
        elif style == "atx_closed":
            blocks.append(f"## {heading} ##")
        else:
            blocks.append(f"{heading}\n{'-' * draw(st.integers(1, 5))}")
        blocks += draw(st.lists(decoy, max_size=4))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = "\n\n".join(blocks) + "\n"
    return text.replace("\n", newline), entry_ids


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties") / "doc.md"


def _run(path: Path, data: bytes, spec: Spec = SPEC):
    path.write_bytes(data)
    return extract_file(spec, path, "doc.md")


HEADING_LINE = re.compile(r"^ {0,3}## +(X-\d+)\b")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}-+[ \t]*$")


@SETTINGS
@given(doc=ledgers(), bom=st.booleans())
def test_every_record_points_at_its_heading_and_only_entries_are_found(scratch, doc, bom):
    text, entry_ids = doc
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    found = _run(scratch, data)
    expected = [f"X-{n}" for n in entry_ids]
    got = [r.data["id"] for r in found.records]
    assert got == expected
    assert found.strategy == ("sections" if expected else None)
    lines = text.split("\n")
    for record in found.records:
        assert FENCED not in record.data["fields"].values()
        line = lines[record.line - 1].rstrip("\r")
        m = HEADING_LINE.match(line)
        if m is None:  # a setext heading: the id starts the line, an underline follows
            assert line.startswith(record.data["id"] + " ") or line == record.data["id"], (record.line, line)
            assert SETEXT_UNDERLINE.match(lines[record.line].rstrip("\r")), (record.line, lines[record.line])
        else:
            assert m.group(1) == record.data["id"]


@SETTINGS
@given(doc=ledgers())
def test_crlf_and_lf_give_the_same_records(scratch, doc):
    text, _ = doc
    lf = _run(scratch, text.replace("\r\n", "\n").encode())
    crlf = _run(scratch, text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    def normal(found):
        return [(r.line, {k: (v.replace("\r\n", "\n") if k == "body" else v) for k, v in r.data.items()})
                for r in found.records]

    assert normal(lf) == normal(crlf)


@SETTINGS
@given(data=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([
        "## X-1 a", "X-2 b", "---", "===", "```", "~~~", "    ## X-3", "<!--", "-->", "| ID | B |",
        "|--|--|", "| X-4 | c |", "**Status**: x", "- Key: v", "Key: v", "> ## X-5", "- ## X-6", "\ufeff",
        "\r", "\t", "\\", "<div>", "</div>", "---\ntitle: x\n---", "[x]: http://y", "\x00", "é😀",
    ]), max_size=30).map(lambda parts: "\n".join(parts).encode("utf-8", "surrogatepass")),
))
def test_extraction_raises_nothing_but_syncspec_errors(scratch, data):
    try:
        found = _run(scratch, data, FALLBACK_SPEC)
    except SyncSpecError as exc:
        assert exc.problems and exc.problems[0].file == "doc.md"
        return
    text = data.decode("utf-8-sig") if not data.startswith(b"\xef\xbb\xbf") else data[3:].decode("utf-8")
    n_lines = text.count("\n") + 1
    for record in found.records:
        assert 1 <= record.line <= n_lines


# -- task lists ---------------------------------------------------------------------------------------------
TASKS_SPEC = Spec(name="t", file="specs/t.yaml", files=("doc.md",), strategies=(TasksStrategy(),), table="t",
                  key=("text",), columns=())
# item text without markdown syntax (escapes, emphasis, entities, links): it must come back as written
task_words = st.text(st.characters(categories=("L", "N"), include_characters=" .,:;?'()", codec="utf-8"),
                     min_size=1, max_size=30).map(str.strip).filter(bool)
task_decoy = st.one_of(
    words.map(_paragraph),
    st.just("```\n- [ ] fenced\n- [x] fenced\n```"),
    st.just("<!--\n- [ ] commented\n-->"),
    st.just("p inline [ ] and [x] are not tasks"),
    st.just("- plain item\n- [y] not a box"),
    st.builds(lambda t: f"## {t}".rstrip(), words),
    st.just("| a | [ ] |\n|---|---|\n| 1 | [x] |"),
)


@st.composite
def task_lists(draw):
    """(document, [(checked, text) of each task in order]) with nested items and decoys."""
    blocks, expected = [], []
    for _ in range(draw(st.integers(0, 5))):
        blocks += draw(st.lists(task_decoy, max_size=2))
        lines, depth = [], 0
        for _ in range(draw(st.integers(1, 5))):
            depth = draw(st.integers(0, min(depth + 1, 3)))
            checked = draw(st.sampled_from([" ", "x", "X"]))
            text = draw(task_words)
            bullet = draw(st.sampled_from(["-", "*", "+"]))
            lines.append(f"{'  ' * depth}- [{checked}] {text}".replace("- [", f"{bullet} [", 1) if depth == 0
                         else f"{'  ' * depth}- [{checked}] {text}")
            expected.append((checked != " ", " ".join(text.split())))
        blocks.append("\n".join(lines))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return ("\n\n".join(blocks) + "\n").replace("\n", newline), expected


TASK_LINE = re.compile(r"^ *[-*+] \[([ xX])\]")


@SETTINGS
@given(doc=task_lists(), bom=st.booleans())
def test_every_task_record_points_at_its_item(scratch, doc, bom):
    text, expected = doc
    found = _run(scratch, ("\ufeff" if bom else "").encode() + text.encode("utf-8"), TASKS_SPEC)
    assert [(r.data["checked"], r.data["text"]) for r in found.records] == expected
    lines = text.split("\n")
    for record in found.records:
        line = lines[record.line - 1].rstrip("\r")
        m = TASK_LINE.match(line)
        assert m is not None, (record.line, line)
        assert (m.group(1) != " ") == record.data["checked"]
        assert record.data["text"] in " ".join(line.split()), (record.line, line)


# -- front matter items -----------------------------------------------------------------------------------
ITEMS_SPEC = Spec(name="t", file="specs/t.yaml", files=("doc.md",),
                  strategies=(FrontmatterStrategy(items=Pointer.parse("prs", implicit_key=True).child()),),
                  table="t", key=("id",), columns=())
yaml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)


@st.composite
def front_matters(draw):
    """(document, [(id, title)]) with a list of items in the front matter, in block or flow style."""
    items = draw(st.lists(st.tuples(st.integers(0, 999), yaml_text), max_size=6))
    lines = ["---", f"project: {json_str(draw(yaml_text))}"]
    if draw(st.booleans()):
        lines.append("# a comment line")
    lines.append("prs:")
    for n, title in items:
        if draw(st.booleans()):
            lines.append(f"  - id: PR-{n}\n    title: {json_str(title)}")
        else:
            lines.append(f"  - {{id: PR-{n}, title: {json_str(title)}}}")
    lines += ["---", "", "# Body", "", "- [ ] not front matter"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline, [(f"PR-{n}", title) for n, title in items]


def json_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)   # a JSON string is a YAML double-quoted scalar


@SETTINGS
@given(doc=front_matters(), bom=st.booleans())
def test_every_front_matter_item_points_at_its_line(scratch, doc, bom):
    text, expected = doc
    found = _run(scratch, ("\ufeff" if bom else "").encode() + text.encode("utf-8"), ITEMS_SPEC)
    assert [(r.data["id"], r.data["title"]) for r in found.records] == expected
    lines = text.split("\n")
    for record in found.records:
        assert f"id: {record.data['id']}" in lines[record.line - 1], (record.line, lines[record.line - 1])


# -- every strategy on arbitrary input ---------------------------------------------------------------------
ALL_MARKDOWN = Spec(name="t", file="specs/t.yaml", files=("doc.md",), table="t", key=("id",), columns=(),
                    strategies=(TasksStrategy(under=re.compile("x", re.I)),
                                FrontmatterStrategy(items=Pointer.parse("/a/*/b").child()),
                                SECTIONS.__class__(match=SECTIONS.match, subsections="items"),
                                SECTIONS.__class__(match=SECTIONS.match, level=1, subsections="text"),
                                TABLE, FrontmatterStrategy(), FileStrategy()))
DOCUMENT_SPECS = [Spec(name="t", file="specs/t.yaml", files=("doc.md",), table="t", key=("id",), columns=(),
                       strategies=(DocumentStrategy(Pointer.parse(p), kind=kind),))
                  for kind in ("json", "yaml") for p in ("/*", "/a/{x}/b/*", "")]
pieces = st.sampled_from([
    "---", "a: 1", "- [ ] x", "  - [x] y", "## X-1 a", "### Added", "- item", "```", "<!--", "-->", "[a]: http://x",
    "{", "}", "[", "]", '"a":', '"b": [1, {"c": 2}]', ",", "a:\n  - b: 1", "&x", "*x", "!tag", "? k", "\t", "\ufeff",
    "\x00", "é😀", "| a |", "|---|", "...", "%YAML 1.1", "a: b: c", "  -", "- [X]", "\\",
])


@SETTINGS
@given(data=st.one_of(
    st.binary(max_size=300),
    st.lists(pieces, max_size=25).map(lambda parts: "\n".join(parts).encode("utf-8", "surrogatepass")),
), which=st.integers(0, len(DOCUMENT_SPECS)))
@example(data=b"\r(", which=5)       # a YAML scalar on line 2 after a lone CR
def test_every_strategy_raises_nothing_but_syncspec_errors(scratch, data, which):
    spec = ALL_MARKDOWN if which == len(DOCUMENT_SPECS) else DOCUMENT_SPECS[which]
    try:
        found = _run(scratch, data, spec)
    except SyncSpecError as exc:
        assert exc.problems and exc.problems[0].file == "doc.md"
        return
    # YAML (and editors) also break lines at a lone CR: "\r(" is two lines
    n_lines = len(re.split(rb"\r\n|\r|\n", data))
    for record in found.records:
        assert 1 <= record.line <= n_lines
