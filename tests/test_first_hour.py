"""What a new user meets first: the wheel, help text, init's next steps, 80-column tables, schema copies."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from syncspec.cli import VERBS, main
from syncspec.output import Output

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_license_and_the_schemas(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "syncspec", src / "syncspec", ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (wheel,) = (tmp_path / "dist").glob("syncspec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    licenses = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
    assert licenses, names
    text = zipfile.ZipFile(wheel).read(licenses[0]).decode()
    assert text.startswith("MIT License") and "Copyright (c) 2026 the syncspec authors" in text
    for schema in ("spec", "workspace", "patch"):
        assert f"syncspec/schemas/{schema}.schema.json" in names


# -- help ----------------------------------------------------------------------------------------

def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], *([v] for v in sorted(VERBS)),
                                  *(["patch", s] for s in ("new", "plan", "apply", "status"))],
                         ids=lambda a: " ".join(a) or "syncspec")
def test_help_ends_with_one_example(argv, capsys):
    lines = _help([*argv, "--help"], capsys).rstrip("\n").splitlines()
    assert lines[-2] == "example:", lines[-3:]
    assert lines[-1].startswith("  syncspec ")
    command = lines[-1].split("#")[0].split()
    assert command[1] in (VERBS if argv else ["init"])


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from syncspec.cli import build_parser; p = build_parser(); "
            "[p.format_help() for _ in range(1)]; "
            "print([m for m in ('jsonschema', 'peewee', 'rich', 'yaml', 'pyromark') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr)


def test_init_prints_the_next_three_commands(tmp_path, cli):
    r = cli("init", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    after = r.stdout.split("next:\n", 1)[1].splitlines()
    assert [line.split("#")[0].strip() for line in after] == [
        "syncspec preview notes", "syncspec plan", "syncspec sync"]
    for command in after:                      # and each of them works as printed
        args = command.split("#")[0].split()[1:]
        assert cli(*args, cwd=tmp_path).returncode == 0, command
    r = cli("init", str(tmp_path / "other dir"))
    assert "syncspec plan --project '" in r.stdout


# -- tables fit 80 columns -----------------------------------------------------------------------

LONG = "build_history_of_autopack"
TABLE = "sot_entries_history"


def _status_rows():
    return [[LONG, TABLE, "stale",
             "docs/BUILD_HISTORY.md changed since the last sync (and so did 3 other files of this spec)",
             "2026-01-01 10:00:00", "12/3/0", 2]]


def _table(out: Output) -> None:
    out.table(["spec", "table", "state", "why", "last sync (UTC)", "last +/~/-", "schema v"], _status_rows(),
              keep=("spec", "table", "state"), wrap=("why",), drop=("schema v", "last +/~/-"))


def test_plain_table_fits_columns_and_keeps_names_whole(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    buf = io.StringIO()
    _table(Output(stream=buf))
    lines = buf.getvalue().splitlines()
    assert max(map(len, lines)) <= 80, lines
    assert LONG in lines[1] and TABLE in lines[1]
    assert "stale" in lines[1] and "changed" in buf.getvalue()      # 'why' wrapped, not lost


def test_rich_table_fits_columns_and_keeps_names_whole(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from rich.console import Console

    buf = io.StringIO()
    out = Output(stream=buf)
    out.rich = True
    out._console = Console(file=buf, width=80, highlight=False, color_system=None)
    _table(out)
    lines = buf.getvalue().splitlines()
    assert max(map(len, lines)) <= 80, buf.getvalue()
    assert any(LONG in line and TABLE in line for line in lines), buf.getvalue()


def test_cli_tables_fit_80_columns(ledger_ws, cli):
    ws = ["--project", str(ledger_ws)]
    assert cli(*ws, "sync").returncode == 0
    for verb in (["validate"], ["status"], ["history"], ["plan"], ["preview", "build_history"]):
        r = cli(*ws, *verb, env={"COLUMNS": "80"})
        assert r.returncode == 0, r.stderr
        table = [line for line in r.stdout.splitlines() if "sqlite:" not in line and not line.startswith("  ")]
        assert max(map(len, table)) <= 80, "\n".join(table)
        if verb[0] in ("validate", "status", "plan"):
            for name in ("build_history", "debug_log", "decisions", "sot_entries"):
                assert name in r.stdout, (verb, name)


def test_progress_bar_has_rate_and_eta():
    out = Output(stream=io.StringIO())
    out.rich = True
    update, bar = out.progress()
    names = [type(c).__name__ for c in bar.columns]
    assert "TimeRemainingColumn" in names and "Rate" in names


# -- schema copies -------------------------------------------------------------------------------

def test_validate_warns_on_a_stale_schema_copy_and_schema_write_refreshes_it(tmp_path, cli):
    assert cli("init", cwd=tmp_path).returncode == 0
    copy = tmp_path / "specs" / "syncspec.schema.json"
    fresh = copy.read_bytes()
    copy.write_text(json.dumps({"$id": "an old one"}), encoding="utf-8")
    r = cli("validate", cwd=tmp_path)
    assert r.returncode == 0
    assert "warning: specs/syncspec.schema.json: SS117 differs from the spec.schema.json of syncspec " in r.stderr
    assert "hint: run `syncspec schema --write`" in r.stderr
    data = json.loads(cli("validate", "--json", cwd=tmp_path).stdout)
    assert [(w["file"], w["code"]) for w in data["warnings"]] == [("specs/syncspec.schema.json", "SS117")]

    r = cli("schema", "--write", cwd=tmp_path)
    assert r.returncode == 0 and "wrote specs/syncspec.schema.json" in r.stdout
    assert copy.read_bytes() == fresh
    r = cli("validate", cwd=tmp_path)
    assert r.returncode == 0 and "warning" not in r.stderr
    assert json.loads(cli("schema", "--write", "--json", cwd=tmp_path).stdout) == {"written": []}


def test_schema_ids_name_no_fake_host_and_the_catalog_is_ready():
    from syncspec.spec.schema import load_schema

    for name in ("spec", "workspace", "patch"):
        assert load_schema(f"{name}.schema.json")["$id"] == f"urn:syncspec:schema:{name}"
    catalog = json.loads((REPO / "docs" / "schemastore-catalog.json").read_text(encoding="utf-8"))
    matches = {m for entry in catalog["schemas"] for m in entry["fileMatch"]}
    assert {"syncspec.yaml", "*.syncspec.yaml"} <= matches
    assert all(entry["url"].startswith("https://json.schemastore.org/") for entry in catalog["schemas"])


def test_a_noop_sync_imports_no_parser(tmp_path):
    """Start-up: a sync with nothing to parse imports none of the parsers (pyromark, the extractors)."""
    root = tmp_path / "ledger"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "ledger", root,
                    ignore=shutil.ignore_patterns(".syncspec", "*.db*"))
    code = ("import sys; from syncspec import Workspace; assert Workspace.open('.').sync().empty; "
            "print([m for m in ('pyromark', 'syncspec.sources.extract', 'syncspec.preview') if m in sys.modules])")
    first = subprocess.run([sys.executable, "-c", "from syncspec import Workspace; Workspace.open('.').sync()"],
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr)
