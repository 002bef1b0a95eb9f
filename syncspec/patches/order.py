"""Order pending patches by ``requires`` then id; report unknown requirements, cycles and conflicts."""

from __future__ import annotations

import difflib
import heapq
from dataclasses import dataclass
from typing import Any, Iterable

from ..errors import Problem, SpecError
from .document import PatchDoc


def order(pending: list[PatchDoc], applied: Iterable[str], known: dict[str, PatchDoc]) -> list[PatchDoc]:
    """Pending patches in apply order: each after what it requires, ties broken by number then id.

    Requirements on applied patches are met; on unknown ids, on drafts, or in a
    cycle they are errors (SpecError naming the patches).
    """
    applied = set(applied)
    ids = {p.id: p for p in pending}
    problems: list[Problem] = []
    for patch in pending:
        for i, req in enumerate(patch.requires):
            if req in applied or req in ids:
                continue
            if req in known:
                problems.append(patch.problem(("requires", i), f"requires {req!r}, a draft that is not applied",
                                              hint=f"set 'status: ready' in {known[req].file}, or drop the "
                                                   "requirement"))
                continue
            problems.append(patch.problem(("requires", i), f"requires {req!r}, which is no patch", hint=_guess(
                req, sorted(set(known) | applied))))
    if problems:
        raise SpecError(problems=problems)

    waiting = {p.id: sum(1 for r in p.requires if r in ids) for p in pending}
    dependents: dict[str, list[str]] = {}
    for patch in pending:
        for req in patch.requires:
            if req in ids:
                dependents.setdefault(req, []).append(patch.id)
    ready = [(p.sort_key, p.id) for p in pending if waiting[p.id] == 0]
    heapq.heapify(ready)
    out: list[PatchDoc] = []
    while ready:
        _, pid = heapq.heappop(ready)
        out.append(ids[pid])
        for dep in dependents.get(pid, []):
            waiting[dep] -= 1
            if waiting[dep] == 0:
                heapq.heappush(ready, (ids[dep].sort_key, dep))
    if len(out) < len(pending):
        cycle = _cycle({pid: ids[pid] for pid, n in waiting.items() if n > 0})
        first = ids[cycle[0]]
        text = " requires ".join(cycle + [cycle[0]])
        raise SpecError(problems=[first.problem(("requires", first.requires.index(cycle[1 % len(cycle)])),
                                                f"requires cycle: {text}",
                                                hint="patches cannot require each other in a circle; drop one "
                                                     "requirement (" + ", ".join(ids[c].file for c in cycle) + ")")],
                        cycle=text)
    return out


def _cycle(stuck: dict[str, PatchDoc]) -> list[str]:
    """One cycle among patches that never became ready (each requires the next), smallest id first."""
    start = min(stuck, key=lambda pid: stuck[pid].sort_key)
    path: list[str] = []
    node = start
    while node not in path:
        path.append(node)
        node = min((r for r in stuck[node].requires if r in stuck), key=lambda pid: stuck[pid].sort_key)
    cycle = path[path.index(node):]            # cycle[i] requires cycle[i + 1]
    low = min(range(len(cycle)), key=lambda i: stuck[cycle[i]].sort_key)
    return cycle[low:] + cycle[:low]


def _guess(req: str, ids: list[str]) -> str:
    number = req.split("-", 1)[0]
    same = [i for i in ids if i.split("-", 1)[0] == number]
    close = same or difflib.get_close_matches(req, ids, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known patches: {', '.join(ids)}" if ids else "there are no other patches yet"


@dataclass(frozen=True)
class Conflict:
    """Two pending patches, unordered by ``requires``, write the same (or a nested) pointer."""

    pointer: str
    first: tuple[str, int]      # (patch id, operation index)
    second: tuple[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "first": {"patch": self.first[0], "operation": self.first[1]},
                "second": {"patch": self.second[0], "operation": self.second[1]}}


@dataclass(frozen=True)
class _Write:
    tokens: tuple[str, ...]
    index: int
    append: bool      # adds at the end of an array ('-'), shifting nothing
    shifts: bool      # inserts into or removes from an array, moving later indexes


def conflicts(ordered: list[PatchDoc], plan: Any, known: dict[str, PatchDoc]) -> list[Conflict]:
    """Pairs of writes by pending patches that no ``requires`` chain orders and that overlap.

    Two writes overlap when one pointer equals or contains the other, or when
    both go into one array and either inserts or removes by index. Appends
    ('/list/-') do not overlap each other. ``test`` operations only read.
    """
    before = {p.id: _requires_closure(p, known) for p in ordered}
    writes = {p.id: _writes(p, plan) for p in ordered}
    found: list[Conflict] = []
    seen: set[tuple[str, str, str]] = set()
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.id in before[b.id] or b.id in before[a.id]:
                continue
            for wa in writes[a.id]:
                for wb in writes[b.id]:
                    if _overlap(wa, wb):
                        pointer = _pointer(wa.tokens if len(wa.tokens) <= len(wb.tokens) else wb.tokens)
                        if (a.id, b.id, pointer) not in seen:
                            seen.add((a.id, b.id, pointer))
                            found.append(Conflict(pointer, (a.id, wa.index), (b.id, wb.index)))
    return found


def _requires_closure(patch: PatchDoc, known: dict[str, PatchDoc]) -> set[str]:
    out: set[str] = set()
    todo = list(patch.requires)
    while todo:
        pid = todo.pop()
        if pid not in out:
            out.add(pid)
            todo.extend(known[pid].requires if pid in known else ())
    return out


def _writes(patch: PatchDoc, plan: Any) -> list[_Write]:
    from jsonpointer import JsonPointer

    out = []
    for i, op in enumerate(patch.operations):
        kind = op["op"]
        targets = []
        if kind in ("add", "copy", "move"):
            targets.append((op["path"], True))
        elif kind in ("remove", "replace"):
            targets.append((op["path"], kind == "remove"))
        if kind == "move":
            targets.append((op["from"], True))
        for pointer, may_shift in targets:
            tokens = tuple(JsonPointer(pointer).parts)
            in_list = bool(tokens) and isinstance(_resolve(plan, tokens[:-1]), list)
            append = in_list and tokens[-1] == "-"
            out.append(_Write(tokens, i, append, in_list and may_shift and not append))
    return out


def _resolve(doc: Any, tokens: tuple[str, ...]) -> Any:
    node = doc
    for token in tokens:
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return node


def _overlap(a: _Write, b: _Write) -> bool:
    if a.append and b.append:
        return False
    short, long = (a.tokens, b.tokens) if len(a.tokens) <= len(b.tokens) else (b.tokens, a.tokens)
    if long[: len(short)] == short:
        return True
    same_array = bool(a.tokens) and bool(b.tokens) and a.tokens[:-1] == b.tokens[:-1]
    return same_array and (a.shifts or b.shifts) and not (a.append or b.append)


def _pointer(tokens: tuple[str, ...]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)
