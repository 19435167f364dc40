"""A task travels through the real broker (Redis when REDIS_URL is set, else the filesystem
broker of the embedded mode) to a worker process, and its effect lands in the database."""

import os

import pytest
from django.conf import settings

from projects.core.queue import enqueue_on_commit
from tasks.models import Heartbeat
from tasks.tasks import heartbeat

from .conftest import need
from .workers import celery_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_broker_is_the_one_configured():
    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"


def test_a_task_reaches_a_worker_and_writes_to_the_database():
    if os.environ.get("REQUIRE_SERVICES") == "1":
        need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    with celery_worker() as worker:
        heartbeat.apply_async(kwargs={"name": "round-trip"}, queue=worker.queue)
        beat = wait_for(lambda: Heartbeat.objects.filter(name="round-trip").first(), timeout=30)
        assert beat is not None, worker.log
        assert beat.count == 1
        assert "connected to" in worker.log.lower() or "Connected to" in worker.log


def test_enqueue_after_commit_survives_a_broker_that_is_down(settings, django_capture_on_commit_callbacks):
    """A web request never fails because the broker is down: the error is logged, nothing raised."""
    from config.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    reset_pools()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(heartbeat.name, name="never")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        reset_pools()
    assert not Heartbeat.objects.filter(name="never").exists()
