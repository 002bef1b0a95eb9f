"""What a run remembers stays flat in the corpus size: keys read spill to a temporary SQLite database
past SPILL_AT (duplicates still caught, with both places), file states are saved as the run goes
(SAVE_EVERY), and a sync lists its first KEEP rows while counting them all."""

from __future__ import annotations

import sqlite3

import pytest

from syncspec import DuplicateKeyError, Workspace
from syncspec import lane as lane_module
from syncspec import seen as seen_module
from syncspec.seen import SeenKeys

SPEC = """\
sync: notes
source:
  files: docs/*.md
  records:
    - sections: {level: 2, match: '^(?P<nid>N-\\d+): (?P<title>.*)$'}
target:
  table: notes
  key: [nid, part]
  columns:
    nid: text
    part: {type: integer, value: 1}
    title: text
on_missing: delete
"""


def doc(ids) -> str:
    return "".join(f"## N-{i}: title {i}\n\nbody\n\n" for i in ids)


def test_spilled_keys_report_the_first_place():
    seen = SeenKeys(spill_at=3)
    assert seen.claim([(("a", 1), "x.md", 1), (("b", 1), "x.md", 2)]) == [None, None]
    assert not seen.spilled
    assert seen.claim([(("c", 1), "y.md", 5), (("d", 1), "y.md", 6), (("a", 1), "y.md", 7)]) == \
        [None, None, "x.md:1"]
    assert seen.spilled and len(seen) == 4
    # after the spill: an old key, a key twice in one batch, a key of a file that was not parsed (line 0)
    assert seen.claim([(("b", 1), "z.md", 1), (("e", 1), "z.md", 2), (("e", 1), "z.md", 3),
                       (("f", 1), "old.md", 0)]) == ["x.md:2", None, "z.md:2", None]
    assert seen.claim([(("f", 1), "z.md", 9), (("b", "1"), "z.md", 10)]) == ["old.md", None]   # 1 != "1"
    assert len(seen) == 7
    seen.close()


@pytest.fixture
def root(make_ws, monkeypatch):
    monkeypatch.setattr(seen_module, "SPILL_AT", 25)
    return make_ws({"specs/notes.yaml": SPEC, **{f"docs/p{f}.md": doc(range(f * 20, f * 20 + 20))
                                                  for f in range(5)}})


def test_a_spilled_run_writes_every_row(root):
    url = f"sqlite:///{root}/t.db"
    assert Workspace.open(root, database_url=url).sync().inserted == 100
    with sqlite3.connect(root / "t.db") as db:
        assert db.execute("SELECT COUNT(DISTINCT nid) FROM notes").fetchone() == (100,)
    assert Workspace.open(root, database_url=url).plan(full=True).empty


def test_a_spilled_run_still_catches_duplicates(root):
    (root / "docs" / "p4.md").write_text(doc(range(80, 100)) + "## N-3: again\n\nx\n", encoding="utf-8")
    with pytest.raises(DuplicateKeyError) as err:
        Workspace.open(root).sync()
    text = str(err.value)
    assert "duplicate key ['N-3', 1]" in text and "docs/p4.md" in text and "first at docs/p0.md:" in text


def test_states_saved_as_the_run_goes_and_rolled_back_with_it(root, monkeypatch):
    monkeypatch.setattr(lane_module, "SAVE_EVERY", 30)       # a save every two files
    url = f"sqlite:///{root}/t.db"
    (root / "docs" / "p4.md").write_text(doc(range(80, 100)) + "## N-3: again\n\nx\n", encoding="utf-8")
    with pytest.raises(DuplicateKeyError):
        Workspace.open(root, database_url=url).sync()
    with sqlite3.connect(root / "t.db") as db:              # the states of p0..p3 were saved, then rolled back
        assert db.execute("SELECT COUNT(*) FROM syncspec_source_files").fetchone() == (0,)
    (root / "docs" / "p4.md").write_text(doc(range(80, 100)), encoding="utf-8")
    assert Workspace.open(root, database_url=url).sync().inserted == 100
    with sqlite3.connect(root / "t.db") as db:
        assert db.execute("SELECT COUNT(*), SUM(entry_count) FROM syncspec_source_files").fetchone() == (5, 100)
    (root / "docs" / "p2.md").write_text(doc(range(40, 59)), encoding="utf-8")     # N-59 leaves
    result = Workspace.open(root, database_url=url).sync()
    assert (result.inserted, result.updated, result.deleted) == (0, 0, 1)
    assert Workspace.open(root, database_url=url).plan(full=True).empty


def test_a_big_sync_lists_its_first_rows_and_counts_all(root, monkeypatch, capsys):
    from syncspec.cli import main

    monkeypatch.setattr(lane_module, "KEEP", 7)
    url = f"sqlite:///{root}/t.db"
    assert main(["sync", "--database-url", url, "--limit", "0", "-p", str(root)]) == 0
    out = capsys.readouterr().out
    assert "100 inserted" in out
    assert out.count("+ notes") == 7 and "... and 93 more (`syncspec history" in out
    run = Workspace.open(root, database_url=url).history(limit=1)[0]
    assert len([e for e in Workspace.open(root, database_url=url).events(run.run_id)
                if e.event_type == "insert"]) == 100
