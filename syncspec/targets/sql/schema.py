"""Schema migrations: compare a declared table with the real one, refuse what loses data, apply the rest.

The declared definition is hashed (``SqlTable.definition_hash``) and recorded per
table in ``syncspec_schema`` with a version; when the stored hash equals the
declared one nothing is introspected (one query for all tables), so a no-op
sync stays cheap and two machines syncing one database do not re-migrate.

Kinds of change:
  additive    new nullable column, new index, dropped index/constraint, dropped NOT NULL: applied
  tightening  NOT NULL, unique index, CHECK, foreign key on existing rows: applied when no existing
              row violates it (counted first), refused (SchemaChangeRefused) when some do
  destructive dropping a column, changing a column's type: refused unless --allow-destructive

PostgreSQL and MariaDB change the table in place (playhouse.migrate). SQLite
cannot alter types, NOT NULL or constraints, so the table is rebuilt: a new table
with the declared schema, the kept columns copied, the old one dropped, the new
one renamed. A rebuild runs before the run's transaction with foreign keys off
(dropping a parent table with them on would cascade-delete its children), in a
transaction of its own, checked with ``PRAGMA foreign_key_check`` before commit.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from dataclasses import dataclass, field
from typing import Any

from ...errors import Problem, SchemaChangeRefused
from .dialect import dialect_for, dialect_of
from .table import BOOKKEEPING, SqlTable

SCHEMA_TABLE = "syncspec_schema"
OURS = re.compile(r"_(ck|fk)_[0-9a-f]{8}$")     # constraints syncspec named (sql.constraint_name)


@dataclass(frozen=True)
class Change:
    """One difference between the declared and the real table."""

    op: str                  # add_column drop_column retype add_not_null drop_not_null add_index drop_index
    #                          add_constraint drop_constraint
    target: str              # column, index or constraint name
    text: str                # for plan / sync output
    destructive: bool = False
    violations: int = 0      # existing rows a tightening would reject
    sqlite_rebuild: bool = False
    hint: str = ""           # what to do when it is refused


@dataclass
class Migration:
    """What one table needs: created, changed, or only (re)recorded in syncspec_schema."""

    table: SqlTable
    create: bool = False
    changes: list[Change] = field(default_factory=list)
    version: int = 0         # the version to record (0: record nothing)
    spec_hash: str = ""

    @property
    def notes(self) -> list[str]:
        if self.create:
            return [f"create table {self.table.name}"]
        return [c.text for c in self.changes]

    @property
    def rebuild(self) -> bool:
        return any(c.sqlite_rebuild for c in self.changes)


# -- the syncspec_schema ledger ------------------------------------------------
def _model(db):
    import peewee as pw

    class SchemaVersion(pw.Model):
        table_name = pw.CharField(max_length=64, primary_key=True)
        version = pw.IntegerField()
        spec_hash = pw.CharField(max_length=64)
        applied_at = pw.DateTimeField()
        applied_by = pw.CharField(max_length=255)

        class Meta:
            database = db
            table_name = SCHEMA_TABLE
    return SchemaVersion


def stored_versions(db) -> dict[str, tuple[int, str]]:
    """table -> (version, definition hash) as last applied; one query for all tables."""
    if not db.table_exists(SCHEMA_TABLE):
        return {}
    M = _model(db)
    return {name: (version, digest) for name, version, digest in
            M.select(M.table_name, M.version, M.spec_hash).tuples()}


def ensure_ledger(db) -> None:
    db.create_tables([_model(db)])


def record(db, migrations: list[Migration], now: dt.datetime) -> None:
    """Store the applied definitions (inside the run's transaction)."""
    M = _model(db)
    for m in migrations:
        if not m.version:
            continue
        query = M.insert(table_name=m.table.name, version=m.version, spec_hash=m.spec_hash, applied_at=now,
                         applied_by=socket.gethostname()[:255])
        keep = [M.version, M.spec_hash, M.applied_at, M.applied_by]
        if not dialect_of(db).upsert_conflict_target:
            query = query.on_conflict(preserve=keep)
        else:
            query = query.on_conflict(conflict_target=[M.table_name], preserve=keep)
        query.execute()


# -- compare ------------------------------------------------------------------------
def family(sql_type: str, backend: str = "") -> str:
    """A column type as reported by any backend -> text | integer | real | boolean | date | datetime.

    json counts as text: MariaDB reports JSON as longtext, and tables created before
    JSONB keep their TEXT column (both hold the same canonical JSON text). On SQLite
    booleans are integers (peewee declares them INTEGER, hand-written tables BOOLEAN).
    """
    t = sql_type.lower()
    if backend and dialect_for(backend).rebuilds_tables and t.startswith("bool"):   # SQLite: INTEGER or BOOLEAN
        return "integer"
    if "json" in t or "char" in t or "text" in t or "clob" in t:
        return "text"
    if t.startswith(("bool", "tinyint")):
        return "boolean"
    if "int" in t:
        return "integer"
    if any(w in t for w in ("double", "real", "float", "numeric", "decimal")):
        return "real"
    if "timestamp" in t or "datetime" in t:
        return "datetime"
    if "date" in t:
        return "date"
    return t


def _ddl_type(table: SqlTable, name: str) -> str:
    ctx = table.db.get_sql_context()
    return ctx.sql(table.fields[name].ddl_datatype(ctx)).query()[0]


def plan_migrations(db, backend: str, tables: dict[str, SqlTable], stored: dict[str, tuple[int, str]],
                    exists: dict[str, bool]) -> list[Migration]:
    """What each table needs; introspects only tables whose declared hash differs from the stored one."""
    out = []
    for name, table in tables.items():
        digest = table.definition_hash()
        version, old = stored.get(name, (0, None))
        if not exists[name]:
            out.append(Migration(table, create=True, version=version + 1, spec_hash=digest))
        elif old != digest:
            out.append(Migration(table, changes=compare(db, backend, table), version=version + 1, spec_hash=digest))
    return out


def compare(db, backend: str, table: SqlTable) -> list[Change]:
    """Declared vs real: columns (type family, NOT NULL), indexes, syncspec's CHECK and FK constraints."""
    name = table.name
    q = _quoter(db)
    changes: list[Change] = []
    real = {c.name: c for c in db.get_columns(name)}
    primary = {c.name for c in real.values() if c.primary_key}
    if primary and primary != set(table.key):
        spec = table.specs[0]
        line, column = spec.locate("$.target.key")
        raise SchemaChangeRefused(problems=[Problem(
            f"table {name!r} exists with key ({', '.join(sorted(primary))}), but the specs declare "
            f"({', '.join(table.key)})", file=spec.file, line=line, column=column, json_path="$.target.key",
            hint="the key changed: drop or rename the old table, then sync again")])
    rows = None
    for col, decl in table.declared.items():
        have = real.get(col)
        if have is None:
            nullable = decl["null"] or decl["default"] is not None
            changes.append(Change("add_column", col, f"add column {name}.{col}", sqlite_rebuild=False))
            if not nullable:
                rows = rows if rows is not None else _count(db, f"SELECT COUNT(*) FROM {q(name)}")
                changes.append(Change("add_not_null", col, f"set {name}.{col} NOT NULL", violations=rows,
                                      sqlite_rebuild=True,
                                      hint="a new NOT NULL column needs a default: (it becomes the database "
                                           "DEFAULT), or add it nullable, sync, then set nullable: false"))
            continue
        want = family(_ddl_type(table, col), backend)
        got = family(have.data_type, backend)
        if want != got and col not in table.key:
            values = _count(db, f"SELECT COUNT(*) FROM {q(name)} WHERE {q(col)} IS NOT NULL")
            changes.append(Change("retype", col, f"change type of {name}.{col} from {got} to {want} "
                                                 f"({values} stored value(s) converted; any that do not convert "
                                                 "fail the sync)", destructive=True, sqlite_rebuild=True))
        if not decl["null"] and have.null:
            nulls = _count(db, f"SELECT COUNT(*) FROM {q(name)} WHERE {q(col)} IS NULL")
            changes.append(Change("add_not_null", col, f"set {name}.{col} NOT NULL", violations=nulls,
                                  sqlite_rebuild=True))
        elif decl["null"] and not have.null and col not in table.key:
            changes.append(Change("drop_not_null", col, f"allow NULL in {name}.{col}", sqlite_rebuild=True))
    for col in real:
        if col not in table.declared and col not in BOOKKEEPING:
            values = _count(db, f"SELECT COUNT(*) FROM {q(name)} WHERE {q(col)} IS NOT NULL")
            changes.append(Change("drop_column", col, f"drop column {name}.{col} (no spec declares it; "
                                                      f"{values} non-null value(s) would be lost)",
                                  destructive=True, sqlite_rebuild=True))
    real_indexes = {(tuple(i.columns), bool(i.unique)): i.name for i in db.get_indexes(name)
                    if tuple(i.columns) != tuple(table.key) and not i.name.startswith("sqlite_autoindex")}
    declared_indexes = {(cols, unique): idx for idx, cols, unique in table.index_defs}
    for (cols, unique), idx in declared_indexes.items():
        if (cols, unique) in real_indexes:
            continue
        dupes = _duplicates(db, name, cols) if unique else 0
        changes.append(Change("add_index", idx, f"add {'unique ' if unique else ''}index {idx} on "
                                                f"{name}({', '.join(cols)})", violations=dupes))
    for (cols, unique), idx in real_indexes.items():
        if (cols, unique) not in declared_indexes and idx.startswith(f"{name}_") and not OURS.search(idx):
            changes.append(Change("drop_index", idx, f"drop index {idx} on {name}({', '.join(cols)})"))
    real_constraints = constraint_names(db, backend, name)
    for cname, (kind, cols, node) in table.constraint_defs.items():
        if cname not in real_constraints and kind != "json check":   # json: like JSONB vs TEXT, not a change
            bad = _violations(db, table, kind, cols, node)
            changes.append(Change("add_constraint", cname, f"add {kind} {cname} on {name}({', '.join(cols)})",
                                  violations=bad, sqlite_rebuild=True))
    for cname in sorted(real_constraints - set(table.constraint_defs)):
        if OURS.search(cname):
            changes.append(Change("drop_constraint", cname, f"drop constraint {cname} of {name}",
                                  sqlite_rebuild=True))
    if not dialect_for(backend).rebuilds_tables:
        changes = [Change(c.op, c.target, c.text, c.destructive, c.violations, hint=c.hint) for c in changes]
    return changes


def constraint_names(db, backend: str, table: str) -> set[str]:
    """Names of the CHECK and FOREIGN KEY constraints of ``table``."""
    if dialect_for(backend).rebuilds_tables:    # SQLite: the names are in the table's own SQL
        row = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        return set(re.findall(r'CONSTRAINT\s+"([^"]+)"', row[0] if row else ""))
    schema = dialect_for(backend).constraint_schema
    cursor = db.execute_sql(
        "SELECT constraint_name FROM information_schema.table_constraints WHERE table_schema = "
        f"{schema} AND table_name = %s AND constraint_type IN ('CHECK', 'FOREIGN KEY')", (table,))
    return {r[0] for r in cursor.fetchall()}


def _quoter(db):
    """Quote an identifier with the backend's quote characters (db.quote is the pair, e.g. '""')."""
    left, right = db.quote[0], db.quote[1]
    return lambda name: f"{left}{name}{right}"


def _count(db, sql: str, params: tuple = ()) -> int:
    return int(db.execute_sql(sql, params).fetchone()[0])


def _duplicates(db, table: str, cols: tuple[str, ...]) -> int:
    q = _quoter(db)
    names = ", ".join(q(c) for c in cols)
    not_null = " AND ".join(f"{q(c)} IS NOT NULL" for c in cols)
    return _count(db, f"SELECT COUNT(*) FROM (SELECT {names} FROM {q(table)} WHERE {not_null} GROUP BY {names} "
                      "HAVING COUNT(*) > 1) AS d")


def _violations(db, table: SqlTable, kind: str, cols: tuple[str, ...], node) -> int:
    """Existing rows the new CHECK or foreign key would reject (the DDL itself would fail on them)."""
    q = _quoter(db)
    if kind.endswith("check"):
        expr = node.nodes[-1]                       # the EnclosedNodeList after CHECK
        sql, params = db.get_sql_context().sql(expr).query()
        return _count(db, f"SELECT COUNT(*) FROM {q(table.name)} WHERE NOT {sql}", tuple(params))
    parent, ref_cols = node.nodes[5], node.nodes[6]
    parent_name = parent._path[0]
    if not db.table_exists(parent_name):
        return 0
    refs = [e._path[0] for e in ref_cols.nodes]
    match = " AND ".join(f"p.{q(r)} = c.{q(c)}" for c, r in zip(cols, refs))
    not_null = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in cols)
    return _count(db, f"SELECT COUNT(*) FROM {q(table.name)} c WHERE {not_null} AND NOT EXISTS "
                      f"(SELECT 1 FROM {q(parent_name)} p WHERE {match})")


