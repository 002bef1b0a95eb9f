"""The shipped JSON Schemas and schema validation with located, hinted problems."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import Problem
from .yamlfile import Located

SPEC_SCHEMA = "spec.schema.json"
WORKSPACE_SCHEMA = "workspace.schema.json"


@lru_cache(maxsize=None)
def load_schema(name: str = SPEC_SCHEMA) -> dict[str, Any]:
    """Return a packaged JSON Schema (Draft 2020-12) by file name."""
    return json.loads(resources.files("syncspec").joinpath("schemas", name).read_text("utf-8"))


def schema_text(name: str = SPEC_SCHEMA) -> str:
    return resources.files("syncspec").joinpath("schemas", name).read_text("utf-8")


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


def validate_document(doc: Located, name: str = SPEC_SCHEMA) -> list[Problem]:
    """Every schema violation of ``doc``, most relevant first, each located."""
    from jsonschema.exceptions import relevance

    errors = sorted(_validator(name).iter_errors(doc.data), key=relevance)
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for err in errors:
        for leaf in _leaves(err):
            for problem in _describe(leaf, doc):
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
        # a branch whose errors are only 'type' mismatches at the top is a wrong branch
        type_only = all(s.validator == "type" and not s.relative_path for s in subs)
        depth = max(len(s.relative_path) for s in subs)
        return (not type_only, depth, -len(subs))

    best = max(branches.values(), key=score)
    if all(s.validator in ("type", "enum", "const") and not s.relative_path for s in best) and len(branches) > 1:
        return [err]  # nothing fits: report the oneOf itself, with the options
    out = []
    for sub in best:
        out.extend(_leaves(sub))
    return out


def _describe(err, doc: Located) -> list[Problem]:
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        extras = [k for k in err.instance if k not in err.schema.get("properties", {})]
        out = []
        for key in extras:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            out.append(doc.problem(path + (key,), f"unknown key {key!r}", hint=hint, key=True))
        return out
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return [doc.problem(path, f"missing required key {missing!r}",
                            hint=f"add '{missing}:' here (see `syncspec schema`)")]
    if err.validator == "enum":
        options = ", ".join(repr(o) for o in err.validator_value)
        close = difflib.get_close_matches(str(err.instance), [str(o) for o in err.validator_value], n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {options}"
        return [doc.problem(path, f"{err.instance!r} is not one of {options}", hint=hint)]
    if err.validator == "oneOf" or err.validator == "anyOf":
        kinds = [_branch_name(b) for b in err.validator_value]
        return [doc.problem(path, f"{_short(err.instance)} is not valid here: expected {' or '.join(kinds)}",
                            hint="see `syncspec schema` for the accepted forms")]
    if err.validator == "type":
        return [doc.problem(path, f"{_short(err.instance)} is not of type {err.validator_value!r}",
                            hint=_hint_for_path(path))]
    if err.validator == "pattern":
        return [doc.problem(path, f"{err.instance!r} does not match {err.validator_value!r}",
                            hint=_hint_for_path(path) or "use letters, digits and underscores, starting with a letter")]
    return [doc.problem(path, err.message, hint=_hint_for_path(path))]


def _branch_name(branch: dict) -> str:
    if "$ref" in branch:
        return branch["$ref"].rsplit("/", 1)[-1].replace("_", " ")
    if "type" in branch:
        return "a list" if branch["type"] == "array" else f"a {branch['type']}"
    if "enum" in branch:
        return "one of " + ", ".join(map(repr, branch["enum"]))
    return "another form"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint_for_path(path: tuple) -> str | None:
    if len(path) >= 3 and path[:2] == ("target", "columns"):
        return "a column is a type name (text, integer, real, boolean, date, datetime, json) or a mapping with type/from/value/default/required/choices/pattern/length"
    if path and path[0] == "sync":
        return "name syncs like python identifiers in lowercase, e.g. build_history"
    return None
