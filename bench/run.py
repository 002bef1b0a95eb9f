"""Benchmark runner (`invoke bench`): syncspec against the regex+sqlite3 floor, a key+hash diff and sqlite-utils."""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from .baselines import (dlt_available, dlt_merge, raw_sqlite_diff_upsert, raw_sqlite_upsert, regex_parse,
                        row_mismatches, sqlite_utils_upsert, syncspec_parse)
from .generate import events_per_entry, generate, mutate_fraction, mutate_one, reset_derived

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / ".data"
LARGE = 1_000_000
DLT_MAX = 10_000   # dlt's merge no-op took > 265 s at 100k entries when calibrated: run it up to here
GOAL_N = 100_000   # the size the goals are stated at
SINGLE_N = 100_000  # entries of the one-file scenario (~115 MB in one file)
# what --only can pick: syncspec itself, the regex floor (+ key+hash diff), sqlite-utils, dlt, PostgreSQL,
# and the one-big-file scenario
GROUPS = ("syncspec", "floor", "su", "dlt", "pg", "single")

# (key, label, unit); baselines include the regex parse of every file ("parse + write").
SCENARIOS = [
    ("syncspec.cold", "syncspec cold (empty db)", "s"),
    ("syncspec.noop", "syncspec no-op", "s"),
    ("syncspec.noop_proc", "syncspec no-op, fresh process", "s"),
    ("syncspec.noop_all", "syncspec --all no-op (full re-check)", "s"),
    ("syncspec.pct1", "syncspec 1% changed", "s"),
    ("syncspec.one", "syncspec 1 entry changed", "s"),
    ("syncspec.cold_rss", "syncspec cold peak RSS", "MB"),
    ("syncspec.cold_us", "syncspec cold per entry", "us"),
    ("syncspec.import", "syncspec import (child)", "s"),
    ("single.cold", "one file of all entries: syncspec cold (child)", "s"),
    ("single.one", "one file: 1 entry changed (child)", "s"),
    ("single.cold_rss", "one file: cold peak RSS (child)", "MB"),
    ("single.mb", "one file: its size", "MB"),
    ("floor.parse", "regex parse only", "s"),
    ("floor.cold", "floor: regex + executemany, cold", "s"),
    ("floor.noop", "floor no-op", "s"),
    ("floor.pct1", "floor 1% changed", "s"),
    ("floor.one", "floor 1 entry changed", "s"),
    ("diff.cold", "raw key+hash diff, cold", "s"),
    ("diff.noop", "raw key+hash diff, no-op", "s"),
    ("diff.pct1", "raw key+hash diff, 1%", "s"),
    ("diff.one", "raw key+hash diff, 1 entry", "s"),
    ("su.cold", "sqlite-utils upsert_all, cold", "s"),
    ("su.ours", "sqlite-utils fed by syncspec's parser, cold", "s"),
    ("su.noop", "sqlite-utils no-op", "s"),
    ("su.pct1", "sqlite-utils 1% changed", "s"),
    ("su.one", "sqlite-utils 1 entry changed", "s"),
    ("dlt.cold", "dlt merge into SQLite, cold", "s"),
    ("dlt.noop", "dlt merge no-op", "s"),
    ("pg.floor", "PostgreSQL floor: regex + COPY, cold", "s"),
    ("syncspec.pg_cold", "syncspec cold into PostgreSQL", "s"),
    ("gen", "generate workspace", "s"),
    ("corpus_mb", "corpus size", "MB"),
    ("events", "pyromark events per entry", "ev"),
]
RATIOS = [  # (label, numerator, denominator)
    ("syncspec/floor cold", "syncspec.cold", "floor.cold"),
    ("syncspec/floor no-op", "syncspec.noop", "floor.noop"),
    ("syncspec/floor 1%", "syncspec.pct1", "floor.pct1"),
    ("syncspec/raw diff 1%", "syncspec.pct1", "diff.pct1"),
    ("syncspec/floor 1 entry", "syncspec.one", "floor.one"),
    ("syncspec/raw diff no-op", "syncspec.noop", "diff.noop"),
    ("syncspec --all/raw diff no-op", "syncspec.noop_all", "diff.noop"),
    ("syncspec/sqlite-utils cold", "syncspec.cold", "su.cold"),
    ("syncspec/sqlite-utils on our parse, cold", "syncspec.cold", "su.ours"),
    ("syncspec/sqlite-utils no-op", "syncspec.noop", "su.noop"),
    ("syncspec/sqlite-utils 1%", "syncspec.pct1", "su.pct1"),
    ("syncspec/sqlite-utils 1 entry", "syncspec.one", "su.one"),
    ("syncspec/dlt cold", "syncspec.cold", "dlt.cold"),
    ("syncspec/dlt no-op", "syncspec.noop", "dlt.noop"),
    ("syncspec/COPY floor, PostgreSQL cold", "syncspec.pg_cold", "pg.floor"),
]


def timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - t0, value


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


@contextmanager
def cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def syncspec_status() -> str | None:
    """None when the library API is usable, else why not."""
    try:
        from syncspec import Workspace
        Workspace.open  # noqa: B018
        return None
    except (ImportError, AttributeError) as exc:
        return f"{type(exc).__name__}: {exc}"


def counts(result) -> dict:
    return {k: int(getattr(result, k)) for k in ("inserted", "updated", "deleted", "unchanged")}


def syncspec_inproc(root: Path, full: bool = False, database_url: str | None = None) -> tuple[float, dict]:
    from syncspec import Workspace

    with cwd(root):
        seconds, result = timed(lambda: Workspace.open(root, database_url=database_url).sync(full=full))
    return seconds, counts(result)


CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from syncspec import Workspace
t1 = time.perf_counter()
r = Workspace.open(Path(sys.argv[1])).sync()
t2 = time.perf_counter()
n = {k: int(getattr(r, k)) for k in ("inserted", "updated", "deleted", "unchanged")}
rss = maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
try:  # ru_maxrss survives exec (Linux folds the spawning parent's peak into it): VmHWM is this image's own peak
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
except (OSError, StopIteration):
    pass
print(json.dumps({"import": t1 - t0, "sync": t2 - t1, "rss_mb": rss, "maxrss_mb": maxrss, **n}))
"""


def syncspec_child(root: Path) -> dict:
    """Cold sync in a fresh interpreter: timings and the child's own peak RSS."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root)],
                          cwd=root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"child sync failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "wall": wall}


