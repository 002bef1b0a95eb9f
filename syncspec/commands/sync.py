"""`syncspec sync`: write what changed, all-or-nothing, and record the run."""

from __future__ import annotations

from ..cli import open_workspace
from ._render import add_selection, run_with_progress, show


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
    ws = open_workspace(args)
    spec = args.spec
    if args.staged or args.changed_since:
        from ..triggers.run import git_files, select

        picked = select(ws.root, git_files(ws.root, staged=args.staged, since=args.changed_since))
        spec = [n for n in picked if not args.spec or n in args.spec]
        if not spec:
            if out.as_json:
                out.json({"target": ws.target, "specs": [], "selected": []})
            else:
                out.line("no spec concerned by the files git reports; nothing to sync")
            return 0
    if not out.as_json:
        out.line(f"syncing {ws.config.project} into {ws.target}")
    result = run_with_progress(out, lambda progress: ws.sync(
        spec, max_seconds=args.max_seconds, lock_timeout=args.lock_timeout, progress=progress,
        full=args.full, allow_empty=args.allow_empty, allow_destructive=args.allow_destructive, force=args.force))
    skipped = result.details.get("skipped", {})
    if result.changes or not skipped or out.as_json:
        show(out, result, "sync", args.limit)
    for name, why in skipped.items():
        out.line(f"skipped {name}: {why}")
    return 0
