"""Celery tasks: thin entry points that beat triggers. They take no model instances, call a
service, and never schedule anything for later (no ETA/countdown): the database says what is due."""

import datetime

from celery import shared_task

from . import digests, sender, services, sweeps


@shared_task(ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    services.heartbeat_record(name=name)


@shared_task(ignore_result=True)
def sweep_reminders() -> int:
    return sweeps.reminders_sweep()


@shared_task(ignore_result=True)
def sweep_escalations() -> int:
    return sweeps.escalations_sweep()


@shared_task(ignore_result=True)
def sweep_stale_projects() -> int:
    return sweeps.stale_sweep()


@shared_task(ignore_result=True)
def outbox_send() -> int:
    """Send what is due. If more is waiting than one batch, ask for another run right away."""
    sent, more = sender.outbox_send_due()
    if more:
        services.enqueue_on_commit(outbox_send)  # outside a transaction: sent immediately
    return sent


@shared_task(ignore_result=True)
def sweep_digests() -> int:
    return digests.digest_sweep()


@shared_task(ignore_result=True)
def build_digest(user_id: int, frequency: str, start: str, end: str) -> bool:
    """One manager's digest for one period, into the outbox (its key makes it once). No retry:
    if it fails, the digest has no outbox row yet and the next sweep enqueues it again."""
    return digests.digest_build(
        user_id=user_id,
        frequency=frequency,
        start=datetime.date.fromisoformat(start),
        end=datetime.date.fromisoformat(end),
    )
