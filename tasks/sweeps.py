"""The sweeps beat runs every few minutes. The database decides what is due.

Each sweep runs in one locked transaction (`services.sweep_lock`), asks a few set-based
queries what is due now, and inserts outbox rows under unique keys, so a repeated run, two
beats, or a run missed and caught up later change nothing:

- reminders: `reminder:<user>:<date>`, one email per officer per working day at their hour,
  listing the follow-ups due up to the day before the next working day, and the overdue ones;
  the sweep only decides who gets one, the sender writes it when it sends it (tasks.content);
- escalations: a follow-up overdue by more than N working days (per organisation) becomes a
  `Notice` `escalation:<follow-up>:<level>:<team lead>` (once per follow-up per level and lead),
  mailed in the lead's daily email `escalation:<lead>:<date>`;
- stale leads: an active project without activity for longer than its stage allows becomes a
  `Notice` for its owner at most once in 7 days, mailed in `stale:<owner>:<date>`.

Nothing runs on a Chinese public holiday; the weekend days worked in exchange are working days.
"""

import datetime
from collections import defaultdict
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone, translation

from operators.models import Membership, NotificationPreference, Organization, Role
from projects.core.confidential import know_reader_on_list
from projects.models import Project, Status
from projects.pipeline.selectors import need_to_know_entry

from .emails import MAX_LINES, project_line, reminder_subject
from .models import Notice, OutboxMessage
from .selectors import DEFAULT_STALE_DAYS, latest_follow_up, stale_thresholds
from .services import DeferredEntry, OutboxEntry, outbox_add_many, outbox_defer_many, sweep_lock
from .workdays import is_working_day, next_working_day, reminder_horizon, working_days_back, working_days_between

STALE_NUDGE_INTERVAL_DAYS = 7
# Levels of escalation: level k once the follow-up is overdue by more than k × N working days.
MAX_ESCALATION_LEVEL = 3
# How long an unmailed notice waits for its recipient's email before it is dropped.
NOTICE_MAX_AGE_DAYS = 14


def due_recipients_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Users (through `prefix`, e.g. "owner__") whose email hour has come today: active, with an
    email address, follow-up emails on. No preference row yet means the defaults (on, 08:30)."""
    local_time = timezone.localtime(now).time()
    default_time = NotificationPreference._meta.get_field("reminder_time").default
    pref = f"{prefix}notification_preference"
    q = Q(**{f"{pref}__reminders_enabled": True, f"{pref}__reminder_time__lte": local_time})
    if local_time >= default_time:
        q |= Q(**{f"{pref}__isnull": True})
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email": ""}) & q


def _key_exists(prefix: str, user_field: str, day: datetime.date) -> Exists:
    """An outbox row `<prefix>:<user>:<day>` exists for the row's user."""
    key = Concat(Value(f"{prefix}:"), Cast(OuterRef(user_field), CharField()), Value(f":{day.isoformat()}"))
    return Exists(OutboxMessage.objects.filter(key=key))


# -- reminders ---------------------------------------------------------------------------------


