"""The target contract, written once and run over every target kind.

Each test drives a real workspace through the library (``Workspace.sync``/``plan``) and
reads what the target really holds through the Target interface itself, so a new kind
joins by adding one entry to ``KINDS`` below: memory (the reference), SQLite,
PostgreSQL, MariaDB, Redis, a three-node Redis Cluster (started by the suite) and Qdrant (local
mode, a folder per test) today.
"""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest

from syncspec import DuplicateKeyError, MappingError, Workspace
from syncspec.engine import bindings_of
from syncspec.targets import open_target
from syncspec.targets.memory import MemoryTarget

NOTES = """\
# Notes

## N-1: First
**Status**: open

Body one.

## N-2: Second
**Status**: done

Body two.

## N-3: Third
**Status**: open

Body three.
"""

COLUMNS = """\
  key: [note_id]
  columns:
    note_id: text
    title: {type: text, required: true}
    status: {type: text, from: fields.status, choices: [open, done]}
    body: {type: text, from: body}
"""


def _spec(kind: str) -> str:
    head = {"sql": "target:\n  table: notes\n",
            "memory": "target:\n  kind: memory\n  use: mem\n  table: notes\n",
            "redis": "target:\n  kind: redis\n  use: cache\n  table: notes\n",
            "qdrant": "target:\n  kind: qdrant\n  use: vec\n  table: notes\n"}[kind]
    return textwrap.dedent("""\
        sync: notes
        source:
          files: docs/NOTES.md
          records:
            - sections: {level: 2, match: '^(?P<note_id>N-\\d+):\\s*(?P<title>.*)$'}
        """) + head + COLUMNS


@pytest.fixture(params=["memory", "sqlite", "postgresql", "mariadb", "redis", "redis-cluster", "qdrant"])
def kind(request):
    return request.param


@pytest.fixture
def workspace(kind, tmp_path, request):
    """A workspace whose one spec writes into a fresh target of ``kind``."""
    if kind == "memory":
        database = f"sqlite:///{tmp_path / 'unused.db'}"
        extra = f"targets:\n  mem: memory://{uuid.uuid4().hex}\n"
    elif kind in ("redis", "redis-cluster"):
        database = f"sqlite:///{tmp_path / 'unused.db'}"
        url = request.getfixturevalue("redis_url" if kind == "redis" else "redis_cluster_url")
        extra = f"targets:\n  cache: \"{url}\"\n"
    elif kind == "qdrant":
        pytest.importorskip("qdrant_client", reason="pip install 'syncspec[qdrant]'")
        database = f"sqlite:///{tmp_path / 'unused.db'}"
        extra = f"targets:\n  vec: {{kind: qdrant, url: \"qdrant://{tmp_path / 'qdrant'}\"}}\n"     # local mode, own folder
    else:
        database = {"sqlite": f"sqlite:///{tmp_path / 'target.db'}",
                    "postgresql": None, "mariadb": None}[kind] or request.getfixturevalue(
            "pg_url" if kind == "postgresql" else "mysql_url")
        extra = ""
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(f"project: contract\ndatabase: {database}\nspecs: specs/\n{extra}")
    spec = {"redis-cluster": "redis"}.get(kind, kind)
    (root / "specs" / "notes.yaml").write_text(_spec(spec if spec in ("memory", "redis", "qdrant") else "sql"))
    (root / "docs" / "NOTES.md").write_text(NOTES)
    return root


def held(root: Path) -> dict[tuple, str | None]:
    """key -> content hash, as the target itself holds them (read through the Target interface)."""
    ws = Workspace.open(root)
    spec = ws.specs()[0]
    binding = bindings_of(spec)[0]
    found = ws.config.target_url(binding.ref.use)
    assert found is not None
    kind, url = found
    target = open_target(binding.ref.use, binding.ref.kind, url, root)
    target.open(write=False)
    try:
        return {k: v[0] for k, v in target.index(binding).items() if not v[1]}
    finally:
        target.close()


