"""`syncspec verify`: exit 6 when a target has drifted from its sources (every stored value compared);
`--repair` rewrites exactly the drifted rows."""

from __future__ import annotations

from ..cli import open_workspace
from . import plan as _plan
from ._render import run_with_progress, show


def add_arguments(parser) -> None:
    _plan.add_arguments(parser)
    parser.add_argument("--repair", action="store_true",
                        help="rewrite exactly the drifted rows, missing keys and orphans (source wins)")


def run(args, out) -> int:
    ws = open_workspace(args)
    repair = bool(getattr(args, "repair", False))
    # Workspace.verify, not plan --all: every stored value is compared, not only the stored hashes
    result = run_with_progress(out, lambda progress: ws.verify(
        args.spec, repair=repair, max_seconds=args.max_seconds, progress=progress, allow_empty=args.allow_empty))
    show(out, result, "sync" if repair else "plan", args.limit)
    if repair:
        out.line("repaired: the targets match their sources" if not result.empty else
                 "no drift: every target matches its sources")
        return 0
    if not result.empty:
        out.error("drift: the targets differ from the sources (run `syncspec sync` to update them)")
        return 6
    out.line("no drift: every target matches its sources")
    return 0
