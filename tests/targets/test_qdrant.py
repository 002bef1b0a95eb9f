"""The Qdrant vector target in local mode: what a sync leaves in a real collection, search, and repair.

Every test has its own Qdrant folder and reads the points back with its own QdrantClient
(closed before the next run: local mode locks its folder per client).
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("qdrant_client", reason="pip install 'syncspec[qdrant]'")

from qdrant_client import QdrantClient, models  # noqa: E402

from syncspec import TargetUnavailable, Workspace  # noqa: E402
from syncspec.cli import main  # noqa: E402
from syncspec.targets import qdrant as qdrant_target  # noqa: E402
from syncspec.targets.embedders import HashingEmbedder  # noqa: E402
from syncspec.targets.qdrant import point_id  # noqa: E402

NOTES = """\
# Notes

## N-1: Retry failed uploads
**Status**: open

Uploads that fail are retried with exponential backoff and jitter, at most five times.

## N-2: Cache invalidation
**Status**: done

The cache is invalidated by content hash, never by timestamps.

## N-3: Database migrations
**Status**: open

Schema migrations run inside a transaction and refuse destructive changes.
"""


def _spec(also: bool, embedder: str = "hashing", text: str = "[title, body]") -> str:
    head = ("target:\n  table: notes\n" if also else "target:\n  kind: qdrant\n  use: vec\n  table: notes\n"
            f"  text: {text}\n  embedder: {embedder}\n")
    tail = f"  also:\n    - {{kind: qdrant, use: vec, text: {text}, embedder: {embedder}}}\n" if also else ""
    return ("sync: notes\nsource:\n  files: docs/NOTES.md\n  records:\n"
            "    - sections: {level: 2, match: '^(?P<note_id>N-\\d+):\\s*(?P<title>.*)$'}\n"
            + head + "  key: [note_id]\n  columns:\n    note_id: text\n    title: {type: text, required: true}\n"
            "    status: {type: text, from: fields.status}\n    body: {type: text, from: body}\n" + tail)


@pytest.fixture
def ws(tmp_path) -> Path:
    """A workspace whose one spec writes only into a local Qdrant folder of its own."""
    return _workspace(tmp_path, also=False)


def _workspace(tmp_path: Path, also: bool) -> Path:
    root = tmp_path / "ws"
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(
        f"project: p\ndatabase: sqlite:///{tmp_path / 't.db'}\nspecs: specs/\n"
        f"targets:\n  vec: {{kind: qdrant, url: \"qdrant://{tmp_path / 'qdrant'}\"}}\n")
    (root / "specs" / "notes.yaml").write_text(_spec(also))
    (root / "docs" / "NOTES.md").write_text(NOTES)
    return root


@contextmanager
def client(root: Path):
    c = QdrantClient(path=str(root.parent / "qdrant"))
    try:
        yield c
    finally:
        c.close()


def points(root: Path, collection: str = "notes") -> dict[str, dict]:
    """point ID -> payload, as the local Qdrant holds them."""
    if not (root.parent / "qdrant" / "meta.json").exists():
        return {}
    with client(root) as c:
        if not c.collection_exists(collection):
            return {}
        found, _ = c.scroll(collection, limit=1000, with_payload=True)
        return {str(p.id): dict(p.payload or {}) for p in found}


def edit(root: Path, old: str, new: str) -> None:
    path = root / "docs" / "NOTES.md"
    path.write_text(path.read_text().replace(old, new))


@pytest.fixture
def embedded(monkeypatch) -> list[str]:
    """Every text the hashing embedder is asked to embed during the test."""
    seen: list[str] = []
    real = HashingEmbedder.embed

    def counting(self, texts):
        seen.extend(texts)
        return real(self, texts)

    monkeypatch.setattr(HashingEmbedder, "embed", counting)
    return seen


def test_sync_writes_one_point_per_entry_with_hash_and_source(ws, embedded):
    result = Workspace.open(ws).sync()
    assert result.inserted == 3 and len(embedded) == 3
    held = points(ws)
    assert set(held) == {point_id("notes", (k,)) for k in ("N-1", "N-2", "N-3")}
    one = held[point_id("notes", ("N-1",))]
    assert one["_key"] == ["N-1"] and one["_spec"] == "notes" and one["title"] == "Retry failed uploads"
    assert one["_file"] == "docs/NOTES.md" and one["_line"] == 3 and len(one["_hash"]) == 16
    with client(ws) as c:
        info = c.get_collection("notes")
    assert list(info.config.params.vectors) == ["hashing-v1-1024"]       # the embedder names the vector


def test_resync_writes_and_embeds_nothing(ws, embedded):
    Workspace.open(ws).sync()
    before = points(ws)
    embedded.clear()
    result = Workspace.open(ws).sync()
    assert (result.inserted, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 3)
    assert embedded == [] and points(ws) == before
    full = Workspace.open(ws).sync(full=True)          # every file parsed, diffed against the points themselves
    assert (full.inserted, full.updated, full.unchanged) == (0, 0, 3) and embedded == []


def test_one_edited_entry_re_embeds_exactly_one_point(ws, embedded):
    Workspace.open(ws).sync()
    before = points(ws)
    embedded.clear()
    edit(ws, "never by timestamps", "never by modification times")
    result = Workspace.open(ws).sync()
    assert (result.inserted, result.updated, result.deleted) == (0, 1, 0)
    assert len(embedded) == 1 and "modification times" in embedded[0]
    after = points(ws)
    changed = [pid for pid in after if after[pid]["_hash"] != before[pid]["_hash"]]
    assert changed == [point_id("notes", ("N-2",))]


def test_a_deleted_entry_loses_its_point(ws):
    Workspace.open(ws).sync()
    edit(ws, NOTES[NOTES.index("## N-3"):], "")
    result = Workspace.open(ws).sync()
    assert result.deleted == 1
    assert set(points(ws)) == {point_id("notes", ("N-1",)), point_id("notes", ("N-2",))}


def test_search_returns_the_best_matching_entry(ws):
    Workspace.open(ws).sync()
    hits = Workspace.open(ws).search("retry uploads with backoff", limit=3)
    assert [h.key for h in hits][0] == ("N-1",)
    best = hits[0]
    assert best.title == "Retry failed uploads" and best.where == "docs/NOTES.md:3" and best.spec == "notes"
    assert best.score > hits[1].score
    assert Workspace.open(ws).search("schema migrations transaction", limit=1)[0].key == ("N-3",)


def test_search_shows_the_line_an_entry_has_now(ws):
    """An entry moved down by an edit above it keeps its point (same content), and search finds its new line."""
    Workspace.open(ws).sync()
    edit(ws, "# Notes\n", "# Notes\n\nAn introduction\nof three lines.\n")
    Workspace.open(ws).sync()
    assert points(ws)[point_id("notes", ("N-2",))]["_line"] == 8      # not rewritten: its content is the same
    hit = Workspace.open(ws).search("cache invalidation", limit=1)[0]
    assert hit.key == ("N-2",) and hit.where == "docs/NOTES.md:11"


def test_point_ids_are_stable_across_runs_and_machines(ws, tmp_path):
    Workspace.open(ws).sync()
    first = set(points(ws))
    import shutil

    shutil.rmtree(tmp_path / "qdrant")                   # lost the index: rebuilt from the sources
    (ws / ".syncspec" / "state.db").unlink()
    Workspace.open(ws).sync()
    assert set(points(ws)) == first
    # UUID5 of spec name and canonical key JSON: the same value on every machine, forever
    assert point_id("notes", ("N-1",)) == str(uuid.uuid5(qdrant_target.POINT_NAMESPACE, 'notes\n["N-1"]'))
    assert point_id("notes", ("N-1",)) == "13fad9ee-0036-5346-986d-090ae787752e"


def test_verify_finds_a_point_deleted_behind_its_back_and_a_full_sync_restores_it(ws, capsys):
    Workspace.open(ws).sync()
    before = points(ws)
    with client(ws) as c:
        c.delete("notes", points_selector=models.PointIdsList(points=[point_id("notes", ("N-2",))]))
    assert len(points(ws)) == 2
    assert main(["--project", str(ws), "verify"]) == 6                # drift: exit 6
    assert "+ qdrant:vec/notes N-2" in capsys.readouterr().out
    result = Workspace.open(ws).sync(full=True)
    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 2)
    assert points(ws) == {**before, point_id("notes", ("N-2",)): points(ws)[point_id("notes", ("N-2",))]}
    assert points(ws)[point_id("notes", ("N-2",))]["_hash"] == before[point_id("notes", ("N-2",))]["_hash"]
    assert main(["--project", str(ws), "verify"]) == 0


def test_a_stale_point_is_found_and_rewritten(ws):
    """A point whose payload hash differs from its source (tampered, or written by an older run) is an update."""
    Workspace.open(ws).sync()
    with client(ws) as c:
        c.set_payload("notes", payload={"_hash": "0" * 16}, points=[point_id("notes", ("N-3",))])
    plan = Workspace.open(ws).plan(full=True)
    assert plan.updated == 1
    Workspace.open(ws).sync(full=True)
    assert points(ws)[point_id("notes", ("N-3",))]["_hash"] != "0" * 16


def test_one_sync_fills_sqlite_and_qdrant(tmp_path):
    root = _workspace(tmp_path, also=True)
    result = Workspace.open(root).sync()
    assert [(cs.table, cs.counts["inserted"]) for cs in result.changes] == [("notes", 3), ("qdrant:vec/notes", 3)]
    with sqlite3.connect(tmp_path / "t.db") as db:
        assert db.execute("SELECT note_id FROM notes ORDER BY note_id").fetchall() == [("N-1",), ("N-2",), ("N-3",)]
    assert len(points(root)) == 3
    assert [h.key for h in Workspace.open(root).search("cache hash", limit=1)] == [("N-2",)]


def test_only_sql_leaves_qdrant_untouched_and_only_qdrant_fills_it(tmp_path, embedded):
    root = _workspace(tmp_path, also=True)
    result = Workspace.open(root).sync(targets=["sql"])
    assert [cs.table for cs in result.changes] == ["notes"]
    assert not (tmp_path / "qdrant").exists() and embedded == []      # never opened, nothing embedded
    result = Workspace.open(root).sync(targets=["qdrant"])
    assert [(cs.table, cs.counts["inserted"]) for cs in result.changes] == [("qdrant:vec/notes", 3)]
    assert len(points(root)) == 3


def test_a_changed_embedder_rebuilds_the_collection(ws, embedded):
    Workspace.open(ws).sync()
    embedded.clear()
    (ws / "specs" / "notes.yaml").write_text(_spec(also=False, embedder="hashing-64"))
    plan = Workspace.open(ws).plan()
    assert any("rebuild collection notes" in n for cs in plan.changes for n in cs.schema_changes)
    result = Workspace.open(ws).sync()
    assert result.inserted == 3 and len(embedded) == 3               # every point re-embedded, none mixed
    with client(ws) as c:
        vectors = c.get_collection("notes").config.params.vectors
        found, _ = c.scroll("notes", limit=10, with_vectors=True)
    assert list(vectors) == ["hashing-v1-64"]
    assert {len(p.vector["hashing-v1-64"]) for p in found} == {64}


def test_changed_text_columns_re_embed_every_point(ws, embedded):
    Workspace.open(ws).sync()
    embedded.clear()
    (ws / "specs" / "notes.yaml").write_text(_spec(also=False, text="body"))
    result = Workspace.open(ws).sync()
    assert result.updated == 3 and len(embedded) == 3 and not any("Retry failed uploads" in t for t in embedded)


def test_on_missing_mark_keeps_the_point_out_of_search(ws):
    spec = ws / "specs" / "notes.yaml"
    spec.write_text(spec.read_text() + "on_missing: mark\n")
    Workspace.open(ws).sync()
    edit(ws, NOTES[NOTES.index("## N-1"):NOTES.index("## N-2")], "")
    result = Workspace.open(ws).sync()
    assert result.deleted == 1                                        # marked
    held = points(ws)[point_id("notes", ("N-1",))]
    assert held["_deleted"] is True
    assert ("N-1",) not in [h.key for h in Workspace.open(ws).search("retry uploads backoff", limit=3)]
    edit(ws, "## N-2", NOTES[NOTES.index("## N-1"):NOTES.index("## N-2")] + "## N-2")
    Workspace.open(ws).sync()
    assert points(ws)[point_id("notes", ("N-1",))]["_deleted"] is False


def test_missing_client_is_exit_4_before_anything_is_written(tmp_path, monkeypatch):
    root = _workspace(tmp_path, also=True)
    monkeypatch.setitem(sys.modules, "qdrant_client", None)          # as if not installed
    with pytest.raises(TargetUnavailable) as err:
        Workspace.open(root).sync()
    assert "pip install 'syncspec[qdrant]'" in err.value.problems[0].hint
    if (tmp_path / "t.db").exists():
        with sqlite3.connect(tmp_path / "t.db") as db:
            assert db.execute("SELECT name FROM sqlite_master WHERE name = 'notes'").fetchall() == []
    assert main(["--project", str(root), "sync"]) == 4


def test_search_cli_prints_score_key_title_and_source(ws, capsys):
    Workspace.open(ws).sync()
    capsys.readouterr()
    assert main(["--project", str(ws), "search", "retry uploads", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "N-1" in out and "Retry failed uploads" in out and "docs/NOTES.md:3" in out
    assert main(["--project", str(ws), "search", "retry uploads", "--spec", "notes", "--json"]) == 0
    import json

    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["key"] == ["N-1"] and hits[0]["line"] == 3 and 0 < hits[0]["score"] <= 1


def test_search_without_a_vector_target_says_how_to_add_one(make_ws):
    from syncspec import ConfigError

    root = make_ws({"specs/n.yaml": _spec(also=True).split("  also:")[0], "docs/NOTES.md": NOTES})
    with pytest.raises(ConfigError) as err:
        Workspace.open(root).search("anything")
    assert "no spec feeds a vector target" in err.value.problems[0].message


def test_the_ledger_examples_vector_target_runs_when_enabled_or_named(ledger_ws, monkeypatch):
    """examples/ledger declares `vectors` with enabled: ${LEDGER_VECTORS:-false}: a plain sync fills only the
    table; naming the target (or LEDGER_VECTORS=1) fills the collection; then the README's search works."""
    monkeypatch.delenv("LEDGER_VECTORS", raising=False)
    monkeypatch.delenv("QDRANT_URL", raising=False)
    plain = Workspace.open(ledger_ws).sync()
    assert {cs.table for cs in plain.changes} == {"sot_entries"}
    assert not (ledger_ws / ".syncspec" / "qdrant").exists()
    named = Workspace.open(ledger_ws).sync(targets=["vectors"])
    assert {cs.table for cs in named.changes} == {"qdrant:vectors/sot_entries"}
    assert named.inserted == plain.inserted
    monkeypatch.setenv("LEDGER_VECTORS", "1")
    both = Workspace.open(ledger_ws).sync()
    assert len(both.changes) == 6 and (both.inserted, both.updated, both.unchanged) == (0, 0, 2 * plain.inserted)
    best = Workspace.open(ledger_ws).search("retry with backoff", limit=3)[0]
    assert (best.key, best.where) == (("autopack", "build", "BUILD-148"), "docs/BUILD_HISTORY.md:336")
    assert Workspace.open(ledger_ws).search("why do point IDs collide", spec="debug_log", limit=1)[0].key[2] == "DBG-008"


