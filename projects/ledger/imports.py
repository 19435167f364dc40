"""Importing a ledger: every row is checked first (the preview), then all rows are written or none.

Rows match existing projects of the importing organisation by the project ID column when there is
one, else by investor + project name. A row that would change nothing is counted as unchanged, so
importing the same file twice (or an exported ledger) changes nothing. Stage values go through the
evidence rules of the transition service: a row claiming a contract without its date is an error.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operators.access import changeable_projects, visible_users, visible_zones
from projects.ledger import columns as ledger
from projects.ledger.cells import CellError, is_blank, reader
from projects.ledger.columns import BY_KEY, Column, fold
from projects.ledger.models import ImportJob
from projects.ledger.spreadsheets import FileRefused, read_rows
from projects.pipeline.duplicates import normalize_name as _normalize_name
from projects.pipeline.funds import typed_actual_investment_error, with_tranches
from projects.pipeline.models import FollowUp, IndustryChain, Investor, Project, SourceMode, Stage, StageChange, Status
from projects.pipeline.stages import EVIDENCE_FIELDS, STAGES, evidence_errors

logger = logging.getLogger(__name__)

BATCH = 1000
CONVERTED = {"DateField", "DateTimeField", "DecimalField", "TimeField", "JSONField", "UUIDField"}
LOOKUP_CHUNK = 500  # values in one `IN (…)` lookup (SQLite allows 999 parameters by default)
ORDER = {stage: index for index, stage in enumerate(Stage.values)}
TOTAL_WORDS = {"合计", "总计", "小计", "total", "sum"}
PROJECT_FIELDS = {f.name: f for f in Project._meta.concrete_fields}
# What a failed lookup names in its message; lazy, so a row does not translate it again.
WHAT = {"zone": gettext_lazy("zone"), "owner": gettext_lazy("person"), "chain": gettext_lazy("industry chain")}
# A ledger repeats investor names: normalise each name once.
normalize_name = functools.lru_cache(maxsize=200_000)(_normalize_name)


@dataclass
class Plan:
    """What confirming would do."""

    total_rows: int = 0
    # Rows as {attname: value} (see _new_row): building model instances is most of a big check.
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0
    duplicates: int = 0
    problems: list[dict] = field(default_factory=list)
    error_count: int = 0
    new_investors: dict[str, dict] = field(default_factory=dict)
    investor_codes: dict[int, Investor] = field(default_factory=dict)
    follow_ups: list[dict] = field(default_factory=list)
    stage_changes: list[dict] = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    def problem(self, row: int, column: str, message: str, level: str = "error") -> None:
        if level == "error":
            self.error_count += 1
        if len(self.problems) < int(getattr(settings, "IMPORT_MAX_PROBLEMS", 1000)):
            self.problems.append({"row": row, "column": column, "message": str(message), "level": level})


def _user_keys(user) -> list[str]:
    keys = [fold(user.get_username())]
    full = user.get_full_name().strip()
    if full:
        keys += [fold(full), fold(f"{full}({user.get_username()})")]
    return keys


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    for index, (_number, cells) in enumerate(rows[:20]):
        keys = {col.key for col in (ledger.match_heading(c) for c in cells if isinstance(c, str)) if col}
        if {"title", "investor"} <= keys:
            return index
    return None


class _Context:
    """What the rows are resolved against: the user's zones, people, and the organisation's projects."""

    def __init__(self, *, user, organization, rows_values: list[dict]):
        self.user = user
        self.organization = organization
        self.note = _("Imported from the ledger.")
        self.zones = {}
        for zone in visible_zones(user):
            for name in (zone.name, zone.short_name):
                if name:
                    self.zones.setdefault(fold(name), zone)
        self.users: dict[str, list] = {}
        for person in visible_users(user, get_user_model().objects.filter(is_active=True)):
            for key in _user_keys(person):
                bucket = self.users.setdefault(key, [])
                if person not in bucket:
                    bucket.append(person)
        self.chains = {fold(c.name): c for c in IndustryChain.objects.all()}
        # Matching needs only ids, investors and titles; whole projects are loaded on the first
        # match (a new ledger never needs them).
        self._existing = changeable_projects(user, Project.objects.filter(organization=organization))
        self._projects: dict[int, Project] | None = None
        self.with_tranches: set[int] = set()
        self.by_id: set[int] = set()
        self.by_key: dict[tuple, int] = {}
        for pk, investor_id, title in self._existing.values_list("pk", "investor_id", "title"):
            self.by_id.add(pk)
            self.by_key.setdefault((investor_id, fold(title)), pk)
        codes = sorted({v["investor_credit_code"] for v in rows_values if v.get("investor_credit_code")})
        names = sorted({v["investor"] for v in rows_values if v.get("investor")})
        self.investors_by_code: dict[str, Investor] = {
            inv.credit_code: inv for inv in _matching(Investor.objects.all(), "credit_code", codes)
        }
        self.investors_by_norm: dict[str, Investor] = {}
        norms = sorted({normalize_name(name) for name in names})
        for inv in _matching(Investor.objects.order_by("pk"), "normalized_name", norms):
            self.investors_by_norm.setdefault(inv.normalized_name, inv)
        # Investors whose stored normalised name is missing or older than today's rules match by
        # their name as well.
        for inv in _matching(Investor.objects.order_by("pk"), "name", names):
            self.investors_by_norm.setdefault(normalize_name(inv.name) or fold(inv.name), inv)

    def project(self, pk: int) -> Project:
        if self._projects is None:
            self._projects = {p.pk: p for p in self._existing}
            # Their actual investment is the sum of their tranches: a ledger does not type it.
            self.with_tranches = set(with_tranches(self._existing).values_list("pk", flat=True))
        return self._projects[pk]


def _matching(queryset, field: str, values: list[str]):
    """The objects of `queryset` whose text `field` is one of `values`: on PostgreSQL one array
    parameter (`IN (SELECT unnest(…))`), elsewhere `IN (…)` in chunks."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield from queryset.filter(**{f"{field}__in": RawSQL("SELECT unnest(%s::varchar[])", [values])})
        return
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield from queryset.filter(**{f"{field}__in": values[start : start + LOOKUP_CHUNK]})


