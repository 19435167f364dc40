"""Delivery after the signature: the writes that carry a rule (starting delivery, milestones,
commitments, funds in place), and who may deliver or supervise a project. The handoff, service
requests and supervision orders are in projects.delivery.supervision.

Who may do what:
- delivery (milestones, commitments, funds, service requests, handoff): whoever may change the
  project (operators of its zone, its organisation's officers, administrators);
- supervision (responsible leader, orders, closing them): managers who can see the project;
- acknowledging and reporting on an order: its recipient.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from operators.access import may_change, scope_for, visible_projects
from operators.models import Organization
from projects.core.errors import PipelineError, full_clean
from projects.delivery.models import (
    AMOUNT_METRICS,
    PROJECT_DATE_FIELDS,
    CommitmentMetric,
    CommitmentReport,
    DeliveryPlan,
    DeliverySettings,
    FundsTranche,
    Milestone,
    MilestoneKind,
)
from projects.pipeline.attachments import attachment_upload
from projects.pipeline.funds import FROM_TRANCHES, actual_investment_put
from projects.pipeline.models import Attachment, Project, Stage
from projects.pipeline.rights import Right
from projects.pipeline.versions import claim_version, save_version, write_project

SIGNED_STAGES = [s for s in Stage.values if Stage.order(s) >= Stage.order(Stage.INTENTION_SIGNED)]
EVIDENCE_KINDS = [Attachment.Kind.VOUCHER, Attachment.Kind.AUDIT_REPORT]


# -- who may ----------------------------------------------------------------------------------


def _supervises(user, project: Project) -> bool:
    return scope_for(user).is_manager and visible_projects(user, Project.objects.filter(pk=project.pk)).exists()


# The ways of changing a project's delivery (projects.pipeline.rights: the pages answer 404 out of
# scope and 403 with the sentence; the services refuse with the same sentence).
DELIVER = Right(
    may_change,
    gettext_lazy("Only the operating company of the zone or the project's team can update its delivery."),
)
SUPERVISE = Right(_supervises, gettext_lazy("Only a manager can supervise a project."))


# -- evidence files ---------------------------------------------------------------------------


def _store_evidence(*, project: Project, upload, kind: str, user) -> Attachment:
    """An evidence file, checked and stored as every upload is (projects.pipeline.attachments)."""
    return attachment_upload(project=project, user=user, uploaded=upload, kind=kind, field="evidence")


# -- starting delivery ------------------------------------------------------------------------


def default_plan_dates(signed_on: datetime.date, policy: DeliverySettings) -> dict[str, datetime.date]:
    return {kind: signed_on + datetime.timedelta(days=policy.offset(kind)) for kind in MilestoneKind.values}


def zone_operating_company(project: Project) -> Organization | None:
    return Organization.objects.filter(zone_id=project.zone_id, kind=Organization.Kind.OPERATING_COMPANY).first()


@transaction.atomic
def delivery_start(*, project: Project, user) -> DeliveryPlan:
    """Open the delivery of a signed project: its plan (milestones planned from the intention
    date by the delivery settings, promises prefilled from the agreement) and the handoff to the
    zone's operating company. Starting twice returns the existing plan."""
    existing = DeliveryPlan.objects.filter(project=project).first()
    if existing:
        return existing
    if project.stage not in SIGNED_STAGES:
        raise PipelineError(_("Delivery starts once the intention agreement is signed."))
    signed_on = project.intention_signed_on or project.contract_signed_on
    policy = DeliverySettings.current()
    planned = default_plan_dates(signed_on, policy) if signed_on else {}
    plan = DeliveryPlan(
        project=project,
        started_by=user,
        promised_total_investment=project.contract_amount or project.intention_amount,
        promised_land_mu=project.site_area_mu,
    )
    plan._history_user = user
    plan.save()
    existing_kinds = set(Milestone.objects.filter(project=project).values_list("kind", flat=True))
    bulk_create_with_history(
        [
            Milestone(
                project=project,
                kind=kind,
                planned_on=planned.get(kind),
                actual_on=getattr(project, PROJECT_DATE_FIELDS[kind]) if kind in PROJECT_DATE_FIELDS else None,
            )
            for kind in MilestoneKind.values
            if kind not in existing_kinds
        ],
        Milestone,
        default_user=user,
    )
    if project.operating_company_id is None:
        company = zone_operating_company(project)
        if company:
            touch_project(project, user, reason=_("Delivery started"), operating_company=company)
    return plan


