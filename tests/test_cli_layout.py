"""The CLI's shape: thin verbs over one helper module, exits through the exception tree, tasks over the library."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMMANDS = REPO / "syncspec" / "commands"


@pytest.mark.parametrize("path", sorted(COMMANDS.glob("*.py")), ids=lambda p: p.name)
def test_commands_exit_through_the_exception_tree(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"return [1-9]\b", text), f"{path.name} returns a literal exit code; raise instead"
    assert "from ..cli" not in text, f"{path.name} imports from cli.py; use commands/_common.py"


def test_tasks_call_the_library_not_the_cli():
    text = (REPO / "syncspec" / "tasks.py").read_text(encoding="utf-8")
    assert "cli" not in re.sub(r'""".*?"""', "", text, flags=re.S)


def test_preview_help_says_json_lines(capsys):
    from syncspec.cli import main

    with pytest.raises(SystemExit):
        main(["preview", "--help"])
    assert "JSON Lines" in " ".join(capsys.readouterr().out.split())


def invoke(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "invoke", "-r", str(REPO), *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_invoke_checks_exit_like_the_cli(ledger_ws):
    r = invoke("status", "--project", str(ledger_ws), "--check")
    assert r.returncode == 6 and "SS603" in r.stderr, (r.stdout, r.stderr)
    r = invoke("plan", "--project", str(ledger_ws), "--check", "--json")
    assert r.returncode == 6
    data = json.loads(r.stdout)
    assert data["code"] == "SS602" and data["result"]["inserted"] > 0
    r = invoke("validate", "--project", str(ledger_ws), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["valid"] is True
    (ledger_ws.parent / "empty").mkdir()
    r = invoke("validate", "--project", str(ledger_ws.parent / "empty"))
    assert r.returncode == 1 and "SS111" in r.stderr and "Traceback" not in r.stderr