def build_plan(rows: list[tuple[int, list]], *, user, organization, progress=None) -> Plan:
    """Check every row of a ledger; nothing is written. `progress(done, total)` is called now and then."""
    plan = Plan()
    header_index = _find_header(rows)
    if header_index is None:
        plan.problem(
            0,
            "",
            _(
                "No heading row found. The ledger needs at least the columns “项目名称” (project) and “投资方” (investor)."
            ),
        )
        return plan
    _header_number, headings = rows[header_index]
    mapping: list[tuple[int, Column, str, object]] = []  # (cell index, column, heading, reader)
    seen_keys: set[str] = set()
    recognised, ignored = {}, []
    for index, heading in enumerate(headings):
        if heading is None or str(heading).strip() == "":
            continue
        text = str(heading).strip()
        column = ledger.match_heading(text)
        if column is None or not column.imported or column.key in seen_keys:
            ignored.append(text)
            continue
        seen_keys.add(column.key)
        recognised[text] = column.key
        mapping.append((index, column, text, reader(column, text)))
    plan.columns = {"recognised": recognised, "ignored": ignored}
    heading_of = {column.key: text for _i, column, text, _f in mapping}

    def heading(key: str) -> str:
        return heading_of.get(key) or (BY_KEY[key].heading if key in BY_KEY else "")

    # 1. Cells to values.
    parsed: list[tuple[int, dict, bool]] = []
    for number, cells in rows[header_index + 1 :]:
        first = next((c for c in cells if not is_blank(c)), None)
        if isinstance(first, str) and fold(first).replace(" ", "") in TOTAL_WORDS:
            continue
        values: dict = {}
        ok = True
        for index, column, text, read in mapping:
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.key] = read(raw)
            except CellError as exc:
                plan.problem(number, text, str(exc))
                ok = False
        if not values.get("title"):
            plan.problem(number, heading("title"), _("The project name is empty."))
            ok = False
        if not values.get("investor"):
            plan.problem(number, heading("investor"), _("The investor is empty."))
            ok = False
        parsed.append((number, values, ok))
    plan.total_rows = len(parsed)

    # 2. Values to projects.
    context = _Context(user=user, organization=organization, rows_values=[v for _n, v, ok in parsed if ok])
    now = timezone.now()
    today = timezone.localdate()
    seen_rows: dict[tuple, int] = {}
    for done, (number, values, ok) in enumerate(parsed, start=1):
        if progress and done % 500 == 0:
            progress(done, len(parsed))
        if not ok:
            continue
        _plan_row(plan, context, number, values, heading, seen_rows, now=now, today=today)
    if progress:
        progress(len(parsed), len(parsed))
    return plan


