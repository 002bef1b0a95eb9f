"""Git hooks that run the specs whose sources a commit, merge, checkout or rebase changed.

``install(root)`` writes one small shell script per hook into git's hooks folder (``core.hooksPath``
respected). A hook that was there before is moved aside to ``NAME.pre-syncspec`` and runs first,
with the same arguments and standard input; ``uninstall`` puts it back. Installing twice changes
nothing; several workspaces of one repository share the scripts (one line each).

The scripts call ``python -m syncspec.triggers.hooks EVENT --project DIR -- ARGS`` (the
interpreter syncspec was installed with, else ``syncspec hooks run`` from PATH). That asks git
which files changed, matches them against the cached spec globs (select.py) and returns before
importing YAML, jsonschema or peewee when no source changed. After git is done (post-*), a
failing sync warns and git goes on; in pre-commit only ``blocking: true`` specs run, and their
failure aborts the commit (``git commit --no-verify`` skips it, as for any pre-commit hook).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from . import git

HOOKS = ("pre-commit", "post-commit", "post-merge", "post-checkout", "post-rewrite")
MARK = "# syncspec-managed hook"
CHAINED = ".pre-syncspec"
SKIP_ENV = "SYNCSPEC_SKIP_HOOKS"     # =1: the hooks do nothing (scripts, bulk rebases)


def _quote(text: str) -> str:
    return shlex.quote(text)


def script(event: str, workspaces: list[str], python: str) -> str:
    """The hook's text: the chained hook first, then one syncspec line per workspace."""
    blocking = event == "pre-commit"
    on_fail = "|| exit $?" if blocking else "|| true"
    lines = [
        "#!/bin/sh",
        f"{MARK}: written by `syncspec hooks install`; `syncspec hooks install --uninstall` removes it",
        f"# and puts back the hook it replaced ({event}{CHAINED} beside it, which runs first, unchanged).",
        f"# {SKIP_ENV}=1 turns syncspec's part off for one command.",
        'here=$(dirname "$0")',
        "status=0",
        f'if [ -x "$here/{event}{CHAINED}" ]; then',
        f'    "$here/{event}{CHAINED}" "$@" || status=$?',
        "fi",
    ]
    if blocking:
        lines.append('[ "$status" -eq 0 ] || exit "$status"')
    lines += [
        "syncspec_run() {",
        f"    if [ -x {_quote(python)} ]; then {_quote(python)} -m syncspec.triggers.hooks \"$@\"",
        '    elif command -v syncspec >/dev/null 2>&1; then syncspec hooks run "$@"',
        f'    else echo "syncspec: not found; {event} hook skipped (reinstall: syncspec hooks install)" >&2',
        "    fi",
        "}",
    ]
    for ws in workspaces:
        lines.append(f'syncspec_run {event} --project {_quote(ws)} -- "$@" {on_fail}')
    lines.append('exit "$status"')
    return "\n".join(lines) + "\n"


def _workspaces(text: str) -> list[str]:
    """The workspaces a managed hook runs (its ``syncspec_run EVENT --project DIR`` lines)."""
    out = []
    for line in text.splitlines():
        if line.startswith("syncspec_run "):
            words = shlex.split(line)
            if "--project" in words:
                out.append(words[words.index("--project") + 1])
    return out


def install(root: Path, uninstall: bool = False, python: str | None = None) -> list[str]:
    """Install (or remove) the hooks for the workspace at ``root``; returns what was done, one line per hook."""
    root = Path(root).resolve()
    top = git.toplevel(root)
    folder = git.hooks_dir(root)
    rel = root.relative_to(top).as_posix() if root != top else "."
    python = python or sys.executable
    done = []
    folder.mkdir(parents=True, exist_ok=True)
    for event in HOOKS:
        path = folder / event
        chained = folder / f"{event}{CHAINED}"
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        ours = text is not None and MARK in text
        workspaces = _workspaces(text) if ours and text else []
        if uninstall:
            if not ours or rel not in workspaces:
                continue
            workspaces.remove(rel)
            if workspaces:
                _write(path, script(event, workspaces, python))
                done.append(f"{path}: {rel} removed")
            elif chained.exists():
                os.replace(chained, path)
                done.append(f"{path}: restored the hook it had replaced")
            else:
                path.unlink()
                done.append(f"{path}: removed")
            continue
        note = ""
        if text is not None and not ours:
            if chained.exists():
                raise FileExistsError(f"{path} is not syncspec's, and {chained.name} exists too: "
                                      "merge them by hand, then run `syncspec hooks install` again")
            os.replace(path, chained)
            note = f" (your hook kept as {chained.name}, run first)"
        if rel in workspaces and not note:
            new = script(event, workspaces, python)
            if new != text:
                _write(path, new)
                done.append(f"{path}: updated")
            else:
                done.append(f"{path}: already installed")
            continue
        if rel not in workspaces:
            workspaces.append(rel)
        _write(path, script(event, workspaces, python))
        done.append(f"{path}: installed{note}")
    return done


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".syncspec-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)


