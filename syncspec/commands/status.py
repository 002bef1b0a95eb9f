"""`syncspec status`: which specs are stale, and when each last synced."""

from __future__ import annotations

from ._common import check_status, open_workspace

EXAMPLE = "syncspec status --check   # exit 6 if a spec is stale or never synced"


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="exit 6 if any spec is stale or never synced")


def run(args, out) -> int:
    return status(out, open_workspace(args), check=args.check)


def status(out, ws, check: bool = False) -> int:
    """Print each spec's state; with ``check`` raise CheckFailed (SS603) naming the stale ones."""
    rows = ws.status()
    last = ws.last_run()
    if check and out.as_json and any(r.state != "current" for r in rows):
        check_status(ws, rows, out)      # the error carries the rows
    if out.as_json:
        out.json({"target": ws.target, "specs": [r.as_dict() for r in rows],
                  "last_run": last.as_dict() if last else None})
    else:
        out.line(f"target: {ws.target}")
        out.table(["spec", "table", "state", "why", "last sync (UTC)", "last +/~/-", "schema v", "trigger",
                   "commit"],
                  [[r.spec, r.table, r.state, r.reason,
                    r.last_sync.strftime("%Y-%m-%d %H:%M:%S") if r.last_sync else "-",
                    "/".join(str(r.last_counts[k]) for k in ("inserted", "updated", "deleted"))
                    if r.last_counts else "-", r.schema_version or "-", ",".join(r.trigger) or "-",
                    (r.last_commit or "-")[:10]] for r in rows],
                  keep=("spec", "table", "state"), wrap=("why",), drop=("schema v", "last +/~/-", "commit", "trigger"))
        if last is not None:
            when = last.created_at.strftime("%Y-%m-%d %H:%M:%S") if last.created_at else "?"
            out.line(f"last run: {last.run_id[:8]} {last.state} at {when} UTC"
                     + (f": {last.error_message.splitlines()[0]}" if last.error_message else ""))
    if check:
        check_status(ws, rows, out)
    return 0
