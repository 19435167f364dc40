"""Queueing background work from projects/ without importing the tasks app: by task name."""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task named `task_name` to the broker once the current transaction commits.

    A web request never fails or waits because the broker is down: the error is logged and the
    rows the task would have handled stay in the database for the next sweep or a retry."""

    def _send():
        try:
            # A signature runs the registered task (eagerly where configured) or sends it by name.
            current_app.signature(task_name).apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # broker down or unreachable
            logger.warning("could not enqueue %s; it waits for the next sweep", task_name, exc_info=True)

    transaction.on_commit(_send)
