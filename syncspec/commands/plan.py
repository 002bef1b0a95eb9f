"""`syncspec plan`: parse, validate and diff; print exactly what a sync would change."""

from __future__ import annotations

from ._common import check_plan, open_workspace, run_with_progress
from ._render import add_selection, show

EXAMPLE = "syncspec plan --spec build_history --check   # exit 6 if a sync would change anything"


def add_arguments(parser) -> None:
    add_selection(parser)
    parser.add_argument("--check", action="store_true", help="exit 6 if anything would change (for CI)")


def run(args, out) -> int:
    return plan(out, open_workspace(args), args.spec, max_seconds=args.max_seconds, limit=args.limit,
                full=args.full, allow_empty=args.allow_empty, check=args.check, targets=args.only)


def plan(out, ws, only=None, *, max_seconds=None, limit=50, full=False, allow_empty=False, check=False,
         drift=False, targets=None) -> int:
    """Plan, print, and with ``check`` raise CheckFailed if anything would change (the invoke task calls this)."""
    result = run_with_progress(out, lambda progress: ws.plan(
        only, max_seconds=max_seconds, progress=progress, details=True, full=full, allow_empty=allow_empty,
        targets=targets))
    if not (check and out.as_json and not result.empty):   # a failed check's JSON is the error's
        show(out, result, "plan", limit)
    for name, why in result.details.get("skipped", {}).items():      # triggers and the stale-commit guard
        out.line(f"skipped {name}: {why}")
    if check:
        check_plan(ws, result, out, drift=drift)
    return 0
