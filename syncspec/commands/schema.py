"""`syncspec schema`: print the JSON Schema editors use, or refresh the workspace's copies (--write)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, Problem
from ._common import open_workspace

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
    from ..spec.schema import COPIES, SPEC_SCHEMA, WORKSPACE_SCHEMA, schema_text

    if write_in is not None:
        ws = write_in
        changed = []
        for copy, name in COPIES.items():
            path = ws.config.specs_dir / copy
            text = schema_text(name)
            if path.exists() and path.read_bytes() == text.encode("utf-8"):
                continue
            _write(path, text)
            changed.append(path.relative_to(ws.root).as_posix())
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
