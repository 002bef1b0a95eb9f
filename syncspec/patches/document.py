"""Load and validate patch documents (``patches/NNN-slug.yaml`` or ``.json``) with line marks.

A document is checked against ``schemas/patch.schema.json`` and then for what
a schema cannot say (the id is the file name, one check per post-condition,
unique numbers). Its checksum is the sha256 of its canonical JSON, so comments
and reformatting are not edits but any changed value is.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import Problem, SpecError
from ..spec.yamlfile import Located, load_yaml, read_text
from .config import PatchConfig
from .jsonfile import sha256

PATCH_SCHEMA = "patch.schema.json"
NAME_RE = re.compile(r"^(?P<number>[0-9]{1,9})(?:-[a-z0-9]+)*$")
SUFFIXES = (".yaml", ".yml", ".json")
CHECKS = ("exists", "count", "equals")


@dataclass(frozen=True)
class PatchDoc:
    """One validated patch document."""

    id: str
    number: int
    file: str
    path: Path
    title: str
    status: str                       # draft | ready
    priority: str | None
    created: str | None
    requires: tuple[str, ...]
    operations: tuple[dict[str, Any], ...]
    post_conditions: tuple[dict[str, Any], ...]
    checksum: str                     # "sha256:<hex>" of the canonical document
    doc: Located = field(compare=False, repr=False)

    @property
    def sort_key(self) -> tuple[int, str]:
        return (self.number, self.id)

    def problem(self, path: tuple, message: str, hint: str | None = None, code: str | None = "SS130") -> Problem:
        return self.doc.problem(path, message, hint=hint, code=code)


def patch_files(cfg: PatchConfig) -> list[Path]:
    """Candidate patch files: ``*.yaml``, ``*.yml`` and ``*.json`` in the patches folder (not the ledger)."""
    if not cfg.dir.is_dir():
        return []
    return sorted(p for p in cfg.dir.iterdir()
                  if p.is_file() and p.suffix in SUFFIXES and p.resolve() != cfg.ledger)


def load_patches(cfg: PatchConfig) -> list[PatchDoc]:
    """Every patch of the workspace, sorted by number; one SpecError lists all problems."""
    problems: list[Problem] = []
    patches: list[PatchDoc] = []
    for path in patch_files(cfg):
        display = cfg.display(path)
        if not NAME_RE.match(path.stem):
            if path.suffix != ".json":  # JSON files that are not numbered (schemas) are not patches
                problems.append(Problem(f"{path.name!r} is not a patch file name", file=display,
                                        hint="name patches NNN-slug.yaml (`syncspec patch new TITLE` does)",
                                        code="SS130"))
            continue
        patch = load_patch(path, display, problems)
        if patch is not None:
            patches.append(patch)
    _check_numbers(patches, problems)
    if problems:
        raise SpecError(problems=problems)
    return sorted(patches, key=lambda p: p.sort_key)


def load_patch(path: Path, display: str, problems: list[Problem]) -> PatchDoc | None:
    """Parse, validate and build one patch; its problems go to ``problems``."""
    from ..spec.schema import validate_document

    try:
        text = read_text(path, display)
        doc = _parse(text, display, path.suffix == ".json")
    except SpecError as exc:
        problems.extend(exc.problems)
        return None
    if doc.data is None:
        problems.append(Problem("patch file is empty", file=display, line=1,
                                hint="start from `syncspec patch new TITLE`, or delete the file", code="SS108"))
        return None
    doc, found = _as_json(doc, text)
    found = found or [_reword(p, doc) for p in validate_document(doc, PATCH_SCHEMA)]
    if found:
        problems.extend(found)
        return None
    data = doc.data
    before = len(problems)
    if data["id"] != path.stem:
        problems.append(_problem(doc, ("id",), f"id {data['id']!r} differs from the file name {path.name!r}",
                                    hint=f"write 'id: {path.stem}', or rename the file to {data['id']}{path.suffix}"))
    if data["id"] in data.get("requires", []):
        i = data["requires"].index(data["id"])
        problems.append(_problem(doc, ("requires", i), "a patch cannot require itself", hint="remove it from requires"))
    if data.get("status", "ready") == "ready" and not data["operations"]:
        problems.append(_problem(doc, ("operations",), "a ready patch needs at least one operation",
                                    hint="add operations, or keep 'status: draft' until it has some"))
    for i, cond in enumerate(data.get("post_conditions", [])):
        given = [k for k in CHECKS if k in cond]
        if len(given) != 1:
            problems.append(_problem(doc, ("post_conditions", i),
                                        "a post-condition needs exactly one of exists, count, equals"
                                        + (f" (has {', '.join(given)})" if given else ""),
                                        hint="split it into one post-condition per check"))
    named = NAME_RE.match(data["id"])
    if named is None or len(problems) > before:     # the schema's id pattern is NAME_RE's
        return None
    named = NAME_RE.match(data["id"])
    assert named is not None       # the schema's pattern for id
    return PatchDoc(
        id=data["id"], number=int(named.group("number")), file=display, path=path,
        title=data["title"], status=data.get("status", "ready"), priority=data.get("priority"),
        created=data.get("created"), requires=tuple(data.get("requires", [])),
        operations=tuple(data["operations"]), post_conditions=tuple(data.get("post_conditions", [])),
        checksum="sha256:" + sha256(data), doc=doc)


def _problem(doc: Located, path: tuple, message: str, **kw: Any) -> Problem:
    """A patch document problem (SS130) located in ``doc``."""
    return doc.problem(path, message, code="SS130", **kw)


def _reword(problem: Problem, doc: Located) -> Problem:
    """Say what a pointer or an id should look like instead of quoting the schema's regex."""
    path = problem.json_path or ""
    if "does not match" in problem.message and path.endswith((".path", ".from", ".pointer")):
        value = problem.message.split(" does not match", 1)[0]
        return replace(problem, message=f"{value} is not a JSON Pointer",
                       hint=f"start it with '/', e.g. '/{value.strip(chr(39)).lstrip('/')}' ('' is the whole plan; "
                            "write ~1 for '/' and ~0 for '~' inside a key)")
    if "does not match" in problem.message and (path == "$.id" or path.startswith("$.requires")):
        return replace(problem, hint="a patch id is its file name: a number, then a lowercase slug, "
                                     "e.g. 006-core-state-implementation")
    if problem.hint and "`syncspec schema`" in problem.hint:
        return replace(problem, hint=problem.hint.replace("`syncspec schema`", "patch.schema.json"))
    return problem


