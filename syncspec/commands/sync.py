"""`syncspec sync`: write what changed, all-or-nothing, and record the run."""

from __future__ import annotations

from ._common import open_workspace, run_with_progress
from ._render import add_selection, show

EXAMPLE = "syncspec sync --spec build_history --max-seconds 60"


def add_arguments(parser) -> None:
    add_selection(parser)
    parser.add_argument("--lock-timeout", type=float, metavar="S",
                        help="seconds to wait for another run's lock (exit 5 after)")
    parser.add_argument("--allow-destructive", action="store_true",
                        help="apply table changes that drop columns or change column types "
                             "(refused with exit 1 otherwise)")
    add_git_arguments(parser)


def add_git_arguments(parser) -> None:
    """Triggers (syncspec/triggers): select specs by the files git reports; the stale-commit guard."""
    git = parser.add_argument_group("git")
    git.add_argument("--staged", action="store_true",
                     help="only specs (trigger: commit) whose source files or spec file are staged")
    git.add_argument("--changed-since", metavar="REF",
                     help="only specs (trigger: commit) whose files differ from REF (committed, staged, "
                          "modified or untracked), e.g. origin/main in CI")
    git.add_argument("--force", action="store_true",
                     help="sync even a spec last synced from a newer commit than the one checked out")


def run(args, out) -> int:
    return sync(out, open_workspace(args), args.spec, max_seconds=args.max_seconds, lock_timeout=args.lock_timeout,
                limit=args.limit, full=args.full, allow_empty=args.allow_empty,
                allow_destructive=args.allow_destructive, targets=args.only, staged=args.staged,
                changed_since=args.changed_since, force=args.force)


def sync(out, ws, only=None, *, max_seconds=None, lock_timeout=None, limit=50, full=False, allow_empty=False,
         allow_destructive=False, targets=None, staged=False, changed_since=None, force=False) -> int:
    """Sync and print what was written (the invoke task calls this); ``staged``/``changed_since`` pick the
    specs whose files git reports."""
    if staged or changed_since:
        from ..triggers.run import git_files, select

        picked = select(ws.root, git_files(ws.root, staged=staged, since=changed_since))
        only = [n for n in picked if not only or n in only]
        if not only:
            if out.as_json:
                out.json({"target": ws.target, "specs": [], "selected": []})
            else:
                out.line("no spec concerned by the files git reports; nothing to sync")
            return 0
    if not out.as_json:
        out.line(f"syncing {ws.config.project} into {ws.target}")
    result = run_with_progress(out, lambda progress: ws.sync(
        only, max_seconds=max_seconds, lock_timeout=lock_timeout, progress=progress, full=full,
        allow_empty=allow_empty, allow_destructive=allow_destructive, targets=targets, force=force))
    skipped = result.details.get("skipped", {})
    if result.changes or not skipped or out.as_json:
        show(out, result, "sync", limit)
    for name, why in skipped.items():      # triggers and the stale-commit guard
        out.line(f"skipped {name}: {why}")
    return 0
