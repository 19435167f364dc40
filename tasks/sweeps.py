"""The sweeps beat runs every few minutes. The database decides what is due.

Each sweep runs in one locked transaction (`services.sweep_lock`), asks a few set-based
queries what is due now, and inserts outbox rows under unique keys, so a repeated run, two
beats, or a run missed and caught up later change nothing:

- reminders: `reminder:<user>:<date>`, one email per officer per working day at their hour,
  listing the follow-ups due up to the day before the next working day, and the overdue ones;
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

from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from operators.models import Membership, NotificationPreference, Organization, Role
from projects.models import FollowUp, Project, Stage, Status

from .emails import project_url
from .models import Notice, OutboxMessage
from .services import OutboxEntry, outbox_add_many, sweep_lock
from .workdays import is_working_day, next_working_day, reminder_horizon, working_days_back, working_days_between

# Days without activity before an active project is stale, per stage; None: never stale.
# An organisation overrides them in Organization.stale_days ({"lead": 10, ...}).
DEFAULT_STALE_DAYS: dict[str, int | None] = {
    Stage.LEAD: 14,
    Stage.CONTACTED: 21,
    Stage.SITE_VISIT: 21,
    Stage.NEGOTIATING: 30,
    Stage.INTENTION_SIGNED: 45,
    Stage.CONTRACT_SIGNED: 60,
    Stage.REGISTERED: 60,
    Stage.UNDER_CONSTRUCTION: 90,
    Stage.IN_PRODUCTION: None,
}
STALE_NUDGE_INTERVAL_DAYS = 7
# Levels of escalation: level k once the follow-up is overdue by more than k × N working days.
MAX_ESCALATION_LEVEL = 3
# How long an unmailed notice waits for its recipient's email before it is dropped.
NOTICE_MAX_AGE_DAYS = 14
# Lines listed in one email; the rest are counted ("and 12 more").
MAX_LINES = 50


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


def stale_thresholds(overrides) -> dict[str, int | None]:
    """The stage → days table of an organisation: the defaults with its valid overrides on top
    (a positive whole number of days, or null/0 for never)."""
    table = dict(DEFAULT_STALE_DAYS)
    if isinstance(overrides, dict):
        for stage, days in overrides.items():
            if stage not in table:
                continue
            if days in (None, 0):
                table[stage] = None
            elif isinstance(days, int) and not isinstance(days, bool) and 0 < days <= 3650:
                table[stage] = days
    return table


def _latest_follow_up():
    return FollowUp.objects.filter(project=OuterRef("pk")).order_by("-occurred_on", "-created_at", "-pk")


def _key_exists(prefix: str, user_field: str, day: datetime.date) -> Exists:
    """An outbox row `<prefix>:<user>:<day>` exists for the row's user."""
    key = Concat(Value(f"{prefix}:"), Cast(OuterRef(user_field), CharField()), Value(f":{day.isoformat()}"))
    return Exists(OutboxMessage.objects.filter(key=key))


def _line(project, *, due_on=None, agreed="", days=None, level=None) -> dict:
    return {
        "project_id": project.pk,
        "title": project.title,
        "investor": project.investor.name,
        "stage": Stage(project.stage).label,
        "due_on": due_on,
        "agreed": agreed,
        "days": days,
        "level": level,
        "url": project_url(project.pk),
    }


# -- reminders ---------------------------------------------------------------------------------


def reminders_sweep(*, now: datetime.datetime | None = None) -> int:
    """One email per officer per working day: their follow-ups due by the day before the next
    working day, and the overdue ones, oldest first. Nothing due → no email. Returns rows queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    horizon = reminder_horizon(today)
    latest = _latest_follow_up()
    with sweep_lock("reminders"):
        projects = (
            Project.objects.filter(status=Status.ACTIVE, next_follow_up_on__lte=horizon)
            .filter(due_recipients_q(now, "owner__"))
            .exclude(_key_exists("reminder", "owner_id", today))
            .select_related("owner__notification_preference", "investor")
            .annotate(
                last_next_action=Subquery(latest.values("next_action")[:1]),
                last_summary=Subquery(latest.values("summary")[:1]),
                last_occurred_on=Subquery(latest.values("occurred_on")[:1]),
            )
            .order_by("owner_id", "next_follow_up_on", "pk")
        )
        entries = []
        for _owner_id, rows in groupby(projects.iterator(chunk_size=2000), key=lambda p: p.owner_id):
            rows = list(rows)
            owner = rows[0].owner
            lines = [
                {
                    **_line(p, due_on=p.next_follow_up_on, agreed=p.last_next_action or p.last_summary or ""),
                    "overdue": p.next_follow_up_on < today,
                    "last_contact_on": p.last_occurred_on,
                }
                for p in rows
            ]
            overdue = sum(1 for line in lines if line["overdue"])
            entries.append(
                OutboxEntry(
                    key=f"reminder:{owner.pk}:{today.isoformat()}",
                    user=owner,
                    template="reminder",
                    context={
                        "user_name": owner.get_full_name() or owner.username,
                        "today": today,
                        "lines": lines[:MAX_LINES],
                        "more": max(len(lines) - MAX_LINES, 0),
                        "total": len(lines),
                        "overdue_count": overdue,
                        "due_count": len(lines) - overdue,
                    },
                )
            )
        return outbox_add_many(entries=entries)


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
        .order_by("message_key", "-level", "-days", "pk")
    )
    entries = []
    for message_key, group in groupby(notices.iterator(chunk_size=2000), key=lambda n: n.message_key):
        group = list(group)
        recipient = group[0].recipient
        lines = []
        for notice in group:
            project = notice.project
            follow_up = notice.follow_up
            line = _line(
                project,
                due_on=follow_up.next_due_on if follow_up else project.next_follow_up_on,
                agreed=(follow_up.next_action or follow_up.summary) if follow_up else "",
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
                follow_up_id=Subquery(_latest_follow_up().values("pk")[:1]),
                threshold=F("organization__escalation_working_days"),
            )
            .values_list("pk", "organization_id", "owner_id", "follow_up_id", "next_follow_up_on", "threshold")
        )
        leads = defaultdict(set)
        for user_id, org_id in (
            Membership.objects.filter(
                role=Role.TEAM_LEAD, is_active=True, organization_id__in={p[1] for p in projects}
            )
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