def _parse(text: str, display: str, is_json: bool) -> Located:
    if not is_json:
        return load_yaml(text, display)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(problems=[Problem(f"invalid JSON: {exc.msg}", file=display, line=exc.lineno,
                                          column=exc.colno, hint="fix the JSON syntax", code="SS102")]) from None
    try:  # JSON is read as YAML only for line marks (and duplicate keys); the data is json's
        marked = load_yaml(text.replace("\t", " "), display)
    except SpecError as exc:
        if any(p.message.startswith("duplicate key") for p in exc.problems):
            raise
        return Located(data, {(): (1, 1)}, {}, display)
    return Located(data, marked.marks, marked.key_marks, display)


def _as_json(doc: Located, text: str) -> tuple[Located, list[Problem]]:
    """YAML values JSON cannot hold: timestamps become their text as written; other kinds are errors."""
    problems: list[Problem] = []
    nodes: list[Any] = []

    def raw(path: tuple) -> str:
        import yaml

        if not nodes:
            nodes.append(yaml.compose(text, Loader=yaml.SafeLoader))
        node = nodes[0]
        for part in path:
            node = node.value[part] if isinstance(part, int) else next(
                v for k, v in node.value if k.value == part)
        return node.value

    def fix(value: Any, path: tuple) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return raw(path)
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    mark = key if path + (key,) in doc.key_marks else str(key)  # as the YAML layer keys it
                    problems.append(_problem(doc, path + (mark,), f"key {key!r} is not a string", key=True,
                                                hint=f"quote it: '{key}': ... (JSON keys are strings)"))
                    continue
                out[key] = fix(item, path + (key,))
            return out
        if isinstance(value, list):
            return [fix(item, path + (i,)) for i, item in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(_problem(doc, path, f"{value} is not a JSON number", hint="use a finite number"))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            problems.append(_problem(doc, path, f"a YAML {type(value).__name__} is not a JSON value",
                                        hint="quote it to keep it as a string"))
        return value

    fixed = fix(doc.data, ())
    return Located(fixed, doc.marks, doc.key_marks, doc.file), problems


def _check_numbers(patches: list[PatchDoc], problems: list[Problem]) -> None:
    by_number: dict[int, list[PatchDoc]] = {}
    for patch in patches:
        by_number.setdefault(patch.number, []).append(patch)
    for number, same in sorted(by_number.items()):
        if len(same) > 1:
            names = ", ".join(p.file for p in same)
            for patch in same:
                problems.append(patch.problem(("id",), f"patch number {number} is used by {len(same)} files: {names}",
                                              hint="renumber all but one (`syncspec patch new` picks the next "
                                                   "free number)"))

