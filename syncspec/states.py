"""State machines on columns: is a row's move from its stored state to its new one allowed?

Checked per file, before the file's rows are written, so an illegal move stops the
run with nothing written. Only rows that change are looked at: updates cost one
narrow SELECT (key + state columns) per file, inserts none; a no-op sync costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import Problem
from .records import Row, coerce
from .spec.model import Column, Spec, StateMachine


class StateCheck:
    """The state columns of one spec, checked against the rows stored in its table."""

    def __init__(self, spec: Spec, target: Any, binding: Any):
        self.spec, self.target, self.binding = spec, target, binding
        self.columns: list[Column] = [c for c in spec.columns if c.states is not None]
        self.names = [c.name for c in self.columns]
        self.on_inserts = any(c.states.initial is not None for c in self.columns if c.states is not None)

    def __bool__(self) -> bool:
        return bool(self.columns)

    def check(self, inserts: Sequence[Row], updates: Sequence[tuple[Row, str | None]]
              ) -> tuple[list[Problem], list[Problem]]:
        """(errors, warnings) for one file's changed rows; ``on_violation`` sorts each into one list."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        if self.on_inserts:
            for row in inserts:
                for col in self.columns:
                    machine = _machine(col)
                    new = row.values.get(col.name)
                    if machine.initial is not None and new is not None and new not in machine.initial:
                        (errors if machine.on_violation == "error" else warnings).append(self._new(row, col, new))
        if updates:
            stored = self.target.values(self.binding, [r.key for r, _ in updates], self.names)
            for row, _ in updates:
                old_values = stored.get(row.key)
                if old_values is None:
                    continue
                for col, old in zip(self.columns, old_values):
                    new = row.values.get(col.name)
                    if old is None or new is None:
                        continue            # no state on one side: nothing to move between
                    old = _as(old, col.type)
                    if not _machine(col).allows(old, new):
                        (errors if _machine(col).on_violation == "error" else warnings).append(
                            self._move(row, col, old, new))
        return errors, warnings

    def _move(self, row: Row, col: Column, old: Any, new: Any) -> Problem:
        machine = _machine(col)
        allowed = machine.next_states(old)
        if old in machine.terminal:
            why = f"{old!r} is terminal"
        elif allowed:
            why = f"allowed from {old!r}: {', '.join(map(repr, allowed))}"
        else:
            why = f"{old!r} has no transitions"
        return Problem(f"spec {self.spec.name!r}, entry {_key(row.key)}: {col.name} cannot change from {old!r} "
                       f"to {new!r} ({why})", file=row.file, line=row.line,
                       json_path=f"$.target.columns.{col.name}.states",
                       hint=f"fix {col.name} in {row.file}, or declare the transition in {self.spec.file} "
                            f"(states.transitions: {old}: [{', '.join(map(str, (*allowed, new)))}])")

    def _new(self, row: Row, col: Column, new: Any) -> Problem:
        initial = _machine(col).initial or ()
        return Problem(f"spec {self.spec.name!r}, entry {_key(row.key)}: new entry starts with {col.name} {new!r} "
                       f"(new entries start in: {', '.join(map(repr, initial))})", file=row.file, line=row.line,
                       json_path=f"$.target.columns.{col.name}.states.initial",
                       hint=f"fix {col.name} in {row.file}, or add {new!r} to states.initial in {self.spec.file}")


def _machine(col: Column) -> StateMachine:
    assert col.states is not None     # StateCheck keeps only columns with states
    return col.states


def _as(value: Any, ctype: str) -> Any:
    """A stored value as the mapped rows hold it (drivers return ints as int, text as str)."""
    try:
        return coerce(value, ctype)
    except (ValueError, TypeError):
        return value


def _key(key: tuple) -> str:
    return "/".join(str(k) for k in key)
