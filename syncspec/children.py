"""Child records: one per element of a list (or of each list in a mapping) inside a parent's record.

A child spec (``target.children``) reads the parent's files with the parent's strategies; this
turns each parent record into its children's records, carrying the parent row's mapped values
(``$parent``) so the child key starts with the parent key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import Problem
from .records import Mapper
from .sources.records import Record
from .spec.model import Spec


class Children:
    """Explodes parent records into a child spec's records."""

    def __init__(self, spec: Spec, context: dict[str, str], strict: bool = True):
        assert spec.parent is not None and spec.each is not None
        self.strict = strict          # preview shows every parent's children, failed ones aside
        self.parent = Mapper(spec.parent, dict(context, sync=spec.parent.name))
        self.each = spec.each
        self.failed = False           # a parent record did not map: no child rows from here on
        self._keys: set[tuple] = set()

    def records(self, records: list[Record]) -> list[Record]:
        """The children of one batch of parent records; none once any parent record failed to map.

        The parent spec writes nothing after its first problem, so a child row written after
        that would reference a parent row that is not there: the database would report a
        FOREIGN KEY failure instead of the parent's own error. The parent's problems are
        reported by the parent spec; the run fails with them and writes nothing.
        """
        if self.failed:
            return []
        out: list[Record] = []
        ignored: list[Problem] = []   # a parent record that does not map is the parent spec's problem to report
        for record in records:
            row = self.parent.map(record, ignored)
            if row is None or (self.strict and row.key in self._keys):   # a bad value or a duplicate key
                if not self.strict:
                    continue
                self.failed = True
                return []
            if self.strict:
                self._keys.add(row.key)
            for position, (key, index, item) in enumerate(elements(record.get(self.each)), 1):
                data = dict(record.data)
                data.update({"$item": item, "$key": key, "$index": index, "$position": position,
                             "$parent": row.values})
                out.append(Record(data, record.file, record.line, record.strategy, record.origin))
        return out


def elements(value: Any) -> Iterator[tuple[str | None, int, Any]]:
    """(mapping key, index in its list, element) for a list, a mapping of lists or of values, or a scalar."""
    if value is None or value == "":
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield None, i, item
    elif isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, list):
                for i, item in enumerate(inner):
                    yield key, i, item
            else:
                yield key, 0, inner
    else:
        yield None, 0, value
