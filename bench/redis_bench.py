"""Redis target figures: hydration of N task-list entries, a no-op resync, render of 100 entries.

    python -m bench.redis_bench [--sizes 1000,100000] [--url redis://127.0.0.1:6379/0]

Each run writes under its own key prefix and deletes those keys afterwards (never FLUSHDB).
"Hydration" is a cold ``sync`` into an empty Redis: parse + map + write, in-process; the write
phase alone (the target's upserts: one Lua script call per batch of 1000) is shown beside it, and
what is left (parse, map, diff, the state database's events and file states: outside the Redis target). Render is
``Workspace.render()`` of a 100-entry section, in-process, after one warm-up call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

STATES = ("ready", "in-progress", "planning", "under-review", "completed", "blocked")
PER_FILE = 1000

SPEC = """\
sync: tasks
source:
  files: docs/tasks-*.md
  records:
    - sections: {level: 2, match: '^(?P<id>PR-\\d+):\\s*(?P<title>.*)$'}
target:
  kind: redis
  use: cache
  key_template: 'pr:{id}:cold_state'
  value: hash
  hot_keys:
    - {template: 'pr:{id}:hot_state', clear_on: [removed, changed]}
  key: [id]
  columns:
    id: text
    title: text
    state: {type: text, from: fields.state}
    owner: {type: text, from: fields.owner}
render:
  - {file: docs/STATUS.md, section: status, template: '- {id}: {state} ({owner}) {hot_state}'}
"""


def workspace(root: Path, url: str, n: int) -> None:
    """A task list of ``n`` entries, 1000 a file (deterministic)."""
    (root / "specs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "syncspec.yaml").write_text(f"project: bench\ndatabase: sqlite:///db.sqlite\nspecs: specs/\n"
                                        f"targets:\n  cache: \"{url}\"\n")
    (root / "specs" / "tasks.yaml").write_text(SPEC)
    for f in range(0, n, PER_FILE):
        parts = [f"# Tasks {f // PER_FILE}\n"]
        for i in range(f, min(n, f + PER_FILE)):
            parts.append(f"\n## PR-{i + 1:06d}: Task number {i + 1}\n**State**: {STATES[i % len(STATES)]}\n"
                         f"**Owner**: agent-{i % 17}\n")
        (root / "docs" / f"tasks-{f // PER_FILE:04d}.md").write_text("".join(parts))
    (root / "docs" / "STATUS.md").write_text("# Status\n\n<!-- syncspec:begin status -->\n"
                                             "<!-- syncspec:end status -->\n")


def _clean(url: str, prefix: str) -> None:
    import redis

    from syncspec.targets.redis import split_prefix

    c = redis.Redis.from_url(split_prefix(url)[0])
    try:
        keys = list(c.scan_iter(match=f"{prefix}*", count=5000))
        for i in range(0, len(keys), 1000):
            c.delete(*keys[i:i + 1000])
    finally:
        c.close()


def hydrate(n: int, base_url: str) -> dict[str, Any]:
    """Seconds for a cold sync of ``n`` entries, its write phase, and a no-op resync."""
    from syncspec import Workspace
    from syncspec.targets.redis import RedisTarget

    prefix = f"syncspec_bench_{uuid.uuid4().hex[:10]}:"
    url = f"{base_url}{'&' if '?' in base_url else '?'}prefix={prefix}"
    tmp = Path(tempfile.mkdtemp(prefix="syncspec-redis-bench-"))
    spent = [0.0]
    upsert = RedisTarget.upsert

    def timed_upsert(self, binding, rows, now):            # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return upsert(self, binding, rows, now)
        finally:
            spent[0] += time.perf_counter() - t

    try:
        workspace(tmp / "ws", url, n)
        RedisTarget.upsert = timed_upsert                   # type: ignore[method-assign]
        t = time.perf_counter()
        result = Workspace.open(tmp / "ws").sync()
        cold = time.perf_counter() - t
        RedisTarget.upsert = upsert                         # type: ignore[method-assign]
        assert result.inserted == n, result.inserted
        t = time.perf_counter()
        again = Workspace.open(tmp / "ws").sync()
        noop = time.perf_counter() - t
        assert again.empty
        return {"entries": n, "hydrate_s": cold, "write_s": spent[0], "noop_resync_s": noop}
    finally:
        RedisTarget.upsert = upsert                         # type: ignore[method-assign]
        _clean(base_url, prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def render_100(base_url: str) -> dict[str, Any]:
    """Milliseconds for ``Workspace.render()`` of a 100-entry section (median of 5, after a warm-up)."""
    from syncspec import Workspace

    prefix = f"syncspec_bench_{uuid.uuid4().hex[:10]}:"
    url = f"{base_url}{'&' if '?' in base_url else '?'}prefix={prefix}"
    tmp = Path(tempfile.mkdtemp(prefix="syncspec-redis-bench-"))
    try:
        workspace(tmp / "ws", url, 100)
        Workspace.open(tmp / "ws").sync()
        ws = Workspace.open(tmp / "ws")
        ws.render()                                          # warm-up: imports, the first write
        times = []
        status = tmp / "ws" / "docs" / "STATUS.md"
        for i in range(5):
            status.write_text(status.read_text().replace("-->\n- PR-000001", "-->\nstale\n- PR-000001", 1))
            t = time.perf_counter()
            [r] = ws.render()
            times.append(time.perf_counter() - t)
            assert r.state == "written" and r.rows == 100, r
        t = time.perf_counter()
        [r] = ws.render()
        unchanged = time.perf_counter() - t
        assert r.state == "current"
        return {"entries": 100, "render_ms": sorted(times)[2] * 1000, "render_unchanged_ms": unchanged * 1000}
    finally:
        _clean(base_url, prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def main(sizes: tuple[int, ...] = (1000, 100000), url: str | None = None) -> int:
    url = url or os.environ.get("SYNCSPEC_TEST_REDIS", "redis://127.0.0.1:6379/0")
    print(f"redis target bench against {url}")
    print(f"{'entries':>8}  {'hydrate (sync)':>14}  {'write phase':>11}  {'the rest':>9}  {'no-op resync':>12}")
    for n in sizes:
        f = hydrate(n, url)
        print(f"{n:>8}  {f['hydrate_s']:>13.2f}s  {f['write_s']:>10.2f}s  {f['hydrate_s'] - f['write_s']:>8.2f}s  "
              f"{f['noop_resync_s']:>11.2f}s")
    r = render_100(url)
    print(f"render 100 entries: {r['render_ms']:.1f} ms (unchanged section: {r['render_unchanged_ms']:.1f} ms)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--url", default=None)
    a = parser.parse_args()
    raise SystemExit(main(tuple(int(s) for s in a.sizes.split(",")), a.url))
