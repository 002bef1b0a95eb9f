"""`syncspec watch`: sync the specs whose files change (debounced), and interval specs on schedule."""

from __future__ import annotations

EXAMPLE = "syncspec watch   # sync on every save; Ctrl-C stops between runs"


def add_arguments(parser) -> None:
    parser.add_argument("--debounce", type=int, default=1600, metavar="MS",
                        help="gather a burst of file events for at most MS milliseconds (default 1600)")
    parser.add_argument("--quiet-ms", type=int, default=200, metavar="MS",
                        help="a burst ends after MS milliseconds without events (default 200)")
    parser.add_argument("--no-reconcile", action="store_true",
                        help="skip the full sync of every watched spec at start")


def run(args, out) -> int:
    from pathlib import Path

    from ..triggers.watch import stamp, watch_workspace
    from ..workspace import find_root

    root = find_root(Path(args.project) if args.project else None)

    def log(text: str) -> None:
        if out.as_json:
            import json

            out.stream.write(json.dumps({"time": stamp(), "message": text}) + "\n")
        else:
            out.stream.write(f"[{stamp()}] {text}\n")
        out.stream.flush()

    return watch_workspace(root, log, debounce_ms=args.debounce, step_ms=args.quiet_ms,
                           reconcile=not args.no_reconcile)
