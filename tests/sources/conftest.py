"""Helpers for source tests: run a spec's strategies on documents written for the test."""

from __future__ import annotations

import pytest

from syncspec import Workspace
from syncspec.sources import FileRecords, extract_file, resolve_files

SECTIONS = "- sections: {level: 2, match: '^(?P<id>[A-Z]+-\\d+):?\\s*(?P<title>.*)$'}"


def spec_yaml(records: str = SECTIONS, files: str = "docs/doc.md", encoding: str | None = None) -> str:
    """A minimal valid spec reading ``files`` with the given ``records:`` list (YAML lines)."""
    body = "\n".join("    " + line for line in records.strip().splitlines())
    enc = f"\n  encoding: {encoding}" if encoding else ""
    return (f"sync: t\nsource:\n  files: {files}{enc}\n  records:\n{body}\n"
            "target:\n  table: t\n  key: [heading]\n  columns:\n    heading: text\n")


@pytest.fixture(name="spec_yaml")
def spec_yaml_fixture():
    """The ``spec_yaml`` helper, for tests that build their own workspace."""
    return spec_yaml


@pytest.fixture
def extract(make_ws):
    """``extract(doc, records=..., encoding=..., name=...)`` -> FileRecords of docs/doc.md (or ``name``)."""
    def run(doc: str | bytes, records: str = SECTIONS, encoding: str | None = None,
            name: str = "docs/doc.md") -> FileRecords:
        ws = make_ws({"specs/t.yaml": spec_yaml(records, files=name, encoding=encoding), name: doc})
        (spec,) = Workspace.open(ws).validate()
        ((path, display),) = resolve_files(spec, ws)
        return extract_file(spec, path, display)
    return run


@pytest.fixture
def preview(make_ws):
    """``preview(files, records=..., columns=...)`` -> syncspec.Preview of a spec over ``files`` (a dict)."""
    def run(files: dict[str, str | bytes], records: str = SECTIONS, pattern: str | None = None,
            columns: str = "heading: text", key: str = "heading"):
        body = "\n".join("    " + line for line in records.strip().splitlines())
        spec = (f"sync: t\nsource:\n  files: {pattern or next(iter(files))}\n  records:\n{body}\n"
                f"target:\n  table: t\n  key: [{key}]\n  columns:\n"
                + "\n".join("    " + line for line in columns.strip().splitlines()) + "\n")
        ws = make_ws({"specs/t.yaml": spec, **files})
        return Workspace.open(ws).preview("t")
    return run