def refuse_if_needed(migrations: list[Migration], allow_destructive: bool) -> None:
    """SchemaChangeRefused naming each table, column and what would be lost, before anything changes."""
    problems = []
    for m in migrations:
        spec = m.table.specs[0]
        for c in m.changes:
            path = f"$.target.columns.{c.target}" if c.op in ("retype", "add_not_null") else "$.target"
            line, col = spec.locate(path)
            if c.violations:
                problems.append(Problem(
                    f"cannot {c.text}: {c.violations} existing row(s) of {m.table.name} violate it",
                    file=spec.file, line=line, column=col, json_path=path,
                    hint=c.hint or "fix or remove those rows (or the declaration) first; a sync writes rows "
                                   "only after the schema is in place"))
            elif c.destructive and not allow_destructive:
                problems.append(Problem(
                    f"refusing to {c.text}", file=spec.file, line=line, column=col, json_path=path,
                    hint="this loses or converts data; pass --allow-destructive to apply it "
                         "(the other columns' data is kept)"))
    if problems:
        raise SchemaChangeRefused(problems=problems)


# -- apply ------------------------------------------------------------------------------
def apply(db, backend: str, migration: Migration) -> list[str]:
    """Create or change one table; returns what was done (for the run's output)."""
    table = migration.table
    if migration.create:
        table.create()
        return migration.notes
    if not migration.changes:
        return []
    d = dialect_for(backend)
    if d.rebuilds_tables and migration.rebuild:
        _rebuild(db, table, migration.changes)
        return migration.notes
    from playhouse.migrate import SchemaMigrator, migrate

    import peewee as pw

    mig = SchemaMigrator.from_database(db)
    q = _quoter(db)
    name = table.name
    ops: list[Any] = []
    # drops first (a dropped index may hold a dropped column), then columns, then new indexes/constraints
    order = ("drop_constraint", "drop_index", "drop_column", "add_column", "retype", "drop_not_null",
             "add_not_null", "add_index", "add_constraint")
    for change in sorted(migration.changes, key=lambda c: order.index(c.op)):
        col = change.target
        if change.op == "drop_constraint":
            is_fk = "_fk_" in col
            if is_fk and not d.drops_constraints_generically:
                ops.append(lambda c=col: db.execute_sql(f"ALTER TABLE {q(name)} DROP FOREIGN KEY {q(c)}"))
            else:
                ops.append(mig.drop_constraint(name, col))
        elif change.op == "drop_index":
            ops.append(mig.drop_index(name, col))
        elif change.op == "drop_column":
            ops.append(mig.drop_column(name, col, cascade=d.cascade_column_drops))
        elif change.op == "add_column":
            f = table.fields[col]
            ops.append(mig.add_column(name, col, f, allow_not_null=not f.null and table.declared[col]["default"]
                                      is not None) if f.null or table.declared[col]["default"] is not None
                       else _nullable_add(mig, name, col, f))
        elif change.op == "retype":
            f = table.fields[col]
            if d.retype_with_cast:
                ops.append(mig.alter_column_type(name, col, f, cast=pw.SQL(f"{q(col)}::{_ddl_type(table, col)}")))
            else:   # MODIFY <column definition>: playhouse's MySQL version repeats the column name
                ops.append(lambda f=f: db.execute(db.get_sql_context().literal(f"ALTER TABLE {q(name)} MODIFY ")
                                                  .sql(f.ddl(db.get_sql_context()))))
        elif change.op == "add_not_null":
            ops.append(mig.add_not_null(name, col))
        elif change.op == "drop_not_null":
            ops.append(mig.drop_not_null(name, col))
        elif change.op == "add_index":
            model: Any = table.model
            idx = next(i for i in model._meta.indexes if getattr(i, "_name", None) == col)
            ops.append(lambda i=idx: db.execute(model._schema._create_index(i, safe=False)))
        elif change.op == "add_constraint":
            node = table.constraint_defs[col][2]
            ops.append(lambda n=node: db.execute(db.get_sql_context().literal(f"ALTER TABLE {q(name)} ADD ").sql(n)))
    for op in ops:
        if callable(op) and not hasattr(op, "run"):
            op()
        else:
            migrate(op)
    return migration.notes