def _resolve_investor(plan: Plan, context: _Context, number: int, values: dict, heading):
    """The existing investor the row names (by credit code, else by normalised name), or the new
    one it creates (a row, shared by every row naming it); None after a problem."""
    name = values["investor"]
    code = values.get("investor_credit_code")
    norm = normalize_name(name) or fold(name)
    investor = context.investors_by_code.get(code) if code else None
    if investor is None:
        candidate = context.investors_by_norm.get(norm)
        if candidate is not None and not (code and candidate.credit_code and candidate.credit_code != code):
            investor = candidate
    if investor is None:
        investor = _new_row(Investor, name=name, normalized_name=norm, credit_code=code)
        plan.new_investors[code or f"name:{norm}"] = investor
        if code:
            context.investors_by_code[code] = investor
        context.investors_by_norm.setdefault(norm, investor)
        return investor
    if code and not investor.credit_code:
        if isinstance(investor, _Row):  # new in this ledger: an earlier row named it without a code
            investor["credit_code"] = code
            context.investors_by_code[code] = investor
            return investor
        pending = plan.investor_codes.get(investor.pk)
        if pending is not None and pending.credit_code != code:
            plan.problem(
                number,
                heading("investor_credit_code"),
                _("Another row gives this investor the credit code %(code)s.") % {"code": pending.credit_code},
            )
            return None
        investor.credit_code = code
        plan.investor_codes[investor.pk] = investor
    return investor


def _lookup(plan: Plan, number: int, column: str, table: dict, text: str, what: str):
    found = table.get(fold(text))
    if isinstance(found, list):
        if len(found) > 1:
            plan.problem(
                number,
                column,
                _("Several people are called “%(name)s”; write the login name instead.") % {"name": text},
            )
            return None
        found = found[0] if found else None
    if found is None:
        plan.problem(
            number, column, _("No %(what)s called “%(name)s” that you may choose.") % {"what": what, "name": text}
        )
    return found


def _plan_row(plan: Plan, context: _Context, number: int, values: dict, heading, seen_rows, *, now, today) -> None:
    errors_before = plan.error_count
    investor = _resolve_investor(plan, context, number, values, heading)
    zone = owner = chain = None
    if values.get("zone"):
        zone = _lookup(plan, number, heading("zone"), context.zones, values["zone"], WHAT["zone"])
    if values.get("owner"):
        owner = _lookup(plan, number, heading("owner"), context.users, values["owner"], WHAT["owner"])
    if values.get("chain"):
        chain = _lookup(plan, number, heading("chain"), context.chains, values["chain"], WHAT["chain"])
    if plan.error_count > errors_before or investor is None:
        return

    existing = None
    project_id = values.get("id")
    if project_id is not None:
        if project_id not in context.by_id:
            plan.problem(
                number,
                heading("id"),
                _("No project with ID %(id)s in your organisation's ledger.") % {"id": project_id},
            )
            return
        existing = context.project(project_id)
        key = ("id", project_id)
    else:
        key = (investor.pk or id(investor), fold(values["title"]))
        if investor.pk and (pk := context.by_key.get((investor.pk, fold(values["title"])))):
            existing = context.project(pk)
    if existing is not None:
        key = ("id", existing.pk)
    if key in seen_rows:
        plan.duplicates += 1
        plan.problem(number, "", _("Same project as row %(row)s; skipped.") % {"row": seen_rows[key]}, level="skipped")
        return
    seen_rows[key] = number

    if existing is None:
        _plan_create(plan, context, number, values, heading, investor, zone, owner, chain, now=now, today=today)
    else:
        _plan_update(
            plan, context, number, values, heading, existing, investor, zone, owner, chain, now=now, today=today
        )


