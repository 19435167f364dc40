"""The reminders end to end: the test database, Celery workers with beat in their own processes,
a real broker (Redis when REDIS_URL is set, else kombu's filesystem transport: the embedded
default), and a local SMTP server receiving the mail. Exactly one email per key, whatever runs
twice, dies, or goes down."""

import os
import shutil
import time
import uuid
from contextlib import contextmanager

import kombu.pools
import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from operators.models import Role
from tasks.models import OutboxMessage
from tasks.sweeps import reminders_sweep

from .conftest import need
from .factories import MembershipFactory, UserFactory
from .notify_helpers import at, due_project
from .notify_stack import Mailbox, RedisServer, SMTPServer, Worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FAKE_NOW = "2025-06-12T09:00:00+08:00"  # a Thursday, a working day, after the default 08:30
TODAY = "2025-06-12"


def officers_with_due_follow_ups(cast, count: int) -> set[str]:
    """`count` officers each with a follow-up due today; returns the reminder keys expected."""
    keys = set()
    with at(TODAY, 8):
        for i in range(count):
            officer = UserFactory(username=f"it_officer{i}")
            MembershipFactory(user=officer, organization=cast.committee_a, role=Role.OFFICER)
            due_project(owner=officer, organization=cast.committee_a, due_on=TODAY, title=f"集成项目{i}")
            keys.add(f"reminder:{officer.pk}:{TODAY}")
    return keys


