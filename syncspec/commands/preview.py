"""`syncspec preview SPEC [FILE]`: the records a spec extracts, for spec authors."""

from __future__ import annotations

import difflib
import json

from ..cli import open_workspace
from ..preview import fallback_notes


def add_arguments(parser) -> None:
    parser.add_argument("spec_name", metavar="SPEC", help="the spec's sync name, or its file (specs/x.yaml)")
    parser.add_argument("file", nargs="?", metavar="FILE", help="one file (default: the spec's files)")
    parser.add_argument("-n", "--limit", type=int, default=None, help="at most N records")
    parser.add_argument("-c", "--columns", metavar="A,B", help="the columns to show (default: the first 6 short ones)")
    parser.add_argument("--why", action="store_true",
                        help="for files read by a fallback strategy, say why the strategies before it found nothing")


def run(args, out) -> int:
    ws = open_workspace(args)
    pv = ws.preview(args.spec_name, args.file, args.limit)
    if out.as_json:   # JSON lines of records on stdout; notes and problems on stderr
        for rec in pv.records:
            out.stream.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    else:
        spec = ws.specs([args.spec_name])[0]
        columns = [c.name for c in spec.columns]
        shown = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else _short_columns(
            columns, [r["row"] for r in pv.records if r["row"]])
        unknown = [c for c in shown if c not in columns]
        if unknown:
            close = difflib.get_close_matches(unknown[0], columns, n=1)
            out.error(f"error: no column {', '.join(map(repr, unknown))} in spec {spec.name!r} "
                      f"(columns: {', '.join(columns)})\n    hint: "
                      + (f"did you mean {close[0]!r}?" if close else "name columns of the spec's target.columns"))
            return 1
        title = f"{spec.name}: {len(pv.records)} record(s) from {len(pv.files)} file(s)"
        if not pv.records:
            out.line(title)
        else:
            out.table(["source", "strategy", *shown],
                      [[f"{r['file']}:{r['line']}", r["strategy"],
                        *[_cell((r["row"] or {}).get(c)) for c in shown]] for r in pv.records], title=title)
    for note in pv.notes + fallback_notes(pv, args.why):
        if out.as_json:
            out.error(f"note: {note}")
        else:
            out.line(f"note: {note}")
    for warning in pv.warnings:
        out.error(f"warning: {warning.format()}")
    for problem in pv.problems:
        out.error(problem.format())
    return 1 if pv.problems else 0


def _short_columns(columns: list[str], rows: list[dict]) -> list[str]:
    """Up to 6 columns, in spec order, leaving out those holding long or multi-line text (body, content)."""
    def short(name: str) -> bool:
        return all(len(text := str(row.get(name) or "")) <= 60 and "\n" not in text for row in rows[:50])
    return [c for c in columns if short(c)][:6]


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = "" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."
