"""`syncspec verify`: exit 6 when a target has drifted from its sources (every stored value compared);
`--repair` rewrites exactly the drifted rows."""

from __future__ import annotations

from ._common import check_plan, open_workspace, run_with_progress
from ._render import show
from . import plan as _plan

EXAMPLE = "syncspec verify   # in CI: exit 6 if a table differs from the markdown; --repair fixes it"


def add_arguments(parser) -> None:
    _plan.add_arguments(parser)
    parser.add_argument("--repair", action="store_true",
                        help="rewrite exactly the drifted rows, missing keys and orphans (source wins)")


def run(args, out) -> int:
    return verify(out, open_workspace(args), args.spec, max_seconds=args.max_seconds, limit=args.limit,
                  allow_empty=args.allow_empty, targets=args.only, repair=bool(getattr(args, "repair", False)))


def verify(out, ws, only=None, *, max_seconds=None, limit=50, allow_empty=False, targets=None,
           repair=False) -> int:
    """Workspace.verify: missing, extra and edited rows (every stored value, not only the stored hashes);
    CheckFailed (SS601, exit 6) names what drifted; ``repair`` writes exactly that instead."""
    result = run_with_progress(out, lambda progress: ws.verify(
        only, repair=repair, max_seconds=max_seconds, progress=progress, targets=targets, allow_empty=allow_empty))
    if repair:
        show(out, result, "sync", limit)
        out.line("repaired: the targets match their sources" if not result.empty else
                 "no drift: every target matches its sources")
        return 0
    if not (out.as_json and not result.empty):      # a failed check's JSON is the error's
        show(out, result, "plan", limit)
    check_plan(ws, result, out, drift=True)
    out.line("no drift: every target matches its sources")
    return 0
