"""Shared rendering of plans and sync results for people."""

from __future__ import annotations

from ..output import Output
from ._common import key_text

SYMBOL = {"insert": "+", "update": "~", "delete": "-", "mark": "x"}


def render_changes(out: Output, result, verb: str, limit: int | None) -> None:
    out.line(f"target: {result.target}")
    schema = [(cs.spec, change) for cs in result.changes for change in cs.schema_changes]
    if schema:                         # table changes come first: they happen before any row is written
        out.line("schema:")
        for spec, change in schema:
            out.line(f"  {change}  ({spec})", style="red" if "[" in change else "cyan")
    rows = []
    for cs in result.changes:
        strategies = ", ".join(f"{k}: {v}" for k, v in sorted(cs.strategies.items())) or (
            "no records" if cs.parsed else "-")
        rows.append([cs.spec, cs.table, f"{cs.parsed}/{cs.files}", strategies, len(cs.inserts), len(cs.updates),
                     len(cs.deletes) + len(cs.marks), cs.unchanged])
    out.table(["spec", "table", "parsed", "records (strategy)", "insert", "update", "delete", "same"], rows,
              title=f"{verb}:", keep=("spec", "table", "insert", "update", "delete"), wrap=("records (strategy)",))
    for cs in result.changes:
        items: list[tuple[str, str, str]] = []
        items += [("insert", key_text(r.key), f"{r.file}:{r.line}") for r in cs.inserts]
        for r, _ in cs.updates:
            cols = cs.changed.get(r.key)
            items.append(("update", key_text(r.key), f"{r.file}:{r.line}" + (f"  ({', '.join(cols)})" if cols else "")))
        items += [("delete", key_text(k), "") for k, _ in cs.deletes]
        items += [("mark", key_text(k), "(soft delete)") for k, _ in cs.marks]
        shown = items if limit is None else items[:limit]
        for op, key, where in shown:
            out.line(f"  {SYMBOL[op]} {cs.table} {key}  {where}".rstrip(),
                     style={"insert": "green", "update": "yellow"}.get(op, "red"))
        unlisted = sum(cs.omitted)             # a big sync lists its first rows only; the ledger has all
        if len(shown) < len(items) and not unlisted:
            out.line(f"  ... and {len(items) - len(shown)} more (use --limit 0 to list all)")
        elif unlisted:
            out.line(f"  ... and {len(items) - len(shown) + unlisted} more (`syncspec history "
                     f"{(result.run_id or '')[:8]}` lists every row)")
        for problem in cs.warnings:
            out.error(f"warning: {problem.format()}")
    out.line(f"{result.inserted} to insert, {result.updated} to update, {result.deleted} to delete, "
             f"{result.unchanged} unchanged" if verb == "plan" else
             f"{result.inserted} inserted, {result.updated} updated, {result.deleted} deleted, "
             f"{result.unchanged} unchanged in {result.seconds:.2f}s (run {result.run_id})")


def add_selection(parser) -> None:
    parser.add_argument("-s", "--spec", action="append", metavar="NAME", help="only this spec (repeatable)")
    parser.add_argument("--max-seconds", type=float, metavar="S", help="give up (exit 3) after S seconds")
    parser.add_argument("--limit", type=int, default=50, metavar="N",
                        help="list at most N changed rows per spec (0 = all; default 50)")
    parser.add_argument("--all", action="store_true", dest="full",
                        help="parse every file and diff against the target itself, not only files "
                             "changed since the last sync")
    parser.add_argument("--only", action="append", metavar="KIND_OR_NAME",
                        help="only these targets of each spec: a kind (sql, redis) or a workspace target name "
                             "(repeatable, or comma-separated: sql,redis; default: every target)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="let a spec that extracts no records delete all of its rows")


def show(out: Output, result, verb: str, limit_arg: int) -> None:
    """Print a plan or sync result: JSON for machines, the change table for people."""
    limit = None if limit_arg == 0 else limit_arg
    if out.as_json:
        out.json(result.as_dict(limit))
    else:
        render_changes(out, result, verb, limit)