def reminders_sweep(*, now: datetime.datetime | None = None) -> int:
    """One email per officer per working day: their follow-ups due by the day before the next
    working day, and the overdue ones, oldest first. Nothing due → no email. Returns rows queued.

    The sweep only decides who gets one: one query grouped by owner (skipping those already
    queued today) and one INSERT. The sender writes each email when it sends it, from the data
    as it is then (tasks.content.reminder_content)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    horizon = reminder_horizon(today)
    due = Q(owned_projects__status=Status.ACTIVE, owned_projects__next_follow_up_on__lte=horizon)
    overdue = Q(owned_projects__next_follow_up_on__lt=today)
    with sweep_lock("reminders"):
        # From the users' side, so the "already queued" test runs once per officer, not per project.
        owners = (
            get_user_model()
            .objects.filter(due_recipients_q(now))
            .filter(due)
            .exclude(_key_exists("reminder", "pk", today))
            .values("pk", "email", "notification_preference__language")
            .annotate(total=Count("owned_projects"), overdue=Count("owned_projects", filter=overdue))
            .order_by("notification_preference__language", "pk")
        )
        entries = []
        for language, group in groupby(owners, key=lambda row: row["notification_preference__language"]):
            with translation.override(language or settings.LANGUAGE_CODE):
                entries += [
                    DeferredEntry(
                        key=f"reminder:{row['pk']}:{today.isoformat()}",
                        user_id=row["pk"],
                        to_email=row["email"],
                        subject=reminder_subject(total=row["total"], overdue=row["overdue"], day=today),
                        context={"day": today.isoformat(), "total": row["total"], "overdue": row["overdue"]},
                    )
                    for row in group
                ]
        return outbox_defer_many(entries=entries)


# -- notices: escalations and stale leads ------------------------------------------------------


def _message_keys(kind: str, user_ids: set[int], today: datetime.date) -> dict[int, tuple[str, datetime.date]]:
    """Which daily email a new notice for each user goes into: today's, or the next working
    day's if today's was already queued (a notice found later in the day is never dropped)."""
    today_keys = {f"{kind}:{uid}:{today.isoformat()}": uid for uid in user_ids}
    taken = set(OutboxMessage.objects.filter(key__in=list(today_keys)).values_list("key", flat=True))
    later = next_working_day(today)
    result = {}
    for key, uid in today_keys.items():
        result[uid] = (f"{kind}:{uid}:{later.isoformat()}", later) if key in taken else (key, today)
    return result


def _mail_notices(*, kind: str, template: str, now: datetime.datetime, today: datetime.date) -> int:
    """Queue the daily emails of notices whose email does not exist yet, for recipients whose hour
    has come."""
    notices = (
        Notice.objects.filter(
            kind=kind,
            noticed_on__lte=today,
            noticed_on__gte=today - datetime.timedelta(days=NOTICE_MAX_AGE_DAYS),
        )
        .exclude(Exists(OutboxMessage.objects.filter(key=OuterRef("message_key"))))
        .filter(due_recipients_q(now, "recipient__"))
        .select_related("recipient__notification_preference", "project__investor", "project__owner", "follow_up")
        # Whether the recipient is on the project's need-to-know list, with the row: no query a line.
        .annotate(recipient_on_list=Exists(need_to_know_entry(OuterRef("project_id"), OuterRef("recipient_id"))))
        .order_by("message_key", "-level", "-days", "pk")
    )
    entries = []
    for message_key, group in groupby(notices.iterator(chunk_size=2000), key=lambda n: n.message_key):
        group = list(group)
        recipient = group[0].recipient
        lines = []
        for notice in group:
            project = notice.project
            know_reader_on_list(project, recipient, notice.recipient_on_list)
            follow_up = notice.follow_up
            # A recipient outside the owning organisation (an owner who left it) reads a
            # confidential deal by its codename, without its follow-up text.
            line = project_line(
                project,
                recipient,
                due_on=follow_up.next_due_on if follow_up else project.next_follow_up_on,
                follow_up={"next_action": follow_up.next_action, "summary": follow_up.summary} if follow_up else None,
                days=notice.days,
                level=notice.level,
            )
            line["owner"] = project.owner.get_full_name() or project.owner.username
            lines.append(line)
        entries.append(
            OutboxEntry(
                key=message_key,
                user=recipient,
                template=template,
                context={
                    "user_name": recipient.get_full_name() or recipient.username,
                    "today": today,
                    "lines": lines[:MAX_LINES],
                    "more": max(len(lines) - MAX_LINES, 0),
                    "total": len(lines),
                },
            )
        )
    return outbox_add_many(entries=entries)


def escalation_level(due_on: datetime.date, cutoffs: list[datetime.date]) -> int:
    """cutoffs[k-1] is the (k·N+1)-th working day back from today: due before it means overdue by
    more than k·N working days."""
    return sum(1 for cutoff in cutoffs if due_on < cutoff)


def escalations_sweep(*, now: datetime.datetime | None = None) -> int:
    """Follow-ups overdue by more than the organisation's N working days go to its team leads,
    once per follow-up per level, in one daily email per lead. Returns emails queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    with sweep_lock("escalations"):
        thresholds = set(Organization.objects.values_list("escalation_working_days", flat=True).distinct())
        cutoffs = {
            n: [working_days_back(today, k * max(n, 1) + 1) for k in range(1, MAX_ESCALATION_LEVEL + 1)]
            for n in thresholds
        }
        overdue_q = Q(pk__in=[])
        for n, levels in cutoffs.items():
            overdue_q |= Q(organization__escalation_working_days=n, next_follow_up_on__lt=levels[0])
        projects = list(
            Project.objects.filter(status=Status.ACTIVE)
            .filter(overdue_q)
            .annotate(
                follow_up_id=Subquery(latest_follow_up().values("pk")[:1]),
                threshold=F("organization__escalation_working_days"),
            )
            .values_list("pk", "organization_id", "owner_id", "follow_up_id", "next_follow_up_on", "threshold")
        )
        leads = defaultdict(set)
        for user_id, org_id in (
            Membership.objects.filter(role=Role.TEAM_LEAD, is_active=True, organization_id__in={p[1] for p in projects})
            .filter(due_recipients_q(now, "user__"))
            .values_list("user_id", "organization_id")
        ):
            leads[org_id].add(user_id)
        message_keys = _message_keys("escalation", set().union(*leads.values()) if leads else set(), today)
        notices, overdue_days = [], {}
        for project_id, org_id, owner_id, follow_up_id, due_on, n in projects:
            if follow_up_id is None:
                continue  # a due date without a follow-up behind it: nothing to escalate
            level = escalation_level(due_on, cutoffs[n])
            if due_on not in overdue_days:  # many follow-ups share a due date
                overdue_days[due_on] = working_days_between(due_on, today)
            days = overdue_days[due_on]
            for lead_id in leads[org_id] - {owner_id}:
                message_key, mail_on = message_keys[lead_id]
                notices.append(
                    Notice(
                        key=f"escalation:{follow_up_id}:{level}:{lead_id}",
                        kind=Notice.Kind.ESCALATION,
                        recipient_id=lead_id,
                        project_id=project_id,
                        follow_up_id=follow_up_id,
                        level=level,
                        days=days,
                        noticed_on=mail_on,
                        message_key=message_key,
                        created_at=now,
                    )
                )
        Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=500)
        return _mail_notices(kind=Notice.Kind.ESCALATION, template="escalation", now=now, today=today)


