"""`syncspec preview SPEC [FILE]`: the records a spec extracts, for spec authors."""

from __future__ import annotations

import json

from ..cli import open_workspace


def add_arguments(parser) -> None:
    parser.add_argument("spec_name", metavar="SPEC", help="the spec's sync name")
    parser.add_argument("file", nargs="?", metavar="FILE", help="one file (default: the spec's files)")
    parser.add_argument("-n", "--limit", type=int, default=None, help="at most N records")


def run(args, out) -> int:
    ws = open_workspace(args)
    pv = ws.preview(args.spec_name, args.file, args.limit)
    if out.as_json:
        for rec in pv.records:
            out.stream.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    else:
        columns = [c for c in next((r["row"] for r in pv.records if r["row"]), {}) or {}]
        shown = [c for c in columns if c not in ("content", "body", "metadata")][:6]
        out.table(["source", "strategy", *shown],
                  [[f"{r['file']}:{r['line']}", r["strategy"],
                    *[_cell((r["row"] or {}).get(c)) for c in shown]] for r in pv.records],
                  title=f"{args.spec_name}: {len(pv.records)} record(s)")
        for column, count in pv.missing.items():
            out.line(f"note: column {column!r} has no value in {count} of {len(pv.records)} record(s)")
    for problem in pv.problems:
        out.error(problem.format())
    return 1 if pv.problems else 0


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
