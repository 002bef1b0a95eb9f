"""Helpers for spec tests: write specs into a workspace and load them through the API."""

from __future__ import annotations

import pytest

from syncspec import Workspace
from syncspec.errors import SpecError


@pytest.fixture
def load_specs(make_ws):
    """Write ``{name: yaml}`` into specs/ and load them; returns the Spec list."""
    def load(specs: dict[str, str], files: dict[str, str] | None = None):
        ws = make_ws({**{f"specs/{name}": text for name, text in specs.items()}, **(files or {})})
        return Workspace.open(ws).validate()
    return load


@pytest.fixture
def spec_errors(load_specs):
    """Load specs that must fail; returns each problem formatted, in order."""
    def errors(specs: dict[str, str] | str, files: dict[str, str] | None = None) -> list[str]:
        if isinstance(specs, str):
            specs = {"x.yaml": specs}
        with pytest.raises(SpecError) as info:
            load_specs(specs, files)
        return [p.format() for p in info.value.problems]
    return errors
