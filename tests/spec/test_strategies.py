"""Spec errors and built objects for every record strategy and for column transforms."""

from __future__ import annotations

import pytest

from syncspec.spec.model import (DocumentStrategy, FileStrategy, FrontmatterStrategy, SectionsStrategy,
                                 TableStrategy, TasksStrategy)

# lines: 1 sync  2 source  3 files  4 records  5 the strategy  6 target  7 table  8 key  9 columns  10 id  11 title
BASE = """\
sync: t
source:
  files: docs/t.md
  records:
    - {strategy}
target:
  table: t
  key: [id]
  columns:
    id: text
    title: {title}
"""


def spec(strategy: str, title: str = "text") -> str:
    return BASE.format(strategy=strategy, title=title)


@pytest.mark.parametrize("strategy, expected", [
    ("frontmatter", FrontmatterStrategy()),
    ("frontmatter:", FrontmatterStrategy()),
    ("tasks", TasksStrategy()),
    ("file", FileStrategy()),
    ("table", TableStrategy()),
    ("table:", TableStrategy()),
])
def test_bare_names_and_empty_configs(load_specs, strategy, expected):
    text = spec(strategy).replace("    id: text", "    id: {type: text, from: $path}").replace(
        "    title: text", "    title: {type: text, from: $stem}")
    (built,) = load_specs({"t.yaml": text})
    assert built.strategies == (expected,)


def test_built_strategies(load_specs):
    records = """\
sections: {match: '^(?P<id>V\\d)', subsections: items}
    - tasks: {under: '^PR', match: '^(?P<id>\\w+)'}
    - frontmatter: {items: prs}
    - frontmatter: {items: '/groups/{group}/prs'}
    - json: {pointer: '/phases/{phase}/workstreams/*'}
    - yaml: {pointer: ''}"""
    (built,) = load_specs({"t.yaml": spec(records.rstrip(), "{type: text, from: $path}")})
    sections, tasks, fm1, fm2, js, ym = built.strategies
    assert isinstance(sections, SectionsStrategy) and sections.subsections == "items"
    assert tasks.under.pattern == "^PR" and tasks.under.flags & 2 and tasks.match.pattern == "^(?P<id>\\w+)"
    assert fm1.items.source == "/prs/*" and fm1.items.wild == (False, True)
    assert fm2.items.source == "/groups/{group}/prs/*" and fm2.items.captures == ("group",)
    assert isinstance(js, DocumentStrategy) and js.kind == "json" and js.pointer.captures == ("phase",)
    assert ym.kind == "yaml" and ym.pointer.parts == ()


def test_unknown_strategy_gets_did_you_mean(spec_errors):
    assert spec_errors(spec("taks")) == [
        "specs/x.yaml:5:7: $.source.records[0]: 'taks' is not one of 'frontmatter', 'tasks', 'file', 'table'\n"
        "    hint: did you mean 'tasks'?"]
    assert spec_errors(spec("frontmater: {items: prs}")) == [
        "specs/x.yaml:5:7: $.source.records[0].frontmater: unknown key 'frontmater'\n"
        "    hint: did you mean 'frontmatter'?"]


def test_unknown_option_of_a_strategy(spec_errors):
    assert spec_errors(spec("tasks: {undr: x}")) == [
        "specs/x.yaml:5:15: $.source.records[0].tasks.undr: unknown key 'undr'\n    hint: did you mean 'under'?"]
    assert spec_errors(spec("json: {path: /a}")) == [
        "specs/x.yaml:5:14: $.source.records[0].json.path: unknown key 'path'\n"
        "    hint: allowed keys: pointer, unless, where",
        "specs/x.yaml:5:13: $.source.records[0].json: missing required key 'pointer'\n"
        "    hint: add 'pointer:' here (see `syncspec schema`)"]


def test_subsections_enum(spec_errors):
    assert spec_errors(spec("sections: {match: '(?P<id>x)', subsections: item}")) == [
        "specs/x.yaml:5:51: $.source.records[0].sections.subsections: 'item' is not one of 'items', 'text'\n"
        "    hint: did you mean 'items'?"]


