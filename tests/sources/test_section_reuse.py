"""Section-level change detection: a changed file's unchanged sections keep their rows unparsed,
and the result is always what parsing the whole file gives."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncspec import Workspace
from test_properties import SETTINGS

SPEC = """sync: t
source:
  files: docs/*.md
  records:
    - sections: {match: '^(?P<id>X-\\d+)\\s*(?P<title>.*)$'}
target:
  table: t
  key: [id]
  columns:
    id: text
    title: text
    status: {from: fields.status}
    links: {type: json, from: links}
    body: text
"""


def section(n: int, status: str = "open", extra: str = "") -> str:
    return f"## X-{n} entry {n}\n\n**Status**: {status}\n\nBody of {n}.\n{extra}\n"


LEDGER = "---\nowner: ana\n---\n# Ledger\n\n" + "".join(section(n) for n in range(1, 21))


def _sync(root: Path):
    return Workspace.open(root).sync(allow_empty=True)


def _table(root: Path) -> list[tuple]:
    db = sqlite3.connect(root / ".syncspec" / "t.db")
    try:
        return db.execute("SELECT id, title, status, links, body, content_hash FROM t ORDER BY id").fetchall()
    finally:
        db.close()


def _state(root: Path) -> tuple:
    db = sqlite3.connect(root / ".syncspec" / "t.db")
    try:
        (entries,) = db.execute("SELECT entries FROM syncspec_source_files").fetchone()
    finally:
        db.close()
    data = json.loads(entries)
    return data["e"], data["p"]


def _check_against_a_whole_parse(root: Path, tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh{len(list(tmp_path.iterdir()))}"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".syncspec"))
    _sync(fresh)
    assert _table(root) == _table(fresh)
    assert _state(root) == _state(fresh)


def test_one_edited_section_is_the_only_one_parsed(make_ws, tmp_path):
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": LEDGER})
    first = _sync(root)
    assert first.inserted == 20 and first.changes[0].strategies == {"sections": 20}
    path = root / "docs" / "a.md"
    path.write_text(LEDGER.replace(section(7), section(7, "done")))
    second = _sync(root)
    cs = second.changes[0]
    assert (second.updated, second.unchanged, cs.strategies) == (1, 19, {"sections": 1})
    _check_against_a_whole_parse(root, tmp_path)


def test_inserts_deletes_and_moves_between_unchanged_sections(make_ws, tmp_path):
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": LEDGER})
    _sync(root)
    path = root / "docs" / "a.md"
    text = LEDGER.replace(section(3), "").replace(section(12), section(12) + section(99))
    path.write_text(text)
    result = _sync(root)
    # only the new section is parsed: the others are found again, shifted, after the edits
    assert (result.inserted, result.deleted, result.changes[0].strategies) == (1, 1, {"sections": 1})
    _check_against_a_whole_parse(root, tmp_path)


def test_an_unclosed_fence_swallowing_later_sections_is_seen(make_ws, tmp_path):
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": LEDGER})
    _sync(root)
    path = root / "docs" / "a.md"
    path.write_text(LEDGER.replace(section(10), section(10, extra="```\nunclosed\n")))
    result = _sync(root)
    assert result.deleted == 10       # X-11 .. X-20 are inside the fence now
    _check_against_a_whole_parse(root, tmp_path)


def test_a_reused_key_duplicated_elsewhere_is_reported_with_its_line(make_ws):
    import pytest

    from syncspec import DuplicateKeyError

    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": LEDGER})
    _sync(root)
    path = root / "docs" / "a.md"
    path.write_text(LEDGER + section(5))
    with pytest.raises(DuplicateKeyError) as err:
        _sync(root)
    line = LEDGER.splitlines().index("## X-5 entry 5") + 1
    assert f"first at docs/a.md:{line}" in str(err.value)


blocks = st.one_of(
    st.builds(section, st.integers(1, 30), st.sampled_from(["open", "done"])),
    st.builds(lambda n: section(n, extra="```\n## X-90 fenced\n```\n"), st.integers(1, 30)),
    st.just("```\nunclosed fence\n"),
    st.just("<!--\n## X-91 commented\n-->\n"),
    st.just("# Part\n\nprose\n"),
    st.just("Setext X-92\n-----------\n"),
    st.just("---\nfront: matter\n---\n"),
    st.just("- a list item\n## X-93 right after a list\n"),
)
# link reference definitions: a heading's [text][label] resolves from anywhere in the file
linked = st.one_of(
    blocks,
    st.builds(lambda n, label: f"## X-{n} see [doc][{label}] and [{label}]\n\nBody [x][{label}].\n",
              st.integers(1, 30), st.sampled_from(["r1", "R1", "r2", "r3"])),
    st.sampled_from(["[r1]: /one\n", "[r1]: /other\n", "[R1]: /upper\n", "[r2]: /two 'title'\n",
                     "[r2]:\n  /next-line\n", "> [r3]: /quoted\n", "```\n[r1]: /fenced\n```\n",
                     "- [r3]: /in-a-list\n", "[r3]: <with space> \"t\\\"q\"\n", "[r1]: /a\n[r1]: /b\n"]),
)


@settings(SETTINGS, max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                            HealthCheck.too_slow])
@given(before=st.lists(blocks, min_size=1, max_size=10), edits=st.lists(st.tuples(
    st.integers(0, 9), st.sampled_from(["replace", "insert", "delete"]), blocks), min_size=1, max_size=3))
def test_any_edits_give_what_a_whole_parse_gives(make_ws, tmp_path_factory, before, edits):
    after = list(before)
    for at, how, block in edits:
        at %= len(after)
        if how == "replace":
            after[at] = block
        elif how == "insert":
            after.insert(at, block)
        elif len(after) > 1:
            del after[at]
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": "\n".join(before)})
    try:
        _sync(root)
    except Exception:    # duplicate ids in a generated ledger: nothing to compare
        return
    (root / "docs" / "a.md").write_text("\n".join(after))
    fresh = tmp_path_factory.mktemp("fresh")
    shutil.copytree(root, fresh / "ws", ignore=shutil.ignore_patterns(".syncspec"))
    try:
        _sync(fresh / "ws")
    except Exception:
        return
    _sync(root)
    assert _table(root) == _table(fresh / "ws")
    assert _state(root) == _state(fresh / "ws")


@settings(SETTINGS, max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                            HealthCheck.too_slow])
@given(before=st.lists(linked, min_size=1, max_size=10), edits=st.lists(st.tuples(
    st.integers(0, 9), st.sampled_from(["replace", "insert", "delete"]), linked), min_size=1, max_size=3))
def test_any_edits_with_link_definitions_give_a_whole_parse(make_ws, tmp_path_factory, before, edits):
    """Files with link reference definitions reuse sections too (their digests keyed with the
    definitions): still exactly what a whole parse gives."""
    test_any_edits_give_what_a_whole_parse_gives.hypothesis.inner_test(make_ws, tmp_path_factory, before, edits)


def test_a_file_with_definitions_parses_one_edited_section(make_ws, tmp_path):
    """keep-a-changelog's layout: the definitions at the end, the references in the sections above."""
    ledger = (LEDGER + "".join(f"## X-{n} see [doc][d{n}]\n\nBody.\n\n" for n in range(30, 40))
              + "# Links\n\n" + "".join(f"[d{n}]: /doc/{n}\n" for n in range(30, 40)))
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": ledger})
    _sync(root)
    (root / "docs" / "a.md").write_text(ledger.replace("## X-33 see [doc][d33]\n\nBody.", "## X-33 see [doc][d33]\n\nNew."))
    result = _sync(root)
    assert (result.updated, result.changes[0].strategies) == (1, {"sections": 1})
    _check_against_a_whole_parse(root, tmp_path)
    (root / "docs" / "a.md").write_text(ledger.replace("[d35]: /doc/35", "[d35]: /moved"))   # a definition moved
    result = _sync(root)
    assert result.updated == 2          # X-33 back, X-35's link: the file was parsed whole
    _check_against_a_whole_parse(root, tmp_path)


def test_many_edited_sections_with_many_definitions_parse_the_file_once(make_ws, tmp_path):
    """Each range parsed alone reads the file's definitions again: with many ranges and many definitions
    the whole file is parsed instead (less work), with the same result."""
    defs = "".join(f"[d{n}]: /doc/{n}\n" for n in range(3000))
    ledger = "# L\n\n" + "".join(f"## X-{n} see [doc][d{n}]\n\nBody.\n\n" for n in range(300)) + defs
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": ledger})
    _sync(root)
    edited = ledger
    for n in range(0, 300, 3):
        edited = edited.replace(f"## X-{n} see [doc][d{n}]\n\nBody.", f"## X-{n} see [doc][d{n}]\n\nNew.")
    (root / "docs" / "a.md").write_text(edited)
    result = _sync(root)
    assert (result.updated, result.changes[0].strategies) == (100, {"sections": 300})
    _check_against_a_whole_parse(root, tmp_path)
