"""What every verb shares: the global options, opening the workspace, and the checks that exit 6.

Kept free of heavy imports (no jsonschema, peewee or rich at module level) so that
building a verb's parser stays cheap: git hooks run syncspec on every commit.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from ..api import SpecStatus, Workspace
    from ..engine import PlanResult
    from ..errors import Problem, SyncSpecError
    from ..output import Output

#: options that take a value, so a verb name after them is that value, not the verb
VALUE_OPTIONS = ("-p", "--project", "--database-url")


def add_global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """--project, --database-url, --json, --debug; ``default=SUPPRESS`` on subparsers so either place works."""
    parser.add_argument("-p", "--project", metavar="DIR", default=default,
                        help="workspace folder (default: walk up from cwd)")
    parser.add_argument("--database-url", metavar="URL", default=default,
                        help="target database URL (overrides syncspec.yaml and DATABASE_URL)")
    parser.add_argument("--json", action="store_true", default=default or False,
                        help="machine-readable output: one JSON document on stdout, errors included")
    parser.add_argument("--debug", action="store_true", default=default or False, help="show tracebacks")


def example(text: str) -> str:
    """The epilog every verb's --help ends with: one command a user can copy."""
    return f"example:\n  {text}"


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace named by --project / --database-url (shared by every verb and invoke task)."""
    from ..api import Workspace

    return Workspace.open(getattr(args, "project", None), database_url=getattr(args, "database_url", None))


def key_text(key: Sequence[Any]) -> str:
    return "/".join(str(k) for k in key)


# -- checks: the one way a command exits 6 ---------------------------------------------------------

def check_plan(ws: Workspace, result: PlanResult, out: Output, drift: bool) -> None:
    """Raise CheckFailed when ``result`` would change anything; one problem per spec names what.

    ``drift`` (verify) says the target differs from its sources (SS601); otherwise a
    sync is pending (SS602). With --json the result rides on the error as ``result``.
    """
    from ..errors import CheckFailed, Problem

    if result.empty:
        return
    files = _spec_files(ws)
    code = "SS601" if drift else "SS602"
    problems = []
    for cs in result.changes:
        if cs.empty:
            continue
        keys = [key_text(r.key) for r in cs.inserts] + [key_text(r.key) for r, _ in cs.updates] + [
            key_text(k) for k, _ in (*cs.deletes, *cs.marks)]
        n = cs.counts
        counts = f"{n['inserted']} to insert, {n['updated']} to update, {n['deleted']} to delete"
        if cs.schema_changes:
            counts += f", {len(cs.schema_changes)} change(s) besides rows (table structure, hot keys)"
        shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        what = "has drifted from its sources" if drift else "is not up to date"
        problems.append(Problem(f"table {cs.table} (spec {cs.spec}) {what}: {counts}" + (f" ({shown})" if shown
                                                                                         else ""),
                                file=files.get(cs.spec), hint="run `syncspec sync` to update it", code=code))
    extra: dict[str, Any] = {"result": result.as_dict()} if out.as_json else {}
    raise CheckFailed(problems=problems, code=code, target=result.target, **extra)


def check_status(ws: Workspace, rows: Sequence[SpecStatus], out: Output) -> None:
    """Raise CheckFailed (SS603) naming every stale or never-synced spec."""
    from ..errors import CheckFailed, Problem

    stale = [r for r in rows if r.state != "current"]
    if not stale:
        return
    files = _spec_files(ws)
    problems = [Problem(f"spec {r.spec} (table {r.table}) is {r.state}: {r.reason}", file=files.get(r.spec),
                        hint="run `syncspec sync`", code="SS603") for r in stale]
    extra: dict[str, Any] = {"result": {"target": ws.target, "specs": [r.as_dict() for r in rows]}} if out.as_json else {}
    raise CheckFailed(problems=problems, code="SS603", target=ws.target, **extra)


def schema_copies(ws: Workspace) -> list[tuple[Path, str]]:
    """Where this workspace keeps schema copies for editors (as init and `patch new` write them) -> schema."""
    from ..errors import ConfigError
    from ..spec.schema import COPIES

    copies = [(ws.config.specs_dir / copy, name) for copy, name in COPIES.items()]
    if ws.config.patches:
        from ..patches.config import patch_config
        from ..patches.document import PATCH_SCHEMA

        try:
            copies.append((patch_config(ws.config).dir / PATCH_SCHEMA, PATCH_SCHEMA))
        except ConfigError:
            pass        # a broken patches: setting is the patch verbs' to report
    return copies


def relative(ws: Workspace, path: Path) -> str:
    try:
        return path.relative_to(ws.root).as_posix()
    except ValueError:
        return str(path)


def _spec_files(ws: Workspace) -> dict[str, str]:
    return {s.name: s.file for s in ws.specs()}


def raise_problems(cls: type[SyncSpecError], problems: Sequence[Problem], out: Output, result: Any = None) -> None:
    """Raise ``cls`` with ``problems`` (if any) after a command printed its result; --json carries ``result``."""
    if problems:
        extra: dict[str, Any] = {"result": result} if out.as_json and result is not None else {}
        raise cls(problems=list(problems), **extra)


def report_error(out: Output, exc: SyncSpecError) -> int:
    """Print a user error (JSON on stdout with --json, the located lines on stderr) -> its exit code."""
    if out.as_json:
        out.json(exc.as_dict())
    out.error(f"error: {exc}")
    return exc.exit_code


# -- progress ------------------------------------------------------------------------------------

def run_with_progress(out: Output, call: Callable[[Any], Any]) -> Any:
    """Run ``call(progress)`` under a progress bar on a terminal (none otherwise)."""
    progress, bar = out.progress()
    try:
        return call(progress)
    finally:
        if bar is not None:
            bar.stop()
