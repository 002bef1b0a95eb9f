"""`syncspec hooks install [--uninstall] | status | run EVENT`: git hooks that sync changed sources."""

from __future__ import annotations

import argparse

from ._common import add_global_options

EXAMPLE = "syncspec hooks install   # then every commit, merge, checkout or rebase syncs what it changed"

SUBVERBS = {
    "install": "install post-commit/merge/checkout/rewrite hooks (and pre-commit for blocking specs); "
               "idempotent, keeps and chains an existing hook (--uninstall puts it back)",
    "status": "which hooks run this workspace",
    "run": "what an installed hook runs: sync the specs the git event changed (EVENT [GIT ARGS])",
}


def add_arguments(parser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="hooks_verb", metavar="SUBVERB")
    for name, text in SUBVERBS.items():
        p = sub.add_parser(name, parents=[common], help=text, description=text)
        if name == "install":
            p.add_argument("--uninstall", action="store_true", help="remove syncspec's hooks, restore chained ones")
        elif name == "run":
            p.add_argument("event", choices=("pre-commit", "post-commit", "post-merge", "post-checkout",
                                             "post-rewrite", "auto"),
                           help="the git hook; auto: tell it from the pre-commit framework's variables")
            p.add_argument("git_args", nargs=argparse.REMAINDER, help="the arguments git passed to the hook")


def run(args, out) -> int:
    from ..errors import ConfigError, Problem
    from ..triggers import git, hooks
    from ..workspace import find_root
    from pathlib import Path

    verb = getattr(args, "hooks_verb", None) or "status"
    project = args.project
    if verb == "run":
        rest = [a for a in args.git_args if a != "--"]
        if "--project" in rest[:-1]:             # after the event (pre-commit appends `args:` there)
            at = rest.index("--project")
            project, rest = rest[at + 1], rest[:at] + rest[at + 2:]
        return hooks.run(args.event, str(find_root(Path(project) if project else None)), rest)
    root = find_root(Path(project) if project else None)
    if not git.is_repo(root):
        raise ConfigError(problems=[Problem(f"{root} is not inside a git repository",
                                            hint="run `git init` first; hooks belong to a repository")])
    if verb == "status":
        found = hooks.installed(root)
        if out.as_json:
            out.json({"hooks_dir": str(git.hooks_dir(root)), "hooks": found})
        else:
            out.line(f"hooks in {git.hooks_dir(root)}:")
            for event, on in found.items():
                out.line(f"  {event:14} {'installed' if on else '-'}")
        return 0
    try:
        done = hooks.install(root, uninstall=args.uninstall)
    except FileExistsError as exc:
        raise ConfigError(problems=[Problem(str(exc))]) from None
    if not args.uninstall:
        _warm_index(root, out)
    if out.as_json:
        out.json({"hooks_dir": str(git.hooks_dir(root)), "done": done})
    else:
        for line in done or ["nothing to remove"]:
            out.line(line)
    return 0


def _warm_index(root, out) -> None:
    """Validate the specs now and cache what the hooks need (their first run is then fast, too)."""
    from ..errors import SyncSpecError
    from ..triggers.select import spec_infos

    try:
        infos = spec_infos(root)
    except SyncSpecError as exc:
        out.error(f"warning: the specs do not load yet, the hooks will say so on each commit:\n{exc}")
        return
    blocking = [i.name for i in infos if i.blocking]
    commit = [i.name for i in infos if i.runs_on("commit")]
    out.line(f"on commit, merge, checkout, rebase: {', '.join(commit) or 'no spec (none has trigger: commit)'}")
    if blocking:
        out.line(f"before each commit, blocking: {', '.join(blocking)}")