def _evidence(plan: Plan, number: int, heading, stages, values: dict, *, only_cleared: dict | None = None) -> bool:
    ok = True
    for stage in stages:
        for name, message in evidence_errors(
            stage, values, has_follow_up=True, has_visit=True, file_kinds=set(), check_files=False
        ).items():
            if only_cleared is not None and only_cleared.get(name) in (None, ""):
                continue
            plan.problem(number, heading(name), message)
            ok = False
    return ok


def _clean(plan: Plan, number: int, heading, row: dict) -> bool:
    """What the cell readers cannot check on their own (see `projects.ledger.cells.reader`)."""
    if row["status"] == Status.LOST and not row["lost_reason"]:
        plan.problem(number, heading("lost_reason"), _("A lost project needs a reason."))
        return False
    return True


def _follow_up(plan: Plan, context: _Context, project: dict, values: dict, *, today, now) -> None:
    plan.follow_ups.append(
        _new_row(
            FollowUp,
            project=project,
            kind=FollowUp.Kind.OTHER,
            occurred_on=today,
            summary=values.get("follow_up_summary") or context.note,
            next_due_on=values.get("next_follow_up_on"),
            author_id=context.user.pk,
            created_at=now,
        )
    )


def _stage_change(plan: Plan, context: _Context, project: dict, *, from_stage, from_status, now) -> None:
    plan.stage_changes.append(
        _new_row(
            StageChange,
            project=project,
            from_stage=from_stage,
            to_stage=project["stage"],
            from_status=from_status,
            to_status=project["status"],
            changed_at=now,
            changed_by_id=context.user.pk,
            note=context.note,
        )
    )


def _plan_create(plan, context, number, values, heading, investor, zone, owner, chain, *, now, today) -> None:
    zone = zone or context.organization.zone
    if zone is None:
        plan.problem(number, heading("zone"), _("Say which zone the project goes to."))
        return
    project = _new_row(
        Project,
        title=values["title"],
        investor=investor,
        zone_id=zone.pk,
        organization_id=context.organization.pk,
        owner_id=(owner or context.user).pk,
        created_by_id=context.user.pk,
        chain_id=chain.pk if chain else None,
        source_mode=values.get("source_mode") or SourceMode.OTHER,
        stage=values.get("stage") or Stage.LEAD,
        status=values.get("status") or Status.ACTIVE,
        last_activity_at=now,
        created_at=now,
        updated_at=now,
    )
    for name in ledger.PLAIN_FIELDS:
        if name in values and name not in ("stage", "status", "source_mode", "title"):
            project[name] = values[name]
    evidence_values = {n: project[n] for fields in EVIDENCE_FIELDS.values() for n in fields}
    stages = STAGES[1 : ORDER[project["stage"]] + 1]
    if not (_clean(plan, number, heading, project) & _evidence(plan, number, heading, stages, evidence_values)):
        return
    if values.get("next_follow_up_on") or values.get("follow_up_summary"):
        project["next_follow_up_on"] = values.get("next_follow_up_on")
        _follow_up(plan, context, project, values, today=today, now=now)
    plan.creates.append(project)
    _stage_change(plan, context, project, from_stage="", from_status="", now=now)


def _nullable(name: str) -> bool:
    return PROJECT_FIELDS[name].null


