"""syncspec.yaml: ${VAR} expansion, --database-url precedence, unknown keys."""

from __future__ import annotations

import json

import pytest

from syncspec import Workspace
from syncspec.errors import ConfigError

VAR = "SYNCSPEC_TEST_UNSET_VARIABLE"


@pytest.fixture(autouse=True)
def _no_test_variable(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)


def config_errors(root) -> list[str]:
    with pytest.raises(ConfigError) as info:
        Workspace.open(root)
    return [p.format() for p in info.value.problems]


def test_unset_variable_names_the_line_and_the_variable(make_ws):
    ws = make_ws({"syncspec.yaml": f"project: demo\n\ndatabase: ${{{VAR}}}\n"})
    assert config_errors(ws) == [
        f"syncspec.yaml:3:11: $.database: environment variable {VAR} is not set\n"
        f"    hint: export {VAR}=..., or write ${{{VAR}:-default}}"]


def test_unset_variable_in_the_project_name(make_ws):
    ws = make_ws({"syncspec.yaml": f"project: ${{{VAR}}}\n"})
    assert config_errors(ws)[0].startswith(f"syncspec.yaml:1:10: $.project: environment variable {VAR} is not set")


def test_default_is_used_when_the_variable_is_unset(make_ws):
    ws = make_ws({"syncspec.yaml": f"project: demo\ndatabase: ${{{VAR}:-sqlite:///data/x.db}}\n"})
    assert Workspace.open(ws).config.database_url == f"sqlite:///{(ws / 'data' / 'x.db').resolve()}"


def test_variable_wins_over_its_default(make_ws, monkeypatch):
    monkeypatch.setenv(VAR, "postgresql://app:s3cret@db.example/app")
    ws = make_ws({"syncspec.yaml": f"project: demo\ndatabase: ${{{VAR}:-sqlite:///x.db}}\n"})
    workspace = Workspace.open(ws)
    assert workspace.config.database_url == "postgresql://app:s3cret@db.example/app"
    assert workspace.target == "postgresql://app:***@db.example/app"


def test_database_url_argument_wins_even_over_an_unset_variable(make_ws):
    ws = make_ws({"syncspec.yaml": f"project: demo\ndatabase: ${{{VAR}}}\n"})
    workspace = Workspace.open(ws, database_url="sqlite:///override.db")
    assert workspace.config.database_url == f"sqlite:///{(ws / 'override.db').resolve()}"


def test_database_url_option_wins_on_the_command_line(make_ws, cli):
    ws = make_ws({"syncspec.yaml": f"project: demo\ndatabase: ${{{VAR}}}\nspecs: specs/\n"})
    (ws / "specs").mkdir()
    result = cli("--project", str(ws), "--database-url", "postgresql://u:pw@h/db", "validate", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["target"] == "postgresql://u:***@h/db"
    assert "pw" not in result.stdout + result.stderr


def test_unset_variable_on_the_command_line_exits_1_without_traceback(make_ws, cli):
    ws = make_ws({"syncspec.yaml": f"project: demo\ndatabase: ${{{VAR}}}\n"})
    result = cli("--project", str(ws), "validate")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"syncspec.yaml:2:11: $.database: environment variable {VAR} is not set" in result.stderr


def test_dollar_dollar_is_a_literal_dollar(make_ws):
    ws = make_ws({"syncspec.yaml": "project: demo\ndatabase: postgresql://u:pa$$word@h/db\n"})
    assert Workspace.open(ws).config.database_url == "postgresql://u:pa$word@h/db"


def test_unknown_key_in_the_workspace_file(make_ws):
    ws = make_ws({"syncspec.yaml": "project: demo\ndatabse: sqlite:///x.db\n"})
    assert config_errors(ws) == [
        "syncspec.yaml:2:1: $.databse: unknown key 'databse'\n    hint: did you mean 'database'?"]


def test_missing_project(make_ws):
    ws = make_ws({"syncspec.yaml": "database: sqlite:///x.db\n"})
    assert config_errors(ws) == [
        "syncspec.yaml:1:1: $: missing required key 'project'\n"
        "    hint: add 'project:' here (see `syncspec schema`)"]


def test_broken_workspace_yaml_is_a_config_error(make_ws):
    ws = make_ws({"syncspec.yaml": "project: 'demo\n"})
    assert config_errors(ws) == [
        "syncspec.yaml:1:10: invalid YAML: while scanning a quoted scalar: found unexpected end of stream\n"
        "    hint: fix the YAML syntax (indentation, quotes, a ':' after each key)"]


def test_empty_workspace_file(make_ws):
    ws = make_ws({"syncspec.yaml": ""})
    assert config_errors(ws) == [
        "syncspec.yaml:1: workspace file is empty\n"
        "    hint: write at least 'project: NAME' (see `syncspec init`)"]


def test_no_workspace_above_the_folder(tmp_path):
    with pytest.raises(ConfigError) as info:
        Workspace.open(tmp_path)
    assert str(info.value).startswith(f"no syncspec.yaml found in {tmp_path.resolve()} or any parent folder")


# -- paths stay inside the workspace (issue 11, defect 8) -----------------------------------------

def test_specs_folder_outside_the_workspace_is_a_located_config_error(make_ws, tmp_path, cli):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("sync: stolen\n", encoding="utf-8")
    ws = make_ws({"syncspec.yaml": "project: demo\nspecs: ../../\n"})
    errors = config_errors(ws)
    assert len(errors) == 1
    assert errors[0].startswith("syncspec.yaml:2:8: $.specs: '../../' is outside the workspace (")
    assert "hint: use a folder inside the workspace" in errors[0]
    r = cli("--project", str(ws), "validate")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "stolen" not in r.stdout + r.stderr


def test_specs_folder_through_a_symlink_outside_is_refused(make_ws, tmp_path):
    (tmp_path / "out").mkdir()
    ws = make_ws({"syncspec.yaml": "project: demo\nspecs: linked/\n"})
    (ws / "linked").symlink_to(tmp_path / "out")
    assert config_errors(ws)[0].startswith("syncspec.yaml:2:8: $.specs: 'linked/' is outside the workspace")


def test_patch_paths_outside_the_workspace_are_refused_when_the_workspace_is_read(make_ws):
    ws = make_ws({"syncspec.yaml": "project: demo\nspecs: specs/\n"
                                   "patches: {dir: patches/, plan: ../plan.json}\n", "specs/.keep": ""})
    errors = config_errors(ws)
    assert errors[0].startswith("syncspec.yaml:3:32: $.patches.plan: '../plan.json' is outside the workspace")


def test_specs_folder_inside_is_fine(make_ws):
    ws = make_ws({"syncspec.yaml": "project: demo\nspecs: ./conf/../specs\n", "specs/.keep": ""})
    assert Workspace.open(ws).config.specs_dir == (ws / "specs").resolve()
