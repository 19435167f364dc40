"""Importing a ledger: every row is checked first (the preview), then all rows are written or none.

Rows match existing projects of the importing organisation by the project ID column when there is
one, else by investor + project name. A row that would change nothing is counted as unchanged, so
importing the same file twice (or an exported ledger) changes nothing. Stage values go through the
evidence rules of the transition service: a row claiming a contract without its date is an error.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from operators.access import changeable_projects, visible_users, visible_zones

from . import ledger
from .duplicates import normalize_name
from .ledger import BY_KEY, CellError, Column
from .models import FollowUp, ImportJob, IndustryChain, Investor, Project, SourceMode, Stage, StageChange, Status
from .spreadsheets import FileRefused, read_rows
from .stages import EVIDENCE_FIELDS, STAGES, evidence_errors
from .validators import normalize_credit_code, validate_credit_code

logger = logging.getLogger(__name__)

BATCH = 1000
ORDER = {stage: index for index, stage in enumerate(Stage.values)}
TOTAL_WORDS = {"合计", "总计", "小计", "total", "sum"}
# Project foreign keys that the import resolves itself (clean_fields would query each one).
FK_FIELDS = [
    "investor",
    "zone",
    "organization",
    "owner",
    "created_by",
    "operating_company",
    "service_contact",
    "chain",
    "chain_link",
    "need_to_know",
]


@dataclass
class Plan:
    """What confirming would do."""

    total_rows: int = 0
    creates: list[Project] = field(default_factory=list)
    updates: list[Project] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0
    duplicates: int = 0
    problems: list[dict] = field(default_factory=list)
    error_count: int = 0
    new_investors: dict[str, Investor] = field(default_factory=dict)
    investor_codes: dict[int, Investor] = field(default_factory=dict)
    follow_ups: list[FollowUp] = field(default_factory=list)
    stage_changes: list[StageChange] = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    def problem(self, row: int, column: str, message: str, level: str = "error") -> None:
        if level == "error":
            self.error_count += 1
        if len(self.problems) < int(getattr(settings, "IMPORT_MAX_PROBLEMS", 1000)):
            self.problems.append({"row": row, "column": column, "message": str(message), "level": level})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _user_keys(user) -> list[str]:
    keys = [_fold(user.get_username())]
    full = user.get_full_name().strip()
    if full:
        keys += [_fold(full), _fold(f"{full}({user.get_username()})")]
    return keys


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    for index, (_number, cells) in enumerate(rows[:20]):
        keys = {col.key for col in (ledger.match_heading(c) for c in cells if isinstance(c, str)) if col}
        if {"title", "investor"} <= keys:
            return index
    return None


def _max_length(key: str) -> int | None:
    if key == "investor":
        return Investor._meta.get_field("name").max_length
    if key == "follow_up_summary":
        return 2000
    try:
        return Project._meta.get_field(key).max_length
    except Exception:
        return None


def _read_cell(column: Column, raw, factor):
    kind = column.kind
    if kind == "id":
        return ledger.read_id(raw)
    if kind == "amount":
        return ledger.read_amount(raw, factor)
    if kind == "number":
        return ledger.read_number(raw)
    if kind == "date":
        return ledger.read_date(raw)
    if kind == "choice":
        return ledger.read_choice(column.key, raw)
    if kind == "credit_code":
        code = normalize_credit_code(ledger.read_text(raw))
        if code:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                raise CellError(" ".join(exc.messages)) from None
        return code
    return ledger.read_text(raw, _max_length(column.key))


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
                    self.zones.setdefault(_fold(name), zone)
        self.users: dict[str, list] = {}
        for person in visible_users(user, get_user_model().objects.filter(is_active=True)):
            for key in _user_keys(person):
                bucket = self.users.setdefault(key, [])
                if person not in bucket:
                    bucket.append(person)
        self.chains = {_fold(c.name): c for c in IndustryChain.objects.all()}
        existing = changeable_projects(user, Project.objects.filter(organization=organization))
        self.by_id: dict[int, Project] = {}
        self.by_key: dict[tuple, Project] = {}
        for project in existing.select_related("investor"):
            self.by_id[project.pk] = project
            self.by_key.setdefault((project.investor_id, _fold(project.title)), project)
        codes = {v["investor_credit_code"] for v in rows_values if v.get("investor_credit_code")}
        norms = {normalize_name(v["investor"]) for v in rows_values if v.get("investor")}
        self.investors_by_code: dict[str, Investor] = {}
        self.investors_by_norm: dict[str, Investor] = {}
        for chunk in _chunks(sorted(codes), 500):
            for inv in Investor.objects.filter(credit_code__in=chunk):
                self.investors_by_code[inv.credit_code] = inv
        names = sorted({v["investor"] for v in rows_values if v.get("investor")})
        for chunk in _chunks(names, 500):
            for inv in Investor.objects.filter(name__in=chunk).order_by("pk"):
                self.investors_by_norm.setdefault(normalize_name(inv.name) or _fold(inv.name), inv)
        for chunk in _chunks(sorted(norms), 500):
            for inv in Investor.objects.filter(normalized_name__in=chunk).order_by("pk"):
                self.investors_by_norm.setdefault(inv.normalized_name, inv)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    mapping: list[tuple[int, Column, str, object]] = []
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
        mapping.append((index, column, text, ledger.heading_factor(text) if column.kind == "amount" else None))
    plan.columns = {"recognised": recognised, "ignored": ignored}
    heading_of = {column.key: text for _i, column, text, _f in mapping}

    def heading(key: str) -> str:
        return heading_of.get(key) or (BY_KEY[key].heading if key in BY_KEY else "")

    # 1. Cells to values.
    parsed: list[tuple[int, dict, bool]] = []
    for number, cells in rows[header_index + 1 :]:
        first = next((c for c in cells if not ledger.is_blank(c)), None)
        if isinstance(first, str) and _fold(first).replace(" ", "") in TOTAL_WORDS:
            continue
        values: dict = {}
        ok = True
        for index, column, text, factor in mapping:
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.key] = _read_cell(column, raw, factor)
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


def _resolve_investor(plan: Plan, context: _Context, number: int, values: dict, heading) -> Investor | None:
    name = values["investor"]
    code = values.get("investor_credit_code")
    norm = normalize_name(name) or _fold(name)
    investor = context.investors_by_code.get(code) if code else None
    if investor is None:
        candidate = context.investors_by_norm.get(norm)
        if candidate is not None and not (code and candidate.credit_code and candidate.credit_code != code):
            investor = candidate
    if investor is None:
        key = code or f"name:{norm}"
        investor = plan.new_investors.get(key)
        if investor is None:
            investor = Investor(name=name, normalized_name=norm, credit_code=code)
            plan.new_investors[key] = investor
            if code:
                context.investors_by_code[code] = investor
            context.investors_by_norm.setdefault(norm, investor)
        return investor
    if code and not investor.credit_code:
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
    found = table.get(_fold(text))
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
        zone = _lookup(plan, number, heading("zone"), context.zones, values["zone"], _("zone"))
    if values.get("owner"):
        owner = _lookup(plan, number, heading("owner"), context.users, values["owner"], _("person"))
    if values.get("chain"):
        chain = _lookup(plan, number, heading("chain"), context.chains, values["chain"], _("industry chain"))
    if plan.error_count > errors_before or investor is None:
        return

    existing = None
    project_id = values.get("id")
    if project_id is not None:
        existing = context.by_id.get(project_id)
        if existing is None:
            plan.problem(
                number,
                heading("id"),
                _("No project with ID %(id)s in your organisation's ledger.") % {"id": project_id},
            )
            return
        key = ("id", project_id)
    else:
        key = (investor.pk or id(investor), _fold(values["title"]))
        if investor.pk:
            existing = context.by_key.get((investor.pk, _fold(values["title"])))
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


def _clean(plan: Plan, number: int, heading, project: Project) -> bool:
    try:
        project.clean_fields(exclude=FK_FIELDS)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            plan.problem(number, heading(name), " ".join(messages))
        return False
    if project.status == Status.LOST and not project.lost_reason:
        plan.problem(number, heading("lost_reason"), _("A lost project needs a reason."))
        return False
    return True


def _follow_up(plan: Plan, context: _Context, project: Project, values: dict, *, today) -> None:
    plan.follow_ups.append(
        FollowUp(
            project=project,
            kind=FollowUp.Kind.OTHER,
            occurred_on=today,
            summary=values.get("follow_up_summary") or _("Imported from the ledger."),
            next_due_on=values.get("next_follow_up_on"),
            author=context.user,
        )
    )


def _plan_create(plan, context, number, values, heading, investor, zone, owner, chain, *, now, today) -> None:
    zone = zone or context.organization.zone
    if zone is None:
        plan.problem(number, heading("zone"), _("Say which zone the project goes to."))
        return
    project = Project(
        title=values["title"],
        investor=investor,
        zone=zone,
        organization=context.organization,
        owner=owner or context.user,
        created_by=context.user,
        chain=chain,
        source_mode=values.get("source_mode") or SourceMode.OTHER,
        stage=values.get("stage") or Stage.LEAD,
        status=values.get("status") or Status.ACTIVE,
        last_activity_at=now,
    )
    for name in ledger.PLAIN_FIELDS:
        if name in values and name not in ("stage", "status", "source_mode", "title"):
            setattr(project, name, values[name])
    evidence_values = {n: getattr(project, n) for fields in EVIDENCE_FIELDS.values() for n in fields}
    stages = STAGES[1 : ORDER[project.stage] + 1]
    if not (_clean(plan, number, heading, project) & _evidence(plan, number, heading, stages, evidence_values)):
        return
    if values.get("next_follow_up_on") or values.get("follow_up_summary"):
        project.next_follow_up_on = values.get("next_follow_up_on")
        _follow_up(plan, context, project, values, today=today)
    plan.creates.append(project)
    plan.stage_changes.append(
        StageChange(
            project=project,
            from_stage="",
            to_stage=project.stage,
            from_status="",
            to_status=project.status,
            changed_at=now,
            changed_by=context.user,
            note=context.note,
        )
    )


def _nullable(name: str) -> bool:
    return Project._meta.get_field(name).null


def _plan_update(plan, context, number, values, heading, existing, investor, zone, owner, chain, *, now, today) -> None:
    project = Project(**{f.attname: getattr(existing, f.attname) for f in Project._meta.concrete_fields})
    project._state.adding = False
    project._state.db = existing._state.db
    changed: set[str] = set()

    def put(name: str, value) -> None:
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed.add(name)

    if values.get("title") and values["title"] != existing.title:
        put("title", values["title"])
    if investor.pk != existing.investor_id:
        project.investor = investor
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
    for name in ledger.PLAIN_FIELDS:
        if name in values and name not in ("stage", "status", "source_mode", "title"):
            value = values[name]
            put(name, value if value is not None or _nullable(name) else "")
    if "status" in changed and project.status == Status.ACTIVE:
        put("lost_reason", "")

    old, new = ORDER[existing.stage], ORDER[project.stage]
    if new < old:
        plan.problem(
            number,
            heading("stage"),
            _(
                "The ledger says “%(new)s” but the project is already at “%(old)s”. Moving back needs a reason: do it on the project page."
            )
            % {"new": Stage(project.stage).label, "old": Stage(existing.stage).label},
        )
        return
    evidence_values = {n: getattr(project, n) for fields in EVIDENCE_FIELDS.values() for n in fields}
    before = {n: getattr(existing, n) for n in evidence_values}
    ok = _clean(plan, number, heading, project)
    ok &= _evidence(plan, number, heading, STAGES[old + 1 : new + 1], evidence_values)
    ok &= _evidence(plan, number, heading, STAGES[1 : old + 1], evidence_values, only_cleared=before)
    if not ok:
        return
    follow_up = values.get("next_follow_up_on")
    if follow_up is not None and follow_up != existing.next_follow_up_on:
        project.next_follow_up_on = follow_up
        project.last_activity_at = now
        changed |= {"next_follow_up_on", "last_activity_at"}
        _follow_up(plan, context, project, values, today=today)
    if not changed:
        plan.unchanged += 1
        return
    if "stage" in changed or "status" in changed:
        plan.stage_changes.append(
            StageChange(
                project=project,
                from_stage=existing.stage,
                to_stage=project.stage,
                from_status=existing.status,
                to_status=project.status,
                changed_at=now,
                changed_by=context.user,
                note=context.note,
            )
        )
    project.version = existing.version + 1
    project.updated_at = now
    project.last_activity_at = now
    changed |= {"version", "updated_at", "last_activity_at"}
    plan.update_fields |= {f[:-3] if f.endswith("_id") else f for f in changed}
    plan.updates.append(project)


def _insert_rows(model, rows: list[list], fields) -> None:
    """One prepared INSERT run with executemany: rows that need no primary key back (history,
    stage changes) skip the ORM's per-row SQL compilation, the bulk of a big import's time."""
    if not rows:
        return
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _history(model, objs, *, user, kind: str) -> None:
    """The history rows django-simple-history would write for `objs` (created "+" or changed "~")."""
    historical = model.history.model
    fields = [f for f in historical._meta.concrete_fields if f.attname != "history_id"]
    now = timezone.now()
    special = {"history_date": now, "history_type": kind, "history_user_id": user.pk, "history_change_reason": None}
    prep = [(f.attname, f.get_db_prep_save) for f in fields]
    rows = [
        [convert(special[name] if name in special else getattr(obj, name), connection) for name, convert in prep]
        for obj in objs
    ]
    _insert_rows(historical, rows, fields)


def write_plan(plan: Plan, *, user, progress=None) -> None:
    """Write a checked plan; the caller holds the transaction. Rows whose ids are needed later
    (investors, projects, follow-ups) go through bulk_create; their history rows and the stage
    changes through one prepared INSERT per table."""
    investors = list(plan.new_investors.values())
    Investor.objects.bulk_create(investors, batch_size=BATCH)
    _history(Investor, investors, user=user, kind="+")
    if plan.investor_codes:
        changed = list(plan.investor_codes.values())
        Investor.objects.bulk_update(changed, ["credit_code"], batch_size=BATCH)
        _history(Investor, changed, user=user, kind="~")
    total = len(plan.creates) + len(plan.updates)
    for start in range(0, len(plan.creates), BATCH):
        batch = plan.creates[start : start + BATCH]
        Project.objects.bulk_create(batch, batch_size=BATCH)
        _history(Project, batch, user=user, kind="+")
        if progress:
            progress(min(start + BATCH, len(plan.creates)), total)
    if plan.updates:
        Project.objects.bulk_update(plan.updates, sorted(plan.update_fields), batch_size=BATCH)
        _history(Project, plan.updates, user=user, kind="~")
    FollowUp.objects.bulk_create(plan.follow_ups, batch_size=BATCH)
    _history(FollowUp, plan.follow_ups, user=user, kind="+")
    fields = [f for f in StageChange._meta.concrete_fields if not f.primary_key]
    prep = [(f.attname, f.get_db_prep_save) for f in fields]
    for change in plan.stage_changes:
        change.project_id = change.project.pk
    _insert_rows(
        StageChange,
        [[convert(getattr(c, name), connection) for name, convert in prep] for c in plan.stage_changes],
        fields,
    )
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


def preview_ledger(*, user, organization, data: bytes, name: str) -> Plan:
    _kind, rows = read_rows(data, name)
    return build_plan(rows, user=user, organization=organization)
