"""`syncspec validate`: check syncspec.yaml and every spec, reporting all problems at once."""

from __future__ import annotations

from ..cli import open_workspace


def add_arguments(parser) -> None:
    pass


def run(args, out) -> int:
    ws = open_workspace(args)
    specs = ws.validate()
    warnings = [w for s in specs for w in s.warnings]
    for warning in warnings:
        out.error(f"warning: {warning.format()}")
    if out.as_json:
        out.json({"valid": True, "target": ws.target, "warnings": [w.as_dict() for w in warnings],
                  "specs": [{"sync": s.name, "file": s.file, "table": s.table, "key": list(s.key),
                             "strategies": [st.kind for st in s.strategies]} for s in specs]})
        return 0
    out.table(["spec", "file", "table", "key", "strategies"],
              [[s.name, s.file, s.table, ", ".join(s.key), " -> ".join(st.kind for st in s.strategies)]
               for s in specs])
    out.line(f"{len(specs)} spec(s) valid; target: {ws.target}")
    return 0
