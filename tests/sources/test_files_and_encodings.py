"""Finding source files inside the workspace, and decoding them (UTF-8, BOM, declared encodings)."""

from __future__ import annotations

import os

import pytest

from syncspec import Workspace
from syncspec.errors import SourceError, SpecError
from syncspec.sources import resolve_files

ENCODING_HINT = "    hint: save the file as UTF-8, or declare its encoding in the spec (source.encoding: cp1252)"


def source_errors(exc_info) -> list[str]:
    return [p.format() for p in exc_info.value.problems]


def test_non_utf8_byte_names_file_line_column_and_offset(extract):
    with pytest.raises(SourceError) as info:
        extract(b"## X-1 ok\n\nCaf\xe9 au lait\n")
    assert source_errors(info) == [
        "docs/doc.md:3:4: SS140 cannot decode byte 0xe9 at byte offset 14 as utf-8\n" + ENCODING_HINT]


def test_offsets_count_the_bom_as_part_of_the_file(extract):
    with pytest.raises(SourceError) as info:
        extract(b"\xef\xbb\xbfcaf\xe9\n")
    assert source_errors(info) == [
        "docs/doc.md:1:7: SS140 cannot decode byte 0xe9 at byte offset 6 as utf-8\n" + ENCODING_HINT]


def test_crlf_lines_are_counted_once(extract):
    with pytest.raises(SourceError) as info:
        extract(b"a\r\nb\r\n\x80\r\n")
    assert source_errors(info)[0].startswith("docs/doc.md:3:1: SS140 cannot decode byte 0x80 at byte offset 6 as utf-8")


def test_declared_latin1_reads_the_file(extract):
    found = extract(b"## X-1 Caf\xe9\n\n**Owner**: Jos\xe9\n", encoding="latin-1")
    (record,) = found.records
    assert record.data["title"] == "Café"
    assert record.data["fields"] == {"owner": "José"}


def test_declared_cp1252_with_non_ascii_before_the_heading_keeps_lines(extract):
    doc = "“Smart quotes” — and a € sign\n\n## X-1 Zoë\n".encode("cp1252")
    (record,) = extract(doc, encoding="cp1252").records
    assert (record.line, record.data["title"]) == (3, "Zoë")


def test_declared_encoding_still_accepts_a_utf8_bom(extract):
    (record,) = extract("\ufeff## X-1 Zoë\n".encode("utf-8"), encoding="latin-1").records
    assert record.data["title"] == "Zoë"


def test_declared_utf16(extract):
    (record,) = extract("## X-1 日本語\n\n- Owner: 山田\n".encode("utf-16"), encoding="utf-16").records
    assert (record.line, record.data["title"], record.data["fields"]) == (1, "日本語", {"owner": "山田"})


def test_undecodable_in_a_declared_encoding(extract):
    with pytest.raises(SourceError) as info:
        extract(b"ok\n\xff\n", encoding="ascii")
    assert source_errors(info) == [
        "docs/doc.md:2:1: SS140 cannot decode byte 0xff at byte offset 3 as ascii\n" + ENCODING_HINT]


@pytest.fixture
def workspace(make_ws, spec_yaml):
    """``workspace(files, docs)`` -> (root, spec) for a spec reading ``files``."""
    def make(files: str, docs: dict[str, str | bytes]):
        ws = make_ws({"specs/t.yaml": spec_yaml(files=files), **docs})
        (spec,) = Workspace.open(ws).validate()
        return ws, spec
    return make


def test_missing_source_file_names_the_spec_file(workspace):
    ws, spec = workspace("docs/missing.md", {})
    with pytest.raises(SourceError) as info:
        resolve_files(spec, ws)
    assert source_errors(info) == [
        "specs/t.yaml:3:10: SS140 $.source.files: source file 'docs/missing.md' of spec 't' does not exist\n"
        "    hint: create the file, or fix source.files in the spec"]
    assert info.value.spec == "t"


def test_glob_that_matches_nothing_names_the_spec_file(workspace):
    ws, spec = workspace("'docs/*.md'", {"docs/readme.txt": "x"})
    with pytest.raises(SourceError) as info:
        resolve_files(spec, ws)
    assert source_errors(info) == [
        "specs/t.yaml:3:10: SS140 $.source.files: source.files of spec 't' matched no files: docs/*.md\n"
        "    hint: check the pattern; an empty source would delete every row of this spec"]


def test_globs_are_sorted_recursive_and_deduplicated(workspace):
    docs = {"docs/b.md": "x", "docs/a.md": "x", "docs/sub/c.md": "x", "docs/skip.txt": "x"}
    ws, spec = workspace("['docs/**/*.md', docs/a.md]", docs)
    assert [name for _, name in resolve_files(spec, ws)] == ["docs/a.md", "docs/b.md", "docs/sub/c.md"]


def test_globs_work_when_the_workspace_path_holds_glob_characters(workspace, tmp_path):
    ws, spec = workspace("'docs/*.md'", {"docs/a.md": "x"})
    odd = tmp_path / "team [old] *draft*"
    ws.rename(odd)
    assert [name for _, name in resolve_files(spec, odd)] == ["docs/a.md"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_out_of_the_workspace_is_refused(workspace, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("## X-1\n", encoding="utf-8")
    ws, spec = workspace("'docs/*.md'", {"docs/a.md": "x"})
    (ws / "docs" / "b.md").symlink_to(outside)
    with pytest.raises(SourceError) as info:
        resolve_files(spec, ws)
    (problem,) = info.value.problems
    assert "resolves outside the workspace" in problem.message
    assert (problem.file, problem.line, problem.json_path) == ("specs/t.yaml", 3, "$.source.files")


def test_a_missing_file_in_a_list_points_at_its_own_line(workspace):
    ws, spec = workspace("\n    - docs/a.md\n    - docs/gone.md", {"docs/a.md": "x"})
    with pytest.raises(SourceError) as info:
        resolve_files(spec, ws)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.json_path) == (5, 7, "$.source.files[1]")


def test_a_path_with_dot_dot_is_rejected_at_validation(make_ws, spec_yaml):
    ws = make_ws({"specs/t.yaml": spec_yaml(files="docs/../../etc/passwd")})
    with pytest.raises(SpecError) as info:
        Workspace.open(ws).validate()
    assert [p.format() for p in info.value.problems] == [
        "specs/t.yaml:3:10: SS120 $.source.files: path 'docs/../../etc/passwd' leaves the workspace\n"
        "    hint: use a path relative to the workspace root, without '..'"]


def test_preview_reports_a_non_utf8_file_through_the_cli(make_ws, spec_yaml, cli):
    ws = make_ws({"specs/t.yaml": spec_yaml(), "docs/doc.md": b"## X-1\n\xe9\n"})
    result = cli("--project", str(ws), "preview", "t")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "docs/doc.md:2:1: SS140 cannot decode byte 0xe9 at byte offset 7 as utf-8" in result.stderr
    assert "source.encoding" in result.stderr
