"""Checking a ledger into a Plan (the preview): nothing is written.

Rows match existing projects of the importing organisation by the project ID column when there is
one, else by investor + project name. A row that would change nothing is counted as unchanged, so
importing the same file twice (or an exported ledger) changes nothing. Stage values go through the
evidence rules of the transition service: a row claiming a contract without its date is an error.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.ledger.cells import CellError, is_blank, reader
from projects.ledger.columns import BY_KEY, PLAIN_FIELDS, Column, fold, match_heading
from projects.ledger.matching import Context, lookup, resolve_investor
from projects.ledger.plan import Plan, Row, new_row, row_of
from projects.pipeline.funds import typed_actual_investment_error
from projects.pipeline.models import FollowUp, Project, SourceMode, Stage, StageChange, Status
from projects.pipeline.stages import EVIDENCE_FIELDS, STAGES, evidence_errors

ORDER = {stage: index for index, stage in enumerate(Stage.values)}
TOTAL_WORDS = {"合计", "总计", "小计", "total", "sum"}
PROJECT_FIELDS = {f.name: f for f in Project._meta.concrete_fields}
# Cells written to the project as they read; the title, stage, status and source mode have rules.
COPIED_FIELDS = [name for name in PLAIN_FIELDS if name not in ("stage", "status", "source_mode", "title")]
# What a failed lookup names in its message; lazy, so a row does not translate it again.
WHAT = {"zone": gettext_lazy("zone"), "owner": gettext_lazy("person"), "chain": gettext_lazy("industry chain")}


def _find_header(rows: list[tuple[int, list]]) -> int | None:
    for index, (_number, cells) in enumerate(rows[:20]):
        keys = {col.key for col in (match_heading(c) for c in cells if isinstance(c, str)) if col}
        if {"title", "investor"} <= keys:
            return index
    return None


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
        column = match_heading(text)
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
    context = Context(user=user, organization=organization, rows_values=[v for _n, v, ok in parsed if ok])
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


def _plan_row(plan: Plan, context: Context, number: int, values: dict, heading, seen_rows, *, now, today) -> None:
    errors_before = plan.error_count
    investor = resolve_investor(plan, context, number, values, heading)
    zone = owner = chain = None
    if values.get("zone"):
        zone = lookup(plan, number, heading("zone"), context.zones, values["zone"], WHAT["zone"])
    if values.get("owner"):
        owner = lookup(plan, number, heading("owner"), context.users, values["owner"], WHAT["owner"])
    if values.get("chain"):
        chain = lookup(plan, number, heading("chain"), context.chains, values["chain"], WHAT["chain"])
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


def _follow_up(plan: Plan, context: Context, project: dict, values: dict, *, today, now) -> None:
    plan.follow_ups.append(
        new_row(
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


def _stage_change(plan: Plan, context: Context, project: dict, *, from_stage, from_status, now) -> None:
    plan.stage_changes.append(
        new_row(
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
    project = new_row(
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
    for name in COPIED_FIELDS:
        if name in values:
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
    project = Row(row_of(existing))
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
    if "actual_investment" in values and existing.pk in context.with_tranches:
        if values["actual_investment"] is None:  # a blank cell gives no figure: the tranches' sum stays
            values = {name: value for name, value in values.items() if name != "actual_investment"}
        elif error := typed_actual_investment_error(existing, values["actual_investment"], tranches=True):
            plan.problem(number, heading("actual_investment"), error)
            return
    for name in COPIED_FIELDS:
        if name in values:
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