class Sizer:
    """Runs every scenario for one size; figures are medians of ``repeats`` runs."""

    def __init__(self, n: int, base: Path, repeats: int, use_syncspec: bool, only: frozenset[str] = frozenset(GROUPS),
                 reference_links: bool = True):
        self.n, self.repeats, self.use_syncspec, self.only = n, repeats, use_syncspec and "syncspec" in only, only
        self.reference_links = reference_links
        self.has_syncspec = use_syncspec   # the library works (su.ours and the row check use its parser)
        self.ws, self.base = base / "ws", base
        self.runs: dict[str, list[float]] = defaultdict(list)
        self.problems: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(f"n={self.n}: {what}")
            print(f"  SANITY FAILED: {what}", file=sys.stderr)

    def baseline(self, key: str, write, db: Path, expect: int | None = None) -> None:
        if {"floor": "floor", "diff": "floor", "su": "su", "dlt": "dlt"}[key.split(".")[0]] not in self.only:
            return
        seconds, written = timed(lambda: write(db, regex_parse(self.corpus.files)))
        self.runs[key].append(seconds)
        if expect is not None:
            self.check(written == expect, f"{key}: wrote {written} rows, expected {expect}")

    def syncspec(self, key: str, expect: dict) -> None:
        if not self.use_syncspec:
            return
        try:
            if key == "syncspec.cold":  # fresh interpreter: sync time (no import) and peak RSS
                reset_derived(self.corpus)
                child = got = syncspec_child(self.ws)
                self.runs[key].append(child["sync"])
                self.runs["syncspec.cold_rss"].append(child["rss_mb"])
                self.runs["syncspec.import"].append(child["import"])
            elif key == "syncspec.noop_proc":  # what a git hook pays: start-up, imports, open, sync
                got = syncspec_child(self.ws)
                self.runs[key].append(got["wall"])
            else:
                seconds, got = syncspec_inproc(self.ws, full=key == "syncspec.noop_all")
                self.runs[key].append(seconds)
        except Exception as exc:  # the engine is young: report, keep the baselines going
            self.use_syncspec = False
            self.problems.append(f"n={self.n}: {key}: {type(exc).__name__}: {exc}")
            print(f"  syncspec error in {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return
        for k, v in expect.items():
            self.check(got[k] == v, f"{key}: {k}={got[k]}, expected {v} ({got})")

    def dlt(self) -> None:
        """dlt merge, cold then its no-op, fed by the same regex parse (sizes up to DLT_MAX)."""
        if "dlt" not in self.only:
            return
        why = dlt_available()
        if why is not None or self.n > DLT_MAX:
            print(f"  {why or f'dlt peer skipped above {DLT_MAX:,} entries (minutes per run)'}", file=sys.stderr)
            return
        for i in range(self.repeats):
            db = fresh(self.base / f"dlt{i}.db")
            shutil.rmtree(self.base / f"dlt{i}", ignore_errors=True)
            self.baseline("dlt.cold", lambda path, rows: dlt_merge(path, rows, self.base / f"dlt{i}"), db, self.n)
            self.baseline("dlt.noop", lambda path, rows: dlt_merge(path, rows, self.base / f"dlt{i}"), db, self.n)

    def postgres(self) -> None:
        """Cold sync into a fresh PostgreSQL database beside the COPY floor (skipped without a server)."""
        from . import postgres

        if "pg" not in self.only:
            return
        why = postgres.available()
        if why is not None:
            print(f"  PostgreSQL rows skipped: {why}", file=sys.stderr)
            return
        for _ in range(self.repeats):
            if "floor" in self.only:
                with postgres.database() as url:
                        self.runs["pg.floor"].append(
                        timed(lambda: postgres.copy_floor(url, regex_parse(self.corpus.files)))[0])
            if self.use_syncspec:
                with postgres.database() as url:
                    reset_derived(self.corpus)
                    seconds, got = syncspec_inproc(self.ws, database_url=url)
                    self.runs["syncspec.pg_cold"].append(seconds)
                    self.check(got["inserted"] == self.n, f"syncspec.pg_cold: inserted {got['inserted']}")

    def warm_up(self) -> None:
        """Sync a tiny side workspace in this process so lazy imports don't land in the first timed run;
        check there that the floor's regex parse reads the same rows as syncspec (else the floor is no floor)."""
        if self.has_syncspec:
            warm = generate(self.base / "warm", 300, reference_links=self.reference_links)
            try:
                self.rows_agree(regex_parse(warm.files), syncspec_parse(warm.root), "warm-up corpus (300)")
                if self.use_syncspec:
                    syncspec_inproc(warm.root)
            except Exception as exc:  # reported properly by the timed runs
                print(f"  syncspec warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    def rows_agree(self, floor_rows: list[dict], our_rows: list[dict], what: str) -> None:
        bad = row_mismatches(floor_rows, our_rows)
        self.check(not bad, f"floor and syncspec rows differ on the {what}: " + "; ".join(bad))

    def run(self) -> dict:
        n, floor_db, diff_db, su_db = self.n, self.base / "floor.db", self.base / "diff.db", self.base / "su.db"
        seconds, self.corpus = timed(lambda: generate(self.ws, n, reference_links=self.reference_links))
        self.runs["gen"].append(seconds)
        self.runs["corpus_mb"].append(self.corpus.bytes / 1e6)
        if self.has_syncspec:
            events, sample = events_per_entry(self.corpus)
            self.runs["events"].append(events)
        print(f"n={n}: generated {len(self.corpus.files)} files, {self.corpus.bytes / 1e6:.1f} MB in {seconds:.2f} s"
              + (f", {events:.1f} pyromark events per entry ({sample:,} entries sampled)" if self.has_syncspec else ""))
        zero = {"inserted": 0, "updated": 0, "deleted": 0}
        self.warm_up()
        for rep in range(self.repeats):  # cold
            if "floor" in self.only:
                self.runs["floor.parse"].append(timed(regex_parse, self.corpus.files)[0])
            self.baseline("floor.cold", raw_sqlite_upsert, fresh(floor_db), n)
            self.baseline("diff.cold", raw_sqlite_diff_upsert, fresh(diff_db), n)
            self.baseline("su.cold", sqlite_utils_upsert, fresh(su_db), n)
            if self.has_syncspec and "su" in self.only:     # the same peer fed by our parser (the goal's wording)
                ours, kept = self.base / "su_ours.db", []
                seconds, written = timed(lambda: sqlite_utils_upsert(fresh(ours), kept.append(syncspec_parse(self.ws))
                                                                     or kept[0]))
                self.runs["su.ours"].append(seconds)
                self.check(written == n, f"su.ours: wrote {written} rows, expected {n}")
                if rep == 0:   # every row of the corpus, untimed
                    self.rows_agree(regex_parse(self.corpus.files), kept.pop(), f"{n:,}-entry corpus")
                del kept
            self.syncspec("syncspec.cold", {"inserted": n, "updated": 0, "deleted": 0})
        if self.use_syncspec:
            self.runs["syncspec.cold_us"] = [s / n * 1e6 for s in self.runs["syncspec.cold"]]
        for _ in range(self.repeats):  # no-op
            self.baseline("floor.noop", raw_sqlite_upsert, floor_db, n)
            self.baseline("diff.noop", raw_sqlite_diff_upsert, diff_db, 0)
            self.baseline("su.noop", sqlite_utils_upsert, su_db, n)
            self.syncspec("syncspec.noop", zero)
            self.syncspec("syncspec.noop_proc", zero)
            self.syncspec("syncspec.noop_all", zero)
        for label, mutator, tags in (("pct1", mutate_fraction, range(1, 100)), ("one", mutate_one, range(101, 200))):
            for _, tag in zip(range(self.repeats), tags):
                changed = mutator(self.corpus, tag)
                self.baseline(f"floor.{label}", raw_sqlite_upsert, floor_db, n)
                self.baseline(f"diff.{label}", raw_sqlite_diff_upsert, diff_db, changed)
                self.baseline(f"su.{label}", sqlite_utils_upsert, su_db, n)
                self.syncspec(f"syncspec.{label}", {"inserted": 0, "updated": changed, "deleted": 0})
        self.dlt()
        self.postgres()   # last: it resets the workspace's derived files
        return {k: statistics.median(v) for k, v in self.runs.items() if v}


def single_file(n: int, base: Path, problems: list[str], reference_links: bool = True) -> dict:
    """``n`` entries in one file: cold sync and one edited entry, each in a fresh child (its own peak RSS)."""
    corpus = generate(base / "one", n, per_file=n, reference_links=reference_links)
    mb = corpus.bytes / 1e6
    print(f"one file: {n:,} entries, {mb:.1f} MB")
    out = {"single.mb": mb, "single.n": n}
    try:
        cold = syncspec_child(corpus.root)
        out.update({"single.cold": cold["sync"], "single.cold_rss": cold["rss_mb"]})
        if cold["inserted"] != n:
            problems.append(f"one file: cold inserted {cold['inserted']}, expected {n}")
        changed = mutate_one(corpus, 101)
        one = syncspec_child(corpus.root)
        out["single.one"] = one["sync"]
        if one["updated"] != changed or one["inserted"] or one["deleted"]:
            problems.append(f"one file: 1 entry changed gave {one}")
    except Exception as exc:  # noqa: BLE001 - report, keep the rest
        problems.append(f"one file: {type(exc).__name__}: {exc}")
    return out


def goals(sizes: list[int], figures: dict, large: bool) -> list[dict]:
    """Issue 16's goals, each with the ratio (or figure) measured in this run and met / not met / not run."""
    out: list[dict] = []
    goal_n = GOAL_N if GOAL_N in figures else max(figures)
    at = f"at {goal_n:,}" + ("" if goal_n == GOAL_N else f" (the goal is stated at {GOAL_N:,})")

    def get(n, key):
        return figures.get(n, {}).get(key)

    def add(goal, value, limit, unit, note, below=True):
        if value is None:
            out.append({"goal": goal, "value": None, "limit": limit, "status": "not run", "note": note})
            return
        met = value <= limit if below else value >= limit
        shown = f"{value:.2f}x" if unit == "x" else f"{value * 1000:.1f} ms"
        out.append({"goal": goal, "value": value, "limit": limit, "status": "met" if met else "not met",
                    "note": f"{shown} {note}".strip()})

    def ratio(n, a, b):
        x, y = get(n, a), get(n, b)
        return x / y if x and y else None

    add("cold <= 2.5x the floor (regex + executemany)", ratio(goal_n, "syncspec.cold", "floor.cold"), 2.5, "x",
        f"{at}: syncspec / floor")
    both = [n for n in sizes if get(n, "dlt.cold") and get(n, "syncspec.cold")]
    dn = max(both) if both else None
    add("cold >= 3x faster than dlt merge", ratio(dn, "dlt.cold", "syncspec.cold") if dn else None, 3.0, "x",
        f"at {dn:,}, the largest size dlt ran (up to {DLT_MAX:,}): dlt / syncspec" if dn else
        f"no size ran both (dlt runs only up to {DLT_MAX:,} entries, and not without 'dlt' in --only)", below=False)
    add("cold faster than sqlite-utils fed by syncspec's parser", ratio(goal_n, "syncspec.cold", "su.ours"), 1.0, "x",
        f"{at}: syncspec / sqlite-utils on our parse (< 1 is faster)")
    add("PostgreSQL cold <= 3x COPY", ratio(goal_n, "syncspec.pg_cold", "pg.floor"), 3.0, "x",
        f"{at}: syncspec / regex + COPY")
    add("1% changed <= the floor's incremental path", ratio(goal_n, "syncspec.pct1", "diff.pct1"), 1.0, "x",
        f"{at}: syncspec / raw key+hash diff (regex parse, read hashes, write the changed rows); "
        f"vs the floor re-upserting every row: "
        + (f"{r:.2f}x" if (r := ratio(goal_n, "syncspec.pct1", "floor.pct1")) else "n/a"))
    big, small = get(LARGE, "syncspec.cold_rss"), get(GOAL_N, "syncspec.cold_rss")
    add("peak RSS, 1M entries <= 1.5x the 100k figure", big / small if big and small else None, 1.5, "x",
        f"cold, a fresh child per size: {big:.0f} MB / {small:.0f} MB" if big and small
        else "needs --large and 100000 in --sizes")
    single = next((figures[n] for n in figures if "single.cold_rss" in figures[n]), {})
    add("one file of 100k entries: cold peak RSS <= 2x its size",
        single["single.cold_rss"] / single["single.mb"] if single.get("single.cold_rss") else None, 2.0, "x",
        f"{single['single.cold_rss']:.0f} MB peak (fresh child) / {single['single.mb']:.0f} MB file of "
        f"{single['single.n']:,} entries" if single.get("single.cold_rss") else "")
    add("no-op <= 82 ms (in process)", get(goal_n, "syncspec.noop"), 0.082, "s", at)
    add("1 entry changed <= 120 ms (in process)", get(goal_n, "syncspec.one"), 0.120, "s", at)
    return out


def print_goals(rows: list[dict]) -> None:
    print("\nGoals (issue 16), ratios from this run:")
    width = max(len(r["goal"]) for r in rows)
    for r in rows:
        print(f"  {r['goal']:<{width}}  {r['status']:<8} {r['note']}")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ev":
        return f"{value:.1f}"
    return f"{value:.1f} {unit}" if unit != "x" else f"{value:.2f}x"


def render(sizes: list[int], figures: dict, ratios: dict) -> None:
    headers = ["scenario", *(f"{n:,}" for n in sizes)]
    rows = [[label, *(fmt(figures[n].get(key), unit) for n in sizes)] for key, label, unit in SCENARIOS]
    sep = len(rows)
    rows += [[label, *(fmt(ratios[n].get(label), "x") for n in sizes)] for label, _, _ in RATIOS]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
        print(line(headers))
        print("  ".join("-" * w for w in widths))
        for i, r in enumerate(rows):
            if i == sep:
                print("  ".join("-" * w for w in widths))
            print(line(r))
        return
    table = Table(title="syncspec benchmark (baselines: regex parse + write, same run)")
    table.add_column(headers[0])
    for h in headers[1:]:
        table.add_column(h, justify="right")
    for i, r in enumerate(rows):
        table.add_row(*r, end_section=(i == sep - 1))
    Console().print(table)


def parse_only(only: str | None) -> frozenset[str]:
    """``--only syncspec,floor`` -> those groups (all of GROUPS when empty)."""
    picked = frozenset(g.strip() for g in (only or "").split(",") if g.strip()) or frozenset(GROUPS)
    unknown = picked - set(GROUPS)
    if unknown:
        raise SystemExit(f"--only: unknown {', '.join(sorted(unknown))} (pick from {', '.join(GROUPS)})")
    return picked


def main(sizes=(1000, 10000, 100000), json_path=None, large=False, repeats=None, keep=False, only=None,
         reference_links=True) -> int:
    """Run the benchmark for ``sizes`` (+1,000,000 with ``large``); print a table and the goals; write JSON to
    ``json_path``. ``only``: a comma-separated subset of GROUPS (default: all of them). ``reference_links=False``:
    the corpus writes every link inline (no link reference definitions)."""
    sizes = sorted(set(int(n) for n in sizes) | ({LARGE} if large else set()))
    only = parse_only(only) if isinstance(only, (str, type(None))) else frozenset(only)
    status = syncspec_status()
    print(f"syncspec: n/a ({status})" if status else "syncspec: library API found")
    DATA.mkdir(parents=True, exist_ok=True)
    figures, ratios, runs, problems = {}, {}, {}, []
    for n in sizes:
        base = Path(tempfile.mkdtemp(prefix=f"n{n}-", dir=DATA))
        try:
            sizer = Sizer(n, base, repeats or (3 if n < 100_000 else 1), status is None, only, reference_links)
            figures[n] = sizer.run()
            runs[n], problems = dict(sizer.runs), problems + sizer.problems
        finally:
            if not keep:
                shutil.rmtree(base, ignore_errors=True)
        ratios[n] = {label: figures[n][a] / figures[n][b] for label, a, b in RATIOS
                     if figures[n].get(a) and figures[n].get(b)}
    single_n = max((n for n in sizes if n <= SINGLE_N), default=None)
    if "single" in only and status is None and single_n:   # one big file, at 100k (or the largest size below)
        n = single_n
        base = Path(tempfile.mkdtemp(prefix=f"one{n}-", dir=DATA))
        try:
            figures[n].update(single_file(n, base, problems, reference_links))
        finally:
            if not keep:
                shutil.rmtree(base, ignore_errors=True)
    render(sizes, figures, ratios)
    goal_rows = goals(sizes, figures, large)
    print_goals(goal_rows)
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    if json_path:
        doc = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "syncspec": status or "ok",
            "sizes": sizes, "units": {k: u for k, _, u in SCENARIOS},
            "figures": {str(n): figures[n] for n in sizes}, "ratios": {str(n): ratios[n] for n in sizes},
            "runs": {str(n): runs[n] for n in sizes}, "goals": goal_rows, "only": sorted(only),
            "reference_links": reference_links, "problems": problems,
        }
        Path(json_path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {json_path}")
    return 1 if problems else 0


def cli(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated entry counts")
    ap.add_argument("--large", action="store_true", help="add 1,000,000 entries")
    ap.add_argument("--json", dest="json_path", metavar="FILE", help="write all figures as JSON")
    ap.add_argument("--repeats", type=int, help="runs per scenario (default 3 below 100k, else 1)")
    ap.add_argument("--keep", action="store_true", help="keep generated workspaces under bench/.data/")
    ap.add_argument("--only", metavar="GROUPS", help=f"comma-separated subset of {','.join(GROUPS)} (default: all)")
    ap.add_argument("--inline-links", action="store_true",
                    help="corpus without link reference definitions (every link inline): isolates their cost")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return main(sizes, args.json_path, args.large, args.repeats, args.keep, args.only, not args.inline_links)


if __name__ == "__main__":
    sys.exit(cli())
