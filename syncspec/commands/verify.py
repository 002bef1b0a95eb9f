"""`syncspec verify`: exit 6 when a target has drifted from its sources."""

from __future__ import annotations

from . import plan as _plan
from ._common import open_workspace

EXAMPLE = "syncspec verify   # in CI: exit 6 if a table differs from the markdown"


def add_arguments(parser) -> None:
    _plan.add_arguments(parser)


def run(args, out) -> int:
    return verify(out, open_workspace(args), args.spec, max_seconds=args.max_seconds, limit=args.limit,
                  allow_empty=args.allow_empty, targets=args.only)


def verify(out, ws, only=None, *, max_seconds=None, limit=50, allow_empty=False, targets=None) -> int:
    """Diff every file against the target itself; CheckFailed (SS601, exit 6) names what drifted."""
    # drift means the target itself, not the ledger's memory of it: full=True
    _plan.plan(out, ws, only, max_seconds=max_seconds, limit=limit, full=True, allow_empty=allow_empty,
               check=True, drift=True, targets=targets)
    out.line("no drift: every target matches its sources")
    return 0
