"""Error codes and exit codes: one registry each, the README lists both, the package raises every code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncspec import errors
from syncspec.errors import CODES, EXIT_CODES, Problem, SpecError, SyncSpecError

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "syncspec"
README = REPO / "README.md"
CODE_RE = re.compile(r"\bSS\d{3}\b")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^(#+)\s+{title}\s*$", text, re.M)
    assert match, f"README.md has no '{title}' section"
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{len(match.group(1))}}}\s", rest, re.M)
    return rest[:end.start()] if end else rest


def _source_without_registry() -> str:
    """Package source with the CODES registry itself left out: a code there proves nothing is raised."""
    parts = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "errors.py" and path.parent == PACKAGE:
            start = text.index("CODES: dict[str, str] = {")
            text = text[:start] + text[text.index("}\n", start):]
        parts.append(text)
    return "\n".join(parts)


def test_readme_lists_every_code_and_only_those():
    readme = set(re.findall(r"^\|\s*`?(SS\d{3})`?\s*\|", _section("Error codes"), re.M))
    assert readme == set(CODES), (f"missing from README: {sorted(set(CODES) - readme)}; "
                                  f"not in errors.CODES: {sorted(readme - set(CODES))}")


def test_every_registered_code_is_raised_somewhere():
    used = set(CODE_RE.findall(_source_without_registry()))
    assert set(CODES) <= used, f"registered but never raised: {sorted(set(CODES) - used)}"


def test_every_code_in_the_package_is_registered():
    used = set(CODE_RE.findall(_source_without_registry()))
    assert used <= set(CODES), f"raised but not registered (or documented): {sorted(used - set(CODES))}"


def test_every_exception_class_has_its_own_code_matching_its_exit_code():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, SyncSpecError)]
    assert len({c.code for c in classes}) == len(classes)
    for cls in classes:
        assert cls.code in CODES and int(cls.code[2]) == cls.exit_code, cls   # the hundreds digit is the exit code


def test_class_default_fills_problems_and_a_site_code_wins():
    err = SpecError(problems=[Problem("x", file="a.yaml", line=3), Problem("y", file="a.yaml", code="SS105")])
    assert [p.code for p in err.problems] == ["SS120", "SS105"]
    assert str(err).splitlines()[1:] == ["a.yaml:3: SS120 x", "a.yaml: SS105 y"]
    assert err.as_dict()["code"] == "SS120" and err.as_dict()["problems"][0]["code"] == "SS120"
    with pytest.raises(ValueError, match="SS999"):
        Problem("z", code="SS999")


def test_readme_exit_code_table_is_errors_exit_codes():
    rows = dict(re.findall(r"^\|\s*`?(\d+)`?\s*\|\s*(.+?)\s*\|", _section("Exit codes"), re.M))
    assert {int(k) for k in rows} == set(EXIT_CODES)


def test_top_level_help_shows_the_exit_code_table(capsys):
    from syncspec.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for code, text in EXIT_CODES.items():
        assert re.search(rf"^\s+{code}\s+{re.escape(text)}$", out, re.M), code
