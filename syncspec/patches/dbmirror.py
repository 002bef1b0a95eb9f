"""Mirror the applied-patch ledger into the target database (table ``syncspec_patches``).

The file ledger beside the plan is the truth; this table makes it queryable
next to the run history. A mirror is append-only (rows for ledger entries it
lacks) in one transaction, so a failed mirror changes nothing and the next
apply catches up. An unreachable database is a warning, not an error: the plan
and its ledger are already written and canonical.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from ..errors import SyncSpecError, first_line
from .ledger import LedgerEntry

TABLE = "syncspec_patches"


def patch_model(db: Any) -> Any:
    """The peewee model of ``syncspec_patches`` bound to ``db``."""
    import peewee as pw

    class SyncspecPatch(pw.Model):
        project = pw.CharField(max_length=255)
        patch_id = pw.CharField(max_length=255)
        title = pw.TextField(null=True)
        checksum = pw.CharField(max_length=80)
        plan_file = pw.CharField(max_length=255)
        applied_at = pw.DateTimeField()
        mirrored_at = pw.DateTimeField()

        class Meta:
            database = db
            table_name = TABLE
            primary_key = pw.CompositeKey("project", "patch_id")

    return SyncspecPatch


def mirror(database_url: str, project: str, plan_file: str, entries: Sequence[LedgerEntry],
           now: dt.datetime | None = None) -> tuple[int, str | None]:
    """Insert the ledger entries the table lacks; returns (rows added, warning or None)."""
    from ..targets.sql.database import connect, parse_target

    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    try:
        target = parse_target(database_url)
        db = connect(target)
    except SyncSpecError as exc:
        return 0, f"{exc}"
    import peewee as pw

    try:
        model = patch_model(db)
        db.create_tables([model], safe=True)  # DDL before the transaction (MySQL commits DDL implicitly)
        with db.atomic():
            have = {row.patch_id for row in model.select(model.patch_id).where(model.project == project)}
            rows = [dict(project=project, patch_id=e.id, title=e.title, checksum=e.checksum, plan_file=plan_file,
                         applied_at=_parse_time(e.applied_at), mirrored_at=now)
                    for e in entries if e.id not in have]
            if rows:
                model.insert_many(rows).execute()
        return len(rows), None
    except (pw.PeeweeException, OSError) as exc:  # the canonical file ledger is already written
        detail = first_line(exc)
        return 0, f"cannot write {TABLE} in {target.masked}: {detail}"
    finally:
        db.close()


def mirrored(database_url: str, project: str) -> list[dict[str, Any]]:
    """The mirrored rows of ``project`` (for tests and status tools); empty if there is no table."""
    from ..targets.sql.database import connect, parse_target

    db = connect(parse_target(database_url))
    try:
        if not db.table_exists(TABLE):
            return []
        model = patch_model(db)
        query = model.select().where(model.project == project).order_by(model.applied_at, model.patch_id)
        return [dict(row.__data__) for row in query]
    finally:
        db.close()


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(1970, 1, 1)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value
