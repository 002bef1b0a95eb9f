"""A large markdown file is parsed piece by piece; the pieces must give exactly the whole file's records."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncspec.errors import SourceError
from syncspec.sources import extract_file
from syncspec.sources.chunks import cuts
from syncspec.sources.extract import extract_batches

from test_properties import SETTINGS, SPEC, ledgers

TRICKY = """---
title: a ledger
---
# Ledger

## X-1 first

**Status**: done

```
## X-99 inside a fence
```

<!--
## X-98 inside a comment

-->

## X-2 second
- Owner: ana

<pre>
## X-97 inside pre

</pre>

<div>
## X-96 inside a div block
</div>

~~~~ text
```
## X-95 a fence inside another
```
~~~~

## X-3 third ##

Setext
------

    ## X-94 indented code

``` a `not a fence` line
## X-4 after a backtick line that is no fence

Último: ünïcödé
## X-5 fifth
"""


def _pieces(path: Path, data: bytes, chunk: int = 1):
    path.write_bytes(data)
    batches = list(extract_batches(SPEC, path, "doc.md", data, min_bytes=0, chunk=chunk))
    return [r for b in batches for r in b.records], len(batches)


def _whole(path: Path, data: bytes):
    path.write_bytes(data)
    return extract_file(SPEC, path, "doc.md", data).records


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_pieces_give_the_whole_files_records(tmp_path, newline, bom):
    data = bom + TRICKY.replace("\n", newline).encode()
    whole = _whole(tmp_path / "doc.md", data)
    pieces, n = _pieces(tmp_path / "doc.md", data)
    assert [r.data["id"] for r in whole] == ["X-1", "X-2", "X-3", "X-4", "X-5"]
    assert n == 7      # front matter, then a cut before '# Ledger' and X-1..X-5: never inside a fence, comment or HTML block
    assert [(r.line, r.data) for r in pieces] == [(r.line, r.data) for r in whole]


def test_no_cut_inside_fences_comments_or_html_blocks():
    data = TRICKY.encode()
    at = {data[c:data.index(b"\n", c)].decode() for c in cuts(data, 2, chunk=1)}
    assert at == {"# Ledger", "## X-1 first", "## X-2 second", "## X-3 third ##",
                  "## X-4 after a backtick line that is no fence", "## X-5 fifth"}


LINKED = """# Ledger

## X-1 see [the doc][d1] and [d2]

Body [x][d3].

> [d2]: /quoted

## X-2 again [doc][D1], [missing][nope]

[d1]: /first "its title"
[D1]: /second-of-d1, ignored

```
[d3]: /fenced, no definition
```

## X-3 [d3]

- [d3]: /in-a-list
"""


@pytest.mark.parametrize("chunk", [1, 40, 10_000])
def test_pieces_see_the_files_link_definitions(tmp_path, chunk):
    """A reference resolves from a definition in another piece, before or after it, as in the whole file."""
    for text in (LINKED, TRICKY + LINKED, LINKED + TRICKY, "---\n[fm]: /not-a-definition\n---\n" + LINKED):
        data = text.encode()
        pieces, n = _pieces(tmp_path / "doc.md", data, chunk)
        whole = _whole(tmp_path / "doc.md", data)
        assert [(r.line, r.data) for r in pieces] == [(r.line, r.data) for r in whole]
        assert n > 1 or chunk > 1
    assert [r.data["links"] for r in whole][-3:] == [["/first", "/quoted"], ["/first"], ["/in-a-list"]]


def test_unclosed_fence_stops_cutting():
    data = b"## X-1\n\n```\n## X-2 fenced to the end\n\n## X-3\n"
    assert cuts(data, 2, chunk=1) == []


def test_a_bad_byte_in_a_later_piece_is_located_as_in_the_whole_file(tmp_path):
    data = TRICKY.encode().replace("Último".encode(), b"\xff ltimo")
    with pytest.raises(SourceError) as whole:
        _whole(tmp_path / "doc.md", data)
    with pytest.raises(SourceError) as pieces:
        _pieces(tmp_path / "doc.md", data)
    w, p = whole.value.problems[0], pieces.value.problems[0]
    assert (p.message, p.line, p.column) == (w.message, w.line, w.column)
    assert w.line == TRICKY.splitlines().index("Último: ünïcödé") + 1


