"""Issue 11 defect 23 (target side): a database folder or lock file that cannot be made is a located error."""

from __future__ import annotations

from test_keys_and_lookups import _workspace


def test_a_database_folder_under_a_file_is_a_target_error(tmp_path, cli):
    (tmp_path / "afile").write_text("not a folder")
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 'afile' / 'db' / 't.db'}", "## N-1: one\n")
    r = cli("--project", str(root), "sync")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "cannot create the folder" in r.stderr and "hint:" in r.stderr


def test_a_lock_file_that_cannot_be_written_is_a_target_error(tmp_path, cli):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    (tmp_path / "t.db.lock").mkdir()            # not a file: it cannot be opened for writing, even by root
    r = cli("--project", str(root), "sync")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "cannot create the lock file" in r.stderr
