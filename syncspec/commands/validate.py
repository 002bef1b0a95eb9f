"""`syncspec validate`: check syncspec.yaml and every spec, reporting all problems at once."""

from __future__ import annotations

from ..errors import Problem
from ._common import open_workspace, relative, schema_copies

EXAMPLE = "syncspec validate --json   # in CI or an editor hook"


def add_arguments(parser) -> None:
    pass


def run(args, out) -> int:
    return validate(out, open_workspace(args))


def validate(out, ws) -> int:
    """Load every spec (SpecError lists all problems); warn about stale schema copies."""
    from .. import __version__
    from ..spec.schema import copy_is_current

    specs = ws.validate()
    warnings = [w for s in specs for w in s.warnings] + [
        Problem(f"differs from the {name} of syncspec {__version__}: editors complete against a stale schema",
                file=relative(ws, path), hint="run `syncspec schema --write` to refresh it", code="SS117")
        for path, name in schema_copies(ws) if copy_is_current(path, name) is False]
    if out.as_json:
        out.json({"valid": True, "target": ws.target, "warnings": [w.as_dict() for w in warnings],
                  "specs": [{"sync": s.name, "file": s.file, "table": s.table, "key": list(s.key),
                             "strategies": [st.kind for st in s.strategies]} for s in specs]})
    else:
        out.table(["spec", "file", "table", "key", "strategies"],
                  [[s.name, s.file, s.table, ", ".join(s.key), " -> ".join(st.kind for st in s.strategies)]
                   for s in specs], keep=("spec", "table"), wrap=("key", "strategies"), drop=("file",))
        out.line(f"{len(specs)} spec(s) valid; target: {ws.target}")
    for warning in warnings:
        out.error(f"warning: {warning.format()}")
    return 0
