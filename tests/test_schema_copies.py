"""Committed copies of the spec JSON Schema (for editors) match the packaged one."""

from pathlib import Path

import pytest

from syncspec.spec.schema import schema_text

REPO = Path(__file__).resolve().parent.parent
COPIES = sorted(REPO.glob("specs/syncspec.schema.json")) + sorted(REPO.glob("examples/*/specs/syncspec.schema.json"))


@pytest.mark.parametrize("path", COPIES, ids=lambda p: str(p.relative_to(REPO)))
def test_copy_is_current(path):
    assert path.read_text(encoding="utf-8") == schema_text(), \
        f"{path} is stale: run `syncspec schema -o {path.relative_to(REPO)}`"


def test_every_spec_points_editors_at_the_schema():
    specs = sorted(REPO.glob("specs/*.yaml")) + sorted(REPO.glob("examples/*/specs/*.yaml"))
    assert specs
    for spec in specs:
        first = spec.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=syncspec.schema.json", spec
        assert (spec.parent / "syncspec.schema.json").is_file(), spec
