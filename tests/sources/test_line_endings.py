"""Values are one text whatever the checkout's line endings (issue 11, defect 17): LF, CRLF
(core.autocrlf) and lone-CR files give identical rows and hashes, and switching a checkout's line
endings rewrites nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from syncspec import Workspace
from test_section_reuse import LEDGER, SPEC, _check_against_a_whole_parse, _state, section

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ledger"


def endings(root: Path, newline: str) -> None:
    for path in (root / "docs").glob("*.md"):
        raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        path.write_bytes(raw.replace(b"\n", newline.encode()))


def rows(root: Path) -> list[tuple]:
    con = sqlite3.connect(root / ".syncspec" / "autopack.db")
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(sot_entries)") if r[1] not in ("created_at", "updated_at")]
        return con.execute(f"SELECT {', '.join(cols)} FROM sot_entries ORDER BY file_type, entry_id").fetchall()
    finally:
        con.close()


@pytest.fixture
def checkouts(tmp_path):
    """The ledger example three times: LF, CRLF and lone-CR line endings."""
    out = {}
    for name, newline in (("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")):
        root = tmp_path / name
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".syncspec"))
        endings(root, newline)
        out[name] = root
    return out


def test_lf_crlf_and_lone_cr_checkouts_give_identical_rows_and_hashes(checkouts):
    for root in checkouts.values():
        assert Workspace.open(root).sync().inserted == 66
    lf = rows(checkouts["lf"])
    assert len(lf) == 66
    assert all("\r" not in str(value) for row in lf for value in row)
    assert rows(checkouts["crlf"]) == lf
    assert rows(checkouts["cr"]) == lf    # lone CR: lines, not one empty body


def test_the_example_with_its_crlf_file_gives_the_lf_rows(checkouts, tmp_path):
    example = tmp_path / "as_shipped"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".syncspec"))
    assert b"\r\n" in (example / "docs" / "ARCHITECTURE_DECISIONS.md").read_bytes()
    Workspace.open(example).sync()
    Workspace.open(checkouts["lf"]).sync()
    assert rows(example) == rows(checkouts["lf"])


def test_lone_cr_file_reads_as_lines_with_line_numbers(checkouts):
    ws = Workspace.open(checkouts["cr"])
    preview = ws.preview("build_history")
    lf = Workspace.open(checkouts["lf"]).preview("build_history")
    assert [(r["line"], r["row"]) for r in preview.records] == [(r["line"], r["row"]) for r in lf.records]
    assert preview.records[0]["line"] > 1 and preview.records[0]["row"]["content"]


def test_switching_a_checkout_to_crlf_rewrites_nothing(checkouts):
    root = checkouts["lf"]
    ws = Workspace.open(root)
    ws.sync()
    endings(root, "\r\n")
    result = ws.sync()
    assert (result.inserted, result.updated, result.deleted) == (0, 0, 0)
    endings(root, "\r")
    assert Workspace.open(root).sync().updated == 0


def test_section_reuse_on_a_crlf_file_matches_a_whole_parse(make_ws, tmp_path):
    crlf = LEDGER.replace("\n", "\r\n")
    root = make_ws({"specs/t.yaml": SPEC, "docs/a.md": crlf.encode()})
    Workspace.open(root).sync()
    stored = _state(root)[1]
    assert sum(p[1] for p in stored) == len(LEDGER.encode())   # sections measured in LF bytes
    edited = LEDGER.replace(section(7), section(7, "done")).replace("\n", "\r\n")
    (root / "docs" / "a.md").write_bytes(edited.encode())
    result = Workspace.open(root).sync()
    assert (result.updated, result.unchanged, result.changes[0].strategies) == (1, 19, {"sections": 1})
    _check_against_a_whole_parse(root, tmp_path)
