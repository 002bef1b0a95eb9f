"""An invoke Collection with every syncspec verb, for a project's tasks.py.

    # tasks.py
    from invoke import Collection
    from syncspec.tasks import ns as syncspec_tasks
    namespace = Collection.from_module(...)   # or simply:
    namespace = syncspec_tasks

Each task builds the same argv the CLI takes and runs the CLI's own code, so
`invoke sync --spec x` and `syncspec sync --spec x` are one implementation.
"""

from __future__ import annotations

from invoke import Collection, Exit, task


def _run(verb: str, *args: str, project: str | None = None, database_url: str | None = None,
         json: bool = False) -> None:
    from .cli import main

    argv = [verb, *args]
    if project:
        argv += ["--project", project]
    if database_url:
        argv += ["--database-url", database_url]
    if json:
        argv.append("--json")
    code = main(argv)
    if code:
        raise Exit(code=code)


def _specs(spec) -> list[str]:
    if not spec:
        return []
    names = spec if isinstance(spec, list) else [spec]
    return [a for name in names for a in ("--spec", name)]


_HELP = {"project": "workspace folder", "database-url": "target database URL", "json": "machine-readable output",
         "spec": "only this spec (repeatable)", "max-seconds": "time limit (exit 3)",
         "check": "exit 6 if anything is pending", "lock-timeout": "seconds to wait for the lock (exit 5)",
         "all": "parse every file, diff against the target", "allow-empty": "let an empty source delete all rows",
         "allow-destructive": "apply table changes that drop columns or change types"}


def _help(*names: str) -> dict[str, str]:
    return {n: _HELP[n] for n in ("project", "database-url", "json", *names)}


@task(help=_help("spec", "check", "max-seconds", "all", "allow-empty"), iterable=["spec"])
def plan(c, spec=None, project=None, database_url=None, json=False, check=False, max_seconds=None, limit=None,
         all=False, allow_empty=False):
    """Show what a sync would change; --check exits 6 if anything would."""
    args = _specs(spec) + (["--check"] if check else []) + (["--max-seconds", str(max_seconds)] if max_seconds else [])
    args += (["--all"] if all else []) + (["--allow-empty"] if allow_empty else [])
    args += ["--limit", str(limit)] if limit is not None else []
    _run("plan", *args, project=project, database_url=database_url, json=json)


@task(help=dict(_help("spec", "max-seconds", "lock-timeout", "all", "allow-empty", "allow-destructive"),
               staged="only specs whose files are staged", force="sync even from an older commit",
               **{"changed-since": "only specs whose files differ from this git ref"}),
      iterable=["spec"])
def sync(c, spec=None, project=None, database_url=None, json=False, max_seconds=None, lock_timeout=None,
         all=False, allow_empty=False, allow_destructive=False, staged=False, changed_since=None, force=False):
    """Write what changed into the targets, all-or-nothing."""
    args = _specs(spec) + (["--max-seconds", str(max_seconds)] if max_seconds else [])
    args += (["--staged"] if staged else []) + (["--changed-since", changed_since] if changed_since else [])
    args += ["--force"] if force else []
    args += (["--all"] if all else []) + (["--allow-empty"] if allow_empty else [])
    args += ["--lock-timeout", str(lock_timeout)] if lock_timeout is not None else []
    args += ["--allow-destructive"] if allow_destructive else []
    _run("sync", *args, project=project, database_url=database_url, json=json)


@task(help=dict(_help("spec"), repair="rewrite exactly the drifted rows (source wins)"), iterable=["spec"])
def verify(c, spec=None, project=None, database_url=None, json=False, repair=False):
    """Exit 6 when a target has drifted from its sources (--repair fixes it)."""
    _run("verify", *_specs(spec), *(["--repair"] if repair else []), project=project, database_url=database_url,
         json=json)


@task(help=dict(_help("spec", "check"), check="write nothing; exit 6 if a section is stale"), iterable=["spec"])
def render(c, spec=None, project=None, database_url=None, json=False, check=False):
    """Write the markdown sections specs declare (render:) from their targets' current rows."""
    _run("render", *_specs(spec), *(["--check"] if check else []), project=project, database_url=database_url,
         json=json)


@task(help=_help())
def validate(c, project=None, database_url=None, json=False):
    """Check syncspec.yaml and every spec."""
    _run("validate", project=project, database_url=database_url, json=json)


@task(help=_help("check"))
def status(c, project=None, database_url=None, json=False, check=False):
    """Which specs are stale."""
    _run("status", *(["--check"] if check else []), project=project, database_url=database_url, json=json)


@task(help=dict(_help(), limit="how many runs (default 20)", run="list the row events of one run (ID or prefix)"))
def history(c, project=None, database_url=None, json=False, limit=20, run=None):
    """Recent runs from the ledger."""
    _run("history", "--limit", str(limit), *(["--run", run] if run else []), project=project,
         database_url=database_url, json=json)


@task(help=_help())
def preview(c, spec, file=None, project=None, database_url=None, json=False):
    """The records a spec extracts."""
    _run("preview", spec, *([file] if file else []), project=project, database_url=database_url, json=json)


@task(help={"directory": "where to create the workspace", "name": "project name", "force": "overwrite files"})
def init(c, directory=".", name=None, force=False):
    """Scaffold a workspace: syncspec.yaml, specs/, the JSON Schema."""
    _run("init", directory, *(["--name", name] if name else []), *(["--force"] if force else []))


@task(help={**_help("check"), "check": "write nothing; exit 6 if a patch is pending or an applied one was edited",
             "plan": "show pending patches and their diffs instead of applying", "status": "list every patch",
             "new": "scaffold the next numbered patch with this title"})
def patch(c, project=None, database_url=None, json=False, check=False, plan=False, status=False, new=None):
    """Apply pending master-plan patches (--check for CI, --plan to preview, --new TITLE to start one)."""
    if new:
        args = ["new", new]
    elif plan or status:
        args = ["plan" if plan else "status"]
    else:
        args = ["apply", *(["--check"] if check else [])]
    _run("patch", *args, project=project, database_url=database_url, json=json)


@task
def schema(c, output=None):
    """Print the spec JSON Schema."""
    _run("schema", *(["--output", output] if output else []))


@task(help={**_help(), "uninstall": "remove syncspec's hooks (a chained hook is put back)"})
def hooks(c, project=None, database_url=None, json=False, uninstall=False):
    """Install the git hooks that sync the specs a commit, merge, checkout or rebase changed."""
    _run("hooks", "install", *(["--uninstall"] if uninstall else []), project=project, database_url=database_url,
         json=json)


@task(help={**_help(), "debounce": "gather a burst of events for at most MS milliseconds"})
def watch(c, project=None, database_url=None, json=False, debounce=None):
    """Sync the specs whose files change, and interval specs on schedule, until Ctrl-C."""
    _run("watch", *(["--debounce", str(debounce)] if debounce else []), project=project,
         database_url=database_url, json=json)


ns = Collection(init, plan, sync, verify, validate, status, history, preview, patch, schema, render, hooks, watch)
