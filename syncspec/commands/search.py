"""`syncspec search "query"`: the entries nearest to a query in the vector targets."""

from __future__ import annotations

from ._common import open_workspace

EXAMPLE = 'syncspec search "retry with backoff" --spec build_history --limit 5'


def add_arguments(parser) -> None:
    parser.add_argument("query", help="what to look for, in words")
    parser.add_argument("-s", "--spec", metavar="NAME", help="only this spec's entries")
    parser.add_argument("-n", "--limit", type=int, default=10, metavar="N", help="how many matches (default 10)")


def run(args, out) -> int:
    return search(out, open_workspace(args), args.query, args.spec, args.limit)


def search(out, ws, query: str, spec: str | None = None, limit: int = 10) -> int:
    """Print the best matches: score, spec, key, title and the entry's file:line."""
    hits = ws.search(query, spec=spec, limit=limit)
    if out.as_json:
        out.json([h.as_dict() for h in hits])
        return 0
    out.table(["score", "spec", "key", "title", "source"],
              [[f"{h.score:.3f}", h.spec, "/".join(map(str, h.key)), (h.title or "")[:60], h.where] for h in hits])
    if not hits:
        out.line("no matches (has the spec been synced? `syncspec sync`)")
    return 0
