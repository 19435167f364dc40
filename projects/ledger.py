"""The ledger (项目台账): one row per project with Chinese headings, exported to Excel every week.

Columns are declared once (LEDGER_COLUMNS) so the project list's own export can use the same
list. Amounts go out in 万元 as numbers, so the sheet can sum them."""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .confidential import display_investor, display_title
from .metrics import Filters, at_in_period, in_period, scoped_projects
from .models import StageChange
from .periods import Period

WAN = Decimal(10_000)


def _wan(value):
    return None if value is None else float((value / WAN).quantize(Decimal("0.01")))


def _date(value):
    return value.isoformat() if value else ""


def _person(user):
    return (user.get_full_name() or user.username) if user else ""


# heading, value of a project (the user sees codenames for confidential deals)
LEDGER_COLUMNS = [
    (gettext_lazy("Project"), lambda p, user: display_title(p, user)),
    (gettext_lazy("Investor"), lambda p, user: display_investor(p, user)),
    (gettext_lazy("Zone"), lambda p, user: str(p.zone)),
    (gettext_lazy("Owning organisation"), lambda p, user: p.organization.name),
    (gettext_lazy("Owner"), lambda p, user: _person(p.owner)),
    (gettext_lazy("Source mode"), lambda p, user: p.get_source_mode_display()),
    (gettext_lazy("Industry chain"), lambda p, user: p.chain.name if p.chain else ""),
    (gettext_lazy("Chain link"), lambda p, user: p.chain_link.name if p.chain_link else ""),
    (gettext_lazy("Stage"), lambda p, user: p.get_stage_display()),
    (gettext_lazy("Status"), lambda p, user: p.get_status_display()),
    (gettext_lazy("Planned investment (10k yuan)"), lambda p, user: _wan(p.planned_amount)),
    (gettext_lazy("Intention signed on"), lambda p, user: _date(p.intention_signed_on)),
    (gettext_lazy("Amount in the intention (10k yuan)"), lambda p, user: _wan(p.intention_amount)),
    (gettext_lazy("Contract signed on"), lambda p, user: _date(p.contract_signed_on)),
    (gettext_lazy("Contracted amount (10k yuan)"), lambda p, user: _wan(p.contract_amount)),
    (gettext_lazy("Construction started on"), lambda p, user: _date(p.construction_started_on)),
    (gettext_lazy("Production started on"), lambda p, user: _date(p.production_started_on)),
    (gettext_lazy("Actual investment (10k yuan)"), lambda p, user: _wan(p.actual_investment)),
    (gettext_lazy("Next follow-up"), lambda p, user: _date(p.next_follow_up_on)),
    (gettext_lazy("Logged on"), lambda p, user: _date(p.created_at.date())),
    (gettext_lazy("This period"), lambda p, user: _changes(p)),
]


def _changes(project) -> str:
    words = []
    if project.new_in_period:
        words.append(_("new lead"))
    if project.moved_in_period:
        words.append(_("stage moved"))
    if project.signed_in_period:
        words.append(_("signed"))
    return "、".join(words)


def ledger_projects(user, filters: Filters, period: Period) -> QuerySet:
    """Every project in scope logged before the period ended, with what happened to it in the
    period (new, moved, signed); zone, then stage, then amount. The database does the filtering;
    the rows are streamed once into the sheet."""
    moved = StageChange.objects.filter(project=OuterRef("pk")).filter(at_in_period("changed_at", period))
    return (
        scoped_projects(user, filters)
        .filter(created_at__lt=period.end_at)
        .annotate(
            moved_in_period=Exists(moved.exclude(from_stage=F("to_stage"))),
            new_in_period=ExpressionWrapper(Q(created_at__gte=period.start_at), output_field=BooleanField()),
            signed_in_period=ExpressionWrapper(
                in_period("intention_signed_on", period) | in_period("contract_signed_on", period),
                output_field=BooleanField(),
            ),
        )
        .select_related("zone", "organization", "owner", "investor", "chain", "chain_link")
        .prefetch_related("need_to_know")
        .order_by("zone__county", "zone__name", "-stage", "-planned_amount", "pk")
    )


def ledger_dataset(projects, user, period: Period) -> tablib.Dataset:
    headers = [_("No."), *[str(heading) for heading, _value in LEDGER_COLUMNS]]
    dataset = tablib.Dataset(headers=headers, title=_("Ledger"))
    for number, project in enumerate(projects.iterator(chunk_size=500), 1):
        dataset.append([number, *[value(project, user) for _heading, value in LEDGER_COLUMNS]])
    return dataset