def installed(root: Path) -> dict[str, bool]:
    """Which hooks run this workspace."""
    root = Path(root).resolve()
    top = git.toplevel(root)
    rel = root.relative_to(top).as_posix() if root != top else "."
    folder = git.hooks_dir(root)
    out = {}
    for event in HOOKS:
        path = folder / event
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        out[event] = MARK in text and rel in _workspaces(text)
    return out


# -- running: what changed, and which specs that concerns ------------------------------------------------------
def event_files(root: Path, event: str, args: list[str]) -> list[str] | None:
    """Workspace files this git event changed; None when git does not say (every triggered spec is classified)."""
    if event == "pre-commit":
        return git.staged(root)
    if event == "post-commit":
        return git.changed_between(root, git.resolve(root, "HEAD^"), "HEAD")
    if event == "post-merge":
        old = git.resolve(root, "ORIG_HEAD")
        return git.changed_between(root, old, "HEAD") if old else None
    if event == "post-checkout":
        prev, new, flag = (args + ["", "", ""])[:3]
        if flag != "1":
            return None                       # a file checkout: git names no files
        if prev == new:
            return []                         # a new branch at the same commit
        return git.changed_between(root, prev, new)
    if event == "post-rewrite":
        old = git.resolve(root, "ORIG_HEAD" if (args[:1] == ["rebase"]) else "HEAD@{1}")
        return git.changed_between(root, old, "HEAD") if old else None
    return None


def from_pre_commit(env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """Event ``auto`` (the pre-commit framework's post-* stages): which git hook this is, from its variables."""
    env = dict(os.environ if env is None else env)
    if "PRE_COMMIT_CHECKOUT_TYPE" in env:
        return "post-checkout", [env.get("PRE_COMMIT_FROM_REF", ""), env.get("PRE_COMMIT_TO_REF", ""),
                                 env["PRE_COMMIT_CHECKOUT_TYPE"]]
    if "PRE_COMMIT_IS_SQUASH_MERGE" in env:
        return "post-merge", [env["PRE_COMMIT_IS_SQUASH_MERGE"]]
    if "PRE_COMMIT_REWRITE_COMMAND" in env:
        return "post-rewrite", [env["PRE_COMMIT_REWRITE_COMMAND"]]
    return "post-commit", []


def run(event: str, project: str, args: list[str], err=None) -> int:
    """One hook run; the exit code git sees (non-zero only for a failed blocking spec in pre-commit)."""
    err = err or sys.stderr
    if os.environ.get(SKIP_ENV) == "1":
        return 0
    if event == "auto":
        event, args = from_pre_commit()
    root = Path(project).resolve()
    blocking = event == "pre-commit"
    try:
        from .select import affected, spec_infos

        paths = event_files(root, event, args)
        infos = spec_infos(root)
        runner = "pre-commit" if blocking else "commit"
        names = [i.name for i in infos if i.runs_on(runner)] if paths is None else affected(infos, paths, runner)
        if not names:
            return 0
        from ..api import Workspace
        from .run import run_specs

        outcome = run_specs(Workspace.open(root), names)
    except Exception as exc:  # noqa: BLE001 - a hook must never break git because syncspec did
        err.write(f"syncspec ({event}): warning: {exc}; git goes on (run `syncspec sync` to catch up)\n")
        return 0
    if outcome.ok:
        err.write(f"syncspec ({event}): {outcome.summary()}\n")
        return 0
    for name, failure in outcome.failed.items():
        err.write(f"syncspec ({event}): {name} failed:\n")
        for line in str(failure).splitlines() or ["(no message)"]:
            err.write(f"  {line}\n")
    done = [n for n in outcome.ran if n not in outcome.failed]
    if done:
        err.write(f"syncspec ({event}): synced {', '.join(done)}\n")
    if blocking:
        err.write("syncspec: commit aborted: a `blocking: true` spec failed to sync. Fix it and commit again "
                  "(`git commit --no-verify` skips the hook).\n")
        return 1
    err.write(f"syncspec ({event}): warning: the sync failed and git went on; fix the source and run "
              "`syncspec sync` (or commit the fix)\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m syncspec.triggers.hooks EVENT [--project DIR] [-- GIT ARGS...]`` (what the scripts call)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rest: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, rest = argv[:cut], argv[cut + 1:]
    if not argv or argv[0] not in (*HOOKS, "auto"):
        sys.stderr.write(f"usage: python -m syncspec.triggers.hooks {{{','.join(HOOKS)}}} [--project DIR] "
                         "[-- ARGS]\n")
        return 2
    event, project = argv[0], "."
    if "--project" in argv[1:]:
        project = argv[argv.index("--project") + 1]
    return run(event, project, rest)


if __name__ == "__main__":
    sys.exit(main())
