"""Emails written when they are sent, not when they are queued.

A sweep that would otherwise render one email per officer (the daily reminders) only decides who
gets one and queues a row with a small `context` (tasks.services.outbox_defer_many). When the
sender claims the row it calls the builder of the row's kind here, which reads the data as it is
then and returns what to render (`Content`), or `Skip` with the reason when there is nothing to
say any more. Builders run in the sender's try block: an error is a failed attempt, retried like
an SMTP error, and never loses the row.

Kinds without a builder here (escalations, stale leads, digests, supervision) are rendered when
they are queued, as before.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, Subquery
from django.utils import translation
from django.utils.translation import gettext_noop

from projects.models import Project, Status
from projects.pipeline.selectors import with_need_to_know

from .emails import MAX_LINES, project_line, reminder_subject
from .models import OutboxMessage
from .selectors import latest_follow_up
from .services import language_of
from .workdays import reminder_horizon

# Why a row was not sent; stored in English on the row (OutboxMessage.note), shown translated.
NOTHING_DUE = gettext_noop(
    "Nothing was due any more when it was to be sent: the follow-ups had been recorded meanwhile."
)
RECIPIENT_GONE = gettext_noop("The recipient's account was deleted or deactivated before it was sent.")
TURNED_OFF = gettext_noop("The recipient turned these emails off before it was sent.")


@dataclass(frozen=True)
class Content:
    template: str  # emails/<template>_subject.txt, .txt, .html
    context: dict
    topic: str = "reminders"  # what the unsubscribe link turns off


@dataclass(frozen=True)
class Skip:
    reason: str  # one of the gettext_noop texts above


def _reminders_wanted(user) -> bool:
    try:
        return user.notification_preference.reminders_enabled
    except ObjectDoesNotExist:
        return True  # no preference row yet: the defaults, on


def reminder_content(message: OutboxMessage) -> Content | Skip:
    """The officer's follow-ups due by the day before the next working day after the row's day,
    and the overdue ones, oldest first, as they are now. Nothing due any more → Skip."""
    user = message.user
    if user is None or not user.is_active:
        return Skip(RECIPIENT_GONE)
    if not _reminders_wanted(user):
        return Skip(TURNED_OFF)
    day = datetime.date.fromisoformat(message.context["day"])
    due = Project.objects.filter(owner=user, status=Status.ACTIVE, next_follow_up_on__lte=reminder_horizon(day))
    counts = due.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(next_follow_up_on__lt=day)))
    if not counts["total"]:
        return Skip(NOTHING_DUE)
    latest = latest_follow_up()
    # Whether the officer is on a confidential deal's need-to-know list comes with the row, so
    # can_see_names() below asks no query per line.
    projects = (
        with_need_to_know(due.select_related("investor"), user)
        .annotate(
            last_next_action=Subquery(latest.values("next_action")[:1]),
            last_summary=Subquery(latest.values("summary")[:1]),
            last_occurred_on=Subquery(latest.values("occurred_on")[:1]),
        )
        .order_by("next_follow_up_on", "pk")[:MAX_LINES]
    )
    lines = []
    for p in projects:
        # The owner may be outside the owning organisation (a deal handed over for delivery): a
        # confidential deal then shows its codename, and not what was agreed (free text).
        line = project_line(
            p,
            user,
            due_on=p.next_follow_up_on,
            follow_up={"next_action": p.last_next_action or "", "summary": p.last_summary or ""},
        )
        lines.append({**line, "overdue": p.next_follow_up_on < day, "last_contact_on": p.last_occurred_on})
    with translation.override(language_of(user)):
        subject = reminder_subject(total=counts["total"], overdue=counts["overdue"], day=day)
    return Content(
        template="reminder",
        context={
            "subject": subject,
            "user_name": user.get_full_name() or user.username,
            "today": day,
            "lines": lines,
            "more": counts["total"] - len(lines),
            "total": counts["total"],
            "overdue_count": counts["overdue"],
            "due_count": counts["total"] - counts["overdue"],
        },
    )


# Kind (the key's prefix) → builder.
BUILDERS: dict[str, Callable[[OutboxMessage], Content | Skip]] = {
    "reminder": reminder_content,
}


def build(message: OutboxMessage) -> Content | Skip:
    try:
        builder = BUILDERS[message.kind]
    except KeyError:
        raise LookupError(f"no content builder for outbox kind {message.kind!r}") from None
    return builder(message)
