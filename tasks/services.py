"""Writes made by background work, and the one door into the notification outbox.

Adding notifications (for other apps' sweeps: digests, supervision orders, ...)
-------------------------------------------------------------------------------
Every email goes through the outbox: a row with a unique key, sent at most once per key by
`tasks.sender`. A sweep that finds something to tell people calls, inside its transaction::

    from tasks.services import OutboxEntry, outbox_add, outbox_add_many

    outbox_add(
        key=f"digest:{user.pk}:{period_start:%Y-%m-%d}",  # unique: same key = same email, never twice
        user=user,                      # recipient; their email address and language are used
        template="digest",              # emails/digest_subject.txt, emails/digest.txt, emails/digest.html
        context={"rows": rows},         # plain data; links must be absolute (tasks.emails.project_url)
        topic="digest",                 # what the email's unsubscribe link turns off (tasks.emails.TOPICS)
    )
    outbox_add_many(entries=[OutboxEntry(key=..., user=..., template=..., context=..., topic=...), ...])

Both render the email in the recipient's language (their NotificationPreference, Chinese by
default; pass users with `select_related("notification_preference")` to save a query each), add
the signed unsubscribe link and List-Unsubscribe headers, insert with ON CONFLICT DO NOTHING
semantics (a key already present is left as it is, and not rendered again), and ask the sender
to run once the transaction commits. Keys start with the kind of email (`digest:`,
`supervision:`): the outbox page filters on it. Run your sweep from a beat entry in
config/settings.py CELERY_BEAT_SCHEDULE, as often as you like: the key makes it idempotent.
Deciding *when* is the sweep's job (the recipient's hour: `tasks.sweeps.due_recipients_q`).

Emails built when they are sent
-------------------------------
A sweep that would render many emails (the daily reminders: one per officer) only decides who
gets one, and queues rows with `outbox_defer_many(entries=[DeferredEntry(…), …])`: a key, the
recipient, a provisional subject for the outbox page, and the small `context` the builder of
that kind needs (`tasks.content.BUILDERS`). The sender builds and renders the email when it
claims the row, from the data as it is then, and stores what it sent on the row.
"""

import json
import zlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from operators.models import NotificationPreference
from projects.core.queue import enqueue_on_commit

from .emails import TOPICS, render_email
from .models import Heartbeat, OutboxMessage

INSERT_BATCH = 500


def heartbeat_record(*, name: str) -> Heartbeat:
    """Mark that `name` ran now; one row per name, its counter incremented atomically."""
    with transaction.atomic():
        beat, created = Heartbeat.objects.get_or_create(name=name, defaults={"seen_at": timezone.now(), "count": 1})
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now(), count=F("count") + 1)
            beat.refresh_from_db()
    return beat


# The sender's task, queued by name (tasks.tasks registers it under this name).
OUTBOX_SEND_TASK = "tasks.tasks.outbox_send"


def outbox_kick() -> None:
    """Ask a worker to run the sender after this transaction commits (beat runs it anyway)."""
    enqueue_on_commit(OUTBOX_SEND_TASK)