@SETTINGS
@given(doc=ledgers(), chunk=st.sampled_from([1, 40, 200]))
def test_any_ledger_in_pieces_gives_the_same_records(tmp_path_factory, doc, chunk):
    text, _ = doc
    path = tmp_path_factory.mktemp("chunks") / "doc.md"
    data = text.encode("utf-8")
    pieces, _ = _pieces(path, data, chunk)
    assert [(r.line, r.data) for r in pieces] == [(r.line, r.data) for r in _whole(path, data)]


def test_a_sync_in_pieces_writes_what_a_whole_file_sync_writes(make_ws, monkeypatch):
    import sqlite3

    from syncspec import DuplicateKeyError, Workspace
    from syncspec.sources import chunks

    spec = ("sync: t\nsource:\n  files: doc.md\n  records:\n    - sections: {match: '^(?P<id>X-\\d+)'}\n"
            "target:\n  table: t\n  key: [id]\n  columns:\n    id: text\n    body: text\n    owner: {from: fields.owner}\n")
    dbs = []
    for small in (False, True):
        root = make_ws({"doc.md": TRICKY, "specs/t.yaml": spec})
        if small:
            monkeypatch.setattr(chunks, "MIN_FILE_BYTES", 0)
            monkeypatch.setattr(chunks, "CHUNK_BYTES", 1)
        result = Workspace.open(root).sync()
        assert result.inserted == 5
        db = sqlite3.connect(root / ".syncspec" / "t.db")
        dbs.append(db.execute("SELECT id, body, owner, content_hash FROM t ORDER BY id").fetchall())
    assert dbs[0] == dbs[1]
    (root / "doc.md").write_text(TRICKY + "\n## X-2 again\n")
    with pytest.raises(DuplicateKeyError) as err:
        Workspace.open(root).sync()
    assert "doc.md:50: SS101 duplicate key" in str(err.value) and "first at doc.md:19" in str(err.value)


definitions = st.sampled_from(["[d1]: /one", "[D1]: /upper", "[d2]: /two 'title'", "[d2]:\n  /next-line",
                               "> [d3]: /quoted", "```\n[d1]: /fenced\n```", "- [d3]: /listed",
                               "## X-77 see [a][d1], [d2] and [b][d3]"])


@SETTINGS
@given(doc=ledgers(), extra=st.lists(st.tuples(st.integers(0, 40), definitions), max_size=6),
       chunk=st.sampled_from([1, 40, 200]))
def test_any_ledger_with_definitions_in_pieces_gives_the_same_records(tmp_path_factory, doc, extra, chunk):
    blocks = doc[0].replace("\r\n", "\n").split("\n\n")
    for at, block in extra:
        blocks.insert(at % (len(blocks) + 1), block)
    data = "\n\n".join(blocks).encode("utf-8")
    path = tmp_path_factory.mktemp("chunks") / "doc.md"
    pieces, _ = _pieces(path, data, chunk)
    assert [(r.line, r.data) for r in pieces] == [(r.line, r.data) for r in _whole(path, data)]


def test_a_file_of_many_definitions_is_not_parsed_again_per_piece(tmp_path):
    """Hostile input: 20,000 definitions and 2,000 sections, cut at every heading (chunk=1). Each piece
    sees the definitions; the pieces grow so the definitions are parsed a few times, not 2,000 times."""
    defs = "".join(f"[r{i}]: /u/{i}\n" for i in range(20_000))
    text = "# L\n\n" + "".join(f"## X-{i} see [a][r{i}]\n\nbody\n\n" for i in range(2_000)) + defs
    data = text.encode()
    pieces, n = _pieces(tmp_path / "doc.md", data, chunk=1)
    assert [r.data for r in pieces] == [r.data for r in _whole(tmp_path / "doc.md", data)]
    assert n < 10, n
    assert pieces[5].data["links"] == ["/u/5"]
