"""Issue 11 defect 12: an edit that keeps the size and restores the mtime (cp -p, rsync -t, touch -r) is seen."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

from syncspec import Workspace

from test_keys_and_lookups import _workspace


def test_same_size_restored_mtime_edit_is_synced(tmp_path):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: aaaa\n")
    src = root / "docs" / "NOTES.md"
    old = time.time() - 3600
    os.utime(src, (old, old))                     # outside the racy window, so the mtime is trusted
    Workspace.open(root).sync()
    st = os.stat(src)
    edited = tmp_path / "edited.md"
    edited.write_text("## N-1: bbbb\n")            # same size, other bytes
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))
    shutil.copy2(edited, src)                      # cp -p: the old mtime comes along
    assert (os.stat(src).st_size, os.stat(src).st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert [s.state for s in Workspace.open(root).status()] == ["stale"]
    result = Workspace.open(root).sync()
    assert result.updated == 1
    assert Workspace.open(root).verify().empty


def test_an_older_ledger_gains_the_identity_columns(tmp_path):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    Workspace.open(root).sync()
    con = sqlite3.connect(tmp_path / "t.db")
    con.execute("ALTER TABLE syncspec_source_files DROP COLUMN ctime_ns")
    con.execute("ALTER TABLE syncspec_source_files DROP COLUMN inode")
    con.commit()
    con.close()
    assert Workspace.open(root).plan().empty            # reads the old layout
    (root / "docs" / "NOTES.md").write_text("## N-1: two\n")
    assert Workspace.open(root).sync().updated == 1     # and upgrades it
    con = sqlite3.connect(tmp_path / "t.db")
    cols = {r[1] for r in con.execute("PRAGMA table_info(syncspec_source_files)")}
    con.close()
    assert {"ctime_ns", "inode"} <= cols
