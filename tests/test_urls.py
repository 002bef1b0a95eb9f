"""Database URLs (issue 11, defect 6): parsed, not sliced; every secret masked in output and the ledger."""

from __future__ import annotations

import json
import sqlite3

import pytest

from syncspec import Workspace
from syncspec.errors import ConfigError
from syncspec.urls import DatabaseUrl, mask, parse_url
from syncspec.workspace import mask_url


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_url(text)
    return str(info.value)


# -- parse_url -----------------------------------------------------------------------------------

def test_driver_suffix_is_accepted_and_dropped():
    url = parse_url("postgresql+psycopg2://app@db.example:5433/app")
    assert (url.scheme, url.driver, url.backend, url.host, url.port, url.database) == \
        ("postgresql", "psycopg2", "postgresql", "db.example", 5433, "app")
    assert parse_url("mysql+pymysql://root@127.0.0.1/test").render() == "mysql://root@127.0.0.1/test"


def test_unencoded_at_in_the_password_splits_at_the_last_at():
    url = parse_url("postgresql://app:p@ss:w/rd#1@db.example/app?sslmode=require")
    assert (url.user, url.password, url.host, url.database) == ("app", "p@ss:w/rd#1", "db.example", "app")
    assert url.options == {"sslmode": "require"}
    assert url.render() == "postgresql://app:p%40ss%3Aw%2Frd%231@db.example/app?sslmode=require"
    assert parse_url(url.render()) == url   # the rendered form means the same


def test_percent_encoded_credentials_are_decoded():
    assert parse_url("mysql://r%40ot:p%40ss@h/db").password == "p@ss"
    assert parse_url("mysql://r%40ot:p%40ss@h/db").user == "r@ot"


def test_ipv6_host_and_no_host():
    assert (parse_url("postgresql://[::1]:5432/db").host, parse_url("postgresql://[::1]:5432/db").port) == ("::1", 5432)
    assert parse_url("postgresql:///db").host is None


@pytest.mark.parametrize("port", ["99999", "0", "65536"])
def test_port_out_of_range_is_a_config_error(port):
    assert error_of(f"postgresql://u:secret@h:{port}/db") == (
        f"database URL 'postgresql://u:***@h:{port}/db': port {int(port)} is out of range (1-65535)\n"
        "    hint: use the server's port: 5432 for PostgreSQL, 3306 for MySQL/MariaDB")


def test_port_that_is_not_a_number_is_a_config_error():
    err = error_of("mysql://root:secret@h:abc/db")
    assert err.startswith("database URL 'mysql://root:***@h:abc/db': port 'abc' is not a number")
    assert "secret" not in err


def test_sqlite_with_two_slashes_is_an_error_with_the_fix():
    assert error_of("sqlite://notes.db") == (
        "SQLite URL 'sqlite://notes.db' names no file: a SQLite URL has three slashes before the path\n"
        "    hint: write sqlite:///notes.db (three slashes: relative to the workspace) or "
        "sqlite:////full/path/notes.db (four: absolute)")


def test_sqlite_paths():
    assert parse_url("sqlite:///notes.db").database == "notes.db"
    assert parse_url("sqlite:////var/x.db").database == "/var/x.db"
    assert parse_url("sqlite:///:memory:").database == ":memory:"
    assert parse_url("sqlite:///a.db?mode=ro").options == {"mode": "ro"}


def test_no_scheme():
    assert error_of("notes.db").startswith("database URL 'notes.db' has no scheme")


def test_printing_a_parsed_url_never_shows_the_password():
    url = parse_url("postgresql://u:secret@h/db")
    assert isinstance(url, DatabaseUrl) and str(url) == "postgresql://u:***@h/db"
    assert "secret" not in repr(str(url))


# -- mask ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, masked", [
    ("postgresql://u:secret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:se@cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://h/db?password=secret&sslmode=require", "postgresql://h/db?password=***&sslmode=require"),
    ("mysql://h/db?passwd=secret", "mysql://h/db?passwd=***"),
    ("mysql://h/db?pwd=secret", "mysql://h/db?pwd=***"),
    ("postgresql://h/db?sslpassword=secret", "postgresql://h/db?sslpassword=***"),
    ("redis://h/0?client_secret=secret&auth_token=secret", "redis://h/0?client_secret=***&auth_token=***"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
    # unparseable URLs are still masked
    ("postgresql://u:secret@h:abc/db?token=secret", "postgresql://u:***@h:abc/db?token=***"),
])
def test_mask_hides_every_secret(text, masked):
    assert mask(text) == masked
    assert mask_url(text) == masked   # the old name other modules import


# -- through the workspace and the CLI -----------------------------------------------------------

def test_sqlite_url_with_two_slashes_is_a_located_config_error_and_creates_no_file(make_ws, cli):
    ws = make_ws({"syncspec.yaml": "project: demo\ndatabase: sqlite://notes.db\nspecs: specs/\n",
                  "specs/.keep": ""})
    r = cli("--project", str(ws), "sync")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("error: syncspec.yaml:2:11: $.database: SQLite URL 'sqlite://notes.db' names no file"), r.stderr
    assert "hint: write sqlite:///notes.db" in r.stderr
    assert not (ws / "otes.db").exists() and not (ws / "notes.db").exists()


@pytest.mark.parametrize("port", ["99999", "abc"])
def test_bad_port_on_the_command_line_is_exit_1_without_traceback(make_ws, cli, port):
    ws = make_ws({"specs/.keep": ""})
    r = cli("--project", str(ws), "--database-url", f"postgresql://u:secret@127.0.0.1:{port}/x", "sync")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "secret" not in r.stderr
    assert r.stderr.startswith(f"error: --database-url: database URL 'postgresql://u:***@127.0.0.1:{port}/x': port")


def test_driver_suffix_and_at_in_password_reach_postgresql_and_the_ledger_is_masked(ledger_ws, pg_url):
    # the test server trusts local connections, so any password opens it: what matters is what is shown
    host_db = pg_url.split("@", 1)[1]
    url = f"postgresql+psycopg2://postgres:p@ss@{host_db}?password=qsecret"
    ws = Workspace.open(ledger_ws, database_url=url)
    assert ws.target == f"postgresql://postgres:***@{host_db}?password=***"
    result = ws.sync()
    assert result.inserted >= 60
    targets = [run.target for run in ws.history()]
    assert targets == [f"postgresql://postgres:***@{host_db}?password=***"]
    assert not any("ss@" in t or "qsecret" in t for t in targets)


def test_pymysql_suffix_reaches_mariadb(ledger_ws, mysql_url):
    url = mysql_url.replace("mysql://", "mysql+pymysql://", 1)
    result = Workspace.open(ledger_ws, database_url=url).sync()
    assert result.inserted >= 60


def test_query_password_is_masked_in_cli_output_and_sqlite_ledger(ledger_ws, cli):
    db = ledger_ws / ".syncspec" / "autopack.db"
    url = f"sqlite:///{db}?password=qsecret"
    r = cli("--project", str(ledger_ws), "--database-url", url, "sync", "--json")
    assert r.returncode == 0, r.stderr
    assert "qsecret" not in r.stdout + r.stderr
    assert json.loads(r.stdout)["target"].endswith("?password=***")
    con = sqlite3.connect(db)
    try:
        stored = [row[0] for row in con.execute("SELECT target FROM syncspec_runs")]
    finally:
        con.close()
    assert stored and all("qsecret" not in t for t in stored)
