"""The officer table: what each person logged, moved and signed in a period, and the credit they
keep once duplicate leads are settled. Pay follows these figures, so each one is defined here and
in docs/metrics.md, and computed by a grouped query per column (one row per person).

Credit after attribution. A project's *signed value* in a period is its contracted amount if its
contract was signed in the period, else its intention amount if its intention was signed in the
period, else 0 (one deal signed twice in one period counts once, at the contract). It goes to the
project's owner, except where a manager decided that two projects are the same project
(PossibleDuplicate decision "same_project", with the project kept):
- credit "keeper": the kept project's owner gets all of the kept project's signed value; the
  other project earns nothing;
- credit "shared": the kept project's owner and the other project's owner get half each of the
  kept project's signed value; the other project earns nothing of its own.
Open decisions and "different projects" change nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, F, OuterRef, Sum, Value, When
from django.db.models.functions import Coalesce

from operators.access import visible_related
from projects.core.periods import Period
from projects.pipeline.models import PossibleDuplicate
from projects.reporting.metrics import (
    AMOUNT_FIELD,
    ZERO,
    Filters,
    at_in_period,
    forward_moves,
    in_period,
    overdue_projects,
    scoped_projects,
)

HALF = Decimal("0.5")


def signed_value(period: Period, prefix: str = "") -> Case:
    return Case(
        When(in_period(f"{prefix}contract_signed_on", period), then=Coalesce(f"{prefix}contract_amount", Value(ZERO))),
        When(
            in_period(f"{prefix}intention_signed_on", period), then=Coalesce(f"{prefix}intention_amount", Value(ZERO))
        ),
        default=Value(ZERO),
        output_field=AMOUNT_FIELD,
    )


def _settled(**match) -> PossibleDuplicate:
    return PossibleDuplicate.objects.filter(
        decision=PossibleDuplicate.Decision.SAME_PROJECT, kept__isnull=False, **match
    )


def officer_table(user, filters: Filters, period: Period, today: datetime.date) -> list[dict]:
    """One row per person with a figure in the period (or an overdue follow-up), best credit first.

    - leads: projects logged in the period (created_at) by the person (created_by, else the owner);
    - moves: forward stage moves the person recorded in the period;
    - intentions / contracts: number and amount signed in the period on projects the person owns;
    - credit: signed value after attribution (module docstring);
    - overdue: the person's active projects whose next follow-up date has passed.
    Six grouped queries and one for the names, whatever the number of projects."""
    projects = scoped_projects(user, filters)
    rows: dict[int, dict] = {}

    def row(user_id):
        return rows.setdefault(
            user_id,
            {
                "user_id": user_id,
                "leads": 0,
                "moves": 0,
                "intentions": 0,
                "intention_amount": ZERO,
                "contracts": 0,
                "contract_amount": ZERO,
                "credit": ZERO,
                "overdue": 0,
            },
        )

    for r in (
        projects.filter(at_in_period("created_at", period))
        .annotate(logger=Coalesce("created_by", "owner"))
        .values("logger")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(r["logger"])["leads"] = r["n"]

    for r in (
        forward_moves(user, filters)
        .filter(at_in_period("changed_at", period))
        .values("changed_by")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(r["changed_by"])["moves"] = r["n"]

    dropped = Exists(_settled(project=OuterRef("pk")).exclude(kept=OuterRef("pk"))) | Exists(
        _settled(other=OuterRef("pk")).exclude(kept=OuterRef("pk"))
    )
    kept_shared = Exists(_settled(kept=OuterRef("pk"), credit=PossibleDuplicate.Credit.SHARED))
    value = signed_value(period)
    weighted = Case(
        When(dropped, then=Value(ZERO)),
        When(kept_shared, then=value * Value(HALF)),
        default=value,
        output_field=AMOUNT_FIELD,
    )
    signed = projects.filter(in_period("intention_signed_on", period) | in_period("contract_signed_on", period))
    for r in (
        signed.annotate(weighted=weighted)
        .values("owner")
        .annotate(
            intentions=Count("pk", filter=in_period("intention_signed_on", period)),
            intention_amount=Sum("intention_amount", filter=in_period("intention_signed_on", period)),
            contracts=Count("pk", filter=in_period("contract_signed_on", period)),
            contract_amount=Sum("contract_amount", filter=in_period("contract_signed_on", period)),
            credit=Sum("weighted"),
        )
        .order_by()
    ):
        entry = row(r["owner"])
        for key in ("intentions", "contracts"):
            entry[key] = r[key]
        for key in ("intention_amount", "contract_amount", "credit"):
            entry[key] = r[key] or ZERO

    # The other side of a shared decision earns half of the kept project's signed value.
    shared = filters.apply(
        visible_related(
            user, visible_related(user, _settled(credit=PossibleDuplicate.Credit.SHARED), "project"), "other"
        ),
        "kept__",
    )
    for r in (
        shared.annotate(beneficiary=Case(When(kept=F("project"), then=F("other__owner")), default=F("project__owner")))
        .values("beneficiary")
        .annotate(half=Sum(signed_value(period, "kept__") * Value(HALF), output_field=AMOUNT_FIELD))
        .order_by()
    ):
        if r["half"]:
            row(r["beneficiary"])["credit"] += r["half"]

    for r in overdue_projects(user, filters, today).values("owner").annotate(n=Count("pk")).order_by():
        row(r["owner"])["overdue"] = r["n"]

    people = get_user_model().objects.filter(pk__in=list(rows)).only("username", "first_name", "last_name")
    for person in people:
        rows[person.pk]["user"] = person
    result = [r for r in rows.values() if "user" in r]
    result.sort(key=lambda r: (-r["credit"], -r["moves"], -r["leads"], r["user"].username))
    return result


def officer_totals(rows: list[dict]) -> dict:
    keys = ["leads", "moves", "intentions", "intention_amount", "contracts", "contract_amount", "credit", "overdue"]
    return {key: sum((r[key] for r in rows), start=ZERO if "amount" in key or key == "credit" else 0) for key in keys}
