"""File strategy: one record per file -- path parts, title, front matter, body, size, lines, mtime."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from syncspec import Workspace
from syncspec.errors import SourceError
from syncspec.sources import extract_file, resolve_files

FILES = {
    "tools/sre/save_state.py": '#!/usr/bin/env python3\n"""Save state: sync both databases."""\n# a comment\n',
    "tools/docs/guide.md": "---\ntitle: The guide\nowner: Zoë\n---\n\n# Heading one\n\nBody.\n",
    "tools/docs/setext.md": "<!-- # not a heading -->\n```\n# not either\n```\nSetext title\n===\n\ntext",
    "tools/docs/empty.md": "",
    "tools/README": "# no suffix: not read as markdown\n",
}
SPEC = """\
sync: t
source:
  files: tools/**/*
  records: [file]
target:
  table: t
  key: [path]
  columns:
    path: text
"""


@pytest.fixture
def records(make_ws):
    ws = make_ws({"specs/t.yaml": SPEC, **FILES})
    os.utime(ws / "tools/sre/save_state.py", (0, 1_700_000_000))
    (spec,) = Workspace.open(ws).validate()
    found = [extract_file(spec, path, display) for path, display in resolve_files(spec, ws)]
    assert all(f.strategy == "file" and len(f.records) == 1 for f in found)
    return {f.file: f.records[0] for f in found}


def test_path_parts(records):
    data = records["tools/sre/save_state.py"].data
    assert {k: data[k] for k in ("path", "name", "stem", "suffix", "dir")} == {
        "path": "tools/sre/save_state.py", "name": "save_state.py", "stem": "save_state", "suffix": ".py",
        "dir": "tools/sre"}
    assert records["tools/README"].data["suffix"] == "" and records["tools/README"].data["dir"] == "tools"


def test_size_lines_mtime_and_text(records):
    data = records["tools/sre/save_state.py"].data
    assert data["size"] == len(FILES["tools/sre/save_state.py"].encode())
    assert data["lines"] == 3
    assert data["mtime"] == dt.datetime.fromtimestamp(1_700_000_000, dt.timezone.utc).isoformat()
    assert data["text"] == FILES["tools/sre/save_state.py"]
    assert records["tools/docs/setext.md"].data["lines"] == 8      # no newline at the end: still a line
    assert records["tools/docs/empty.md"].data["lines"] == 0


def test_markdown_title_heading_frontmatter_and_body(records):
    guide = records["tools/docs/guide.md"].data
    assert (guide["title"], guide["heading"]) == ("The guide", "Heading one")   # front matter title wins
    assert guide["frontmatter"] == {"title": "The guide", "owner": "Zoë"}
    assert guide["body"] == "# Heading one\n\nBody."
    setext = records["tools/docs/setext.md"].data
    assert (setext["title"], setext["heading"], setext["frontmatter"]) == ("Setext title", "Setext title", {})
    assert records["tools/docs/empty.md"].data["title"] is None


def test_only_markdown_files_are_read_as_markdown(records):
    py = records["tools/sre/save_state.py"].data
    assert (py["title"], py["heading"], py["frontmatter"]) == (None, None, {})   # '# a comment' is no title
    assert records["tools/README"].data["title"] is None


def test_rows_from_files_with_pattern_and_transforms(make_ws):
    spec = SPEC + ("    kind: {type: text, from: suffix, transform: [lower]}\n"
                   "    description: {type: text, from: text, pattern: '\"\"\"(?P<value>[^\\n\"]+)'}\n"
                   "    bytes: {type: integer, from: size}\n")
    ws = make_ws({"specs/t.yaml": spec, **FILES})
    rows = {r["row"]["path"]: r["row"] for r in Workspace.open(ws).preview("t").records}
    assert rows["tools/sre/save_state.py"]["description"] == "Save state: sync both databases."
    assert rows["tools/docs/guide.md"]["description"] is None
    assert rows["tools/docs/guide.md"]["kind"] == ".md"


def test_undecodable_file_is_located(make_ws):
    ws = make_ws({"specs/t.yaml": SPEC, "tools/logo.png": b"\x89PNG\r\n\x1a\n"})
    (spec,) = Workspace.open(ws).validate()
    ((path, display),) = resolve_files(spec, ws)
    with pytest.raises(SourceError) as info:
        extract_file(spec, path, display)
    assert info.value.problems[0].format().startswith(
        "tools/logo.png:1:1: SS140 cannot decode byte 0x89 at byte offset 0 as utf-8")
