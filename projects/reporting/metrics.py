"""The figures managers are judged on: read-only selectors for the dashboard, the digest and the
weekly ledger. Every figure is a grouped query in the database over the projects the user may
see (operators.access); Python only arranges the few rows that come back (one per stage, zone,
source mode, chain link, week or person), never one per project. docs/metrics.md defines each
figure in words a manager can check.

Conventions shared by every figure:
- A project's *amount* is the best figure known for it: the contracted amount, else the amount
  in the signed intention, else the planned investment (Coalesce, in that order).
- A project *has reached* stage S when its current stage is S or a later one, whatever its status:
  a lost or paused project keeps the stage it reached; a project moved back (a cancelled
  contract) counts at the stage it is at now.
- A *stage move* is a forward StageChange (to a later stage); status changes (pause, lost,
  resume) and backward moves are not moves. It belongs to the period holding its `changed_at`
  in Asia/Shanghai time.
- Signing, construction and production belong to the period holding the date on the project
  (intention_signed_on, contract_signed_on, construction_started_on): the date of the agreement,
  not the day it was typed in.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from operators.access import visible_projects, visible_related, visible_zones
from projects.core.amounts import ratio
from projects.core.periods import Period, week_start
from projects.pipeline.funds import funds_in_place_rate, funds_in_place_sums
from projects.pipeline.models import ChainLink, IndustryChain, Project, SourceMode, Stage, StageChange, Status

ZERO = Decimal(0)
AMOUNT_FIELD = DecimalField(max_digits=20, decimal_places=2)
STAGES = list(Stage)


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; None / "" means all (within the user's scope)."""

    zone_id: int | None = None
    source_mode: str = ""
    chain_id: int | None = None
    # Several zones at once (a digest's zones); empty: no restriction.
    zone_ids: tuple[int, ...] = ()

    def apply(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        if self.zone_id:
            queryset = queryset.filter(**{f"{prefix}zone_id": self.zone_id})
        if self.zone_ids:
            queryset = queryset.filter(**{f"{prefix}zone_id__in": self.zone_ids})
        if self.source_mode:
            queryset = queryset.filter(**{f"{prefix}source_mode": self.source_mode})
        if self.chain_id:
            queryset = queryset.filter(**{f"{prefix}chain_id": self.chain_id})
        return queryset


def stages_from(stage: str) -> list[str]:
    """The stage and every later one: `stage__in=stages_from(S)` means "has reached S"."""
    return Stage.values[Stage.order(stage) :]


def stage_order(field: str = "stage") -> Case:
    """A stage's position in the pipeline, in SQL (-1 for blank)."""
    return Case(
        *[When(**{field: value}, then=Value(index)) for index, value in enumerate(Stage.values)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def best_amount(prefix: str = "") -> Coalesce:
    return Coalesce(
        f"{prefix}contract_amount",
        f"{prefix}intention_amount",
        f"{prefix}planned_amount",
        Value(ZERO),
        output_field=AMOUNT_FIELD,
    )


def in_period(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def at_in_period(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def scoped_projects(user, filters: Filters | None = None) -> QuerySet:
    return (filters or Filters()).apply(visible_projects(user, Project.objects.all()))


def forward_moves(user, filters: Filters | None = None) -> QuerySet:
    """Forward stage changes on projects the user may see."""
    moves = visible_related(user, StageChange.objects.all(), "project")
    moves = (filters or Filters()).apply(moves, "project__")
    return moves.annotate(from_order=stage_order("from_stage"), to_order=stage_order("to_stage")).filter(
        to_order__gt=F("from_order")
    )


# -- the funnel --------------------------------------------------------------------------------


def funnel(user, filters: Filters) -> list[dict]:
    """Every project in scope, today, by the stage it has reached (lost and paused included, at the
    stage they reached). For each stage: `at` = projects standing at it now, `reached` = at it or
    beyond, `amount` = their amounts, `conversion` = reached(this) ÷ reached(previous stage).
    One grouped query (one row per stage)."""
    rows = {
        r["stage"]: r
        for r in scoped_projects(user, filters)
        .values("stage")
        .annotate(n=Count("pk"), amount=Sum(best_amount()), lost=Count("pk", filter=Q(status=Status.LOST)))
        .order_by()
    }
    result, reached, amount = [], 0, ZERO
    for stage in reversed(STAGES):
        row = rows.get(stage.value, {})
        reached += row.get("n", 0)
        amount += row.get("amount") or ZERO
        result.append(
            {"stage": stage, "at": row.get("n", 0), "lost": row.get("lost", 0), "reached": reached, "amount": amount}
        )
    result.reverse()
    for previous, current in itertools.pairwise(result):
        current["conversion"] = ratio(current["reached"], previous["reached"])
    result[0]["conversion"] = None
    return result


# -- the rates per zone --------------------------------------------------------------------------

RATES = {
    # key: (cohort date field, stage reached for the numerator)
    "intention_contract": ("intention_signed_on", Stage.CONTRACT_SIGNED),
    "contract_construction": ("contract_signed_on", Stage.UNDER_CONSTRUCTION),
    "construction_production": ("construction_started_on", Stage.IN_PRODUCTION),
}
RATE_KEYS = [*RATES, "funds_in_place"]


def zone_rates(user, filters: Filters, period: Period, rank_by: str = "intention_contract") -> dict:
    """The rates of each zone for the period, ranked by `rank_by` (zones without a figure last).

    - 签约转化率 intention → contract: of the projects whose intention was signed in the period
      (intention_signed_on), the share that has reached contract_signed;
    - 开工率 contract → construction: of the projects whose contract was signed in the period
      (contract_signed_on), the share that has reached under_construction;
    - 投产率 construction → production: of the projects whose construction started in the period
      (construction_started_on), the share that has reached in_production;
    - 资金到位率 funds in place: for the projects whose contract was signed in the period, their
      funds in place ÷ their contracted amounts, by the one definition (projects.pipeline.funds:
      the tranches once a project has any, else its recorded actual investment; sums, projects
      without a contracted amount left out).
    "Has reached" is judged today, so last quarter's cohort still earns the contracts it signs
    later. One grouped query (one row per zone), plus the zones' names."""
    aggregates = {}
    for key, (field, reached) in RATES.items():
        cohort = in_period(field, period)
        aggregates[f"{key}_n"] = Count("pk", filter=cohort)
        aggregates[f"{key}_converted"] = Count("pk", filter=cohort & Q(stage__in=stages_from(reached)))
    aggregates |= {
        "intention_amount": Sum("intention_amount", filter=in_period("intention_signed_on", period)),
        **funds_in_place_sums(in_period("contract_signed_on", period)),
    }
    by_zone = {r["zone"]: r for r in scoped_projects(user, filters).values("zone").annotate(**aggregates).order_by()}
    zones = visible_zones(user).order_by("county", "name")
    if filters.zone_id:
        zones = zones.filter(pk=filters.zone_id)
    rows = [_rate_row(zone, by_zone.get(zone.pk, {})) for zone in zones]
    total = _rate_row(None, {k: sum((r[k] or 0) for r in rows) for k in aggregates})
    rank_by = rank_by if rank_by in RATE_KEYS else "intention_contract"
    ranked = sorted(rows, key=lambda r: (r[rank_by] is None, -(r[rank_by] or 0), r["zone"].county, r["zone"].name))
    for position, row in enumerate(ranked, 1):
        row["rank"] = position if row[rank_by] is not None else None
    return {"rows": ranked, "total": total, "rank_by": rank_by}


def _rate_row(zone, data: dict) -> dict:
    row = {"zone": zone}
    for key in RATES:
        row[f"{key}_n"] = data.get(f"{key}_n", 0)
        row[f"{key}_converted"] = data.get(f"{key}_converted", 0)
        row[key] = ratio(row[f"{key}_converted"], row[f"{key}_n"])
    for key in ("intention_amount", "funds", "contracted"):
        row[key] = data.get(key) or ZERO
    row["funds_in_place"] = funds_in_place_rate(row["funds"], row["contracted"])
    return row


# -- the pipeline by source mode and by chain --------------------------------------------------


def open_pipeline(user, filters: Filters) -> QuerySet:
    """The open pipeline: projects in scope that are not lost (active or paused)."""
    return scoped_projects(user, filters).exclude(status=Status.LOST)


def by_source_mode(user, filters: Filters) -> list[dict]:
    """Open projects and their amount per source mode, every mode listed (one grouped query)."""
    rows = {
        r["source_mode"]: r
        for r in open_pipeline(user, filters).values("source_mode").annotate(n=Count("pk"), amount=Sum(best_amount()))
    }
    return [
        {"mode": mode, "n": rows.get(mode.value, {}).get("n", 0), "amount": rows.get(mode.value, {}).get("amount")}
        for mode in SourceMode
    ]


def by_chain(user, filters: Filters) -> list[dict]:
    """Open projects per industry chain and link. Every link of the reference data is listed, so a
    link with no project shows as a gap to fill. Projects with a chain but no link count under
    "link not given". Two queries: the grouped projects, and the chains with their links."""
    counts = {
        (r["chain"], r["chain_link"]): r
        for r in open_pipeline(user, filters)
        .filter(chain__isnull=False)
        .values("chain", "chain_link")
        .annotate(n=Count("pk"), amount=Sum(best_amount()))
        .order_by()
    }
    links = ChainLink.objects.select_related("chain").order_by("chain__name", "position", "name")
    chains = IndustryChain.objects.order_by("name")
    if filters.chain_id:
        links, chains = links.filter(chain_id=filters.chain_id), chains.filter(pk=filters.chain_id)
    by_chain_id: dict[int, dict] = {
        c.pk: {"chain": c, "links": [], "n": 0, "amount": ZERO, "gaps": 0, "unlinked": None} for c in chains
    }
    for link in links:
        entry = by_chain_id.setdefault(
            link.chain_id, {"chain": link.chain, "links": [], "n": 0, "amount": ZERO, "gaps": 0, "unlinked": None}
        )
        row = counts.get((link.chain_id, link.pk), {})
        entry["links"].append({"link": link, "n": row.get("n", 0), "amount": row.get("amount")})
        entry["gaps"] += not row
    for (chain_id, link_id), row in counts.items():
        entry = by_chain_id.get(chain_id)
        if entry is None:
            continue
        entry["n"] += row["n"]
        entry["amount"] += row["amount"] or ZERO
        if link_id is None:
            entry["unlinked"] = row
    return list(by_chain_id.values())


# -- activity over time --------------------------------------------------------------------------


def weekly_activity(user, filters: Filters, last_day: datetime.date, weeks: int = 12) -> list[dict]:
    """New leads (projects logged, by created_at) and stage moves per calendar week (Monday to
    Sunday, Asia/Shanghai) for the `weeks` weeks ending with the week that holds `last_day`.
    Two grouped queries (one row per week)."""
    first = week_start(last_day) - datetime.timedelta(weeks=weeks - 1)
    window = Period(first, week_start(last_day) + datetime.timedelta(days=6))
    tz = timezone.get_default_timezone()

    def per_week(queryset, field):
        return {
            timezone.localtime(r["week"], tz).date() if isinstance(r["week"], datetime.datetime) else r["week"]: r["n"]
            for r in queryset.filter(at_in_period(field, window))
            .annotate(week=TruncWeek(field, tzinfo=tz))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
        }

    leads = per_week(scoped_projects(user, filters), "created_at")
    moves = per_week(forward_moves(user, filters), "changed_at")
    result = []
    for i in range(weeks):
        start = first + datetime.timedelta(weeks=i)
        result.append(
            {
                "start": start,
                "end": start + datetime.timedelta(days=6),
                "leads": leads.get(start, 0),
                "moves": moves.get(start, 0),
            }
        )
    return result


def period_totals(user, filters: Filters, period: Period) -> dict:
    """Counts and amounts of what happened in the period: new leads, stage moves, intentions and
    contracts signed, projects lost. Three queries."""
    projects = scoped_projects(user, filters)
    totals = projects.aggregate(
        new_leads=Count("pk", filter=at_in_period("created_at", period)),
        intentions=Count("pk", filter=in_period("intention_signed_on", period)),
        intention_amount=Coalesce(
            Sum("intention_amount", filter=in_period("intention_signed_on", period)),
            Value(ZERO),
            output_field=AMOUNT_FIELD,
        ),
        contracts=Count("pk", filter=in_period("contract_signed_on", period)),
        contract_amount=Coalesce(
            Sum("contract_amount", filter=in_period("contract_signed_on", period)),
            Value(ZERO),
            output_field=AMOUNT_FIELD,
        ),
    )
    totals["moves"] = forward_moves(user, filters).filter(at_in_period("changed_at", period)).count()
    totals["lost"] = lost_changes(user, filters, period).values("project").distinct().count()
    return totals


def lost_changes(user, filters: Filters, period: Period) -> QuerySet:
    """Projects marked lost in the period: the StageChange rows that set status lost."""
    changes = visible_related(user, StageChange.objects.all(), "project")
    return (
        (filters or Filters())
        .apply(changes, "project__")
        .filter(at_in_period("changed_at", period), to_status=Status.LOST)
        .exclude(from_status=Status.LOST)
    )


def compare(current, previous) -> dict:
    """A total against the previous period's: ▲ up, ▼ down, = unchanged."""
    current, previous = current or 0, previous or 0
    arrow = "▲" if current > previous else "▼" if current < previous else "="
    return {"value": current, "previous": previous, "arrow": arrow, "delta": current - previous}


def totals_against_previous(user, filters: Filters, period: Period) -> dict:
    now, before = period_totals(user, filters, period), period_totals(user, filters, period.previous())
    return {key: compare(now[key], before[key]) for key in now}


# -- lists behind the figures --------------------------------------------------------------------


def _listing(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("zone", "investor", "owner", "organization").prefetch_related("need_to_know")


def signed_in_period(user, filters: Filters, period: Period, kind: str, limit: int = 10) -> QuerySet:
    """Intentions (kind "intention") or contracts ("contract") signed in the period, largest first."""
    date_field, amount_field = f"{kind}_signed_on", f"{kind}_amount"
    projects = scoped_projects(user, filters).filter(in_period(date_field, period))
    return _listing(projects.order_by(F(amount_field).desc(nulls_last=True), date_field, "pk"))[:limit]


def overdue_projects(user, filters: Filters, today: datetime.date) -> QuerySet:
    """Active projects whose next follow-up date has passed."""
    return scoped_projects(user, filters).filter(status=Status.ACTIVE, next_follow_up_on__lt=today)


def overdue_by(user, filters: Filters, today: datetime.date, by: str) -> list[dict]:
    """Overdue follow-ups per owner (by="owner") or per owning organisation ("organization"),
    most first, with the oldest due date. One grouped query."""
    names = (
        ["owner", "owner__username", "owner__first_name", "owner__last_name"]
        if by == "owner"
        else ["organization", "organization__name"]
    )
    return list(
        overdue_projects(user, filters, today)
        .values(*names)
        .annotate(n=Count("pk"), oldest=Min("next_follow_up_on"))
        .order_by("-n", "oldest", by)
    )