@pytest.mark.parametrize("strategy, column, message", [
    ("json: {pointer: 'phases/*'}", 23,
     "$.source.records[0].json.pointer: invalid pointer 'phases/*': a JSON Pointer starts with '/' "
     "(write '/phases/*')"),
    ("yaml: {pointer: '/a/{x}/{x}'}", 23,
     "$.source.records[0].yaml.pointer: invalid pointer '/a/{x}/{x}': the wildcard name 'x' is used twice"),
    ("frontmatter: {items: '/a/{b c}'}", 28,
     "$.source.records[0].frontmatter.items: invalid pointer '/a/{b c}': segment '{b c}': a named wildcard is "
     "'{name}' (letters, digits, underscores) and fills the whole segment"),
])
def test_pointer_errors_are_located(spec_errors, strategy, column, message):
    assert spec_errors(spec(strategy)) == [
        f"specs/x.yaml:5:{column}: {message}\n    hint: write a JSON Pointer such as /phases/{{phase_id}}/workstreams/*"]


def test_task_regexes_must_compile(spec_errors):
    assert spec_errors(spec("tasks: {under: '[PR', match: '(?P<id'}")) == [
        "specs/x.yaml:5:22: $.source.records[0].tasks.under: regex does not compile: unterminated character set "
        "at position 0\n    hint: in YAML, quote regexes with single quotes so backslashes stay literal",
        "specs/x.yaml:5:36: $.source.records[0].tasks.match: regex does not compile: missing >, unterminated name "
        "at position 4\n    hint: in YAML, quote regexes with single quotes so backslashes stay literal"]


def test_closed_strategies_check_the_keys_columns_read(spec_errors):
    assert spec_errors(spec("tasks", "{type: text, from: txt}")) == [
        "specs/x.yaml:10:9: $.target.columns.id: column 'id' reads 'id', but no record strategy produces 'id'\n"
        "    hint: record keys available: $file, $line, $path, $stem, $strategy, checked, depth, heading, headings, "
        "links, mark, parent, position, text",
        "specs/x.yaml:11:12: $.target.columns.title: column 'title' reads 'txt', but no record strategy produces "
        "'txt'\n    hint: did you mean 'text'?"]
    assert spec_errors(spec("file", "{type: text, from: title}")) == [
        "specs/x.yaml:10:9: $.target.columns.id: column 'id' reads 'id', but no record strategy produces 'id'\n"
        "    hint: record keys available: $file, $line, $path, $stem, $strategy, body, dir, fields, frontmatter, heading, "
        "lines, mtime, name, path, sections, size, stem, suffix, text, title"]


def test_open_strategies_may_read_any_key(load_specs):
    for strategy in ("frontmatter", "json: {pointer: /a/*}", "yaml: {pointer: /a/*}", "frontmatter: {items: a}"):
        (built,) = load_specs({"t.yaml": spec(strategy, "{type: text, from: anything.nested}")})
        assert built.column("title").path == ("anything", "nested")


def test_a_fallback_with_an_open_strategy_still_checks_the_closed_one_for_keys(spec_errors):
    text = spec("frontmatter").replace("    - frontmatter", "    - frontmatter\n    - tasks")
    assert spec_errors(text) == [
        "specs/x.yaml:11:9: $.target.columns.id: key/required column 'id' reads 'id', which the tasks strategy "
        "does not produce\n    hint: add a named group (?P<id>...) to its match regex"]


def test_transforms_are_built_in_order(load_specs):
    text = spec("frontmatter", "{type: json, transform: [strip, {split: ';'}, lower, {join: ' | '}, first, count]}")
    (built,) = load_specs({"t.yaml": text})
    assert built.column("title").transforms == (("strip", None), ("split", ";"), ("lower", None), ("join", " | "),
                                                ("first", None), ("count", None))


@pytest.mark.parametrize("transform, message", [
    ("[lowr]", "$.target.columns.title.transform[0]: 'lowr' is not one of 'strip', 'lower', 'upper', 'collapse', "
               "'snake_case', 'number', 'split', 'join', 'first', 'last', 'count', 'parse_json', 'link_text'\n    hint: did you mean 'lower'?"),
    ("[{splt: ','}]", "$.target.columns.title.transform[0].splt: unknown key 'splt'\n    hint: did you mean 'split'?"),
    ("[{split: ''}]", "$.target.columns.title.transform[0].split: '' should be non-empty\n"
                      "    hint: a column is a type name (text, integer, real, boolean, date, datetime, json) or a "
                      "mapping with type/from/value/default/required/choices/pattern/transform/length"),
    ("lower", "$.target.columns.title.transform: 'lower' is not of type 'array'\n    hint: write a list: [lower]"),
])
def test_transform_errors(spec_errors, transform, message):
    errors = spec_errors(spec("frontmatter", f"{{type: text, transform: {transform}}}"))
    assert len(errors) == 1 and errors[0].split(": ", 1)[1] == message
