"""`invoke stress`: the heavy trust checks, printing figures.

    kills      SIGKILL a `syncspec sync` at a random moment; the target (rows + ledger file states)
               must be exactly as before or exactly as after, and the next sync must converge
    terminate  pg_terminate_backend on the sync's server connection mid-run (PostgreSQL)
    parallel   N processes at once over overlapping --spec selections: no errors but exit 5,
               no lost or doubled rows, verify clean after
    fuzz       hypothesis: random markdown / YAML / JSON sources and random specs through
               Workspace.plan(): nothing but SyncSpecError, ever

Fast versions of each run in the test suite (tests/trust/test_stress_fast.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import Corpus, generate, mutate_fraction

SYNCSPEC = [sys.executable, "-m", "syncspec"]
EXTRA_SPEC = """\
sync: owners
source:
  files: docs/*.md
  records:
    - sections:
        level: 2
        match: '^(?P<entry_id>BUILD-\\d+):?\\s*(?P<title>.*)$'
        fields: [bold]
target:
  table: owners
  key: [entry_id]
  columns:
    entry_id: text
    owner: {type: text, from: fields.owner}
"""


@dataclass
class Figures:
    trials: int = 0
    killed: int = 0
    before: int = 0
    after: int = 0
    partial: int = 0
    not_converged: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self, what: str) -> str:
        return (f"{what}: {self.trials} trials, {self.killed} killed mid-run, {self.before} left as before, "
                f"{self.after} as after, {self.partial} partial, {self.not_converged} failed to converge"
                + (f", errors: {self.errors[:3]}" if self.errors else ""))


def workspace(root: Path, n: int, database: str | None = None) -> Corpus:
    """bench.generate's ledger workspace plus a second spec over the same files (overlapping selections)."""
    corpus = generate(root, n)
    if database:
        (root / "syncspec.yaml").write_text(f"project: bench\ndatabase: {database}\nspecs: specs/\n")
    (root / "specs" / "owners.yaml").write_text(EXTRA_SPEC)
    return corpus


def run(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([*SYNCSPEC, "--project", str(root), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def digest(root: Path) -> str:
    """Rows (keys, hashes and declared values, no timestamps) and the ledger's file states."""
    from syncspec import Workspace
    from syncspec.targets.sql import SqlTarget

    ws = Workspace.open(root)
    target = SqlTarget("database", ws.config.database_url)
    target.open(write=False)
    h = hashlib.sha256()
    try:
        for table, order in (("sot_entries", "entry_id"), ("owners", "entry_id")):
            if not target.db.table_exists(table):
                h.update(b"-")
                continue
            cols = [c.name for c in target.db.get_columns(table) if c.name not in ("created_at", "updated_at")]
            quoted = ", ".join(target.dialect.quote(c) for c in sorted(cols))
            for row in target.db.execute_sql(f"SELECT {quoted} FROM {target.dialect.quote(table)} ORDER BY {order}"):
                h.update(repr(tuple(str(v) for v in row)).encode())
        if target.db.table_exists("syncspec_source_files"):
            for row in target.db.execute_sql("SELECT spec, path, sha256, entries FROM syncspec_source_files "
                                             "ORDER BY spec, path"):
                h.update(repr(tuple(row)).encode())
    finally:
        target.close()
    return h.hexdigest()


def verify_clean(root: Path) -> bool:
    return run(root, "verify").returncode == 0


def kills(trials: int, database: str | None = None, n: int = 2000, seed: int = 7) -> Figures:
    """SIGKILL `syncspec sync` at random points after random edits; before/after digests must hold."""
    rng = random.Random(seed)
    out = Figures()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = workspace(Path(tmp) / "ws", n, database)
        root = corpus.root
        assert run(root, "sync").returncode == 0
        probe = time.monotonic()
        _touch_all(list(corpus.files))
        run(root, "sync", "--all")
        span = max(0.2, time.monotonic() - probe)
        for trial in range(trials):
            out.trials += 1
            mutate_fraction(corpus, tag=trial + 2, fraction=rng.choice((0.01, 0.1, 0.5)))
            before = digest(root)
            proc = subprocess.Popen([*SYNCSPEC, "--project", str(root), "sync"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, span))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                out.killed += 1
            proc.wait()
            middle = digest(root)
            done = run(root, "sync")
            after = digest(root)
            if done.returncode != 0:
                out.errors.append(_first_error(done.stderr) or f"exit {done.returncode}")
            if middle == before:
                out.before += 1
            elif middle == after:
                out.after += 1
            else:
                out.partial += 1
            if not verify_clean(root):
                out.not_converged += 1
    return out


def terminate(trials: int, database: str, n: int = 2000, seed: int = 11) -> Figures:
    """pg_terminate_backend on syncspec's connection mid-run; the next sync must converge."""
    import psycopg2

    rng = random.Random(seed)
    out = Figures()
    admin = psycopg2.connect(database)
    admin.autocommit = True
    with tempfile.TemporaryDirectory() as tmp:
        corpus = workspace(Path(tmp) / "ws", n, database)
        root = corpus.root
        assert run(root, "sync").returncode == 0
        for trial in range(trials):
            out.trials += 1
            mutate_fraction(corpus, tag=trial + 2, fraction=0.5)
            before = digest(root)
            proc = subprocess.Popen([*SYNCSPEC, "--project", str(root), "sync"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 1.5))
            cur = admin.cursor()
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND application_name LIKE 'syncspec %%' AND pid <> pg_backend_pid()")
            out.killed += sum(1 for (ok,) in cur.fetchall() if ok)
            proc.wait()
            middle = digest(root)
            done = run(root, "sync")
            if done.returncode != 0:
                out.errors.append(_first_error(done.stderr) or f"exit {done.returncode}")
            after = digest(root)
            out.before += middle == before
            out.after += middle == after and middle != before
            out.partial += middle not in (before, after)
            out.not_converged += not verify_clean(root)
    admin.close()
    return out


def parallel(processes: int, rounds: int, database: str | None = None, n: int = 1000) -> Figures:
    """``processes`` syncs at once over overlapping spec selections, ``rounds`` times."""
    out = Figures()
    selections = [[], ["--spec", "ledger"], ["--spec", "owners"], ["--spec", "ledger", "--spec", "owners"]]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = workspace(Path(tmp) / "ws", n, database)
        root = corpus.root
        for r in range(rounds):
            if r:
                mutate_fraction(corpus, tag=r + 1, fraction=0.1)
            procs = [subprocess.Popen([*SYNCSPEC, "--project", str(root), "sync", "--lock-timeout", "120",
                                       *selections[i % len(selections)]],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                     for i in range(processes)]
            for p in procs:
                out.trials += 1
                _, err = p.communicate()
                if p.returncode != 0:
                    out.errors.append(_first_error(err) or f"exit {p.returncode}")
            out.not_converged += not verify_clean(root)
            from syncspec import Workspace

            rows = Workspace.open(root).plan(full=True)
            out.partial += not rows.empty
    return out


def fuzz(examples: int, seed: int | None = None) -> Figures:
    """Random sources and specs through plan(): any exception but SyncSpecError is a finding."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from syncspec import SyncSpecError, Workspace

    out = Figures()
    tmp = Path(tempfile.mkdtemp())
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
    markdown = st.lists(st.one_of(
        st.builds(lambda n, t: f"## BUILD-{n}: {t}\n", st.integers(-5, 10**20), text),
        st.builds(lambda k, v: f"**{k}**: {v}\n", text, text),
        st.sampled_from(["```\n", "~~~\n", "<div>\n", "---\n", "| a | b |\n|---|---|\n", "- [x] t\n", "\r", "\x00"]),
        text), max_size=30).map("".join)
    yamlish = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
                           lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(text, c, max_size=4)),
                           max_leaves=20)

    def one(kind: str, body: str, spec: str) -> None:
        out.trials += 1
        root = tmp / f"ws{out.trials}"
        (root / "specs").mkdir(parents=True)
        (root / "docs").mkdir()
        (root / "syncspec.yaml").write_text(f"project: fuzz\ndatabase: sqlite:///{root / 'f.db'}\nspecs: specs/\n")
        (root / "specs" / "s.yaml").write_text(spec)
        (root / "docs" / f"x.{kind}").write_text(body, encoding="utf-8", errors="surrogatepass")
        try:
            Workspace.open(root).plan()
        except SyncSpecError:
            pass
        except Exception as exc:  # noqa: BLE001 - the finding
            out.errors.append(f"{kind}: {type(exc).__name__}: {str(exc)[:120]}")
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def spec_for(kind: str) -> str:
        strategy = {"md": "- sections: {level: 2, match: '^(?P<entry_id>BUILD-\\S+):?\\s*(?P<title>.*)$'}",
                    "json": "- json: {pointer: '/*'}", "yaml": "- yaml: {pointer: '/*'}"}[kind]
        return (f"sync: s\nsource:\n  files: docs/x.{kind}\n  records:\n    {strategy}\n"
                "target:\n  table: t\n  key: [k]\n  columns:\n    k: {type: text, from: $key}\n    v: {type: json, from: $value}\n")

    budget = settings(max_examples=examples, deadline=None, derandomize=seed is not None,
                      suppress_health_check=list(HealthCheck), database=None)

    @budget
    @given(markdown)
    def md(body: str) -> None:
        one("md", body, "sync: s\nsource:\n  files: docs/x.md\n  records:\n    - sections: {level: 2, match: "
                        "'^(?P<entry_id>BUILD-\\S+):?\\s*(?P<title>.*)$', fields: [bold]}\ntarget:\n  table: t\n"
                        "  key: [entry_id]\n  columns:\n    entry_id: text\n    title: text\n"
                        "    n: {type: integer, from: fields.n}\n    d: {type: date, from: fields.d}\n")

    @budget
    @given(yamlish)
    def documents(value: object) -> None:
        one("json", json.dumps(value, allow_nan=True), spec_for("json"))
        import yaml

        one("yaml", yaml.safe_dump(value, allow_unicode=True), spec_for("yaml"))

    @budget
    @given(st.dictionaries(st.sampled_from(["sync", "source", "target", "hash", "on_missing", "trigger", "x"]),
                           yamlish, max_size=6))
    def specs(doc: dict) -> None:
        import yaml

        one("md", "## BUILD-1: x\n", yaml.safe_dump(doc, allow_unicode=True))

    for test in (md, documents, specs):
        try:
            test()
        except Exception as exc:  # noqa: BLE001 - a hypothesis-level failure is a finding too
            out.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _first_error(stderr: str) -> str | None:
    for line in stderr.splitlines():
        if line.startswith("error") or "Error" in line:
            return line.strip()[:300]
    return stderr.strip().splitlines()[-1][:300] if stderr.strip() else None


def _touch_all(files: list[Path]) -> None:
    now = time.time()
    for f in files:
        os.utime(f, (now, now))


def main(kill_trials: int = 200, pg_trials: int = 50, processes: int = 8, fuzz_examples: int = 33_334,
         pg_url: str | None = None) -> int:
    """Print every figure; exit 1 when anything partial, unconverged or unexpected was seen."""
    bad = 0
    sqlite = kills(kill_trials)
    print(sqlite.line("SIGKILL, SQLite"), flush=True)
    bad += sqlite.partial + sqlite.not_converged
    para = parallel(processes, 5)
    print(para.line(f"{processes} concurrent processes, SQLite"), flush=True)
    bad += para.partial + para.not_converged + len(para.errors)
    if pg_url:
        pg = kills(pg_trials, pg_url)
        print(pg.line("SIGKILL, PostgreSQL"), flush=True)
        term = terminate(max(1, pg_trials // 2), pg_url)
        print(term.line("pg_terminate_backend, PostgreSQL"), flush=True)
        pp = parallel(processes, 5, pg_url)
        print(pp.line(f"{processes} concurrent processes, PostgreSQL"), flush=True)
        bad += pg.partial + pg.not_converged + term.partial + term.not_converged
        bad += pp.partial + pp.not_converged + len(pp.errors)
    found = fuzz(fuzz_examples)
    print(f"fuzz: {found.trials} inputs (markdown, JSON, YAML sources and specs), "
          f"{len(found.errors)} exceptions other than SyncSpecError" +
          (f": {found.errors[:5]}" if found.errors else ""), flush=True)
    bad += len(found.errors)
    return 1 if bad else 0
