"""`syncspec verify`: exit 6 when a target has drifted from its sources."""

from __future__ import annotations

from . import plan as _plan


def add_arguments(parser) -> None:
    _plan.add_arguments(parser)
    parser.add_argument("--repair", action="store_true",
                        help="rewrite exactly the drifted rows, missing keys and orphans (source wins)")


def run(args, out) -> int:
    if getattr(args, "repair", False):
        return _repair(args, out)
    args.check = True
    args.full = True    # drift means the target itself, not the ledger's memory of it
    code = _plan.run(args, out)
    if code == 6:
        out.error("drift: the targets differ from the sources (run `syncspec sync` to update them)")
    else:
        out.line("no drift: every target matches its sources")
    return code


def _repair(args, out) -> int:
    """verify --repair: the same comparison, then the drifted rows written (exit 0 once repaired)."""
    from ..cli import open_workspace
    from ._render import run_with_progress, show

    ws = open_workspace(args)
    result = run_with_progress(out, lambda progress: ws.verify(args.spec, repair=True, max_seconds=args.max_seconds,
                                                               progress=progress))
    show(out, result, "sync", args.limit)
    if not out.as_json:
        out.line("repaired: the targets match their sources" if not result.empty else
                 "no drift: every target matches its sources")
    return 0
