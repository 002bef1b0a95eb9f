"""Wildcard JSON Pointers: parsing (with its errors), matching in document order, explaining a miss."""

from __future__ import annotations

import pytest

from syncspec.spec.pointer import Pointer, PointerSyntaxError, format_path

DATA = {
    "phases": {
        "PH-1": {"workstreams": {"WS-1": {"n": 1}, "WS-2": {"n": 2}}},
        "PH-2": {"workstreams": {}},
        "PH-3": {"workstreams": {"WS-3": {"n": 3}}},
    },
    "list": [{"a": 1}, {"a": 2}],
    "a/b": {"~": "escaped"},
    2024: "a number key, as YAML makes them",
}


def test_parse_segments_wildcards_and_names():
    p = Pointer.parse("/phases/{phase}/workstreams/*")
    assert p.parts == ("phases", "{phase}", "workstreams", "*")
    assert p.wild == (False, True, False, True)
    assert p.names == (None, "phase", None, None)
    assert p.captures == ("phase",)
    assert Pointer.parse("").parts == ()
    assert Pointer.parse("/a~1b/~0").parts == ("a/b", "~")
    assert Pointer.parse("prs", implicit_key=True).parts == ("prs",)
    assert Pointer.parse("a/b", implicit_key=True).parts == ("a/b",)
    assert Pointer.parse("prs", implicit_key=True).child().source == "/prs/*"


@pytest.mark.parametrize("text, message", [
    ("phases/*", "a JSON Pointer starts with '/' (write '/phases/*')"),
    ("/a/{x}/b/{x}", "the wildcard name 'x' is used twice"),
    ("/a/{bad name}", "segment '{bad name}': a named wildcard is '{name}' (letters, digits, underscores) "
                      "and fills the whole segment"),
    ("/a/x{y}", "segment 'x{y}': a named wildcard is '{name}' (letters, digits, underscores) and fills the "
                "whole segment"),
    ("/a~2", "'~' must be escaped as '~0' in segment 'a~2'"),
])
def test_parse_errors_say_what_to_write(text, message):
    with pytest.raises(PointerSyntaxError) as info:
        Pointer.parse(text)
    assert str(info.value) == message


def test_match_in_document_order_with_segments():
    got = [(format_path(path), segs, value) for path, segs, value in
           Pointer.parse("/phases/{p}/workstreams/*").match(DATA)]
    assert got == [("/phases/PH-1/workstreams/WS-1", ["PH-1", "WS-1"], {"n": 1}),
                   ("/phases/PH-1/workstreams/WS-2", ["PH-1", "WS-2"], {"n": 2}),
                   ("/phases/PH-3/workstreams/WS-3", ["PH-3", "WS-3"], {"n": 3})]


def test_match_lists_escapes_and_non_string_keys():
    assert [v for _, _, v in Pointer.parse("/list/*/a").match(DATA)] == [1, 2]
    assert [v for _, _, v in Pointer.parse("/list/1").match(DATA)] == [{"a": 2}]
    assert list(Pointer.parse("/list/01").match(DATA)) == []      # no leading zeros (RFC 6901)
    assert list(Pointer.parse("/list/2").match(DATA)) == []
    assert [v for _, _, v in Pointer.parse("/a~1b/~0").match(DATA)] == ["escaped"]
    assert [(p, v) for p, _, v in Pointer.parse("/2024").match(DATA)] == [((2024,), DATA[2024])]
    assert [v for _, _, v in Pointer.parse("").match(DATA)] == [DATA]
    assert list(Pointer.parse("/phases/PH-1/workstreams/WS-1/n/deeper").match(DATA)) == []


@pytest.mark.parametrize("pointer, reason", [
    ("/phase/*", "the document has no key 'phase' (keys: phases, list, a/b, 2024); did you mean 'phases'?"),
    ("/phases/*/workstream/*", "/phases/PH-1 (and 2 more like it) has no key 'workstream' (keys: workstreams); "
                               "did you mean 'workstreams'?"),
    ("/phases/PH-2/workstreams/*", "/phases/PH-2/workstreams is an empty object, which has no elements for "
                                   "'*' to match"),
    ("/list/7", "/list is a list of 2: '7' is not an index in it (use '*')"),
    ("/phases/PH-1/workstreams/WS-1/n/x", "/phases/PH-1/workstreams/WS-1/n is a number (1), not an object or list"),
])
def test_explain_says_where_matching_stops(pointer, reason):
    p = Pointer.parse(pointer)
    assert list(p.match(DATA)) == []
    assert p.explain(DATA) == reason
