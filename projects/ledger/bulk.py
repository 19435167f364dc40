"""Writing a checked Plan in bulk, all rows or none (the caller holds the transaction).

Rows are plain dicts {attname: value}. On PostgreSQL the ids of new rows are taken from their
sequence in one query and every table is written with COPY; elsewhere (SQLite, the embedded mode)
through bulk_create and executemany. The history rows are those django-simple-history would write.
"""

from __future__ import annotations

from operator import itemgetter

from django.db import connection
from django.utils import timezone

from projects.ledger.plan import Plan, row_of
from projects.pipeline.models import FollowUp, Investor, Project, StageChange

BATCH = 1000
CONVERTED = {"DateField", "DateTimeField", "DecimalField", "TimeField", "JSONField", "UUIDField"}


def _resolve(rows: list[dict], relation: str) -> None:
    """Set `<relation>_id` from the related object or row, now that it has its id."""
    attname = f"{relation}_id"
    for row in rows:
        ref = row.pop(relation, None)
        if ref is not None:
            row[attname] = ref.pk


def _insert(model, rows: list[dict], *, ids: bool = False, fields=None, constants=()) -> None:
    """Insert `rows` into `model`'s table: the `fields` of each row, then `constants`, (field,
    value) pairs the same for every row. With `ids`, each row gets its new key in row["id"].
    PostgreSQL: COPY. SQLite (the embedded mode): executemany."""
    if not rows:
        return
    if fields is None:
        fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    now = timezone.now()
    for f in fields:  # what Model.save() would fill in (DateTimeField's auto_now and auto_now_add)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for row in rows:
                if row[f.attname] is None:
                    row[f.attname] = now
    if ids and connection.vendor != "postgresql":
        fields = [f for f in fields if not f.primary_key]
    columns = [*fields, *(f for f, _value in constants)]
    tail = tuple(value for _f, value in constants)
    names = [f.attname for f in fields]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    quote = connection.ops.quote_name
    table, column_list = quote(model._meta.db_table), ", ".join(quote(f.column) for f in columns)
    if connection.vendor == "postgresql":
        if ids:
            for row, pk in zip(rows, _reserve_ids(model, len(rows)), strict=True):
                row["id"] = pk
        # Table and column names come from the model, quoted; the values travel as COPY data, in
        # the binary format when every column has a plain type (the server then parses no text).
        types = _copy_types(columns)
        binary = " (FORMAT BINARY)" if types else ""
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({column_list}) FROM STDIN{binary}") as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(values(row) + tail)
        return
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    # Only dates, times and decimals need converting for the driver; the rest goes as it is.
    prep = [f.get_db_prep_save if f.get_internal_type() in CONVERTED else None for f in columns]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(
                sql,
                [
                    [
                        value if convert is None else convert(value, connection)
                        for convert, value in zip(prep, values(row) + tail, strict=True)
                    ]
                    for row in batch
                ],
            )
            if ids:
                # The transaction holds the database's only write lock since its first insert, and
                # AUTOINCREMENT keys only grow: the last len(batch) keys are this batch's, in order.
                pk = quote(model._meta.pk.column)
                cursor.execute(f"SELECT {pk} FROM {table} ORDER BY {pk} DESC LIMIT %s", [len(batch)])  # noqa: S608
                for row, (new_id,) in zip(batch, reversed(cursor.fetchall()), strict=True):
                    row["id"] = new_id


# PostgreSQL column types by the name Django gives them, as psycopg's binary COPY knows them.
COPY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "timestamp with time zone": "timestamptz",
    "date": "date",
    "varchar": "varchar",
    "text": "text",
    "numeric": "numeric",
}


def _copy_types(fields) -> list[str] | None:
    """The binary COPY types of `fields`, or None if one of them is not a plain type."""
    types = []
    for f in fields:
        db_type = f.rel_db_type(connection) if f.is_relation else f.db_type(connection)
        copy_type = COPY_TYPES.get((db_type or "").split("(")[0].strip())
        if copy_type is None:
            return None
        types.append(copy_type)
    return types


def _reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _history(model, rows: list[dict], *, user, kind: str) -> None:
    """The history rows django-simple-history would write for `rows` (created "+" or changed "~")."""
    historical = model.history.model
    special = {"history_date": timezone.now(), "history_type": kind, "history_user_id": user.pk}
    special["history_change_reason"] = None
    fields = [f for f in historical._meta.concrete_fields if f.attname != "history_id" and f.attname not in special]
    constants = [(historical._meta.get_field(name.removesuffix("_id")), value) for name, value in special.items()]
    _insert(historical, rows, fields=fields, constants=constants)


def write_plan(plan: Plan, *, user, progress=None) -> None:
    """Write a checked plan; the caller holds the transaction. New investors and projects get
    their ids first (follow-ups and stage changes point at them), then every table is written
    in bulk, with the history rows django-simple-history would have written."""
    if not connection.in_atomic_block:
        raise RuntimeError("write_plan() writes all rows or none: call it inside transaction.atomic()")
    total = len(plan.creates) + len(plan.updates)
    investors = list(plan.new_investors.values())
    _insert(Investor, investors, ids=True)
    _history(Investor, investors, user=user, kind="+")
    if plan.investor_codes:
        changed = list(plan.investor_codes.values())
        Investor.objects.bulk_update(changed, ["credit_code"], batch_size=BATCH)
        _history(Investor, [row_of(inv) for inv in changed], user=user, kind="~")
    for start in range(0, len(plan.creates), BATCH * 5):
        batch = plan.creates[start : start + BATCH * 5]
        _resolve(batch, "investor")
        _insert(Project, batch, ids=True)
        _history(Project, batch, user=user, kind="+")
        if progress:
            progress(min(start + len(batch), len(plan.creates)), total)
    if plan.updates:
        _resolve(plan.updates, "investor")
        updates = [Project(**row) for row in plan.updates]
        for obj in updates:
            obj._state.adding = False
        Project.objects.bulk_update(updates, sorted(plan.update_fields), batch_size=BATCH)
        _history(Project, plan.updates, user=user, kind="~")
    _resolve(plan.follow_ups, "project")
    _insert(FollowUp, plan.follow_ups, ids=True)
    _history(FollowUp, plan.follow_ups, user=user, kind="+")
    _resolve(plan.stage_changes, "project")
    _insert(StageChange, plan.stage_changes)
    if progress:
        progress(total, total)
