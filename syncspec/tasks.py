"""An invoke Collection with every syncspec verb, for a project's tasks.py.

    # tasks.py
    from invoke import Collection
    from syncspec.tasks import ns as syncspec_tasks
    namespace = syncspec_tasks      # or add its tasks to your own Collection

Each task opens the workspace through the library (``syncspec.api.Workspace``)
and calls the same per-verb function the CLI does (``syncspec.commands.plan.plan``
...), so `invoke plan --check` and `syncspec plan --check` print the same and
exit with the same code (``errors.EXIT_CODES``, via invoke's ``Exit``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from invoke import Collection, Exit, task


@contextmanager
def _session(json: bool) -> Iterator[Any]:
    """An Output for the task; user errors print as the CLI prints them and exit with their code."""
    from .commands._common import report_error
    from .errors import SyncSpecError
    from .output import Output

    out = Output(as_json=json)
    try:
        yield out
    except SyncSpecError as exc:
        raise Exit(code=report_error(out, exc)) from None


def _verb(verb: str) -> Callable[..., int]:
    from importlib import import_module

    return getattr(import_module(f"syncspec.commands.{verb}"), verb)


def _command(verb: str, out: Any, **values: Any) -> int:
    """A verb whose module has only ``run(args, out)`` (hooks, watch), with the options as the CLI sets them."""
    import argparse
    from importlib import import_module

    return int(import_module(f"syncspec.commands.{verb}").run(argparse.Namespace(debug=False, **values), out) or 0)


def _ws(project: str | None, database_url: str | None) -> Any:
    from .api import Workspace

    return Workspace.open(project, database_url=database_url)


def _names(spec: Any) -> list[str] | None:
    if not spec:
        return None
    return list(spec) if isinstance(spec, (list, tuple)) else [spec]


def _limit(limit: Any) -> int | None:
    limit = 50 if limit is None else int(limit)
    return None if limit == 0 else limit


_HELP = {"project": "workspace folder", "database-url": "target database URL", "json": "machine-readable output",
         "spec": "only this spec (repeatable)", "max-seconds": "time limit (exit 3)",
         "check": "exit 6 if anything is pending", "lock-timeout": "seconds to wait for the lock (exit 5)",
         "all": "parse every file, diff against the target", "allow-empty": "let an empty source delete all rows",
         "allow-destructive": "apply table changes that drop columns or change types",
         "limit": "list at most N changed rows per spec (0 = all; default 50)",
         "only": "only these targets: a kind or a workspace target name (repeatable)"}


def _help(*names: str) -> dict[str, str]:
    return {n: _HELP[n] for n in ("project", "database-url", "json", *names)}


def _seconds(value: Any) -> float | None:
    return None if value is None else float(value)


@task(help=_help("spec", "check", "max-seconds", "all", "allow-empty", "limit", "only"), iterable=["spec", "only"])
def plan(c, spec=None, project=None, database_url=None, json=False, check=False, max_seconds=None, limit=None,
         all=False, allow_empty=False, only=None):
    """Show what a sync would change; --check exits 6 if anything would."""
    with _session(json) as out:
        _verb("plan")(out, _ws(project, database_url), _names(spec), max_seconds=_seconds(max_seconds),
                      limit=_limit(limit), full=all, allow_empty=allow_empty, check=check, targets=_names(only))


@task(help=dict(_help("spec", "max-seconds", "lock-timeout", "all", "allow-empty", "allow-destructive", "limit",
                     "only"), staged="only specs whose files are staged", force="sync even from an older commit",
                **{"changed-since": "only specs whose files differ from this git ref"}),
      iterable=["spec", "only"])
def sync(c, spec=None, project=None, database_url=None, json=False, max_seconds=None, lock_timeout=None,
         all=False, allow_empty=False, allow_destructive=False, limit=None, only=None, staged=False,
         changed_since=None, force=False):
    """Write what changed into the targets, all-or-nothing."""
    with _session(json) as out:
        _verb("sync")(out, _ws(project, database_url), _names(spec), max_seconds=_seconds(max_seconds),
                      lock_timeout=_seconds(lock_timeout), limit=_limit(limit), full=all, allow_empty=allow_empty,
                      allow_destructive=allow_destructive, targets=_names(only), staged=staged,
                      changed_since=changed_since, force=force)


@task(help=dict(_help("spec", "max-seconds", "limit", "only"), repair="rewrite exactly the drifted rows"),
      iterable=["spec", "only"])
def verify(c, spec=None, project=None, database_url=None, json=False, max_seconds=None, limit=None, only=None,
           repair=False):
    """Exit 6 when a target has drifted from its sources (--repair rewrites exactly what drifted)."""
    with _session(json) as out:
        _verb("verify")(out, _ws(project, database_url), _names(spec), max_seconds=_seconds(max_seconds),
                        limit=_limit(limit), targets=_names(only), repair=repair)


@task(help=dict(_help("spec"), check="write nothing; exit 6 if a section is stale"), iterable=["spec"])
def render(c, spec=None, project=None, database_url=None, json=False, check=False):
    """Write the markdown sections specs declare (render:) from their targets' current rows."""
    with _session(json) as out:
        _verb("render")(out, _ws(project, database_url), _names(spec), check=check)


