"""Sweeps of delivery after the signature: overdue supervision orders escalate, paused projects
come back to their owner on their resume date. Both write outbox rows with unique keys, so a
second run, a second beat or a missed run caught up later sends nothing twice.

Keys:
- `supervision:<order>:1` — the day after its due date an open order goes to the responsible
  leader (or, when the project has none, to the issuing manager);
- `supervision:<order>:2` — more than DeliverySettings.manager_escalation_days past due, it goes to
  the manager who issued it;
- `resume:<project>:<date>` — a project on hold until <date> is back with its owner that day.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.core.confidential import display_title, masked
from projects.models import DeliverySettings, Project, Status, SupervisionOrder

from . import services
from .emails import absolute_url

ESCALATION_TEMPLATE = "supervision_escalation"
RESUME_TEMPLATE = "on_hold_resume"


def _name(user) -> str:
    return user.get_full_name() or user.username


def _order_context(order: SupervisionOrder, level: int, today: datetime.date, recipient, absolute_url) -> dict:
    project = order.project
    return {
        "level": level,
        "user_name": _name(recipient),
        # A confidential deal shows its codename to a recipient outside the owning organisation
        # and the need-to-know list (a leader or a manager is not on it by right).
        "project_title": display_title(project, recipient),
        "zone": project.zone.name,
        "instruction": order.instruction,
        "due_on": order.due_on,
        "days_overdue": (today - order.due_on).days,
        "acknowledged": order.status == SupervisionOrder.Status.ACKNOWLEDGED,
        "assignee": _name(order.assignee),
        "issued_by": _name(order.issued_by),
        "url": absolute_url(reverse("delivery:plan", args=[project.pk])) + f"#order-{order.pk}",
    }


def supervision_escalation_sweep(*, today: datetime.date | None = None) -> int:
    """Escalate overdue, unfinished orders one level at a time; returns the emails queued.
    A bounded number of queries however many orders are due."""
    OutboxEntry = services.OutboxEntry
    today = today or timezone.localdate()
    policy = DeliverySettings.current()
    manager_cutoff = today - datetime.timedelta(days=policy.manager_escalation_days)
    with services.sweep_lock("supervision_escalation"):
        due = (
            SupervisionOrder.objects.exclude(status=SupervisionOrder.Status.DONE)
            .filter(Q(due_on__lt=today, escalation_level__lt=1) | Q(due_on__lt=manager_cutoff, escalation_level__lt=2))
            .select_related(
                "project",
                "project__zone",
                "assignee",
                "issued_by__notification_preference",
                "leader__notification_preference",
            )
            .prefetch_related("project__need_to_know")
        )
        entries, levels = [], {1: [], 2: []}
        for order in due:
            if order.escalation_level < 1:
                recipient = order.leader or order.issued_by
                entries.append(
                    OutboxEntry(
                        key=f"supervision:{order.pk}:1",
                        user=recipient,
                        template=ESCALATION_TEMPLATE,
                        context=_order_context(order, 1, today, recipient, absolute_url),
                    )
                )
                levels[1].append(order.pk)
            if order.due_on < manager_cutoff:
                entries.append(
                    OutboxEntry(
                        key=f"supervision:{order.pk}:2",
                        user=order.issued_by,
                        template=ESCALATION_TEMPLATE,
                        context=_order_context(order, 2, today, order.issued_by, absolute_url),
                    )
                )
                levels[2].append(order.pk)
        queued = services.outbox_add_many(entries=entries)
        now = timezone.now()
        # The level only moves up: a slower, older run cannot move it back.
        for level, ids in levels.items():
            if ids:
                SupervisionOrder.objects.filter(pk__in=ids, escalation_level__lt=level).update(
                    escalation_level=level, escalated_at=now
                )
    return queued


def on_hold_resume_sweep(*, today: datetime.date | None = None) -> int:
    """Tell the owner of each project on hold whose resume date has come that it is back with
    them (once per project and resume date); returns the emails queued."""
    today = today or timezone.localdate()
    with services.sweep_lock("on_hold_resume"):
        projects = (
            Project.objects.filter(status=Status.ON_HOLD, on_hold_until__lte=today)
            .select_related("owner__notification_preference", "zone")
            .prefetch_related("need_to_know")
        )
        entries = [
            services.OutboxEntry(
                key=f"resume:{p.pk}:{p.on_hold_until:%Y-%m-%d}",
                user=p.owner,
                template=RESUME_TEMPLATE,
                context={
                    "user_name": _name(p.owner),
                    # The owner is usually of the owning organisation, but may have moved on:
                    # a confidential deal's names go only to who may see them.
                    "project_title": shown["title"],
                    "zone": p.zone.name,
                    "on_hold_until": p.on_hold_until,
                    "reason": shown["status_note"],
                    "url": absolute_url(reverse("delivery:plan", args=[p.pk])),
                },
            )
            for p in projects
            for shown in [masked(p, p.owner, {"title": p.title, "status_note": p.status_note}, blank="")]
        ]
        return services.outbox_add_many(entries=entries)
