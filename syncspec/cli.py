"""The `syncspec` command: global options, one module per verb, errors -> exit codes.

Exit codes: 0 ok, 1 invalid spec or source input, 2 database/target connection
error, 3 time limit exceeded, 4 target or mode unavailable, 5 lock not acquired,
6 drift or pending changes found by a check. User errors print without a
traceback (use --debug to see one).
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import Sequence

VERBS = {
    "init": "scaffold a workspace (syncspec.yaml, specs/, the JSON Schema)",
    "validate": "check syncspec.yaml and every spec; report all problems",
    "schema": "print the JSON Schema of spec files",
    "plan": "show what a sync would insert, update and delete (writes nothing)",
    "sync": "write what changed into the targets, all-or-nothing",
    "verify": "compare targets with the sources; exit 6 on drift",
    "status": "which specs are stale, and their last sync",
    "history": "recent runs from the ledger (--run ID for its row events)",
    "preview": "show the records a spec extracts from its files",
    "patch": "reviewed JSON Patch documents for the plan file: new, plan, apply [--check], status",
    "render": "write markdown sections from the targets' current rows (--check: exit 6 if stale)",
    "hooks": "git hooks that sync the specs a commit, merge, checkout or rebase changed: install [--uninstall]",
    "watch": "keep targets fresh: sync the specs whose files change, and interval specs on schedule",
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="syncspec",
        description="Sync markdown and JSON sources into SQL tables, declared in YAML specs.",
        epilog="exit codes: 0 ok, 1 invalid spec/source, 2 database error, 3 time limit, "
               "4 target unavailable, 5 lock busy, 6 drift/pending found")
    parser.add_argument("--version", action="version", version=f"syncspec {__version__}")
    _global_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)  # so `syncspec --json plan` and `syncspec plan --json` agree
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, text in VERBS.items():
        p = sub.add_parser(verb, parents=[common], help=text, description=text)
        _module(verb).add_arguments(p)
    return parser


def _global_options(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument("-p", "--project", metavar="DIR", default=default,
                        help="workspace folder (default: walk up from cwd)")
    parser.add_argument("--database-url", metavar="URL", default=default,
                        help="target database URL (overrides syncspec.yaml and DATABASE_URL)")
    parser.add_argument("--json", action="store_true", default=default or False, help="machine-readable output")
    parser.add_argument("--debug", action="store_true", default=default or False, help="show tracebacks")


def _module(verb: str):
    return import_module(f".commands.{verb}", __package__)


def main(argv: Sequence[str] | None = None) -> int:
    from .output import Output

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.verb:
        parser.print_help()
        return 0
    out = Output(as_json=args.json)
    try:
        return int(_module(args.verb).run(args, out) or 0)
    except KeyboardInterrupt:
        out.error("interrupted; nothing was committed")
        return 130
    except BrokenPipeError:
        # the reader went away (`syncspec preview x --json | head`): stop quietly, like other Unix tools
        _silence_stdout()
        return 141
    except Exception as exc:
        from .errors import SyncSpecError

        if args.debug or not isinstance(exc, SyncSpecError):
            raise
        if args.json:
            out.json(exc.as_dict())
        out.error(f"error: {exc}")
        return exc.exit_code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def open_workspace(args):
    """The workspace named by --project / --database-url (shared by every verb)."""
    from .api import Workspace

    return Workspace.open(args.project, database_url=args.database_url)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