def _plan_update(plan, context, number, values, heading, existing, investor, zone, owner, chain, *, now, today) -> None:
    project = _Row(_row_of(existing))
    changed: set[str] = set()

    def put(name: str, value) -> None:
        if project[name] != value:
            project[name] = value
            changed.add(name)

    if values.get("title") and values["title"] != existing.title:
        put("title", values["title"])
    if investor.pk != existing.investor_id:
        project["investor"] = investor
        changed.add("investor")
    if zone is not None:
        put("zone_id", zone.pk)
    if owner is not None:
        put("owner_id", owner.pk)
    if "chain" in values:
        put("chain_id", chain.pk if chain else None)
    for name in ("source_mode", "stage", "status"):
        if values.get(name):
            put(name, values[name])
    if "actual_investment" in values and (
        error := typed_actual_investment_error(
            existing, values["actual_investment"], tranches=existing.pk in context.with_tranches
        )
    ):
        plan.problem(number, heading("actual_investment"), error)
        return
    for name in ledger.PLAIN_FIELDS:
        if name in values and name not in ("stage", "status", "source_mode", "title"):
            value = values[name]
            put(name, value if value is not None or _nullable(name) else "")
    if "status" in changed and project["status"] == Status.ACTIVE:
        put("lost_reason", "")

    old, new = ORDER[existing.stage], ORDER[project["stage"]]
    if new < old:
        plan.problem(
            number,
            heading("stage"),
            _(
                "The ledger says “%(new)s” but the project is already at “%(old)s”. Moving back needs a reason: do it on the project page."
            )
            % {"new": Stage(project["stage"]).label, "old": Stage(existing.stage).label},
        )
        return
    evidence_values = {n: project[n] for fields in EVIDENCE_FIELDS.values() for n in fields}
    before = {n: getattr(existing, n) for n in evidence_values}
    ok = _clean(plan, number, heading, project)
    ok &= _evidence(plan, number, heading, STAGES[old + 1 : new + 1], evidence_values)
    ok &= _evidence(plan, number, heading, STAGES[1 : old + 1], evidence_values, only_cleared=before)
    if not ok:
        return
    follow_up = values.get("next_follow_up_on")
    if follow_up is not None and follow_up != existing.next_follow_up_on:
        project["next_follow_up_on"] = follow_up
        changed |= {"next_follow_up_on", "last_activity_at"}
        _follow_up(plan, context, project, values, today=today, now=now)
    if not changed:
        plan.unchanged += 1
        return
    if "stage" in changed or "status" in changed:
        _stage_change(plan, context, project, from_stage=existing.stage, from_status=existing.status, now=now)
    project["version"] = existing.version + 1
    project["updated_at"] = now
    project["last_activity_at"] = now
    changed |= {"version", "updated_at", "last_activity_at"}
    plan.update_fields |= {f[:-3] if f.endswith("_id") else f for f in changed}
    plan.updates.append(project)


# ---------------------------------------------------------------------------------------------
# Writing: rows are plain dicts {attname: value}. On PostgreSQL the ids of new rows are taken
# from their sequence in one query and every table is written with COPY; elsewhere (SQLite, the
# embedded mode) through bulk_create and executemany.


