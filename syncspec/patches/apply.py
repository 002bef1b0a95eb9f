"""Apply one patch to a plan in memory: RFC 6902 operations, post-conditions, then the plan schema.

Nothing here writes a file. Every failure is a SpecError naming the patch
file, the operation (or post-condition) index, its line and the pointer.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, SourceError, SpecError
from .config import PatchConfig
from .document import PatchDoc
from .jsonfile import JsonFile, read_json

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()
MAX_SCHEMA_PROBLEMS = 20


@dataclass(frozen=True)
class OpChange:
    """What one operation did: the value at ``path`` before and after (MISSING when absent)."""

    index: int
    op: str
    path: str
    from_: str | None
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "op": self.op, "path": self.path}
        if self.from_ is not None:
            out["from"] = self.from_
        if self.old is not MISSING:
            out["old"] = self.old
        if self.new is not MISSING:
            out["new"] = self.new
        return out


@dataclass(frozen=True)
class Applied:
    """A patch applied in memory: the plan before and after, and each operation's change."""

    patch: PatchDoc
    before: Any
    after: Any
    changes: tuple[OpChange, ...]


def apply_patch(plan: Any, patch: PatchDoc, validator: Any = None, schema_file: str | None = None,
                in_place: bool = False) -> Applied:
    """Apply ``patch`` to a copy of ``plan``; check its post-conditions and the plan schema.

    ``in_place`` skips the copy (for a batch that already works on its own copy);
    its OpChanges then carry no values, since later patches may change them.
    """
    import jsonpatch
    from jsonpointer import JsonPointerException

    doc = plan if in_place else copy.deepcopy(plan)
    changes: list[OpChange] = []
    for i, op in enumerate(patch.operations):
        tokens = _tokens(op["path"])
        old = MISSING if in_place else get(doc, tokens)
        try:
            # a copy of the op: jsonpatch inserts its value as is, and later operations would mutate the document
            doc = jsonpatch.JsonPatch([copy.deepcopy(op)]).apply(doc, in_place=True)
        except (jsonpatch.JsonPatchException, JsonPointerException) as exc:
            raise _op_error(patch, i, op, doc, exc) from None
        if in_place:
            new = MISSING
        elif op["op"] == "test":
            new = op["value"]
        elif op["op"] == "remove":
            new = MISSING
        elif tokens and tokens[-1] == "-" and isinstance(get(doc, tokens[:-1]), list):
            new = get(doc, tokens[:-1])[-1]  # an append: the new last item
        else:
            new = get(doc, tokens)
        changes.append(OpChange(i, op["op"], op["path"], op.get("from"), old, new))
    failed = _post_failures(doc, patch)
    if not failed and validator is not None:
        failed = _schema_problems(doc, patch, validator, schema_file or "the plan schema")
    if failed:
        raise SpecError(problems=[p for _, p in failed], patch=patch.id, pointer=failed[0][0])
    return Applied(patch, plan, doc, tuple(changes))


def check_post_conditions(doc: Any, patch: PatchDoc) -> list[Problem]:
    """A problem for every post-condition that does not hold in ``doc``."""
    return [p for _, p in _post_failures(doc, patch)]


def _post_failures(doc: Any, patch: PatchDoc) -> list[tuple[str, Problem]]:
    problems = []
    for j, cond in enumerate(patch.post_conditions):
        pointer = cond["pointer"]
        value = get(doc, _tokens(pointer))
        shown = pointer or "the plan"
        failure = None
        if "exists" in cond and (value is not MISSING) != cond["exists"]:
            failure = f"{shown} does not exist" if cond["exists"] else f"{shown} still exists"
        elif "count" in cond:
            if value is MISSING:
                failure = f"{shown} does not exist (expected {cond['count']} items)"
            elif not isinstance(value, (list, dict)):
                failure = f"{shown} is {_kind(value)}, not an array or object to count"
            elif len(value) != cond["count"]:
                failure = f"{shown} has {len(value)} items, expected {cond['count']}"
        elif "equals" in cond and not json_equal(value, cond["equals"]):
            failure = (f"{shown} does not exist (expected {short(cond['equals'])})" if value is MISSING else
                       f"{shown} is {short(value)}, expected {short(cond['equals'])}")
        if failure:
            note = f" [{cond['note']}]" if cond.get("note") else ""
            problems.append((pointer, Problem(f"post-condition {j} failed: {failure}{note}", file=patch.file,
                                    line=patch.doc.where(("post_conditions", j))[0],
                                    column=patch.doc.where(("post_conditions", j))[1],
                                    json_path=f"$.post_conditions[{j}]",
                                    hint="the operations do not produce what the patch promises: fix the "
                                         "operations or the post-condition; the plan was not changed",
                                    code="SS130")))
    return problems


def load_validator(cfg: PatchConfig) -> tuple[Any, str | None]:
    """The plan's JSON Schema validator (Draft 2020-12 unless the schema names another), or None."""
    if cfg.schema is None:
        return None, None
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    file = read_json(cfg.schema, cfg.display(cfg.schema), "plan schema")
    cls = validator_for(file.data, default=Draft202012Validator)
    try:
        cls.check_schema(file.data)
    except SchemaError as exc:
        tokens = tuple(str(t) for t in exc.absolute_path)
        line, col = file.locate(tokens)
        raise SourceError(problems=[Problem(f"not a valid JSON Schema: {exc.message}", file=file.display,
                                            line=line, column=col, json_path=_json_path(exc.absolute_path),
                                            hint="fix the plan schema (see json-schema.org, Draft 2020-12)")]) from None
    return cls(file.data), file.display


