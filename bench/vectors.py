"""Vector target figures (`invoke bench-vectors`): embedding + upsert throughput into local-mode Qdrant.

For each embedder: a cold sync of N synthetic ledger entries into a Qdrant collection only
(parse + embed + upsert), the embedding alone over the same texts, a no-op re-sync and a
one-entry re-sync (which embeds one text). Run: ``python -m bench.vectors [--entries N]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

from .generate import SPEC_YAML, generate, mutate_one

VECTOR_TARGET = """\
target:
  kind: qdrant
  use: vectors
  table: sot_entries
  text: [title, content]
  embedder: {embedder}
"""


def _workspace(root: Path, n: int, embedder: str):
    corpus = generate(root, n)
    spec = SPEC_YAML.replace("target:\n  table: sot_entries\n", VECTOR_TARGET.format(embedder=embedder))
    (root / "specs" / "ledger.yaml").write_text(spec, encoding="utf-8")
    (root / "syncspec.yaml").write_text("project: bench\nspecs: specs/\ntargets:\n  vectors: {kind: qdrant}\n",
                                        encoding="utf-8")
    return corpus


def measure(n: int, embedder: str) -> dict[str, float]:
    """Seconds and rates for one embedder over ``n`` entries (a fresh workspace in a temp folder)."""
    from syncspec import Workspace
    from syncspec.targets.embedders import embedder_for

    with tempfile.TemporaryDirectory(prefix="syncspec-vectors-") as tmp:
        corpus = _workspace(Path(tmp), n, embedder)
        ws = Workspace.open(corpus.root)
        model = embedder_for(embedder)
        model.embed(["warm up"])                       # model load is not throughput
        texts = [r["row"]["title"] + "\n\n" + (r["row"]["content"] or "")
                 for r in ws.preview("ledger").records if r["row"]]
        t = time.perf_counter()
        for i in range(0, len(texts), 256):
            model.embed(texts[i:i + 256])
        embed_s = time.perf_counter() - t

        t = time.perf_counter()
        cold = Workspace.open(corpus.root).sync()
        cold_s = time.perf_counter() - t
        assert cold.inserted == n, cold.inserted
        t = time.perf_counter()
        noop = Workspace.open(corpus.root).sync()
        noop_s = time.perf_counter() - t
        assert (noop.inserted, noop.updated) == (0, 0)
        mutate_one(corpus, tag=1)
        t = time.perf_counter()
        one = Workspace.open(corpus.root).sync()
        one_s = time.perf_counter() - t
        assert one.updated == 1, one.updated
    return {"entries": n, "embed_s": embed_s, "embed_per_s": len(texts) / embed_s, "cold_sync_s": cold_s,
            "cold_per_s": n / cold_s, "upsert_share_s": max(cold_s - embed_s, 0.0), "noop_s": noop_s,
            "one_changed_s": one_s}


def main(entries: int = 10_000, embedders: tuple[str, ...] = ("hashing", "sentence-transformers"),
         json_path: str | None = None) -> int:
    results: dict[str, dict[str, float] | str] = {}
    for name in embedders:
        if name != "hashing" and importlib.util.find_spec("sentence_transformers") is None:
            results[name] = "skipped: pip install torch==2.13.0 && pip install 'syncspec[embeddings]'"
            print(f"{name}: {results[name]}")
            continue
        r = measure(entries, name)
        results[name] = r
        print(f"{name:>22}: {r['entries']} entries | embed {r['embed_s']:.2f}s ({r['embed_per_s']:.0f}/s) | "
              f"cold sync (parse+embed+upsert) {r['cold_sync_s']:.2f}s ({r['cold_per_s']:.0f}/s) | "
              f"no-op re-sync {r['noop_s']:.2f}s | 1 changed {r['one_changed_s']:.2f}s", flush=True)
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--embedder", action="append", help="hashing, sentence-transformers (repeatable)")
    parser.add_argument("--json", help="write the figures to this file")
    a = parser.parse_args()
    sys.exit(main(a.entries, tuple(a.embedder or ("hashing", "sentence-transformers")), a.json))
