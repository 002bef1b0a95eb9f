"""Which files a spec reads: its globs resolved inside the workspace, less its excludes.

Every run lists files, a no-op sync included: this module imports nothing of the parsers.
"""

from __future__ import annotations

import glob as _glob
import os
import stat
from collections.abc import Callable
from pathlib import Path

from ..errors import Problem, SourceError
from ..spec.model import Spec


def resolve_files(spec: Spec, root: Path) -> list[tuple[Path, str]]:
    """Every file the spec reads, sorted, as (absolute path, workspace-relative name)."""
    found: dict[str, Path] = {}
    parents: dict[str, str] = {}
    root = root.resolve()
    root_str = str(root)
    root_prefix = os.path.join(root_str, "")
    listed = not isinstance(spec.raw.get("source", {}).get("files"), str)
    for i, pattern in enumerate(spec.files):
        where = f"$.source.files[{i}]" if listed else "$.source.files"
        line, col = spec.locate(where)   # errors point at the spec line naming the pattern
        if _glob.has_magic(pattern):
            # root_dir: a workspace path holding glob characters ('[', '*') must not be expanded
            matches = _glob.glob(pattern, root_dir=root, recursive=True)
        else:
            if not (root / pattern).is_file():
                raise SourceError(problems=[Problem(
                    f"source file {pattern!r} of spec {spec.name!r} does not exist", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="create the file, or fix source.files in the spec")], spec=spec.name)
            matches = [pattern]
        for rel in matches:
            # plain os.path on strings: a no-op sync of 1,000s of files spends its time here
            full = os.path.join(root_str, rel)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                real = Path(full).resolve()        # symlinked files individually
                if not real.is_file():
                    continue
            elif not stat.S_ISREG(st.st_mode):
                continue
            else:
                # resolve each folder once; a file inside is its folder's real path plus its name
                head, name = os.path.split(full)
                folder = parents.get(head)
                if folder is None:
                    folder = parents[head] = os.path.realpath(head)
                real = Path(folder, name)
            if not str(real).startswith(root_prefix):
                raise SourceError(problems=[Problem(
                    f"{Path(full)} resolves outside the workspace ({real})", file=spec.file,
                    line=line, column=col, json_path=where,
                    hint="sources must stay inside the workspace; remove the symlink or the pattern")])
            found[str(real)[len(root_prefix):].replace(os.sep, "/")] = real
    if spec.exclude and found:
        skip = excluded(spec.exclude)
        found = {name: path for name, path in found.items() if not skip(name)}
    if not found:
        line, col = spec.locate("$.source.files")
        raise SourceError(problems=[Problem(
            f"source.files of spec {spec.name!r} matched no files: {', '.join(spec.files)}"
            + (f" (less source.exclude: {', '.join(spec.exclude)})" if spec.exclude else ""), file=spec.file,
            line=line, column=col, json_path="$.source.files",
            hint="check the pattern; an empty source would delete every row of this spec")], spec=spec.name)
    return [(found[name], name) for name in sorted(found)]


def excluded(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a workspace-relative path is excluded, with gitignore semantics (``docs/archive/``, ``!keep.md``)."""
    import pathspec   # only specs that exclude something pay for the import

    return pathspec.GitIgnoreSpec.from_lines(patterns).match_file
