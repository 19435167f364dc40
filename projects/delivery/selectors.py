"""Reads about delivery after the signature, scoped through operators.access.

For the dashboard and the weekly digest (managers issue): `three_not_yets(user)` gives the 三未
lists per zone with days late, `three_not_yets_counts(user)` their sizes, `zone_funds_in_place(user)`
the funds-in-place rate per zone (projects.pipeline.funds), and `delivery_digest(user, since=, until=)`
everything of the delivery that a digest reports for a period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.access import visible_projects, visible_related, visible_zones
from operators.models import Zone
from projects.core.confidential import display_title
from projects.delivery.models import FundsTranche, Milestone, MilestoneKind, ServiceRequest, SupervisionOrder
from projects.delivery.services import SIGNED_STAGES
from projects.pipeline.funds import funds_in_place_rate, funds_in_place_sums
from projects.pipeline.models import Project, Status

NOT_STARTED = "not_started"
NOT_BUILT = "not_built"
NOT_PRODUCING = "not_producing"
CATEGORIES = {
    NOT_STARTED: _("Signed, not started"),
    NOT_BUILT: _("Started, not completed"),
    NOT_PRODUCING: _("Completed, not producing"),
}


def _milestone(kind: str, column: str) -> Subquery:
    return Subquery(
        Milestone.objects.filter(project=OuterRef("pk"), kind=kind).values(column)[:1], output_field=DateField()
    )


def delivery_projects(user) -> QuerySet:
    """Signed projects the user may see that are not lost, with the dates the 三未 lists need.
    A date set by a stage move (project field) and one recorded on the milestone count alike."""
    projects = Project.objects.filter(stage__in=SIGNED_STAGES).exclude(status=Status.LOST)
    return visible_projects(user, projects).annotate(
        started_on=Coalesce("construction_started_on", _milestone(MilestoneKind.CONSTRUCTION, "actual_on")),
        completed_on=_milestone(MilestoneKind.COMPLETION, "actual_on"),
        producing_on=Coalesce("production_started_on", _milestone(MilestoneKind.PRODUCTION, "actual_on")),
        construction_planned=_milestone(MilestoneKind.CONSTRUCTION, "planned_on"),
        completion_planned=_milestone(MilestoneKind.COMPLETION, "planned_on"),
        production_planned=_milestone(MilestoneKind.PRODUCTION, "planned_on"),
    )


def _not_yets_filter() -> dict[str, Q]:
    producing = Q(producing_on__isnull=False)
    return {
        NOT_STARTED: Q(started_on__isnull=True, completed_on__isnull=True) & ~producing,
        NOT_BUILT: Q(started_on__isnull=False, completed_on__isnull=True) & ~producing,
        NOT_PRODUCING: Q(completed_on__isnull=False) & ~producing,
    }


@dataclass
class NotYetRow:
    project: Project
    title: str
    category: str
    since: datetime.date | None
    planned_on: datetime.date | None
    days_late: int | None

    @property
    def is_paused(self) -> bool:
        return self.project.status == Status.ON_HOLD


@dataclass
class ZoneNotYets:
    zone: Zone
    not_started: list[NotYetRow] = field(default_factory=list)
    not_built: list[NotYetRow] = field(default_factory=list)
    not_producing: list[NotYetRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.not_started) + len(self.not_built) + len(self.not_producing)

    def lists(self):
        return [
            (NOT_STARTED, CATEGORIES[NOT_STARTED], self.not_started),
            (NOT_BUILT, CATEGORIES[NOT_BUILT], self.not_built),
            (NOT_PRODUCING, CATEGORIES[NOT_PRODUCING], self.not_producing),
        ]


def _days_late(planned: datetime.date | None, today: datetime.date) -> int | None:
    if planned is None:
        return None
    return max(0, (today - planned).days)


def three_not_yets(user, *, today: datetime.date | None = None, zone_ids=None) -> list[ZoneNotYets]:
    """The 三未 lists per zone (signed but not started, started but not completed, completed but
    not producing), each row with its days late against the plan of the milestone it waits for;
    most late first. Lost projects are left out; paused ones stay, marked. Two queries."""
    today = today or timezone.localdate()
    queryset = delivery_projects(user)
    if zone_ids:
        queryset = queryset.filter(zone_id__in=zone_ids)
    filters = _not_yets_filter()
    queryset = (
        queryset.filter(filters[NOT_STARTED] | filters[NOT_BUILT] | filters[NOT_PRODUCING])
        .select_related("zone", "investor", "organization")
        .prefetch_related("need_to_know")
        .order_by("zone__county", "zone__name", "pk")
    )
    by_zone: dict[int, ZoneNotYets] = {}
    for project in queryset:
        if project.completed_on and not project.producing_on:
            category, since, planned = NOT_PRODUCING, project.completed_on, project.production_planned
        elif project.started_on:
            category, since, planned = NOT_BUILT, project.started_on, project.completion_planned
        else:
            signed = project.contract_signed_on or project.intention_signed_on
            category, since, planned = NOT_STARTED, signed, project.construction_planned
        group = by_zone.setdefault(project.zone_id, ZoneNotYets(zone=project.zone))
        getattr(group, category).append(
            NotYetRow(
                project=project,
                title=display_title(project, user),
                category=category,
                since=since,
                planned_on=planned,
                days_late=_days_late(planned, today),
            )
        )
    for group in by_zone.values():
        for _key, _label, rows in group.lists():
            rows.sort(key=lambda r: (r.days_late is None, -(r.days_late or 0), r.project.pk))
    return list(by_zone.values())


def three_not_yets_counts(user, *, zone_ids=None) -> dict[str, int]:
    """How many projects are on each 三未 list (one query): for a dashboard tile or a digest,
    over the given zones (None or empty: every zone the user may see)."""
    filters = _not_yets_filter()
    projects = delivery_projects(user)
    if zone_ids:
        projects = projects.filter(zone_id__in=zone_ids)
    return projects.aggregate(**{key: Count("pk", filter=q) for key, q in filters.items()})


@dataclass
class ZoneFunds:
    """资金到位率 of a zone (or of several: `zone` None): funds in place over contracted amounts."""

    zone: Zone | None
    contracted: Decimal
    received: Decimal

    @property
    def rate(self) -> Decimal | None:
        return funds_in_place_rate(self.received, self.contracted)


def _funds_projects(user, zone_ids=None) -> QuerySet:
    """The projects the delivery pages measure funds on: signed, not lost, in the user's scope."""
    projects = visible_projects(user, Project.objects.filter(stage__in=SIGNED_STAGES).exclude(status=Status.LOST))
    return projects.filter(zone_id__in=zone_ids) if zone_ids else projects


