"""`syncspec search "query"`: the entries nearest to a query in the vector targets."""

from __future__ import annotations

from ..cli import open_workspace


def add_arguments(parser) -> None:
    parser.add_argument("query", help="what to look for, in words")
    parser.add_argument("-s", "--spec", metavar="NAME", help="only this spec's entries")
    parser.add_argument("-n", "--limit", type=int, default=10, metavar="N", help="how many matches (default 10)")


def run(args, out) -> int:
    ws = open_workspace(args)
    hits = ws.search(args.query, spec=args.spec, limit=args.limit)
    if out.as_json:
        out.json([h.as_dict() for h in hits])
        return 0
    out.table(["score", "spec", "key", "title", "source"],
              [[f"{h.score:.3f}", h.spec, "/".join(map(str, h.key)), (h.title or "")[:60], h.where] for h in hits])
    if not hits:
        out.line("no matches (has the spec been synced? `syncspec sync`)")
    return 0
