"""`syncspec schema`: print (or write) the JSON Schema editors use to check specs."""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", action="store_true", help="the schema of syncspec.yaml instead")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def run(args, out) -> int:
    from ..spec.schema import SPEC_SCHEMA, WORKSPACE_SCHEMA, schema_text

    text = schema_text(WORKSPACE_SCHEMA if args.workspace else SPEC_SCHEMA)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            from ..errors import ConfigError, Problem

            raise ConfigError(problems=[Problem(f"cannot write the schema: {exc.strerror or exc}", file=args.output,
                                                hint="choose a file in a folder that exists and is writable")]) from None
        out.error(f"wrote {args.output}")
    else:
        out.stream.write(text)
    return 0
