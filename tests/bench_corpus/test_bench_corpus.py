"""bench/generate.py's corpus: deterministic, about 49 pyromark events per entry, and read the same way by the
regex floor (bench/baselines.py) and by syncspec, before and after the runner's mutations."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.baselines import regex_parse, row_mismatches, syncspec_parse  # noqa: E402
from bench.generate import events_per_entry, generate, mutate_fraction, mutate_one, reset_derived  # noqa: E402
from bench.run import goals  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("bench") / "ws", 500)


def test_deterministic(corpus, tmp_path):
    again = generate(tmp_path / "ws", 500)
    assert [p.read_bytes() for p in again.files] == [p.read_bytes() for p in corpus.files]


def test_rich_entries(corpus):
    text = corpus.files[0].read_text(encoding="utf-8")
    for piece in ("\n### ", "\n- ", "\n  - ", "`", "](https://", "]: https://", "\n```bash\n# ", "**Status**: "):
        assert piece in text, piece
    events, sampled = events_per_entry(corpus)
    assert sampled == 500 and 46 <= events <= 52
    assert 1.05e3 <= corpus.bytes / corpus.n <= 1.25e3


def test_floor_reads_what_syncspec_reads(corpus):
    assert row_mismatches(regex_parse(corpus.files), syncspec_parse(corpus.root)) == []
    assert mutate_fraction(corpus, 1) == 5 and mutate_one(corpus, 101) == 1
    assert row_mismatches(regex_parse(corpus.files), syncspec_parse(corpus.root)) == []
    reset_derived(corpus)


def test_mismatch_is_reported(corpus):
    rows = regex_parse(corpus.files[:1])
    other = [dict(r) for r in rows]
    other[3]["content"] += " changed"
    (bad,) = row_mismatches(rows, other)
    assert bad.startswith(rows[3]["entry_id"] + ": content")


def test_one_big_file(tmp_path):
    one = generate(tmp_path / "one", 300, per_file=300)
    assert len(one.files) == 1
    assert row_mismatches(regex_parse(one.files), syncspec_parse(one.root)) == []


def test_goals_report_every_goal():
    figures = {100_000: {"syncspec.cold": 10.0, "floor.cold": 5.0, "su.ours": 11.0, "syncspec.pct1": 1.0,
                         "diff.pct1": 2.0, "syncspec.noop": 0.05, "syncspec.one": 0.2}}
    rows = {r["goal"]: r["status"] for r in goals([100_000], figures, large=False)}
    assert rows["cold <= 2.5x the floor (regex + executemany)"] == "met"
    assert rows["cold faster than sqlite-utils fed by syncspec's parser"] == "met"
    assert rows["1% changed <= the floor's incremental path"] == "met"
    assert rows["no-op <= 82 ms (in process)"] == "met"
    assert rows["1 entry changed <= 120 ms (in process)"] == "not met"
    assert rows["peak RSS, 1M entries <= 1.5x the 100k figure"] == "not run"
    assert rows["cold >= 3x faster than dlt merge"] == "not run"
    assert len(rows) == 9
