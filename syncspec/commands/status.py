"""`syncspec status`: which specs are stale, and when each last synced."""

from __future__ import annotations

from ..cli import open_workspace


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="exit 6 if any spec is stale or never synced")


def run(args, out) -> int:
    ws = open_workspace(args)
    rows = ws.status()
    last = ws.last_run()
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
                    (r.last_commit or "-")[:10]] for r in rows])
        if last is not None:
            when = last.created_at.strftime("%Y-%m-%d %H:%M:%S") if last.created_at else "?"
            out.line(f"last run: {last.run_id[:8]} {last.state} at {when} UTC"
                     + (f": {last.error_message.splitlines()[0]}" if last.error_message else ""))
    stale = [r for r in rows if r.state != "current"]
    return 6 if args.check and stale else 0