@pytest.fixture
def stack_dir(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    return var


@pytest.fixture
def workers(stack_dir):
    """Start workers; all are stopped at the end, their logs shown if the test failed."""
    started = []
    queue = f"test-{uuid.uuid4().hex[:8]}"

    def start(name, smtp, **env):
        redis_url = env.pop("redis_url", os.environ.get("REDIS_URL", ""))
        worker = Worker(
            var_dir=stack_dir,
            smtp_port=smtp.port,
            fake_now=FAKE_NOW,
            name=name,
            redis_url=redis_url,
            queue=queue,
            **env,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        print(f"--- {worker.name} ---\n{worker.output()}")


def delivered(mailbox, keys):
    return lambda: keys <= set(mailbox.keys)


def test_two_workers_two_beats_and_a_repeated_sweep_send_one_email_per_key(cast, workers, monkeypatch):
    keys = officers_with_due_follow_ups(cast, 12)
    mailbox = Mailbox()
    with SMTPServer(mailbox) as smtp:
        workers("w1", smtp)
        workers("w2", smtp)  # two workers, each with its own beat, sweeping every second
        monkeypatch.setattr("tasks.services.outbox_kick", lambda: None)  # beat sends
        with at(TODAY, 9, 0):  # not later than the workers' clocks, which start at FAKE_NOW
            reminders_sweep()  # and the same sweep run once more from here
        wait_for(delivered(mailbox, keys), what="every reminder")
        # Let both beats sweep and send a few more times: nothing new may arrive.
        time.sleep(4)
    assert set(mailbox.keys) == keys
    assert all(count == 1 for count in mailbox.keys.values()), mailbox.keys
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_on_the_real_broker_split_a_sweep_and_send_each_email_once(cast, workers, monkeypatch):
    """Several machines: two workers share the sweep's emails (one email per task run, so the
    broker hands the runs to both), and every email arrives exactly once."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    keys = officers_with_due_follow_ups(cast, 24)
    # Each delivery takes a moment, as a real relay's does, so one worker cannot drain the
    # queue before the other asks for work.
    mailbox = Mailbox(rcpt_delay=0.3)
    with SMTPServer(mailbox) as smtp:
        workers("w1", smtp, OUTBOX_BATCH=1)
        workers("w2", smtp, OUTBOX_BATCH=1)
        with at(TODAY, 9, 0):
            reminders_sweep()
        wait_for(delivered(mailbox, keys), what="every reminder")
        time.sleep(2)
    assert set(mailbox.keys) == keys
    assert all(count == 1 for count in mailbox.keys.values()), mailbox.keys
    senders = set(OutboxMessage.objects.values_list("claimed_by", flat=True))
    assert len(senders) == 2, senders


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(cast, workers):
    keys = officers_with_due_follow_ups(cast, 24)
    # Each SMTP transaction waits before any data is sent: the kill lands there, before the
    # server accepts, which keeps the window (accepted but not yet marked sent) narrow.
    mailbox = Mailbox(rcpt_delay=0.25)
    with SMTPServer(mailbox) as smtp:
        first = workers("w1", smtp)
        wait_for(lambda: len(mailbox.messages) >= 4, what="the first emails")
        first.kill()
        in_flight = set(OutboxMessage.objects.filter(status="sending").values_list("key", flat=True))
        assert len(mailbox.messages) < len(keys), "the batch finished before the kill"
        workers("w2", smtp)
        wait_for(delivered(mailbox, keys), what="every reminder after the restart")
        time.sleep(2)
    assert set(mailbox.keys) == keys
    twice = {key for key, count in mailbox.keys.items() if count > 1}
    # The documented window: only a row being sent at the moment of the kill may arrive twice.
    assert twice <= in_flight and len(twice) <= 1, (twice, in_flight)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


@contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at `url` (dropping its connection pools), then back."""
    from config.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        # kombu keeps producer pools in a registry of its own, keyed by connection: left alone, the
        # next task sent to the same broker (another test's) got the closed one ("Acquire on
        # closed pool").
        kombu.pools.reset()

    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = url, settings.REDIS_BROKER_TRANSPORT_OPTIONS
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options = saved


def test_officers_keep_working_while_redis_is_down_and_reminders_follow(cast, workers, stack_dir, client):
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    keys = officers_with_due_follow_ups(cast, 3)
    redis = RedisServer(stack_dir).start()
    redis.stop()  # Redis is down
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}}
    with celery_broker(redis.url), override_settings(CACHES=redis_cache), at(TODAY, 9, 0):
        # An officer records a follow-up due today on the project page: no error page.
        project = due_project(owner=cast.officer, organization=cast.committee_a, due_on="2025-06-05")
        client.force_login(cast.officer)
        response = client.post(
            reverse("projects:followup_create", args=[project.pk]),
            {
                "kind": "call",
                "occurred_on": TODAY,
                "summary": "电话确认",
                "next_action": "带合同来谈",
                "next_due_on": TODAY,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        project.refresh_from_db()
        assert project.next_follow_up_on.isoformat() == TODAY
        keys.add(f"reminder:{cast.officer.pk}:{TODAY}")
        assert client.get(reverse("home")).status_code == 200
        response = client.post(
            reverse("tasks:preferences"),
            {"reminders_enabled": "on", "reminder_time": "08:30", "language": "zh-hans", "digest_frequency": "none"},
        )
        assert response.status_code == 302
        # A sweep run now queues rows; asking a worker to send them fails quietly.
        reminders_sweep()
        client.force_login(cast.admin)
        failed = OutboxMessage.objects.order_by("pk").first()
        assert client.post(reverse("tasks:outbox_retry"), {"ids": [failed.pk]}).status_code == 302
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"pending"}

    mailbox = Mailbox()
    with SMTPServer(mailbox) as smtp:
        redis.start()  # Redis is back on the same port
        try:
            workers("w1", smtp, redis_url=redis.url)
            wait_for(delivered(mailbox, keys), what="the reminders after Redis came back")
        finally:
            redis.stop()
    assert all(count == 1 for count in mailbox.keys.values()), mailbox.keys


def test_smtp_refusing_mail_ends_failed_with_the_error_shown(cast, workers, client):
    keys = officers_with_due_follow_ups(cast, 2)
    mailbox = Mailbox(refuse=True)
    with SMTPServer(mailbox) as smtp:
        workers("w1", smtp, OUTBOX_MAX_ATTEMPTS=3)
        wait_for(
            lambda: OutboxMessage.objects.filter(status="failed").count() == len(keys),
            what="the rows to give up",
        )
    rows = list(OutboxMessage.objects.all())
    assert {r.key for r in rows} == keys
    assert all(r.attempts == 3 and "550" in r.last_error for r in rows)
    assert mailbox.messages == []
    client.force_login(cast.admin)
    page = client.get(reverse("tasks:outbox"), {"status": "failed"}).content.decode()
    assert "mailbox unavailable" in page
