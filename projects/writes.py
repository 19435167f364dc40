"""Writes the API needs, until the pipeline issue's projects/services.py lands: then these
become calls to it. Each checks its rule, full_cleans, and runs in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .duplicates import normalize_name
from .errors import PipelineError, StaleVersion
from .models import FollowUp, Investor, Project, StageChange
from .validators import normalize_credit_code

# What a PATCH may change; stage, status and evidence go through the transition service.
EDITABLE_FIELDS = [
    "title",
    "zone",
    "owner",
    "source_mode",
    "fund_name",
    "fund_manager",
    "fund_committed_amount",
    "fund_condition",
    "equity_vehicle",
    "equity_stake_pct",
    "equity_amount",
    "chain",
    "chain_link",
    "chain_leader",
    "referrer",
    "source_note",
    "industry",
    "planned_amount",
    "priority",
    "site_location",
    "site_area_mu",
]


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise PipelineError(_("Please correct the errors below."), exc.message_dict) from exc


def investor_find_or_create(*, name: str, credit_code: str | None = None, user=None) -> Investor:
    """The investor with this credit code, else with this normalised name, else a new one."""
    code = normalize_credit_code(credit_code)
    if code:
        found = Investor.objects.filter(credit_code=code).first()
        if found:
            return found
    norm = normalize_name(name)
    found = Investor.objects.filter(normalized_name=norm).order_by("pk").first() if norm else None
    if found and not (code and found.credit_code and found.credit_code != code):
        if code and not found.credit_code:
            found.credit_code = code
            _full_clean(found)
            found.save(update_fields=["credit_code"])
        return found
    investor = Investor(name=name.strip(), normalized_name=norm, credit_code=code)
    _full_clean(investor)
    investor._history_user = user
    investor.save()
    return investor


@transaction.atomic
def project_create(*, user, organization, investor: Investor, **fields) -> Project:
    """Log a lead for `organization` (the caller checked the user may)."""
    now = timezone.now()
    project = Project(organization=organization, investor=investor, created_by=user, last_activity_at=now, **fields)
    project.owner_id = project.owner_id or user.pk
    _full_clean(project, exclude=["need_to_know"])
    project._history_user = user
    project.save()
    StageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=project.stage,
        from_status="",
        to_status=project.status,
        changed_at=now,
        changed_by=user,
    )
    return project


def changes_since(project: Project, version: int) -> list[tuple[str, str, str]]:
    """What changed since the user saw `version`: (field label, value they saw, value now)."""
    seen = project.history.filter(version=version).order_by("-history_date").first()
    if seen is None:
        return []
    changes = []
    for field in Project._meta.concrete_fields:
        name = field.attname
        if name in ("version", "updated_at", "last_activity_at", "next_follow_up_on") or not hasattr(seen, name):
            continue
        before, now = getattr(seen, name), getattr(project, name)
        if before != now:
            changes.append(
                (str(field.verbose_name), "" if before is None else str(before), "" if now is None else str(now))
            )
    return changes


@transaction.atomic
def project_update(*, project: Project, user, expected_version: int, **fields) -> Project:
    """Change a project's details. The version the user saw must be current (no lost update)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise PipelineError(_("These fields cannot be changed here."), {f: [_("Not editable.")] for f in unknown})
    claimed = Project.objects.filter(pk=project.pk, version=expected_version).update(version=F("version") + 1)
    if claimed != 1:
        current = Project.objects.get(pk=project.pk)
        raise StaleVersion(changes=changes_since(current, expected_version), current_version=current.version)
    project.refresh_from_db()
    for name, value in fields.items():
        setattr(project, name, value)
    _full_clean(project, exclude=["need_to_know"])
    project.last_activity_at = timezone.now()
    project._history_user = user
    project.save()
    return project


@transaction.atomic
def followup_record(*, project: Project, user, **fields) -> FollowUp:
    """Record a follow-up; the project's next follow-up date and last activity follow from it."""
    follow_up = FollowUp(project=project, author=user, **fields)
    _full_clean(follow_up)
    follow_up._history_user = user
    follow_up.save()
    latest = FollowUp.objects.filter(project=project).order_by("-occurred_on", "-created_at", "-pk").first()
    Project.objects.filter(pk=project.pk).update(next_follow_up_on=latest.next_due_on, last_activity_at=timezone.now())
    return follow_up
