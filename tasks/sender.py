"""The outbox sender: each pending row is claimed by one process and sent at most once.

Claim: UPDATE … SET status='sending' WHERE id=… AND status='pending' — only the process whose
UPDATE changed the row sends it (works on SQLite, where SELECT … FOR UPDATE does nothing). The
claim (attempts + 1, claimed_at) is committed before talking to SMTP, the result right after.
A row left in 'sending' by a worker that died is put back to pending after OUTBOX_SENDING_TIMEOUT.
A row queued with a `context` (the daily reminders) is written here, after the claim and before
SMTP, from the data as it is now (tasks.content); what was written is stored on the row first.
See docs/notifications.md for the guarantee.
"""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from . import content
from .emails import render_email
from .models import OutboxMessage
from .services import language_of

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base, … capped at a day."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, 86400))


def outbox_requeue_stuck() -> int:
    """Rows claimed longer ago than the timeout belong to a worker that died: back to pending."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    count = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.PENDING, next_attempt_at=timezone.now(), last_error="worker stopped while sending"
    )
    if count:
        logger.warning("requeued %d outbox rows stuck in sending", count)
    return count


def _worker() -> str:
    # At call time: prefork children import this module before they fork.
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def outbox_send_due(*, limit: int | None = None) -> tuple[int, bool]:
    """Send up to `limit` due rows; returns (sent, more rows are due)."""
    limit = limit or settings.OUTBOX_BATCH
    outbox_requeue_stuck()
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    more = len(ids) > limit
    sent = sum(outbox_send_one(message_id=pk) for pk in ids[:limit])
    return sent, more


def outbox_send_one(*, message_id: int) -> bool:
    """Claim the row, send it, record the outcome. True only if this call sent the email."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, claimed_by=_worker()
    )
    if claimed != 1:
        return False  # another worker has it, or it is not due any more
    message = OutboxMessage.objects.select_related("user__notification_preference").get(pk=message_id)
    try:
        if message.built_at_send:
            built = content.build(message)
            if isinstance(built, content.Skip):
                _record_skip(message, built.reason)
                return False
            if not _store_rendered(message, built):
                return False  # put back to pending meanwhile (we were slower than the timeout)
        # One connection per email: the file backend of the embedded mode then writes one file each.
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_email],
            headers=message.headers,
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        email.send(fail_silently=False)
    except Exception as exc:  # a builder, a template or SMTP: a failed attempt, retried
        _record_failure(message, exc)
        return False
    # The window: a crash between the SMTP server's accept and this UPDATE sends the row again
    # after the timeout. Nothing else happens in between.
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=now).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _store_rendered(message: OutboxMessage, built: content.Content) -> bool:
    """Render the built email in the recipient's language and keep it on the row before sending,
    so the outbox page shows what was sent. False if the row is no longer ours."""
    rendered = render_email(
        template=built.template,
        context=built.context,
        user_id=message.user_id,
        language=language_of(message.user),
        topic=built.topic,
    )
    message.subject = rendered.subject
    message.body_text = rendered.text
    message.body_html = rendered.html
    message.headers = {**rendered.headers, "X-Outbox-Key": message.key}
    return (
        OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at).update(
            subject=message.subject, body_text=message.body_text, body_html=message.body_html, headers=message.headers
        )
        == 1
    )


def _record_skip(message: OutboxMessage, reason: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at).update(
        status=Status.SKIPPED, note=reason
    )
    logger.info("outbox %s not sent: %s", message.key, reason)


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at).update(
        status=Status.FAILED if final else Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
    )
    logger.warning(
        "outbox %s attempt %d failed%s: %s", message.key, message.attempts, " (gave up)" if final else "", error
    )
