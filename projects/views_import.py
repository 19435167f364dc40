"""Pages of the ledger import: upload, preview with its problems, confirm, progress."""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operators.access import scope_for

from . import imports, ledger
from .forms_import import ImportForm, importing_organizations
from .models import ImportJob
from .tasks import apply_import, check_import

logger = logging.getLogger(__name__)


def _runs_in_request(job: ImportJob) -> bool:
    """Small files are checked and written while the user waits; big ones go to a worker."""
    return job.size <= int(getattr(settings, "IMPORT_SYNC_MAX_BYTES", 256 * 1024))


def _enqueue(task, job_id: int) -> None:
    def send():
        try:
            task.apply_async(args=[job_id], retry=False)
        except Exception:  # broker down: the job waits, the page says so
            logger.warning("could not enqueue %s for import %s", task.name, job_id, exc_info=True)

    transaction.on_commit(send)


def _job_for(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("organization"), pk=pk)
    if job.user_id != request.user.pk and not scope_for(request.user).is_admin:
        raise Http404
    return job


@require_http_methods(["GET", "POST"])
def import_start(request):
    if not importing_organizations(request.user).exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = imports.import_job_create(
            user=request.user, organization=form.cleaned_data["organization"], upload=form.cleaned_data["file"]
        )
        if _runs_in_request(job):
            imports.import_job_check(job_id=job.pk)
        else:
            _enqueue(check_import, job.pk)
        return redirect("projects:import_job", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user).select_related("organization")[:10]
    return render(
        request,
        "projects/import_start.html",
        {"form": form, "recent": recent, "columns": [c for c in ledger.COLUMNS if c.imported]},
    )


@require_GET
def import_job(request, pk: int):
    job = _job_for(request, pk)
    template = "projects/_import_job.html" if request.htmx else "projects/import_job.html"
    done, total = imports.job_progress(job)
    return render(request, template, {"job": job, "done": done, "total": total})


@require_POST
def import_confirm(request, pk: int):
    job = _job_for(request, pk)
    if not imports.import_job_confirm(job=job):
        messages.error(request, _("This import cannot be confirmed (it has problems, or it was confirmed already)."))
        return redirect("projects:import_job", pk=job.pk)
    if _runs_in_request(job):
        imports.import_job_apply(job_id=job.pk)
    else:
        _enqueue(apply_import, job.pk)
    return redirect("projects:import_job", pk=job.pk)


@require_GET
def import_template(request):
    dataset = ledger.template_dataset()
    response = HttpResponse(
        dataset.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
