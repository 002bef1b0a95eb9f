"""Regexes from specs, run so that none can hang a run: the ``regex`` engine with a time limit per match.

A spec regex meets text syncspec does not control, and Python's ``re`` backtracks without bound: the
heading regex ``^(a|aa)+$`` takes minutes on 40 letters, in C, where no signal or ``--max-seconds`` check
runs. Measured here on 120k heading matches (a 100k-entry ledger), group extraction included:

    engine                        time      catastrophic ``^(a|aa)+$`` on 40 a's + 'b'
    re                            0.04 s    hangs (2^40 steps)
    regex, no limit               0.11 s    hangs (it prunes ``(a+)+$``, not this one)
    regex, timeout= per match     0.25-0.42 s    TimeoutError after the limit
    google-re2 (linear time)      0.83 s    0.00 s, but no lookarounds or backreferences

``regex`` with a timeout keeps every ``re`` pattern working (it is a superset of ``re``'s syntax, and
``VERSION0`` keeps ``re``'s semantics) at a few microseconds per match; RE2 would refuse lookarounds
that specs use and costs more per call from Python. A match that runs out of time raises
RegexTimeout, a SpecError (exit 1) located at the regex in the spec and naming the source text, and
ends the run at once rather than trying the next file.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import regex

from ..errors import Problem, SpecError
from ..limits import REGEX_TIMEOUT

__all__ = ["SpecRegex", "RegexTimeout", "compile_regex"]


class RegexTimeout(SpecError):
    """A spec regex ran out of time on some input (catastrophic backtracking)."""

    def __init__(self, rx: "SpecRegex", text: str, where: str | None = None):
        self.rx, self.text = rx, text
        file, line, column, json_path = rx.where
        shown = repr(text) if len(text) <= 40 else repr(text[:37]) + f"... ({len(text):,} characters)"
        source = f" from {where}" if where else ""
        super().__init__(problems=[Problem(
            f"regex {rx.pattern!r} gave up after {REGEX_TIMEOUT:g}s on the text {shown}{source} "
            "(catastrophic backtracking)", file=file, line=line, column=column, json_path=json_path,
            hint="simplify the regex: no nested quantifiers like (a+)+, no overlapping alternatives like "
                 "(a|aa)+, and anchor it with ^ where you can")])

    def at(self, where: str) -> "RegexTimeout":
        """The same error, naming the source file (and line) the text came from."""
        return RegexTimeout(self.rx, self.text, where)


class SpecRegex:
    """A compiled spec regex with the surface of ``re.Pattern`` that syncspec uses, time-limited.

    ``flags`` are ``re``'s (``re.I``), so callers may recompile with ``re``-style flags.
    """

    __slots__ = ("_rx", "pattern", "flags", "groups", "groupindex", "where")

    def __init__(self, pattern: str, flags: int = 0, where: tuple[Any, Any, Any, Any] = (None, None, None, None)):
        rflags = regex.IGNORECASE if flags & re.I else 0
        self._rx = regex.compile(pattern, rflags | regex.VERSION0)
        self.pattern = pattern
        self.flags = flags
        self.groups: int = self._rx.groups
        self.groupindex: dict[str, int] = dict(self._rx.groupindex)
        self.where = where        # (spec file, line, column, json path) for RegexTimeout

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        try:
            return self._rx.search(string, pos, endpos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self, string[pos:endpos]) from None

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        try:
            return self._rx.match(string, pos, endpos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self, string[pos:endpos]) from None

    def fullmatch(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        try:
            return self._rx.fullmatch(string, pos, endpos, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self, string[pos:endpos]) from None

    def finditer(self, string: str) -> Iterator[Any]:
        try:
            yield from self._rx.finditer(string, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self, string) from None

    def sub(self, template: str, string: str) -> str:
        try:
            return self._rx.sub(template, string, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self, string) from None

    def ignoring_case(self) -> "SpecRegex":
        return SpecRegex(self.pattern, self.flags | re.I, self.where)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpecRegex) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"SpecRegex({self.pattern!r}{', re.I' if self.flags & re.I else ''})"


def compile_regex(pattern: str, flags: int = 0, where: tuple[Any, Any, Any, Any] = (None, None, None, None)
                  ) -> SpecRegex:
    """Compile ``pattern`` (``re.error`` if it does not compile under ``re``'s rules too)."""
    re.compile(pattern, flags)   # the syntax users know and the messages build.py reports
    return SpecRegex(pattern, flags, where)
