"""`syncspec history`: recent runs from the ledger, or one run's row events."""

from __future__ import annotations

from ._common import open_workspace

EXAMPLE = "syncspec history --spec build_history -n 5"


def add_arguments(parser) -> None:
    parser.add_argument("-n", "--limit", type=int, default=20, help="how many runs (default 20)")
    parser.add_argument("-s", "--spec", metavar="NAME", help="only runs that synced this spec")
    parser.add_argument("--run", metavar="RUN_ID", help="list the row events of one run (a unique prefix is enough)")


def run(args, out) -> int:
    return history(out, open_workspace(args), args.limit, args.spec, args.run)


def history(out, ws, limit: int = 20, spec: str | None = None, run: str | None = None) -> int:
    """Print recent runs, or one run's row events."""
    if run:
        events = ws.events(ws.find_run(run))
        if out.as_json:
            out.json([e.as_dict() for e in events])
        else:
            out.table(["#", "op", "table", "key", "old hash", "new hash", "source"],
                      [[e.event_id, e.event_type, e.table, "/".join(map(str, e.key)), e.old_hash, e.new_hash,
                        f"{e.file}:{e.line}" if e.file else ""] for e in events],
                      keep=("op", "table", "key"), drop=("old hash", "new hash"))
        return 0
    runs = ws.history(limit, spec)
    if out.as_json:
        out.json([r.as_dict() for r in runs])
        return 0
    out.line(f"target: {ws.target}")
    out.table(["run", "started (UTC)", "state", "specs", "+", "~", "-", "=", "commit", "error"],
              [[r.run_id[:8], r.created_at.strftime("%Y-%m-%d %H:%M:%S") if r.created_at else "",
                r.state, ", ".join(s.spec for s in r.steps), r.inserted, r.updated, r.deleted, r.unchanged,
                (r.git_commit or "")[:8], (r.error_message or "").splitlines()[0][:60] if r.error_message else ""]
               for r in runs],
              keep=("run", "started (UTC)", "state"), wrap=("specs", "error"), drop=("commit",))
    if not runs:
        out.line("no runs recorded yet (run `syncspec sync`)")
    return 0
