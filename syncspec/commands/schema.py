"""`syncspec schema`: print the JSON Schema editors use, or refresh the workspace's copies (--write)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, Problem
from ._common import open_workspace, relative, schema_copies

EXAMPLE = "syncspec schema --write   # refresh specs/syncspec*.schema.json after an upgrade"


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", action="store_true", help="the schema of syncspec.yaml instead")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--write", action="store_true",
                        help="rewrite the schema copies beside the workspace's specs (as `syncspec init` "
                             "wrote them) with this version's schemas")


def run(args, out) -> int:
    return schema(out, workspace=args.workspace, output=args.output,
                  write_in=open_workspace(args) if args.write else None)


def schema(out, *, workspace: bool = False, output: str | None = None, write_in=None) -> int:
    """Print a schema, write it to ``output``, or refresh the copies in workspace ``write_in``."""
    from ..spec.schema import SPEC_SCHEMA, WORKSPACE_SCHEMA, copy_is_current, schema_text

    if write_in is not None:
        changed = []
        for path, name in schema_copies(write_in):
            if copy_is_current(path, name) or not path.parent.is_dir():
                continue
            _write(path, schema_text(name))
            changed.append(relative(write_in, path))
        if out.as_json:
            out.json({"written": changed})
        else:
            out.line("\n".join(f"wrote {rel}" for rel in changed) or "the schema copies are current")
        return 0
    text = schema_text(WORKSPACE_SCHEMA if workspace else SPEC_SCHEMA)
    if output:
        _write(Path(output), text)
        if out.as_json:
            out.json({"written": [output]})
        else:
            out.error(f"wrote {output}")
    else:
        out.stream.write(text)
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(problems=[Problem(f"cannot write the schema: {exc.strerror or exc}", file=str(path),
                                            hint="choose a file in a folder that exists and is writable",
                                            code="SS116")]) from None