def _stale_q(now: datetime.datetime) -> Q:
    """Projects past their stage's limit: one term per (stage, days) pair in use, not per project."""
    overrides: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for org_id, stale_days in Organization.objects.values_list("pk", "stale_days"):
        if not stale_days:
            continue
        table = stale_thresholds(stale_days)
        for stage, days in table.items():
            if days != DEFAULT_STALE_DAYS[stage]:
                overrides[stage][days].append(org_id)
    q = Q(pk__in=[])
    for stage, default in DEFAULT_STALE_DAYS.items():
        special = overrides.get(stage, {})
        special_ids = [org_id for ids in special.values() for org_id in ids]
        if default is not None:
            q |= Q(stage=stage, activity__lt=now - datetime.timedelta(days=default)) & ~Q(
                organization_id__in=special_ids
            )
        for days, ids in special.items():
            if days is not None:
                q |= Q(stage=stage, organization_id__in=ids, activity__lt=now - datetime.timedelta(days=days))
    return q


def stale_sweep(*, now: datetime.datetime | None = None) -> int:
    """Active projects without activity for longer than their stage allows nudge their owner, at
    most once in 7 days per project, in one daily email per owner. Returns emails queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    with sweep_lock("stale"):
        recent = Notice.objects.filter(
            kind=Notice.Kind.STALE,
            project=OuterRef("pk"),
            noticed_on__gt=today - datetime.timedelta(days=STALE_NUDGE_INTERVAL_DAYS),
        )
        projects = list(
            Project.objects.filter(status=Status.ACTIVE)
            .annotate(activity=Coalesce("last_activity_at", "created_at"))
            .filter(_stale_q(now))
            .filter(due_recipients_q(now, "owner__"))
            .exclude(Exists(recent))
            .values_list("pk", "owner_id", "activity")
        )
        message_keys = _message_keys("stale", {p[1] for p in projects}, today)
        notices = []
        for project_id, owner_id, activity in projects:
            message_key, mail_on = message_keys[owner_id]
            notices.append(
                Notice(
                    key=f"stale:{project_id}:{mail_on.isoformat()}",
                    kind=Notice.Kind.STALE,
                    recipient_id=owner_id,
                    project_id=project_id,
                    days=(now - activity).days,
                    noticed_on=mail_on,
                    message_key=message_key,
                    created_at=now,
                )
            )
        Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=500)
        return _mail_notices(kind=Notice.Kind.STALE, template="stale", now=now, today=today)
