"""`syncspec preview SPEC [FILE]`: the records a spec extracts, for spec authors."""

from __future__ import annotations

import difflib
import json

from ..errors import SourceError, SpecError, Problem
from ._common import open_workspace, raise_problems

EXAMPLE = "syncspec preview build_history docs/BUILD_HISTORY.md -n 5 --why"
DESCRIPTION = ("show the records a spec extracts from its files. With --json the output is JSON Lines: one "
               "record per line (and, if it fails, one error object as the last line); notes go to stderr")


def add_arguments(parser) -> None:
    parser.add_argument("spec_name", metavar="SPEC", help="the spec's sync name, or its file (specs/x.yaml)")
    parser.add_argument("file", nargs="?", metavar="FILE", help="one file (default: the spec's files)")
    parser.add_argument("-n", "--limit", type=int, default=None, help="at most N records")
    parser.add_argument("-c", "--columns", metavar="A,B", help="the columns to show (default: the first 6 short ones)")
    parser.add_argument("--why", action="store_true",
                        help="for files read by a fallback strategy, say why the strategies before it found nothing")


def run(args, out) -> int:
    return preview(out, open_workspace(args), args.spec_name, args.file, limit=args.limit, columns=args.columns,
                   why=args.why)


def preview(out, ws, spec_name: str, file: str | None = None, *, limit: int | None = None,
            columns: str | None = None, why: bool = False) -> int:
    """Print the records ``spec_name`` extracts (JSON Lines with --json); SourceError lists bad files."""
    from ..preview import fallback_notes

    out.jsonl = True
    pv = ws.preview(spec_name, file, limit)
    if out.as_json:   # JSON lines of records on stdout; notes and problems on stderr
        for rec in pv.records:
            out.stream.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    else:
        spec = ws.specs([spec_name])[0]
        names = [c.name for c in spec.columns]
        shown = [c.strip() for c in columns.split(",") if c.strip()] if columns else _short_columns(
            names, [r["row"] for r in pv.records if r["row"]])
        unknown = [c for c in shown if c not in names]
        if unknown:
            close = difflib.get_close_matches(unknown[0], names, n=1)
            raise SpecError(problems=[Problem(
                f"no column {', '.join(map(repr, unknown))} in spec {spec.name!r} (columns: {', '.join(names)})",
                hint=f"did you mean {close[0]!r}?" if close else "name columns of the spec's target.columns",
                code="SS115")])
        title = f"{spec.name}: {len(pv.records)} record(s) from {len(pv.files)} file(s)"
        if not pv.records:
            out.line(title)
        else:
            out.table(["source", "strategy", *shown],
                      [[f"{r['file']}:{r['line']}", r["strategy"],
                        *[_cell((r["row"] or {}).get(c)) for c in shown]] for r in pv.records], title=title,
                      keep=("source", *spec.key), drop=("strategy",))
    for note in pv.notes + fallback_notes(pv, why):
        if out.as_json:
            out.error(f"note: {note}")
        else:
            out.line(f"note: {note}")
    for warning in pv.warnings:
        out.error(f"warning: {warning.format()}")
    raise_problems(SourceError, pv.problems, out)
    return 0


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
