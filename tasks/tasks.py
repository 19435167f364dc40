"""Every Celery task of the project, and nothing else: thin entry points that take ids, call a
service, and never schedule anything for later (no ETA/countdown): the database says what is due.

Each task has an explicit name, so moving a function never renames a task already queued or named
in the beat schedule (config/settings.py). Code that queues a task does it by name through
projects.core.queue.enqueue_on_commit; nothing imports this module but Celery's autodiscovery."""

import datetime

from celery import shared_task

from projects.core.queue import enqueue_on_commit
from projects.ledger import imports

from . import digests, sender, services, supervision, sweeps


@shared_task(name="tasks.tasks.heartbeat", ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    services.heartbeat_record(name=name)


@shared_task(name="tasks.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int:
    return sweeps.reminders_sweep()


@shared_task(name="tasks.tasks.sweep_escalations", ignore_result=True)
def sweep_escalations() -> int:
    return sweeps.escalations_sweep()


@shared_task(name="tasks.tasks.sweep_stale_projects", ignore_result=True)
def sweep_stale_projects() -> int:
    return sweeps.stale_sweep()


@shared_task(name=services.OUTBOX_SEND_TASK, ignore_result=True)
def outbox_send() -> int:
    """Send what is due. If more is waiting than one batch, ask for another run right away."""
    sent, more = sender.outbox_send_due()
    if more:
        enqueue_on_commit(services.OUTBOX_SEND_TASK)  # outside a transaction: sent immediately
    return sent


@shared_task(name="tasks.tasks.sweep_digests", ignore_result=True)
def sweep_digests() -> int:
    return digests.digest_sweep()


@shared_task(name=digests.BUILD_DIGEST_TASK, ignore_result=True)
def build_digest(user_id: int, frequency: str, start: str, end: str) -> bool:
    """One manager's digest for one period, into the outbox (its key makes it once). No retry:
    if it fails, the digest has no outbox row yet and the next sweep enqueues it again."""
    return digests.digest_build(
        user_id=user_id,
        frequency=frequency,
        start=datetime.date.fromisoformat(start),
        end=datetime.date.fromisoformat(end),
    )


@shared_task(name="tasks.supervision.supervision_escalate", ignore_result=True)
def supervision_escalate() -> int:
    return supervision.supervision_escalation_sweep()


@shared_task(name="tasks.supervision.on_hold_resume", ignore_result=True)
def on_hold_resume() -> int:
    return supervision.on_hold_resume_sweep()


# The ledger import's two steps (queued by projects.ledger.views under these names).
@shared_task(name="projects.tasks.check_import", ignore_result=True)
def check_import(job_id: int) -> None:
    imports.import_job_check(job_id=job_id)


@shared_task(name="projects.tasks.apply_import", ignore_result=True)
def apply_import(job_id: int) -> None:
    imports.import_job_apply(job_id=job_id)
