"""`syncspec plan`: parse, validate and diff; print exactly what a sync would change."""

from __future__ import annotations

from ..cli import open_workspace
from ._render import add_selection, run_with_progress, show


def add_arguments(parser) -> None:
    add_selection(parser)
    parser.add_argument("--check", action="store_true", help="exit 6 if anything would change (for CI)")


def run(args, out) -> int:
    ws = open_workspace(args)
    result = run_with_progress(out, lambda progress: ws.plan(
        args.spec, max_seconds=args.max_seconds, progress=progress, details=True, full=args.full,
        allow_empty=args.allow_empty))
    show(out, result, "plan", args.limit)
    for name, why in result.details.get("skipped", {}).items():      # triggers and the stale-commit guard
        out.line(f"skipped {name}: {why}")
    return 6 if args.check and not result.empty else 0
