"""The trailing link-definition block is found by walking back line by line; it must agree with the
regex it replaced (which tried every offset of a file's last 64 KB)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.sources.sections import tail_start

REFERENCE = re.compile(rb"(?:^[ \t]{0,3}\[[^\]\r\n]+\]:[ \t]*\S[^\r\n]*(?:\r?\n|\Z)|^[ \t]*(?:\r?\n|\Z))+\Z", re.M)

LINES = st.sampled_from([b"[1]: http://x", b"   [a b]: /u 'title'", b"    [x]: indented too far", b"[x]:",
                         b"[x]: \t", b"", b" ", b"\t", b"text", b"## head", b"[x] : y", b"[]: y", b"[a]]: b",
                         b"[a]: b\r", b"\r", b"x\ry", b"[a\r]: b", "[ü]: /ö".encode()])
ENDINGS = st.sampled_from([b"\n", b"\r\n", b"\r", b""])


def reference(data: bytes, base: int) -> int | None:
    m = REFERENCE.search(data, base)
    return None if m is None else m.start()


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(LINES, ENDINGS), max_size=8), st.integers(min_value=0, max_value=80))
def test_tail_start_is_the_regex(lines, base):
    data = b"".join(text + end for text, end in lines)
    base = min(base, len(data))
    assert tail_start(data, base) == reference(data, base), data


def test_known_tails():
    assert tail_start(b"## A\n\nbody\n\n[1]: http://x\n[2]: /y\n", 0) == 11   # the blank line too
    assert tail_start(b"body\n", 0) == 5
    assert tail_start(b"body", 0) is None
    assert tail_start(b"", 0) == 0