def check_plan(plan: JsonFile, validator: Any, schema_file: str) -> None:
    """The plan as it is now must satisfy its schema, or patches would be blamed for it."""
    from jsonschema.exceptions import relevance

    errors = sorted(validator.iter_errors(plan.data), key=relevance)[:MAX_SCHEMA_PROBLEMS]
    if errors:
        problems = []
        for err in errors:
            line, col = plan.locate(tuple(str(t) for t in err.absolute_path))
            problems.append(Problem(f"does not validate against {schema_file}: {_message(err)}", file=plan.display,
                                    line=line, column=col, json_path=_json_path(err.absolute_path),
                                    hint="fix the plan (or its schema) before applying patches"))
        raise SourceError(problems=problems, pointer=_pointer(errors[0].absolute_path))


def _schema_problems(doc: Any, patch: PatchDoc, validator: Any, schema_file: str) -> list[tuple[str, Problem]]:
    from jsonschema.exceptions import relevance

    problems = []
    for err in sorted(validator.iter_errors(doc), key=relevance)[:MAX_SCHEMA_PROBLEMS]:
        pointer = _pointer(err.absolute_path)
        index = _op_touching(patch, tuple(str(t) for t in err.absolute_path))
        where = ("operations", index) if index is not None else ("operations",)
        line, col = patch.doc.where(where)
        problems.append((pointer, Problem(
            f"after this patch the plan does not validate against {schema_file} at {pointer or '/'}: "
            f"{_message(err)}", file=patch.file, line=line, column=col,
            json_path=f"$.operations[{index}]" if index is not None else "$.operations",
            hint="fix the operation's value, or change the plan schema first; the plan was not changed",
            code="SS130")))
    return problems


def _op_touching(patch: PatchDoc, tokens: tuple[str, ...]) -> int | None:
    """The last operation whose path contains, or lies inside, ``tokens``."""
    best = None
    for i, op in enumerate(patch.operations):
        if op["op"] == "test":
            continue
        path = tuple(_tokens(op["path"]))
        if tokens[: len(path)] == path or path[: len(tokens)] == tokens:
            best = i
    return best


def _op_error(patch: PatchDoc, i: int, op: dict[str, Any], doc: Any, exc: Exception) -> SpecError:
    import jsonpatch

    kind, key = op["op"], "path"
    if isinstance(exc, jsonpatch.JsonPatchTestFailed):
        actual = get(doc, _tokens(op["path"]))
        why = (f"test failed: {op['path'] or 'the plan'} does not exist" if actual is MISSING else
               f"test failed: {op['path'] or 'the plan'} is {short(actual)}, expected {short(op['value'])}")
        hint = ("the plan is not in the state this patch was written against: apply the patches it builds on "
                "first (requires:), or update the expected value")
    else:
        why = None
        if kind in ("move", "copy"):
            why = explain_missing(doc, _tokens(op["from"]), adding=False)
            key = "from" if why else "path"
        why = why or explain_missing(doc, _tokens(op["path"]), adding=kind in ("add", "move", "copy"))
        why = why or str(exc)
        hint = "fix the pointer, or require the patch that creates it (requires:)"
    pointer = op[key]
    line, col = patch.doc.where(("operations", i, key))
    return SpecError(problems=[Problem(f"operation {i} ({kind} {pointer or '/'}): {why}", file=patch.file,
                                       line=line, column=col, json_path=f"$.operations[{i}].{key}",
                                       hint=hint + "; the plan was not changed", code="SS130")],
                     patch=patch.id, operation=i, pointer=pointer)


def explain_missing(doc: Any, tokens: list[str], adding: bool) -> str | None:
    """Why ``tokens`` does not resolve (for add: why its parent does not), or None if it does."""
    node, walked = doc, ""
    for depth, token in enumerate(tokens):
        last = depth == len(tokens) - 1
        here = walked or "the plan"
        if isinstance(node, dict):
            if token not in node:
                if adding and last:
                    return None
                keys = list(node)
                close = difflib.get_close_matches(token, [str(k) for k in keys], n=1, cutoff=0.75)
                listing = ", ".join(map(str, keys[:8])) + (", ..." if len(keys) > 8 else "")
                return (f"{walked}/{token} does not exist; {here} has "
                        + (f"{listing}" if keys else "no members")
                        + (f" (did you mean {close[0]!r}?)" if close else ""))
            node = node[token]
        elif isinstance(node, list):
            if adding and last and (token == "-" or (token.isdigit() and int(token) <= len(node))):
                return None
            if not token.isdigit() or int(token) >= len(node):
                return f"{here} is an array of {len(node)} items; {token!r} is not an index of it"
            node = node[int(token)]
        else:
            return f"{here} is {_kind(node)}, so it has no member {token!r}"
        walked += "/" + token.replace("~", "~0").replace("/", "~1")
    return None


def get(doc: Any, tokens: list[str]) -> Any:
    """The value at ``tokens``, or MISSING."""
    node = doc
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        f"a/{name}", f"b/{name}", n=2))


def short(value: Any, width: int = 60) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False) if value is not MISSING else "<missing>"
    return text if len(text) <= width else text[: width - 3] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return short(value, 30)


def _tokens(pointer: str) -> list[str]:
    from jsonpointer import JsonPointer

    return list(JsonPointer(pointer).parts)


def _pointer(path: Any) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in path)


def _json_path(path: Any) -> str:
    from ..spec.yamlfile import json_path

    return json_path(tuple(path))


def _message(err: Any) -> str:
    text = err.message
    return text if len(text) <= 200 else text[:197] + "..."

