"""The plan file keeps its layout (small git diffs) and is replaced atomically; plan and ledger stay consistent."""

from __future__ import annotations

import difflib
import json
import os

import pytest
from conftest import PLAN, config_of

from syncspec.patches import api
from syncspec.patches.jsonfile import atomic_write, detect_format

ONE_VALUE = [{"op": "replace", "path": "/phases/PH-000/estimated_duration_hours", "value": 11.5}]


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(True), after.decode().splitlines(True), n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize("layout", [
    dict(indent=2), dict(indent=4), dict(indent="\t"), dict(indent=2, ensure_ascii=True),
    dict(indent=2, newline="\r\n"), dict(indent=2, trailing=False),
])
def test_one_value_replace_changes_exactly_one_line(make_plan_ws, layout):
    plan = json.loads(json.dumps(PLAN))
    plan["meta"]["name"] = "démo plan"  # non-ASCII: kept as is, or escaped if the file escapes
    text = json.dumps(plan, indent=layout["indent"], ensure_ascii=layout.get("ensure_ascii", False))
    text = text.replace("\n", layout.get("newline", "\n")) + ("" if layout.get("trailing") is False
                                                             else layout.get("newline", "\n"))
    ws = make_plan_ws(plan_text=text)
    ws.patch("001-a", ONE_VALUE)
    before = ws.plan_bytes()
    api.apply(config_of(ws.root), mirror=False)
    after = ws.plan_bytes()
    nl = layout.get("newline", "\n")
    indent = layout["indent"] if isinstance(layout["indent"], str) else " " * layout["indent"]
    assert changed_lines(before, after) == [f'-{indent * 3}"estimated_duration_hours": 9.5,{nl}',
                                            f'+{indent * 3}"estimated_duration_hours": 11.5,{nl}']
    assert list(json.loads(after)) == list(plan)  # key order kept


def test_added_keys_go_last_and_others_keep_their_place(plan_ws):
    plan_ws.patch("001-a", [{"op": "add", "path": "/phases/PH-000/owner", "value": "dana"}])
    api.apply(config_of(plan_ws.root), mirror=False)
    assert list(plan_ws.plan()["phases"]["PH-000"]) == ["name", "estimated_duration_hours", "workstreams", "owner"]


def test_compact_single_line_plan_stays_compact(make_plan_ws):
    ws = make_plan_ws(plan_text=json.dumps(PLAN, separators=(",", ":")))
    ws.patch("001-a", ONE_VALUE)
    api.apply(config_of(ws.root), mirror=False)
    assert ws.plan_bytes() == json.dumps(
        {**PLAN, "phases": {**PLAN["phases"], "PH-000": {**PLAN["phases"]["PH-000"], "estimated_duration_hours": 11.5}}},
        separators=(",", ":")).encode()


def test_hand_formatted_plan_is_flagged_before_it_is_reformatted(make_plan_ws):
    ws = make_plan_ws(plan_text='{"meta": {"name": "x"},\n  "phases": {}, "notes": [1, 2]}\n')
    ws.patch("001-a", [{"op": "add", "path": "/meta/a", "value": 1}])
    assert api.plan(config_of(ws.root)).reformats is True


def test_detect_format():
    fmt = detect_format('{\n    "a": [\n        1\n    ]\n}')
    assert (fmt.indent, fmt.trailing_newline, fmt.newline, fmt.ensure_ascii) == (4, False, "\n", False)
    assert detect_format('{"a": "\\u00e9"}\n').ensure_ascii is True
    assert detect_format('\ufeff{"a": 1}\n').render({"a": 1}) == '\ufeff{"a": 1}\n'


def test_atomic_write_temp_in_same_folder_fsync_then_replace(tmp_path, monkeypatch):
    target = tmp_path / "plan.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(("fsync", fd)), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", str(a), str(b))), real_replace(a, b))[1])
    atomic_write(target, b"new")
    kinds = [c[0] for c in calls]
    assert kinds[0] == "fsync" and kinds[1] == "replace" and kinds[2] == "fsync"  # file, rename, folder
    _, tmp, dest = calls[1]
    assert os.path.dirname(tmp) == str(tmp_path) and dest == str(target)
    assert target.read_bytes() == b"new" and (os.stat(target).st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_atomic_write_failure_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "plan.json"
    target.write_text("old")

    def boom(a, b):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_crash_after_plan_replace_is_rolled_forward(plan_ws, monkeypatch):
    """Killed between writing the plan and renaming the ledger journal: the next apply completes it."""
    plan_ws.patch("001-a", ONE_VALUE)
    real_replace = os.replace

    def crash_on_ledger(a, b):
        if str(b).endswith("applied.json"):
            raise KeyboardInterrupt
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", crash_on_ledger)
    with pytest.raises(KeyboardInterrupt):
        api.apply(config_of(plan_ws.root), mirror=False)
    monkeypatch.setattr(os, "replace", real_replace)
    assert plan_ws.plan()["phases"]["PH-000"]["estimated_duration_hours"] == 11.5
    assert not plan_ws.ledger_path.exists()
    status = api.status(config_of(plan_ws.root))
    assert status.pending == () and "interrupted apply" in status.warnings[0]  # already counted as applied
    plan = plan_ws.plan_bytes()
    assert api.apply(config_of(plan_ws.root), mirror=False).applied == ()
    assert plan_ws.plan_bytes() == plan and [e["id"] for e in plan_ws.ledger()["applied"]] == ["001-a"]
    assert not (plan_ws.root / "patches" / "applied.json.next").exists()


def test_crash_before_plan_replace_is_discarded(plan_ws, monkeypatch):
    """Killed after writing the journal but before the plan: the journal is stale and the patch still pending."""
    plan_ws.patch("001-a", ONE_VALUE)
    before = plan_ws.plan_bytes()
    real_replace = os.replace

    def crash_on_plan(a, b):
        if str(b).endswith("plan.json"):
            raise KeyboardInterrupt
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", crash_on_plan)
    with pytest.raises(KeyboardInterrupt):
        api.apply(config_of(plan_ws.root), mirror=False)
    monkeypatch.setattr(os, "replace", real_replace)
    assert plan_ws.plan_bytes() == before
    status = api.status(config_of(plan_ws.root))
    assert status.pending == ("001-a",) and "left patches/applied.json.next" in status.warnings[0]
    assert api.apply(config_of(plan_ws.root), mirror=False).applied == ("001-a",)
    assert not (plan_ws.root / "patches" / "applied.json.next").exists()
    assert plan_ws.plan()["phases"]["PH-000"]["estimated_duration_hours"] == 11.5


def test_invalid_plan_json_is_located(make_plan_ws, cli):
    ws = make_plan_ws(plan_text='{\n  "meta": {,\n}\n')
    proc = cli("--project", str(ws.root), "patch", "status")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: plans/plan.json:2:12: SS140 invalid JSON: Expecting property name enclosed in "
                                  "double quotes\n")


def test_corrupt_ledger_is_located(plan_ws):
    from syncspec.errors import SourceError

    plan_ws.ledger_path.write_text('{"applied": [{"id": "001-a", "checksum": 5, "applied_at": "x"}]}')
    with pytest.raises(SourceError) as err:
        api.status(config_of(plan_ws.root))
    assert err.value.problems[0].format().startswith(
        "patches/applied.json:1:14: SS140 $.applied[0]: ledger entry 0 needs string values for id, checksum, applied_at")
