"""`syncspec render`: write the markdown sections specs declare from their targets' current rows."""

from __future__ import annotations

from ..cli import open_workspace


def add_arguments(parser) -> None:
    parser.add_argument("-s", "--spec", action="append", metavar="NAME", help="only this spec (repeatable)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 6 if a section is stale (for CI)")


def run(args, out) -> int:
    ws = open_workspace(args)
    results = ws.render(args.spec, check=args.check)     # a stale section under --check raises: exit 6
    if out.as_json:
        out.json({"sections": [r.as_dict() for r in results]})
        return 0
    for r in results:
        note = f" ({r.reason})" if r.reason else " (committed)" if r.committed else ""
        out.line(f"{r.state:8} {r.file} [{r.section}] {r.rows} rows{note}")
    if not results:
        out.line("no render sections declared")
    return 0
