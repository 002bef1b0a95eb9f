"""Why a strategy yields nothing from a file, in one line a spec author can act on (for `syncspec preview`)."""

from __future__ import annotations

import difflib
from bisect import bisect_right
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..spec.model import (DocumentStrategy, FrontmatterStrategy, SectionsStrategy, Strategy, TableStrategy,
                          TasksStrategy)
from ..spec.pointer import Pointer
from ..spec.regexes import SpecRegex
from .extract import EXTRACTORS
from .markdown import Heading
from .parsed import Parsed
from .tasks import heading_chains

_REGEX_SYNTAX = re.compile(r"\(\?P<\w+>|\(\?[:=!<]*|\\[dDwWsSbBAZ]|[\\^$()\[\]{}*+?|.]")


def explain(strategy: Strategy, parsed: Parsed) -> str:
    """The reason ``strategy`` finds no records in ``parsed`` (only called when it found none)."""
    if strategy.where:
        found = list(EXTRACTORS[strategy.kind](strategy, parsed))
        if found:
            rules = ", ".join(f"{'where' if f.keep else 'unless'} {'.'.join(f.path)} ~ '{f.rx.pattern}'"
                              for f in strategy.where)
            first = found[0]
            values = ", ".join(f"{'.'.join(f.path)} = {first.get(f.path)!r}" for f in strategy.where)
            return (f"{len(found)} record(s), none passed the filters ({rules}); the first (line {first.line}) "
                    f"has {values}")
    return _EXPLAIN[strategy.kind](strategy, parsed)


def _sections(s: SectionsStrategy, p: Parsed) -> str:
    headings = p.markdown.headings
    if not headings:
        return "the file has no headings"
    same = [h for h in headings if h.level == s.level]
    elsewhere = [h for h in headings if h.level != s.level and s.match.search(h.text)]
    if elsewhere:
        first = elsewhere[0]
        return (f"no level-{s.level} heading matches '{s.match.pattern}', but {len(elsewhere)} heading(s) of "
                f"level {first.level} do (first: {_show(first)} at line {p.src.line_of(first.start)}): "
                f"set level: {first.level}")
    if not same:
        levels = ", ".join(f"{n} of level {lvl}" for lvl, n in sorted(Counter(h.level for h in headings).items()))
        return f"no level-{s.level} headings (the file has {levels})"
    return (f"{len(same)} level-{s.level} heading(s), none matched '{s.match.pattern}'"
            + _closest(s.match, [(h.text, _show(h), p.src.line_of(h.start)) for h in same]))


def _table(s: TableStrategy, p: Parsed) -> str:
    tables = p.markdown.tables
    if not tables:
        return "the file has no markdown tables (a table needs a header row and a '|---|' delimiter row)"
    if s.under is not None:
        under = [t for t in tables if s.under.search(t.heading.text if t.heading else "")]
        if not under:
            seen = ", ".join(f"{t.heading.text!r} (line {p.src.line_of(t.start)})" if t.heading else
                             f"none (line {p.src.line_of(t.start)})" for t in tables[:5])
            return (f"{len(tables)} table(s), none under a heading matching '{s.under.pattern}'; "
                    f"the headings above the tables: {seen}")
        tables = under
    if s.header:
        wanted = {h.strip().lower() for h in s.header}
        having = [t for t in tables if wanted <= {c.text.strip().lower() for c in t.header}]
        if not having:
            seen = "; ".join(" | ".join(c.text for c in t.header) + f" (line {p.src.line_of(t.start)})"
                             for t in tables[:5])
            return f"{len(tables)} table(s), none with the header cells {', '.join(s.header)}; their headers: {seen}"
    return f"{len(tables)} table(s), but no row has a non-empty cell"


def _tasks(s: TasksStrategy, p: Parsed) -> str:
    doc = p.markdown
    tasks = [item for item in doc.items if item.task is not None]
    if not tasks:
        plain = len(doc.items)
        return ("the file has no task-list items ('- [ ] text' or '- [x] text')"
                + (f"; it has {plain} plain list item(s)" if plain else ""))
    if s.under is not None:
        chains = heading_chains(doc.headings)
        starts = [h.start for h in doc.headings]
        under, seen = [], []
        for item in tasks:
            nearest = bisect_right(starts, item.start) - 1
            texts = [doc.headings[i].text for i in chains[nearest]] if nearest >= 0 else []
            if any(s.under.search(t) for t in texts):
                under.append(item)
            elif texts and texts[-1] not in seen:
                seen.append(texts[-1])
        if not under:
            names = ", ".join(repr(t) for t in seen[:5]) or "none"
            return (f"{len(tasks)} task item(s), none under a heading matching '{s.under.pattern}'; "
                    f"their headings: {names}")
        tasks = under
    assert s.match is not None
    return (f"{len(tasks)} task item(s), none matched '{s.match.pattern}'"
            + _closest(s.match, [(t.text, repr(t.text), p.src.line_of(t.start)) for t in tasks]))


def _frontmatter(s: FrontmatterStrategy, p: Parsed) -> str:
    front = p.front
    if front is None:
        text = p.src.text
        if re.match(r"---[ \t]*\r?\n[ \t]*\r?\n", text):
            return "no front matter: a '---' line followed by a blank line is a thematic break"
        return "no front matter (the file must start with a '---' line, then YAML, then a '---' line)"
    assert s.items is not None
    items = s.items
    parent = Pointer(items.source[:-2], items.parts[:-1], items.wild[:-1], items.names[:-1])
    matched = list(parent.match(front.data))
    if not matched:
        return parent.explain(front.data, "the front matter")
    _, _, value = matched[0]
    return f"{parent.source} is {_kind(value)}, not a list with elements"


def _document(s: DocumentStrategy, p: Parsed) -> str:
    data = p.document(s.kind)[0]
    return s.pointer.explain(data, "the document")


def _closest(rx: SpecRegex, candidates: list[tuple[str, str, int]]) -> str:
    """'; closest: ...' -- the candidate most like the regex's literal text, and a case hint."""
    icase = rx.ignoring_case()   # time-limited like every spec regex
    for text, shown, line in candidates:
        if icase.search(text):
            return f"; it matches ignoring case: {shown} (line {line}): start the regex with (?i)"
    literal = _REGEX_SYNTAX.sub("", rx.pattern).lower()
    best = max(candidates, key=lambda c: difflib.SequenceMatcher(None, literal, c[0][:len(literal) + 10].lower())
               .ratio())
    return f"; closest: {best[1]} (line {best[2]})"


def _show(h: Heading) -> str:
    return repr("#" * h.level + " " + h.text)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object" if value else "an empty object"
    if isinstance(value, list):
        return "an empty list"
    kind = ("a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else
            "a string" if isinstance(value, str) else f"a {type(value).__name__}")
    return "null" if value is None else f"{kind} ({value!r:.40})"


_EXPLAIN: dict[str, Callable[[Any, Parsed], str]] = {
    "sections": _sections, "table": _table, "tasks": _tasks, "frontmatter": _frontmatter,
    "json": _document, "yaml": _document, "file": lambda s, p: "no records",
}
