"""Managers' digests: what changed in their zones since the last one, by email.

A manager (or team lead) chooses daily, weekly or none, and the zones (NotificationPreference).
- daily: the previous calendar day, from the recipient's email hour (reminder_time) on;
- weekly: the previous Monday-to-Sunday week, on Monday from the email hour on.
The sweep (beat, every few minutes) asks the database who is due and has no outbox row yet for
the period, and enqueues one build task per recipient. The build task renders the digest and adds
it to the outbox under `digest:<user>:<period>` (`2026-03-17` for a day, `2026-W11` for a week),
so two sweeps, two beats or a task run twice still send one email. Nothing happened: a one-line
"no change" digest, so managers know the system is alive.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from operators.models import NotificationPreference, Role
from projects.core import periods
from projects.core.queue import enqueue_on_commit
from projects.delivery.selectors import delivery_digest
from projects.reporting.digest import digest_content
from projects.reporting.metrics import Filters

from .emails import absolute_url, project_url
from .models import OutboxMessage
from .services import language_of, outbox_add

Frequency = NotificationPreference.DigestFrequency
DIGEST_ROLES = [Role.MANAGER, Role.TEAM_LEAD, Role.ADMIN]


def digest_period(frequency: str, today: datetime.date) -> periods.Period:
    """The period a digest sent `today` covers: yesterday, or last Monday-to-Sunday week."""
    if frequency == Frequency.DAILY:
        yesterday = today - datetime.timedelta(days=1)
        return periods.Period(yesterday, yesterday, "day")
    return periods.calendar_period(periods.WEEK, today - datetime.timedelta(days=7))


def period_label(frequency: str, period: periods.Period) -> str:
    if frequency == Frequency.DAILY:
        return period.start.isoformat()
    year, week, _day = period.start.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(user_id: int, frequency: str, period: periods.Period) -> str:
    return f"digest:{user_id}:{period_label(frequency, period)}"


def due_digests(now: datetime.datetime) -> list[tuple[int, str, periods.Period]]:
    """(user id, frequency, period) of every digest due now and not yet in the outbox.
    Two queries, one per frequency."""
    today = timezone.localdate(now)
    local_time = timezone.localtime(now).time()
    frequencies = [Frequency.DAILY] + ([Frequency.WEEKLY] if today.weekday() == 0 else [])
    readers = Q(user__is_superuser=True) | Q(
        user__memberships__is_active=True, user__memberships__role__in=DIGEST_ROLES
    )
    due = []
    for frequency in frequencies:
        period = digest_period(frequency, today)
        key = Concat(
            Value("digest:"),
            Cast(OuterRef("user_id"), CharField()),
            Value(f":{period_label(frequency, period)}"),
        )
        user_ids = (
            NotificationPreference.objects.filter(
                readers, digest_frequency=frequency, reminder_time__lte=local_time, user__is_active=True
            )
            .exclude(user__email="")
            .exclude(Exists(OutboxMessage.objects.filter(key=key)))
            .values_list("user_id", flat=True)
            .distinct()
            .order_by("user_id")
        )
        due += [(user_id, frequency, period) for user_id in user_ids]
    return due


# Queued by name (tasks.tasks registers it under this name).
BUILD_DIGEST_TASK = "tasks.tasks.build_digest"


def digest_sweep(*, now: datetime.datetime | None = None) -> int:
    """Enqueue one build task per digest due now; returns how many."""
    due = due_digests(now or timezone.now())
    for user_id, frequency, period in due:
        enqueue_on_commit(BUILD_DIGEST_TASK, user_id, frequency, period.start.isoformat(), period.end.isoformat())
    return len(due)


def dashboard_link(period: periods.Period, zone_ids=()) -> str:
    query = {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
    if len(zone_ids) == 1:
        query["zone"] = zone_ids[0]
    return absolute_url(f"{reverse('dashboard')}?{urlencode(query)}")


def overview_link(zone_ids=()) -> str:
    """The delivery overview (三未 lists), filtered by the digest's zone when it has one."""
    query = f"?{urlencode({'zone': zone_ids[0]})}" if len(zone_ids) == 1 else ""
    return absolute_url(f"{reverse('delivery:overview')}{query}")


def digest_build(*, user_id: int, frequency: str, start: datetime.date, end: datetime.date) -> bool:
    """Render the digest of `user_id` for [start, end] and queue it; False if it was queued before
    (or the user is gone or has no email address)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).select_related("notification_preference").first()
    if user is None:
        return False
    period = periods.Period(start, end, "day" if frequency == Frequency.DAILY else periods.WEEK)
    key = digest_key(user.pk, frequency, period)
    if OutboxMessage.objects.filter(key=key).exists():
        return False
    zone_ids = tuple(
        NotificationPreference.digest_zones.through.objects.filter(notificationpreference__user_id=user.pk).values_list(
            "zone_id", flat=True
        )
    )
    with translation.override(language_of(user)):  # stage names and reasons in the reader's language
        content = digest_content(user, Filters(zone_ids=zone_ids), period, timezone.localdate())
        # Delivery after the signature: milestones and funds of the period, overdue orders, 三未.
        recent = delivery_digest(
            user, since=period.start_at, until=period.end_at, today=timezone.localdate(), zone_ids=zone_ids
        )
    for section in ("new_leads", "moves", "intentions", "contracts", "lost"):
        for line in content[section]:
            line["url"] = project_url(line["project_id"])
    previous = periods.Period(content["previous"]["start"], content["previous"]["end"])
    context = {
        **content,
        "user_name": user.get_full_name() or user.username,
        "daily": frequency == Frequency.DAILY,
        "dashboard_url": dashboard_link(period, zone_ids),
        "previous_url": dashboard_link(previous, zone_ids),
        "recent": recent,
        "has_news": content["has_news"] or not recent.is_empty,
        # The 三未 lists go into every weekly digest; a daily one shows delivery when it moved.
        "show_delivery": frequency == Frequency.WEEKLY or not recent.is_empty,
        "overview_url": overview_link(zone_ids),
    }
    return outbox_add(key=key, user=user, template="digest", context=context, topic="digest")
