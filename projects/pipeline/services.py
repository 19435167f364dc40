"""Writes with rules: logging a lead (with its investor and the duplicate check) and recording
a follow-up. Stage changes live in projects.stages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.errors import PipelineError, full_clean
from projects.core.validators import normalize_credit_code
from projects.pipeline.duplicates import DuplicatesFound, find_duplicates, normalize_name
from projects.pipeline.models import FollowUp, Investor, PossibleDuplicate, Priority, Project
from projects.pipeline.selectors import (
    can_change,
    lead_zones,
    pickable_investors,
    pipeline_organizations,
    possible_owners,
)
from projects.pipeline.sources import ALL_DETAIL_FIELDS, detail_fields, source_detail_errors


@transaction.atomic
def investor_create(
    *,
    name: str,
    credit_code: str | None = None,
    is_top500: bool = False,
    is_industry_top100: bool = False,
    industry: str = "",
    home_city: str = "",
    user=None,
) -> Investor:
    """A new investor; its normalised name is kept for duplicate lookups."""
    investor = Investor(
        name=name.strip(),
        normalized_name=normalize_name(name),
        credit_code=normalize_credit_code(credit_code),
        is_top500=is_top500,
        is_industry_top100=is_industry_top100,
        industry=industry,
        home_city=home_city,
    )
    full_clean(investor, prefix="investor_")
    investor._history_user = user
    investor.save()
    return investor


@transaction.atomic
def project_create(
    *,
    user,
    title: str,
    zone,
    organization,
    owner,
    source_mode: str,
    details: dict | None = None,
    investor: Investor | None = None,
    new_investor: dict | None = None,
    planned_amount: Decimal | None = None,
    industry: str = "",
    priority: int = Priority.NORMAL,
    is_confidential: bool = False,
    codename: str = "",
    acknowledge_duplicates: bool = False,
) -> Project:
    """Log a lead for one of the user's organisations, with the details its source mode needs.
    If the investor is, or looks like, one another project courts, nothing is saved
    (DuplicatesFound) unless the user acknowledged it; then both projects are linked as a
    possible duplicate for a manager to settle."""
    details = {k: v for k, v in (details or {}).items() if k in ALL_DETAIL_FIELDS}
    errors: dict[str, list[str]] = {}
    if not pipeline_organizations(user).filter(pk=organization.pk).exists():
        errors["organization"] = [_("You can only log leads for an organisation you work in as an officer.")]
    if not lead_zones(user).filter(pk=zone.pk).exists():
        errors["zone"] = [_("Choose one of the zones your organisation works for.")]
    if not possible_owners(user, [organization.pk]).filter(pk=owner.pk).exists():
        errors["owner"] = [_("The owner must be an officer or team lead of the organisation.")]
    if investor is None and not (new_investor or {}).get("name", "").strip():
        errors["investor_name"] = [_("Pick an investor or type the name of a new one.")]
    if investor is not None and not pickable_investors(user).filter(pk=investor.pk).exists():
        errors["investor_name"] = [_("Pick an investor from the list.")]
    if is_confidential and not codename.strip():
        errors["codename"] = [_("A confidential project needs a codename.")]
    for name, messages in source_detail_errors(source_mode, details).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise PipelineError(_("Please correct the errors below."), errors)

    if investor is None:
        code = normalize_credit_code(new_investor.get("credit_code"))
        # The credit code identifies the enterprise: an investor already registered with it is reused.
        investor = Investor.objects.filter(credit_code=code).first() if code else None
        # Found by its code, the investor is reported as such (matched by credit code).
        name, investor_id = new_investor["name"], None
    else:
        code, name, investor_id = investor.credit_code, investor.name, investor.pk
    matches = find_duplicates(user=user, name=name, credit_code=code, investor_id=investor_id)
    if matches and not acknowledge_duplicates:
        raise DuplicatesFound(matches)
    if investor is None:
        investor = investor_create(user=user, **new_investor)

    # Only the detail fields of the chosen mode are kept: a form may post the others.
    kept = {name: details.get(name) for name in detail_fields(source_mode)}
    now = timezone.now()
    project = Project(
        title=title.strip(),
        investor=investor,
        zone=zone,
        organization=organization,
        owner=owner,
        created_by=user,
        source_mode=source_mode,
        planned_amount=planned_amount,
        industry=industry,
        priority=priority,
        is_confidential=is_confidential,
        codename=codename.strip(),
        last_activity_at=now,
        **{name: value for name, value in kept.items() if value is not None},
    )
    full_clean(project, exclude=["need_to_know"])
    project._history_user = user
    project.save()
    PossibleDuplicate.objects.bulk_create(
        [PossibleDuplicate(project=project, other=m.project, matched_by=m.matched_by, score=m.score) for m in matches]
    )
    return project


@transaction.atomic
def followup_record(
    *,
    project: Project,
    user,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    visitors: str = "",
    next_action: str = "",
    next_due_on: datetime.date | None = None,
) -> FollowUp:
    """Record a follow-up. The project's next follow-up date becomes the next due date of its
    latest follow-up, and its last activity is now: both derived here, never typed."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if occurred_on and occurred_on > today:
        errors["occurred_on"] = [_("A follow-up records what happened: its date cannot be in the future.")]
    if next_due_on and occurred_on and next_due_on < occurred_on:
        errors["next_due_on"] = [_("The next follow-up cannot be due before this one took place.")]
    if kind in (FollowUp.Kind.VISIT, FollowUp.Kind.SITE_INSPECTION) and not visitors.strip():
        errors["visitors"] = [_("Say who came to the visit.")]
    if not can_change(user, project):
        errors["__all__"] = [_("You cannot record follow-ups for this project.")]
    follow_up = FollowUp(
        project=project,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary.strip(),
        visitors=visitors.strip(),
        next_action=next_action.strip(),
        next_due_on=next_due_on,
        author=user,
    )
    try:
        follow_up.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise PipelineError(_("Please correct the errors below."), errors)
    follow_up._history_user = user
    follow_up.save()

    latest = FollowUp.objects.filter(project=project).order_by("-occurred_on", "-created_at", "-pk").first()
    now = timezone.now()
    # A queryset update: these derived fields are not edits, so they make no history row and
    # do not change the version someone editing the project is holding.
    Project.objects.filter(pk=project.pk).update(next_follow_up_on=latest.next_due_on, last_activity_at=now)
    project.next_follow_up_on = latest.next_due_on
    project.last_activity_at = now
    return follow_up
