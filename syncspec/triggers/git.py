"""What git says: the commit checked out, the files a commit / merge / checkout / rebase changed,
the staged files, and whether one commit is an ancestor of another.

Plain ``git`` subprocesses (a few ms each) and nothing heavy imported: the hooks call these on
every commit. Paths come back relative to the workspace root (``--relative``), files outside the
workspace left out, both sides of a rename listed (``--no-renames``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"   # git's empty tree: the "parent" of a root commit
NULL = "0" * 40
_PATH_VARS = ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


class GitError(Exception):
    """git failed or is not there; the message is git's own."""


def _env() -> dict[str, str]:
    """Inside a hook git exports GIT_DIR / GIT_INDEX_FILE, maybe relative to the hook's cwd: make them absolute,
    since we run git from the workspace folder (``-C``), and keep them (a ``commit -a`` uses a temporary index)."""
    env = dict(os.environ)
    for name in _PATH_VARS:
        value = env.get(name)
        if value and not os.path.isabs(value):
            env[name] = os.path.abspath(value)
    return env


def git(root: Path | str, *args: str, check: bool = True) -> str:
    """Run ``git -C root args...``; its stdout (GitError when it fails and ``check``)."""
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=_env(),
                             timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from None
    if out.returncode != 0 and check:
        raise GitError(out.stderr.strip() or f"git {' '.join(args)} exited with {out.returncode}")
    return out.stdout if out.returncode == 0 else ""


def is_repo(root: Path | str) -> bool:
    try:
        return git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() == "true"
    except GitError:
        return False


def head(root: Path | str) -> str | None:
    """The commit checked out, or None (not a repository, or no commit yet)."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip() or None
    except GitError:
        return None


def resolve(root: Path | str, ref: str) -> str | None:
    """The commit ``ref`` names, or None if it names none."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip() or None
    except GitError:
        return None


def is_ancestor(root: Path | str, older: str, newer: str) -> bool:
    """True if ``older`` is an ancestor of ``newer`` (and not the same commit)."""
    if older == newer:
        return False
    try:
        out = subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", older, newer],
                             capture_output=True, env=_env(), timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0


def _names(text: str) -> list[str]:
    return [p for p in text.split("\0") if p]


def changed_between(root: Path | str, old: str | None, new: str = "HEAD") -> list[str]:
    """Files that differ between two commits (``old`` None or all zeros: every file of ``new``)."""
    base = EMPTY_TREE if not old or old == NULL else old
    return _names(git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", base, new))


def changed_since(root: Path | str, ref: str) -> list[str]:
    """Files whose working-tree content differs from ``ref`` (committed since, staged or not), plus
    untracked files: what a CI job asks with ``--changed-since origin/main``."""
    if resolve(root, ref) is None:
        raise GitError(f"{ref!r} names no commit in {root}")
    tracked = _names(git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", ref))
    return sorted(set(tracked) | set(untracked(root)))


def staged(root: Path | str) -> list[str]:
    """Files staged for the next commit (added, modified or deleted in the index)."""
    base = "HEAD" if head(root) else EMPTY_TREE
    return _names(git(root, "diff", "--cached", "--name-only", "--no-renames", "--relative", "-z", base))


def untracked(root: Path | str) -> list[str]:
    return _names(git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", "."))


def hooks_dir(root: Path | str) -> Path:
    """Where git looks for hooks: ``core.hooksPath`` if set, else the common git dir's hooks/."""
    path = git(root, "rev-parse", "--git-path", "hooks").strip()
    full = Path(path)
    if not full.is_absolute():
        full = Path(root) / full
    return full.resolve()


def toplevel(root: Path | str) -> Path:
    return Path(git(root, "rev-parse", "--show-toplevel").strip()).resolve()
