"""The shipped JSON Schemas and schema validation with located, hinted problems."""

from __future__ import annotations

import dataclasses
import difflib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import Problem
from .yamlfile import Located

SPEC_SCHEMA = "spec.schema.json"
_YAML_BOOL_HINT = "YAML reads on/off/yes/no as true/false: quote the key ('on':) if you meant the word"
WORKSPACE_SCHEMA = "workspace.schema.json"
#: the copies `syncspec init` writes beside the specs (for editors' modelines) -> the packaged schema
COPIES = {"syncspec.schema.json": SPEC_SCHEMA, "syncspec.workspace.schema.json": WORKSPACE_SCHEMA}


@lru_cache(maxsize=None)
def load_schema(name: str = SPEC_SCHEMA) -> dict[str, Any]:
    """Return a packaged JSON Schema (Draft 2020-12) by file name."""
    return json.loads(resources.files("syncspec").joinpath("schemas").joinpath(name).read_text("utf-8"))


def schema_text(name: str = SPEC_SCHEMA) -> str:
    return resources.files("syncspec").joinpath("schemas").joinpath(name).read_text("utf-8")


def copy_is_current(path: Path, name: str) -> bool | None:
    """Is the schema copy at ``path`` byte-identical to packaged schema ``name``? None: there is no copy.

    A copy goes stale silently after an upgrade (an editor then completes keys this
    version rejects, or misses new ones): `validate` warns, `schema --write` refreshes.
    """
    try:
        return path.read_bytes() == schema_text(name).encode("utf-8")
    except OSError:
        return None


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def validate_document(doc: Located, name: str = SPEC_SCHEMA, cache: Any = None) -> list[Problem]:
    """Every schema violation of ``doc``, most relevant first, each located.

    ``cache`` (a spec/validated.py ValidatedCache): a document that validated before is not
    validated again, and one that validates now is remembered.
    """
    if cache is not None:
        digest = cache.digest(name, doc.data)
        if cache.hit(digest):
            return []
        found = validate_document(doc, name)
        if not found:
            cache.add(digest)
        return found
    from jsonschema.exceptions import relevance

    errors = sorted(_validator(name).iter_errors(doc.data), key=relevance)
    problems: list[Problem] = []
    seen: set[tuple] = set()
    leaves = [leaf for err in errors for leaf in _leaves(err)]
    # 'targt:' already says "did you mean 'target'?": a second "missing 'target'" is noise
    suggested = {(tuple(leaf.absolute_path), close) for leaf in leaves
                 if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict)
                 for close in _unknown_keys(leaf).values() if close}
    for leaf in leaves:
        if leaf.validator == "required" and (tuple(leaf.absolute_path), _missing(leaf)) in suggested:
            continue
        for problem in _describe(leaf, doc):
            problem = problem if problem.code else dataclasses.replace(problem, code="SS105")
            ident = (problem.line, problem.json_path, problem.message)
            if ident not in seen:
                seen.add(ident)
                problems.append(problem)
    return problems


def _leaves(err):
    """For oneOf/anyOf, the errors of the branch that fits the instance best."""
    if not err.context:
        return [err]
    branches: dict[int, list] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def score(subs):
        depth = max(len(s.relative_path) for s in subs)
        return (all(_fits(s) for s in subs), depth, -len(subs))

    best = max(branches.values(), key=score)
    if not all(_fits(s) for s in best) and len(branches) > 1:
        return [err]  # nothing fits: report the oneOf itself, with the options
    out = []
    for sub in best:
        out.extend(_leaves(sub))
    return out


def _fits(sub) -> bool:
    """False if ``sub`` says its branch expects another kind of value altogether.

    A mapping checked against an enum of strings, or a string against
    ``type: object``, is a wrong branch; an unknown key in a mapping is not.
    """
    if sub.relative_path:
        return True
    if sub.validator == "type":
        return False
    if sub.validator in ("enum", "const"):
        options = sub.validator_value if sub.validator == "enum" else [sub.validator_value]
        return any(_json_type(o) == _json_type(sub.instance) for o in options)
    return True


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _unknown_keys(err) -> dict[Any, str | None]:
    """Unknown keys of an additionalProperties error -> their closest allowed key."""
    allowed = sorted(err.schema.get("properties", {}))
    return {key: next(iter(difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)), None)
            for key in err.instance if key not in err.schema.get("properties", {})}