@contextmanager
def sweep_lock(name: str):
    """One transaction in which only one process runs the sweep `name` at a time, so two beats
    or an overlapping slow run see each other's rows. SQLite's IMMEDIATE transactions already
    serialise writers; PostgreSQL takes a transaction-level advisory lock."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
        yield


@dataclass
class OutboxEntry:
    key: str
    user: object
    template: str
    context: dict = field(default_factory=dict)
    topic: str = "reminders"


@dataclass
class DeferredEntry:
    """An email the sender builds when it sends it (tasks.content): who, and what the builder needs."""

    key: str
    user_id: int
    to_email: str
    subject: str  # shown on the outbox page until the email is written, in the recipient's language
    context: dict  # plain JSON for the builder of the key's kind


def language_of(user) -> str:
    try:
        return user.notification_preference.language or settings.LANGUAGE_CODE
    except ObjectDoesNotExist:
        return settings.LANGUAGE_CODE


def outbox_add(*, key: str, user, template: str, context: dict, topic: str = "reminders") -> bool:
    """Queue one email under `key`; False if that key was already queued (or the user has no email)."""
    return (
        outbox_add_many(entries=[OutboxEntry(key=key, user=user, template=template, context=context, topic=topic)]) == 1
    )


def outbox_add_many(*, entries: Iterable[OutboxEntry]) -> int:
    """Queue emails, skipping keys already present; returns how many rows were new.

    A bounded number of queries: one lookup and one INSERT … ON CONFLICT DO NOTHING per 500 rows."""
    entries = [e for e in entries if getattr(e.user, "email", "")]
    inserted = 0
    with transaction.atomic():
        for start in range(0, len(entries), INSERT_BATCH):
            batch = entries[start : start + INSERT_BATCH]
            existing = set(OutboxMessage.objects.filter(key__in=[e.key for e in batch]).values_list("key", flat=True))
            rows, seen = [], set()
            now = timezone.now()
            for entry in batch:
                if entry.key in existing or entry.key in seen:
                    continue
                seen.add(entry.key)
                rendered = render_email(
                    template=entry.template,
                    context=entry.context,
                    user_id=entry.user.pk,
                    language=language_of(entry.user),
                    topic=entry.topic,
                )
                rows.append(
                    OutboxMessage(
                        key=entry.key,
                        kind=entry.key.split(":", 1)[0],
                        user=entry.user,
                        to_email=entry.user.email,
                        subject=rendered.subject,
                        body_text=rendered.text,
                        body_html=rendered.html,
                        headers={**rendered.headers, "X-Outbox-Key": entry.key},
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
            # ignore_conflicts: another process may have inserted the same key meanwhile.
            OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
            inserted += len(rows)
        if inserted:
            outbox_kick()
    return inserted


# The columns a deferred row sets; every other column gets what a new row has (pending, no
# attempt, empty bodies: the sender writes them).
_DEFERRED_COLUMNS = "key, kind, user_id, to_email, subject, context, created_at, next_attempt_at"
_NEW_ROW_COLUMNS = "body_text, body_html, headers, status, attempts, last_error, claimed_by, note"
_NEW_ROW_VALUES = "'', '', '{}', 'pending', 0, '', '', ''"


def outbox_defer_many(*, entries: Iterable[DeferredEntry]) -> int:
    """Queue emails the sender writes when it sends them (tasks.content); returns how many rows
    were new. A key already present is left as it is (ON CONFLICT DO NOTHING).

    One statement however many rows, and no rendering: on PostgreSQL one INSERT … SELECT FROM
    UNNEST of the varying columns (a third of the time of bulk_create's statement, which sends
    and converts every column of every row); elsewhere one prepared INSERT run by executemany."""
    now = timezone.now()
    rows, seen = [], set()
    for entry in entries:
        if not entry.to_email or entry.key in seen:
            continue
        seen.add(entry.key)
        rows.append(
            (
                entry.key,
                entry.key.split(":", 1)[0],
                entry.user_id,
                entry.to_email,
                entry.subject[:300],
                json.dumps(entry.context),
            )
        )
    if not rows:
        return 0
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    created_at = OutboxMessage._meta.get_field("created_at").get_db_prep_save(now, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        # Our own table and column names; every value is a parameter.
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""INSERT INTO {table} ({_DEFERRED_COLUMNS}, {_NEW_ROW_COLUMNS})
                SELECT t.key, t.kind, t.user_id, t.to_email, t.subject, t.context::jsonb, %s, %s, {_NEW_ROW_VALUES}
                FROM UNNEST(%s::varchar[], %s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[], %s::text[])
                    AS t(key, kind, user_id, to_email, subject, context)
                ON CONFLICT (key) DO NOTHING""",  # noqa: S608
                [created_at, created_at, *map(list, zip(*rows, strict=True))],
            )
        else:
            cursor.executemany(
                f"""INSERT INTO {table} ({_DEFERRED_COLUMNS}, {_NEW_ROW_COLUMNS})
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {_NEW_ROW_VALUES})
                ON CONFLICT (key) DO NOTHING""",  # noqa: S608
                [(*row, created_at, created_at) for row in rows],
            )
        inserted = cursor.rowcount
        if inserted:
            outbox_kick()
    return inserted


@transaction.atomic
def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Send failed (or long-pending) emails again now, with a fresh set of attempts."""
    count = OutboxMessage.objects.filter(
        pk__in=list(message_ids), status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.PENDING]
    ).update(status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    if count:
        outbox_kick()
    return count


@transaction.atomic
def preference_unsubscribe(*, user_id: int, topic: str) -> NotificationPreference | None:
    """What a signed unsubscribe link does: turn off that topic's emails for the user."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    pref, _ = NotificationPreference.objects.get_or_create(user=user)
    for name, value in TOPICS[topic].items():
        setattr(pref, name, value)
    pref.full_clean()
    pref.save()
    return pref


@transaction.atomic
def organization_thresholds_update(*, organization, escalation_working_days: int, stale_days: dict):
    """Set the organisation's escalation delay and its per-stage stale limits (overrides only)."""
    organization.escalation_working_days = escalation_working_days
    organization.stale_days = stale_days
    organization.full_clean()
    organization.save(update_fields=["escalation_working_days", "stale_days"])
    return organization
