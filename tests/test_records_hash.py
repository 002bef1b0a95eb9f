"""The row hash's text is built without json.dumps: it must stay byte-identical to canonical JSON, or every
stored hash would change (a full re-sync of every row on upgrade)."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.records import canonical, canonical_row

names = st.text(min_size=1, max_size=12)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.text(), st.dates(), st.datetimes(),
)
nested = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                      max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(names, nested, max_size=12))
def test_row_text_is_canonical_json(values):
    order = sorted(values)
    heads = [json.dumps(n, ensure_ascii=False) + ":" for n in order]
    assert canonical_row(values, order, heads) == canonical(values)


def test_row_text_of_awkward_values():
    values = {"b": 'quote " back \\ tab \t nl \n nul-free \x01 é 😀', "a": dt.date(2025, 1, 2),
              "c": dt.datetime(2025, 1, 2, 3, 4, 5, 6), "d": True, "e": 10**30, "f": 1.5, "g": {"z": [1, None]},
              "h": None}
    order = sorted(values)
    heads = [json.dumps(n, ensure_ascii=False) + ":" for n in order]
    assert canonical_row(values, order, heads) == canonical(values)
    assert canonical_row({"a": 1}, ["a", "b"], ['"a":', '"b":']) == canonical({"a": 1})   # a short row


SPEC = """\
sync: notes
source:
  files: docs/*.md
  records:
    - sections: {level: 2, match: '^(?P<entry_id>N-\\d+)$', fields: [bold]}
target:
  table: notes
  key: [entry_id]
  columns:
    entry_id: text
    when: {type: date, from: fields.date}
    size: {type: integer, from: fields.size}
    done: {type: boolean, from: fields.done}
    body: {from: body}
hash: {column: content_hash}
"""
DOC = "# Notes\n\n## N-1\n\n**Date**: 2025-01-02\n**Size**: 12\n**Done**: yes\n\nTabs\there, \"quotes\", é.\n"
# written by syncspec before the row text was built by hand (canonical JSON through json.dumps)
KNOWN = "001734b9c8516b1e"


def test_hash_of_a_known_row_is_stable(make_ws):
    """A workspace synced by an older syncspec sees no change: the stored hash is the same."""
    import sqlite3

    from syncspec import Workspace

    root = make_ws({"specs/notes.yaml": SPEC, "docs/n.md": DOC})
    Workspace.open(root, database_url=f"sqlite:///{root}/t.db").sync()
    with sqlite3.connect(root / "t.db") as db:
        assert db.execute("SELECT content_hash FROM notes").fetchall() == [(KNOWN,)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.integers(min_value=-(2**70), max_value=2**70), st.none(), st.booleans(),
                          st.floats(allow_nan=False), st.dates()), max_size=4).map(tuple))
def test_event_key_text_is_json(key):
    """The ledger's entry_key, built by hand for text and integer keys, is what json.dumps wrote."""
    from syncspec.ledger import key_json

    assert key_json(key) == json.dumps(list(key), default=str)
