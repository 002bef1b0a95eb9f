"""Project tasks: every syncspec verb (this repo is its own workspace), plus test and bench."""

from invoke import Collection, Exit, task

from syncspec.tasks import ns as syncspec_ns


@task(help={"k": "only tests matching this expression"})
def test(c, k=None):
    """Run the test suite."""
    c.run("python -m pytest -q" + (f" -k {k!r}" if k else ""), pty=False)


@task(help={"sizes": "comma-separated entry counts (default 1000,10000,100000)",
            "large": "also run 1,000,000 entries", "json": "write figures to this JSON file",
            "startup": "only the start-up figures (--version, no-op sync, hook) against python -c pass",
            "only": "comma-separated subset of syncspec,floor,su,dlt,pg,single (default: all; e.g. syncspec,floor)"})
def bench(c, sizes="1000,10000,100000", large=False, json=None, startup=False, only=None):
    """Benchmarks: start-up ratios, then syncspec vs the raw sqlite3 floor and sqlite-utils, with ratios."""
    from bench.startup import main as startup_main

    startup_main(["--json", json.replace(".json", ".startup.json")] if json else [])
    if startup:
        return
    from bench.run import main

    code = main(sizes=tuple(int(s) for s in sizes.split(",")), json_path=json, large=large, only=only)
    if code:
        raise Exit(code=code)


@task(help={"sizes": "comma-separated entry counts (default 1000,100000)", "url": "Redis URL (default: local)"})
def bench_redis(c, sizes="1000,100000", url=None):
    """Redis target: hydration of N entries (and its write phase), a no-op resync, render of 100."""
    from bench.redis_bench import main

    code = main(tuple(int(s) for s in sizes.split(",")), url)
    if code:
        raise Exit(code=code)


@task(help={"kills": "SIGKILL trials on SQLite (default 200)", "pg_kills": "SIGKILL trials on PostgreSQL (default 50)",
            "processes": "concurrent processes (default 8)", "fuzz": "hypothesis inputs per kind (default 33334)",
            "pg_url": "a PostgreSQL database to use (default: none, SQLite only)"})
def stress(c, kills=200, pg_kills=50, processes=8, fuzz=33334, pg_url=None):
    """Heavy trust checks: SIGKILL mid-run, pg_terminate_backend, concurrent processes, fuzzing."""
    from bench.stress import main

    code = main(int(kills), int(pg_kills), int(processes), int(fuzz), pg_url)
    if code:
        raise Exit(code=code)


@task(name="bench-vectors", help={"entries": "entries per embedder (default 10000)",
                                   "json": "write figures to this JSON file"})
def bench_vectors(c, entries=10_000, json=None):
    """Vector target: embedding + upsert throughput per embedder, no-op and one-entry re-sync."""
    from bench.vectors import main

    code = main(entries=int(entries), json_path=json)
    if code:
        raise Exit(code=code)


namespace = Collection(test, bench, bench_redis, stress, bench_vectors)
for name, t in syncspec_ns.tasks.items():
    namespace.add_task(t, name)
