"""Fixtures of the trust tests: one target database per SQL backend."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request, tmp_path):
    """A fresh SQLite file, PostgreSQL database or MariaDB database (tests/conftest.py makes the servers')."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 't.db'}"
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
