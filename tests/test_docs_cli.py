"""Every verb has --help and a place in the README; every exit code is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncspec.cli import VERBS, main

README = Path(__file__).resolve().parent.parent / "README.md"
EXIT_CODES = range(0, 7)


def readme_text() -> str:
    if not README.exists():
        pytest.skip("README.md not written yet")
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as exc:
        main([verb, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and f"syncspec {verb}" in out
    assert VERBS[verb].split(";")[0] in " ".join(out.split())  # the one-line description
    for option in ("--project", "--database-url", "--json"):
        assert option in out, f"{verb} --help does not list {option}"


def test_top_level_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for verb in VERBS:
        assert re.search(rf"^\s+{verb}\s", out, re.M), f"{verb} missing from `syncspec --help`"


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_verb_in_readme(verb):
    text = readme_text()
    assert re.search(rf"\bsyncspec {verb}\b|`{verb}`", text), f"README.md does not mention `syncspec {verb}`"


def _exit_code_section(text: str) -> str:
    match = re.search(r"^(#+)\s+Exit codes\s*$", text, re.M | re.I)
    assert match, "README.md has no 'Exit codes' section"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    return rest[:end.start()] if end else rest


@pytest.mark.parametrize("code", EXIT_CODES)
def test_exit_code_in_readme(code):
    section = _exit_code_section(readme_text())
    # a table row "| 3 | ..." or a list item "- 3: ..." / "- `3` ..."
    pattern = rf"^\s*(\|\s*`?{code}`?\s*\||[-*]\s+`?{code}`?\b)"
    assert re.search(pattern, section, re.M), f"exit code {code} is not documented in README.md's Exit codes"
