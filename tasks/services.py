"""Writes made by background work."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)


def heartbeat_record(*, name: str) -> Heartbeat:
    """Mark that `name` ran now; one row per name, its counter incremented atomically."""
    with transaction.atomic():
        beat, created = Heartbeat.objects.get_or_create(name=name, defaults={"seen_at": timezone.now(), "count": 1})
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now(), count=F("count") + 1)
            beat.refresh_from_db()
    return beat


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` to the broker once the current transaction commits.

    A web request never fails or waits because the broker is down: the error is logged and the
    rows the task would have handled stay in the database for the next sweep."""

    def _send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # broker down or unreachable: the next sweep catches up
            logger.warning("could not enqueue %s; the next sweep will pick it up", task.name, exc_info=True)

    transaction.on_commit(_send)
