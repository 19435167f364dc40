"""Importing a ledger: every row is checked first (the preview), then all rows are written or none.

The job: upload → check (preview, projects.ledger.checks) → confirm → write (projects.ledger.bulk).
Small files run in the request, big ones in a Celery task; the page polls the job either way.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.ledger.bulk import write_plan
from projects.ledger.checks import build_plan
from projects.ledger.models import ImportJob
from projects.ledger.plan import Plan
from projects.ledger.spreadsheets import FileRefused, read_rows

logger = logging.getLogger(__name__)


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def job_progress(job: ImportJob) -> tuple[int, int]:
    done, total = cache.get(progress_key(job.pk), (0, 0))
    return done, total


def _progress_writer(job_id: int):
    def write(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), timeout=3600)

    return write


def import_job_create(*, user, organization, upload) -> ImportJob:
    """Keep the uploaded file (media storage, seen by every worker) and queue its check."""
    job = ImportJob(
        user=user,
        organization=organization,
        original_name=upload.name[:255],
        size=upload.size,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job


def _finish(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)


def _plan_fields(plan: Plan) -> dict:
    return {
        "total_rows": plan.total_rows,
        "created_count": len(plan.creates),
        "updated_count": len(plan.updates),
        "unchanged_count": plan.unchanged,
        "duplicate_count": plan.duplicates,
        "error_count": plan.error_count,
        "problems": plan.problems,
        "columns": plan.columns,
    }


def _read(job: ImportJob):
    with job.file.open("rb") as handle:
        data = handle.read(int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)) + 1)
    return read_rows(data, job.original_name)


def import_job_check(*, job_id: int) -> None:
    """The preview: read and check every row, count what would happen. Writes nothing but the job."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(status=ImportJob.Status.CHECKING):
        return  # already taken by another worker
    job = ImportJob.objects.select_related("user", "organization__zone").get(pk=job_id)
    with translation.override(job.language):
        try:
            _kind, rows = _read(job)
            plan = build_plan(rows, user=job.user, organization=job.organization, progress=_progress_writer(job_id))
        except FileRefused as exc:
            _finish(job_id, status=ImportJob.Status.FAILED, message=str(exc))
            return
        except Exception:
            logger.exception("import %s: check failed", job_id)
            _finish(job_id, status=ImportJob.Status.FAILED, message=_("The file could not be checked."))
            raise
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.CHECKED, **_plan_fields(plan))


def import_job_confirm(*, job: ImportJob) -> bool:
    """The user confirmed a clean preview; True when this call took the job."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED, error_count=0).update(
            status=ImportJob.Status.CONFIRMED
        )
    )


class _Refused(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan


def import_job_apply(*, job_id: int) -> None:
    """Write a confirmed import in one transaction. The rows are checked again against the data as
    it is now; if any row fails, nothing is written and the job lists the problems."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CONFIRMED).update(
        status=ImportJob.Status.APPLYING
    ):
        return
    job = ImportJob.objects.select_related("user", "organization__zone").get(pk=job_id)
    progress = _progress_writer(job_id)
    with translation.override(job.language):
        try:
            _kind, rows = _read(job)
            with transaction.atomic():
                plan = build_plan(rows, user=job.user, organization=job.organization, progress=progress)
                if plan.error_count:
                    raise _Refused(plan)
                write_plan(plan, user=job.user, progress=progress)
        except FileRefused as exc:
            _finish(job_id, status=ImportJob.Status.FAILED, message=str(exc))
            return
        except _Refused as refused:
            _finish(
                job_id,
                status=ImportJob.Status.FAILED,
                message=_("The data changed since the preview and some rows no longer pass; nothing was written."),
                **_plan_fields(refused.plan),
            )
            return
        except Exception:
            logger.exception("import %s: write failed", job_id)
            _finish(job_id, status=ImportJob.Status.FAILED, message=_("The import failed; nothing was written."))
            raise
    _finish(job_id, status=ImportJob.Status.DONE, **_plan_fields(plan))


def import_ledger(*, user, organization, data: bytes, name: str) -> Plan:
    """Check and write a ledger in one go (tests, scripts): all rows or none. Raises FileRefused,
    or returns the plan with its problems and writes nothing when a row fails."""
    _kind, rows = read_rows(data, name)
    with transaction.atomic():
        plan = build_plan(rows, user=user, organization=organization)
        if not plan.error_count:
            write_plan(plan, user=user)
    return plan
