"""Background steps of the ledger import: thin wrappers that take a job id and call the service."""

from celery import shared_task

from . import imports


@shared_task(ignore_result=True)
def check_import(job_id: int) -> None:
    imports.import_job_check(job_id=job_id)


@shared_task(ignore_result=True)
def apply_import(job_id: int) -> None:
    imports.import_job_apply(job_id=job_id)
