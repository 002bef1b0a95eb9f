"""The `preview` outputs shown in README.md's "Record shapes" are what the examples really print."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def blocks() -> list[tuple[str, list[str], str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Record shapes\n", 1)[1].split("\n## ", 1)[0]
    out = []
    for block in re.findall(r"```text\n(.*?)```", section, re.S):
        first, _, expected = block.partition("\n")
        m = re.fullmatch(r"\$ cd (examples/\w+) && syncspec (preview .*)", first)
        if m and "#" not in first:   # a command with a comment ran on a changed spec
            out.append((m.group(1), shlex.split(m.group(2)), expected))
    return out


def test_there_are_outputs_to_check():
    assert {example for example, _, _ in blocks()} == {
        "examples/system_state", "examples/changelog", "examples/tasks", "examples/plan"}


@pytest.mark.parametrize("example, args, expected", blocks(), ids=lambda v: v if isinstance(v, str) else None)
def test_readme_output_is_real(cli, example, args, expected):
    result = cli("--project", str(REPO / example), *args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
