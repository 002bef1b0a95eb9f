"""`syncspec sync`: write what changed, all-or-nothing, and record the run."""

from __future__ import annotations

from ..cli import open_workspace
from ._render import add_selection, run_with_progress, show


def add_arguments(parser) -> None:
    add_selection(parser)
    parser.add_argument("--lock-timeout", type=float, metavar="S",
                        help="seconds to wait for another run's lock (exit 5 after)")
    parser.add_argument("--allow-destructive", action="store_true",
                        help="apply table changes that drop columns or change column types "
                             "(refused with exit 1 otherwise)")


def run(args, out) -> int:
    ws = open_workspace(args)
    if not out.as_json:
        out.line(f"syncing {ws.config.project} into {ws.target}")
    result = run_with_progress(out, lambda progress: ws.sync(
        args.spec, max_seconds=args.max_seconds, lock_timeout=args.lock_timeout, progress=progress,
        full=args.full, allow_empty=args.allow_empty, allow_destructive=args.allow_destructive))
    show(out, result, "sync", args.limit)
    return 0