def plan_or_start(project: Project, user) -> DeliveryPlan:
    return DeliveryPlan.objects.filter(project=project).first() or delivery_start(project=project, user=user)


# -- milestones -------------------------------------------------------------------------------


def touch_project(project: Project, user, reason: str = "", **fields) -> None:
    """Write project fields that delivery owns, as a new version with history (the plan's forms
    carry no version: a delivery record stands over edits in flight, which are then refused)."""
    write_project(project, user, reason=reason, clean=False, **fields)


@transaction.atomic
def milestones_plan(*, project: Project, user, planned: dict[str, datetime.date | None]) -> list[Milestone]:
    """Change the planned dates (the plan agreed at signing can be revised; history keeps it)."""
    DELIVER.check(user, project)
    plan_or_start(project, user)
    changed = []
    for milestone in Milestone.objects.filter(project=project, kind__in=list(planned)):
        if milestone.planned_on != planned[milestone.kind]:
            milestone.planned_on = planned[milestone.kind]
            milestone._history_user = user
            milestone.save(update_fields=["planned_on"])
            changed.append(milestone)
    return changed


@transaction.atomic
def milestone_record(*, project: Project, user, kind: str, actual_on: datetime.date, note: str = "") -> Milestone:
    """Record the date a milestone was reached (not in the future). Contract, registration,
    construction and production dates are also the project's own fields: both are written."""
    DELIVER.check(user, project)
    if kind not in MilestoneKind.values:
        raise PipelineError(_("Unknown milestone."), {"kind": [_("Choose a milestone from the list.")]})
    if actual_on is None:
        raise PipelineError(_("Please correct the errors below."), {"actual_on": [_("Give the date it happened.")]})
    if actual_on > timezone.localdate():
        raise PipelineError(
            _("Please correct the errors below."), {"actual_on": [_("The date cannot be in the future.")]}
        )
    plan_or_start(project, user)
    milestone, _created = Milestone.objects.get_or_create(project=project, kind=kind)
    milestone.actual_on = actual_on
    milestone.note = note
    milestone.recorded_at = timezone.now()
    full_clean(milestone)
    milestone._history_user = user
    milestone.save()
    if kind in PROJECT_DATE_FIELDS:
        touch_project(project, user, **{PROJECT_DATE_FIELDS[kind]: actual_on})
    else:
        touch_project(project, user)
    return milestone


# -- commitments ------------------------------------------------------------------------------

PROMISE_FIELDS = [
    "promised_total_investment",
    "promised_fixed_asset_investment",
    "promised_intensity",
    "promised_annual_output",
    "promised_annual_tax",
    "promised_jobs",
    "promised_land_mu",
]


@transaction.atomic
def commitments_set(*, project: Project, user, **promises) -> DeliveryPlan:
    """Record what the agreement promises."""
    DELIVER.check(user, project)
    unknown = set(promises) - set(PROMISE_FIELDS)
    if unknown:
        raise PipelineError(_("Unknown commitments."), {name: [_("Not a commitment.")] for name in unknown})
    plan = plan_or_start(project, user)
    for name, value in promises.items():
        setattr(plan, name, value)
    full_clean(plan)
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def commitment_report(
    *,
    project: Project,
    user,
    metric: str,
    value: Decimal,
    as_of: datetime.date,
    evidence,
    evidence_kind: str = Attachment.Kind.OTHER,
    note: str = "",
) -> CommitmentReport:
    """What has been achieved so far on one commitment, with its evidence file. The plan shows
    the value of the latest report (by date) of each metric."""
    DELIVER.check(user, project)
    if metric not in CommitmentMetric.values:
        raise PipelineError(_("Unknown commitment."), {"metric": [_("Choose a commitment from the list.")]})
    if as_of > timezone.localdate():
        raise PipelineError(_("Please correct the errors below."), {"as_of": [_("The date cannot be in the future.")]})
    if evidence is None:
        raise PipelineError(_("Please correct the errors below."), {"evidence": [_("Attach the evidence file.")]})
    if metric == CommitmentMetric.JOBS and value != value.to_integral_value():
        raise PipelineError(_("Please correct the errors below."), {"value": [_("Jobs are a whole number.")]})
    plan = plan_or_start(project, user)
    report = CommitmentReport(
        project=project,
        metric=metric,
        value=value,
        as_of=as_of,
        note=note,
        recorded_by=user,
        evidence=_store_evidence(project=project, upload=evidence, kind=evidence_kind, user=user),
    )
    full_clean(report)
    report.save()
    latest = CommitmentReport.objects.filter(project=project, metric=metric).order_by("-as_of", "-pk").first()
    achieved = latest.value if metric in AMOUNT_METRICS or metric == CommitmentMetric.LAND_MU else int(latest.value)
    setattr(plan, f"achieved_{metric}", achieved)
    plan._history_user = user
    plan.save()
    return report


