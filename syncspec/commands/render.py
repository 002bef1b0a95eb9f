"""`syncspec render`: write the markdown sections specs declare from their targets' current rows."""

from __future__ import annotations

from ._common import open_workspace

EXAMPLE = "syncspec render --check   # in CI: exit 6 if a rendered section is stale"


def add_arguments(parser) -> None:
    parser.add_argument("-s", "--spec", action="append", metavar="NAME", help="only this spec (repeatable)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 6 if a section is stale (for CI)")


def run(args, out) -> int:
    return render(out, open_workspace(args), args.spec, check=args.check)


def render(out, ws, only=None, *, check=False) -> int:
    """Render (or with ``check`` compare) every declared section; a stale one under check raises (exit 6)."""
    results = ws.render(only, check=check)
    if out.as_json:
        out.json({"sections": [r.as_dict() for r in results]})
        return 0
    for r in results:
        note = f" ({r.reason})" if r.reason else " (committed)" if r.committed else ""
        out.line(f"{r.state:8} {r.file} [{r.section}] {r.rows} rows{note}")
    if not results:
        out.line("no render sections declared")
    return 0
