"""File-level change detection: only changed files are parsed; results equal a full re-check."""

from __future__ import annotations

import os

import pytest

from syncspec import DuplicateKeyError, SourceError, Workspace

SPEC = """\
sync: notes
source:
  files: docs/*.md
  records:
    - sections: {level: 2, match: '^(?P<nid>N-\\d+): (?P<title>.*)$'}
target:
  table: notes
  key: [nid]
  columns:
    nid: text
    title: text
    body: {type: text, from: body}
on_missing: delete
"""


def _doc(ids: range, word: str = "body") -> str:
    return "".join(f"## N-{i}: title {i}\n\n{word} {i}\n\n" for i in ids)


@pytest.fixture
def ws_root(make_ws):
    files = {"specs/notes.yaml": SPEC}
    for f in range(5):
        files[f"docs/part{f}.md"] = _doc(range(f * 10, f * 10 + 10))
    root = make_ws(files)
    _age(root)
    return root


def _age(root, seconds: int = 100) -> None:
    """Backdate the sources, so their mtimes are outside the racy window."""
    for path in (root / "docs").glob("*.md"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns - seconds * 10**9, st.st_mtime_ns - seconds * 10**9))


def _write(root, name: str, text: str) -> None:
    path = root / "docs" / name
    path.write_text(text, encoding="utf-8")
    _age(root)


def sync(root, **kw):
    return Workspace.open(root).sync(**kw)


def test_only_changed_files_are_parsed(ws_root):
    first = sync(ws_root)
    assert first.inserted == 50 and first.changes[0].parsed == 5
    noop = sync(ws_root)
    assert noop.changes[0].parsed == 0 and noop.unchanged == 50 and noop.inserted == noop.updated == 0
    _write(ws_root, "part2.md", _doc(range(20, 30)).replace("body 21", "body 21 edited"))
    one = sync(ws_root)
    assert one.changes[0].parsed == 1
    assert (one.inserted, one.updated, one.deleted, one.unchanged) == (0, 1, 0, 49)
    assert [r.key for r, _ in one.changes[0].updates] == [("N-21",)]


def test_touch_without_change_parses_nothing(ws_root):
    sync(ws_root)
    path = ws_root / "docs" / "part1.md"
    path.write_bytes(path.read_bytes())
    _age(ws_root, 50)
    result = sync(ws_root)
    assert result.changes[0].parsed == 0 and result.unchanged == 50


def test_removed_file_deletes_its_rows_and_new_file_inserts(ws_root):
    sync(ws_root)
    (ws_root / "docs" / "part4.md").unlink()
    _write(ws_root, "part9.md", _doc(range(90, 93)))
    result = sync(ws_root)
    assert (result.inserted, result.deleted, result.unchanged) == (3, 10, 40)
    assert result.changes[0].parsed == 1


def test_entry_moving_between_files_is_an_update_not_a_delete(ws_root):
    sync(ws_root)
    _write(ws_root, "part0.md", _doc(range(0, 9)))                  # N-9 leaves part0 ...
    _write(ws_root, "part1.md", _doc(range(9, 20)))                 # ... and joins part1
    result = sync(ws_root)
    assert (result.inserted, result.updated, result.deleted) == (0, 0, 0)
    again = Workspace.open(ws_root).plan(full=True)
    assert again.empty


def test_duplicate_with_an_unchanged_file_is_caught(ws_root):
    sync(ws_root)
    _write(ws_root, "part0.md", _doc(range(0, 10)) + "## N-42: stolen\n\nx\n")
    with pytest.raises(DuplicateKeyError) as err:
        sync(ws_root)
    text = str(err.value)
    assert "duplicate key ['N-42']" in text and "docs/part4.md" in text and "docs/part0.md" in text


def test_incremental_equals_full_recheck(ws_root):
    sync(ws_root)
    _write(ws_root, "part3.md", _doc(range(30, 38), word="changed"))
    (ws_root / "docs" / "part1.md").unlink()
    incremental = Workspace.open(ws_root).plan()
    full = Workspace.open(ws_root).plan(full=True)
    keys = lambda r: ({x.key for x in r.changes[0].inserts}, {x.key for x, _ in r.changes[0].updates},  # noqa: E731
                      {k for k, _ in r.changes[0].deletes})
    assert keys(incremental) == keys(full)
    # --all re-checks the target, but still parses only files whose bytes or target rows changed
    assert incremental.changes[0].parsed == 1 and full.changes[0].parsed == 1


def test_spec_change_reparses_everything(ws_root):
    sync(ws_root)
    spec = ws_root / "specs" / "notes.yaml"
    spec.write_text(SPEC.replace("    title: text\n", "    title: {type: text, pattern: 'title (?P<value>.*)'}\n"),
                    encoding="utf-8")
    result = sync(ws_root)
    assert result.changes[0].parsed == 5 and result.updated == 50


def test_all_detects_tampering_the_ledger_cannot_see(ws_root, cli):
    sync(ws_root)
    import sqlite3

    db = sqlite3.connect(ws_root / ".syncspec" / "t.db")
    db.execute("UPDATE notes SET title = 'tampered', content_hash = 'x' WHERE nid = 'N-3'")
    db.commit()
    db.close()
    assert Workspace.open(ws_root).plan().empty                      # the ledger says nothing changed
    db = sqlite3.connect(ws_root / ".syncspec" / "t.db")
    db.execute("INSERT INTO notes (nid, title, body, content_hash) VALUES ('N-999', 'stray', '', 'y')")
    db.commit()
    db.close()
    full = Workspace.open(ws_root).plan(full=True)
    assert [r.key for r, _ in full.changes[0].updates] == [("N-3",)]
    assert [k for k, _ in full.changes[0].deletes] == [("N-999",)]
    assert full.changes[0].parsed == 1      # only part0.md, whose row drifted, is parsed again
    assert cli("--project", str(ws_root), "verify").returncode == 6
    assert cli("--project", str(ws_root), "sync", "--all").returncode == 0
    assert cli("--project", str(ws_root), "verify").returncode == 0


def test_a_spec_that_suddenly_extracts_nothing_refuses_to_delete_everything(ws_root, cli):
    sync(ws_root)
    for path in (ws_root / "docs").glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("## N-", "### N-"), encoding="utf-8")
    _age(ws_root)
    with pytest.raises(SourceError) as err:
        sync(ws_root)
    assert "extracted no records from 5 file(s); syncing would delete all 50 of its rows" in str(err.value)
    assert "--allow-empty" in str(err.value)
    res = cli("--project", str(ws_root), "sync", "--allow-empty")
    assert res.returncode == 0, res.stderr
    assert "50 deleted" in res.stdout


def test_file_written_just_before_a_sync_is_rehashed(make_ws):
    root = make_ws({"specs/notes.yaml": SPEC, "docs/a.md": _doc(range(3))})
    sync(root)   # a.md is "racy": its mtime is within 2 s of the sync
    path = root / "docs" / "a.md"
    st = path.stat()
    path.write_text(_doc(range(3)).replace("body 1", "body X"), encoding="utf-8")   # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))                            # same mtime
    result = sync(root)
    assert result.updated == 1
