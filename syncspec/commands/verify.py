"""`syncspec verify`: exit 6 when a target has drifted from its sources."""

from __future__ import annotations

from . import plan as _plan


def add_arguments(parser) -> None:
    _plan.add_arguments(parser)


def run(args, out) -> int:
    args.check = True
    args.full = True    # drift means the target itself, not the ledger's memory of it
    code = _plan.run(args, out)
    if code == 6:
        out.error("drift: the targets differ from the sources (run `syncspec sync` to update them)")
    else:
        out.line("no drift: every target matches its sources")
    return code
