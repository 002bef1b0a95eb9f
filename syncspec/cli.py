"""The `syncspec` command: builds the parser lazily, runs one verb module, maps errors to exit codes.

Each verb lives in ``syncspec/commands/<verb>.py`` (``add_arguments``, ``run``,
``EXAMPLE``); only the verbs named on the command line are imported, so
``syncspec --version`` and git hooks start without jsonschema, peewee or rich.
The exit codes are ``errors.EXIT_CODES``. User errors print without a
traceback (``--debug`` shows one); with ``--json`` every path prints JSON.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from types import ModuleType
from typing import Any, Callable, Sequence

VERBS = {
    "init": "scaffold a workspace (syncspec.yaml, specs/, the JSON Schema)",
    "validate": "check syncspec.yaml and every spec; report all problems",
    "schema": "print the JSON Schema of spec files (--write refreshes the workspace's copies)",
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
    "search": "the entries nearest to a query in the vector targets (score, key, title, file:line)",
}
EXAMPLE = "syncspec init && syncspec plan && syncspec sync"
INTERNAL_ERROR = 70      # EX_SOFTWARE: a bug in syncspec, not in the user's input


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through the exception tree and formats its epilog on demand."""

    def __init__(self, *args: Any, lazy_epilog: Callable[[], str] | None = None, **kwargs: Any):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self.lazy_epilog = lazy_epilog

    def format_help(self) -> str:
        if self.lazy_epilog is not None:
            self.epilog, self.lazy_epilog = self.lazy_epilog(), None
        return super().format_help()

    def error(self, message: str) -> Any:  # argparse expects no return
        from .errors import UsageError

        raise UsageError(message, prog=self.prog, usage=self.format_usage().strip())


def _top_epilog() -> str:
    from .commands._common import example
    from .errors import EXIT_CODES

    codes = "\n".join(f"  {code:<3}  {text}" for code, text in EXIT_CODES.items())
    return f"exit codes:\n{codes}\n\n{example(EXAMPLE)}"


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser; only verbs named in ``argv`` get their options (all of them when ``argv`` is None)."""
    from . import __version__
    from .commands._common import add_global_options, example

    wanted = set(VERBS) if argv is None else set(VERBS) & set(argv)
    parser = Parser(prog="syncspec",
                    description="Sync markdown and JSON sources into SQL tables, declared in YAML specs.",
                    lazy_epilog=_top_epilog)
    parser.add_argument("--version", action="version", version=f"syncspec {__version__}")
    add_global_options(parser, None)
    common = Parser(add_help=False)
    add_global_options(common, argparse.SUPPRESS)  # so `syncspec --json plan` and `syncspec plan --json` agree
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, text in VERBS.items():
        if verb not in wanted:
            sub.add_parser(verb, help=text, add_help=False)
            continue
        module = _module(verb)
        p = sub.add_parser(verb, parents=[common], help=text, description=getattr(module, "DESCRIPTION", text),
                           epilog=example(module.EXAMPLE))
        module.add_arguments(p)
    return parser


def _module(verb: str) -> ModuleType:
    return import_module(f".commands.{verb}", __package__)


def _wants_json(argv: Sequence[str]) -> bool:
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


def main(argv: Sequence[str] | None = None) -> int:
    from .output import Output

    argv = list(sys.argv[1:] if argv is None else argv)
    out = Output(as_json=_wants_json(argv))
    if out.as_json and "--version" in argv:
        from . import __version__

        out.json({"version": __version__})
        return 0
    debug = "--debug" in argv
    try:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        if not args.verb:
            if out.as_json:
                out.json({"usage": parser.format_usage().strip(), "verbs": VERBS})
            else:
                parser.print_help()
            return 0
        return int(_module(args.verb).run(args, out) or 0)
    except KeyboardInterrupt:
        return _report(out, "Interrupted", "interrupted; nothing was committed", 130)
    except BrokenPipeError:
        # the reader went away (`syncspec preview x --json | head`): stop quietly, like other Unix tools
        _silence_stdout()
        return 141
    except Exception as exc:
        from .errors import SyncSpecError, UsageError

        if debug or not (isinstance(exc, SyncSpecError) or out.as_json):
            raise
        if not isinstance(exc, SyncSpecError):   # a bug; --json callers still get JSON, and the traceback
            import traceback

            traceback.print_exc()
            return _report(out, type(exc).__name__, f"internal error (a bug in syncspec): {exc}", INTERNAL_ERROR)
        if isinstance(exc, UsageError) and not out.as_json:
            out.error(f"{exc.attrs.get('usage', '')}\n{exc.attrs.get('prog', 'syncspec')}: error: {exc}")
            return exc.exit_code
        from .commands._common import report_error

        return report_error(out, exc)


def _report(out: Any, error: str, message: str, code: int) -> int:
    if out.as_json:
        out.json({"error": error, "code": None, "exit_code": code, "message": message, "problems": []})
    out.error(message)
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