def zone_funds_in_place(user, *, zone_ids=None) -> list[ZoneFunds]:
    """资金到位率 per zone over its signed, not lost projects, by the one definition
    (projects.pipeline.funds): their funds in place over their contracted amounts, projects
    without a contract left out. Zones with no contracted project are not listed. Two queries."""
    sums = {
        r["zone_id"]: r
        for r in _funds_projects(user, zone_ids).values("zone_id").annotate(**funds_in_place_sums()).order_by()
        if r["contracted"]
    }
    zones = visible_zones(user, Zone.objects.filter(pk__in=set(sums))).order_by("county", "name")
    rows = [ZoneFunds(zone=z, contracted=sums[z.pk]["contracted"], received=sums[z.pk]["funds"]) for z in zones]
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0)))
    return rows


def funds_in_place_total(user, *, zone_ids=None) -> ZoneFunds:
    """The same over all the given zones (None or empty: every zone the user may see)."""
    sums = _funds_projects(user, zone_ids).aggregate(**funds_in_place_sums())
    return ZoneFunds(zone=None, contracted=sums["contracted"], received=sums["funds"])


def visible_orders(user) -> QuerySet:
    """Supervision orders on projects the user may see (an operating company: its zone's)."""
    return visible_related(user, SupervisionOrder.objects.all()).select_related(
        "project", "project__zone", "assignee", "issued_by", "leader"
    )


def visible_service_requests(user) -> QuerySet:
    return visible_related(user, ServiceRequest.objects.all()).select_related("project", "project__zone", "owner")


def my_open_orders(user) -> QuerySet:
    return visible_orders(user).filter(assignee=user).exclude(status=SupervisionOrder.Status.DONE)


@dataclass
class DeliveryDigest:
    since: datetime.datetime
    until: datetime.datetime
    counts: dict
    milestones: list = field(default_factory=list)
    tranches: list = field(default_factory=list)
    tranches_total: Decimal = Decimal(0)
    # 资金到位率 today over the digest's zones (not only what arrived in the period).
    funds: ZoneFunds | None = None
    overdue_orders: list = field(default_factory=list)
    orders_done: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.milestones or self.tranches or self.overdue_orders or self.orders_done)


def delivery_digest(
    user,
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    today: datetime.date | None = None,
    zone_ids=None,
) -> DeliveryDigest:
    """What a digest reports of delivery for (since, until]: milestones reached and funds received
    in the period, orders overdue now, orders closed, and the size of the 三未 lists; over the
    given zones (None or empty: every zone the user may see)."""
    today = today or timezone.localdate()
    in_zones = Q(project__zone_id__in=zone_ids) if zone_ids else Q()
    milestones = (
        visible_related(user, Milestone.objects.filter(in_zones, recorded_at__gt=since, recorded_at__lte=until))
        .select_related("project", "project__zone")
        .prefetch_related("project__need_to_know")
        .order_by("-recorded_at")
    )
    tranches = list(
        visible_related(user, FundsTranche.objects.filter(in_zones, recorded_at__gt=since, recorded_at__lte=until))
        .select_related("project", "project__zone")
        .prefetch_related("project__need_to_know")
        .order_by("-amount")
    )
    orders = visible_orders(user).filter(in_zones)
    return DeliveryDigest(
        since=since,
        until=until,
        counts=three_not_yets_counts(user, zone_ids=zone_ids),
        milestones=[(display_title(m.project, user), m) for m in milestones],
        tranches=[(display_title(t.project, user), t) for t in tranches],
        tranches_total=sum((t.amount for t in tranches), Decimal(0)),
        funds=funds_in_place_total(user, zone_ids=zone_ids),
        overdue_orders=[
            (display_title(o.project, user), o)
            for o in orders.filter(due_on__lt=today).exclude(status=SupervisionOrder.Status.DONE).order_by("due_on")
        ],
        orders_done=orders.filter(done_at__gt=since, done_at__lte=until).count(),
    )
