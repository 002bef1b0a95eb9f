"""`syncspec patch new|plan|apply|status`: reviewed JSON Patch documents applied to the plan file."""

from __future__ import annotations

import argparse

from ..errors import SpecError
from ._common import add_global_options, open_workspace, raise_problems

EXAMPLE = "syncspec patch apply --check   # in CI: exit 6 if a patch is pending"
SUBVERB_EXAMPLES = {"status": "syncspec patch status", "plan": "syncspec patch plan --no-diff",
                    "apply": "syncspec patch apply --check", "new": 'syncspec patch new "Add core state tests"'}

SUBVERBS = {
    "status": "every patch and its state: applied, pending, modified, draft, missing",
    "plan": "pending patches in apply order, what each changes, and conflicts (writes nothing)",
    "apply": "apply pending patches, then write the plan and the ledger atomically (--check: exit 6 if any)",
    "new": "scaffold the next numbered patch document (a draft)",
}
SYMBOL = {"add": "+", "remove": "-", "replace": "~", "move": ">", "copy": "=", "test": "?"}


def add_arguments(parser) -> None:
    parser.epilog = ("without a SUBVERB: status. exit 1: an invalid patch, plan or conflict; 5: another apply "
                     "holds the lock;\n6: pending or edited patches (apply --check). All codes: `syncspec --help`.\n\n"
                     + (parser.epilog or ""))
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="patch_verb", metavar="SUBVERB")
    for name, text in SUBVERBS.items():
        p = sub.add_parser(name, parents=[common], help=text, description=text,
                           epilog=f"example:\n  {SUBVERB_EXAMPLES[name]}")
        if name == "new":
            p.add_argument("title", nargs="+", help="what the patch does (becomes its title and file name)")
        elif name == "plan":
            p.add_argument("--no-diff", action="store_true", help="list operations only, without the plan diff")
        elif name == "apply":
            p.add_argument("--check", action="store_true",
                           help="write nothing; exit 6 if a patch is pending or an applied one was edited (for CI)")
            p.add_argument("--no-mirror", action="store_true", help="do not mirror the ledger into the database")


def run(args, out) -> int:
    return patch(out, open_workspace(args), getattr(args, "patch_verb", None) or "status",
                 title=" ".join(getattr(args, "title", None) or []), diff=not getattr(args, "no_diff", False),
                 check=getattr(args, "check", False), mirror=not getattr(args, "no_mirror", False))


def patch(out, ws, verb: str = "status", *, title: str = "", diff: bool = True, check: bool = False,
          mirror: bool = True) -> int:
    """One patch subverb: new, status, plan or apply (``check``: CheckFailed SS604 if anything is pending)."""
    from ..patches import api

    if verb == "new":
        path = api.new(ws, title)
        rel = path.relative_to(ws.root).as_posix()
        if out.as_json:
            out.json({"file": rel, "id": path.stem})
        else:
            out.line(f"created {rel} (status: draft): add operations and post-conditions, set 'status: ready', "
                     "then `syncspec patch plan`")
        return 0
    if verb == "status":
        st = api.status(ws)
        out.json(st.as_dict()) if out.as_json else _status(out, st)
        return 0
    if verb == "plan":
        planned = api.plan(ws)
        if out.as_json and not planned.problems:
            out.json(planned.as_dict())
        elif not out.as_json:
            _plan(out, planned, diff=diff)
        raise_problems(SpecError, planned.problems, out, result=planned.as_dict())
        return 0
    result = api.apply(ws, check=check, mirror=mirror)
    if out.as_json:
        out.json(result.as_dict())
    else:
        _applied(out, result, check)
    return 0


def _status(out, st) -> None:
    out.line(f"plan: {st.plan}   ledger: {st.ledger}")
    out.table(["id", "state", "priority", "requires", "applied (UTC)", "title"],
              [[p.id, p.state, p.priority or "-", ", ".join(p.requires) or "-", p.applied_at or "-", p.title or ""]
               for p in st.patches])
    counts = {s: len(st.of(s)) for s in ("applied", "pending", "modified", "draft", "missing")}
    out.line(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no patches yet (`syncspec patch new TITLE`)")
    if st.pending:
        out.line(f"apply order: {', '.join(st.pending)}  (`syncspec patch plan` shows what they change)")
    _warn(out, st.warnings)


def _plan(out, planned, diff: bool) -> None:
    st = planned.status
    if not planned.steps:
        out.line(f"{st.plan}: nothing pending ({len(st.of('applied'))} applied)")
    else:
        out.line(f"{st.plan}: {len(planned.steps)} pending, in this order:")
    for n, step in enumerate(planned.steps, 1):
        out.line(f"{n}. {step.id}  {step.title}  ({step.file})")
        for c in step.changes:
            out.line("   " + _change(c), style={"+": "green", "~": "yellow", "-": "red"}.get(SYMBOL[c.op]))
        out.line(f"   {step.post_conditions} post-condition{'s' if step.post_conditions != 1 else ''} hold")
        if diff and step.diff:
            for line in step.diff.splitlines():
                out.line("   " + line, style="green" if line.startswith("+") else "red" if line.startswith("-")
                         else None)
    if planned.reformats:
        out.line(f"note: {st.plan} is not laid out as json.dumps writes it; the first apply reformats the "
                 "whole file (a one-time larger diff)")
    _warn(out, st.warnings)


def _change(c) -> str:
    from ..patches.apply import MISSING, short

    if c.op == "replace":
        return f"~ {c.path}  {short(c.old, 30)} -> {short(c.new, 40)}"
    if c.op == "remove":
        return f"- {c.path}  (was {short(c.old, 50)})"
    if c.op in ("move", "copy"):
        return f"{SYMBOL[c.op]} {c.from_} -> {c.path}"
    if c.op == "test":
        return f"? {c.path} == {short(c.new, 50)}"
    replaced = f"  (replaces {short(c.old, 30)})" if c.old is not MISSING else ""
    return f"+ {c.path}  {short(c.new, 60)}{replaced}"


def _applied(out, result, check: bool) -> None:
    st = result.status
    if check:
        out.line(f"{st.plan}: nothing pending, no applied patch edited ({len(st.of('applied'))} applied)")
    elif not result.applied:
        out.line(f"{st.plan}: nothing to apply ({len(st.of('applied'))} applied)")
    else:
        for step in result.steps:
            out.line(f"applied {step.id}: {len(step.changes)} operations, {step.post_conditions} post-conditions "
                     "hold", style="green")
        out.line(f"wrote {st.plan} and {st.ledger} ({len(result.applied)} patch"
                 f"{'es' if len(result.applied) != 1 else ''}); commit them with the patches")
        if result.mirrored:
            out.line(f"mirrored {result.mirrored} ledger row{'s' if result.mirrored != 1 else ''} into "
                     "syncspec_patches")
    if result.warning:
        out.error(f"warning: ledger not mirrored into the database: {result.warning}\n"
                  "    the plan and the ledger file are written and canonical; the next apply retries the mirror")
    _warn(out, st.warnings)


def _warn(out, warnings) -> None:
    for text in warnings:
        out.error(f"warning: {text}")