# -- funds in place ---------------------------------------------------------------------------


def _sync_actual_investment(project: Project, user) -> None:
    """Once a project has tranches its actual investment is their sum: written by the one writer
    (projects.pipeline.funds) in the tranche's transaction, as a new version with history. The
    first tranche replaces a figure typed before (the history keeps it)."""
    current = claim_version(project, user, None)
    actual_investment_put(current, FROM_TRANCHES)
    save_version(current, user, fields=["actual_investment"], reason=_("Funds tranche"), project=project, clean=False)


def _check_tranche(received_on: datetime.date, amount: Decimal | None, kind: str) -> None:
    errors = {}
    if received_on is None:
        errors["received_on"] = [_("Give the date the money arrived.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("The date cannot be in the future.")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("A tranche must be a positive amount.")]
    if kind not in FundsTranche.Kind.values:
        errors["kind"] = [_("Choose a kind from the list.")]
    if errors:
        raise PipelineError(_("Please correct the errors below."), errors)


@transaction.atomic
def tranche_record(
    *,
    project: Project,
    user,
    received_on: datetime.date,
    amount: Decimal,
    kind: str,
    evidence,
    evidence_kind: str = Attachment.Kind.VOUCHER,
    note: str = "",
) -> FundsTranche:
    """Record money received, with its bank voucher or audit report; the project's actual
    investment becomes the sum of its tranches in the same transaction."""
    DELIVER.check(user, project)
    _check_tranche(received_on, amount, kind)
    if evidence is None:
        raise PipelineError(
            _("Please correct the errors below."), {"evidence": [_("Attach the bank voucher or audit report.")]}
        )
    if evidence_kind not in EVIDENCE_KINDS:
        raise PipelineError(
            _("Please correct the errors below."), {"evidence_kind": [_("Choose a bank voucher or an audit report.")]}
        )
    if project.stage not in SIGNED_STAGES:
        raise PipelineError(_("Funds are recorded once the intention agreement is signed."))
    plan_or_start(project, user)
    tranche = FundsTranche(
        project=project,
        received_on=received_on,
        amount=amount,
        kind=kind,
        note=note,
        recorded_by=user,
        evidence=_store_evidence(project=project, upload=evidence, kind=evidence_kind, user=user),
    )
    full_clean(tranche)
    tranche._history_user = user
    tranche.save()
    _sync_actual_investment(project, user)
    return tranche


@transaction.atomic
def tranche_correct(
    *,
    tranche: FundsTranche,
    user,
    received_on: datetime.date,
    amount: Decimal,
    kind: str,
    reason: str,
    evidence=None,
    evidence_kind: str = Attachment.Kind.VOUCHER,
) -> FundsTranche:
    """Correct a wrong tranche: the reason is required and the history keeps what it said before."""
    project = tranche.project
    DELIVER.check(user, project)
    _check_tranche(received_on, amount, kind)
    if not reason.strip():
        raise PipelineError(_("Please correct the errors below."), {"reason": [_("Say what was wrong.")]})
    tranche = FundsTranche.objects.select_for_update().get(pk=tranche.pk)
    tranche.received_on = received_on
    tranche.amount = amount
    tranche.kind = kind
    tranche.correction_reason = reason.strip()
    if evidence is not None:
        tranche.evidence = _store_evidence(project=project, upload=evidence, kind=evidence_kind, user=user)
    full_clean(tranche)
    tranche._history_user = user
    tranche._change_reason = reason.strip()
    tranche.save()
    _sync_actual_investment(project, user)
    return tranche
