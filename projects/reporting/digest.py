"""What a manager's digest says about a period: the selectors behind the digest email.

Plain data only (strings, numbers, dates): the email is rendered by the tasks app, which also
adds the links. The figures follow the definitions of projects.reporting.metrics and docs/metrics.md."""

from __future__ import annotations

import datetime

from django.db.models import F

from projects.core.confidential import MOVE_NOTE_FIELD, display_investor, display_title, masked
from projects.core.periods import Period
from projects.pipeline.models import LostReason, Stage
from projects.reporting.metrics import (
    Filters,
    at_in_period,
    best_amount,
    forward_moves,
    lost_changes,
    overdue_by,
    scoped_projects,
    signed_in_period,
    totals_against_previous,
)

LINES = 20  # lines listed per section; the rest are counted


def _project_line(project, user, **extra) -> dict:
    return {
        "project_id": project.pk,
        "title": display_title(project, user),
        "investor": display_investor(project, user),
        "zone": str(project.zone),
        **extra,
    }


def digest_content(user, filters: Filters, period: Period, today: datetime.date) -> dict:
    """Everything that happened in the user's zones in the period, and how it compares with the
    period before. `has_news` is False when nothing happened (the "no change" digest): no new
    lead, no stage move, nothing signed, nothing lost. A constant number of queries."""
    totals = totals_against_previous(user, filters, period)

    new_leads = (
        scoped_projects(user, filters)
        .filter(at_in_period("created_at", period))
        .select_related("zone", "investor", "owner")
        .prefetch_related("need_to_know")
        .order_by(F("planned_amount").desc(nulls_last=True), "pk")[:LINES]
    )
    moves = (
        forward_moves(user, filters)
        .filter(at_in_period("changed_at", period))
        .annotate(value=best_amount("project__"))
        .select_related("project__zone", "project__investor", "changed_by")
        .prefetch_related("project__need_to_know")
        .order_by("-value", "-changed_at", "-pk")[:LINES]
    )
    lost = (
        lost_changes(user, filters, period)
        .select_related("project__zone", "project__investor")
        .prefetch_related("project__need_to_know")
        .order_by("-changed_at", "-pk")[:LINES]
    )
    content = {
        "period": {"start": period.start, "end": period.end, "kind": period.kind},
        "previous": {"start": period.previous().start, "end": period.previous().end},
        "totals": totals,
        "new_leads": [
            _project_line(
                p,
                user,
                amount=p.planned_amount,
                owner=p.owner.get_full_name() or p.owner.username,
                source_mode=p.get_source_mode_display(),
            )
            for p in new_leads
        ],
        "moves": [
            _project_line(
                m.project,
                user,
                amount=m.value,
                from_stage=Stage(m.from_stage).label if m.from_stage else "",
                to_stage=Stage(m.to_stage).label,
                by=m.changed_by.get_full_name() or m.changed_by.username,
                on=m.changed_at,
            )
            for m in moves
        ],
        "intentions": [
            _project_line(p, user, amount=p.intention_amount, on=p.intention_signed_on)
            for p in signed_in_period(user, filters, period, "intention", LINES)
        ],
        "contracts": [
            _project_line(p, user, amount=p.contract_amount, on=p.contract_signed_on)
            for p in signed_in_period(user, filters, period, "contract", LINES)
        ],
        "lost": [
            _project_line(
                c.project,
                user,
                reason=LostReason(c.project.lost_reason).label if c.project.lost_reason else "",
                # The move's reason is the status reason: hidden with it outside need-to-know.
                note=masked(c.project, user, {MOVE_NOTE_FIELD: c.note or c.project.status_note}, blank="")[
                    MOVE_NOTE_FIELD
                ],
                on=c.changed_at,
            )
            for c in lost
        ],
        "overdue_orgs": [
            {"organization": r["organization__name"], "n": r["n"], "oldest": r["oldest"]}
            for r in overdue_by(user, filters, today, "organization")
        ],
    }
    content["has_news"] = any(totals[key]["value"] for key in ("new_leads", "moves", "intentions", "contracts", "lost"))
    return content