def _missing(err) -> str:
    return err.message.split("'")[1] if "'" in err.message else err.message


def _describe(err, doc: Located) -> list[Problem]:
    path = tuple(err.absolute_path)
    hint: str | None
    if "propertyNames" in err.absolute_schema_path:
        # the error is about a key: name it and point at it, not at its mapping
        name = err.instance
        if err.validator == "type":
            hint = (_YAML_BOOL_HINT if isinstance(name, bool) else
                    "use letters, digits and underscores, starting with a letter")
            return [doc.problem(path + (name,), f"name {name!r} is not a string", hint=hint, key=True)]
        return [doc.problem(path + (name,), f"name {name!r} does not match {err.validator_value!r}",
                            hint="use letters, digits and underscores, starting with a letter", key=True)]
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        out = []
        for key, close in _unknown_keys(err).items():
            hint = f"did you mean {close!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            if isinstance(key, bool):
                hint = _YAML_BOOL_HINT
            out.append(doc.problem(path + (key,), f"unknown key {key!r}", hint=hint, key=True,
                                   code="SS106"))
        return out
    if err.validator == "required":
        missing = _missing(err)
        return [doc.problem(path, f"missing required key {missing!r}",
                            hint=f"add '{missing}:' here (see `syncspec schema`)", code="SS107")]
    if err.validator == "not" and set(err.validator_value) == {"required"}:
        keys = " and ".join(repr(k) for k in err.validator_value["required"])
        return [doc.problem(path, f"{keys} cannot be used together", hint="keep one of them")]
    if err.validator == "enum":
        options = ", ".join(repr(o) for o in err.validator_value)
        near = difflib.get_close_matches(str(err.instance), [str(o) for o in err.validator_value], n=1)
        hint = f"did you mean {near[0]!r}?" if near else f"use one of: {options}"
        return [doc.problem(path, f"{err.instance!r} is not one of {options}", hint=hint)]
    if err.validator == "oneOf" or err.validator == "anyOf":
        kinds = [_branch_name(b) for b in err.validator_value]
        return [doc.problem(path, f"{_short(err.instance)} is not valid here: expected {' or '.join(kinds)}",
                            hint="see `syncspec schema` for the accepted forms")]
    if err.validator == "type":
        hint = _hint_for_path(path)
        if err.validator_value == "array" and isinstance(err.instance, (str, int, float)):
            hint = f"write a list: [{err.instance}]"
        return [doc.problem(path, f"{_short(err.instance)} is not of type {err.validator_value!r}", hint=hint)]
    if err.validator == "pattern":
        return [doc.problem(path, f"{err.instance!r} does not match {err.validator_value!r}",
                            hint=_hint_for_path(path) or "use letters, digits and underscores, starting with a letter")]
    return [doc.problem(path, err.message, hint=_hint_for_path(path))]


def _branch_name(branch: dict) -> str:
    if "$ref" in branch:
        return branch["$ref"].rsplit("/", 1)[-1].replace("_", " ")
    if "type" in branch:
        kind = branch["type"][0] if isinstance(branch["type"], list) else branch["type"]
        return {"array": "a list", "object": "a mapping", "integer": "an integer"}.get(kind, f"a {kind}")
    if "enum" in branch:
        return "one of " + ", ".join(map(repr, branch["enum"]))
    return "another form"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint_for_path(path: tuple) -> str | None:
    if len(path) >= 3 and path[:2] == ("target", "columns"):
        return "a column is a type name (text, integer, real, boolean, date, datetime, json) or a mapping with type/from/value/default/required/choices/pattern/transform/length"
    if path and path[0] == "sync":
        return "name syncs like python identifiers in lowercase, e.g. build_history"
    return None
