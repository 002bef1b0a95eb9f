"""A two-table workspace (runs <- steps) and helpers that read the real schema of a target."""

from __future__ import annotations

import json

import pytest

from relational_data import RUNS, RUNS_SPEC, STEPS, STEPS_SPEC


@pytest.fixture
def rel_ws(make_ws):
    def make(runs_extra: str = "", runs=RUNS, steps=STEPS, with_steps: bool = True):
        files = {"specs/b_runs.yaml": RUNS_SPEC % {"extra": runs_extra},
                 "data/runs.json": json.dumps({"runs": runs}), "data/steps.json": json.dumps({"steps": steps})}
        if with_steps:
            files["specs/a_steps.yaml"] = STEPS_SPEC
        return make_ws(files)
    return make


class Real:
    """The real schema and rows of a target, read with the plain connection (not through syncspec's models)."""

    def __init__(self, url: str):
        from syncspec.targets.sql.database import connect, parse_target

        self.url = url
        self.backend = parse_target(url).backend
        self.db = connect(parse_target(url))

    def close(self) -> None:
        self.db.close()

    def sql(self, text: str, params: tuple = ()) -> list[tuple]:
        if self.backend == "mysql":
            text = text.replace('"', "`")
        cursor = self.db.execute_sql(text, params)
        return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

    def columns(self, table: str) -> dict:
        return {c.name: c for c in self.db.get_columns(table)}

    def indexes(self, table: str) -> dict[tuple, bool]:
        return {tuple(i.columns): i.unique for i in self.db.get_indexes(table)}

    def index_names(self, table: str) -> set[str]:
        return {i.name for i in self.db.get_indexes(table)}

    def foreign_keys(self, table: str) -> set[tuple]:
        return {(fk.column, fk.dest_table, fk.dest_column) for fk in self.db.get_foreign_keys(table)}

    def checks(self, table: str) -> list[str]:
        """The CHECK constraints' text (SQLite: the CREATE TABLE statement's CHECK clauses)."""
        if self.backend == "sqlite":
            (ddl,), = self.sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
            return [part for part in ddl.split("CONSTRAINT")[1:] if "CHECK" in part]
        schema = "current_schema()" if self.backend == "postgresql" else "DATABASE()"
        return [r[0] for r in self.sql(
            "SELECT cc.check_clause FROM information_schema.check_constraints cc "
            "JOIN information_schema.table_constraints tc ON tc.constraint_name = cc.constraint_name "
            f"AND tc.constraint_schema = cc.constraint_schema WHERE tc.table_schema = {schema} "
            "AND tc.table_name = %s AND tc.constraint_type = 'CHECK'",
            (table,))]

    def rows(self, table: str, *cols: str) -> list[tuple]:
        names = ", ".join(f'"{c}"' for c in cols)
        return sorted(self.sql(f'SELECT {names} FROM "{table}"'), key=lambda r: str(r[0]))


@pytest.fixture
def real():
    opened: list[Real] = []

    def open_(url: str) -> Real:
        r = Real(url)
        opened.append(r)
        return r
    yield open_
    for r in opened:
        r.close()