def test_a_missing_embeddings_extra_is_exit_4_and_nothing_is_written(tmp_path, monkeypatch):
    root = _workspace(tmp_path, also=True)
    spec = root / "specs" / "notes.yaml"
    spec.write_text(spec.read_text().replace("embedder: hashing", "embedder: sentence-transformers"))
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)   # as if the extra were not installed
    monkeypatch.setattr("syncspec.targets.embedders._MODELS", {})     # nor loaded by an earlier test
    with pytest.raises(TargetUnavailable) as err:
        Workspace.open(root).sync()
    assert "syncspec[embeddings]" in err.value.problems[0].hint
    with sqlite3.connect(tmp_path / "t.db") as db:                    # the SQL session rolled back with it
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'notes'").fetchall() == []
    assert points(root) == {}


def test_a_plain_sync_counts_the_points_and_repairs_a_missing_one(ws):
    """The engine's drift guard: a sync counts the binding's live points (here in the local storage file,
    without loading the collection) against its ledger, and a difference re-checks every file."""
    Workspace.open(ws).sync()
    with client(ws) as c:
        c.delete("notes", points_selector=models.PointIdsList(points=[point_id("notes", ("N-3",))]))
    result = Workspace.open(ws).sync()
    assert (result.inserted, result.updated) == (1, 0)
    assert any("holds 2 rows" in w.message for cs in result.changes for w in cs.warnings)
    assert len(points(ws)) == 3


def test_verify_repair_rewrites_a_payload_edited_behind_its_back(ws):
    Workspace.open(ws).sync()
    with client(ws) as c:                    # same hash, other value: only a value comparison sees it
        c.set_payload("notes", payload={"status": "done"}, points=[point_id("notes", ("N-1",))])
    found = Workspace.open(ws).verify()
    assert found.updated == 1
    Workspace.open(ws).verify(repair=True)
    assert points(ws)[point_id("notes", ("N-1",))]["status"] == "open"
    assert Workspace.open(ws).verify().empty
