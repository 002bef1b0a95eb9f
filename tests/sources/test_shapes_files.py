"""Whole-file shapes people write: header fields before the first heading, named sections, Dataview
and underscore-bold fields, TOML front matter, a metadata file beside a README, exclude globs."""

from __future__ import annotations

import sqlite3

import pytest

from syncspec import Workspace
from syncspec.errors import SourceError


def sync_rows(make_ws, url: str, files: dict[str, str], sql: str) -> list[tuple]:
    Workspace.open(make_ws(files), database_url=url).sync()
    db = sqlite3.connect(url.split("sqlite:///", 1)[1])
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


RFC_SPEC = """\
sync: rfcs
source:
  files: rfcs/**/*.md
  exclude: [rfcs/archive/, '!rfcs/archive/0002-kept.md', '**/TEMPLATE.md']
  records:
    - file: {fields: [list, plain, dataview, bold]}
target:
  table: rfcs
  key: [stem]
  columns:
    stem: text
    title: text
    started: {type: date, from: fields.start_date}
    status: {type: text, from: fields.status, transform: [lower]}
    owner: {type: text, from: fields.owner}
    decision: {type: text, from: sections.decision}
    motivation: {type: text, from: sections.motivation, transform: [collapse]}
"""
RFCS = {
    # a title line, then header fields, then a section of the same level as the title
    "rfcs/0001-pipes.md": "# Pipes everywhere\n\n- Start Date: 2014-03-11\n- Status: Accepted\n\n"
                          "# Motivation\n\nPipes are\nnice.\n\n## Decision\n\nWe adopt pipes.\n\n"
                          "### Notes\n\nA detail.\n\n## Appendix\n\nStatus: not a header field\n",
    # fields before any heading, after an HTML comment; Dataview and underscore-bold fields
    "rfcs/0003-queues.md": "<!-- Owner: not me -->\nStart Date:: 2015-01-02\n__Status__: Draft\n"
                           "Filed by [Owner:: Ada] in [Area:: infra].\n\n## Decision\n\nQueues, later.\n",
    # TOML front matter, fields after it
    "rfcs/0004-toml.md": "+++\ntitle = \"TOML matter\"\ndate = 2020-05-18\n+++\n\n- Start Date: 2020-05-18\n\n"
                         "## Status\n\nThe section, not the field.\n",
    "rfcs/archive/0000-old.md": "# Old\n\n- Status: Withdrawn\n",
    "rfcs/archive/0002-kept.md": "# Kept\n\n- Status: Final\n",
    "rfcs/TEMPLATE.md": "# RFC title\n\n- Status: (fill in)\n",
}


def test_header_fields_named_sections_and_exclude(make_ws, sqlite_url):
    assert sync_rows(make_ws, sqlite_url, {"specs/rfcs.yaml": RFC_SPEC, **RFCS},
                     "SELECT stem, title, started, status, owner, decision, motivation FROM rfcs ORDER BY stem") == [
        ("0001-pipes", "Pipes everywhere", "2014-03-11", "accepted", None, "We adopt pipes.\n\n### Notes\n\nA detail.",
         # a section holds its subsections: up to the next heading of its level or above
         "Pipes are nice. ## Decision We adopt pipes. ### Notes A detail. ## Appendix Status: not a header field"),
        ("0002-kept", "Kept", None, "final", None, None, None),
        ("0003-queues", "Decision", "2015-01-02", "draft", "Ada", "Queues, later.", None),   # title: the first heading
        ("0004-toml", "TOML matter", "2020-05-18", None, None, None, None),
    ]


def test_toml_front_matter_as_a_frontmatter_record(make_ws, sqlite_url):
    spec = ("sync: posts\nsource:\n  files: posts/*.md\n  records: [frontmatter]\ntarget:\n  table: posts\n"
            "  key: [title]\n  columns:\n    title: text\n    date: date\n    tags: json\n")
    files = {"specs/p.yaml": spec, "posts/a.md": '+++\ntitle = "Hello"\ndate = 2021-07-15\ntags = ["a", "b"]\n+++\nBody\n'}
    assert sync_rows(make_ws, sqlite_url, files, "SELECT title, date, tags FROM posts") == [
        ("Hello", "2021-07-15", '["a","b"]')]


def test_invalid_toml_front_matter_is_located(make_ws):
    spec = ("sync: posts\nsource:\n  files: posts/*.md\n  records: [frontmatter]\ntarget:\n  table: posts\n"
            "  key: [title]\n  columns:\n    title: text\n")
    ws = make_ws({"specs/p.yaml": spec, "posts/a.md": '+++\ntitle = "Hello"\ndate = 2021-02-30\n+++\n'})
    with pytest.raises(SourceError) as err:
        Workspace.open(ws).plan()
    (p,) = err.value.problems
    assert (p.file, p.line, p.message) == ("posts/a.md", 3, "invalid TOML in the front matter: Invalid date or datetime")


KEP_SPEC = """\
sync: keps
source:
  files: keps/*/README.md
  records:
    - file: {siblings: {meta: kep.yaml}}
target:
  table: keps
  key: [number]
  columns:
    number: {type: integer, from: meta.number}
    title: text
    stage: {type: text, from: meta.stage, default: unknown}
    authors: {type: json, from: meta.authors}
"""


def test_one_record_per_directory_from_a_readme_and_its_metadata(make_ws, sqlite_url):
    files = {"specs/k.yaml": KEP_SPEC,
             "keps/1-sidecars/README.md": "# Sidecar containers\n\nText.\n",
             "keps/1-sidecars/kep.yaml": "number: 1\nstage: beta\nauthors: [ann, bo]\n",
             "keps/2-gc/README.md": "# Garbage collection\n",
             "keps/2-gc/kep.yaml": "number: 2\n"}
    assert sync_rows(make_ws, sqlite_url, files, "SELECT number, title, stage, authors FROM keps ORDER BY number") == [
        (1, "Sidecar containers", "beta", '["ann","bo"]'),
        (2, "Garbage collection", "unknown", None),
    ]


def test_a_bad_value_in_a_preamble_field_names_its_line(make_ws):
    from syncspec.errors import MappingError

    files = {"specs/rfcs.yaml": RFC_SPEC, "rfcs/0009.md": "# Nine\n\n- Owner: Bo\n- Start Date: soon\n"}
    with pytest.raises(MappingError) as err:
        Workspace.open(make_ws(files)).plan()
    assert [(p.file, p.line) for p in err.value.problems] == [("rfcs/0009.md", 4)]
