"""`syncspec init [DIR]`: scaffold a workspace with a spec editors can complete."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, Problem

WORKSPACE = """\
# yaml-language-server: $schema=specs/syncspec.workspace.schema.json
project: {project}
database: ${{DATABASE_URL:-sqlite:///.syncspec/{project}.db}}
specs: specs/
"""

SPEC = """\
# yaml-language-server: $schema=syncspec.schema.json
sync: notes
description: "Each '## NOTE-n: title' section of docs/NOTES.md becomes a row of table notes."
source:
  files: docs/NOTES.md
  records:
    - sections:
        level: 2
        match: '^(?P<note_id>NOTE-\\d+):?\\s*(?P<title>.*)$'
        fields: [bold, list]
    - table:
        under: '^INDEX$'
        columns: {{ID: note_id, Title: title}}
target:
  table: notes
  key: [project, note_id]
  columns:
    project: {{type: text, value: "{{project}}"}}
    note_id: text
    title: {{type: text, required: true}}
    status: {{type: text, from: fields.status, choices: [open, done], default: open}}
    created: {{type: date, from: fields.created}}
    body: {{type: text, from: body}}
hash: {{algorithm: sha256, length: 16, column: content_hash}}
on_missing: delete
trigger: [change, commit]
"""

NOTES = """\
# Notes

## NOTE-1: Try syncspec
**Status**: open
**Created**: 2026-01-01

Edit this file, then run `syncspec plan` and `syncspec sync`.

## NOTE-2: Read the spec
- Status: done
- Created: 2026-01-02

`specs/notes.yaml` says how these sections become rows.
"""


def add_arguments(parser) -> None:
    parser.add_argument("directory", nargs="?", default=".", help="where to create the workspace (default: .)")
    parser.add_argument("--name", help="project name (default: the folder name)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")


def run(args, out) -> int:
    from ..spec.schema import SPEC_SCHEMA, WORKSPACE_SCHEMA, schema_text

    root = Path(args.directory).resolve()
    project = args.name or root.name.replace("-", "_").replace(" ", "_") or "project"
    files = {
        root / "syncspec.yaml": WORKSPACE.format(project=project),
        root / "specs" / "notes.yaml": SPEC.format(),
        root / "specs" / "syncspec.schema.json": schema_text(SPEC_SCHEMA),
        root / "specs" / "syncspec.workspace.schema.json": schema_text(WORKSPACE_SCHEMA),
        root / "docs" / "NOTES.md": NOTES,
    }
    existing = [p for p in files if p.exists()]
    if existing and not args.force:
        raise ConfigError(problems=[Problem(f"{p.relative_to(root)} already exists", file=str(p),
                                            hint="pass --force to overwrite, or init another folder")
                                    for p in existing])
    path = root
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        path = root / ".gitignore"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        if ".syncspec/" not in lines:
            path.write_text("\n".join(lines + [".syncspec/"]) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(problems=[Problem(f"cannot create it: {exc.strerror or exc}",
                                            file=str(exc.filename or path),
                                            hint="init a folder you can write to (syncspec init DIR)")]) from None
    if out.as_json:
        out.json({"created": [str(p.relative_to(root)) for p in files]})
    else:
        for path in files:
            out.line(f"created {path.relative_to(root)}")
        out.line("next: syncspec plan, then syncspec sync")
    return 0
