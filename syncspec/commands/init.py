"""`syncspec init [DIR]`: scaffold a workspace with a spec editors can complete."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, Problem

EXAMPLE = "syncspec init my-notes --name notes"
NEXT = {"syncspec preview notes": "the records specs/notes.yaml extracts from docs/NOTES.md",
        "syncspec plan": "what a sync would write (writes nothing)",
        "syncspec sync": "write it into the database"}

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
    return init(out, args.directory, name=args.name, force=args.force)


def init(out, directory: str = ".", *, name: str | None = None, force: bool = False) -> int:
    """Write the scaffold (ConfigError SS114 rather than overwrite), then say what to run next."""
    from ..spec.schema import COPIES, schema_text

    root = Path(directory).resolve()
    project = name or root.name.replace("-", "_").replace(" ", "_") or "project"
    files = {
        root / "syncspec.yaml": WORKSPACE.format(project=project),
        root / "specs" / "notes.yaml": SPEC.format(),
        **{root / "specs" / copy: schema_text(name) for copy, name in COPIES.items()},
        root / "docs" / "NOTES.md": NOTES,
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise ConfigError(problems=[Problem(f"{p.relative_to(root)} already exists", file=str(p),
                                            hint="pass --force to overwrite, or init another folder",
                                            code="SS114")
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
                                            hint="init a folder you can write to (syncspec init DIR)",
                                            code="SS116")]) from None
    here = root == Path.cwd().resolve()
    steps = list(NEXT) if here else [f"{cmd} --project {_quote(directory)}" for cmd in NEXT]
    if out.as_json:
        out.json({"created": [str(p.relative_to(root)) for p in files], "next": steps})
    else:
        for path in files:
            out.line(f"created {path.relative_to(root)}")
        out.line("next:")
        width = max(map(len, steps))
        for cmd, why in zip(steps, NEXT.values()):
            out.line(f"  {cmd.ljust(width)}   # {why}")
    return 0


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)