def _nullable_add(mig, name: str, col: str, f):
    """A new NOT NULL column without a default: added nullable (add_not_null follows, on an empty table)."""
    null, f.null = f.null, True
    try:
        return mig.add_column(name, col, f)
    finally:
        f.null = null


def _rebuild(db, table: SqlTable, changes: list[Change]) -> None:
    """SQLite: new table with the declared schema, copy kept columns, drop old, rename new, add indexes."""
    import peewee as pw

    q = _quoter(db)
    name = table.name
    tmp = f"{name}__syncspec_new"
    real = {c.name for c in db.get_columns(name)}
    kept = [c for c in table.fields if c in real]
    retyped = {c.target for c in changes if c.op == "retype"}
    Tmp: Any = type("T_tmp", (table.model,), {"Meta": type("Meta", (), {"table_name": tmp})})
    db.execute_sql(f"DROP TABLE IF EXISTS {q(tmp)}")
    db.execute(Tmp._schema._create_table(safe=False))
    select = []
    for c in kept:
        if c in retyped:
            affinity = _ddl_type(table, c).split("(")[0]
            select.append(f"CAST({q(c)} AS {affinity})")
        else:
            select.append(q(c))
    cols = ", ".join(q(c) for c in kept)
    db.execute_sql(f"INSERT INTO {q(tmp)} ({cols}) SELECT {', '.join(select)} FROM {q(name)}")
    db.execute_sql(f"DROP TABLE {q(name)}")
    db.execute_sql(f"ALTER TABLE {q(tmp)} RENAME TO {q(name)}")
    for ctx in table.model._schema._create_indexes(safe=False):
        db.execute(ctx)
    bad = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise pw.IntegrityError(f"foreign key check failed after rebuilding {name}: {bad[:3]}")