@task(help=_help())
def validate(c, project=None, database_url=None, json=False):
    """Check syncspec.yaml and every spec."""
    with _session(json) as out:
        _verb("validate")(out, _ws(project, database_url))


@task(help=_help("check"))
def status(c, project=None, database_url=None, json=False, check=False):
    """Which specs are stale (--check: exit 6 if any)."""
    with _session(json) as out:
        _verb("status")(out, _ws(project, database_url), check=check)


@task(help=dict(_help(), limit="how many runs (default 20)", run="list the row events of one run (ID or prefix)"))
def history(c, project=None, database_url=None, json=False, limit=20, run=None):
    """Recent runs from the ledger."""
    with _session(json) as out:
        _verb("history")(out, _ws(project, database_url), int(limit), None, run)


@task(help=_help())
def preview(c, spec, file=None, project=None, database_url=None, json=False):
    """The records a spec extracts (JSON Lines with --json)."""
    with _session(json) as out:
        _verb("preview")(out, _ws(project, database_url), spec, file)


@task(help={"directory": "where to create the workspace", "name": "project name", "force": "overwrite files",
            "json": "machine-readable output"})
def init(c, directory=".", name=None, force=False, json=False):
    """Scaffold a workspace: syncspec.yaml, specs/, the JSON Schema."""
    with _session(json) as out:
        _verb("init")(out, directory, name=name, force=force)


@task(help={**_help("check"), "check": "write nothing; exit 6 if a patch is pending or an applied one was edited",
             "plan": "show pending patches and their diffs instead of applying", "status": "list every patch",
             "new": "scaffold the next numbered patch with this title"})
def patch(c, project=None, database_url=None, json=False, check=False, plan=False, status=False, new=None):
    """Apply pending master-plan patches (--check for CI, --plan to preview, --new TITLE to start one)."""
    verb = "new" if new else "plan" if plan else "status" if status else "apply"
    with _session(json) as out:
        _verb("patch")(out, _ws(project, database_url), verb, title=new or "", check=check)


@task(help={"output": "write to this file instead of stdout", "workspace": "the schema of syncspec.yaml instead",
            "write": "refresh the schema copies beside the workspace's specs", "project": "workspace folder",
            "json": "machine-readable output"})
def schema(c, output=None, workspace=False, write=False, project=None, json=False):
    """Print the spec JSON Schema (--write refreshes the workspace's copies)."""
    with _session(json) as out:
        _verb("schema")(out, workspace=workspace, output=output, write_in=_ws(project, None) if write else None)


@task(help=dict(_help(), query="what to look for", spec="only this spec's entries", limit="how many (default 10)"))
def search(c, query, spec=None, limit=10, project=None, database_url=None, json=False):
    """The entries nearest to a query in the vector targets."""
    with _session(json) as out:
        _verb("search")(out, _ws(project, database_url), query, spec, int(limit))


@task(help={**_help(), "uninstall": "remove syncspec's hooks (a chained hook is put back)"})
def hooks(c, project=None, database_url=None, json=False, uninstall=False):
    """Install the git hooks that sync the specs a commit, merge, checkout or rebase changed."""
    with _session(json) as out:
        _command("hooks", out, project=project, database_url=database_url, json=json, hooks_verb="install",
                 uninstall=uninstall)


@task(help={**_help(), "debounce": "gather a burst of events for at most MS milliseconds"})
def watch(c, project=None, database_url=None, json=False, debounce=None):
    """Sync the specs whose files change, and interval specs on schedule, until Ctrl-C."""
    with _session(json) as out:
        _command("watch", out, project=project, database_url=database_url, json=json,
                 debounce=int(debounce) if debounce else 1600, quiet_ms=200, no_reconcile=False)


ns = Collection(init, plan, sync, verify, validate, status, history, preview, patch, schema, render, hooks, watch, search)
