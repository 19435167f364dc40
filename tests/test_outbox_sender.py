"""The outbox sender: claimed once, each attempt recorded, bounded retries, stuck rows requeued."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tasks import sender
from tasks.models import OutboxMessage
from tasks.services import outbox_add, outbox_retry

Status = OutboxMessage.Status


@pytest.fixture
def message(cast):
    outbox_add(key="reminder:test:1", user=cast.officer, template="reminder", context={"lines": [], "total": 0})
    return OutboxMessage.objects.get(key="reminder:test:1")


def test_outbox_add_ignores_a_key_already_there(cast, message):
    assert not outbox_add(key="reminder:test:1", user=cast.officer, template="reminder", context={"total": 9})
    assert OutboxMessage.objects.count() == 1


def test_it_sends_a_pending_row_once(message):
    assert sender.outbox_send_due() == (1, False)
    assert sender.outbox_send_due() == (0, False)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1 and message.sent_at
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-Outbox-Key"] == "reminder:test:1"


def test_a_row_claimed_by_another_worker_is_not_sent(message):
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    assert sender.outbox_send_one(message_id=message.pk) is False
    assert mail.outbox == []


@pytest.fixture
def smtp_refuses(monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"officer@example.cn": (550, b"mailbox unavailable")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)


def test_failures_retry_with_backoff_then_show_as_failed(message, smtp_refuses, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        sender.outbox_send_due()
        message.refresh_from_db()
        assert message.status == Status.PENDING and message.attempts == 1
        assert "550" in message.last_error
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
        sender.outbox_send_due()  # not due yet
        assert OutboxMessage.objects.get().attempts == 1
        traveller.shift(61)
        sender.outbox_send_due()
        message.refresh_from_db()
        assert message.attempts == 2 and message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=119)
        traveller.shift(121)
        sender.outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 3
    assert "mailbox unavailable" in message.last_error


def test_a_failed_row_can_be_retried(message, settings):
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=5, last_error="boom")
    assert outbox_retry(message_ids=[message.pk]) == 1
    sender.outbox_send_due()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1


def test_a_row_stuck_in_sending_is_sent_again_after_the_timeout(message, settings):
    settings.OUTBOX_SENDING_TIMEOUT = 600
    claimed = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=claimed, attempts=1)
    with time_machine.travel(claimed + datetime.timedelta(seconds=590), tick=False):
        assert sender.outbox_send_due() == (0, False)
    with time_machine.travel(claimed + datetime.timedelta(seconds=601), tick=False):
        assert sender.outbox_send_due() == (1, False)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


def test_it_sends_in_batches_and_says_more_is_waiting(cast, settings):
    for i in range(5):
        outbox_add(key=f"reminder:batch:{i}", user=cast.officer, template="reminder", context={"total": 1})
    assert sender.outbox_send_due(limit=3) == (3, True)
    assert sender.outbox_send_due(limit=3) == (2, False)


def test_a_user_without_email_gets_no_row(cast):
    cast.nobody.email = ""
    cast.nobody.save()
    assert not outbox_add(key="reminder:nobody:1", user=cast.nobody, template="reminder", context={"total": 1})
