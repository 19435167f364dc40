"""Ledger pages: the list's export, and the import (upload, preview with its problems, confirm, progress)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from operators.access import scope_for
from projects.core.downloads import XLSX, download
from projects.core.queue import enqueue_on_commit
from projects.ledger import columns as ledger
from projects.ledger import imports
from projects.ledger.exports import ledger_dataset, ledger_filename
from projects.ledger.forms import ImportForm, importing_organizations
from projects.ledger.models import ImportJob
from projects.pipeline import selectors
from projects.pipeline.filters import ProjectFilter


@require_GET
@login_required
def project_export(request, fmt: str):
    """The filtered rows as the ledger; the same scope and filters as the list."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filterset = ProjectFilter(request.GET, selectors.project_list(request.user), request=request)
    queryset = filterset.qs.order_by("-created_at", "-pk") if filterset.is_valid() else filterset.queryset.none()
    dataset = ledger_dataset(queryset, request.user)
    if fmt == "xlsx":
        return download(dataset.export("xlsx"), ledger_filename(fmt), XLSX)
    # The byte-order mark makes Excel read the CSV as UTF-8.
    return download("\ufeff" + dataset.export("csv"), ledger_filename(fmt), "text/csv; charset=utf-8")


def _runs_in_request(job: ImportJob) -> bool:
    """Small files are checked and written while the user waits; big ones go to a worker."""
    return job.size <= int(getattr(settings, "IMPORT_SYNC_MAX_BYTES", 256 * 1024))


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
            enqueue_on_commit("projects.tasks.check_import", job.pk)
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
        enqueue_on_commit("projects.tasks.apply_import", job.pk)
    return redirect("projects:import_job", pk=job.pk)


@require_GET
def import_template(request):
    return download(ledger.template_dataset().export("xlsx"), "项目台账模板.xlsx", XLSX)