def values(root: Path, key: tuple) -> dict:
    ws = Workspace.open(root)
    binding = bindings_of(ws.specs()[0])[0]
    kind, url = ws.config.target_url(binding.ref.use)  # type: ignore[misc]
    target = open_target(binding.ref.use, binding.ref.kind, url, root)
    target.open(write=False)
    try:
        return target.fetch(binding, [key])[key]
    finally:
        target.close()


def edit(root: Path, old: str, new: str) -> None:
    path = root / "docs" / "NOTES.md"
    path.write_text(path.read_text().replace(old, new))


def test_first_sync_writes_every_entry(workspace):
    result = Workspace.open(workspace).sync()
    assert (result.inserted, result.updated, result.deleted) == (3, 0, 0)
    assert set(held(workspace)) == {("N-1",), ("N-2",), ("N-3",)}
    assert values(workspace, ("N-2",))["status"] == "done"


def test_resync_writes_nothing(workspace):
    Workspace.open(workspace).sync()
    before = held(workspace)
    result = Workspace.open(workspace).sync()
    assert (result.inserted, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 3)
    assert held(workspace) == before


def test_edit_updates_one_and_delete_removes_one(workspace):
    Workspace.open(workspace).sync()
    before = held(workspace)
    edit(workspace, "Body two.", "Body two, edited.")
    edit(workspace, "## N-3: Third\n**Status**: open\n\nBody three.\n", "")
    plan = Workspace.open(workspace).plan()
    assert (plan.inserted, plan.updated, plan.deleted) == (0, 1, 1)
    assert held(workspace) == before              # plan writes nothing
    result = Workspace.open(workspace).sync()
    assert (result.inserted, result.updated, result.deleted) == (0, 1, 1)
    after = held(workspace)
    assert set(after) == {("N-1",), ("N-2",)}
    assert after[("N-1",)] == before[("N-1",)] and after[("N-2",)] != before[("N-2",)]
    assert values(workspace, ("N-2",))["body"].endswith("Body two, edited.")


def test_bad_input_writes_nothing(workspace):
    Workspace.open(workspace).sync()
    before = held(workspace)
    edit(workspace, "Body one.", "Body one, edited.")
    edit(workspace, "**Status**: done", "**Status**: lost")       # not one of the choices
    with pytest.raises(MappingError):
        Workspace.open(workspace).sync()
    assert held(workspace) == before
    edit(workspace, "**Status**: lost", "**Status**: done")
    edit(workspace, "## N-2: Second", "## N-1: Second")            # duplicate key
    with pytest.raises(DuplicateKeyError):
        Workspace.open(workspace).sync()
    assert held(workspace) == before


def test_full_sync_repairs_a_row_removed_behind_its_back(workspace, kind):
    Workspace.open(workspace).sync()
    before = held(workspace)
    ws = Workspace.open(workspace)
    binding = bindings_of(ws.specs()[0])[0]
    kind_, url = ws.config.target_url(binding.ref.use)  # type: ignore[misc]
    target = open_target(binding.ref.use, binding.ref.kind, url, workspace)
    target.open(write=True)
    try:
        with target.session([binding], [binding], False):
            target.delete(binding, [("N-1",)])
    finally:
        target.close()
    assert set(held(workspace)) == {("N-2",), ("N-3",)}
    assert Workspace.open(workspace).plan(full=True).inserted == 1
    result = Workspace.open(workspace).sync(full=True)
    assert result.inserted == 1
    assert held(workspace) == before


def test_history_records_the_runs(workspace):
    Workspace.open(workspace).sync()
    edit(workspace, "Body one.", "Body one, edited.")
    run = Workspace.open(workspace).sync()
    history = Workspace.open(workspace).history()
    assert [r.state for r in history[:2]] == ["succeeded", "succeeded"]
    assert history[0].run_id == run.run_id
    events = Workspace.open(workspace).events(run.run_id)
    assert [(e.event_type, e.key) for e in events] == [("update", ["N-1"])]


def test_memory_store_is_what_the_target_holds(tmp_path):
    """The reference target's own store is readable (what the contract tests tamper with)."""
    name = uuid.uuid4().hex
    t = MemoryTarget("mem", f"memory://{name}")
    t.open(write=True)
    assert MemoryTarget.store(name) == {}
