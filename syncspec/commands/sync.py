"""`syncspec sync`: write what changed, all-or-nothing, and record the run."""

from __future__ import annotations

from ._common import open_workspace, run_with_progress
from ._render import add_selection, show

EXAMPLE = "syncspec sync --spec build_history --max-seconds 60"


def add_arguments(parser) -> None:
    add_selection(parser)
    parser.add_argument("--lock-timeout", type=float, metavar="S",
                        help="seconds to wait for another run's lock (exit 5 after)")
    parser.add_argument("--allow-destructive", action="store_true",
                        help="apply table changes that drop columns or change column types "
                             "(refused with exit 1 otherwise)")


def run(args, out) -> int:
    return sync(out, open_workspace(args), args.spec, max_seconds=args.max_seconds, lock_timeout=args.lock_timeout,
                limit=args.limit, full=args.full, allow_empty=args.allow_empty,
                allow_destructive=args.allow_destructive, targets=args.only)


def sync(out, ws, only=None, *, max_seconds=None, lock_timeout=None, limit=50, full=False, allow_empty=False,
         allow_destructive=False, targets=None) -> int:
    """Sync and print what was written (the invoke task calls this)."""
    if not out.as_json:
        out.line(f"syncing {ws.config.project} into {ws.target}")
    result = run_with_progress(out, lambda progress: ws.sync(
        only, max_seconds=max_seconds, lock_timeout=lock_timeout, progress=progress, full=full,
        allow_empty=allow_empty, allow_destructive=allow_destructive, targets=targets))
    show(out, result, "sync", limit)
    return 0