class _Row(dict):
    """A row to insert, {attname: value}, that reads like a model instance (row.pk, row.title):
    building model instances was most of a big check."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self["id" if name == "pk" else name]
        except KeyError:
            raise AttributeError(name) from None


_TEMPLATES: dict = {}


def _new_row(model, **values) -> _Row:
    """A new row of `model`: its field defaults, then `values`. A key naming a relation
    (`investor`, `project`) holds the related object or row until its id is known."""
    template = _TEMPLATES.get(model)
    if template is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        dynamic = [f for f in fields if f.has_default() and callable(f.default)]
        fixed = {model._meta.pk.attname: None} | {f.attname: f.get_default() for f in fields if f not in dynamic}
        template = _TEMPLATES[model] = (fixed, dynamic)
    fixed, dynamic = template
    row = _Row(fixed)
    for f in dynamic:
        if f.attname not in values:
            row[f.attname] = f.get_default()
    row.update(values)
    return row


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


def _row_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


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
        _history(Investor, [_row_of(inv) for inv in changed], user=user, kind="~")
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


# ---------------------------------------------------------------------------------------------
# The job: upload → check (preview) → confirm → write. Small files run in the request, big ones in
# a Celery task; the page polls the job either way.


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def job_progress(job: ImportJob) -> tuple[int, int]:
    done, total = cache.get(progress_key(job.pk), (0, 0))
    return done, total


def _progress_writer(job_id: int):
    def write(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), timeout=3600)

    return write


def import_job_create(*, user, organization, upload) -> ImportJob:
    """Keep the uploaded file (media storage, seen by every worker) and queue its check."""
    job = ImportJob(
        user=user,
        organization=organization,
        original_name=upload.name[:255],
        size=upload.size,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job


def _finish(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)


def _plan_fields(plan: Plan) -> dict:
    return {
        "total_rows": plan.total_rows,
        "created_count": len(plan.creates),
        "updated_count": len(plan.updates),
        "unchanged_count": plan.unchanged,
        "duplicate_count": plan.duplicates,
        "error_count": plan.error_count,
        "problems": plan.problems,
        "columns": plan.columns,
    }


def _read(job: ImportJob):
    with job.file.open("rb") as handle:
        data = handle.read(int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)) + 1)
    return read_rows(data, job.original_name)


def import_job_check(*, job_id: int) -> None:
    """The preview: read and check every row, count what would happen. Writes nothing but the job."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(status=ImportJob.Status.CHECKING):
        return  # already taken by another worker
    job = ImportJob.objects.select_related("user", "organization__zone").get(pk=job_id)
    with translation.override(job.language):
        try:
            _kind, rows = _read(job)
            plan = build_plan(rows, user=job.user, organization=job.organization, progress=_progress_writer(job_id))
        except FileRefused as exc:
            _finish(job_id, status=ImportJob.Status.FAILED, message=str(exc))
            return
        except Exception:
            logger.exception("import %s: check failed", job_id)
            _finish(job_id, status=ImportJob.Status.FAILED, message=_("The file could not be checked."))
            raise
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.CHECKED, **_plan_fields(plan))


def import_job_confirm(*, job: ImportJob) -> bool:
    """The user confirmed a clean preview; True when this call took the job."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED, error_count=0).update(
            status=ImportJob.Status.CONFIRMED
        )
    )


class _Refused(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan


def import_job_apply(*, job_id: int) -> None:
    """Write a confirmed import in one transaction. The rows are checked again against the data as
    it is now; if any row fails, nothing is written and the job lists the problems."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CONFIRMED).update(
        status=ImportJob.Status.APPLYING
    ):
        return
    job = ImportJob.objects.select_related("user", "organization__zone").get(pk=job_id)
    progress = _progress_writer(job_id)
    with translation.override(job.language):
        try:
            _kind, rows = _read(job)
            with transaction.atomic():
                plan = build_plan(rows, user=job.user, organization=job.organization, progress=progress)
                if plan.error_count:
                    raise _Refused(plan)
                write_plan(plan, user=job.user, progress=progress)
        except FileRefused as exc:
            _finish(job_id, status=ImportJob.Status.FAILED, message=str(exc))
            return
        except _Refused as refused:
            _finish(
                job_id,
                status=ImportJob.Status.FAILED,
                message=_("The data changed since the preview and some rows no longer pass; nothing was written."),
                **_plan_fields(refused.plan),
            )
            return
        except Exception:
            logger.exception("import %s: write failed", job_id)
            _finish(job_id, status=ImportJob.Status.FAILED, message=_("The import failed; nothing was written."))
            raise
    _finish(job_id, status=ImportJob.Status.DONE, **_plan_fields(plan))


def import_ledger(*, user, organization, data: bytes, name: str) -> Plan:
    """Check and write a ledger in one go (tests, scripts): all rows or none. Raises FileRefused,
    or returns the plan with its problems and writes nothing when a row fails."""
    _kind, rows = read_rows(data, name)
    with transaction.atomic():
        plan = build_plan(rows, user=user, organization=organization)
        if not plan.error_count:
            write_plan(plan, user=user)
    return plan
