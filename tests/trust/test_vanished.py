"""Issue 11 defect 16 (engine part): a source deleted or renamed while a sync runs is simply gone."""

from __future__ import annotations

from syncspec import Workspace

from test_keys_and_lookups import _workspace


def test_a_file_deleted_mid_run_has_left_the_source(tmp_path, monkeypatch):
    root = _workspace(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "## N-1: one\n")
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text().replace("files: docs/NOTES.md", "files: docs/*.md"))
    (root / "docs" / "MORE.md").write_text("## M-1: more\n")
    import syncspec.changes as changes

    real = changes.SourceFile.read

    def read(self):
        if self.display == "docs/MORE.md" and self.path.exists():
            self.path.unlink()                   # an editor's atomic save, or a checkout, right now
        return real(self)

    monkeypatch.setattr(changes.SourceFile, "read", read)
    result = Workspace.open(root).sync()          # before: FileNotFoundError / exit 1
    assert (result.inserted, result.deleted) == (1, 0)
    monkeypatch.undo()
    assert Workspace.open(root).plan().empty
    assert Workspace.open(root).verify().empty
